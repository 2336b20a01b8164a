"""Inspections: coercive measures beside the case (查封, 扣押, 先行登记保存 ...), audio/video coverage of the
steps that must be recorded continuously, inspections (行政检查) and random inspections (双随机一公开).

Stands above `cases` and `recordings` (STYLE.md "When the house grows"): it hooks into them only through
their extension points — `cases.guards.HOOKS["recording"]` (wrapped, see `inspections.coverage`),
`cases.services.AFTER_ACTION_HOOKS` (a confiscating decision), the case panels and the document registry.
Nothing imports `inspections` except `create_app`.
"""

#: SPEC's periods and *(default)* numbers (settings; README).
DEFAULTS = {
    "SEIZURE_TERM_DAYS": 30,  # AEL Art 25
    "SEIZURE_EXTENSION_DAYS": 30,  # AEL Art 25
    "PRESERVATION_WORKING_DAYS": 7,  # APL Art 56
    "EMERGENCY_REPORT_HOURS": 24,  # AEL Art 19
    "AV_COVERAGE_TOLERANCE_SECONDS": 30,  # clock skew between a camera and the record (default)
    "COERCIVE_FREEZE_CATEGORIES": [],  # AEL Art 29: only agencies a law empowers may freeze deposits
    "MEASURE_WARNING_DAYS": 5,  # 超期预警 ahead of a measure's term end (default)
    "MEASURE_PHOTO_MAX_BYTES": 10 * 1024 * 1024,  # one photo of a seized item (default)
    "RANDOM_RESULT_WORKING_DAYS": 20,  # results published within 20 working days (国办发〔2015〕58号; default)
}


def init_app(app):
    from datetime import date

    from cases import guards
    from cases import services as case_services
    from inspections import (api, api_checks, checks_models, cli, coverage, demo, measure_terms,  # noqa: F401
                             models, views, views_checks, views_public, views_random)

    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    coverage.install(guards)
    guards.HOOKS["open_measures"] = measure_terms.open_measures_problems
    from inspections import checks
    from recordings import subjects

    subjects.register("inspection", checks.recording_subject)
    measure_terms.register_documents()
    if measure_terms.on_case_action not in case_services.AFTER_ACTION_HOOKS:
        case_services.AFTER_ACTION_HOOKS.append(measure_terms.on_case_action)

    def as_date(value):
        if value in (None, ""):
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value)[:10])
        except ValueError:
            return None

    app.jinja_env.filters.setdefault("as_date", as_date)
    app.jinja_env.globals["measure_doc"] = measure_terms.document_context
    app.register_blueprint(views.bp)
    from app.extensions import api as rest_api

    rest_api.register_blueprint(api.bp)
    rest_api.register_blueprint(api_checks.bp)
    app.register_blueprint(views_public.bp)
    views_public.docs.register(app)
    app.register_blueprint(views_checks.bp)
    app.register_blueprint(views_random.bp)
    app.cli.add_command(cli.inspections_cli)
    from app.web.views import add_nav_item
    from cases.views import add_case_panel, add_event_labels

    add_event_labels({f"measure_{action}": label for action, label in models.EVENT_LABELS.items()})

    add_nav_item(app, "行政检查", "inspections_checks.index")
    add_nav_item(app, "双随机抽查", "inspections_random.index", views_random.can_open)

    add_case_panel(app, views.case_panel)
