"""The annual statistics report (统计年报, SPEC §3) as PDF (app.pdf) and .xlsx (openpyxl), rendered from
`queries.statistics`. Storing and hashing the file is `services.annual_report`'s business."""
from __future__ import annotations

import io
from decimal import Decimal

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def render(year: int, fmt: str) -> bytes:
    from publicity import queries

    stats = queries.statistics(year)
    return render_pdf(stats) if fmt == "pdf" else render_xlsx(stats)


def render_pdf(stats) -> bytes:
    from app.pdf import render_pdf as pdf
    from app.timeutil import today_china
    from publicity import charts

    return pdf("publicity/pdf/annual_report.html", stats=stats,
               chart_agency=charts.bar_chart([(k.removeprefix("临江市"), v["decisions"]) for k, v in stats["by_agency"].items()],
                                             title="各执法主体处罚决定件数", unit="件"),
               chart_category=charts.bar_chart([(k, v["fines"]) for k, v in stats["by_category"].items()],
                                               title="各执法类别罚款金额", unit="元"),
               agency_name="临江市行政执法统计年报", title=f"{stats['year']}年度行政执法统计年报",
               doc_number=None, issued_on=today_china(), seal="none")


def render_xlsx(stats) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "总体情况"
    bold = Font(bold=True)
    ws.append([f"{stats['year']}年度行政执法统计年报"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["作出行政处罚决定（件）", stats["total"]["decisions"]])
    ws.append(["罚没款金额（元）", float(stats["total"]["fines"])])
    for title, rows in (("办理结果", stats["outcomes"]), ("法制审核", stats["reviews"]),
                        ("事后公开", stats["publications"])):
        ws.append([])
        ws.append([title, "件数"])
        ws.cell(ws.max_row, 1).font = bold
        for label, n in rows.items():
            ws.append([label, n])
    for title, rows in stats.get("sections", []):
        ws.append([])
        ws.append([title, ""])
        ws.cell(ws.max_row, 1).font = bold
        for label, value in rows.items():
            ws.append([label, value])
    for sheet_title, key in (("按执法主体", "by_agency"), ("按执法类别", "by_category")):
        s = wb.create_sheet(sheet_title)
        s.append([sheet_title[1:], "处罚决定（件）", "罚款金额（元）"])
        for c in s[1]:
            c.font = bold
        for name, row in stats[key].items():
            s.append([name, row["decisions"], float(row["fines"])])
        s.column_dimensions["A"].width = 36
    s = wb.create_sheet("按处罚种类")
    s.append(["处罚种类", "件数"])
    for label, n in stats["by_penalty"].items():
        s.append([label, n])
    s.column_dimensions["A"].width = 30
    ws.column_dimensions["A"].width = 36
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def money(value) -> str:
    return f"{Decimal(value or 0):,.2f}"
