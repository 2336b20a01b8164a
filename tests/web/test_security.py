"""Security headers on every answer, and the CSP nonce that our own inline scripts carry."""
import re

from app import create_app


def test_security_headers_on_pages_and_api(client):
    for url in ("/login", "/api/openapi.json", "/no/such/page"):
        resp = client.get(url)
        csp = resp.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["X-Frame-Options"] == "DENY"
        assert resp.headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in resp.headers  # only behind TLS in production


def test_inline_script_nonce_matches_the_header(client, make_agency, make_user, login_as):
    login_as(client, make_user(roles=["officer"], agency=make_agency()))
    first = client.get("/cases/new")
    assert first.status_code == 200
    nonces = re.findall(r'<script nonce="([^"]+)"', first.get_data(as_text=True))
    assert nonces, "the new-case page has an inline script"
    assert f"'nonce-{nonces[0]}'" in first.headers["Content-Security-Policy"]
    second = client.get("/cases/new")
    assert nonces[0] not in second.headers["Content-Security-Policy"]  # a fresh nonce per response


def test_every_inline_script_in_templates_carries_the_nonce():
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.glob("**/templates/**/*.html"):
        if ".venv" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "csp_nonce()" not in tag:
                offenders.append(f"{path.relative_to(root)}: {tag}")
        if re.search(r"\son(click|change|submit|load|input)=", text):
            offenders.append(f"{path.relative_to(root)}: inline event handler")
    assert offenders == [], "inline scripts the CSP would block: " + "; ".join(offenders)


def test_hsts_and_secure_cookies_in_production(app_config):
    prod = create_app({**app_config, "SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True})
    client = prod.test_client()
    resp = client.get("/login")
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = resp.headers.get("Set-Cookie", "")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_request_body_over_the_limit_is_413_json(client, app):
    saved = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        resp = client.post("/api/auth/tokens", data=b"x" * 4096, content_type="application/json")
        assert resp.status_code == 413
        assert resp.get_json()["message"] == "上传内容超过大小限制"
    finally:
        app.config["MAX_CONTENT_LENGTH"] = saved
