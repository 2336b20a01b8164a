"""Demo remedies: a maintained reconsideration, a revoked decision (its publication owes a withdrawal within 3 working days), a lawsuit
whose hearing the agency head attended, and the reconsideration that altered 陈海涛's on-the-spot fine."""
from datetime import timedelta

from app.timeutil import today_china
from app.web.demo import register_demo


@register_demo(60)
def load_remedies(ctx):
    from remedies import services

    today = today_china()
    cases, users = ctx.get("cases", {}), ctx["users"]
    # The loader is the trusted operator (actor None), like the CLI: the demo cases belong to several agencies.
    head = officer = None

    def filed(case, kind, body, number, actor, days=5):
        applied = min(case.decided_on + timedelta(days=days), today)
        return services.file_remedy(case, {"kind": kind, "body": body, "case_number": number, "applicant": "当事人",
                                           "applied_on": applied, "accepted_on": applied,
                                           "notified_on": applied}, actor=actor, today=today)

    archived, executed, closed, summary = (cases.get(k) for k in ("archived", "executed", "closed", "summary"))
    if archived is not None and archived.decided_on:
        r = filed(archived, "reconsideration", "临江市人民政府", f"临政复〔{today.year}〕3号", officer)
        services.record_progress(r, {"answered_on": min(r.notified_on + timedelta(days=7), today)}, actor=officer,
                                 today=today)
        services.record_outcome(r, outcome="uphold", decided_on=today, note="原处罚决定认定事实清楚，予以维持",
                                actor=officer, today=today)
    if executed is not None and executed.decided_on:
        r = filed(executed, "reconsideration", "临江市人民政府", f"临政复〔{today.year}〕5号", head)
        services.record_outcome(r, outcome="revoke", decided_on=today, note="主要事实不清、证据不足，撤销原处罚决定",
                                actor=head, today=today)
    if closed is not None and closed.decided_on:
        r = filed(closed, "lawsuit", "临江市人民法院", f"（{today.year}）吉0681行初12号", officer)
        services.add_hearing(r, {"held_on": today, "place": "临江市人民法院第二审判庭",
                                 "representatives": "机关负责人、承办执法人员", "head_appeared": True,
                                 "head_name": "机关负责人"}, actor=officer, today=today)
    if summary is not None and summary.decided_on:
        r = filed(summary, "reconsideration", "临江市人民政府", f"临政复〔{today.year}〕2号", head, days=3)
        services.record_outcome(r, outcome="alter", decided_on=min(r.applied_on + timedelta(days=20), today),
                                note="处罚决定变更为警告", actor=head, today=today)
