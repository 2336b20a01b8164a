"""Login, logout and the user's own API tokens (HTML)."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from app.auth import services
from app.auth.forms import EmptyForm, LoginForm, TokenForm
from app.auth.models import ApiToken
from app.auth.permissions import require_login
from app.errors import DomainError, NotFound
from app.extensions import db
from app.security import safe_next

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.username.data, form.password.data, ip=request.remote_addr or "")
        except DomainError as err:
            db.session.commit()  # the failed attempt and any lockout must be kept
            flash(err.message, "error")
            status = err.status if err.status in (423, 429) else 401
        else:
            target = safe_next(request.args.get("next"))
            sid = services.start_session(user, ip=request.remote_addr or "", replaces=session.get("sid"),
                                         user_agent=request.headers.get("User-Agent", ""))
            db.session.commit()
            session.clear()  # nothing of the anonymous session survives the login
            login_user(user)
            session["sid"] = sid
            flash(f"欢迎，{user.full_name}", "success")
            return redirect(target or url_for("web.home"))
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    services.end_session(session.get("sid"))  # the cookie is worth nothing from here on (SEC-14)
    db.session.commit()
    logout_user()
    session.clear()
    flash("您已安全退出", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/tokens", methods=["GET", "POST"])
@require_login
def tokens():
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        new_token, _ = services.issue_token(current_user, form.name.data)
        db.session.commit()
        flash("已生成API令牌。令牌只显示这一次，请立即复制保存。", "success")
    rows = db.session.scalars(select(ApiToken).where(ApiToken.user_id == current_user.id)
                              .order_by(ApiToken.created_at.desc())).all()
    return render_template("auth/tokens.html", form=form, tokens=rows, new_token=new_token,
                           revoke_form=EmptyForm())


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@require_login
def revoke(token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        raise NotFound("令牌不存在")
    services.revoke_token(token, current_user)
    db.session.commit()
    flash("令牌已吊销", "success")
    return redirect(url_for("auth.tokens"))
