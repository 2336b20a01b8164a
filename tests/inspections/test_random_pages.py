"""双随机一公开 through the staff pages: the head imports the register of inspected entities and fills the
inspector register, draws a round (refused for a matter not published before), sees the verification
parameters of both draws, redraws an inspector with a conflict; the drawn inspectors record and conclude;
the head publishes the results and the round is complete, on the staff page and the public one. Officers
may read but not manage; refusals carry their source and write nothing."""
from datetime import date
from types import SimpleNamespace

import pytest

from app.draws import services as draws
from app.extensions import db
from inspections import checks
from inspections.checks_models import InspectionTarget, RandomRound, RegisteredInspector
from tests.inspections.test_checks import inspection_data


@pytest.fixture
def world(app, cases_agency, make_officer, head_of):
    """Ids only: each request runs in its own app context (a shared one would keep the first user in `g`)."""
    from publicity.models import InspectionItem

    with app.app_context():
        pool = [make_officer(cases_agency) for _ in range(6)]
        expired = make_officer(cases_agency, expires_on=date(2024, 12, 31))
        item = InspectionItem(agency_id=cases_agency.id, category="城市管理", name="户外广告设施设置情况检查",
                              targets="户外广告设置单位", basis="《城市市容和环境卫生管理条例》", method="现场检查",
                              ratio="每年不低于5%", published_on=date(2025, 1, 2))
        fresh = InspectionItem(agency_id=cases_agency.id, category="城市管理", name="今日才公开的事项",
                               targets="商户", basis="条例", method="现场检查", ratio="5%", published_on=date.today())
        db.session.add_all([item, fresh])
        db.session.commit()
        return SimpleNamespace(pool=[o.id for o in pool], users=[o.user.id for o in pool],
                               names=[o.name for o in pool], expired=expired.id, head=head_of(cases_agency.id).id,
                               item=item.id, fresh=fresh.id, agency=cases_agency.id)


CSV = ("编号,名称,类型,类别,区划代码,地址\n" + "".join(
    f"9122068100000{i:04d},临江市第{i}广告公司,单位,城市管理,220681,新市街{i}号\n" for i in range(1, 9))
    + "P-0001,王五,个人,城市管理,220681,建国街1号\n").encode("utf-8-sig")


def test_registers_draw_redraw_and_publication_through_the_pages(app, world, client, login_as, csrf_token):
    import io

    w = world
    login_as(client, w.users[0])
    page = client.get("/random").get_data(as_text=True)
    assert "双随机抽查" in page and "/random/rounds/new" not in page  # an officer reads, does not draw
    token = csrf_token(client, "/random/targets")
    resp = client.post("/random/targets", data={"csrf_token": token, "file": (io.BytesIO(CSV), "名录.csv")})
    assert resp.status_code == 403 and "国办发〔2015〕58号" in resp.get_data(as_text=True)
    assert client.get("/random/rounds/new").status_code == 403

    login_as(client, w.head)
    token = csrf_token(client, "/random/targets")
    bad = CSV + "A-9,坏行,单位,城市管理,2206,\n".encode()
    resp = client.post("/random/targets", data={"csrf_token": token, "file": (io.BytesIO(bad), "名录.csv")})
    assert resp.status_code == 422 and "第11行" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(InspectionTarget).count() == 0
    resp = client.post("/random/targets", data={"csrf_token": token, "file": (io.BytesIO(CSV), "名录.csv")},
                       follow_redirects=True)
    assert "新增9个" in resp.get_data(as_text=True) and "临江市第8广告公司" in resp.get_data(as_text=True)

    resp = client.post("/random/inspectors", data={"csrf_token": token, "officer_id": w.expired})
    assert resp.status_code == 422 and "证件" in resp.get_data(as_text=True)
    for oid in w.pool:
        assert client.post("/random/inspectors", data={"csrf_token": token, "officer_id": oid}).status_code == 302
    page = client.get("/random/inspectors").get_data(as_text=True)
    assert all(name in page for name in w.names)
    with app.app_context():
        assert db.session.query(RegisteredInspector).count() == 6

    # A matter published only today: not "before" the draw — refused, nothing drawn.
    resp = client.post("/random/rounds/new", data={"csrf_token": token, "item_id": w.fresh, "target_count": 2})
    assert resp.status_code == 409 and "事前公开" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(RandomRound).count() == 0
    resp = client.post("/random/rounds/new", data={"csrf_token": token, "item_id": w.item, "target_count": 2,
                                                   "title": "2026年户外广告抽查"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    rid = int(resp.headers["Location"].rsplit("/", 1)[-1])
    with app.app_context():
        rnd = db.session.get(RandomRound, rid)
        facts = [(d.seed, d.population_sha256, d.ledger_seq, d.id) for d in
                 (draws.get_draw(rnd.target_draw_id), draws.get_draw(rnd.inspector_draw_id))]
        inspector_draw = rnd.inspector_draw_id
        conflicted = rnd.tasks[0].inspector_ids[0]
    page = client.get(f"/random/rounds/{rid}").get_data(as_text=True)
    assert 'id="round-verified"' in page
    for seed, pop_sha, seq, _ in facts:  # the verification parameters of both draws
        assert seed in page and pop_sha in page and f"台账第 <strong>{seq}</strong> 条" in page
    assert f"/public/draws/{facts[0][3]}" in page and f"flask inspections round-verify {rid}" in page

    # A drawn inspector declares a conflict: replaced, the reason shown and kept in the ledger.
    resp = client.post(f"/random/rounds/{rid}/redraw", data={"csrf_token": token, "officer_id": conflicted,
                                                             "reason": ""}, follow_redirects=True)
    assert "理由" in resp.get_data(as_text=True)
    with app.app_context():
        assert draws.get_draw(inspector_draw).exclusions == []
    resp = client.post(f"/random/rounds/{rid}/redraw", data={"csrf_token": token, "officer_id": conflicted,
                                                             "reason": "与检查对象负责人系近亲属"}, follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "已回避重抽" in page and "与检查对象负责人系近亲属" in page and 'id="round-verified"' in page
    with app.app_context():
        rnd = db.session.get(RandomRound, rid)
        assert conflicted not in rnd.tasks[0].inspector_ids
        tasks = [(t.id, t.target.name, list(t.inspector_ids)) for t in rnd.tasks]

    # Nothing concluded yet: nothing to publish.
    resp = client.post(f"/random/rounds/{rid}/publish", data={"csrf_token": token}, follow_redirects=True)
    assert "没有已作出结论" in resp.get_data(as_text=True)

    # The drawn inspectors find the task on the round page (a link filling the form), record and conclude.
    user_of = dict(zip(w.pool, w.users))
    for task_id, target_name, team_ids in tasks:
        login_as(client, user_of[team_ids[0]])
        page = client.get(f"/random/rounds/{rid}").get_data(as_text=True)
        assert f"task_id={task_id}" in page
        form = client.get(f"/inspections/new?kind=random&task_id={task_id}&officer_ids={team_ids[0]}"
                          f"&officer_ids={team_ids[1]}").get_data(as_text=True)
        assert f'name="task_id" value="{task_id}"' in form
        with app.app_context():
            from app.officers.models import Officer

            team = [db.session.get(Officer, i) for i in team_ids]
            ins = checks.record_inspection(w.agency, inspection_data(
                team, kind="random", task_id=task_id, target_name=target_name), actor=team[0].user)
            checks.conclude(ins, {"outcome": "no_problem", "no_recording_reason": "执法记录仪故障"},
                            actor=team[0].user)
            db.session.commit()

    login_as(client, w.head)
    token = csrf_token(client, f"/random/rounds/{rid}")
    resp = client.post(f"/random/rounds/{rid}/publish", data={"csrf_token": token}, follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "已公示2项检查结果" in page and 'id="round-complete"' in page
    with app.app_context():
        assert db.session.get(RandomRound, rid).completed_on is not None
    public = client.get(f"/public/random/rounds/{rid}").get_data(as_text=True)
    assert "未发现问题" in public and 'id="round-verified"' in public
    assert "已完成" in client.get("/random").get_data(as_text=True)


def test_nav_shows_random_inspections_to_officers_heads_and_supervisors(world, client, login_as, make_user):
    login_as(client, world.users[0])
    assert 'href="/random"' in client.get("/").get_data(as_text=True)
    login_as(client, make_user(roles=("admin",)))
    assert 'href="/random"' not in client.get("/").get_data(as_text=True)


def test_ids_that_are_not_numbers_are_422_not_500(app, world, client):
    from app.auth.models import User
    from app.auth.services import issue_token
    from tests.helpers import bearer

    with app.app_context():
        head, _ = issue_token(db.session.get(User, world.head), "t")
        lead, _ = issue_token(db.session.get(User, world.users[0]), "t")
        db.session.commit()
    for url, body, token in (("/api/random/rounds", {"item_id": "abc", "target_count": 1}, head),
                             ("/api/random/rounds", {"item_id": "²", "target_count": 1}, head),
                             ("/api/random/inspectors", {"officer_id": "x"}, head),
                             ("/api/inspections", {"kind": "adhoc", "officer_ids": ["x"], "basis": "b",
                                                   "target_name": "t", "place": "p",
                                                   "started_at": "2025-09-17T09:00", "ended_at": "2025-09-17T10:00"},
                              lead),
                             ("/api/inspections", {"kind": "random", "task_id": "T-1"}, lead)):
        resp = client.post(url, json=body, headers=bearer(token))
        assert resp.status_code == 422, (url, body, resp.get_json())
        assert "0-9" in resp.get_json()["message"] or "编号" in resp.get_json()["message"], resp.get_json()
