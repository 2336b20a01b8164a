"""Configuration classes. Every setting can be given as an environment variable of the same name."""
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("SANXIANG_INSTANCE", BASE_DIR / "instance"))


def _env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _env_bool(name, default):
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


class BaseConfig:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'sanxiang.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    JSON_AS_ASCII = False

    # Object storage: "fs" (local filesystem, embedded default) or "s3" (MinIO or any S3 endpoint).
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "fs")
    STORAGE_FS_ROOT = os.environ.get("STORAGE_FS_ROOT", str(INSTANCE_DIR / "objects"))
    S3_ENDPOINT = os.environ.get("S3_ENDPOINT", "")  # host:port, e.g. minio.internal:9000
    S3_ACCESS_KEY = os.environ.get("S3_ACCESS_KEY", "")
    S3_SECRET_KEY = os.environ.get("S3_SECRET_KEY", "")
    S3_BUCKET = os.environ.get("S3_BUCKET", "sanxiang-evidence")
    S3_SECURE = _env_bool("S3_SECURE", True)
    S3_REGION = os.environ.get("S3_REGION", "us-east-1")
    S3_CONNECT_TIMEOUT = _env_int("S3_CONNECT_TIMEOUT", 5)
    S3_READ_TIMEOUT = _env_int("S3_READ_TIMEOUT", 120)
    S3_RETRIES = _env_int("S3_RETRIES", 2)

    # Accounts (login throttling).
    LOGIN_MAX_FAILURES = _env_int("LOGIN_MAX_FAILURES", 5)
    LOGIN_LOCKOUT_MINUTES = _env_int("LOGIN_LOCKOUT_MINUTES", 15)
    LOGIN_IP_MAX_FAILURES = _env_int("LOGIN_IP_MAX_FAILURES", 20)
    LOGIN_IP_WINDOW_MINUTES = _env_int("LOGIN_IP_WINDOW_MINUTES", 15)
    # Many wrong passwords for one account from many addresses: a growing delay (2^n seconds, capped) for
    # addresses that never logged in to it; its owner's known addresses are not slowed down.
    LOGIN_ACCOUNT_DELAY_AFTER = _env_int("LOGIN_ACCOUNT_DELAY_AFTER", 10)
    LOGIN_BASE_DELAY_SECONDS = _env_int("LOGIN_BASE_DELAY_SECONDS", 1)  # delay = base × 2^(failures over)
    LOGIN_MAX_DELAY_SECONDS = _env_int("LOGIN_MAX_DELAY_SECONDS", 300)
    LOGIN_KNOWN_ADDRESS_DAYS = _env_int("LOGIN_KNOWN_ADDRESS_DAYS", 90)
    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host (werkzeug ProxyFix).
    # 0: the socket's peer is the client and forwarded headers are ignored (a client could forge them).
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)
    API_TOKEN_DAYS = _env_int("API_TOKEN_DAYS", 90)

    PERMANENT_SESSION_LIFETIME = timedelta(hours=_env_int("SESSION_HOURS", 8))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True

    # CSRF is checked for every unsafe request that is not authenticated by a bearer token (see app.auth).
    WTF_CSRF_CHECK_DEFAULT = False
    WTF_CSRF_TIME_LIMIT = None

    # Upload cap for a single request body (recordings use resumable chunks below this).
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 64 * 1024 * 1024)

    # JSON API / OpenAPI (flask-smorest).
    API_TITLE = "Sanxiang API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"

    # Ledger signing (Ed25519). The key lives outside the repository.
    LEDGER_ORIGIN = os.environ.get("LEDGER_ORIGIN", "sanxiang.linjiang.gov.cn/ledger")
    LEDGER_KEY_PATH = os.environ.get("LEDGER_KEY_PATH", str(INSTANCE_DIR / "ledger-signing.key"))
    # `file` (LEDGER_KEY_PATH) or `pkcs11` (the key never leaves a token: app/ledger/hsm.py).
    LEDGER_SIGNER = os.environ.get("LEDGER_SIGNER", "file")
    LEDGER_PKCS11_MODULE = os.environ.get("LEDGER_PKCS11_MODULE")
    LEDGER_PKCS11_TOKEN = os.environ.get("LEDGER_PKCS11_TOKEN")
    LEDGER_PKCS11_KEY = os.environ.get("LEDGER_PKCS11_KEY")
    LEDGER_PKCS11_PIN = os.environ.get("LEDGER_PKCS11_PIN")
    LEDGER_PKCS11_PIN_FILE = os.environ.get("LEDGER_PKCS11_PIN_FILE")
    LEDGER_CHECKPOINT_EVERY_ENTRIES = _env_int("LEDGER_CHECKPOINT_EVERY_ENTRIES", 100)
    LEDGER_CHECKPOINT_EVERY_MINUTES = _env_int("LEDGER_CHECKPOINT_EVERY_MINUTES", 60)
    # The longest an entry may stay outside every signed checkpoint: `flask ledger checkpoint-due`, run by
    # a timer (deploy/systemd/sanxiang-ledger-checkpoint.timer, or cron) more often than this, signs then.
    LEDGER_CHECKPOINT_MAX_UNSIGNED_MINUTES = _env_int("LEDGER_CHECKPOINT_MAX_UNSIGNED_MINUTES", 10)
    # Witnesses (C2SP tlog-witness): "<URL> <witness vkey>" per line or ";"-separated; the quorum of valid
    # cosignatures `flask ledger verify` requires on the latest checkpoint (0: none required).
    LEDGER_WITNESSES = os.environ.get("LEDGER_WITNESSES", "")
    LEDGER_WITNESS_QUORUM = _env_int("LEDGER_WITNESS_QUORUM", 0)
    # Signed documents (app/docsign): each agency's PAdES key and certificate live in this folder.
    DOCUMENT_SIGNING_DIR = os.environ.get("DOCUMENT_SIGNING_DIR", str(INSTANCE_DIR / "document-signing"))
    # Create a missing agency key on first use (development, tests, the demo); production refuses instead.
    DOCUMENT_SIGNING_AUTOCREATE = _env_bool("DOCUMENT_SIGNING_AUTOCREATE", True)
    DOCUMENT_CERT_YEARS = _env_int("DOCUMENT_CERT_YEARS", 10)

    # Certificate rules (SPEC §5). Defaults marked *(default)* in SPEC.
    CERT_INSPECTION_GRACE_MONTH = _env_int("CERT_INSPECTION_GRACE_MONTH", 3)
    CERT_INSPECTION_GRACE_DAY = _env_int("CERT_INSPECTION_GRACE_DAY", 31)
    CERT_REVOCATION_BAR_YEARS = _env_int("CERT_REVOCATION_BAR_YEARS", 2)
    REVIEWER_RATIO_PERCENT = _env_int("REVIEWER_RATIO_PERCENT", 5)

    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    TIMEZONE = os.environ.get("TIMEZONE", "Asia/Shanghai")


class DevelopmentConfig(BaseConfig):
    DEBUG = False  # the Werkzeug debugger shows stack traces; never on, even in development


class TestingConfig(BaseConfig):
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite:///:memory:")
    WTF_CSRF_ENABLED = True
    SERVER_NAME = None


class ProductionConfig(BaseConfig):
    DOCUMENT_SIGNING_AUTOCREATE = _env_bool("DOCUMENT_SIGNING_AUTOCREATE", False)
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def validate(cls, config):
        missing = [k for k in ("SECRET_KEY",) if not config.get(k)]
        if not os.environ.get("DATABASE_URL"):
            missing.append("DATABASE_URL")
        if config.get("STORAGE_BACKEND") == "s3":
            missing += [k for k in ("S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_BUCKET")
                        if not config.get(k)]
        elif config.get("STORAGE_BACKEND") == "fs":
            if not os.environ.get("STORAGE_FS_ROOT"):
                missing.append("STORAGE_FS_ROOT")
        else:
            missing.append("STORAGE_BACKEND (fs or s3)")
        if missing:
            raise RuntimeError("Production configuration is missing: " + ", ".join(missing))
        problem = ledger_key_problem(config)
        if problem:
            raise RuntimeError(problem)


def ledger_key_problem(config) -> str | None:
    """Why the production ledger key setting is unsafe, or None: the signing key never lives in the
    instance folder (beside the database and the uploads, where a copy of the folder would take it along)."""
    kind = (config.get("LEDGER_SIGNER") or "file").lower()
    if kind == "pkcs11":
        missing = [k for k in ("LEDGER_PKCS11_MODULE", "LEDGER_PKCS11_TOKEN", "LEDGER_PKCS11_KEY")
                   if not config.get(k)]
        if not (config.get("LEDGER_PKCS11_PIN") or config.get("LEDGER_PKCS11_PIN_FILE")):
            missing.append("LEDGER_PKCS11_PIN or LEDGER_PKCS11_PIN_FILE")
        return ("Production ledger signer (pkcs11) is missing: " + ", ".join(missing)) if missing else None
    if kind != "file":
        return f"LEDGER_SIGNER must be file or pkcs11, not {kind!r}"
    if not os.environ.get("LEDGER_KEY_PATH"):
        return "Production needs LEDGER_KEY_PATH (outside the instance folder) or LEDGER_SIGNER=pkcs11"
    key = Path(config["LEDGER_KEY_PATH"]).resolve()
    folder = Path(INSTANCE_DIR).resolve()
    if key == folder or folder in key.parents:
        return (f"LEDGER_KEY_PATH {key} is inside the instance folder {folder}: keep the signing key "
                f"elsewhere (a PKCS#11 token: LEDGER_SIGNER=pkcs11, or a root-owned path such as "
                f"/etc/sanxiang/ledger.key)")
    return None


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
