"""The demo of issue 15 (README "The demo ... for coercive measures and random inspections"): a seizure in
progress, a released sealing with its release decision, and a completed random-inspection round whose results
are published, whose inspections carry their own recordings, and whose draws verify; the pages render."""
from sqlalchemy import select

from app.extensions import db


def test_demo_has_a_seizure_in_progress_a_release_and_a_completed_round(app, client, login_as):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    with app.app_context():
        from app.auth.models import User
        from inspections import checks, random_checks
        from inspections.checks_models import RandomRound
        from inspections.models import CoerciveMeasure

        measures = db.session.scalars(select(CoerciveMeasure)).all()
        seized = [m for m in measures if m.kind == "seize" and m.status == "in_force"]
        released = [m for m in measures if m.status == "released"]
        assert seized and seized[0].term_end is not None and seized[0].open_items
        assert released and any(d.kind == "measure_release" for d in released[0].case.documents)
        rounds = db.session.scalars(select(RandomRound).where(RandomRound.completed_on.is_not(None))).all()
        assert rounds, "no completed random-inspection round"
        rnd = rounds[0]
        random_checks.verify_round(rnd)  # both draws recompute from the ledger
        inspections = [random_checks.task_status(t)["inspection"] for t in rnd.tasks]
        assert all(i is not None and i.published_on for i in inspections)
        assert all(checks.recordings_of(i) for i in inspections)  # each kept its recording, no case needed
        head = db.session.scalar(select(User).where(User.username == "cg_chenjz"))
        ids = (head.id, rnd.id, seized[0].id, inspections[0].id)
    login_as(client, ids[0])
    for url in ("/random", f"/random/rounds/{ids[1]}", f"/measures/{ids[2]}", f"/inspections/{ids[3]}",
                "/measures", "/random/targets", "/random/inspectors"):
        resp = client.get(url)
        assert resp.status_code == 200, url
    assert 'id="round-complete"' in client.get(f"/random/rounds/{ids[1]}").get_data(as_text=True)
    public = client.get(f"/public/random/rounds/{ids[1]}").get_data(as_text=True)
    assert 'id="round-verified"' in public and "责令限期改正" in public and "未发现问题" in public
