"""Personal information on the staff side (个人信息保护法; GB/T 35273): masks, the access log of personal
data (views, reveals, exports, refusals, anonymisations), the supervisor's report, a person's right to
know, and the retention purge. Features plug their records in (see `app.privacy.services`)."""


def init_app(app):
    from app.privacy import models  # noqa: F401  (tables known to the metadata)
    from app.privacy import services

    for name, value in services.DEFAULTS.items():
        app.config.setdefault(name, value)

    from app.extensions import api as rest_api
    from app.privacy import api, cli, views
    from app.privacy.permissions import can_read_access_log
    from app.web.views import add_nav_item

    app.register_blueprint(views.bp)
    rest_api.register_blueprint(api.blp)
    app.cli.add_command(cli.privacy_cli)
    add_nav_item(app, "个人信息访问记录", "privacy.accesses", can_read_access_log)
