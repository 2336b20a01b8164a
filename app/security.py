"""HTTP hardening: security headers on every response, a per-request CSP nonce for our own inline scripts.

The Content-Security-Policy allows only this origin's scripts, styles, images and media (no CDN: the
product runs on government intranets), plus inline <script nonce="{{ csp_nonce() }}"> blocks. HSTS is sent
only in production, where TLS terminates in front of the app. With TRUSTED_PROXIES > 0, werkzeug's ProxyFix
takes the client's address, scheme and host from that many X-Forwarded-* hops (and no more).
"""
import secrets
from urllib.parse import urlsplit

from flask import g


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def safe_next(target):
    """A same-site path to go back to, or None (SEC-10): `next` after login, and every form's return
    address. Browsers drop tabs and newlines inside a URL and read a backslash as a slash, so
    `/%09/evil.example` or `/\\evil.example` would leave the site: the target is normalised the way a
    browser would read it, then must be a plain path of this site."""
    if not target:
        return None
    cleaned = "".join(c for c in target if c >= " " and c != "\x7f").replace("\\", "/")
    if cleaned != target or not cleaned.startswith("/") or cleaned.startswith("//"):
        return None
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return None
    return cleaned


def init_app(app):
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    trusted = int(app.config.get("TRUSTED_PROXIES") or 0)
    if trusted > 0:
        # Behind `trusted` reverse proxies, the client's address is the one the outermost of them saw:
        # the login throttle and the custody log must see the person, not the proxy (SEC-4).
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted, x_host=trusted)

    @app.after_request
    def security_headers(response):
        nonce = g.get("csp_nonce")
        script = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
        response.headers.setdefault("Content-Security-Policy", (
            f"default-src 'self'; script-src {script}; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; font-src 'self' data:; "
            "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
