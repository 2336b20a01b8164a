"""Remedies (行政复议, 行政诉讼, SPEC §15): reconsiderations and lawsuits against a case's decision, their
hearings and documents, deadlines and warnings, the effects of an effective outcome on the publication,
the execution and the evidence hold, and the rates per agency and year.

`remedies` stands above `cases`, `recordings` and `publicity`: it calls their services; none imports it.
"""


def init_app(app):
    from app.extensions import api as rest_api
    from app.web.views import add_home_panel, add_nav_item
    from remedies import api, cli, demo, models, views  # noqa: F401 (demo registers its loader)
    from remedies.permissions import can_view_remedies

    app.config.setdefault("REMEDY_WARN_DAYS", 5)
    # Targets for the rates (SPEC §15: the seed city reports 10% / 14% correction and 90% appearance).
    app.config.setdefault("REMEDY_TARGET_RECONSIDERATION_CORRECTION", 0.10)
    app.config.setdefault("REMEDY_TARGET_LAWSUIT_LOSS", 0.14)
    app.config.setdefault("REMEDY_TARGET_HEAD_APPEARANCE", 0.90)
    app.config.setdefault("REMEDY_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)
    app.register_blueprint(views.bp)
    rest_api.register_blueprint(api.blp)
    app.cli.add_command(cli.remedies_cli)
    add_home_panel(app, views.alerts_panel)
    add_nav_item(app, "复议诉讼", "remedies.index", can_view_remedies)
    _install_remedy_periods()
    _install_statistics()


def _install_statistics():
    """The annual statistics (统计年报, SPEC §3) gain reconsiderations, lawsuits and their rates."""
    from publicity import queries as pub_queries
    from remedies.queries import statistics_section

    if statistics_section not in pub_queries.STATISTICS_SECTIONS:
        pub_queries.STATISTICS_SECTIONS.append(statistics_section)
    from app.auth.models import Role
    from cases.visibility import register_case_scope
    from remedies.queries import reviewer_case_clause

    register_case_scope(Role.reviewer, reviewer_case_clause)


def _install_remedy_periods():
    """cases.remedy_periods asks its providers which remedies are pending or ended for a case: execution
    (surcharge, court enforcement) and recordings (evidence hold, SPEC §15) follow (cases never imports us)."""
    from cases import remedy_periods
    from remedies.queries import remedy_periods_of

    remedy_periods.register_provider(remedy_periods_of)
