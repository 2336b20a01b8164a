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
        # A cookie session counts only while its server-side session exists (deleted at logout, SEC-14).
        from flask import session

        from app.auth.services import session_user

        return session_user(user_id, session.get("sid"))

    @login_manager.request_loader
    def load_user_from_bearer(req):
        header = req.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            from app.auth.services import user_for_token

            return user_for_token(header[7:].strip())
        return None

    @app.before_request
    def csrf_unless_bearer():
        # CSRF rides on ambient credentials. A request that carries no session cookie at all (a device
        # asking for a token, or using one) has none. A request with a bearer token is exempt only when the
        # token is valid AND no cookie session is logged in (SEC-13: a junk "Bearer x" header beside a
        # session cookie once skipped the check). Every other unsafe request (forms, fetch from our own
        # pages) must carry the token. HTML forms also validate it in FlaskForm.
        from flask import session

        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return
        if not app.config.get("WTF_CSRF_ENABLED", True):
            return
        if app.config.get("SESSION_COOKIE_NAME", "session") not in request.cookies:
            return
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer ") and "_user_id" not in session:
            from app.auth.services import user_for_token

            if user_for_token(header[7:].strip()) is not None:
                return
        csrf.protect()

    @app.context_processor
    def inject_user():
        return {"current_user": current_user}

    app.register_blueprint(views.bp)
    rest_api.register_blueprint(api.blp)
    app.cli.add_command(cli.users_cli)
    rest_api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
