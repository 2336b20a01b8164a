"""`flask ledger verify` on N entries (default 100,000), wall time beyond start-up (issue 18).

    .venv/bin/python bench/ledger_verify.py [--entries 100000] [--pg URL] [--runs 3]

Builds a migrated database (SQLite file by default, or the PostgreSQL URL given) holding N entries made
with the production entry builder (app.ledger.chain.build_entry) and their Merkle nodes (as append stores
them), plus one signed checkpoint; then runs, as separate processes, `flask ledger keys` (start-up: the same
application start and one trivial query) and `flask ledger verify` (start-up + the full audit), each `--runs`
times. Prints the medians and their difference, the time the audit itself takes.
"""
import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(url, key_path, n):
    from flask_migrate import upgrade
    from sqlalchemy import MetaData, insert, update

    from app import create_app
    from app.extensions import db
    from app.ledger import chain, merkle, services
    from app.ledger.models import LedgerEntry, LedgerHead, LedgerNode

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "LEDGER_KEY_PATH": key_path})
    with app.app_context():
        meta = MetaData()
        meta.reflect(bind=db.engine)
        meta.drop_all(bind=db.engine)
        db.session.commit()
        import logging

        logging.getLogger("alembic").setLevel(logging.WARNING)
        upgrade(directory=str(ROOT / "migrations"))
        services.generate_key(key_path, force=True)
        prev, entries, nodes = chain.ZERO_HASH, [], []
        tree = merkle.CompactRange()
        at0 = datetime(2025, 1, 1)
        for i in range(n):
            payload = {"step": "现场检查", "sha256": hashlib.sha256(i.to_bytes(8, "big")).hexdigest(), "i": i}
            body, eh, leaf = chain.build_entry(i, prev, "case.step", f"case:{i % 5000}", payload,
                                               at0 + timedelta(seconds=i))
            entries.append({"seq": i, "kind": "case.step", "subject": f"case:{i % 5000}", "body": body,
                            "prev_hash": prev, "entry_hash": eh, "leaf_hash": leaf.hex(),
                            "created_at": at0 + timedelta(seconds=i)})
            nodes.append({"level": 0, "index": i, "hash": leaf.hex()})
            tree.append(leaf, lambda lv, ix, h: nodes.append({"level": lv, "index": ix, "hash": h.hex()})
                        if lv > 0 else None)
            prev = eh
        for start in range(0, n, 5000):
            db.session.execute(insert(LedgerEntry), entries[start:start + 5000])
        for start in range(0, len(nodes), 10000):
            db.session.execute(insert(LedgerNode), nodes[start:start + 10000])
        db.session.execute(update(LedgerHead).where(LedgerHead.id == 1).values(size=n, head_hash=prev))
        db.session.commit()
        services.create_checkpoint()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def timed(args, env):
    t = time.perf_counter()
    r = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {r.stdout}{r.stderr}")
    return elapsed, r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--pg")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="sanxiang-bench-")
    url = args.pg or f"sqlite:///{tmp}/bench.db"
    key = f"{tmp}/ledger.key"
    t = time.perf_counter()
    build(url, key, args.entries)
    print(f"built {args.entries} entries in {url.split(':')[0]} in {time.perf_counter() - t:.1f} s")
    env = dict(os.environ, DATABASE_URL=url, LEDGER_KEY_PATH=key, SANXIANG_INSTANCE=tmp,
               FLASK_APP="wsgi.py", SECRET_KEY="bench")
    flask = str(Path(sys.executable).parent / "flask")
    startup, verify, out = [], [], ""
    for _ in range(args.runs):
        startup.append(timed([flask, "ledger", "keys"], env)[0])
        elapsed, out = timed([flask, "ledger", "verify"], env)
        verify.append(elapsed)
    s, v = statistics.median(startup), statistics.median(verify)
    print(f"flask ledger keys   (start-up):          median {s:.2f} s  {['%.2f' % x for x in startup]}")
    print(f"flask ledger verify (start-up + audit):  median {v:.2f} s  {['%.2f' % x for x in verify]}")
    print(f"audit beyond start-up: {v - s:.2f} s for {args.entries} entries ({args.entries / (v - s):.0f} entries/s)")
    print(f"verify said: {out}")
    # The same audit in this process: CPU time is less sensitive than wall time to other load on the machine.
    from app import create_app
    from app.ledger import services

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "LEDGER_KEY_PATH": key})
    cpu, wall = [], []
    with app.app_context():
        for _ in range(args.runs):
            c, w = time.process_time(), time.perf_counter()
            assert services.audit().ok
            cpu.append(time.process_time() - c)
            wall.append(time.perf_counter() - w)
    print(f"services.audit() in-process: median wall {statistics.median(wall):.2f} s, "
          f"median CPU {statistics.median(cpu):.2f} s (load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
