import re

from flask import Blueprint, current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import text

from app.auth.forms import EmptyForm
from app.auth.models import ROLE_LABELS, Role
from app.extensions import db
from app.timeutil import local

bp = Blueprint("web", __name__, template_folder="templates")

#: Panels that features add to the home page: callables (user) -> dict(title=..., template=..., **ctx)
#: or None when the panel does not apply to that user.
HOME_PANELS = "sanxiang_home_panels"


NAV_ITEMS = "sanxiang_nav_items"


def add_home_panel(app, func):
    app.extensions.setdefault(HOME_PANELS, []).append(func)


def add_nav_item(app, label, endpoint, allowed=lambda user: True):
    """A link in the top bar, shown to the users for whom `allowed(user)` holds (a permission predicate)."""
    app.extensions.setdefault(NAV_ITEMS, []).append((label, endpoint, allowed))


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    panels = []
    for func in current_app.extensions.get(HOME_PANELS, []):
        panel = func(current_user)
        if panel:
            panels.append(panel)
    return render_template("web/home.html", panels=panels)


@bp.route("/healthz")
def healthz():
    """Liveness and readiness: the database answers and the object store is reachable."""
    checks = {}
    ok = True
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as err:  # report, never raise: this endpoint exists to say what is down
        db.session.rollback()
        checks["database"] = f"error: {type(err).__name__}"
        ok = False
    store = current_app.extensions.get("storage")
    if store is not None:
        try:
            store.check()
            checks["storage"] = "ok"
        except Exception as err:
            checks["storage"] = f"error: {type(err).__name__}"
            ok = False
    else:
        checks["storage"] = "not configured"
        ok = False
    return jsonify(status="ok" if ok else "error", checks=checks), 200 if ok else 503


def register_template_helpers(app):
    @app.context_processor
    def helpers():
        return {"ROLE_LABELS": ROLE_LABELS, "Role": Role, "logout_form": EmptyForm(), "nav_items": nav_items}

    def nav_items(user):
        return [{"label": label, "url": url_for(endpoint)}
                for label, endpoint, allowed in app.extensions.get(NAV_ITEMS, []) if allowed(user)]

    @app.template_filter("dt")
    def format_datetime(value):
        return local(value).strftime("%Y-%m-%d %H:%M") if value else ""

    @app.template_filter("d")
    def format_date(value):
        return value.strftime("%Y-%m-%d") if value else ""

    @app.template_filter("highlight")
    def highlight(value, terms):
        """`value` escaped, with each search term (case-insensitive) wrapped in <mark>."""
        text = "" if value is None else str(value)
        terms = sorted({t for t in (terms or []) if t}, key=len, reverse=True)
        if not terms:
            return escape(text)
        pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
        out, pos = [], 0
        for m in pattern.finditer(text):
            out += [escape(text[pos:m.start()]), Markup("<mark>%s</mark>") % m.group()]
            pos = m.end()
        out.append(escape(text[pos:]))
        return Markup("").join(out)
