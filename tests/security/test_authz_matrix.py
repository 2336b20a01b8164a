"""The authorization matrix: every rule of the app's URL map, every method, called as anonymous and as each
role — from the owning agency and from another agency — and each answer checked against ONE declared table.

A rule that nobody declared fails `test_every_endpoint_is_declared` with its name: a new endpoint must say
who may call it. URL parameters are filled with real objects of agency A (a major case decided, served and
published, with a step, documents, a recording and its export, a review submission, a catalogue, an
officer's certificate, a matter, an API token, a resumable upload). Unsafe methods get minimal bodies: the
check is about authorization, so for an allowed caller any answer but 401/403/404 (and never a 5xx) passes,
for a refused caller the answer must be exactly the declared refusal.

Outcomes: ALLOW (anything but 401/403/404), LOGIN (401, or a redirect to the login page), DENY (403), HIDE
(404: the object is invisible to the caller, so its existence is not revealed).
CSRF is switched off for the run (it is tested in tests/auth and tests/web): with it on, every unsafe
session request without a token would be a 400 and the matrix would test nothing.
"""
from __future__ import annotations

import os
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from app.extensions import db
from tests.cases.conftest import officer_user

ALLOW, LOGIN, DENY, HIDE = "allow", "login", "403", "404"
CALLERS = ("anon", "officer", "officer_b", "reviewer", "head", "supervisor", "admin")
#: Refusals first, so that an allowed caller's unsafe request cannot change what a refused one sees.
ORDER = ("anon", "officer_b", "supervisor", "reviewer", "admin", "head", "officer")
LETTERS = {"A": ALLOW, "L": LOGIN, "D": DENY, "H": HIDE}

# --------------------------------------------------------------------------------------------------------
# THE TABLE. Each row is a string of one letter per caller, in this order:
#
#     anon  officer(A, on the case)  officer_b(agency B)  reviewer(A)  head(A)  supervisor(city)  admin(city)
#
# A = allowed (any answer but 401/403/404), L = login required (401 or redirect to /login), D = 403,
# H = 404. Keys are "endpoint" (every method) or "endpoint METHOD".
# --------------------------------------------------------------------------------------------------------
EXPECTED: dict[str, dict[str, str]] = {}


def declare(letters, *endpoints):
    assert len(letters) == len(CALLERS), letters
    outcome = {c: LETTERS[x] for c, x in zip(CALLERS, letters)}
    for e in endpoints:
        assert e not in EXPECTED, f"{e} declared twice"
        EXPECTED[e] = outcome


# Public: the public site, its JSON API, certificate verification, the ledger's public face, login.
declare("AAAAAAA",
        "api-docs.openapi_json", "auth.login", "auth_api.Tokens POST", "ledger.checkpoint",
        "ledger.checkpoint_at", "ledger.checkpoints", "ledger.consistency", "ledger.key",
        "ledger_public_api.api_checkpoint", "ledger_public_api.api_checkpoints",
        "ledger_public_api.api_consistency", "ledger_public_api.api_key", "officers_public.directory",
        "officers_public.directory_json", "officers_public.qr_png", "officers_public.qr_svg_file",
        "officers_public.verify", "officers_public.verify_json", "publicity_public.agencies",
        "publicity_public.api_agencies", "publicity_public.api_decision", "publicity_public.api_decisions",
        "publicity_public.api_index", "publicity_public.api_inspections", "publicity_public.api_powers",
        "publicity_public.api_statistics", "publicity_public.api_withdrawals", "publicity_public.av_steps",
        "publicity_public.decision", "publicity_public.decision_pdf", "publicity_public.decisions",
        "publicity_public.feed", "publicity_public.home", "publicity_public.inspections",
        "publicity_public.ledger", "publicity_public.major_decisions", "publicity_public.power",
        "publicity_public.powers", "publicity_public.procedures", "publicity_public.statistics",
        "publicity_public.withdrawals", "recordings_api.tus_options", "web.healthz",
)
declare("AAAAAAA", "ledger.keys_text", "ledger_public_api.api_keys")  # ledger key history (issue 18)
declare("AAAAAAA", "docsign.certificates", "docsign.certificate_pem")  # agencies' document certificates (issue 18)
# public proof bundles (of public.* entries only; seq 0 in the matrix world is internal: hidden) and the
# in-browser verification page
declare("HHHHHHH", "ledger.public_proof")
declare("AAAAAAA", "ledger.verify_page", "ledger.tile")  # C2SP tlog-tiles: hash tiles are public
declare("LDDDDAA", "ledger.tile_entries")  # entry bundles hold whole entries

# A case and what hangs on it (documents, steps, recordings, review, publication): the agency's staff,
# supervisors and admins read; another agency's officer does not learn it exists. HTML forms that refuse
# by flash-and-redirect (cases.act, recordings.decide_export...) answer 302 to everybody: their refusals
# are tested per feature (tests/*/test_permissions.py).
declare("LAHAAAA",
        "cases.act", "cases.add_party", "cases.detail", "cases.document", "cases.justify_step", "cases.save_draft",
        "cases_api.CaseAction", "cases_api.CaseDeadlines", "cases_api.CaseDocumentFile", "cases_api.CaseDocuments",
        "cases_api.CaseEvents", "cases_api.CaseItem", "cases_api.CaseSteps GET", "matters_api.MatterItem GET",
        "publicity.detail", "publicity_api.PublicationResource GET", "recordings.bundle_json",
        "recordings.case_recordings", "recordings.custody_pdf", "recordings.decide_export", "recordings.detail",
        "recordings.link", "recordings.media", "recordings.play", "recordings.request_export",
        "recordings.step_recordings", "recordings_api.bundle", "recordings_api.recording", "review.act",
        "review.conflict", "review.detail", "review.opinion_pdf", "review.submit GET", "review_api.CaseMajor",
        "review_api.CaseReviews GET", "review_api.OpinionPdf", "review_api.Submission",
)

# Any logged-in user: lists and pages already limited to what the user may see, own tokens.
declare("LAAAAAA",
        "auth.tokens", "auth_api.Me", "auth_api.Tokens GET", "cases.index", "cases.matters",
        "cases.matters_template", "cases_api.Cases GET", "cases_api.Deadlines", "matters_api.Matters GET",
        "publicity.index", "publicity_api.Publications", "recordings.exports", "review.catalogues",
        "review_api.Catalogues GET", "web.home",
)

# Supervisors and admins only: officers and certificates, ledger proof bundles.
declare("LDDDAAA",
        "officers.detail", "officers.export", "officers.index", "officers_api.CertificateItem",
        "officers_api.Certificates", "officers_api.Export", "officers_api.Kpi", "officers_api.OfficerCheck",
        "officers_api.OfficerItem GET", "officers_api.Officers GET", "officers_api.TeamCheck", "review.stats",
        "review_api.Stats",
)

# Officer administration read by heads (their own agency), supervisors and admins.
declare("LDDDDAA",
        "ledger_api.entry_bundle", "officers.act", "officers.card", "officers.edit", "officers.import_sheet",
        "officers.issue", "officers.new", "officers_api.CertificateEvents", "officers_api.Import",
        "officers_api.OfficerCertificates", "officers_api.OfficerItem PATCH", "officers_api.Officers POST",
)

# The case's own officers only: steps, draft, uploads, parties.
declare("LAHDDDD",
        "cases.complete_step", "cases.new_step", "cases_api.CaseDraft", "cases_api.CaseParties",
        "cases_api.CaseStepComplete", "cases_api.CaseStepJustification", "cases_api.CaseSteps POST",
        "recordings_api.link", "recordings_api.tus_create", "recordings_api.upload_single",
)

# Publication editing and export download by the requester: nobody else (officer refused here: not the requester / not pending).
declare("LDHDDDD",
        "publicity.approve", "publicity.decline", "publicity.save_edits", "publicity.submit",
        "publicity_api.Approve", "publicity_api.Decline", "publicity_api.PublicationResource PATCH",
        "publicity_api.Submit", "recordings.download_export",
)

# Issue 13: the 备案 of an on-the-spot decision (the case's officers or the head) and the follow-up check of
# the order to correct (the case's officers).
declare("LAHDADD", "cases_api.CaseOnSpotFiling", "cases_decision.on_spot_filing")
declare("LAHDDDD", "cases_api.CaseCorrectionChecks", "cases_decision.correction_check")

# The agency head only: approvals, flags, extensions, withdrawals, export decisions.
declare("LDHDADD",
        "cases.approve_av", "cases_api.CaseExtensions", "cases_api.CaseFlags",
        "cases_api.CaseStepJustificationApproval", "publicity.withdraw", "recordings_api.decide_export",
        "review_api.Extension",
)

# The assigned reviewer only: the review itself.
declare("LDHADDD",
        "review_api.Approve", "review_api.CaseConflict", "review_api.Checklist", "review_api.Return",
        "review_api.ReturnIncomplete", "review_api.SupplementRequest", "review_api.Take",
)

# The case's officers and the head: submissions, withdrawal requests, team changes.
declare("LAHDADD",
        "cases_api.CaseOfficers", "publicity.request_withdrawal", "publicity_api.Withdraw", "review.submit POST",
        "review_api.CaseReviews POST", "review_api.Supplement",
)

# Owner only (own API token, own resumable upload): everyone else sees 404.
declare("LAHHHHH",
        "auth.revoke", "auth_api.TokenItem", "recordings.cancel_upload", "recordings_api.tus_delete",
        "recordings_api.tus_patch", "recordings_api.tus_upload",
)

# Head or admin: power list authoring.
declare("LDDDADA",
        "cases.import_matters GET", "cases.new_matter", "matters_api.Matters POST", "review_api.Catalogues POST",
)

# Head only, no object in the URL.
declare("LDDDADD",
        "cases.extend", "cases.import_matters POST", "cases.set_flags",
)

# Head of the agency or an admin: publishing a matter or a catalogue.
declare("LDHDADA",
        "matters_api.MatterItem PATCH", "matters_api.MatterPublish", "review_api.CataloguePublish",
)

# Officers of any agency: opening a new case (in their own agency).
declare("LAADDDD",
        "cases.new", "cases_api.Cases POST",
)

# Head or admin; others get 404 for the matter version.
declare("LHHHAHA",
        "cases.publish_matter", "cases.revise_matter",
)

# No object to serve (no photo uploaded; annual report not generated).
declare("HHHHHHH",
        "officers_public.verify_photo", "publicity_public.annual_report",
)

# No thumbnail yet (derivative jobs off); recordings list without case_id filter.
declare("LHHHHHH",
        "recordings.thumbnail", "recordings_api.list_recordings",
)

# Publishing the annual statistics report: a supervisor's act (SEC-12), never an anonymous download.
declare("LDDDDAD",
        "publicity.publish_annual_report", "publicity_api.AnnualReports",
)

# Review queue: reviewers, heads, supervisors, admins.
declare("LDDAAAA",
        "review.queue", "review_api.Queue",
)

# Verifiable draws (SPEC §13): public, anyone may recompute them.
declare("AAAAAAA",
        "draws_public.index", "draws_public.detail", "draws_public.bundle_json",
)

# Holiday calendar (SPEC §16): everyone logged in reads it; supervisors and admins import.
declare("LAAAAAA",
        "calendar.index GET", "calendar_api.Calendars GET", "calendar_api.CalendarYear",
)
declare("LDDDDAA",
        "calendar.index POST", "calendar_api.Calendars POST",
)

# The execution phase (SPEC §11): the case's staff read it; the case's officers record payments, plans and
# statements; the head decides a plan (the world has none: 404 for the head, 403 for the others).
declare("LAHAAAA",
        "cases_api.CaseExecution",
)
declare("LAHDDDD",
        "cases_api.CasePayments", "cases_api.CasePaymentPlans", "cases_api.CaseReminderStatements",
        "cases.record_payment", "cases.apply_for_plan", "cases.record_statement",
)
declare("LDHDHDD",
        "cases_api.CasePaymentPlanDecision", "cases.decide_plan",
)
# Coercive measures (issue 15): read with the case; requested, taken, released by the case's officers;
# approved, ratified and extended by the head; the supervisor view for any logged-in user (limited to
# what each may see). The HTML action form refuses by flash-and-redirect (tests/inspections).
declare("LAHAAAA",
        "inspections_api.case_measures", "inspections_api.measure", "inspections.measure_page",
        "inspections.new_measure GET", "inspections.act",
)
declare("LAHDDDD",
        "inspections_api.request_measure", "inspections_api.take", "inspections_api.report",
        "inspections_api.complete", "inspections_api.testing", "inspections_api.release",
        "inspections_api.convert", "inspections.new_measure POST",
)
declare("LDHDADD",
        "inspections_api.decide", "inspections_api.extend",
)
declare("LAAAAAA",
        "inspections_api.overview", "inspections.overview",
)
# Photos of a measure's items: uploaded by the case's officers (the page refuses by flash-and-redirect),
# read with the case.
declare("LAHDDDD", "inspections_api.add_photo")
declare("LAHAAAA", "inspections.upload_photo", "inspections.photo")

# Inspections and 双随机 (issue 15): officers record inspections in their own agency; the inspectors
# conclude, follow up, file a case; the head (or an inspector) publishes; registers and draws are the head's.
declare("LAADDDD",
        "inspections_checks_api.record",
)
declare("LAHAAAA",
        "inspections_checks_api.inspection", "inspections_checks_api.round_detail",
)
declare("LAHDDDD",
        "inspections_checks_api.conclude", "inspections_checks_api.follow_up", "inspections_checks_api.file_case",
)
declare("LAHDADD",
        "inspections_checks_api.publish",
)
declare("LDDDADD",
        "inspections_checks_api.import_targets", "inspections_checks_api.add_inspector",
        "inspections_checks_api.draw_round",
)
declare("LDHDADD",
        "inspections_checks_api.redraw",
)
declare("LAHAAAA",
        "inspections_checks.detail", "inspections_checks.act",
)
declare("LAAAAAA",
        "inspections_checks.index", "inspections_checks.new GET",
)
declare("LAADDDD",
        "inspections_checks.new POST",
)
# 双随机 staff pages: the registers and rounds are read by the agency's staff and supervisors (each sees
# its own agency's), imported, filled and drawn by the head; a round of another agency is hidden; redraw and
# publication refuse by flash-and-redirect (tests/inspections/test_random_pages.py).
declare("LAAAAAA",
        "inspections_random.index", "inspections_random.targets", "inspections_random.inspectors",
)
declare("LDDDADD",
        "inspections_random.import_targets", "inspections_random.add_inspector", "inspections_random.new_round",
)
declare("LAHAAAA",
        "inspections_random.round_page", "inspections_random.redraw", "inspections_random.publish",
)
declare("AAAAAAA",
        "inspections_public.results", "inspections_public.results_json", "inspections_public.rounds",
        "inspections_public.round_page", "inspections_public.round_json",
)

# Logout: back to the login page.
declare("LLLLLLL",
        "auth.logout",
)

# Deadlines: people who carry cases (officers, heads) and supervisors.
declare("LAADAAD",
        "cases.deadlines",
)

# Officer photo: refused to case staff; no photo uploaded (404) for those allowed.
declare("LDDDHHH",
        "officers.photo",
)

# Supervision (issue 16). Overview, complaint lists and warnings: supervisors, city-wide admins, heads (what
# was transferred to them).
declare("LDDDAAA",
        "supervision.index", "supervision.complaint_list", "supervision_api.Complaints GET",
        "supervision_api.ComplaintWarnings",
)

# The hierarchy: supervisors read it; admins and supervisors not confined below the province shape it.
declare("LDDDDAA",
        "supervision.offices", "supervision.office_agencies", "supervision.office_members",
        "supervision_api.Offices", "supervision_api.OfficeAgencies", "supervision_api.OfficeMembers",
)

# Entering letters, calls and visits: supervisors only.
declare("LDDDDAD",
        "supervision.complaint_new", "supervision_api.Complaints POST",
)

# One complaint: supervisors in scope and admins read it; staff of the agency complained about do not learn it
# exists until it is transferred to their head. The HTML action refuses by flash-and-redirect.
declare("LHHHHAA",
        "supervision.complaint_detail", "supervision.complaint_act", "supervision_api.ComplaintItem",
)
declare("LHHHHAD",
        "supervision_api.ComplaintAction",
)

# The public complaint form and status page (no login, CSRF kept, rate-limited); a look-up with a wrong
# reference or secret is a 404.
declare("AAAAAAA",
        "supervision_public.new", "supervision_public.status GET",
)
declare("HHHHHHH",
        "supervision_public.status POST",
)

# Checks, findings, accountability: supervisors in scope only (admins do not act on officers).
declare("LDDDDAD",
        "supervision.check_list", "supervision.accountability_list", "supervision.rectification_list POST",
        "supervision_api.Plans", "supervision_api.Checks", "supervision_api.Findings",
        "supervision_api.Rectifications POST",
)
declare("LHHHHAH",
        "supervision.finding_detail", "supervision.accountability_detail", "supervision_api.FindingAccountability",
        "supervision_api.AccountabilityItem", "supervision_api.AccountabilityAction",
)
# Rectification: the supervisors in scope and the head of the agency notified.
declare("LDDDAAA",
        "supervision.rectification_list GET", "supervision_api.Rectifications GET",
)
declare("LHHHAAH",
        "supervision.rectification_detail", "supervision.rectification_pdf", "supervision.rectification_act",
        "supervision.rectification_attachment", "supervision_api.RectificationItem",
)
declare("LHHHADH",
        "supervision_api.RectificationReportResource",
)
declare("LHHHDAH",
        "supervision_api.RectificationDecision",
)

# 案卷评查: supervisors only (the matrix supervisor sees every agency); the bulletin is not published yet.
declare("LDDDDAD",
        "supervision.rounds", "supervision.round_detail", "supervision.round_act", "supervision.file_sheet",
        "supervision_api.Rounds", "supervision_api.RoundItem", "supervision_api.RoundAction",
        "supervision_api.FileSheet",
)
declare("LDDDDHD",
        "supervision.round_bulletin",
)
# 评议考核: supervisors only, over the agencies of their scope.
declare("LDDDDAD",
        "supervision.appraisal_page", "supervision.appraisal_xlsx", "supervision.appraisal_pdf",
        "supervision_api.Appraisal",
)

# The caller's own agency scope.
declare("LAAAAAA",
        "supervision_api.Scope",
)

# Export request: the case's officers, reviewer and head; supervisors read-only.
declare("LAHAADD",
        "recordings_api.request_export",
)

# Personal data (issue 23): the explicit "show" with a purpose, for anyone who may read the case.
declare("LAHAAAA",
        "cases.reveal_personal", "cases_api.PartyDisclosure", "cases_api.StepDisclosure",
)

# The purposes a "show" may state: any logged-in user.
declare("LAAAAAA",
        "cases_api.DisclosurePurposes",
)

# The access log of personal data: supervisors, city-wide admins, and heads (their own staff's accesses).
declare("LDDDAAA",
        "privacy.accesses", "privacy_api.Accesses",
)

# A person's request to know who accessed their data: the supervision office answers it.
declare("LDDDDAA",
        "privacy.person_request", "privacy_api.PersonRequests",
)


# Remedies (复议/诉讼): lists and rates for any staff (limited to what they see); a remedy and its case's
# remedies read by the agency's staff and supervisors; recorded by the agency's officers, reviewers and
# head (supervisors read-only).
declare("LAAAAAA",
        "remedies.index", "remedies.rates", "remedies_api.Rates", "remedies_api.Remedies",
)
declare("LAHAAAA",
        "remedies.case_remedies GET", "remedies.detail", "remedies.document", "remedies_api.CaseRemedies GET",
        "remedies_api.DocumentFile", "remedies_api.RemedyItem",
)
declare("LAHAADD",
        "remedies.case_remedies POST", "remedies.effective", "remedies.extension", "remedies.hearing",
        "remedies.outcome", "remedies.progress", "remedies.upload", "remedies_api.CaseRemedies POST",
        "remedies_api.Documents", "remedies_api.Effective", "remedies_api.Extension", "remedies_api.Hearings",
        "remedies_api.Outcome", "remedies_api.Progress",
)

# Agencies and entrusted organisations: read by anyone logged in (API), managed by supervisors and admins.
declare("LAAAAAA",
        "agencies_api.Agencies GET", "agencies_api.AgencyItem GET", "agencies_api.EntrustedItem GET",
        "agencies_api.EntrustedList GET",
)
declare("LDDDDAA",
        "agencies.assign", "agencies.edit", "agencies.entrusted", "agencies.index", "agencies.new",
        "agencies.new_entrusted", "agencies.terminate", "agencies_api.Agencies POST", "agencies_api.AgencyItem PATCH",
        "agencies_api.EntrustedItem PATCH", "agencies_api.EntrustedList POST", "agencies_api.EntrustedTerminate",
)

# Training and examinations: read like an officer's record (heads, supervisors, admins), written by supervisors
# and admins.
declare("LDDDAAA",
        "training_api.Trainings GET",
)
declare("LDDDDAA",
        "training.add_examination", "training.add_training", "training.import_trainings",
        "training_api.Examinations", "training_api.TrainingImport", "training_api.Trainings POST",
)

PROBE = os.environ.get("AUTHZ_PROBE")  # set to print the observed table (for writing this one)


def _expected(endpoint, method):
    return EXPECTED.get(f"{endpoint} {method}") or EXPECTED.get(endpoint)


def _rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}) or ["OPTIONS"]:
            yield rule, method


def undeclared(app):
    return sorted({f"{rule.endpoint} {method}" for rule, method in _rules(app)
                   if _expected(rule.endpoint, method) is None})


def test_a_new_endpoint_nobody_declared_is_caught(app_config):
    from app import create_app

    fresh = create_app(app_config)
    fresh.add_url_rule("/cases/<int:case_id>/secret-export", "cases.secret_export", lambda case_id: "x")
    assert undeclared(fresh) == ["cases.secret_export GET"]


def test_every_endpoint_is_declared(app):
    missing = undeclared(app)
    assert not missing or PROBE, "endpoints nobody declared in the authorization matrix:\n" + "\n".join(missing)
    stale = sorted(k for k in EXPECTED
                   if k.split(" ")[0] not in {r.endpoint for r in app.url_map.iter_rules()})
    assert not stale, f"declared endpoints that no longer exist: {stale}"


# --- the world the matrix runs in -----------------------------------------------------------------------

@pytest.fixture
def world(app, make_agency, major_case, approve_case, make_reviewer, head_of, make_officer, make_user,
          media_files, recent):
    """Agency A's objects (ids by URL parameter name) and one user per caller class."""
    from app.auth.services import issue_token
    from app.ledger.services import create_checkpoint
    from cases import services as case_services
    from publicity import services as pub_services
    from publicity.models import Publication
    from recordings import services as rec_services
    from review import services as review_services

    saved_jobs = app.config.get("RECORDING_JOBS")
    app.config["RECORDING_JOBS"] = "off"
    with app.app_context():
        case = major_case("notified")
        agency_id = case.agency_id
        reviewer = make_reviewer(agency_id)
        head = head_of(agency_id)
        officer = officer_user(case)
        submission = approve_case(case, reviewer)
        case = db.session.merge(case)
        case_services.apply_action(case, "decide", actor=head)
        step = case.steps[0]
        # A recording of the inspection, through the same code as an upload.
        with open(media_files.video, "rb") as fh:
            case_, step_, meta = rec_services.prepare(case.id, {
                "device_id": "DSJ-0001", "filename": "bodycam.mp4", "content_type": "video/mp4",
                "started_at": (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()},
                actor=officer)
            recording = rec_services.ingest(fh, case=case_, step=None, meta=meta, actor=officer)
        export = rec_services.request_export(recording, "行政复议答复", actor=officer)
        case_services.apply_action(case, "serve_decision", actor=officer,
                                   data={"method": "direct", "served_on": recent.today.isoformat()})
        pub = db.session.scalar(db.select(Publication).where(Publication.case_id == case.id))
        pub_services.submit(pub, actor=officer)
        pub_services.approve(pub, actor=head)
        catalogue = review_services.create_catalogue(case.agency, title="重大执法决定目录",
                                                     items=[{"kind": "amount", "fine_at_least": 50000}],
                                                     actor=head)
        bystander = make_officer(agency_id, name="旁观者")  # a certificate nobody's case depends on
        _, token = issue_token(officer, "matrix")
        document = case.documents[0]
        from app.draws.services import perform_draw

        from inspections import measures as coercive

        measure = coercive.request_measure(case, {
            "kind": "seize", "reason": "涉嫌违法经营", "basis": "《中华人民共和国行政强制法》第二十二条",
            "items": [{"name": "冷冻肉品", "quantity": 10, "unit": "箱"}]}, actor=officer)
        coercive.add_item_photo(measure, measure.items[0].id, filename="matrix.png",
                                data=b"\x89PNG\r\n\x1a\nmatrix", actor=officer)
        from datetime import date as _date

        from inspections import checks as insp_checks, random_checks
        from publicity.models import InspectionItem

        insp = insp_checks.record_inspection(agency_id, {
            "kind": "adhoc", "basis": "日常巡查", "target_name": "临江市某某商店", "place": "建国街",
            "started_at": (datetime.now(timezone.utc) - timedelta(hours=2)).isoformat(),
            "ended_at": (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat(),
            "officer_ids": [co.officer_id for co in case.officers], "findings": "无"}, actor=officer)
        item = InspectionItem(agency_id=agency_id, category=case.category, name="市容检查", targets="沿街商户",
                              basis="条例", method="现场检查", ratio="5%", published_on=_date(2025, 1, 2))
        db.session.add(item)
        db.session.flush()
        random_checks.import_targets(agency_id, [{"code": f"M-{n}", "name": f"商户{n}", "kind": "单位",
                                                  "category": case.category, "area_code": case.area_code}
                                                 for n in range(3)], actor=head)
        for co in case.officers:
            random_checks.register_inspector(agency_id, co.officer_id, actor=head)
        random_round = random_checks.draw_round(agency_id, {"item_id": item.id, "target_count": 1,
                                                   "area_code": case.area_code}, actor=head)
        draw = perform_draw("矩阵测试抽取", ["A-1", "A-2", "A-3"], 1, subject="matrix", agency_id=agency_id)
        from supervision.services import complaints as sup_complaints, hierarchy as sup_hierarchy

        office = sup_hierarchy.create_office(name="吉林省司法厅", level="province", region_code="220000")
        complaint = sup_complaints.submit({"agency_id": agency_id, "subject": "未出示证件", "content": "矩阵"}).complaint
        from remedies import services as remedy_services

        remedy = remedy_services.file_remedy(case, {"kind": "lawsuit", "body": "临江市人民法院",
                                                    "applied_on": case.decided_on.isoformat()}, actor=officer)
        remedy_doc = remedy_services.add_document(remedy, title="起诉状", filename="complaint.pdf",
                                                  data=b"%PDF-1.4 matrix", actor=officer)
        from app.agencies import services as agency_services

        org = agency_services.create_entrusted({
            "name": "矩阵镇综合执法队", "entrusting_agency_id": agency_id,
            "matter_codes": [case.matter_version.matter.code], "legal_basis": "委托依据",
            "starts_on": "2025-01-01", "ends_on": "2099-12-31"}, actor=None)
        from supervision.services import accountability as sup_acc, checks as sup_checks, rectification as sup_rect

        finding = sup_checks.add_finding(agency=case.agency, text_="未出示执法证件", officer_id=bystander.id)
        decision = sup_acc.open_decision(finding, measure="criticism", reason="矩阵")
        rect = sup_rect.issue(agency=case.agency, findings=["矩阵问题"])
        report = sup_rect.submit_report(rect, text_="已整改", files=[("a.pdf", "application/pdf", b"%PDF-1.4")])
        checkpoint = create_checkpoint()
        db.session.commit()
        from app.validators import make_credit_code
        from supervision.models.evaluation import EvaluationFile
        from supervision.services import evaluation as sup_eval

        evaluators = [make_user(roles=("supervisor",)), make_user(roles=("supervisor",))]
        rnd = sup_eval.create_round(title="矩阵评查", period_from=recent.today, period_to=recent.today,
                                    agency_ids=[agency_id], evaluator_ids=evaluators)
        eval_file = EvaluationFile(round=rnd, agency_id=agency_id, case_id=case.id, draw_id=draw.id,
                                   checkpoint_size=draw.checkpoint_size, evaluator1_id=evaluators[0],
                                   evaluator2_id=evaluators[1])
        db.session.add(eval_file)
        db.session.commit()

        ids = {"party_id": case.parties[0].id, "agency_id": agency_id, "credit_code": make_credit_code(org_seq=4321), "case_officer_ids": [co.officer_id for co in case.officers], "case_id": case.id, "step_id": step.id, "document_id": document.id, "recording_id": recording.id,
               "export_id": export.id, "submission_id": submission.id, "pub_id": pub.id,
               "certificate_id": bystander.certificates[0].id, "officer_id": bystander.id,
               "matter_id": case.matter_version.matter_id, "version_id": case.matter_version_id,
               "catalogue_id": catalogue.id, "token_id": token.id, "seq": 0, "tree_size": checkpoint.tree_size,
               "token": bystander.certificates[0].public_token, "year": recent.today.year, "fmt": "json",
               "decision": "approve", "upload_id": "0" * 32, "level": "0", "path": "000.p/1",
               "draw_id": draw.id, "office_id": office.id, "complaint_id": complaint.id,
               "remedy_id": remedy.id, "doc_id": remedy_doc.id, "today": case.decided_on.isoformat(),
               "org_id": org.id,
               "finding_id": finding.id, "decision_id": decision.id, "rect_id": rect.id, "report_id": report.id,
               "index": 0, "round_id": rnd.id, "file_id": eval_file.id, "evaluator_ids": evaluators,
               "plan_id": 2**31 - 1, "measure_id": measure.id, "item_id": measure.items[0].id,
               "inspection_id": insp.id, "random_round_id": random_round.id}

        agency_b = make_agency(name="另一执法局", doc_prefix="另城管")
        officer_b = make_officer(agency_b).user
        users = {"officer": officer.id, "officer_b": officer_b.id, "reviewer": reviewer.id, "head": head.id,
                 "supervisor": make_user(roles=("supervisor",)), "admin": make_user(roles=("admin",))}
    # An open resumable upload of the lead officer (for the tus endpoints).
    client = app.test_client()
    bearer = _bearer(app, users["officer"])
    import base64

    meta = ",".join(f"{k} {base64.b64encode(str(v).encode()).decode()}" for k, v in
                    {"case_id": ids["case_id"], "device_id": "DSJ-0002", "filename": "clip.mp4"}.items())
    resp = client.post("/api/recordings/uploads", headers={**bearer, "Tus-Resumable": "1.0.0",
                                                            "Upload-Length": "1000", "Upload-Metadata": meta})
    if resp.status_code == 201:
        ids["upload_id"] = resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    yield ids, users
    app.config["RECORDING_JOBS"] = saved_jobs


def _bearer(app, user_id):
    from app.auth.models import User
    from app.auth.services import issue_token

    with app.app_context():
        raw, _ = issue_token(db.session.get(User, user_id), "matrix-upload")
        db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


ACTION_ARG = {"inspections.act": "complete", "inspections_checks.act": "publish", "cases.act": "close", "officers.act": "inspect", "review.act": "take",
              "cases_api.CaseAction": "close", "supervision.complaint_act": "accept",
              "supervision_api.ComplaintAction": "accept", "supervision.rectification_act": "report",
              "supervision_api.AccountabilityAction": "statement", "supervision.round_act": "draw",
              "supervision_api.RoundAction": "draw"}


def _tus_meta(**meta):
    import base64

    return ",".join(f"{k} {base64.b64encode(str(v).encode()).decode()}" for k, v in meta.items())


#: Minimal valid bodies where the body is validated before the object is looked up: with an empty body
#: every caller would get the same 422 and the row would test nothing.
BODIES = {
    "cases_api.CaseCorrectionChecks": lambda ids: {"json": {"corrected": True, "result": "复查时已改正"}},
    "cases_decision.correction_check": lambda ids: {"data": {"corrected": "yes", "result": "复查时已改正"}},
    "inspections_api.request_measure": lambda ids: {"json": {"kind": "seize", "reason": "涉嫌违法", "basis": "行政强制法",
                                                              "items": [{"name": "货物", "quantity": 1}]}},
    "inspections_api.decide": lambda ids: {"json": {"approve": True, "note": "同意"}},
    "cases_api.CaseExtensions": lambda ids: {"json": {"days": 30, "reason": "案情复杂"}},
    "cases_api.CaseOfficers": lambda ids: {"json": {"officer_ids": ids["case_officer_ids"]}},
    "cases_api.CaseParties": lambda ids: {"json": {"kind": "org", "name": "临江市某某商贸有限公司",
                                                   "credit_code": ids["credit_code"], "legal_representative": "李四"}},
    "cases_api.CaseStepJustification": lambda ids: {"json": {"text": "执法记录仪故障"}},
    "cases_api.CaseSteps": lambda ids: {"json": {"kind": "inspection", "started_at": "2025-09-17T09:30:00+08:00",
                                                 "place": "临江市建国街", "content": "现场检查"}},
    "cases_api.Cases": lambda ids: {"json": {"matter_version_id": ids["version_id"], "title": "某某占道经营案",
                                             "area_code": "220681"}},
    "matters_api.Matters": lambda ids: {"json": {
        "agency_id": ids["agency_id"], "code": "CG-9001", "name": "擅自设置大型户外广告", "category": "城市管理", "legal_basis": "《城市市容和环境卫生管理条例》第十一条",
        "penalty_basis": "《城市市容和环境卫生管理条例》第三十六条",
        "tiers": [{"name": "一般", "min": 0, "max": 5000, "penalties": ["fine"], "description": "一般情节"}]}},
    "review_api.Catalogues": lambda ids: {"json": {"agency_id": ids["agency_id"], "title": "重大执法决定目录", "items": [{"kind": "amount",
                                                                                   "fine_at_least": 50000}]}},
    "matters_api.MatterItem": lambda ids: {"json": {"name": "占道经营"}},
    "review_api.CaseConflict": lambda ids: {"json": {"note": "与当事人系亲属"}},
    "review_api.Checklist": lambda ids: {"json": {"item": "agency", "result": "pass"}},
    "review_api.Extension": lambda ids: {"json": {"reason": "案情复杂", "working_days": 5}},
    "review_api.ReturnIncomplete": lambda ids: {"json": {"missing": ["证据清单"]}},
    "review_api.SupplementRequest": lambda ids: {"json": {"items": ["询问笔录"]}},
    "review_api.Take": lambda ids: {"json": {"declare_no_conflict": True}},
    "supervision_api.Offices": lambda ids: {"json": {"name": "矩阵省司法厅", "level": "province",
                                                     "region_code": "220000"}},
    "supervision_api.OfficeAgencies": lambda ids: {"json": {"agency_id": ids["agency_id"]}},
    "supervision_api.Rounds": lambda ids: {"json": {"title": "矩阵评查", "period_from": "2025-01-01",
                                                    "period_to": "2025-12-31", "agency_ids": [ids["agency_id"]],
                                                    "evaluator_ids": ids["evaluator_ids"]}},
    "supervision_api.Plans": lambda ids: {"json": {"agency_id": ids["agency_id"], "year": 2026, "title": "矩阵计划",
                                                   "planned_on": "2026-06-01"}},
    "supervision_api.Checks": lambda ids: {"json": {"agency_id": ids["agency_id"], "kind": "spot",
                                                    "checked_on": "2026-06-01", "summary": "矩阵检查"}},
    "supervision_api.Findings": lambda ids: {"json": {"agency_id": ids["agency_id"], "text": "矩阵问题"}},
    "supervision_api.FindingAccountability": lambda ids: {"json": {"measure": "criticism", "reason": "矩阵"}},
    "supervision_api.Rectifications": lambda ids: {"json": {"agency_id": ids["agency_id"], "findings": ["矩阵"]}},
    "supervision_api.RectificationReportResource": lambda ids: {"json": {"text": "已整改"}},
    "supervision_api.RectificationDecision": lambda ids: {"json": {"decision": "returned", "note": "矩阵"}},
    "supervision_api.OfficeMembers": lambda ids: {"json": {"user_id": 1}},
    "supervision_api.Complaints": lambda ids: {"json": {"agency_id": ids["agency_id"], "subject": "乱收费",
                                                        "content": "矩阵", "channel": "call"}},
    "agencies_api.EntrustedTerminate": lambda ids: {"json": {"on": ids["today"], "reason": "机构改革"}},
    "remedies_api.CaseRemedies": lambda ids: {"json": {"kind": "reconsideration", "body": "临江市人民政府",
                                                       "applied_on": ids["today"]}},
    "remedies_api.Extension": lambda ids: {"json": {"on": ids["today"], "reason": "案情复杂"}},
    "remedies_api.Outcome": lambda ids: {"json": {"outcome": "reject_claims", "decided_on": ids["today"]}},
    "remedies_api.Effective": lambda ids: {"json": {"on": ids["today"]}},
    "remedies_api.Hearings": lambda ids: {"json": {"held_on": ids["today"], "representatives": "王局长",
                                                   "head_appeared": True, "head_name": "王局长"}},
    "cases_api.PartyDisclosure": lambda ids: {"json": {"purpose": "supervision", "note": "执法监督检查抽查"}},
    "cases_api.StepDisclosure": lambda ids: {"json": {"purpose": "supervision", "note": "执法监督检查抽查"}},
    "privacy_api.PersonRequests": lambda ids: {"json": {"name": "张三", "note": "查阅请求2026-001"}},
    "publicity_api.Decline": lambda ids: {"json": {"ground": "state_secret", "note": "涉及国家秘密"}},
    "cases_api.CasePayments": lambda ids: {"json": {"amount": "1", "paid_on": ids["today"]}},
    "cases_api.CasePaymentPlans": lambda ids: {"json": {"kind": "deferral", "reason": "经济困难",
                                                        "deferred_until": "2099-01-01"}},
    "cases_api.CasePaymentPlanDecision": lambda ids: {"json": {"approve": False, "note": "理由不成立"}},
    "cases_api.CaseReminderStatements": lambda ids: {"json": {"statement": "无力缴纳", "adopted": False,
                                                              "handling": "理由不成立"}},
    "recordings_api.tus_create": lambda ids: {"headers": {
        "Tus-Resumable": "1.0.0", "Upload-Length": "10",
        "Upload-Metadata": _tus_meta(case_id=ids["case_id"], device_id="DSJ-9", filename="x.mp4")}},
    "recordings_api.tus_patch": lambda ids: {"data": b"x", "headers": {
        "Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}},
    "recordings_api.tus_upload": lambda ids: {"headers": {"Tus-Resumable": "1.0.0"}},
    "recordings_api.tus_delete": lambda ids: {"headers": {"Tus-Resumable": "1.0.0"}},
    "recordings_api.upload_single": lambda ids: {
        "data": b"not a video", "headers": {"Content-Type": "video/mp4"},
        "query_string": {"case_id": ids["case_id"], "device_id": "DSJ-9", "filename": "x.mp4"}},
}


def _url(rule, ids):
    values = {}
    for arg in rule.arguments:
        if arg == "action":
            values[arg] = ACTION_ARG.get(rule.endpoint, "take")
        elif arg in ids:
            values[arg] = ids[arg]
        else:
            raise AssertionError(f"{rule.endpoint}: no value for URL parameter <{arg}>")
    return rule.build(values, append_unknown=False)[1]


def _outcome(resp):
    status = resp.status_code
    if status >= 500:
        return f"5xx({status})"
    if status == 401 or (status in (301, 302, 303) and "/login" in resp.headers.get("Location", "")):
        return LOGIN
    if status == 403:
        return DENY
    if status == 404:
        return HIDE
    return ALLOW


def test_authorization_matrix(app, world, login_as):
    ids, users = world
    csrf_saved = app.config["WTF_CSRF_ENABLED"]
    app.config["WTF_CSRF_ENABLED"] = False
    failures, observed, counts = [], {}, Counter()
    try:
        for rule, method in sorted(_rules(app), key=lambda rm: (rm[0].rule, rm[1])):
            expected = _expected(rule.endpoint, method)
            url = _url(rule, ids)
            for caller in ORDER:
                client = app.test_client()
                if caller != "anon":
                    login_as(client, users[caller])
                kwargs = {}
                if rule.endpoint in BODIES:
                    kwargs = BODIES[rule.endpoint](ids)
                elif method in ("POST", "PUT", "PATCH", "DELETE"):
                    kwargs = {"json": {}} if url.startswith("/api/") else {"data": {}}
                try:
                    resp = client.open(url, method=method, **kwargs)
                    body = resp.get_data().decode("utf-8", "replace")
                    resp.close()  # a streamed answer keeps its app context (and current user) until closed
                except Exception as exc:  # PROPAGATE_EXCEPTIONS is on in testing
                    failures.append(f"{method} {url} as {caller}: raised {exc!r}"[:400])
                    continue
                got = _outcome(resp)
                counts[caller] += 1

                observed.setdefault(f"{rule.endpoint} {method}", {})[caller] = got
                want = expected.get(caller) if expected else None
                if got.startswith("5xx"):
                    failures.append(f"{method} {url} as {caller}: {resp.status_code} {body[:200]}")
                elif want is not None and got != want:
                    failures.append(f"{method} {url} ({rule.endpoint}) as {caller}: expected {want}, got {got} "
                                    f"({resp.status_code} {body[:120]!r})")
    finally:
        app.config["WTF_CSRF_ENABLED"] = csrf_saved
    if PROBE:
        for key, outcomes in sorted(observed.items()):
            print(f"{key:60s} " + " ".join(f"{c}={outcomes.get(c, 'raised')}" for c in CALLERS))
    print(f"authorization matrix: {len(observed)} (endpoint, method) pairs x {len(CALLERS)} callers = "
          f"{sum(counts.values())} requests")
    assert not failures, f"{len(failures)} answers differ from the declared table:\n" + "\n".join(failures)


# --- reads of every object kind on a case NOT sent to review (issue 23, SPEC §1) ------------------------

#: URL parameters that name a case or something on it; GET rules using only these are the case's reads.
CASE_READ_ARGS = {"case_id", "step_id", "document_id"}


@pytest.fixture
def kept_world(app, major_case, case_at, approve_case, make_reviewer, head_of, make_officer, make_user,
               make_agency):
    """Agency A: case `sent` reviewed by the reviewer; case `kept`, investigated, with steps, documents and
    parties, never sent to review, handled by the same lead officer. One user per matrix caller."""
    with app.app_context():
        sent = major_case("notified")
        agency_id = sent.agency_id
        reviewer = make_reviewer(agency_id)
        approve_case(sent, reviewer)
        from cases.models import Case

        sent = db.session.get(Case, sent.id)
        lead = sent.officers[0].officer
        kept = db.session.get(Case, case_at("investigated", officers=[lead, make_officer(agency_id)]).id)
        assert kept.steps and kept.documents and kept.parties
        ids = {"case_id": kept.id, "step_id": kept.steps[0].id, "document_id": kept.documents[0].id}
        users = {"officer": lead.user_id, "reviewer": reviewer.id, "head": head_of(agency_id).id,
                 "officer_b": make_officer(make_agency(name="另一执法局", doc_prefix="另城管")).user.id,
                 "supervisor": make_user(roles=("supervisor",)), "admin": make_user(roles=("admin",))}
        return ids, users


def test_reads_of_a_case_never_sent_to_review(app, kept_world, login_as):
    """Every GET on a case, its steps and documents (HTML and JSON): each caller gets what the table above
    declares for a case of their agency, except the reviewer, who does not learn that a case never sent to
    review exists (404; J-07). Refused reads are in the personal-data access log."""
    ids, users = kept_world
    failures, checked = [], 0
    for rule, method in sorted(_rules(app), key=lambda rm: (rm[0].rule, rm[1])):
        if method != "GET" or not rule.arguments or not set(rule.arguments) <= CASE_READ_ARGS:
            continue
        if "case_id" not in rule.arguments:
            continue
        expected = _expected(rule.endpoint, method)
        url = _url(rule, ids)
        for caller in CALLERS:
            want = expected[caller]
            if caller == "reviewer" and want == ALLOW:
                want = HIDE
            client = app.test_client()
            if caller != "anon":
                login_as(client, users[caller])
            resp = client.get(url)
            got = _outcome(resp)
            resp.close()
            checked += 1
            if got != want:
                failures.append(f"GET {url} ({rule.endpoint}) as {caller}: expected {want}, got {got} "
                                f"({resp.status_code})")
    assert checked >= 7 * 12, checked  # 14 GET rules on a case, its steps and documents today
    assert not failures, "\n".join(failures)
    from app.privacy.models import PersonalDataAccess

    with app.app_context():
        refused = db.session.scalars(db.select(PersonalDataAccess).where(
            PersonalDataAccess.action == "refused", PersonalDataAccess.user_id == users["reviewer"])).all()
        assert refused and all(r.case_id == ids["case_id"] for r in refused)
