"""Guards: the rules a transition must pass. Each guard returns a list of problems (Chinese, quoting the
rule); an empty list passes. `cases.services.apply_action` runs every guard that the workflow table names
for the transition and refuses with all problems at once.

Other features replace the hooks they own at init time (the dependency points inwards):
`legal_review` (review feature) and `recording` (recordings feature). Until then the legal-review guard
refuses every major case, as the law demands: no major decision without an approved review.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import current_app

from app import calendar
from app.officers.rules import check_team
from cases import rules
from cases.models import (AV_ALWAYS, AV_DEFAULT, AV_SERVICE_METHODS, OFFICER_ACTS, SERIOUS_PENALTIES,
                          CaseStatus, STEP_LABELS, StepKind)
from cases.rules import amount_phrase, amounts


@dataclass
class GuardContext:
    case: object
    on: date  #: the legal date of the act (China time)
    actor: object = None
    data: dict = field(default_factory=dict)  #: the action's input (reason, dates, method...)


GUARDS = {}
HOOKS = {}


def guard(name):
    def decorator(func):
        GUARDS[name] = func
        return func

    return decorator


def run(names, ctx: GuardContext) -> dict[str, list[str]]:
    problems = {}
    for name in names:
        found = GUARDS[name](ctx)
        if found:
            problems[name] = found
    return problems


def setting(name, default):
    return current_app.config.get(name, default)


def closures(case):
    from app.auth.services import closures_of

    return closures_of(case.agency_id)


# --- people and publicity ------------------------------------------------------------------------------

def case_officers(case):
    return [co.officer for co in case.officers]


@guard("officers")
def officers_guard(ctx):
    """SPEC §5: at least two officers passing every certificate rule on the date of the act."""
    case = ctx.case
    team = check_team(case_officers(case), ctx.on, category=case.category, area=case.area_code)
    if team.ok:
        return []
    problems = [f"至少需要两名持有有效执法证件的执法人员（行政处罚法第四十二条），目前符合条件的仅{len(team.passing)}名"]
    return problems + team.reasons()


@guard("publicity")
def publicity_guard(ctx):
    """SPEC §3: a case may be filed only under a matter, and only by officers, public before the filing date.

    An officer's directory entry is built from their certificate, so an officer is public from the day
    a certificate was issued; "before the filing date" means strictly earlier.
    """
    from app.agencies.rules import agency_problems, entrustment_problems

    case, on = ctx.case, ctx.on
    problems = list(agency_problems(case.agency, on))
    if case.entrusted_org is not None:
        problems += entrustment_problems(case.entrusted_org, on, case.matter_version.matter.code)
    version = case.matter_version
    if version.published_on is None or version.published_on >= on:
        when = version.published_on.isoformat() if version.published_on else "未公开"
        problems.append(f"执法事项“{version.name}”（第{version.version}版）须在立案日前事前公开（公开日期：{when}）"
                        "（行政处罚法第三十九条；国办发〔2018〕118号）")
    for officer in case_officers(case):
        issued = [c.issued_on for c in officer.certificates if c.issued_on is not None]
        if not issued or min(issued) >= on:
            problems.append(f"执法人员{officer.name}的信息在立案日前未经事前公开，不得参与办理本案")
    return problems


@guard("has_party")
def has_party_guard(ctx):
    return [] if ctx.case.parties else ["尚未登记当事人"]


@guard("limitation")
def limitation_guard(ctx):
    """APL Art 36: 2 years; 5 years where life, health or financial safety was harmed."""
    case = ctx.case
    if case.violation_on is None:
        return ["请填写违法行为发生（或终了）日期，以判断是否超过追责时效"]
    years = 5 if case.harms_safety else 2
    try:
        limit = case.violation_on.replace(year=case.violation_on.year + years)
    except ValueError:  # 29 February
        limit = case.violation_on.replace(year=case.violation_on.year + years, day=28)
    # The period runs to the day the violation was discovered (发现), not to filing (SPEC §11); a case
    # without a discovery date is measured to the day of the act, the reading least favourable to the agency.
    discovered = case.discovered_on or ctx.on
    if discovered > limit:
        return [f"违法行为发生于{case.violation_on.isoformat()}，{discovered.isoformat()}才被发现，已超过{years}年追责时效"
                f"（至{limit.isoformat()}）（行政处罚法第三十六条），不再给予行政处罚"]
    return []


@guard("reason")
def reason_guard(ctx):
    return [] if (ctx.data.get("reason") or "").strip() else ["请填写理由"]


# --- investigation and decision -------------------------------------------------------------------------

@guard("draft_decision")
def draft_guard(ctx):
    """The draft decision states facts, evidence and basis; a penalty names a discretion tier of the matter
    and a fine within it (below it only with a 减轻 factor); each kind has its own content (SPEC §6, §11)."""
    case = ctx.case
    draft = case.draft or {}
    problems = []
    for key, label in (("facts", "违法事实"), ("evidence", "证据"), ("legal_basis", "法律依据")):
        if rules.decision_kind(draft) == "not_established" and key == "legal_basis":
            continue
        if not (draft.get(key) or "").strip():
            problems.append(f"处罚决定草案缺少“{label}”")
    if rules.is_penalty(draft):
        problems += rules.tier_problems(draft, case.matter_version.tiers)
    return problems + rules.content_problems(draft, summary=case.procedure == "summary")


@guard("order_to_correct")
def order_to_correct_guard(ctx):
    """At the decision (not before): a penalty orders correction at once or by a date (APL Art 28)."""
    return rules.correction_problems(ctx.case.draft)


@guard("matches_notice")
def matches_notice_guard(ctx):
    """APL Art 44, 45, 62: no decision heavier than the advance notice, or on other facts or basis, without
    a new notice and a new defence (and hearing) window."""
    case = ctx.case
    changes = rules.heavier_than_notice(case.noticed, case.draft)
    if not changes:
        return []
    return ["拟作出的决定重于事先告知的内容或者依据的事实、理由不同（" + "；".join(changes) + "），"
            "须重新送达行政处罚事先告知书并给予陈述、申辩（听证）期限（行政处罚法第四十四条、第四十五条、第六十二条）"]


@guard("notice_required")
def notice_required_guard(ctx):
    """APL Art 44: a penalty needs the advance notice first; no penalty, facts not established and a
    transfer to the judicial organs do not."""
    if rules.is_penalty(ctx.case.draft):
        return ["给予行政处罚前，应当送达行政处罚事先告知书（行政处罚法第四十四条）"]
    return []


@guard("decision_deadline")
def decision_deadline_guard(ctx):
    """APL Art 60: decide within 90 days of filing; extension needs the head's approval."""
    case = ctx.case
    if case.decision_due and ctx.on > case.decision_due:
        return [f"已超过作出处罚决定的期限（{case.decision_due.isoformat()}），须经机关负责人批准延长"
                "（行政处罚法第六十条）"]
    return []


@guard("notice_service")
def notice_service_guard(ctx):
    """How the advance notice is served: a known method; electronic service only with the party's signed
    consent (APL Art 61). 公告送达 is accepted; its windows start 30 days later (民事诉讼法 Art 95)."""
    from cases.models import SERVICE_METHODS

    method = ctx.data.get("method") or "direct"
    if method not in SERVICE_METHODS:
        return ["请选择事先告知书的送达方式：" + "、".join(SERVICE_METHODS.values())
                + "（行政处罚法第四十四条、第六十一条）"]
    if method == "electronic" and not all(p.e_service_consent for p in ctx.case.parties):
        return ["采用电子送达须经当事人书面同意（行政处罚法第六十一条）"]
    return []


@guard("defence_window")
def defence_window_guard(ctx):
    """APL Art 44-45: the party is told and may state and defend within the window (default 5 working days)."""
    case = ctx.case
    if case.notice_served_on is None:
        return ["尚未送达行政处罚事先告知书（行政处罚法第四十四条）"]
    if case.defence_waived:
        return []
    days = setting("DEFENCE_WORKING_DAYS", 5)
    # From the day service takes effect: 公告送达 30 days after the announcement (民事诉讼法第九十五条).
    until = calendar.add_working_days(case.notice_start_on, days, closures(case))
    if ctx.on <= until:
        return [f"当事人陈述、申辩期限尚未届满（至{until.isoformat()}），不得作出决定；当事人明确放弃的除外"]
    return []


def hearing_right(case) -> bool:
    """APL Art 63: large fines, confiscation of large amounts or of property of large value (their sum, as
    numbers), licence revocation, suspension, closure..."""
    draft = case.draft or {}
    if (draft.get("decision_kind") or "penalty") != "penalty":
        return False
    penalties = set(draft.get("penalties") or [])
    if penalties & SERIOUS_PENALTIES:
        return True
    total = amounts(draft)["total"]
    org = any(p.kind == "org" for p in case.parties)
    threshold = setting("HEARING_FINE_ORG" if org else "HEARING_FINE_PERSON", 50000 if org else 10000)
    return total is not None and total >= Decimal(threshold)


@guard("hearing_right")
def hearing_right_guard(ctx):
    if hearing_right(ctx.case):
        return []
    return ["本案拟作出的处罚不属于当事人有权要求听证的情形（行政处罚法第六十三条）"]


@guard("hearing_request_window")
def hearing_request_window_guard(ctx):
    case = ctx.case
    days = setting("HEARING_REQUEST_WORKING_DAYS", 5)
    until = calendar.add_working_days(case.notice_start_on, days, closures(case))
    requested = ctx.data.get("requested_on") or ctx.on
    if isinstance(requested, str):  # from JSON or a form, as the effect (services._date) accepts it too
        try:
            requested = date.fromisoformat(requested)
        except ValueError:
            return [f"听证申请日期格式无效：{requested}"]
    if requested > until:
        return [f"当事人应在告知后{days}个工作日内（至{until.isoformat()}）提出听证要求（行政处罚法第六十四条）"]
    return []


@guard("hearing_record")
def hearing_record_guard(ctx):
    """APL Art 64: noticed 7 days ahead, hosted by someone who did not investigate, with a record."""
    case = ctx.case
    steps = [s for s in case.steps if s.kind == StepKind.hearing.value and s.completed_at]
    if not steps:
        return ["尚无已完成的听证笔录"]
    problems = []
    step = steps[-1]
    host = (step.extra or {}).get("host_officer_id")
    investigators = {co.officer_id for co in case.officers}
    if host is None:
        problems.append("听证笔录须记录听证主持人")
    elif host in investigators:
        problems.append("听证由行政机关指定的非本案调查人员主持（行政处罚法第六十四条）")
    noticed = (step.extra or {}).get("noticed_on")
    if noticed:
        noticed = date.fromisoformat(noticed) if isinstance(noticed, str) else noticed
        days = setting("HEARING_NOTICE_WORKING_DAYS", 7)
        earliest = calendar.add_working_days(noticed, days, closures(case))
        from app.timeutil import local

        if local(step.started_at).date() < earliest:
            problems.append(f"听证应在举行{days}个工作日前通知当事人（最早可于{earliest.isoformat()}举行）")
    else:
        problems.append("听证笔录须记录听证通知送达日期")
    return problems


@guard("collective_discussion")
def collective_discussion_guard(ctx):
    """APL Art 57: complex cases and major violations (the serious penalties, and every decision the major
    catalogue names) are decided after collective discussion by the heads, with minutes."""
    case = ctx.case
    draft = case.draft or {}
    serious = bool(set(draft.get("penalties") or []) & SERIOUS_PENALTIES)
    major = is_major(case)[0] if rules.is_penalty(draft) else False
    if not (case.is_complex or serious or major):
        return []
    done = [s for s in case.steps if s.kind == StepKind.discussion.value and s.completed_at]
    if not done:
        why = "情节复杂" if case.is_complex else "属于重大违法行为（重大执法决定）"
        return [f"本案{why}，应当经行政机关负责人集体讨论决定（行政处罚法第五十七条），尚无集体讨论笔录"]
    minutes = done[-1].extra or {}
    missing = [label for key, label in (("attendees", "出席人员"), ("conclusion", "讨论结论"))
               if not minutes.get(key)]
    if missing:
        return ["集体讨论笔录须记载" + "、".join(missing) + "（行政处罚法第五十七条）"]
    return []


def is_major(case) -> tuple[bool, list[str]]:
    """Whether the decision is major (SPEC §6.1), and why. The review feature's catalogue may extend this."""
    hook = HOOKS.get("is_major")
    if hook is not None:
        return hook(case)
    reasons = []
    draft = case.draft or {}
    criteria = case.matter_version.major_criteria or {}
    if case.marked_major:
        reasons.append("机关负责人认定为重大执法决定")
    penalties = set(draft.get("penalties") or [])
    named = penalties & (set(criteria.get("penalties") or []) | SERIOUS_PENALTIES)
    if named:
        from cases.models import PENALTY_KINDS

        reasons.append("拟作出" + "、".join(PENALTY_KINDS.get(p, p) for p in sorted(named)) + "的处罚")
    threshold = criteria.get("fine_at_least")
    total = amounts(draft)["total"]
    if threshold is not None and total is not None and total >= Decimal(str(threshold)):
        reasons.append(f"{amount_phrase(draft)}，达到{threshold}元的重大标准")
    if case.hearing_on or any(s.kind == StepKind.hearing.value and s.completed_at for s in case.steps):
        reasons.append("经过听证程序")
    return bool(reasons), reasons


@guard("legal_review")
def legal_review_guard(ctx):
    """SPEC §6.1: no major decision without an approved legal review of this very draft."""
    major, reasons = is_major(ctx.case)
    if not major:
        return []
    hook = HOOKS.get("legal_review")
    if hook is None:
        return ["本案属于重大执法决定（" + "；".join(reasons) + "），未经法制审核或者审核未通过的，不得作出决定"
                "（行政处罚法第五十八条）"]
    return hook(ctx, reasons)


@guard("summary_limits")
def summary_limits_guard(ctx):
    """APL Art 51: on the spot only for a warning or fines ≤ 200 yuan (person) / ≤ 3,000 yuan (org)."""
    case = ctx.case
    draft = case.draft or {}
    problems = []
    if "summary" not in (case.matter_version.procedures or []):
        problems.append("该执法事项不适用简易程序")
    penalties = set(draft.get("penalties") or [])
    if penalties - {"warning", "fine"}:
        problems.append("简易程序只能当场作出警告或者罚款决定（行政处罚法第五十一条）")
    fine = draft.get("fine")
    if fine not in (None, ""):
        org = any(p.kind == "org" for p in case.parties)
        limit = Decimal(setting("SUMMARY_FINE_ORG" if org else "SUMMARY_FINE_PERSON", 3000 if org else 200))
        if Decimal(str(fine)) > limit:
            who = "法人或者其他组织" if org else "公民"
            problems.append(f"对{who}当场罚款不得超过{limit}元（行政处罚法第五十一条），应适用普通程序")
    return problems


@guard("transfer_receipt")
def transfer_receipt_guard(ctx):
    """A transfer to the judicial organs is recorded with the receiving organ's receipt (回执) (国务院
    《行政执法机关移送涉嫌犯罪案件的规定》第八条)."""
    if rules.decision_kind(ctx.case.draft) != "transfer":
        return []
    missing = [label for key, label in (("receipt_number", "回执编号"), ("received_on", "接收日期"))
               if not str(ctx.data.get(key) or "").strip()]
    if missing:
        return ["移送司法机关须登记接收机关的回执（" + "、".join(missing) + "）"
                "（《行政执法机关移送涉嫌犯罪案件的规定》第八条）"]
    return []


@guard("on_spot_record")
def on_spot_record_guard(ctx):
    """APL Art 52, 55: an on-the-spot decision states the place of the violation and that the officers
    showed their certificates (who showed which)."""
    case, data = ctx.case, ctx.data
    problems = []
    if not ((data.get("place") or case.place or "").strip()):
        problems.append("当场处罚决定书须载明违法行为的地点（行政处罚法第五十二条）")
    shown = data.get("certificate_shown_ids")
    if shown is not None:
        unshown = [co.officer.name for co in case.officers if co.officer_id not in {int(i) for i in shown}]
        if unshown:
            problems.append(f"{'、'.join(unshown)}未出示执法证件：当场作出行政处罚决定，执法人员应当向当事人出示执法证件"
                            "（行政处罚法第五十二条、第五十五条）")
    return problems


@guard("steps_complete")
def steps_complete_guard(ctx):
    open_steps = [s for s in ctx.case.steps if s.completed_at is None]
    return [f"执法环节“{s.label}”（{s.started_at:%Y-%m-%d}）尚未完成" for s in open_steps]


# --- after the decision --------------------------------------------------------------------------------

@guard("service")
def service_guard(ctx):
    """APL Art 61: on the spot or within 7 working days; electronic only with the party's consent."""
    case, data = ctx.case, ctx.data
    method = data.get("method")
    from cases.models import SERVICE_METHODS

    problems = []
    if method not in SERVICE_METHODS:
        problems.append("请选择送达方式（" + "、".join(SERVICE_METHODS.values()) + "）")
    if method == "electronic" and not all(p.e_service_consent for p in case.parties):
        problems.append("采用电子送达须经当事人书面同意（行政处罚法第六十一条）")
    # The agency's own period: local closures never lengthen it (SPEC §11 settled readings).
    due = calendar.add_working_days(case.decided_on, setting("SERVICE_WORKING_DAYS", 7))
    if ctx.on > due and not (data.get("late_reason") or "").strip():
        problems.append(f"决定书应在{due.isoformat()}前送达（行政处罚法第六十一条，7个工作日），逾期送达须说明理由")
    return problems


# "execution", "reminder", "court_application", "suspension_ground", "termination_ground" and "closing"
# are in cases.execution_guards (the execution phase, SPEC §11).


@guard("measures_ended")
def measures_ended_guard(ctx):
    """A case with a coercive measure still in force may not be closed or terminated: within its term the
    measure ends in confiscation by the decision or in release (AEL Art 27-28). The inspections feature
    registers `HOOKS["open_measures"]` (case -> problems); without it there are no measures."""
    hook = HOOKS.get("open_measures")
    return hook(ctx.case) if hook is not None else []


@guard("archive_complete")
def archive_guard(ctx):
    problems = steps_complete_guard(ctx)
    if not any(d.kind in ("decision", "on_spot_decision") for d in ctx.case.documents):
        problems.append("案卷缺少处罚决定书")
    return problems


# --- steps -----------------------------------------------------------------------------------------------

def step_needs_av(case, kind, extra=None) -> bool:
    kind = StepKind(kind)
    if kind in AV_ALWAYS or kind in AV_DEFAULT:
        return True
    if kind == StepKind.service and (extra or {}).get("method") in AV_SERVICE_METHODS:
        return True
    return kind.value in (case.matter_version.av_steps or [])


def recording_problems(step) -> list[str]:
    """SPEC §4.2: a step needing audio/video completes only with a recording or an approved justification."""
    if not step.needs_av:
        return []
    if step.av_justification and step.av_justification_approved_by_id:
        return []
    hook = HOOKS.get("recording")
    result = hook(step) if hook is not None else False
    if isinstance(result, list):  # a hook may say precisely why (e.g. the recordings do not cover the step)
        return result
    if result:
        return []
    return [f"“{step.label}”须全程音像记录（执法全过程记录制度）：请关联音像记录，或提交经机关负责人批准的书面说明"]


def step_officer_problems(case, kind, officers, on) -> list[str]:
    if StepKind(kind) not in OFFICER_ACTS:
        return []
    team = check_team(officers, on, category=case.category, area=case.area_code)
    if team.ok:
        return []
    return ([f"“{STEP_LABELS[StepKind(kind)]}”须由两名以上持有有效执法证件的执法人员实施（行政处罚法第四十二条；"
             f"行政强制法第十八条），目前符合条件的仅{len(team.passing)}名"] + team.reasons())


def is_open(case) -> bool:
    from cases.workflow import OPEN_STATUSES

    return CaseStatus(case.status) in OPEN_STATUSES


# The execution phase's guards register themselves here (they import this module's `guard`).
from cases import execution_guards  # noqa: E402,F401
