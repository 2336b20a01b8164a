"""Publicity benchmarks (see bench/README-publicity.md).

    .venv/bin/python bench/publicity.py [--n 100000] [--pg URL [--pg-n 1000000] [--reuse]] [--seconds 10]

1. bulk-insert N published decisions (SQLite file: executemany in batches; PostgreSQL: COPY), with
   realistic redacted Chinese text;
2. search latency p50/p95 through the real query function (`publicity.queries.public_decisions`, one page)
   for 1-, 2- and 4-character terms, each kind both frequent and rare (rare = few hits: the whole table is
   scanned), and a term that matches nothing;
3. the decision list /public/decisions (page 1 and a search) beside /healthz on the same gunicorn server
   (2 sync workers, 127.0.0.1), with wrk if installed (else a bounded Python client): pages per second
   and the ratio. Everything stops by itself; the server is terminated at the end.
"""
import argparse
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STREETS = ["建国大街", "新市街", "光华路", "兴隆街道", "六道沟镇", "大湖社区", "鸭绿江路", "临江大街", "花山镇",
           "桦树镇", "苇沙河镇", "闹枝镇", "四道沟镇", "大栗子街道", "建国街道", "森工路"]
MATTERS = [
    ("城市管理", "擅自占用城市道路", "当事人在{s}人行道擅自摆放货架经营，占用城市道路约{a}平方米，经责令改正后仍未清理。",
     "《城市道路管理条例》第二十七条、第四十二条"),
    ("城市管理", "未按规定设置户外广告", "当事人在{s}外墙擅自设置灯箱广告一块，面积约{a}平方米，未办理审批手续。",
     "《城市市容和环境卫生管理条例》第十一条、第三十四条"),
    ("城市管理", "违法建设", "当事人未取得建设工程规划许可证，在{s}扩建砖混结构房屋约{a}平方米。",
     "《中华人民共和国城乡规划法》第四十条、第六十四条"),
    ("市场监管", "经营超过保质期的食品", "当事人在{s}经营场所销售超过保质期的酸奶{a}盒，货值金额共计{b}元。",
     "《中华人民共和国食品安全法》第三十四条、第一百二十四条"),
    ("市场监管", "未亮照经营", "当事人在{s}经营的食杂店未将营业执照置于醒目位置，经责令限期改正逾期未改正。",
     "《中华人民共和国市场主体登记管理条例》第三十六条、第五十条"),
    ("自然资源", "非法占用土地", "当事人未经批准占用{s}集体土地{a}平方米建设库房及硬化场地。",
     "《中华人民共和国土地管理法》第四十四条、第七十七条"),
    ("交通运输", "超限运输", "当事人所属重型半挂车在{s}治超检测站经检测车货总质量超过限定标准{a}吨。",
     "《公路安全保护条例》第三十三条、第六十四条"),
    ("交通运输", "未取得道路运输经营许可", "当事人未取得道路运输经营许可，在{s}从事客运经营，每人收费{a}元。",
     "《中华人民共和国道路运输条例》第十条、第六十三条"),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
COMPANIES = ["商贸", "餐饮", "物流", "建材", "木业", "广告", "超市", "运输", "农业", "矿业"]
AGENCIES = [("临江市城市管理行政执法局", "临城管", ["城市管理"]), ("临江市市场监督管理局", "临市监", ["市场监管"]),
            ("临江市自然资源局", "临自然资", ["自然资源"]), ("临江市交通运输局", "临交", ["交通运输"])]
CAT_AGENCY = {"城市管理": 0, "市场监管": 1, "自然资源": 2, "交通运输": 3}

#: (label, terms): frequent terms hit a page at once; rare ones need (nearly) the whole table.
QUERIES = [
    ("1 char, frequent", ["道", "当", "罚", "营"]),
    ("1 char, rare", ["鑫"]),
    ("2 chars, frequent", ["道路", "广告", "食品", "土地"]),
    ("2 chars, rare", ["鑫源"]),
    ("4 chars, frequent", ["城市道路", "营业执照", "超限运输", "集体土地"]),
    ("4 chars, rare", ["鑫源商贸"]),
    ("no match (2 chars)", ["奥运"]),
]
RARE_EVERY = 1000  # one decision in RARE_EVERY names the rare company 临江市鑫源商贸有限公司


def make_app(url, tmp, reuse=False):
    import logging

    from flask_migrate import upgrade
    from sqlalchemy import MetaData

    from app import create_app
    from app.extensions import db

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "STORAGE_FS_ROOT": str(tmp / "objects"), "LEDGER_KEY_PATH": str(tmp / "ledger.key")})
    with app.app_context():
        if reuse:
            from sqlalchemy import inspect, text

            if inspect(db.engine).has_table("publications") and db.session.execute(
                    text("SELECT count(*) FROM publications")).scalar():
                return app
        meta = MetaData()
        meta.reflect(bind=db.engine)
        meta.drop_all(bind=db.engine)
        db.session.commit()
        logging.getLogger("alembic").setLevel(logging.WARNING)
        upgrade(directory=str(ROOT / "migrations"))
    return app


def rows(n, agency_ids, today):
    from publicity.services import search_grams

    rnd = random.Random(42)
    serial = {}
    for i in range(n):
        category, matter, facts, basis = MATTERS[i % len(MATTERS)]
        agency_index = CAT_AGENCY[category]
        name, prefix, _ = AGENCIES[agency_index]
        decided = today - timedelta(days=rnd.randint(1, 1000))
        key = (prefix, decided.year)
        serial[key] = serial.get(key, 0) + 1
        number = f"{prefix}罚〔{decided.year}〕{serial[key]}号"
        if i % RARE_EVERY == 0:
            party, kind = "临江市鑫源商贸有限公司", "org"
        elif i % 3 == 0:
            party, kind = f"临江市{rnd.choice(STREETS)[:2]}{rnd.choice(COMPANIES)}有限公司", "org"
        else:
            party, kind = rnd.choice(SURNAMES) + "**", "person"
        text = facts.format(s=rnd.choice(STREETS), a=rnd.randint(2, 300), b=rnd.randint(100, 20000))
        fine = rnd.choice([100, 200, 500, 1000, 2000, 5000, 20000])
        title = f"{party}{matter}案"
        penalty = f"罚款人民币{fine:,.2f}元"
        search = " ".join([number, title, party, text, penalty, category, name]).lower()
        grams = search_grams(search)
        yield {"agency_id": agency_ids[agency_index], "kind": "penalty", "status": "published",
               "decision_number": number, "category": category, "decided_on": decided,
               "due_on": decided + timedelta(days=9), "fine_amount": fine, "penalties": '["fine"]',
               "party_kind": kind, "title": title, "party_text": party, "facts": text, "legal_basis": basis,
               "penalty_text": penalty, "search_text": search, "search_grams": grams, "edits": "{}", "ground_note": "",
               "withdrawal_note": "", "published_on": decided + timedelta(days=3),
               "display_until": today + timedelta(days=rnd.randint(30, 1000)),
               "published_at": datetime.combine(decided + timedelta(days=3), datetime.min.time(), timezone.utc),
               "created_at": datetime.now(timezone.utc), "pdf_sha256": "0" * 64}


def seed(app, n):
    from sqlalchemy import insert, text

    from app.auth.services import create_agency
    from app.extensions import db
    from app.validators import make_credit_code
    from publicity.models import Publication

    with app.app_context():
        ids = []
        for i, (name, prefix, cats) in enumerate(AGENCIES):
            a = create_agency(name=name, short_name=name[3:], doc_prefix=prefix,
                              credit_code=make_credit_code(org_seq=1101 + i), region_code="220681",
                              categories=cats)
            ids.append(a.id)
        db.session.commit()
        today = date.today()
        t = time.perf_counter()
        conn = db.session.connection()
        if conn.dialect.name == "postgresql":
            cols = list(next(rows(1, ids, today)).keys())
            # Bulk load: build the GIN indexes once after COPY rather than row by row.
            indexes = {name: sql for name, sql in conn.execute(text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'publications' "
                "AND indexdef LIKE '%gin%'"))}
            for name in indexes:
                conn.execute(text(f'DROP INDEX "{name}"'))
            db.session.commit()
            conn = db.session.connection()
            raw = conn.connection.driver_connection
            with raw.cursor() as cur:
                with cur.copy(f"COPY publications ({', '.join(cols)}) FROM STDIN") as copy:
                    for r in rows(n, ids, today):
                        copy.write_row([r[c] for c in cols])
            db.session.commit()
            db.session.execute(text("SET maintenance_work_mem = '512MB'"))
            for sql in indexes.values():
                db.session.execute(text(sql))
            db.session.commit()
            db.session.execute(text("ANALYZE publications"))
        else:
            batch = []
            for r in rows(n, ids, today):
                r["penalties"], r["edits"] = ["fine"], {}
                batch.append(r)
                if len(batch) == 10000:
                    db.session.execute(insert(Publication), batch)
                    batch = []
            if batch:
                db.session.execute(insert(Publication), batch)
            db.session.commit()
            db.session.execute(text("ANALYZE"))
        db.session.commit()
        return time.perf_counter() - t


def search_latency(app, repeat):
    from app.extensions import db
    from publicity import queries

    out = []
    with app.app_context():
        today = date.today()
        queries.public_decisions(today, q="道")  # warm the cache
        for label, terms in QUERIES:
            times, hits = [], 0
            for i in range(repeat):
                term = terms[i % len(terms)]
                t = time.perf_counter()
                page = queries.public_decisions(today, q=term)
                times.append((time.perf_counter() - t) * 1000)
                hits = len(page.items)
                db.session.rollback()
            times.sort()
            out.append((label, "/".join(terms), statistics.median(times), times[int(len(times) * 0.95) - 1]
                        if len(times) >= 20 else max(times), hits))
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(url, tmp, workers=2):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SANXIANG_ENV": "development", "SECRET_KEY": "bench",
           "STORAGE_FS_ROOT": str(tmp / "objects"), "LEDGER_KEY_PATH": str(tmp / "ledger.key"),
           "SANXIANG_INSTANCE": str(tmp)}
    proc = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
                             "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()
            return proc, base
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("gunicorn did not start")


def load(base, path, seconds, connections=8):
    """Requests per second on `path` for `seconds`: wrk if installed, else a bounded threaded client."""
    from urllib.parse import quote

    path = quote(path, safe="/?=&")
    url = base + path
    if shutil.which("wrk"):
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", url],
                             capture_output=True, text=True, timeout=seconds + 30).stdout
        rps = float(next(line for line in out.splitlines() if line.startswith("Requests/sec")).split()[1])
        errors = [line.strip() for line in out.splitlines() if "Non-2xx" in line or "Socket errors" in line]
        return rps, errors
    import http.client
    import threading

    host, port = base[len("http://"):].split(":")
    count, stop = [0], time.monotonic() + seconds

    def worker():
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        while time.monotonic() < stop:
            conn.request("GET", path)
            conn.getresponse().read()
            count[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    [t.start() for t in threads]
    [t.join(seconds + 15) for t in threads]
    return count[0] / seconds, []


def run(label, url, n, args):
    tmp = Path(tempfile.mkdtemp(prefix="bench-publicity-"))
    try:
        app = make_app(url, tmp, reuse=args.reuse)
        from app.extensions import db
        from sqlalchemy import text

        with app.app_context():
            existing = db.session.execute(text("SELECT count(*) FROM publications")).scalar()
        if existing:
            n = existing
            print(f"\n## {label}: {n:,} published decisions (reused from an earlier run)")
        else:
            secs = seed(app, n)
            print(f"\n## {label}: {n:,} published decisions")
            print(f"insert: {secs:.1f} s ({n / secs:,.0f} rows/s)")
        print(f"\nsearch latency, one page (20 rows), {args.repeat} queries each, through "
              f"publicity.queries.public_decisions:")
        print(f"{'query':<22} {'terms':<28} {'p50 ms':>8} {'p95 ms':>8} {'rows':>5}")
        for q, terms, p50, p95, hits in search_latency(app, args.repeat):
            print(f"{q:<22} {terms:<28} {p50:8.1f} {p95:8.1f} {hits:5d}")
        from app.extensions import db

        with app.app_context():
            db.engine.dispose()
        proc, base = serve(url, tmp)
        try:
            print(f"\nHTTP, gunicorn 2 sync workers on 127.0.0.1, {args.seconds} s each, "
                  f"{'wrk -t2 -c8' if shutil.which('wrk') else 'python client, 8 connections'}:")
            results = {}
            for path in ("/healthz", "/static/app.css", "/public/decisions", "/public/decisions?q=道路",
                         "/public/decisions?q=鑫源", "/public/decisions?q=鑫源商贸", "/public/decisions?q=奥运",
                         "/public/api/decisions"):
                rps, errors = load(base, path, args.seconds)
                results[path] = rps
                print(f"{path:<36} {rps:9.1f} req/s  {' '.join(errors)}")
            for path in list(results)[2:]:
                print(f"ratio {path} / /healthz: {results[path] / results['/healthz']:.2f}")
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=100_000, help="decisions on SQLite")
    p.add_argument("--pg", help="PostgreSQL URL (an empty database: its tables are dropped)")
    p.add_argument("--pg-n", type=int, default=1_000_000, help="decisions on PostgreSQL")
    p.add_argument("--seconds", type=int, default=10, help="duration of each HTTP load run")
    p.add_argument("--repeat", type=int, default=40, help="queries per search kind")
    p.add_argument("--skip-sqlite", action="store_true")
    p.add_argument("--reuse", action="store_true", help="PostgreSQL: keep the decisions of an earlier run")
    args = p.parse_args()
    print(f"publicity bench, {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    if not args.skip_sqlite:
        tmp = Path(tempfile.mkdtemp(prefix="bench-publicity-db-"))
        try:
            run("SQLite (file, WAL)", f"sqlite:///{tmp}/bench.db", args.n, argparse.Namespace(**{
                **vars(args), "reuse": False}))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    if args.pg:
        run("PostgreSQL", args.pg, args.pg_n, args)


if __name__ == "__main__":
    main()
