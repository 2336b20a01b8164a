"""The hash chain: how an entry is built, and how a sequence of stored entries is checked.

Pure (standard library only, with orjson as an optional accelerator of the audit's canonical-form check),
so that `services.append`, the audit, the offline verifier and the bench all build and check entries with
the same code.

An entry is the canonical JSON of
    {"at": <UTC time>, "kind": ..., "payload": {...}, "prev": <hex SHA-256 of the previous entry, or 64
     zeros for entry 0>, "seq": <0-based index = Merkle leaf index>, "subject": ...}
Its entry hash is SHA-256(entry) and its Merkle leaf hash SHA-256(0x00 || entry).
"""
import hashlib
import json
from dataclasses import dataclass, field

try:  # a fast path for the check that an entry is canonical; the standard library decides otherwise
    import orjson
except ImportError:  # the offline verifier runs on the standard library alone
    orjson = None

from app.ledger import merkle
from app.ledger.canonical import canonical_json

ZERO_HASH = "0" * 64


def build_entry(seq: int, prev_hash: str, kind: str, subject: str, payload: dict, at) -> tuple:
    """(body text, entry hash hex, leaf hash bytes) of a new entry."""
    body = canonical_json({"at": at, "kind": kind, "payload": payload, "prev": prev_hash,
                           "seq": seq, "subject": subject})
    raw = body.encode("utf-8")
    return body, hashlib.sha256(raw).hexdigest(), merkle.leaf_hash(raw)


def file_sha256(entry: dict) -> str | None:
    """The SHA-256 (hex) of the file an entry describes: by convention `payload["sha256"]`."""
    payload = entry.get("payload")
    value = payload.get("sha256") if isinstance(payload, dict) else None
    return value.lower() if isinstance(value, str) else None


class AuditFailure(Exception):
    def __init__(self, seq, message):
        super().__init__(message)
        self.seq = seq
        self.message = message


def _canonical_dict(raw: bytes, body: str):
    """The entry as a dict if `body` is canonical JSON of an object (else None).

    orjson re-serialises with sorted keys, UTF-8 and no whitespace like `canonical_json`; where it gives
    the same bytes back the entry is canonical (key order by code point equals UTF-8 byte order, and both
    escape only quotes, backslashes and control characters). Where it differs or cannot parse (a float
    written another way, an integer beyond 64 bits) the standard library decides, so the answer is always
    `canonical_json(json.loads(body)) == body`."""
    if orjson is not None:
        try:
            data = orjson.loads(raw)
            if isinstance(data, dict) and orjson.dumps(data, option=orjson.OPT_SORT_KEYS) == raw:
                return data
        except (orjson.JSONDecodeError, TypeError):
            pass
    try:
        data = json.loads(body)
        return data if isinstance(data, dict) and canonical_json(data) == body else None
    except ValueError:  # not JSON, or NaN/Infinity, which canonical JSON refuses
        return None


@dataclass
class ChainChecker:
    """Feed the stored entries in seq order; raises AuditFailure naming the first bad one.

    Besides the chain it rebuilds the Merkle tree (a compact range, O(log n) memory) and hands every
    perfect subtree it completes to `on_node`, so the caller can compare the stored nodes, and it keeps the
    root at each size in `want_roots` so signed checkpoints can be compared.
    """

    want_roots: set = field(default_factory=set)
    on_node: object = None
    size: int = 0
    head_hash: str = ZERO_HASH
    roots: dict = field(default_factory=dict)

    def __post_init__(self):
        self._tree = merkle.CompactRange()
        if 0 in self.want_roots:
            self.roots[0] = merkle.EMPTY_ROOT

    def feed(self, seq, body: str, kind, subject, prev_hash, entry_hash, leaf_hash_hex, stored_leaf=None):
        """One stored entry; `stored_leaf` is the level-0 Merkle node stored for it (hex), if checked."""
        expected = self.size
        if seq != expected:
            if seq > expected:
                raise AuditFailure(expected, f"第 {expected} 条记录缺失（下一条是第 {seq} 条）")
            raise AuditFailure(seq, f"第 {seq} 条记录重复或顺序错乱")
        raw = body.encode("utf-8")
        digest = hashlib.sha256(raw).hexdigest()
        if digest != entry_hash:
            raise AuditFailure(seq, f"第 {seq} 条记录的内容与其哈希不符（内容被修改）")
        leaf = merkle.leaf_hash(raw)
        if leaf.hex() != leaf_hash_hex:
            raise AuditFailure(seq, f"第 {seq} 条记录的叶子哈希不符")
        data = _canonical_dict(raw, body)
        if data is None:
            try:
                json.loads(body)
            except ValueError:
                raise AuditFailure(seq, f"第 {seq} 条记录不是合法的 JSON") from None
            raise AuditFailure(seq, f"第 {seq} 条记录不是规范 JSON")
        if data.get("seq") != seq:
            raise AuditFailure(seq, f"第 {seq} 条记录内写的序号是 {data.get('seq')}（记录被移动或插入）")
        if data.get("prev") != self.head_hash:
            raise AuditFailure(seq, f"第 {seq} 条记录的前一哈希与第 {seq - 1} 条记录不符（链断裂）")
        if prev_hash != data.get("prev") or kind != data.get("kind") or subject != data.get("subject"):
            raise AuditFailure(seq, f"第 {seq} 条记录的列与其内容不符")
        if stored_leaf is not None and stored_leaf != leaf_hash_hex:
            raise AuditFailure(seq, f"第 {seq} 条记录与默克尔树中的叶子不符（记录被替换）")
        self.head_hash = digest
        self._tree.append(leaf, self.on_node)
        self.size += 1
        if self.size in self.want_roots:
            self.roots[self.size] = self._tree.root()

    def root(self) -> bytes:
        return self._tree.root()
