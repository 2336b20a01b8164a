"""Several OS processes appending at once leave one valid chain (SQLite file or PostgreSQL)."""
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.ledger.models import LedgerCheckpoint, LedgerEntry
from app.ledger.services import audit

WORKER = textwrap.dedent("""
    import sys
    from app import create_app
    from app.extensions import db
    from app.ledger.services import append

    url, key, worker, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url,
                      "LEDGER_KEY_PATH": key, "LEDGER_CHECKPOINT_EVERY_ENTRIES": 7,
                      "LEDGER_CHECKPOINT_EVERY_MINUTES": 0})
    with app.app_context():
        for i in range(count):
            append("test.concurrent", "worker:" + worker, {"i": i})
            if i % 5 == 4:
                db.session.rollback()  # some callers roll back: their entry must vanish without a gap
                continue
            db.session.commit()
    """)


def test_concurrent_appenders_in_several_processes(app_ctx, database_url, tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    root = Path(__file__).resolve().parents[2]
    workers, count = 4, 60
    procs = [subprocess.Popen([sys.executable, str(script), database_url, app_ctx.config["LEDGER_KEY_PATH"],
                               str(w), str(count)], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for w in range(workers)]
    for p in procs:
        _, err = p.communicate(timeout=240)
        assert p.returncode == 0, err.decode()[-2000:]

    committed = workers * count * 4 // 5
    rows = db.session.execute(select(LedgerEntry.seq, LedgerEntry.subject, LedgerEntry.body)
                              .order_by(LedgerEntry.seq)).all()
    assert [r.seq for r in rows] == list(range(committed))
    for w in range(workers):
        mine = [r.body for r in rows if r.subject == f"worker:{w}"]
        assert len(mine) == count * 4 // 5
    result = audit()
    assert result.ok, result.problems
    sizes = db.session.scalars(select(LedgerCheckpoint.tree_size)).all()
    assert sizes and all(0 < s <= committed for s in sizes)
