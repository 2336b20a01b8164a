"""Spreadsheets in and out, safely: the one reader of uploaded .xlsx files and the one cell filter of exports.

Reading (SEC-6, SEC-16): an .xlsx is a zip of XML parts, and both layers can lie. Before openpyxl sees the
file, the zip's declared sizes are checked (XLSX_MAX_UNCOMPRESSED_MB in all, no part inflating more than 200×)
and every XML part's prolog is checked for a DTD (`<!DOCTYPE`/`<!ENTITY`: entity expansion, external
entities) — refused with a 422, never a 500. The sheet is then read in openpyxl's read-only streaming mode
with its dimension record ignored (an inflated `A1:XFD1048576` would make every row 16,384 cells wide), at
most `max_columns` columns and `max_rows` data rows.

Writing (SEC-11): openpyxl turns a string starting with "=" into a formula, and Excel/WPS evaluate text
starting with = + - @ once the cell is edited, e.g. =HYPERLINK("http://evil", "点击"). `append_row` writes
such text as a string cell with Excel's quote prefix: shown exactly as written, never evaluated.
"""
from __future__ import annotations

import io
import re
import zipfile

from app.errors import InvalidInput

MAX_COLUMNS = 64
MAX_UNCOMPRESSED_MB = 100
MAX_RATIO = 200
_PROLOG_BYTES = 64 * 1024
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _refuse(message, reason):
    return InvalidInput(message, details={"fields": {"file": [reason]}})


def _check_zip(data: bytes, max_uncompressed: int):
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse("无法读取该 .xlsx 文件，请确认文件完整且为 Excel 格式", "无法读取") from None
    total = sum(i.file_size for i in infos)
    if total > max_uncompressed:
        raise _refuse(f"表格文件解压后超过{max_uncompressed // (1024 * 1024)}MB，请拆分后分批导入", "文件过大")
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _refuse("表格文件的压缩比异常（可能是压缩炸弹），未导入", "文件异常")
    for info in infos:
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        try:
            with zf.open(info) as part:
                head = part.read(_PROLOG_BYTES)
        except Exception:  # a broken member: let openpyxl's refusal speak
            continue
        if _DTD.search(head):
            raise _refuse("表格文件含有文档类型定义（DTD），出于安全原因不予读取，请在 Excel 中另存为 .xlsx 后重试",
                          "含有DTD")


def read_xlsx_table(data: bytes, *, max_rows: int, max_columns: int = MAX_COLUMNS,
                    max_uncompressed_mb: int = MAX_UNCOMPRESSED_MB) -> list[list]:
    """The first sheet's rows (header included) as lists of cell values, or InvalidInput (422)."""
    _check_zip(data, max_uncompressed_mb * 1024 * 1024)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken or non-xlsx file
        raise _refuse("无法读取该 .xlsx 文件，请确认文件完整且为 Excel 格式", "无法读取") from None
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # do not trust the dimension record: rows are read as they are
        table = []
        for row in ws.iter_rows(values_only=True, max_col=max_columns):
            table.append(list(row))
            if len(table) > max_rows + 1:  # + the header
                raise _refuse(f"一次最多导入{max_rows}行", f"超过{max_rows}行")
        # Trailing blank cells (a padded row) are not data.
        for row in table:
            while row and row[-1] in (None, ""):
                row.pop()
        return table
    except InvalidInput:
        raise
    except Exception:
        raise _refuse("无法读取该 .xlsx 文件的内容，请确认文件完整且为 Excel 格式", "无法读取") from None
    finally:
        wb.close()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(_FORMULA_START)


def append_row(ws, values):
    """Append a row to an openpyxl worksheet; text that looks like a formula stays text (SEC-11): written
    as a string cell with Excel's quote prefix, so that neither opening nor editing the cell evaluates it."""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        if is_formula_like(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True
