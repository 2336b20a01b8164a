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
    "REMEDY_RECONSIDERATION_DAYS": 60,  # 行政复议法 Art 20
    "REMEDY_LAWSUIT_MONTHS": 6,  # 行政诉讼法 Art 46
}


def init_app(app):
    from cases import models  # noqa: F401  (tables known to the metadata)

    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    _register_matter_codes()

    from cases import disclosure  # noqa: F401  (the "show" routes on the cases blueprints, before registering)

    for module in ("cases.privacy", "cases.api", "cases.views", "cases.decision_views", "cases.cli", "cases.demo"):
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
