"""Reading and writing officer sheets (.xlsx and .csv). Pure I/O: cells in, strings and dates out.

Import columns use Chinese headers; a sheet row number is the spreadsheet's own (the header is row 1).
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

from app.errors import InvalidInput

#: Import/export columns, in order. Required columns are checked by the import service.
COLUMNS = ["姓名", "执法主体", "用工性质", "身份证号", "证件号", "证件类型", "执法类别", "执法区域",
           "发证日期", "有效期至", "最近年检年度", "发证机关", "备案日期", "法律职业资格证号",
           "法律职业资格取得日期", "用户名"]
REQUIRED_COLUMNS = ["姓名", "执法主体", "用工性质"]
EXPORT_EXTRA = ["证件状态", "今日核验", "不符合原因"]

MAX_ROWS = 5000


def read_rows(filename: str, data: bytes) -> tuple[list[str], list[tuple[int, dict]]]:
    """(headers, [(row_number, {header: text})]) of an .xlsx or .csv sheet; blank rows are skipped."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        table = _xlsx_table(data)
    elif name.endswith(".csv"):
        table = _csv_table(data)
    else:
        raise InvalidInput("仅支持 .xlsx 或 .csv 格式的表格", details={"fields": {"file": ["文件格式不支持"]}})
    if not table:
        raise InvalidInput("表格为空", details={"fields": {"file": ["表格为空"]}})
    headers = [_text(h) for h in table[0]]
    rows = []
    for index, raw in enumerate(table[1:], start=2):
        values = {h: raw[i] if i < len(raw) else None for i, h in enumerate(headers) if h}
        if all(_text(v) == "" for v in values.values()):
            continue
        rows.append((index, values))
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"一次最多导入{MAX_ROWS}行")
    return headers, rows


def _xlsx_table(data: bytes):
    from app.sheets import read_xlsx_table

    return read_xlsx_table(data, max_rows=MAX_ROWS)  # streaming, limits, no DTD (SEC-6, SEC-16)


def _csv_table(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("CSV 文件须为 UTF-8 编码", details={"fields": {"file": ["编码不是UTF-8"]}}) from None
    return [row for row in csv.reader(io.StringIO(text))]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


text = _text

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(value) -> date | None:
    """A date from a cell: a real date, 2024-01-05, 2024/1/5 or 2024年1月5日. ValueError if unreadable."""
    if value is None or _text(value) == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    m = _DATE.match(_text(value))
    if not m:
        raise ValueError(f"日期格式应为YYYY-MM-DD：{_text(value)}")
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(f"日期不存在：{_text(value)}") from None


def split_list(value) -> list[str]:
    """执法类别: separated by 、 , ， ; ； or spaces."""
    parts = re.split(r"[、,，;；\s]+", _text(value))
    out = []
    for p in parts:
        if p and p not in out:
            out.append(p)
    return out


def write_xlsx(headers: list[str], rows: list[list]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "执法人员"
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    from app.sheets import append_row

    for row in rows:
        append_row(ws, row)  # a name like =HYPERLINK(...) stays text (SEC-11)
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(10, len(header) * 2 + 4)
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
