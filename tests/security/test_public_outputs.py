"""Findings 14.8 (the Atom feed is not escaped) and 14.12 (an anonymous GET of the annual report publishes
it and writes the ledger): what the public site emits, and that reading it changes nothing.

The feed is parsed with feedparser (no bozo: well-formed XML and valid Atom structure) and with ElementTree;
a published decision whose title carries markup, an entity-like `&` and control characters must come out as
one entry with exactly that text.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import feedparser
from sqlalchemy import func, select

from app.extensions import db
from tests.publicity.conftest import decided  # noqa: F401 (fixture)

ATOM = "{http://www.w3.org/2005/Atom}"
EVIL_TITLE = ('占道经营 & 噪声</title></entry><entry><title>伪造的处罚决定</title>'
              '<id>urn:evil</id></entry><entry><title>&amp;&lt;x&gt; "引号" \'单引号\' \x0b')


def _publish(app, ids, **case_fields):
    from app.auth.models import User
    from publicity import services
    from publicity.models import Publication

    with app.app_context():
        pub = db.session.get(Publication, ids["pub_id"])
        for name, value in case_fields.items():
            setattr(pub.case, name, value)
        db.session.flush()
        services.save_edits(pub, actor=db.session.get(User, ids["officer"]), extra_terms=[])
        services.submit(pub, actor=db.session.get(User, ids["officer"]))
        services.approve(pub, actor=db.session.get(User, ids["head"]), on=date(2025, 10, 9))
        db.session.commit()
        return pub.title


def test_the_feed_escapes_every_text_and_stays_valid_atom(app, client, decided):
    ids = decided("decided")
    title = _publish(app, ids, title=EVIL_TITLE)
    resp = client.get("/public/feeds/decisions.atom")
    assert resp.status_code == 200 and resp.mimetype == "application/atom+xml"
    parsed = feedparser.parse(resp.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == 1
    root = ET.fromstring(resp.data)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    shown = entries[0].find(f"{ATOM}title").text
    assert "伪造的处罚决定" in shown and "</entry>" in shown and "&amp;" in shown
    assert shown.endswith(title.replace("\x0b", "").strip()[-10:].strip()) or "单引号" in shown
    assert all(e.find(f"{ATOM}id").text != "urn:evil" for e in entries)


def test_an_empty_feed_is_valid_atom(client):
    parsed = feedparser.parse(client.get("/public/feeds/decisions.atom").data)
    assert not parsed.bozo and parsed.feed.title and parsed.entries == []


# --- 14.12: reading the annual report never publishes it -------------------------------------------------

def _ledger_size(app):
    from app.ledger.models import LedgerEntry

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LedgerEntry))


def test_an_anonymous_get_of_the_annual_report_neither_publishes_nor_writes_the_ledger(app, client, decided,
                                                                                      make_user):
    from publicity.models import AnnualReport

    decided("decided")
    before = _ledger_size(app)
    for url in ("/public/reports/2025.pdf", "/public/reports/2025.xlsx"):
        assert client.get(url).status_code == 404
    assert _ledger_size(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count(AnnualReport.id))) == 0


def test_publishing_the_annual_report_is_a_supervisors_act(app, client, decided, make_user, login_as):
    from tests.helpers import extract_csrf

    ids = decided("decided")
    supervisor = make_user(roles=["supervisor"], username="sfj_pub")
    # A head of agency may not publish it (API), a supervisor may (HTML form, then API again: same files).
    login_as(client, ids["head"])
    token = extract_csrf(client.get("/publicity/").get_data(as_text=True))
    resp = client.post("/api/publicity/annual-reports/2025", headers={"X-CSRFToken": token})
    assert resp.status_code == 403
    assert client.get("/public/reports/2025.pdf").status_code == 404
    other = app.test_client()
    login_as(other, supervisor)
    page = other.get("/publicity/").get_data(as_text=True)
    assert "发布年度统计年报" in page
    before = _ledger_size(app)
    resp = other.post("/publicity/annual-reports", data={"csrf_token": extract_csrf(page), "year": "2025"})
    assert resp.status_code == 302
    assert _ledger_size(app) == before + 2  # the PDF and the .xlsx, each entered once
    pdf = client.get("/public/reports/2025.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    again = other.post("/api/publicity/annual-reports/2025",
                       headers={"X-CSRFToken": extract_csrf(other.get("/publicity/").get_data(as_text=True))})
    assert again.status_code == 201 and {r["fmt"] for r in again.get_json()} == {"pdf", "xlsx"}
    assert _ledger_size(app) == before + 2


def test_the_cli_publishes_as_a_named_supervisor(app, decided, make_user):
    decided("decided")
    make_user(roles=["supervisor"], username="sfj_cli")
    make_user(roles=["admin"], username="root_cli")
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["publicity", "annual-report", "--year", "2025", "--as", "root_cli"])
    assert refused.exit_code != 0 and "执法监督" in refused.output
    done = runner.invoke(args=["publicity", "annual-report", "--year", "2025", "--as", "sfj_cli"])
    assert done.exit_code == 0, done.output
    assert "pdf" in done.output and "xlsx" in done.output
