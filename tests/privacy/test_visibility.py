"""SPEC §1 least privilege, one rule per role: what each role reads of a case and everything on it.

The J-07 finding is the regression: a reviewer reading a case of their own agency that was never sent to
legal review got 200 with the party's full ID number and phone; it must be 404 (its existence is not
revealed), through the JSON API and the web pages alike, and in the lists.
"""
from __future__ import annotations

import pytest

from app.extensions import db
from tests.cases.conftest import officer_user


@pytest.fixture
def two_cases(app, major_case, make_case, approve_case, make_reviewer, head_of, make_officer, make_user,
              make_agency):
    """Agency A: case `sent` (submitted and approved by the reviewer) and case `kept` (never submitted);
    one user per role, plus an officer of A not on either case and an officer of agency B."""
    with app.app_context():
        sent = major_case("notified")
        agency_id = sent.agency_id
        reviewer = make_reviewer(agency_id)
        approve_case(sent, reviewer)
        kept = make_case(agency_id)
        from cases.models import Case

        kept = db.session.get(Case, kept.id)
        users = {
            "officer": officer_user(kept).id,
            "colleague": make_officer(agency_id).user.id,
            "reviewer": reviewer.id,
            "head": head_of(agency_id).id,
            "supervisor": make_user(roles=("supervisor",)),
            "officer_b": make_officer(make_agency(name="另一执法局", doc_prefix="另城管")).user.id,
        }
        ids = {"sent": sent.id, "kept": kept.id, "kept_step": None}
        return ids, users


CASE_READS = ["/api/cases/{id}", "/api/cases/{id}/steps", "/api/cases/{id}/events", "/api/cases/{id}/deadlines",
              "/api/cases/{id}/documents", "/cases/{id}", "/api/reviews/cases/{id}"]


def _get(app, login_as, user_id, url):
    client = app.test_client()
    login_as(client, user_id)
    resp = client.get(url)
    assert resp.status_code < 500, (url, resp.status_code)
    return resp


def test_j07_reviewer_cannot_read_a_case_never_sent_to_review(app, two_cases, login_as):
    ids, users = two_cases
    resp = _get(app, login_as, users["reviewer"], f"/api/cases/{ids['kept']}")
    assert resp.status_code == 404
    body = resp.get_data(as_text=True)
    assert "13904351234" not in body and "张三" not in body
    assert _get(app, login_as, users["reviewer"], f"/cases/{ids['kept']}").status_code == 404
    # The case sent to review stays readable to the agency's reviewer.
    assert _get(app, login_as, users["reviewer"], f"/api/cases/{ids['sent']}").status_code == 200
    assert _get(app, login_as, users["reviewer"], f"/cases/{ids['sent']}").status_code == 200
    # The CLI acting as the reviewer applies the same rule.
    from app.auth.models import User

    with app.app_context():
        username = db.session.get(User, users["reviewer"]).username
    result = app.test_cli_runner().invoke(args=["cases", "action", str(ids["kept"]), "close", "--as", username])
    assert result.exit_code != 0 and "不存在" in result.output, result.output


READS = {"officer": (200, 200), "colleague": (200, 200), "reviewer": (200, 404), "head": (200, 200),
         "supervisor": (200, 200), "officer_b": (404, 404)}


def test_every_role_reads_what_spec_section_1_allows(app, two_cases, login_as):
    ids, users = two_cases
    for role, (sent, kept) in READS.items():
        _reads(app, login_as, ids, users, role, sent, kept)


def _reads(app, login_as, ids, users, role, sent, kept):
    for url in CASE_READS:
        if url.startswith("/api/reviews") and role == "officer_b":
            continue
        got_sent = _get(app, login_as, users[role], url.format(id=ids["sent"])).status_code
        got_kept = _get(app, login_as, users[role], url.format(id=ids["kept"])).status_code
        assert (got_sent == 200, got_kept == 200) == (sent == 200, kept == 200), (role, url, got_sent, got_kept)
        if kept == 404:
            assert got_kept == 404, (role, url, got_kept)


LISTED = {"reviewer": {"sent"}, "officer": {"sent", "kept"}, "head": {"sent", "kept"},
          "supervisor": {"sent", "kept"}, "officer_b": set()}


def test_lists_follow_the_same_rule(app, two_cases, login_as):
    ids, users = two_cases
    for role, expected in LISTED.items():
        _listed(app, login_as, ids, users, role, expected)


def _listed(app, login_as, ids, users, role, expected):
    body = _get(app, login_as, users[role], "/api/cases/").get_json()
    seen = {name for name, case_id in ids.items() if case_id in {c["id"] for c in body["items"]}}
    assert seen == expected
    page = _get(app, login_as, users[role], "/cases").get_data(as_text=True)
    for name in ("sent", "kept"):
        assert (f"/cases/{ids[name]}\"" in page) == (name in expected), (role, name)


def test_the_supervision_hierarchy_plugs_in(app, two_cases, login_as):
    """A supervision office placed over other agencies reads only those (SPEC §14), through the same rule."""
    from app.auth import scope

    ids, users = two_cases
    placed = lambda user: [] if user.id == users["supervisor"] else None  # noqa: E731
    scope.register_supervision_scope(placed)
    try:
        assert _get(app, login_as, users["supervisor"], f"/api/cases/{ids['kept']}").status_code == 404
        assert _get(app, login_as, users["supervisor"], "/api/cases/").get_json()["total"] == 0
    finally:
        scope._supervision_scopes.remove(placed)
    assert _get(app, login_as, users["supervisor"], f"/api/cases/{ids['kept']}").status_code == 200


def test_publications_and_recordings_follow_their_case(app, case_at, make_reviewer, login_as):
    """A decision's publication (staff side) is read through its case: the agency's reviewer does not see
    the publication of a case never sent to review; the case's officer does."""
    from publicity.models import Publication

    with app.app_context():
        case = case_at("served")
        reviewer = make_reviewer(case.agency_id).id
        officer = officer_user(case).id
        pub_id = db.session.scalar(db.select(Publication.id).where(Publication.case_id == case.id))
        case_id = case.id
    assert pub_id is not None
    for user, status in ((reviewer, 404), (officer, 200)):
        assert _get(app, login_as, user, f"/api/publicity/publications/{pub_id}").status_code == status
        assert _get(app, login_as, user, f"/publicity/{pub_id}").status_code == status
        listed = {p["id"] for p in _get(app, login_as, user, "/api/publicity/publications").get_json()}
        assert (pub_id in listed) == (status == 200)
        assert _get(app, login_as, user, f"/cases/{case_id}/recordings").status_code == status


def test_numbers_in_a_draft_are_masked_for_readers_not_handling_the_case_in_every_written_form(
        app, two_cases, login_as):
    """Minimisation of free text (PIPL Art 6): a draft's facts name the party's phone in Chinese numerals and
    an ID number with ideographic spaces; the supervisor (may read, does not handle) sees both masked, the
    case's own officer sees them as written."""
    from sqlalchemy.orm.attributes import flag_modified

    from cases.models import Case

    ids, users = two_cases
    facts = "当事人（电话一三九四三九一二三四五，身份证号２２０６８１　１９９００３０７　１２３８）于建国街占道经营。"
    with app.app_context():
        case = db.session.get(Case, ids["kept"])
        case.draft = {**(case.draft or {}), "facts": facts}
        flag_modified(case, "draft")
        db.session.commit()

    def draft_facts(role):
        resp = _get(app, login_as, users[role], f"/api/cases/{ids['kept']}")
        assert resp.status_code == 200
        return resp.get_json()["draft"]["facts"]

    masked = draft_facts("supervisor")
    assert "一三九四" not in masked and "四三九一二三四五" not in masked and "１９９００３０７" not in masked
    assert masked.startswith("当事人（电话") and "占道经营" in masked and masked.count("*") >= 12
    assert draft_facts("officer") == facts
