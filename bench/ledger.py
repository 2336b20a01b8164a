"""Ledger benchmarks (see bench/README-ledger.md).

    .venv/bin/python bench/ledger.py [--appends 2000] [--entries 1000000] [--pg URL]

1. appends per second on SQLite (file, WAL) and PostgreSQL: committed one by one, and batched;
2. full verification of N entries with the audit's own checker (app.ledger.chain.ChainChecker: hash,
   leaf hash, canonical form, chain, Merkle tree) beside a bare hashlib loop over the same bytes;
3. proof size and generation time at N entries, through the service code reading stored nodes from a
   SQLite file.
"""
import argparse
import gc
import hashlib
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.ledger import chain, merkle  # noqa: E402


def make_app(url, key_path):
    from flask_migrate import upgrade
    from sqlalchemy import MetaData

    from app import create_app
    from app.extensions import db

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "LEDGER_KEY_PATH": key_path, "LEDGER_CHECKPOINT_EVERY_ENTRIES": 0,
                      "LEDGER_CHECKPOINT_EVERY_MINUTES": 0})
    with app.app_context():
        meta = MetaData()
        meta.reflect(bind=db.engine)
        meta.drop_all(bind=db.engine)
        db.session.commit()
        import logging
        logging.getLogger("alembic").setLevel(logging.WARNING)
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    return app


def bench_appends(label, url, n, key_path):
    from app.extensions import db
    from app.ledger.services import append, audit

    app = make_app(url, key_path)
    with app.app_context():
        payload = {"case_no": "临城管罚〔2025〕12号", "step": "现场检查", "sha256": "ab" * 32,
                   "officers": ["22010012345", "22010054321"]}
        t = time.perf_counter()
        for i in range(n):
            append("case.step", f"case:{i % 50}", {**payload, "i": i})
            db.session.commit()
        one = n / (time.perf_counter() - t)
        t = time.perf_counter()
        for i in range(n):
            append("case.step", f"case:{i % 50}", {**payload, "i": i})
            if i % 100 == 99:
                db.session.commit()
        db.session.commit()
        batched = n / (time.perf_counter() - t)
        t = time.perf_counter()
        result = audit()
        audit_rate = result.entries / (time.perf_counter() - t)
        assert result.ok, result.problems
        print(f"{label}: {one:8.0f} appends/s committed one by one; {batched:8.0f} appends/s in batches of 100; "
              f"audit from the database {audit_rate:8.0f} entries/s ({result.entries} entries)")
        db.session.remove()
        db.engine.dispose()


def generate(n):
    """n entries built with the production code (chain.build_entry), as the audit reads them."""
    rows, prev = [], chain.ZERO_HASH
    at0 = datetime(2025, 1, 1)
    for i in range(n):
        body, eh, leaf = chain.build_entry(i, prev, "case.step", f"case:{i % 5000}",
                                           {"step": "现场检查", "sha256": hashlib.sha256(i.to_bytes(8, "big")).hexdigest(),
                                            "i": i}, at0 + timedelta(seconds=i))
        rows.append((i, body, "case.step", f"case:{i % 5000}", prev, eh, leaf.hex()))
        prev = eh
    return rows


def bench_verify(n):
    t = time.perf_counter()
    rows = generate(n)
    gen = time.perf_counter() - t
    total_bytes = sum(len(r[1].encode()) for r in rows)
    bodies = [r[1].encode() for r in rows]

    def bare():
        sha = hashlib.sha256
        for b in bodies:
            sha(b).digest()

    def bare_both():
        sha = hashlib.sha256
        for b in bodies:
            sha(b).digest()
            sha(b"\x00" + b).digest()

    def full():
        checker = chain.ChainChecker(want_roots={n})
        nodes = [0]
        checker.on_node = lambda lv, ix, h: nodes.__setitem__(0, nodes[0] + 1)
        for r in rows:
            checker.feed(*r, stored_leaf=r[6])
        return checker

    def best(fn, k=3):
        times = []
        for _ in range(k):
            gc.collect()
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return min(times)

    t_bare, t_both, t_full = best(bare), best(bare_both), best(full)
    print(f"generated {n} entries ({total_bytes / n:.0f} bytes each, {total_bytes / 1e6:.0f} MB) in {gen:.1f} s")
    print(f"bare hashlib loop, SHA-256(entry):              {n / t_bare:10.0f} entries/s ({t_bare:.2f} s)")
    print(f"bare hashlib loop, SHA-256(entry) + leaf hash:  {n / t_both:10.0f} entries/s ({t_both:.2f} s)")
    print(f"full verification (chain + canonical + Merkle):  {n / t_full:10.0f} entries/s ({t_full:.2f} s)")
    print(f"ratio full / bare single hash: {t_full / t_bare:.1f}x slower; full / both hashes: {t_full / t_both:.1f}x")
    return rows


def bench_proofs(rows, key_path, tmp):
    """Store the tree's nodes (as append does) in a SQLite file and time the service's proofs."""
    from sqlalchemy import insert, update

    from app.extensions import db
    from app.ledger import services
    from app.ledger.models import LedgerHead, LedgerNode

    n = len(rows)
    app = make_app(f"sqlite:///{tmp}/proofs.db", key_path)
    with app.app_context():
        tree, buf = merkle.CompactRange(), []
        t = time.perf_counter()
        for r in rows:
            tree.append(bytes.fromhex(r[6]), lambda lv, ix, h: buf.append({"level": lv, "index": ix,
                                                                             "hash": h.hex()}))
            if len(buf) >= 50000:
                db.session.execute(insert(LedgerNode), buf)
                buf.clear()
        if buf:
            db.session.execute(insert(LedgerNode), buf)
        db.session.execute(update(LedgerHead).where(LedgerHead.id == 1).values(size=n, head_hash=rows[-1][5]))
        db.session.commit()
        print(f"stored {2 * n - bin(n).count('1')} Merkle nodes for {n} entries in {time.perf_counter() - t:.1f} s")
        root = services.tree_root(n)
        assert root == tree.root()
        import random

        rnd = random.Random(1)
        seqs = [rnd.randrange(n) for _ in range(200)]
        times, sizes = [], []
        for s in seqs:
            t0 = time.perf_counter()
            proof = services.inclusion_proof(s, n)
            times.append(time.perf_counter() - t0)
            sizes.append(len(proof))
            assert merkle.verify_inclusion(s, n, bytes.fromhex(rows[s][6]), proof, root)
        print(f"inclusion proof at {n}: {max(sizes)} hashes = {32 * max(sizes)} bytes "
              f"({base64len(32) * max(sizes)} chars base64); median {statistics.median(times) * 1e3:.2f} ms, "
              f"max {max(times) * 1e3:.2f} ms (200 random entries, nodes read from SQLite)")
        ctimes, csizes = [], []
        for s in seqs[:100]:
            old = max(1, s)
            t0 = time.perf_counter()
            proof = services.consistency_proof(old, n)
            ctimes.append(time.perf_counter() - t0)
            csizes.append(len(proof))
            assert merkle.verify_consistency(old, n, services.tree_root(old), root, proof)
        print(f"consistency proof to {n}: up to {max(csizes)} hashes = {32 * max(csizes)} bytes; "
              f"median {statistics.median(ctimes) * 1e3:.2f} ms, max {max(ctimes) * 1e3:.2f} ms")
        t0 = time.perf_counter()
        for _ in range(100):
            merkle.verify_inclusion(seqs[0], n, bytes.fromhex(rows[seqs[0]][6]),
                                    services.inclusion_proof(seqs[0], n), root)
        db.session.remove()
        db.engine.dispose()


def base64len(n):
    return 4 * ((n + 2) // 3)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_URL"),
                        help="PostgreSQL URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/sanxiang_bench")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        key = f"{tmp}/signing.key"
        from app.ledger import note

        Path(key).write_text(note.Signer.generate("bench.example/ledger").to_string())
        bench_appends("SQLite (file, WAL)", f"sqlite:///{tmp}/appends.db", args.appends, key)
        if args.pg:
            bench_appends("PostgreSQL 15     ", args.pg, args.appends, key)
        rows = bench_verify(args.entries)
        bench_proofs(rows, key, tmp)


if __name__ == "__main__":
    main()
