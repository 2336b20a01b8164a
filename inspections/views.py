"""HTML pages of coercive measures: the panel on the case page, a measure with the actions the user may take,
the request form, and the supervisor view. Forms post to the same services as the JSON API; a refusal is
flashed with its legal reason and nothing is written."""
from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user

from app.auth.permissions import require_login
from app.errors import DomainError, InvalidInput, NotFound
from app.extensions import db
from app.timeutil import today_china
from cases import permissions as case_permissions
from cases import services as case_services
from inspections import measure_terms as terms
from inspections import measures, queries
from inspections.measures import RELEASE_GROUNDS, item_rows
from inspections.models import EVENT_LABELS, MEASURE_LABELS, MeasureStatus

bp = Blueprint("inspections", __name__, template_folder="templates")


def case_panel(case, user):
    rows = queries.measures_of_case(case)
    lines = [f"{m.label}（第{m.id}号）：{m.status_label}" + (f"，期限至{m.term_end.isoformat()}" if m.term_end else "")
             for m in rows]
    links = [(f"{m.label}第{m.id}号", url_for("inspections.measure_page", measure_id=m.id)) for m in rows]
    if case_permissions.can_edit_case(user, case):
        links.append(("采取行政强制措施", url_for("inspections.new_measure", case_id=case.id)))
    if not rows and len(links) == 0:
        return None
    return {"title": "行政强制措施", "lines": lines or ["本案尚未采取行政强制措施"], "links": links}


def _load(measure_id):
    m = queries.get_measure(measure_id)
    if m is None or not measures.can_view(current_user, m):
        raise NotFound("行政强制措施不存在")
    return m


def _items_from_form(form) -> list[dict]:
    items = []
    names = form.getlist("item_name")
    for i, name in enumerate(names):
        if not name.strip():
            continue
        def pick(key):
            values = form.getlist(key)
            return values[i] if i < len(values) else ""
        items.append({"name": name, "spec": pick("item_spec"), "quantity": pick("item_quantity"),
                      "unit": pick("item_unit"), "place": pick("item_place"), "condition": pick("item_condition")})
    return items


@bp.route("/cases/<int:case_id>/measures/new", methods=["GET", "POST"])
@require_login
def new_measure(case_id):
    case = case_services.get_case(case_id)
    case_services.ensure_can_view(current_user, case)
    if request.method == "POST":
        form = request.form
        data = {"kind": form.get("kind"), "reason": form.get("reason"), "basis": form.get("basis"),
                "storage_place": form.get("storage_place"), "emergency": form.get("emergency") == "1",
                "emergency_reason": form.get("emergency_reason"), "items": _items_from_form(form)}
        try:
            m = measures.request_measure(case, data, actor=current_user)
            db.session.commit()
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
            return render_template("inspections/measure_new.html", case=case, kinds=MEASURE_LABELS,
                                   form=form), err.status
        flash(f"已登记{m.label}申请（第{m.id}号）", "success")
        return redirect(url_for("inspections.measure_page", measure_id=m.id))
    return render_template("inspections/measure_new.html", case=case, kinds=MEASURE_LABELS, form={})


@bp.get("/measures/<int:measure_id>")
@require_login
def measure_page(measure_id):
    m = _load(measure_id)
    docs = [d for d in m.case.documents if d.number in {e.document_number for e in m.events}
            or (m.step_id and d.step_id == m.step_id)]
    return render_template("inspections/measure.html", m=m, items=item_rows(m), docs=docs,
                           event_labels=EVENT_LABELS,
                           grounds=RELEASE_GROUNDS, today=today_china(),
                           can_act=measures.can_act(current_user, m),
                           can_approve=measures.can_approve(current_user, m), MeasureStatus=MeasureStatus)


ACTIONS = {
    "decision": lambda m, f: measures.decide_request(m, approve=f.get("approve") == "1", actor=current_user,
                                                     note=f.get("note") or ""),
    "take": lambda m, f: measures.take_measure(m, {
        "started_at": f.get("started_at"), "ended_at": f.get("ended_at"), "place": f.get("place"),
        "target": f.get("target"), "signature": f.get("signature") or "signed",
        "refusal_note": f.get("refusal_note"), "witness": f.get("witness"), "content": f.get("content")},
        actor=current_user),
    "report": lambda m, f: measures.report_emergency(m, actor=current_user, note=f.get("note") or "",
                                                     late_reason=f.get("late_reason") or ""),
    "complete": lambda m, f: measures.complete_record(m, actor=current_user),
    "extension": lambda m, f: terms.extend(m, actor=current_user, days=f.get("days"), reason=f.get("reason"),
                                           on=f.get("on") or None),
    "testing": lambda m, f: terms.add_testing(m, actor=current_user, start=f.get("start"), end=f.get("end"),
                                              purpose=f.get("purpose"), on=f.get("on") or None),
    "release": lambda m, f: terms.release(m, {
        "ground": f.get("ground"), "note": f.get("note"), "signature": f.get("signature") or "signed",
        "witness": f.get("witness"), "place": f.get("place"), "started_at": f.get("started_at") or None,
        "items": _release_items(m, f)}, actor=current_user),
}


def _release_items(m, form):
    lines = []
    for item in m.items:
        q = (form.get(f"release_{item.id}") or "").strip()
        if q and q != "0":
            lines.append({"item_id": item.id, "quantity": q})
    if not lines:
        raise InvalidInput("请填写要解除退还的物品数量")
    return lines


@bp.post("/measures/<int:measure_id>/<action>")
@require_login
def act(measure_id, action):
    m = _load(measure_id)
    handler = ACTIONS.get(action)
    if handler is None:
        raise NotFound("没有该操作")
    try:
        handler(m, request.form)
        db.session.commit()
        flash("已办理", "success")
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
    return redirect(url_for("inspections.measure_page", measure_id=measure_id))


@bp.post("/measures/<int:measure_id>/items/<int:item_id>/photos")
@require_login
def upload_photo(measure_id, item_id):
    """An item's photo (multipart field `photo`): stored, hashed, entered in the ledger."""
    m = _load(measure_id)
    upload = request.files.get("photo")
    try:
        measures.add_item_photo(m, item_id, filename=upload.filename if upload else "",
                                data=upload.read() if upload else b"", actor=current_user)
        db.session.commit()
        flash("已上传物品照片", "success")
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
    return redirect(url_for("inspections.measure_page", measure_id=measure_id))


@bp.get("/measures/<int:measure_id>/items/<int:item_id>/photos/<int:index>")
@require_login
def photo(measure_id, item_id, index):
    m = _load(measure_id)
    meta, chunks = measures.item_photo(m, item_id, index)
    resp = Response(stream_with_context(chunks), mimetype=meta.get("content_type") or "image/jpeg")
    resp.headers["X-Content-SHA256"] = meta["sha256"]
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.get("/measures")
@require_login
def overview():
    data = queries.overview(current_user)
    return render_template("inspections/overview.html", data=data, json=json)
