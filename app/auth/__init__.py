"""Accounts: agencies, users and roles, login sessions, bearer API tokens, CSRF policy."""


def init_app(app):
    from flask import request
    from flask_login import current_user

    from app.auth import api, cli, views
    from app.auth.models import User
    from app.extensions import api as rest_api, csrf, db, login_manager

    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "error"

    @login_manager.user_loader
    def load_user(user_id):
        user = db.session.get(User, int(user_id)) if str(user_id).isdigit() else None
        return user if user is not None and user.is_enabled else None

    @login_manager.request_loader
    def load_user_from_bearer(req):
        header = req.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            from app.auth.services import user_for_token

            return user_for_token(header[7:].strip())
        return None

    @app.before_request
    def csrf_unless_bearer():
        # CSRF rides on ambient credentials. A bearer-token request, or one that carries no session
        # cookie at all (a device asking for a token), has none; every other unsafe request (forms,
        # fetch from our own pages) must carry the token. HTML forms also validate it in FlaskForm.
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return
        if request.headers.get("Authorization", "").startswith("Bearer "):
            return
        if app.config.get("SESSION_COOKIE_NAME", "session") not in request.cookies:
            return
        if not app.config.get("WTF_CSRF_ENABLED", True):
            return
        csrf.protect()

    @app.context_processor
    def inject_user():
        return {"current_user": current_user}

    app.register_blueprint(views.bp)
    rest_api.register_blueprint(api.blp)
    app.cli.add_command(cli.users_cli)
    rest_api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
