"""Cases: the power list, the enforcement procedure, steps, parties, documents and deadlines."""


#: SPEC's legal periods and *(default)* numbers for the procedure; each is a setting (README).
DEFAULTS = {
    "DECISION_DAYS": 90,  # APL Art 60
    "DECISION_EXTENSION_DAYS": 30,  # SPEC §6 (default)
    "DEFENCE_WORKING_DAYS": 5,  # SPEC §6 (default)
    "HEARING_REQUEST_WORKING_DAYS": 5,  # APL Art 64
    "HEARING_NOTICE_WORKING_DAYS": 7,  # APL Art 64
    "HEARING_FINE_PERSON": 10000,  # 较大数额罚款 (provincial figure; default)
    "HEARING_FINE_ORG": 50000,
    "SUMMARY_FINE_PERSON": 200,  # APL Art 51
    "SUMMARY_FINE_ORG": 3000,
    "SERVICE_WORKING_DAYS": 7,  # APL Art 61
    "SUMMARY_FILING_WORKING_DAYS": 7,
    "PAYMENT_DAYS": 15,  # APL Art 67
    "ANNOUNCEMENT_SERVICE_DAYS": 30,  # 民事诉讼法 Art 95: 公告送达 takes effect 30 days after announcement
    "LATE_SURCHARGE_PERCENT": 3,  # APL Art 72
    "CLOSING_WORKING_DAYS": 15,
    "DEADLINE_WARNING_DAYS": 7,  # 超期预警: warn this many days ahead
    "REMINDER_WORKING_DAYS": 10,  # AEL Art 54, 69: ten (working) days after the 催告 was served
    "COURT_APPLICATION_MONTHS": 3,  # AEL Art 53: within 3 months after the remedy periods ended
    "PAYMENT_PLAN_DECISION_WORKING_DAYS": 10,  # the head decides a deferral/instalment application (default)
    "ON_SPOT_COLLECTION_MAX": 100,  # APL Art 68: cash collected on the spot only up to 100 yuan
}


def init_app(app):
    from cases import execution_guards, execution_models, models  # noqa: F401  (tables, guards registered)
    from cases.deadline_rules import recompute_open_deadlines
    from app.holidays.services import CALENDAR_CHANGED_HOOKS

    if recompute_open_deadlines not in CALENDAR_CHANGED_HOOKS:
        CALENDAR_CHANGED_HOOKS.append(recompute_open_deadlines)

    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    _register_matter_codes()

    from cases import disclosure  # noqa: F401  (the "show" routes on the cases blueprints, before registering)

    # The execution modules add their routes and commands to the cases blueprints and CLI group first.
    for module in ("cases.privacy", "cases.execution_api", "cases.execution_views", "cases.execution_cli",
                   "cases.api", "cases.views", "cases.decision_views", "cases.cli", "cases.demo",
                   "cases.execution_demo", "cases.decision_demo"):
        try:
            mod = __import__(module, fromlist=["init_app"])
        except ModuleNotFoundError as err:
            if err.name != module:
                raise
            continue
        mod.init_app(app)


def _register_matter_codes():
    """Entrusted matters are codes of the entrusting agency's power list: app.agencies asks cases for them."""
    from app.agencies import services as agency_services

    if _matter_codes not in agency_services.MATTER_CODE_PROVIDERS:
        agency_services.MATTER_CODE_PROVIDERS.append(_matter_codes)


def _matter_codes(agency_id):
    from sqlalchemy import select

    from app.extensions import db
    from cases.models import Matter

    return set(db.session.scalars(select(Matter.code).where(Matter.agency_id == agency_id)))
