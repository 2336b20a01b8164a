"""The checkpoint signing key: where it lives (a key file, or a PKCS#11 token), its published history, and
rotation.

Rotation never invalidates the past. The old key signs a last checkpoint that includes the rotation's own
ledger entry, then a statement (a signed note, signed by the old key and by the new one) names both keys and
the tree size from which the new key signs. Every key stays published at /ledger/keys with the sizes and
times it was valid for, so every old checkpoint still verifies under the key of its time, and a verifier
that trusted the old key can follow the statement to the new one.
"""
import os
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from app.ledger import note
from app.ledger.models import LedgerKey

ROTATION_HEADER = "sanxiang-ledger-key-rotation/1"


class LedgerKeyMissing(DomainError):
    code = "ledger_key_missing"
    status = 503
    message = "台账签名密钥未配置，无法生成检查点（请运行 flask ledger keygen）"


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def origin() -> str:
    return current_app.config["LEDGER_ORIGIN"]


def key_path() -> str:
    return current_app.config["LEDGER_KEY_PATH"]


def signer_kind() -> str:
    return (current_app.config.get("LEDGER_SIGNER") or "file").lower()


# --- loading ------------------------------------------------------------------------------------------

_signer_cache: dict = {}


def _pkcs11_settings(key_label=None) -> tuple:
    cfg = current_app.config
    pin = cfg.get("LEDGER_PKCS11_PIN") or ""
    pin_file = cfg.get("LEDGER_PKCS11_PIN_FILE")
    if not pin and pin_file:
        try:
            with open(pin_file, encoding="utf-8") as fh:
                pin = fh.read().strip()
        except OSError as exc:
            raise LedgerKeyMissing(f"PKCS#11 PIN 文件无法读取：{exc}") from None
    settings = (cfg.get("LEDGER_PKCS11_MODULE"), cfg.get("LEDGER_PKCS11_TOKEN"),
                key_label or cfg.get("LEDGER_PKCS11_KEY"), pin)
    if not all(settings):
        raise LedgerKeyMissing("LEDGER_SIGNER=pkcs11 需要 LEDGER_PKCS11_MODULE、LEDGER_PKCS11_TOKEN、"
                               "LEDGER_PKCS11_KEY 和 LEDGER_PKCS11_PIN（或 _PIN_FILE）")
    return settings


def _load_hsm(key_label=None) -> note.NoteSigner:
    from app.ledger import hsm

    settings = _pkcs11_settings(key_label)
    cached = _signer_cache.get(("pkcs11",) + settings)
    if cached:
        return cached
    try:
        signer = hsm.HsmSigner(origin(), *settings)
    except hsm.HsmError as exc:
        raise LedgerKeyMissing(f"台账签名密钥（PKCS#11）不可用：{exc}") from None
    _signer_cache[("pkcs11",) + settings] = signer
    return signer


def _load_file(path: str) -> note.NoteSigner:
    try:
        stat = os.stat(path)
    except OSError:
        raise LedgerKeyMissing() from None
    cached = _signer_cache.get(path)
    if cached and cached[0] == (stat.st_mtime_ns, stat.st_size):
        return cached[1]
    try:
        with open(path, encoding="ascii") as fh:
            signer = note.Signer.from_string(fh.read())
    except (OSError, ValueError) as exc:
        raise LedgerKeyMissing(f"台账签名密钥无法读取：{exc}") from None
    _signer_cache[path] = ((stat.st_mtime_ns, stat.st_size), signer)
    return signer


def load_signer() -> note.NoteSigner:
    """The configured checkpoint signer (LEDGER_SIGNER: `file` at LEDGER_KEY_PATH, or `pkcs11`)."""
    if signer_kind() == "pkcs11":
        return _load_hsm()
    return _load_file(key_path())


def _write_key_file(path: str, signer: note.Signer):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.tmp{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(signer.to_string() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    _signer_cache.pop(path, None)


def generate_key(path: str, *, force: bool = False) -> note.Signer:
    """Write a new signer key (mode 600). Refuses to replace an existing key unless `force`; once the key
    has signed (it is in the key history) a replacement must be a rotation (`flask ledger rotate-key`)."""
    if os.path.exists(path) and not force:
        raise DomainError(f"签名密钥已存在：{path}（更换密钥请用 flask ledger rotate-key）", code="ledger_key_exists",
                          status=409)
    if os.path.exists(path) and history():
        raise DomainError("该密钥已签署过检查点：更换密钥必须轮换（flask ledger rotate-key），"
                          "否则旧检查点将无法验证（SPEC §4.4）", code="ledger_key_rotation_required", status=409)
    signer = note.Signer.generate(origin())
    _write_key_file(path, signer)
    return signer


def verifier_key() -> str:
    return load_signer().verifier_key()


# --- history ------------------------------------------------------------------------------------------

def history() -> list:
    return list(db.session.execute(select(LedgerKey).order_by(LedgerKey.from_size, LedgerKey.id)).scalars())


def active_key() -> LedgerKey | None:
    return db.session.execute(select(LedgerKey).where(LedgerKey.valid_until.is_(None))
                              .order_by(LedgerKey.id.desc()).limit(1)).scalar_one_or_none()


def ensure_active(signer: note.NoteSigner, first_size: int = 0) -> LedgerKey:
    """The history row of `signer`, registering it if the history is empty; LedgerKeyMissing if the
    configured key is not the current one (a retired key, or a key swapped in without a rotation)."""
    vkey = signer.verifier_key()
    current = active_key()
    if current is None:
        current = LedgerKey(verifier_key=vkey, key_hash=f"{signer.key_hash:08x}",
                            fingerprint=signer.verifier().fingerprint, from_size=first_size,
                            valid_from=_utcnow())
        db.session.add(current)
        db.session.flush()
        return current
    if current.verifier_key != vkey:
        raise LedgerKeyMissing(f"配置的签名密钥（{signer.verifier().fingerprint}）不是当前有效的密钥"
                               f"（{current.fingerprint}）：更换密钥只能通过 flask ledger rotate-key（SPEC §4.4）")
    return current


def verifier_for(key_hash_hex: str, size: int):
    """(Verifier, LedgerKey) of the key that was valid for a checkpoint of `size` with this key hash."""
    for row in history():
        if row.key_hash == key_hash_hex and row.from_size <= size and (row.until_size is None
                                                                      or size <= row.until_size):
            return note.Verifier.from_string(row.verifier_key), row
    return None, None


def rotation_text(old_vkey: str, new_vkey: str, size: int, at: datetime) -> str:
    return (f"{ROTATION_HEADER}\n{origin()}\nold {old_vkey}\nnew {new_vkey}\nsize {size}\n"
            f"time {at.strftime('%Y-%m-%dT%H:%M:%SZ')}\n")


def parse_rotation(text: str) -> dict:
    """The fields of a rotation statement's text; NoteError if it is not one."""
    lines = text.rstrip("\n").split("\n")
    if len(lines) != 6 or lines[0] != ROTATION_HEADER:
        raise note.NoteError("not a key rotation statement")
    fields = dict(line.split(" ", 1) for line in lines[2:])
    if set(fields) != {"old", "new", "size", "time"} or not fields["size"].isdigit():
        raise note.NoteError("malformed key rotation statement")
    return {"origin": lines[1], "old": fields["old"], "new": fields["new"], "size": int(fields["size"]),
            "time": fields["time"]}


def rotate(new_signer: note.NoteSigner, *, actor: str = "cli") -> LedgerKey:
    """Hand signing over from the current key to `new_signer` (flushes; the caller commits, and only then
    switches the configured key). Returns the new key's history row."""
    from app.ledger import services

    old_signer = load_signer()
    old_row = ensure_active(old_signer)
    if new_signer.verifier_key() == old_row.verifier_key:
        raise DomainError("新密钥与当前密钥相同", code="ledger_key_same", status=409)
    if new_signer.name != old_signer.name:
        raise DomainError(f"新密钥的名称必须是日志来源 {old_signer.name}", code="invalid_input", status=422)
    known = {row.verifier_key for row in history()}
    if new_signer.verifier_key() in known:
        raise DomainError("该密钥曾经使用过，不能再次启用", code="ledger_key_reused", status=409)
    services.append("ledger.key_rotated", "ledger:signing-key", {
        "old_key": old_signer.verifier_key(), "old_fingerprint": old_signer.verifier().fingerprint,
        "new_key": new_signer.verifier_key(), "new_fingerprint": new_signer.verifier().fingerprint,
        "actor": actor})
    last = services.create_checkpoint()  # the old key signs the tree that records the rotation
    now = _utcnow()
    text = rotation_text(old_signer.verifier_key(), new_signer.verifier_key(), last.tree_size, now)
    signed_old = old_signer.sign(text)
    signed_new = new_signer.sign(text)
    statement = signed_old + signed_new[len(text) + 1:]  # one text, the old key's line, then the new's
    old_row.until_size = last.tree_size
    old_row.valid_until = now
    new_row = LedgerKey(verifier_key=new_signer.verifier_key(), key_hash=f"{new_signer.key_hash:08x}",
                        fingerprint=new_signer.verifier().fingerprint, from_size=last.tree_size,
                        valid_from=now, statement=statement)
    db.session.add(new_row)
    db.session.flush()
    return new_row


def rotate_file_key(*, actor: str = "cli") -> LedgerKey:
    """Rotation for LEDGER_SIGNER=file: a new key replaces LEDGER_KEY_PATH once the rotation is committed;
    the old one is kept beside it as <path>.retired-<key hash> (mode 600) to be moved offline."""
    path = key_path()
    old = load_signer()
    new = note.Signer.generate(origin())
    row = rotate(new, actor=actor)
    db.session.commit()
    retired = f"{path}.retired-{old.key_hash:08x}"
    os.replace(path, retired)
    _write_key_file(path, new)
    return row


def public_history() -> list:
    return [{"verifier_key": row.verifier_key, "key_hash": row.key_hash, "fingerprint": row.fingerprint,
             "from_size": row.from_size, "until_size": row.until_size,
             "valid_from": row.valid_from.strftime("%Y-%m-%dT%H:%M:%SZ"),
             "valid_until": row.valid_until.strftime("%Y-%m-%dT%H:%M:%SZ") if row.valid_until else None,
             "statement": row.statement} for row in history()]


def statements() -> list:
    return [row.statement for row in history() if row.statement]
