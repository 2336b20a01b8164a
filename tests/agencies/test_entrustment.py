"""Agencies edited by supervisors; entrusted organisations act only in the entrusting agency's name, only
on the entrusted matters, only within the period (APL Art 20), and their cases carry both names."""
from datetime import date

import pytest

from app.agencies import services
from app.auth.models import Agency, User
from app.errors import EntrustmentInvalid, InvalidInput, PermissionDenied
from app.extensions import db
from app.officers.models import Officer
from tests.helpers import extract_csrf

TODAY = date(2025, 9, 15)


def _org(agency, matter, actor, **kw):
    matter = db.session.merge(matter)
    data = {"name": "临江市花山镇综合行政执法队", "entrusting_agency_id": agency.id, "matter_codes": [matter.matter.code],
            "legal_basis": "《吉林省城市管理综合行政执法条例》第十条", "document_number": "临城管委〔2025〕1号",
            "starts_on": "2025-01-01", "ends_on": "2025-12-31"}
    data.update(kw)
    return services.create_entrusted(data, actor=actor, today=date(2025, 1, 2))


def test_supervisor_creates_and_edits_an_agency_others_may_not(app, make_user, cases_agency):
    sup, officer = make_user(roles=("supervisor",)), make_user(roles=("officer",), agency=cases_agency)
    from app.validators import make_credit_code

    with app.app_context():
        data = {"name": "临江市自然资源局", "short_name": "临江自然资源", "doc_prefix": "临自然资",
                "credit_code": make_credit_code(org_seq=777), "region_code": "220681", "categories": "自然资源、测绘",
                "legal_basis": "《土地管理法》第六十七条", "parent_department": "临江市人民政府"}
        with pytest.raises(PermissionDenied):
            services.create_agency(data, actor=db.session.get(User, officer))
        with pytest.raises(InvalidInput):
            services.create_agency({**data, "legal_basis": ""}, actor=db.session.get(User, sup))
        agency = services.create_agency(data, actor=db.session.get(User, sup))
        assert agency.categories == ["自然资源", "测绘"] and agency.published_on is not None
        services.update_agency(agency, {"parent_department": "白山市自然资源局"}, actor=db.session.get(User, sup),
                               today=date(2026, 1, 5))
        assert agency.parent_department == "白山市自然资源局" and agency.published_on == date(2026, 1, 5)
        from app.ledger.models import LedgerEntry

        entry = db.session.scalars(db.select(LedgerEntry).where(LedgerEntry.kind == "agency.updated")).one()
        assert entry.payload["changed"]["parent_department"]["from"] == "临江市人民政府"


def test_entrusted_officer_files_in_the_agencys_name_and_the_case_carries_both_names(
        app, cases_agency, make_officer, make_matter, make_user):
    from cases import services as case_services

    sup = make_user(roles=("supervisor",))
    matter = make_matter(cases_agency)
    other_matter = make_matter(cases_agency, name="违规倾倒垃圾")
    officers = [make_officer(cases_agency), make_officer(cases_agency)]
    with app.app_context():
        supervisor = db.session.get(User, sup)
        agency = db.session.get(Agency, cases_agency.id)
        org = _org(agency, matter, supervisor)
        lead = db.session.get(Officer, officers[0].id)
        services.assign_officer(org, lead, actor=supervisor)
        db.session.commit()

        def file(matter_version, on):
            return case_services.create_case(
                agency=agency, matter_version=db.session.merge(matter_version), title="占道经营案", area_code="220681",
                actor=lead.user, officer_ids=[o.id for o in officers], parties=[], on=on)

        case = file(matter, TODAY)
        assert case.entrusted_org_id == org.id
        assert case.agency_display == f"{agency.name}（受委托组织：临江市花山镇综合行政执法队）"
        with pytest.raises(EntrustmentInvalid) as err:  # not an entrusted matter
            file(other_matter, TODAY)
        assert "不在临江市花山镇综合行政执法队的委托事项内" in err.value.message
        with pytest.raises(EntrustmentInvalid) as err:  # the entrustment expired
            file(matter, date(2026, 1, 5))
        assert "委托已于2025-12-31到期" in err.value.message and "行政处罚法第二十条" in err.value.message


def test_an_expired_entrustment_stops_every_act_of_its_officers(app, cases_agency, make_officer, make_matter, make_user):
    from app.errors import CertificateInvalid
    from app.officers import services as officer_services

    sup = make_user(roles=("supervisor",))
    matter = make_matter(cases_agency)
    a, b = make_officer(cases_agency), make_officer(cases_agency)
    with app.app_context():
        supervisor = db.session.get(User, sup)
        org = _org(db.session.get(Agency, cases_agency.id), matter, supervisor)
        team = [db.session.get(Officer, a.id), db.session.get(Officer, b.id)]
        services.assign_officer(org, team[0], actor=supervisor)
        officer_services.require_qualified(team, date(2025, 6, 1), category="城市管理", area="220681")
        with pytest.raises(CertificateInvalid) as err:
            officer_services.require_qualified(team, date(2026, 1, 5), category="城市管理", area="220681")
        assert "委托已于2025-12-31到期" in err.value.message
        services.terminate_entrusted(org, on="2025-07-01", reason="机构改革", actor=supervisor)
        with pytest.raises(CertificateInvalid) as err:
            officer_services.require_qualified(team, date(2025, 7, 2), category="城市管理", area="220681")
        assert "解除（机构改革）" in err.value.message


def test_entrustment_needs_matters_of_the_power_list_and_a_period(app, cases_agency, make_matter, make_user):
    sup = make_user(roles=("supervisor",))
    matter = make_matter(cases_agency)
    with app.app_context():
        supervisor, agency = db.session.get(User, sup), db.session.get(Agency, cases_agency.id)
        with pytest.raises(InvalidInput) as err:
            _org(agency, matter, supervisor, matter_codes=["XX-9999"])
        assert "不在" in err.value.message
        with pytest.raises(InvalidInput):
            _org(agency, matter, supervisor, ends_on="2024-12-31")
        with pytest.raises(InvalidInput):
            _org(agency, matter, supervisor, legal_basis="")


def test_supervisor_creates_them_in_the_web_ui_and_the_public_site_shows_them(
        app, client, cases_agency, make_matter, make_user, login_as):
    from app.validators import make_credit_code

    sup = make_user(roles=("supervisor",))
    matter = make_matter(cases_agency)
    login_as(client, sup)
    token = extract_csrf(client.get("/agencies/new").get_data(as_text=True))
    resp = client.post("/agencies/new", data={
        "csrf_token": token, "name": "临江市交通运输局", "short_name": "临江交通", "doc_prefix": "临交",
        "credit_code": make_credit_code(org_seq=778), "region_code": "220681", "categories": "交通运输",
        "legal_basis": "《道路运输条例》", "parent_department": "临江市人民政府"})
    assert resp.status_code == 302
    with app.app_context():
        code = db.session.get(type(matter), matter.id).matter.code
    resp = client.post("/agencies/entrusted/new", data={
        "csrf_token": token, "name": "临江市花山镇综合行政执法队", "entrusting_agency_id": cases_agency.id,
        "matter_codes": code, "legal_basis": "委托依据", "starts_on": "2025-01-01", "ends_on": "2099-12-31"})
    assert resp.status_code == 302
    html = client.get("/public/agencies").get_data(as_text=True)
    assert "临江市交通运输局" in html and "临江市花山镇综合行政执法队" in html and "委托有效" in html
    api = client.get("/public/api/agencies").get_json()
    assert api["entrusted_organisations"][0]["matter_codes"] == [code]
    login_as(client, make_user(roles=("officer",), agency=cases_agency))
    assert client.get("/agencies/new").status_code == 403


def test_an_entrusted_organisations_officer_reads_only_its_cases(app, cases_agency, make_officer, make_matter,
                                                                 make_user, make_case, login_as):
    """Least privilege for entrusted organisations (APL Art 20; PIPL Art 6): an officer of the organisation
    reads the cases it filed (API, web page, list) and not the rest of the entrusting agency's cases — which
    the agency's own officers still read."""
    from cases import services as case_services

    sup = make_user(roles=("supervisor",))
    matter = make_matter(cases_agency)
    officers = [make_officer(cases_agency), make_officer(cases_agency)]
    agency_case = make_case(cases_agency)  # filed by the agency's own officers
    with app.app_context():
        supervisor = db.session.get(User, sup)
        agency = db.session.get(Agency, cases_agency.id)
        org = _org(agency, matter, supervisor)
        lead = db.session.get(Officer, officers[0].id)
        services.assign_officer(org, lead, actor=supervisor)
        db.session.commit()
        org_case = case_services.create_case(
            agency=agency, matter_version=db.session.merge(matter), title="占道经营案", area_code="220681",
            actor=lead.user, officer_ids=[o.id for o in officers], parties=[], on=TODAY)
        db.session.commit()
        org_case_id, org_user, own_user = org_case.id, lead.user.id, db.session.get(Officer, officers[1].id).user.id

    def reads(user_id, case_id):
        client = app.test_client()
        login_as(client, user_id)
        api = client.get(f"/api/cases/{case_id}").status_code
        web = client.get(f"/cases/{case_id}").status_code
        assert api == web, (api, web)
        return api

    def listed(user_id):
        client = app.test_client()
        login_as(client, user_id)
        body = client.get("/api/cases/?per_page=100").get_json()
        return {c["id"] for c in (body["items"] if isinstance(body, dict) else body)}

    assert reads(org_user, org_case_id) == 200 and reads(org_user, agency_case.id) == 404
    assert listed(org_user) == {org_case_id}
    # The agency's own officer on the organisation's case reads both.
    assert reads(own_user, org_case_id) == 200 and reads(own_user, agency_case.id) == 200


def test_documents_of_an_entrusted_organisations_case_name_both_and_the_agencys_name_for_the_act(
        app, cases_agency, make_officer, make_matter, make_user, tmp_path):
    """APL Art 20: the decision is made in the entrusting agency's name; the documents show both names."""
    import re
    import subprocess

    from cases import services as case_services
    from cases.documents import render_document

    sup = make_user(roles=("supervisor",))
    matter = make_matter(cases_agency)
    officers = [make_officer(cases_agency), make_officer(cases_agency)]
    with app.app_context():
        supervisor = db.session.get(User, sup)
        agency = db.session.get(Agency, cases_agency.id)
        org = _org(agency, matter, supervisor)
        lead = db.session.get(Officer, officers[0].id)
        services.assign_officer(org, lead, actor=supervisor)
        case = case_services.create_case(
            agency=agency, matter_version=db.session.merge(matter), title="占道经营案", area_code="220681",
            actor=lead.user, officer_ids=[o.id for o in officers], parties=[], on=TODAY)
        texts = {}
        for kind in ("decision", "filing_approval"):
            path = tmp_path / f"{kind}.pdf"
            path.write_bytes(render_document(case, kind, number=None, on=TODAY))
            out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
            texts[kind] = re.sub(r"\s+", "", out)
        for text in texts.values():
            assert f"受委托组织：临江市花山镇综合行政执法队（以{agency.name}名义实施，《行政处罚法》第二十条）" in text
        assert (f"本决定由受委托组织临江市花山镇综合行政执法队以委托行政机关{agency.name}的名义作出"
                in texts["decision"])
        # the seal line is the agency's alone: the act is not the organisation's
        assert texts["decision"].rstrip().count(f"{agency.name}（印章）") == 1
        assert "临江市花山镇综合行政执法队（印章）" not in texts["decision"]
        # a case of the agency's own officers names no organisation
        plain = case_services.create_case(
            agency=agency, matter_version=db.session.merge(matter), title="占道经营案", area_code="220681",
            actor=db.session.get(Officer, officers[1].id).user, officer_ids=[o.id for o in officers], parties=[],
            on=TODAY)
        path = tmp_path / "plain.pdf"
        path.write_bytes(render_document(plain, "decision", number=None, on=TODAY))
        out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
        assert "受委托组织" not in out


def test_an_agency_not_yet_public_cannot_file_and_its_entrusted_organisation_neither(
        app, make_agency, make_officer, make_matter, make_user):
    """事前公开 (APL Art 39; G118): the agency's own information is public before it acts."""
    from cases import services as case_services
    from cases.services.common import GuardFailed

    late = make_agency(name="临江市新设执法局", categories=("城市管理",), published_on=date(2025, 10, 1))
    matter = make_matter(late)
    officers = [make_officer(late), make_officer(late)]
    with app.app_context():
        agency = db.session.get(Agency, late.id)
        lead = db.session.get(Officer, officers[0].id)

        def file(on):
            return case_services.create_case(
                agency=agency, matter_version=db.session.merge(matter), title="占道经营案", area_code="220681",
                actor=lead.user, officer_ids=[o.id for o in officers], parties=[], on=on)

        with pytest.raises(GuardFailed) as err:
            file(TODAY)
        assert err.value.code == "not_public" and err.value.status == 409
        assert "执法主体临江市新设执法局的主体信息于2025-10-01公开，2025-09-15尚未公开" in err.value.message
        assert "行政处罚法第三十九条" in err.value.message
        assert file(date(2025, 10, 8)).agency_id == late.id


def test_the_api_refuses_a_filing_for_an_agency_not_yet_public(app, client, make_agency, make_officer,
                                                                          make_matter):
    """The same gate through the JSON API: 409 with the reason, nothing written."""
    from datetime import timedelta

    from app.auth.services import issue_token
    from app.timeutil import today_china
    from cases.models import Case
    from tests.cases.conftest import person_party

    later = today_china() + timedelta(days=10)
    agency = make_agency(name="临江市待公开执法局", categories=("城市管理",), published_on=later)
    with app.app_context():
        version_id = make_matter(agency).id
        officers = [make_officer(agency), make_officer(agency)]
        raw, _ = issue_token(officers[0].user, "test")
        db.session.commit()
        ids = [o.id for o in officers]
    resp = client.post("/api/cases/", headers={"Authorization": f"Bearer {raw}"}, json={
        "matter_version_id": version_id, "title": "占道经营案", "area_code": "220681", "officer_ids": ids,
        "parties": [person_party()]})
    body = resp.get_json()
    assert resp.status_code == 409 and body["error"] == "not_public", body
    assert f"执法主体临江市待公开执法局的主体信息于{later.isoformat()}公开" in body["message"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Case.id)).where(Case.agency_id == agency.id)) == 0
