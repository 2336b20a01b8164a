"""Writing to and reading proofs from the ledger. The only code that writes ledger tables.

`append` runs inside the caller's transaction and only flushes: the edge (request, CLI command) commits,
and a rollback leaves no entry. Appends are serialised by locking the single `ledger_heads` row first
(`UPDATE ... SET size = size + 1 RETURNING`): on PostgreSQL that row lock is held until commit, on SQLite
the UPDATE takes the database write lock. So concurrent appenders in any number of processes never fork the
chain, skip or repeat a number.
"""
import base64
import hashlib
import logging
import os
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import and_, func, insert, or_, select, update

from app.errors import DomainError, InvalidInput, NotFound
from app.extensions import db
from app.ledger import chain, keys, merkle, note, public
from app.ledger.keys import (LedgerKeyMissing, generate_key, key_path, load_signer, origin,  # noqa: F401
                             verifier_key)
from app.ledger.models import LedgerCheckpoint, LedgerEntry, LedgerHead, LedgerNode

log = logging.getLogger(__name__)
_warned_paths: set = set()

BUNDLE_FORMAT = "sanxiang-ledger-bundle/1"


class LedgerEntryInvalid(DomainError):
    code = "ledger_entry_invalid"
    status = 409
    message = "台账记录的存储内容未通过验证，不能导出证明（SPEC §4.4）"


class LedgerCorrupt(DomainError):
    code = "ledger_corrupt"
    status = 500
    message = "台账数据不完整，请运行 flask ledger verify 检查"


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


# --- append --------------------------------------------------------------------------------------------

def _lock_head():
    """Take the append lock and reserve the next number: (new size, previous head hash, checkpoint_at)."""
    stmt = (update(LedgerHead).where(LedgerHead.id == 1).values(size=LedgerHead.size + 1)
            .returning(LedgerHead.size, LedgerHead.head_hash, LedgerHead.checkpoint_at)
            .execution_options(synchronize_session=False))
    row = db.session.execute(stmt).first()
    if row is None:
        _create_head()
        row = db.session.execute(stmt).first()
    return row


def _create_head():
    """The head row is missing (fresh tables): rebuild it from the last entry, racing safely."""
    last = db.session.execute(select(LedgerEntry.seq, LedgerEntry.entry_hash)
                              .order_by(LedgerEntry.seq.desc()).limit(1)).first()
    values = {"id": 1, "size": last.seq + 1 if last else 0,
              "head_hash": last.entry_hash if last else chain.ZERO_HASH, "checkpoint_at": None}
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    db.session.execute(dialect_insert(LedgerHead).values(**values)
                       .on_conflict_do_nothing(index_elements=["id"]))


def _store_nodes(index: int, leaf: bytes):
    """Store the leaf and every perfect subtree it completes (on average two rows)."""
    siblings = []
    i, level = index, 0
    while i & 1:
        siblings.append((level, i - 1))
        i >>= 1
        level += 1
    known = _fetch_nodes(siblings)
    rows = [{"level": 0, "index": index, "hash": leaf.hex()}]
    h, i = leaf, index
    for level, sibling in siblings:
        h = merkle.node_hash(known[(level, sibling)], h)
        i >>= 1
        rows.append({"level": level + 1, "index": i, "hash": h.hex()})
    db.session.execute(insert(LedgerNode), rows)


def append(kind: str, subject: str, payload: dict, *, at: datetime | None = None) -> LedgerEntry:
    """Append one entry to the ledger within the caller's transaction (flushes, never commits)."""
    if not kind or not isinstance(kind, str) or len(kind) > 64:
        raise InvalidInput("台账记录类型不能为空且不超过64个字符")
    if not subject or not isinstance(subject, str) or len(subject) > 200:
        raise InvalidInput("台账记录对象不能为空且不超过200个字符")
    if not isinstance(payload, dict):
        raise InvalidInput("台账记录内容必须是字典")
    if at is None:
        at = _utcnow()
    elif at.tzinfo is not None:
        at = at.astimezone(timezone.utc).replace(tzinfo=None)
    # Refuse an unserialisable payload before taking the lock.
    chain.canonical_json(payload)

    size, prev_hash, checkpoint_at = _lock_head()
    seq = size - 1
    body, entry_hash, leaf = chain.build_entry(seq, prev_hash, kind, subject, payload, at)
    entry = LedgerEntry(seq=seq, kind=kind, subject=subject, body=body, prev_hash=prev_hash,
                        entry_hash=entry_hash, leaf_hash=leaf.hex(), created_at=at)
    db.session.add(entry)
    _store_nodes(seq, leaf)
    db.session.execute(update(LedgerHead).where(LedgerHead.id == 1).values(head_hash=entry_hash)
                       .execution_options(synchronize_session=False))
    db.session.flush()
    public_payload = public.projection(kind, payload)
    if public_payload is not None:
        public_payload["ref"] = seq
        append(public.PREFIX + kind, public.subject_of(subject), public_payload, at=at)
        _auto_checkpoint(size + 1)  # its public proof is downloadable at once (best effort: see the timer)
        return entry
    if _checkpoint_due(size, checkpoint_at):
        _auto_checkpoint(size)
    return entry


def _checkpoint_due(size: int, checkpoint_at) -> bool:
    every = current_app.config.get("LEDGER_CHECKPOINT_EVERY_ENTRIES") or 0
    minutes = current_app.config.get("LEDGER_CHECKPOINT_EVERY_MINUTES") or 0
    if every > 0 and size % every == 0:
        return True
    if minutes > 0:
        return checkpoint_at is None or _utcnow() - checkpoint_at >= timedelta(minutes=minutes)
    return False


def _auto_checkpoint(size: int):
    # A missing key must never fail the caller's transaction: warn (once per path) and carry on.
    try:
        signer = load_signer()
        keys.ensure_active(signer)
    except LedgerKeyMissing as exc:
        if key_path() not in _warned_paths:
            _warned_paths.add(key_path())
            log.warning("ledger: no automatic checkpoint at size %s: %s", size, exc.message)
        return
    _write_checkpoint(size, signer)


# --- tree reads ----------------------------------------------------------------------------------------

def _fetch_nodes(keys) -> dict:
    keys = list(dict.fromkeys(keys))
    if not keys:
        return {}
    found = {}
    for start in range(0, len(keys), 200):
        part = keys[start:start + 200]
        cond = or_(*(and_(LedgerNode.level == lv, LedgerNode.index == ix) for lv, ix in part))
        for lv, ix, h in db.session.execute(select(LedgerNode.level, LedgerNode.index, LedgerNode.hash)
                                            .where(cond)):
            found[(lv, ix)] = bytes.fromhex(h)
    missing = [k for k in keys if k not in found]
    if missing:
        raise LedgerCorrupt(f"台账缺少默克尔树节点 {missing[0]}，请运行 flask ledger verify 检查")
    return found


def _with_nodes(fn, *args):
    nodes = _fetch_nodes(merkle.needed_nodes(fn, *args))
    return fn(*args, lambda level, index: nodes[(level, index)])


def current_size() -> int:
    size = db.session.execute(select(LedgerHead.size).where(LedgerHead.id == 1)).scalar()
    if size is None:
        size = db.session.execute(select(func.count()).select_from(LedgerEntry)).scalar()
    return size


def tree_root(size: int) -> bytes:
    return _with_nodes(merkle.tree_root, size)


def _check_size(size: int, name="second"):
    head = current_size()
    if size < 0 or size > head:
        raise InvalidInput(f"树大小必须在 0 到 {head} 之间", details={name: size})


def inclusion_proof(seq: int, size: int) -> list:
    """The inclusion proof (list of 32-byte hashes) of entry `seq` in the tree of `size` entries."""
    _check_size(size, "tree_size")
    if not 0 <= seq < size:
        raise InvalidInput(f"记录序号 {seq} 不在大小为 {size} 的树中")
    return _with_nodes(merkle.inclusion_proof, seq, size)


def consistency_proof(first: int, second: int) -> list:
    _check_size(second)
    if not 0 <= first <= second:
        raise InvalidInput("first 必须在 0 与 second 之间", details={"first": first, "second": second})
    return _with_nodes(merkle.consistency_proof, first, second)


def consistency(first: int, second: int) -> dict:
    proof = consistency_proof(first, second)
    return {"origin": origin(), "first": first, "second": second,
            "first_root": _b64(tree_root(first)), "second_root": _b64(tree_root(second)),
            "proof": [_b64(h) for h in proof]}


def _b64(h: bytes) -> str:
    return base64.b64encode(h).decode()


# --- checkpoints ---------------------------------------------------------------------------------------

def _write_checkpoint(size: int, signer: note.Signer) -> LedgerCheckpoint:
    existing = db.session.execute(select(LedgerCheckpoint).where(LedgerCheckpoint.tree_size == size)
                                  ).scalar_one_or_none()
    now = _utcnow()
    if existing is None:
        keys.ensure_active(signer)
        root = tree_root(size)
        signed = signer.sign(note.checkpoint_text(origin(), size, root))
        existing = LedgerCheckpoint(tree_size=size, root_hash=root.hex(), note=signed, key_name=signer.name,
                                    key_hash=f"{signer.key_hash:08x}", created_at=now)
        db.session.add(existing)
    db.session.execute(update(LedgerHead).where(LedgerHead.id == 1).values(checkpoint_at=now)
                       .execution_options(synchronize_session=False))
    db.session.flush()
    return existing


def create_checkpoint() -> LedgerCheckpoint:
    """Sign the current tree (or return the checkpoint that already covers exactly this size)."""
    signer = load_signer()
    # Hold the append lock so the size and the nodes read belong to one state of the log.
    row = db.session.execute(update(LedgerHead).where(LedgerHead.id == 1).values(size=LedgerHead.size)
                             .returning(LedgerHead.size).execution_options(synchronize_session=False)
                             ).first()
    if row is None:
        _create_head()
        row = db.session.execute(select(LedgerHead.size).where(LedgerHead.id == 1)).first()
    return _write_checkpoint(row[0], signer)


def oldest_unsigned_at():
    """When the oldest entry not covered by any signed checkpoint was appended (None: the tail is signed)."""
    latest = latest_checkpoint()
    signed = latest.tree_size if latest else 0
    return db.session.execute(select(LedgerEntry.created_at).where(LedgerEntry.seq == signed)).scalar()


def checkpoint_if_due(now: datetime | None = None, max_age_minutes: int | None = None):
    """Sign a checkpoint if an entry has stayed unsigned for `max_age_minutes` (default
    LEDGER_CHECKPOINT_MAX_UNSIGNED_MINUTES) or longer; return it, or None when nothing is due.

    A plain function (flushes, the caller commits) for the timer CLI `flask ledger checkpoint-due` and,
    later, a task queue. Run it more often than the setting, so the tail is never unsigned for longer."""
    if max_age_minutes is None:
        max_age_minutes = current_app.config.get("LEDGER_CHECKPOINT_MAX_UNSIGNED_MINUTES") or 0
    now = now or _utcnow()
    oldest = oldest_unsigned_at()
    if oldest is None or now - oldest < timedelta(minutes=max_age_minutes):
        return None
    return create_checkpoint()


def latest_checkpoint() -> LedgerCheckpoint | None:
    return db.session.execute(select(LedgerCheckpoint).order_by(LedgerCheckpoint.tree_size.desc())
                              .limit(1)).scalar_one_or_none()


def list_checkpoints(limit: int = 100, offset: int = 0) -> list:
    return list(db.session.execute(select(LedgerCheckpoint).order_by(LedgerCheckpoint.tree_size.desc())
                                   .limit(limit).offset(offset)).scalars())


def get_checkpoint(tree_size: int) -> LedgerCheckpoint:
    cp = db.session.execute(select(LedgerCheckpoint).where(LedgerCheckpoint.tree_size == tree_size)
                            ).scalar_one_or_none()
    if cp is None:
        raise NotFound(f"没有大小为 {tree_size} 的检查点")
    return cp


# --- entries and bundles -------------------------------------------------------------------------------

def get_entry(seq: int) -> LedgerEntry:
    entry = db.session.get(LedgerEntry, seq)
    if entry is None:
        raise NotFound(f"台账中没有第 {seq} 条记录")
    return entry


def sha256_file(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def build_bundle(seq: int, file_path=None, *, since=(), sign: bool = True) -> dict:
    """The proof bundle for entry `seq` (and the file it describes): everything the offline verifier needs.

    Uses the latest checkpoint; if none covers the entry yet, signs a new one (flushed: the caller commits).
    `since`: older tree sizes (of checkpoints the recipient kept) to include consistency proofs from.
    """
    entry = get_entry(seq)
    file_info = None
    if file_path is not None:
        claimed = chain.file_sha256(entry.data)
        if claimed is None:
            raise InvalidInput(f"第 {seq} 条记录不描述文件（内容中没有 sha256）")
        actual = sha256_file(file_path)
        if actual != claimed:
            raise InvalidInput(f"文件的 SHA-256（{actual}）与第 {seq} 条记录（{claimed}）不符")
        file_info = {"name": os.path.basename(str(file_path)), "size": os.path.getsize(file_path),
                     "sha256": actual}
    check_stored_entry(entry)
    checkpoint = latest_checkpoint()
    if checkpoint is None or checkpoint.tree_size <= seq:
        if not sign:
            minutes = current_app.config.get("LEDGER_CHECKPOINT_MAX_UNSIGNED_MINUTES") or 0
            raise DomainError(f"第 {seq} 条记录尚未被签名检查点覆盖，证明将在 {minutes} 分钟内可以下载（SPEC §4.4）",
                              code="ledger_not_yet_signed", status=409)
        checkpoint = create_checkpoint()
    signer = load_signer()
    proof = _with_nodes(merkle.inclusion_proof, seq, checkpoint.tree_size)
    bundle = {
        "format": BUNDLE_FORMAT,
        "origin": origin(),
        "index": seq,
        "entry": entry.body,
        "leaf_hash": entry.leaf_hash,
        "tree_size": checkpoint.tree_size,
        "inclusion_proof": [_b64(h) for h in proof],
        "checkpoint": checkpoint.cosigned or checkpoint.note,
        "verifier_key": signer.verifier_key(),
    }
    if file_info:
        bundle["file"] = file_info
    rotations = keys.statements()
    if rotations:
        bundle["key_rotations"] = rotations
    _self_verify(bundle, signer)
    if since:
        bundle["consistency"] = []
        for first in sorted(set(since)):
            if not 0 <= first <= checkpoint.tree_size:
                raise InvalidInput(f"树大小 {first} 不在 0 到 {checkpoint.tree_size} 之间")
            cproof = _with_nodes(merkle.consistency_proof, first, checkpoint.tree_size)
            bundle["consistency"].append({"first": first, "second": checkpoint.tree_size,
                                          "proof": [_b64(h) for h in cproof]})
    return bundle


def public_entries(subject: str) -> list:
    """The public (`public.*`) entries about `subject`, oldest first."""
    return list(db.session.execute(select(LedgerEntry).where(
        LedgerEntry.subject == public.subject_of(subject), LedgerEntry.kind.like(public.PREFIX + "%"))
        .order_by(LedgerEntry.seq)).scalars())


def public_bundle(seq: int) -> dict:
    """The proof bundle of a public entry, for anyone (read-only: never signs, never appends)."""
    entry = db.session.get(LedgerEntry, seq)
    if entry is None or not public.is_public(entry.kind):
        raise NotFound(f"台账第 {seq} 条不是公开记录，没有公开证明")
    return build_bundle(seq, sign=False)


def check_stored_entry(entry: LedgerEntry):
    """Refuse (LedgerEntryInvalid) an entry whose stored bytes do not hash to its recorded hashes, that is
    not the canonical entry it claims to be, or that is not linked to its neighbours in the chain."""
    seq = entry.seq

    def refuse(why):
        raise LedgerEntryInvalid(f"第 {seq} 条台账记录未通过验证：{why}；不能导出证明，"
                                 f"请运行 flask ledger verify（SPEC §4.4）", details={"seq": seq})

    raw = entry.body.encode("utf-8")
    if hashlib.sha256(raw).hexdigest() != entry.entry_hash:
        refuse("内容与其哈希不符（内容被修改）")
    leaf = merkle.leaf_hash(raw).hex()
    if leaf != entry.leaf_hash:
        refuse("叶子哈希不符")
    stored_leaf = db.session.execute(select(LedgerNode.hash).where(LedgerNode.level == 0,
                                                                   LedgerNode.index == seq)).scalar()
    if stored_leaf != leaf:
        refuse("与默克尔树中的叶子不符（记录被替换）")
    try:
        data = entry.data
    except ValueError:
        refuse("不是合法的 JSON")
    if not isinstance(data, dict) or chain.canonical_json(data) != entry.body:
        refuse("不是规范 JSON")
    if data.get("seq") != seq or data.get("prev") != entry.prev_hash or data.get("kind") != entry.kind \
            or data.get("subject") != entry.subject:
        refuse("列与其内容不符")
    if seq > 0:
        prev = db.session.execute(select(LedgerEntry.entry_hash).where(LedgerEntry.seq == seq - 1)).scalar()
        if prev != entry.prev_hash:
            refuse(f"前一哈希与第 {seq - 1} 条记录不符（链断裂）")
    elif entry.prev_hash != chain.ZERO_HASH:
        refuse("第一条记录的前一哈希不是全零")
    following = db.session.execute(select(LedgerEntry.prev_hash).where(LedgerEntry.seq == seq + 1)).scalar()
    if following is not None and following != entry.entry_hash:
        refuse(f"与第 {seq + 1} 条记录的前一哈希不符（链断裂）")


def _self_verify(bundle: dict, signer):
    """Run the offline verifier on the bundle before it leaves: the signed root must really contain the
    stored entry (catches a leaf or node rewritten together with the entry)."""
    from app.ledger import verify

    try:
        verify.verify_bundle(bundle, verifier=signer.verifier(), report=lambda line: None)
    except verify.CheckFailed as failure:
        raise LedgerEntryInvalid(f"第 {bundle['index']} 条台账记录的证明未通过验证（{failure.message}）；"
                                 f"不能导出证明，请运行 flask ledger verify（SPEC §4.4）",
                                 details={"seq": bundle["index"], "check": failure.check}) from None


# --- full audit (app/ledger/audit.py) -------------------------------------------------------------------

from app.ledger.audit import AuditResult, audit  # noqa: E402,F401  (re-exported: services.audit)
