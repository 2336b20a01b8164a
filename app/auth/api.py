"""JSON API for accounts: obtain, list and revoke bearer tokens; who am I."""
from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from app.auth import services
from app.auth.models import ApiToken
from app.auth.permissions import require_login
from app.auth.schemas import MeSchema, TokenIssuedSchema, TokenRequestSchema, TokenSchema
from app.errors import DomainError, NotFound
from app.extensions import db

blp = Blueprint("auth_api", __name__, url_prefix="/api/auth", description="账户与API令牌")


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.arguments(TokenRequestSchema)
    @blp.response(201, TokenIssuedSchema)
    def post(self, data):
        """Exchange a username and password for a bearer token (throttled like the login page)."""
        try:
            user = services.authenticate(data["username"], data["password"], ip=request.remote_addr or "")
        except DomainError:
            db.session.commit()
            raise
        raw, token = services.issue_token(user, data["name"])
        db.session.commit()
        return {"id": token.id, "token": raw, "expires_at": token.expires_at}

    @require_login
    @blp.response(200, TokenSchema(many=True))
    def get(self):
        """The caller's tokens."""
        return db.session.scalars(select(ApiToken).where(ApiToken.user_id == current_user.id)
                                  .order_by(ApiToken.id)).all()


@blp.route("/tokens/<int:token_id>")
class TokenItem(MethodView):
    @require_login
    @blp.response(200, TokenSchema)
    def delete(self, token_id):
        """Revoke one of the caller's tokens."""
        token = db.session.get(ApiToken, token_id)
        if token is None or token.user_id != current_user.id:
            raise NotFound("令牌不存在")
        services.revoke_token(token, current_user)
        db.session.commit()
        return token


@blp.route("/me")
class Me(MethodView):
    @require_login
    @blp.response(200, MeSchema)
    def get(self):
        """The authenticated user, with roles and agency."""
        return current_user
