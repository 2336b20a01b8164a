"""Officers, certificates and the Jilin certificate rules (SPEC §5): the registry, the rules engine every
act calls (`rules.check`, `services.require_qualified`), public verification by QR code, and the
officers directory for pre-action publicity.
"""


def init_app(app):
    from app.extensions import api as rest_api
    from app.officers import api, cli, demo, public, views  # noqa: F401 (demo registers its loader)
    from app.officers.permissions import can_view_officers
    from app.web.views import add_home_panel, add_nav_item

    from app.officers import training_api, training_views

    app.register_blueprint(views.bp)
    app.register_blueprint(training_views.bp)
    app.register_blueprint(public.bp)
    public.docs.register(app)
    rest_api.register_blueprint(api.blp)
    rest_api.register_blueprint(training_api.blp)
    app.config.setdefault("OFFICER_TRAINING_HOURS", 40)  # yearly hours the annual inspection needs
    # The cut-over day from which the system keeps examination and training records (ISO date): imported
    # certificates issued and inspection years before it are registered as legacy history. Unset: none is.
    app.config.setdefault("OFFICER_RECORDS_SINCE", None)
    app.cli.add_command(cli.officers_cli)
    add_home_panel(app, views.kpi_panel)
    add_nav_item(app, "执法人员", "officers.index", can_view_officers)
