"""Domain errors and the one place that turns any error into a page or a JSON answer.

Every business rule that refuses something raises a DomainError subclass with a stable code and a Chinese
message (quoting the rule from SPEC where there is one). Views, the JSON API and the CLI all see the same
error; `register_error_handlers` renders it once as HTML and once as JSON.
"""
import logging

from flask import flash, jsonify, render_template, request
from marshmallow import Schema, ValidationError, fields
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A refusal by a business rule. `code` is stable and English; `message` is Chinese for users."""

    code = "domain_error"
    status = 400
    message = "请求无法处理"

    def __init__(self, message=None, *, code=None, status=None, details=None):
        super().__init__(message or self.message)
        self.message = message or self.message
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details or {}

    def to_dict(self):
        body = {"error": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class NotFound(DomainError):
    code = "not_found"
    status = 404
    message = "未找到该记录"


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403
    message = "您没有执行此操作的权限"


class AuthenticationRequired(DomainError):
    code = "authentication_required"
    status = 401
    message = "请先登录"


class InvalidInput(DomainError):
    """Field-level validation failure outside marshmallow (e.g. a form)."""

    code = "invalid_input"
    status = 422
    message = "提交的内容有误"


class Conflict(DomainError):
    code = "conflict"
    status = 409
    message = "与已有记录冲突"


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status = 409
    message = "当前状态不允许此操作"


class CertificateInvalid(DomainError):
    code = "certificate_invalid"
    status = 422
    message = "执法证件不符合要求"


class EntrustmentInvalid(DomainError):
    code = "entrustment_invalid"
    status = 422
    message = "受委托组织只能在委托范围和期限内以委托机关名义实施（行政处罚法第二十条）"


class ReviewRequired(DomainError):
    code = "review_required"
    status = 409
    message = "重大执法决定未经法制审核或者审核未通过的，不得作出决定（行政处罚法第五十八条）"


class TooManyAttempts(DomainError):
    code = "too_many_attempts"
    status = 429
    message = "尝试次数过多，请稍后再试"


class StorageError(DomainError):
    code = "storage_error"
    status = 503
    message = "对象存储暂时不可用"


class WriteOnceViolation(DomainError):
    code = "write_once"
    status = 409
    message = "原始证据一经存储不得覆盖或修改"


class FutureDate(InvalidInput):
    """A legal date or time of an act later than now (SPEC §4.1: records say when the act happened)."""

    code = "future_date"


class ExtensionTooLate(InvalidTransition):
    """APL Art 60, SPEC §11: an extension is approved before the period it extends has run out."""

    code = "extension_too_late"


class ErrorSchema(Schema):
    """What every JSON error answer looks like (`_render`); the OpenAPI document describes errors with it."""

    error = fields.String(required=True, metadata={"description": "stable English code, e.g. permission_denied"})
    message = fields.String(required=True, metadata={"description": "the reason, in Chinese"})
    details = fields.Dict(metadata={"description": "field errors (`fields`) and other particulars"})


HTTP_MESSAGES = {
    400: "请求格式有误",
    401: "请先登录",
    403: "您没有访问此页面的权限",
    404: "页面不存在",
    405: "不支持该请求方法",
    413: "上传内容超过大小限制",
    415: "不支持的内容类型",
    422: "提交的内容有误",
    429: "请求过于频繁，请稍后再试",
    500: "系统内部错误，请稍后再试",
    503: "服务暂时不可用，请稍后再试",
}


def wants_json():
    if request.path.startswith("/api/") or request.path.startswith("/public/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _render(status, code, message, details=None):
    if wants_json():
        body = {"error": code, "message": message}
        if details:
            body["details"] = details
        return jsonify(body), status
    public = request.path == "/public" or request.path.startswith(("/public/", "/verify/", "/ledger/"))
    return render_template("error.html", status=status, code=code, message=message, details=details or {},
                           public=public, back=_same_site_referrer()), status


def _same_site_referrer():
    """The page the user came from, if it is on this site (a plain link: the CSP forbids javascript: URLs)."""
    from urllib.parse import urlparse

    ref = urlparse(request.referrer or "")
    if ref.netloc != request.host or ref.scheme not in ("http", "https") or ref.path == request.path:
        return None
    return ref.path + ("?" + ref.query if ref.query else "")


def register_error_handlers(app):
    @app.errorhandler(DomainError)
    def handle_domain_error(err):
        return _render(err.status, err.code, err.message, err.details)

    @app.errorhandler(ValidationError)
    def handle_validation_error(err):
        fields = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        return _render(422, "validation_error", "提交的内容有误，请检查标注的字段", {"fields": fields})

    @app.errorhandler(HTTPException)
    def handle_http_error(err):
        status = err.code or 500
        details = None
        # flask-smorest/webargs put marshmallow field errors on the exception's data.
        data = getattr(err, "data", None) or {}
        if status == 422 and data.get("messages"):
            details = {"fields": data["messages"].get("json") or data["messages"]}
            return _render(422, "validation_error", "提交的内容有误，请检查标注的字段", details)
        if status == 400 and err.description and "CSRF" in str(err.description):
            return _render(400, "csrf_failed", "页面已过期或请求来源无法验证（CSRF），请刷新页面后重试")
        code = (err.name or "error").lower().replace(" ", "_")
        return _render(status, code, HTTP_MESSAGES.get(status, err.description or "请求无法处理"))

    @app.errorhandler(Exception)
    def handle_unexpected(err):
        # Never show a stack trace to a user: log it, answer with a generic message.
        log.exception("Unhandled error on %s %s", request.method, request.path)
        from app.extensions import db

        try:
            db.session.rollback()
        except Exception:  # the database itself may be down
            log.exception("rollback failed")
        if _is_out_of_range(err):
            return _render(422, "validation_error", "提交的数值超出允许范围")
        if _is_database_error(err):
            # The page must not need the database to say that it is down: the layout shows the current
            # user, and loading a logged-in user from the session would hit the database again.
            from flask import g
            from flask_login import AnonymousUserMixin

            g._login_user = AnonymousUserMixin()
            return _render(503, "database_unavailable", "数据库暂时不可用，请稍后再试")
        return _render(500, "internal_error", HTTP_MESSAGES[500])


def _is_out_of_range(err):
    """A number no column can hold (an id beyond 64 bits in a query or a body): the database refuses it,
    SQLite with OverflowError, PostgreSQL with a DataError. That is the caller's mistake, not ours."""
    from sqlalchemy.exc import DataError, StatementError

    if isinstance(err, OverflowError) or isinstance(getattr(err, "orig", None), OverflowError):
        return True
    return isinstance(err, (DataError, StatementError)) and "out of range" in str(getattr(err, "orig", err))


def _is_database_error(err):
    from sqlalchemy.exc import OperationalError, InterfaceError

    return isinstance(err, (OperationalError, InterfaceError))


def flash_error(err):
    """For views that catch a DomainError to re-render a form with the reason."""
    flash(err.message, "error")
