"""The web shell: home page per role, health check, errors rendered once as HTML and once as JSON."""
import pytest

from app import create_app
from app.config import ProductionConfig


@pytest.mark.parametrize("roles, expected", [
    (["officer"], "执法人员"), (["reviewer"], "法制审核人员"), (["head"], "机关负责人"),
    (["supervisor"], "执法监督人员"), (["admin"], "系统管理员"),
])
def test_home_page_per_role(client, make_agency, make_user, login_as, roles, expected):
    agency = make_agency(name="临江市市场监督管理局") if roles[0] not in ("supervisor", "admin") else None
    login_as(client, make_user(roles=roles, agency=agency, full_name="周静"))
    resp = client.get("/")
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    assert "周静" in body and expected in body
    assert ("临江市市场监督管理局" in body) == (agency is not None)
    assert 'name="viewport"' in body  # usable on a phone


def test_anonymous_home_redirects_to_login(client):
    resp = client.get("/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login")
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_healthz_reports_database_and_storage(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok", "checks": {"database": "ok", "storage": "ok"}}


def test_healthz_reports_a_broken_store(app_config, tmp_path):
    # A store whose root is a regular file cannot hold objects: health must say so, not crash.
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    broken = create_app({**app_config, "STORAGE_FS_ROOT": str(blocker / "objects")})
    resp = broken.test_client().get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json()["checks"]["storage"].startswith("error")


def test_unknown_page_html_and_json(client):
    resp = client.get("/no/such/page")
    assert resp.status_code == 404 and "页面不存在" in resp.get_data(as_text=True)
    resp = client.get("/api/no/such/thing")
    assert resp.status_code == 404
    assert resp.get_json() == {"error": "not_found", "message": "页面不存在"}


def test_unexpected_error_shows_no_trace(app_config):
    broken = create_app(app_config)
    broken.config["PROPAGATE_EXCEPTIONS"] = False

    @broken.route("/boom")
    def boom():
        raise RuntimeError("secret internals /etc/passwd")

    resp = broken.test_client().get("/boom")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 500 and "系统内部错误" in body
    assert "Traceback" not in body and "secret internals" not in body
    resp = broken.test_client().get("/boom", headers={"Accept": "application/json"})
    assert resp.get_json() == {"error": "internal_error", "message": "系统内部错误，请稍后再试"}


def test_database_down_gives_a_clear_page(app_config, tmp_path):
    down = create_app({**app_config, "SQLALCHEMY_DATABASE_URI":
                       "postgresql+psycopg://nobody:x@127.0.0.1:1/none?connect_timeout=2"})
    down.config["PROPAGATE_EXCEPTIONS"] = False
    resp = down.test_client().get("/login", headers={"Accept": "text/html"})
    assert resp.status_code in (200, 503)  # the login form itself needs no database
    resp = down.test_client().post("/api/auth/tokens", json={"username": "a", "password": "b"})
    assert resp.status_code == 503
    assert resp.get_json()["error"] == "database_unavailable"


def test_production_refuses_to_start_without_settings(monkeypatch):
    for name in ("SECRET_KEY", "DATABASE_URL", "STORAGE_FS_ROOT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SANXIANG_ENV", "production")
    with pytest.raises(RuntimeError) as err:
        create_app()
    assert "SECRET_KEY" in str(err.value) and "DATABASE_URL" in str(err.value)


def test_production_s3_settings_are_required(monkeypatch):
    cfg = {"SECRET_KEY": "k", "STORAGE_BACKEND": "s3", "S3_ENDPOINT": "", "S3_ACCESS_KEY": "",
           "S3_SECRET_KEY": "", "S3_BUCKET": "b"}
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:p@127.0.0.1/db")
    with pytest.raises(RuntimeError) as err:
        ProductionConfig.validate(cfg)
    assert "S3_ENDPOINT" in str(err.value) and "S3_ACCESS_KEY" in str(err.value)


def test_feature_settings_come_from_the_environment(app_config, monkeypatch):
    """SPEC's *(default)* numbers are settings: an environment variable overrides a feature's default."""
    monkeypatch.setenv("REVIEW_WORKING_DAYS", "7")
    monkeypatch.setenv("RECORDING_UPLOAD_HOURS", "48")
    configured = create_app(app_config)
    assert configured.config["REVIEW_WORKING_DAYS"] == 7
    assert configured.config["RECORDING_UPLOAD_HOURS"] == 48
    monkeypatch.setenv("REVIEW_WORKING_DAYS", "five")
    with pytest.raises(RuntimeError) as err:
        create_app(app_config)
    assert "REVIEW_WORKING_DAYS" in str(err.value)
