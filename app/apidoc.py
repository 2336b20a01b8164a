"""The OpenAPI document is the contract of every JSON endpoint (issue 22).

JSON-only blueprints are flask-smorest blueprints registered with `app.extensions.api`. A few JSON routes
live in a plain Flask blueprint next to the HTML pages they belong to (the public pages and their JSON,
the certificate check): `PageBlueprintDocs` documents those in the same document, with flask-smorest's own
`response`/`doc`/`alt_response` decorators, without moving the routes (their URLs and endpoint names stay).

    docs = PageBlueprintDocs("publicity_public", __name__, description="…")

    @bp.route("/public/api/decisions")
    @docs.documented()
    @docs.response(200, DecisionPageSchema)
    def api_decisions(): ...

    # after app.register_blueprint(bp):
    docs.register(app)

The decorated view may keep returning `jsonify(...)`: flask-smorest passes a Response through unchanged,
so the bodies stay exactly what they were; the schema documents them (and the API fuzz test checks that
they match it).
"""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import INCLUDE, Schema

#: Security of the staff API: a bearer token (field devices, scripts) or the session cookie with an
#: X-CSRFToken header (our own pages). Public operations declare `security: []`.
SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer",
                   "description": "个人访问令牌（/api/auth/tokens 签发）：Authorization: Bearer <令牌>"},
    "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session",
                      "description": "网页登录会话；写操作另需 X-CSRFToken 请求头"},
}
SECURITY = [{"bearerAuth": []}, {"sessionCookie": []}]
PUBLIC = {"security": []}


class ObjectSchema(Schema):
    """A JSON object whose members the operation's description names (documents a body without fixing
    every member in a schema yet): additional properties allowed."""

    class Meta:
        unknown = INCLUDE


class PageBlueprintDocs(Blueprint):
    """Documentation of JSON routes that a plain Flask blueprint of the same name serves."""

    def documented(self, methods=("GET",)):
        def decorator(func):
            self._store_endpoint_docs(func.__name__, func, None, None, methods=list(methods))
            return func

        return decorator

    def register(self, app):
        from app.extensions import api

        self.register_views_in_doc(api, app, api.spec, name=self.name, parameters=None)
        api.spec.tag({"name": self.name, "description": self.description})
