"""Demo legal review: each agency's published major-decision catalogue; the demo's major case waiting for
review submitted and queued for its agency's reviewer; one approved review on another major case, if the
cases demo has one. Dates are relative to the day the demo is loaded."""
from __future__ import annotations

import logging
from datetime import timedelta

from app.errors import DomainError
from app.extensions import db
from app.timeutil import today_china
from app.web.demo import register_demo

log = logging.getLogger(__name__)

#: Per agency: the catalogue's large-amount threshold for its categories (临江市's published figures).
THRESHOLDS = {"cg": 20000, "sj": 50000, "zr": 100000, "jt": 30000}
#: Lines naming a whole enforcement category, where the agency published one (a category that covers all
#: of an agency's cases would make every decision major, so only the narrower ones are listed).
SPECIAL = {"cg": {"kind": "category", "category": "生态环境",
                  "label": "生态环境领域责令停产整治、按日连续处罚的案件"}}


def catalogue_items(key):
    items = [
        {"kind": "amount", "fine_at_least": THRESHOLDS[key],
         "label": f"对公民、法人或者其他组织处以{THRESHOLDS[key]}元以上罚款"},
        {"kind": "penalty", "penalties": ["revoke_licence", "suspend_licence", "lower_qualification"],
         "label": "暂扣、吊销许可证件，降低资质等级"},
        {"kind": "penalty", "penalties": ["suspend_business", "close", "limit_production"],
         "label": "责令停产停业、责令关闭、限制开展生产经营活动"},
        {"kind": "hearing", "label": "经过听证程序作出行政执法决定的"},
        {"kind": "public_interest", "label": "涉及重大公共利益，可能造成重大社会影响或者引发社会风险的"},
        {"kind": "complex", "label": "案件情况疑难复杂、涉及多个法律关系的"},
    ]
    return items + ([SPECIAL[key]] if key in SPECIAL else [])


@register_demo(40)
def load_review(ctx):
    from review import services

    today = today_china()
    agencies, users = ctx["agencies"], ctx.get("users", {})
    catalogues = ctx.setdefault("major_catalogues", {})
    heads = {"cg": "cg_chenjz", "sj": "sj_fengguo", "zr": "zr_luozh", "jt": "jt_songwei"}
    for key, agency in agencies.items():
        catalogue = services.create_catalogue(
            agency, title=f"{agency.name}重大执法决定法制审核目录", items=catalogue_items(key),
            actor=users.get(heads.get(key)))
        services.publish_catalogue(catalogue, on=today - timedelta(days=200), actor=users.get(heads.get(key)))
        catalogues[key] = catalogue

    reviewers = {"cg": "cg_zhaomin", "sj": "sj_zhenglin", "zr": "zr_heping", "jt": "jt_tangli"}
    submitted = _demo_submissions(ctx, services, today)
    ctx["review_submissions"] = submitted
    # ctx["cases"]["major"] is the cases demo's "major case waiting for review": it stays in the queue.
    approved = next((s for key, s in submitted.items() if key != "major"), None)
    if approved is not None:
        reviewer = users.get(reviewers.get(_agency_key(ctx, approved.agency_id)))
        _approve(services, approved, reviewer, today)


def _agency_key(ctx, agency_id):
    return next((k for k, a in ctx["agencies"].items() if a.id == agency_id), None)


def _demo_submissions(ctx, services, today):
    """Submit every major case of the cases demo that waits for review (none if the cases demo has none)."""
    out = {}
    cases = ctx.get("cases") or {}
    for key, case in cases.items():
        if case.status not in {s.value for s in services.SUBMITTABLE} or case.draft_sha256 is None:
            continue
        major, _ = services.evaluate_major(case, today)
        if not major:
            continue
        actor = next((co.officer.user for co in case.officers if co.officer.user is not None), None)
        if actor is None:
            continue
        try:
            with db.session.begin_nested():
                submission = services.submit_for_review(case, {"notes": "案件调查终结，提请法制审核"}, actor=actor,
                                                        on=today - timedelta(days=2))
        except DomainError as err:
            log.warning("demo: case %s not submitted for review: %s", key, err.message)
            continue
        out[key] = submission
    return out


def _approve(services, submission, reviewer, today):
    """Take, check every item and approve one submission (skipped, with a log line, if a rule refuses)."""
    if reviewer is None:
        return
    try:
        with db.session.begin_nested():
            services.take_review(submission, actor=reviewer, declare_no_conflict=True, on=today - timedelta(days=1))
            for item in services.CHECKLIST:
                services.record_checklist(submission, item, "pass", actor=reviewer, on=today)
            services.approve(submission, opinion="经审核，本案事实清楚，证据确凿，适用法律正确，程序合法，裁量适当，同意作出处罚决定。",
                             actor=reviewer, on=today)
    except DomainError as err:
        log.warning("demo: review %s not approved: %s", submission.id, err.message)
