"""Agencies (执法主体) created and edited by supervisors, and entrusted organisations (受委托组织, APL Art
20–21) with their entrustment: matters, legal basis, period. Both are published before they act."""


def init_app(app):
    from app.agencies import api, demo, models, views  # noqa: F401 (demo registers its loader)
    from app.agencies.permissions import can_manage_agencies
    from app.extensions import api as rest_api
    from app.web.views import add_nav_item

    app.register_blueprint(views.bp)
    rest_api.register_blueprint(api.blp)
    add_nav_item(app, "执法主体", "agencies.index", can_manage_agencies)
