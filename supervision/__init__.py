"""Supervision (执法监督, SPEC §10, §13, §14): the 司法局 hierarchy (province → city → county), complaints and
reports, supervision checks, rectification, accountability, case-file evaluation (案卷评查) and the
per-agency dashboard.

This feature stands above all others: it may read every feature and calls their services (a certificate
suspension goes through `app.officers.services`); nothing imports it. It feeds the agency scope that the
lower layers ask through `app.auth.scope.readable_agency_ids`.
"""


def init_app(app):
    from app.auth import scope
    from supervision import models  # noqa: F401  (tables known to the metadata)
    from supervision.services import common, hierarchy

    for name, value in common.DEFAULTS.items():
        app.config.setdefault(name, value)
    scope.register_supervision_scope(hierarchy.scope)
    from supervision import privacy

    privacy.init_app(app)  # complainants under app.privacy: access log, right to know, retention

    from app.extensions import api as rest_api
    from app.web.views import add_home_panel, add_nav_item
    from supervision import (api, api_appraisal, api_evaluation, api_oversight, cli, demo, public,  # noqa: F401
                             views, views_appraisal, views_evaluation, views_oversight)
    from supervision.permissions import can_use_supervision

    app.register_blueprint(views.bp)
    app.register_blueprint(public.bp)
    rest_api.register_blueprint(api.blp)
    app.cli.add_command(cli.supervision_cli)
    add_nav_item(app, "执法监督", "supervision.index", can_use_supervision)
    add_home_panel(app, views.warnings_panel)
