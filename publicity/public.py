"""The public site (no login, SPEC §3): before action, during action (links to the officers' verification
pages), after action (decisions, withdrawals), statistics and the annual report, the ledger's checkpoints;
the public JSON API under /public/api and the Atom feed.

Everything here is read through `publicity.queries.public_*` and dumped through `publicity.schemas`'
Public*Schema: no case, party or internal field reaches these pages. Pages are the same for everyone
(no session is read or written), so they carry a short public Cache-Control.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone

from flask import Blueprint, Response, current_app, jsonify, render_template, request, session, url_for

from app.errors import InvalidInput, NotFound
from app.timeutil import CHINA, today_china
from marshmallow import Schema, fields

from app.apidoc import PUBLIC, ObjectSchema, PageBlueprintDocs
from publicity import queries, schemas

bp = Blueprint("publicity_public", __name__, template_folder="templates")
#: The JSON under /public/api in the OpenAPI document (the routes stay in `bp`, beside their pages).
docs = PageBlueprintDocs("publicity_public", __name__,
                         description="公开：行政处罚决定、撤下记录、执法主体、权责清单、检查事项、统计（无需登录）")


def _q(name, description, schema=None):
    return {"in": "query", "name": name, "description": description, "schema": schema or {"type": "string"}}


FILTERS = [_q("q", "关键词"), _q("agency_id", "执法主体编号", {"type": "integer"}), _q("category", "执法类别"),
           _q("from", "决定日期起（YYYY-MM-DD）", {"type": "string", "format": "date"}),
           _q("to", "决定日期止（YYYY-MM-DD）", {"type": "string", "format": "date"})]


class ApiIndexSchema(Schema):
    endpoints = fields.Dict(keys=fields.String(), values=fields.String())


class DecisionPageSchema(Schema):
    page = fields.Integer()
    per_page = fields.Integer()
    has_next = fields.Boolean()
    next = fields.String(metadata={"description": "下一页的地址（有下一页时）"})
    items = fields.List(fields.Nested(schemas.PublicDecisionSchema))


class WithdrawnDecisionSchema(schemas.PublicWithdrawalSchema):
    withdrawn = fields.Boolean()


class WithdrawalListSchema(Schema):
    items = fields.List(fields.Nested(schemas.PublicWithdrawalSchema))


class AgencyListSchema(Schema):
    items = fields.List(fields.Nested(schemas.PublicAgencySchema))
    entrusted_organisations = fields.List(fields.Nested(schemas.PublicEntrustedSchema))


class PowerListSchema(Schema):
    items = fields.List(fields.Nested(schemas.PublicPowerSchema))


class InspectionItemListSchema(Schema):
    items = fields.List(fields.Nested(schemas.PublicInspectionItemSchema))

CACHE_SECONDS = 60


@bp.after_request
def _cache(resp):
    # The shell's context processor makes a CSRF token on every render; public pages hold no form that needs
    # it, and a Set-Cookie would make them uncacheable (and could leak one visitor's cookie through a cache).
    session.modified = False
    if request.method == "GET" and resp.status_code == 200 and "Cache-Control" not in resp.headers:
        resp.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return resp


def _date_arg(name):
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"日期格式应为YYYY-MM-DD：{value}", details={"fields": {name: ["日期格式无效"]}}) from None


def _filters():
    return {"q": (request.args.get("q") or "").strip()[:100] or None,
            "agency_id": request.args.get("agency_id", type=int),
            "category": (request.args.get("category") or "").strip() or None,
            "date_from": _date_arg("from"), "date_to": _date_arg("to")}


# --- home and before action -----------------------------------------------------------------------------

@bp.route("/public")
@bp.route("/public/")
def home():
    today = today_china()
    latest = queries.public_decisions(today, per_page=5).items
    return render_template("publicity/public/home.html", latest=latest, today=today)


@bp.route("/public/agencies")
def agencies():
    from app.agencies.rules import entrustment_problems
    from app.timeutil import today_china

    return render_template("publicity/public/agencies.html", agencies=queries.public_agencies(),
                           entrusted=queries.public_entrusted_organisations(), today=today_china(),
                           entrustment_problems=entrustment_problems)


@bp.route("/public/powers")
def powers():
    today = today_china()
    agency_id = request.args.get("agency_id", type=int)
    category = (request.args.get("category") or "").strip() or None
    return render_template("publicity/public/powers.html", powers=queries.public_powers(
        today, agency_id=agency_id, category=category), agencies=queries.public_agencies(),
        categories=queries.public_categories(), agency_id=agency_id, category=category)


@bp.route("/public/powers/<int:matter_id>")
def power(matter_id):
    version = queries.public_power(matter_id, today_china())
    if version is None:
        raise NotFound("该执法事项不存在或尚未公开")
    from cases.models import PENALTY_KINDS, PROCEDURE_LABELS, STEP_LABELS, StepKind

    return render_template("publicity/public/power.html", v=version, PENALTY_KINDS=PENALTY_KINDS,
                           PROCEDURE_LABELS={p.value: l for p, l in PROCEDURE_LABELS.items()},
                           STEP_LABELS={k.value: l for k, l in STEP_LABELS.items()}, StepKind=StepKind)


@bp.route("/public/procedures")
def procedures():
    from cases.documents import DEFAULTS

    settings = {k: current_app.config.get(k, v) for k, v in DEFAULTS.items()}
    return render_template("publicity/public/procedures.html", s=settings)


@bp.route("/public/inspections")
def inspections():
    agency_id = request.args.get("agency_id", type=int)
    return render_template("publicity/public/inspections.html", agencies=queries.public_agencies(),
                           items=queries.public_inspection_items(today_china(), agency_id), agency_id=agency_id)


@bp.route("/public/av-steps")
def av_steps():
    from cases.models import AV_ALWAYS, AV_DEFAULT, STEP_LABELS

    powers = [v for v in queries.public_powers(today_china()) if v.av_steps]
    return render_template("publicity/public/av_steps.html", always=[STEP_LABELS[k] for k in AV_ALWAYS],
                           default=[STEP_LABELS[k] for k in AV_DEFAULT], powers=powers,
                           STEP_LABELS={k.value: l for k, l in STEP_LABELS.items()})


@bp.route("/public/major-decisions")
def major_decisions():
    from cases.models import PENALTY_KINDS, SERIOUS_PENALTIES

    today = today_china()
    powers = [v for v in queries.public_powers(today) if v.major_criteria]
    return render_template("publicity/public/major.html", catalogues=queries.major_catalogues(today),
                           serious=[PENALTY_KINDS[p] for p in sorted(SERIOUS_PENALTIES)], powers=powers,
                           PENALTY_KINDS=PENALTY_KINDS)


# --- after action ---------------------------------------------------------------------------------------

@bp.route("/public/decisions")
def decisions():
    today = today_china()
    filters = _filters()
    page = queries.public_decisions(today, page=request.args.get("page", 1, type=int), count=True, **filters)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("publicity/public/decisions.html", page=page, filters=filters, args=args,
                           terms=queries.search_terms(filters.get("q")),
                           agencies=queries.public_agencies(), categories=queries.public_categories())


def _public_or_404(pub_id):
    pub = queries.public_decision(pub_id, today_china())
    if pub is None:
        raise NotFound("该决定未公开、已过公示期或不存在")
    return pub


@bp.route("/public/decisions/<int:pub_id>")
def decision(pub_id):
    pub = _public_or_404(pub_id)
    data = (schemas.PublicWithdrawalSchema() if pub.status == "withdrawn" else schemas.PublicDecisionSchema()).dump(pub)
    return render_template("publicity/public/decision.html", d=data, withdrawn=pub.status == "withdrawn")


@bp.route("/public/decisions/<int:pub_id>.pdf")
def decision_pdf(pub_id):
    pub = _public_or_404(pub_id)
    if pub.status != "published" or not pub.pdf_key:
        raise NotFound("该决定的公开文本不可下载")
    return _stored(pub.pdf_key, "application/pdf", f"decision-{pub.id}.pdf", pub.pdf_sha256)


def _stored(key, mime, filename, sha256):
    from app.storage import get_store

    resp = Response(b"".join(get_store().open(key)), mimetype=mime)  # small files: PDFs of a few pages
    resp.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    resp.headers["X-Content-SHA256"] = sha256
    resp.headers["Cache-Control"] = "public, max-age=86400"
    return resp


@bp.route("/public/withdrawals")
def withdrawals():
    rows = queries.public_withdrawals(today_china())
    return render_template("publicity/public/withdrawals.html",
                           rows=schemas.PublicWithdrawalSchema(many=True).dump(rows))


# --- statistics and the annual report -------------------------------------------------------------------

@bp.route("/public/statistics")
def statistics():
    from publicity import charts
    from publicity.services import report_due

    today = today_china()
    years = sorted(set(queries.years_with_decisions()) | {today.year, today.year - 1}, reverse=True)
    year = request.args.get("year", type=int) or today.year
    if year not in years:
        raise NotFound("没有该年度的统计")
    stats = queries.statistics(year)
    report_year = today.year - 1
    return render_template(
        "publicity/public/statistics.html", stats=stats, years=years, year=year, report_year=report_year,
        report_due=report_due(report_year), reports=queries.published_reports(),
        chart_agency=charts.bar_chart([(k.removeprefix("临江市"), v["decisions"]) for k, v in stats["by_agency"].items()],
                                      title="各执法主体处罚决定件数", unit="件"),
        chart_category=charts.bar_chart([(k, v["fines"]) for k, v in stats["by_category"].items()],
                                        title="各执法类别罚款金额", unit="元", color="#1d4ed8"),
        chart_penalty=charts.bar_chart(list(stats["by_penalty"].items()), title="处罚种类", unit="件",
                                       color="#15803d"))


@bp.route("/public/reports/<int:year>.<fmt>")
def annual_report(year, fmt):
    from publicity import reports, services

    report = services.published_report(year, fmt)  # read only: a supervisor publishes it (SEC-12)
    mime = "application/pdf" if fmt == "pdf" else reports.XLSX_MIME
    return _stored(report.storage_key, mime, f"annual-report-{year}.{fmt}", report.sha256)


# --- the ledger -----------------------------------------------------------------------------------------

@bp.route("/public/ledger")
def ledger():
    from app.ledger import services as ledger_services

    cp = ledger_services.latest_checkpoint()
    try:
        key = ledger_services.verifier_key()
    except ledger_services.LedgerKeyMissing:
        key = None
    return render_template("publicity/public/ledger.html", cp=cp, key=key, origin=ledger_services.origin())


# --- JSON API -------------------------------------------------------------------------------------------

@bp.route("/public/api")  # "/public/api/" too: API paths are served with and without the slash
@docs.documented()
@docs.response(200, ApiIndexSchema)
@docs.doc(**PUBLIC)
def api_index():
    """The public JSON endpoints."""
    return jsonify({"endpoints": {
        "decisions": url_for(".api_decisions", _external=True),
        "withdrawals": url_for(".api_withdrawals", _external=True),
        "agencies": url_for(".api_agencies", _external=True),
        "powers": url_for(".api_powers", _external=True),
        "inspections": url_for(".api_inspections", _external=True),
        "statistics": url_for(".api_statistics", _external=True),
        "officers": url_for("officers_public.directory_json", _external=True),
        "ledger_checkpoint": url_for("ledger_public_api.api_checkpoint", _external=True),
        "feed": url_for(".feed", _external=True)}})


@bp.route("/public/api/decisions")
@docs.documented()
@docs.response(200, DecisionPageSchema)
@docs.doc(parameters=[*FILTERS, _q("page", "页码", {"type": "integer", "minimum": 1}),
                      _q("per_page", "每页条数", {"type": "integer", "minimum": 1, "maximum": 100})], **PUBLIC)
def api_decisions():
    """Published decisions, newest first, page by page (follow `next`)."""
    today = today_china()
    page = queries.public_decisions(today, page=request.args.get("page", 1, type=int),
                                    per_page=request.args.get("per_page", 20, type=int), **_filters())
    body = {"page": page.page, "per_page": page.per_page, "has_next": page.has_next,
            "items": schemas.PublicDecisionSchema(many=True).dump(page.items)}
    if page.has_next:
        body["next"] = url_for(".api_decisions", **{**request.args.to_dict(), "page": page.page + 1},
                               _external=True)
    return jsonify(body)


@bp.route("/public/api/decisions/<int:pub_id>")
@docs.documented()
@docs.response(200, schemas.PublicDecisionSchema)
@docs.doc(**PUBLIC)
def api_decision(pub_id):
    """One published decision; a withdrawn one answers {"withdrawn": true, ...} with its reason only."""
    pub = _public_or_404(pub_id)
    if pub.status == "withdrawn":
        return jsonify({"withdrawn": True, **schemas.PublicWithdrawalSchema().dump(pub)})
    return jsonify(schemas.PublicDecisionSchema().dump(pub))


@bp.route("/public/api/withdrawals")
@docs.documented()
@docs.response(200, WithdrawalListSchema)
@docs.doc(**PUBLIC)
def api_withdrawals():
    """Decisions withdrawn from publication, with the reason."""
    return jsonify({"items": schemas.PublicWithdrawalSchema(many=True).dump(queries.public_withdrawals(today_china()))})


@bp.route("/public/api/agencies")
@docs.documented()
@docs.response(200, AgencyListSchema)
@docs.doc(**PUBLIC)
def api_agencies():
    """Enforcement agencies and the organisations they entrust."""
    return jsonify({"items": schemas.PublicAgencySchema(many=True).dump(queries.public_agencies()),
                    "entrusted_organisations": schemas.PublicEntrustedSchema(many=True).dump(
                        queries.public_entrusted_organisations())})


@bp.route("/public/api/powers")
@docs.documented()
@docs.response(200, PowerListSchema)
@docs.doc(parameters=[_q("agency_id", "执法主体编号", {"type": "integer"}), _q("category", "执法类别")], **PUBLIC)
def api_powers():
    """The list of powers and responsibilities in force."""
    rows = queries.public_powers(today_china(), agency_id=request.args.get("agency_id", type=int),
                                 category=request.args.get("category") or None)
    return jsonify({"items": schemas.PublicPowerSchema(many=True).dump(rows)})


@bp.route("/public/api/inspections")
@docs.documented()
@docs.response(200, InspectionItemListSchema)
@docs.doc(parameters=[_q("agency_id", "执法主体编号", {"type": "integer"})], **PUBLIC)
def api_inspections():
    """The inspection items in force."""
    rows = queries.public_inspection_items(today_china(), request.args.get("agency_id", type=int))
    return jsonify({"items": schemas.PublicInspectionItemSchema(many=True).dump(rows)})


@bp.route("/public/api/statistics")
@docs.documented()
@docs.response(200, ObjectSchema)
@docs.doc(parameters=[_q("year", "年度", {"type": "integer", "minimum": 1900, "maximum": 9999})], **PUBLIC)
def api_statistics():
    """The year's enforcement statistics (counts by kind, agency and month)."""
    year = request.args.get("year", type=int) or today_china().year
    if not 1900 <= year <= 9999:  # a year beyond any date the database holds was once a 500
        raise InvalidInput("年度应为1900至9999之间的四位数字", details={"fields": {"year": ["年度无效"]}})
    stats = queries.statistics(year)

    def plain(value):
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return str(value) if not isinstance(value, (int, str)) else value

    return jsonify(plain(stats))


# --- Atom feed ------------------------------------------------------------------------------------------

def _xml_text(value) -> str:
    """XML 1.0 cannot carry most control characters at all (lxml refuses them): drop them."""
    return "".join(c for c in str(value or "") if c in "\t\n\r" or (c >= " " and c not in "\ufffe\uffff"))


@bp.route("/public/feeds/decisions.atom")
def feed():
    today = today_china()
    items = queries.public_decisions(today, per_page=50, **_filters()).items
    data = schemas.PublicDecisionSchema(many=True).dump(items)

    def stamp(p):
        if p.published_at:
            return p.published_at.astimezone(timezone.utc) if p.published_at.tzinfo else p.published_at.replace(
                tzinfo=timezone.utc)
        return datetime.combine(p.decided_on, time(9), CHINA).astimezone(timezone.utc)

    updated = max((stamp(p) for p in items), default=datetime.combine(today, time(0), CHINA))
    # feedgen builds the XML with lxml: every text is escaped by the library (SEC-8: a title once closed
    # the entry and opened one of its own, and an "&" broke the whole feed).
    from feedgen.feed import FeedGenerator

    self_url = url_for(".feed", _external=True)
    fg = FeedGenerator()
    fg.id(self_url)
    fg.title("临江市行政处罚决定公开")
    fg.link(href=self_url, rel="self")
    fg.link(href=url_for(".decisions", _external=True), rel="alternate")
    fg.author({"name": "临江市行政执法“三项制度”公示平台"})
    fg.updated(updated)
    for p, d in zip(items, data):
        entry = fg.add_entry(order="append")
        entry.id(d["url"])
        entry.title(_xml_text(f"{d['decision_number']} {d['title']}"))
        entry.link(href=d["url"], rel="alternate")
        entry.link(href=d["pdf_url"], rel="enclosure", type="application/pdf")
        entry.updated(stamp(p))
        if d.get("category"):
            entry.category(term=_xml_text(d["category"]))
        entry.author({"name": _xml_text(d["agency"])})
        entry.summary(_xml_text(f"当事人：{d['party']}。{d['penalty']}。决定日期：{d['decided_on']}。"))
    body = fg.atom_str(pretty=True)
    return Response(body, mimetype="application/atom+xml")
