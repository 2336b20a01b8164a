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
        # asking for a token, or using one) has none. A request with a VALID bearer token is authenticated
        # by that token alone — the cookie session is not used for it — so it needs no CSRF token either
        # (a cross-site page cannot attach someone's token). A junk "Bearer x" beside a session cookie
        # once skipped the check while the cookie did the authenticating (SEC-13): now such a request is
        # an ordinary cookie request and must carry the CSRF token.
        from flask import g

        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE") and "Authorization" not in request.headers:
            return
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            from app.auth.services import user_for_token

            user = user_for_token(header[7:].strip())
            if user is not None:
                g._login_user = user  # Flask-Login's current user for this request: the token's, not the cookie's
                return
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return
        if not app.config.get("WTF_CSRF_ENABLED", True):
            return
        if app.config.get("SESSION_COOKIE_NAME", "session") not in request.cookies:
            return
        csrf.protect()

    @app.context_processor
    def inject_user():
        return {"current_user": current_user}

    app.register_blueprint(views.bp)
    rest_api.register_blueprint(api.blp)
    app.cli.add_command(cli.users_cli)
    rest_api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
