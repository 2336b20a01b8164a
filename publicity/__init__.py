"""Publicity (行政执法公示, SPEC §3 and §8): the public site before, during and after enforcement, the
publication workflow of decisions with the redaction engine, withdrawals and display periods, statistics
and the annual report, the public JSON API and the Atom feed.
"""


def init_app(app):
    from app.extensions import api as rest_api
    from app.web.views import add_home_panel, add_nav_item
    from publicity import api, cli, demo, models, public, views  # noqa: F401 (demo registers its loader)
    from publicity.permissions import can_view_publications

    app.register_blueprint(public.bp)
    public.docs.register(app)
    app.register_blueprint(views.bp)
    rest_api.register_blueprint(api.blp)
    app.cli.add_command(cli.publicity_cli)
    add_home_panel(app, views.alerts_panel)
    add_nav_item(app, "决定公开", "publicity.index", can_view_publications)
    _install_case_hook()


def _install_case_hook():
    """A decision creates its publication: cases.services calls its AFTER_ACTION_HOOKS (cases never
    imports publicity)."""
    from cases import services as case_services
    from publicity.services import after_action

    hooks = getattr(case_services, "AFTER_ACTION_HOOKS", None)
    if hooks is not None and after_action not in hooks:
        hooks.append(after_action)
