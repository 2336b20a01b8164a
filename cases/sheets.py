"""The power list (权责清单) as a spreadsheet: reading an .xlsx, the template, and the all-or-nothing import.

Cells are parsed here (tiers "轻微:0-0;一般:500-2000", procedures "普通/简易", audio/video steps by their
Chinese names, major criteria "罚款≥50000或吊销许可证件"); every matter is then created through
`cases.services.create_matter`, so the sheet obeys the same rules as the form. A sheet with any bad row
imports nothing: the caller rolls back when `import_matters` raises.
"""
from __future__ import annotations

import io
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from app.errors import DomainError, InvalidInput
from cases.models import PENALTY_KINDS, STEP_LABELS, Procedure, StepKind

COLUMNS = ["事项编码", "事项名称", "执法类别", "违法依据", "处罚依据", "裁量档次", "适用程序", "需音像记录环节",
           "重大标准"]
REQUIRED_COLUMNS = COLUMNS[:7]
MAX_ROWS = 2000

EXAMPLE_ROW = ["CG-001", "擅自占用城市道路", "城市管理", "《城市道路管理条例》第二十七条第（五）项",
               "《城市道路管理条例》第四十二条", "轻微:0-0;一般:500-2000;较重:2000-5000;严重:5000-10000",
               "普通/简易", "现场检查、查封扣押", "罚款≥50000或吊销许可证件"]

PROCEDURE_NAMES = {"普通": Procedure.ordinary.value, "普通程序": Procedure.ordinary.value,
                   "ordinary": Procedure.ordinary.value, "简易": Procedure.summary.value,
                   "简易程序": Procedure.summary.value, "summary": Procedure.summary.value}

STEP_ALIASES = {"现场检查": "inspection", "检查": "inspection", "勘验": "inspection", "询问": "inquiry",
                "抽样": "sampling", "抽样取证": "sampling", "先行登记保存": "evidence_preservation",
                "证据保存": "evidence_preservation", "查封扣押": "seizure", "查封": "seizure", "扣押": "seizure",
                "强制拆除": "forced_demolition", "拆除": "forced_demolition", "听证": "hearing",
                "集体讨论": "discussion", "送达": "service", "留置送达": "service", "公告送达": "service"}
PENALTY_ALIASES = {"吊销许可证": "revoke_licence", "吊销许可证件": "revoke_licence", "吊销执照": "revoke_licence",
                   "暂扣许可证件": "suspend_licence", "责令停产停业": "suspend_business", "停产停业": "suspend_business",
                   "责令关闭": "close", "降低资质等级": "lower_qualification", "限制从业": "restrict_employment",
                   "没收违法所得": "confiscation", "警告": "warning"}

_SEP = re.compile(r"[;；\n]+")
_LIST_SEP = re.compile(r"[、,，/;；\s]+")


def _norm(text: str) -> str:
    return re.sub(r"[\s（）()、，,]", "", text or "")


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value).strip()


# --- cells --------------------------------------------------------------------------------------------------

def parse_tiers(cell: str) -> list[dict]:
    """"轻微:0-0;一般:500-2000" → [{"name": "轻微", "min": 0, "max": 0}, ...]; raises ValueError in Chinese."""
    tiers = []
    for part in _SEP.split(text(cell)):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"(.+?)\s*[:：]\s*([\d.]+)\s*[-—～~至]+\s*([\d.]+)\s*(元)?", part)
        if not m:
            raise ValueError(f"裁量档次“{part}”格式应为“名称:最低-最高”，如“一般:500-2000”")
        try:
            lo, hi = Decimal(m.group(2)), Decimal(m.group(3))
        except InvalidOperation:
            raise ValueError(f"裁量档次“{part}”金额无效") from None
        tiers.append({"name": m.group(1).strip(), "min": _number(lo), "max": _number(hi)})
    if not tiers:
        raise ValueError("请至少填写一个裁量档次")
    return tiers


def _number(d: Decimal):
    return int(d) if d == d.to_integral_value() else float(d)


def format_tiers(tiers) -> str:
    return ";".join(f"{t['name']}:{t.get('min', 0)}-{t.get('max', 0)}" for t in tiers or [])


def parse_procedures(cell: str) -> list[str]:
    out = []
    for part in _LIST_SEP.split(text(cell)):
        if not part:
            continue
        value = PROCEDURE_NAMES.get(part)
        if value is None:
            raise ValueError(f"适用程序“{part}”无效，应为“普通”或“简易”")
        if value not in out:
            out.append(value)
    if not out:
        raise ValueError("请填写适用程序（普通/简易）")
    return out


def parse_av_steps(cell: str) -> list[str]:
    labels = {_norm(label): kind.value for kind, label in STEP_LABELS.items()}
    out = []
    for part in re.split(r"[,，;；/\s]+", text(cell)):
        if not part:
            continue
        # "查封、扣押" is one step but "现场检查、查封扣押" is two: try the whole piece first.
        pieces = [part] if _norm(part) in labels or _norm(part) in STEP_ALIASES else part.split("、")
        for piece in pieces:
            key = _norm(piece)
            if not key:
                continue
            kind = STEP_ALIASES.get(key) or labels.get(key) or (key if key in StepKind.__members__ else None)
            if kind is None:
                raise ValueError(f"需音像记录环节“{piece}”无法识别（可填：现场检查、询问、抽样取证、先行登记保存、"
                                 "查封扣押、强制拆除、听证、送达）")
            if kind not in out:
                out.append(kind)
    return out


def parse_major(cell: str) -> dict:
    """"罚款≥50000或吊销许可证件" → {"fine_at_least": 50000, "penalties": ["revoke_licence"], "note": ...}."""
    raw = text(cell)
    if not raw:
        return {}
    criteria = {"note": raw}
    m = re.search(r"罚款\s*(?:金额)?\s*(?:≥|>=|＞=|达到|在)?\s*([\d.]+)\s*(万)?\s*元?", raw)
    if m:
        amount = Decimal(m.group(1)) * (10000 if m.group(2) else 1)
        criteria["fine_at_least"] = _number(amount)
    labels = {label: key for key, label in PENALTY_KINDS.items()}
    labels.update(PENALTY_ALIASES)
    found = [key for label, key in labels.items() if label in raw and key != "fine"]
    if found:
        criteria["penalties"] = sorted(set(found))
    return criteria


def format_major(criteria) -> str:
    criteria = criteria or {}
    if criteria.get("note"):
        return criteria["note"]
    parts = []
    if criteria.get("fine_at_least") is not None:
        parts.append(f"罚款≥{criteria['fine_at_least']}")
    parts += [PENALTY_KINDS.get(p, p) for p in criteria.get("penalties") or []]
    return "或".join(parts)


# --- the workbook ----------------------------------------------------------------------------------------------

def read_rows(data: bytes) -> list[tuple[int, dict]]:
    """[(row_number, {header: value})] of the first sheet (the header is row 1); blank rows skipped."""
    from app.sheets import read_xlsx_table

    table = read_xlsx_table(data, max_rows=MAX_ROWS)  # streaming, limits, no DTD (SEC-6, SEC-16)
    if not table:
        raise InvalidInput("表格为空", details={"fields": {"file": ["表格为空"]}})
    headers = [text(h) for h in table[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    if missing:
        raise InvalidInput("表格缺少列：" + "、".join(missing), details={"fields": {"file": ["缺少列：" + "、".join(missing)]}})
    rows = []
    for number, raw in enumerate(table[1:], start=2):
        values = {h: raw[i] if i < len(raw) else None for i, h in enumerate(headers) if h}
        if all(text(v) == "" for v in values.values()):
            continue
        rows.append((number, values))
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"一次最多导入{MAX_ROWS}行")
    if not rows:
        raise InvalidInput("表格中没有事项", details={"fields": {"file": ["表格中没有事项"]}})
    return rows


def template_workbook() -> bytes:
    """The import template: the header, one example row and a sheet explaining each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "权责清单"
    ws.append(COLUMNS)
    ws.append(EXAMPLE_ROW)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGHI", (10, 24, 10, 36, 30, 44, 12, 22, 26)):
        ws.column_dimensions[column].width = width
    help_ = wb.create_sheet("填写说明")
    for row in (
        ("列", "说明"),
        ("事项编码", "本机关内唯一，如 CG-001"),
        ("执法类别", "须在本机关的执法类别之内，如 城市管理、市场监管"),
        ("裁量档次", "名称:最低-最高，多个档次用分号分隔，如 轻微:0-0;一般:500-2000"),
        ("适用程序", "普通 或 简易，可同时填写，如 普通/简易"),
        ("需音像记录环节", "除查封扣押、强制拆除、现场检查、先行登记保存、听证外另需音像记录的环节，用顿号分隔"),
        ("重大标准", "重大执法决定法制审核标准，如 罚款≥50000或吊销许可证件"),
        ("导入规则", "任何一行有误则整表不导入，并列出有误的行号和原因"),
    ):
        help_.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- the import ---------------------------------------------------------------------------------------------

def parse_row(values: dict) -> dict:
    """One row as keyword arguments of `create_matter`; raises InvalidInput listing every bad cell."""
    errors = []
    out = {"code": text(values.get("事项编码")), "name": text(values.get("事项名称")),
           "category": text(values.get("执法类别")), "legal_basis": text(values.get("违法依据")),
           "penalty_basis": text(values.get("处罚依据"))}
    for key, column in (("code", "事项编码"), ("name", "事项名称"), ("category", "执法类别"),
                        ("legal_basis", "违法依据"), ("penalty_basis", "处罚依据")):
        if not out[key]:
            errors.append(f"“{column}”为空")
    for key, column, parser in (("tiers", "裁量档次", parse_tiers), ("procedures", "适用程序", parse_procedures),
                                ("av_steps", "需音像记录环节", parse_av_steps),
                                ("major_criteria", "重大标准", parse_major)):
        try:
            out[key] = parser(values.get(column))
        except ValueError as err:
            errors.append(str(err))
    if errors:
        raise InvalidInput("；".join(errors))
    return out


def import_matters(agency, data: bytes, *, actor, publish_on: date | None = None) -> list:
    """Create every matter of the sheet (and publish them on `publish_on` if given), or none.

    Raises InvalidInput with details {"rows": [{"row": 3, "errors": [...]}]} if any row is bad; the caller
    rolls back whatever the good rows flushed.
    """
    from cases import services

    rows = read_rows(data)
    created, bad = [], []
    for number, values in rows:
        try:
            fields = parse_row(values)
            version = services.create_matter(agency=agency, actor=actor, **fields)
            if publish_on is not None:
                services.publish_matter(version, on=publish_on, actor=actor)
            created.append(version)
        except InvalidInput as err:
            bad.append({"row": number, "errors": _messages(err)})
        except DomainError as err:  # a permission refusal applies to the whole sheet
            raise err
    if bad:
        raise InvalidInput(f"权责清单有{len(bad)}行有误，整表未导入："
                           + "；".join(f"第{b['row']}行：{'，'.join(b['errors'])}" for b in bad),
                           details={"rows": bad})
    return created


def _messages(err: InvalidInput) -> list[str]:
    message = err.message
    if message.startswith("执法事项信息有误："):
        message = message.split("：", 1)[1]
    return [message]
