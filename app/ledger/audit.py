"""The full audit behind `flask ledger verify`: the whole chain, the stored Merkle tree, every checkpoint
under the key of its time, the key history, and the witnesses' quorum on the latest checkpoint. Reads only.
(Split from services.py; `services.audit` re-exports it.)"""
from sqlalchemy import func, select

from app.extensions import db
from app.ledger import chain, keys, note
from app.ledger.keys import LedgerKeyMissing, load_signer, origin
from app.ledger.models import LedgerCheckpoint, LedgerHead, LedgerNode


def latest_checkpoint():
    from app.ledger.services import latest_checkpoint as latest

    return latest()



def _note_signer_among(signed: str, candidates):
    from app.ledger.verify import _signer_among

    return _signer_among(signed, candidates)


def _audit_key_history(rows, result):
    """Each key after the first must be introduced by a statement signed by the key before it and by itself,
    naming both keys and the size where one hands over to the other."""
    for before, row in zip(rows, rows[1:]):
        label = f"密钥轮换（{before.fingerprint} → {row.fingerprint}）"
        try:
            old_v = note.Verifier.from_string(before.verifier_key)
            new_v = note.Verifier.from_string(row.verifier_key)
            text = note.open_note(row.statement or "", old_v)
            note.open_note(row.statement, new_v)
            fields = keys.parse_rotation(text)
        except note.NoteError as exc:
            result.fail(None, f"{label}的声明无效：{exc}")
            continue
        if (fields["old"], fields["new"], fields["size"]) != (before.verifier_key, row.verifier_key,
                                                              row.from_size) or before.until_size != row.from_size:
            result.fail(None, f"{label}的声明与密钥历史不符")


class _RawReader:
    """Rows as plain tuples from the DB-API cursor of the session's own connection (same transaction)."""

    def __init__(self):
        conn = db.session.connection()
        self._dbapi = conn.connection
        self._p = "?" if conn.dialect.paramstyle == "qmark" else "%s"

    def rows(self, sql: str, params) -> list:
        cur = self._dbapi.cursor()
        try:
            cur.execute(sql.format(p=self._p), params)
            return cur.fetchall()
        finally:
            cur.close()


class AuditResult:
    def __init__(self):
        self.ok = True
        self.entries = 0
        self.checkpoints = 0
        self.first_bad_seq = None
        self.problems = []

    def fail(self, seq, message):
        self.ok = False
        if seq is not None and (self.first_bad_seq is None or seq < self.first_bad_seq):
            self.first_bad_seq = seq
        self.problems.append(message)

    def __repr__(self):
        return f"<AuditResult ok={self.ok} entries={self.entries} first_bad={self.first_bad_seq}>"


def audit(extra_checkpoints=(), batch: int = 5000) -> AuditResult:
    """Re-check the whole chain and tree from the database (see `flask ledger verify`).

    `extra_checkpoints` are signed notes someone kept (e.g. downloaded earlier): the log must still contain
    the tree they sign. Reads only; stops the chain walk at the first bad entry.
    """
    result = AuditResult()
    verifier = None
    try:
        verifier = load_signer().verifier()
    except LedgerKeyMissing:
        pass
    key_rows = keys.history()
    _audit_key_history(key_rows, result)
    # Every signed size we know of: the stored checkpoints and the ones brought from outside.
    signed = []  # (tree_size, root bytes, label)
    for cp in db.session.execute(select(LedgerCheckpoint).order_by(LedgerCheckpoint.tree_size)).scalars():
        result.checkpoints += 1
        label = f"检查点（大小 {cp.tree_size}）"
        cp_verifier = verifier
        if key_rows:  # each checkpoint under the key of its time
            cp_verifier, _ = keys.verifier_for(cp.key_hash, cp.tree_size)
            if cp_verifier is None:
                result.fail(None, f"{label}由密钥 {cp.key_hash} 签名，但该密钥在此大小时并非有效密钥")
                continue
        if cp_verifier is not None:
            verifier_here = cp_verifier
            try:
                _, size, root = note.open_checkpoint(cp.note, verifier_here, origin())
            except note.NoteError as exc:
                result.fail(None, f"{label}签名无效：{exc}")
                continue
            if size != cp.tree_size or root.hex() != cp.root_hash:
                result.fail(None, f"{label}的列与签名内容不符")
                continue
        signed.append((cp.tree_size, bytes.fromhex(cp.root_hash), label))
    for text in extra_checkpoints:
        try:
            candidates = [note.Verifier.from_string(row.verifier_key) for row in key_rows] or \
                ([verifier] if verifier else [])
            ext_verifier = _note_signer_among(text, candidates)
            if ext_verifier is None:
                raise note.NoteError("不是由本台账的任何密钥签名")
            _, size, root = note.open_checkpoint(text, ext_verifier, origin())
        except note.NoteError as exc:
            result.fail(None, f"外部检查点无法验证：{exc}")
            continue
        result.checkpoints += 1
        signed.append((size, root, f"外部检查点（大小 {size}）"))

    stored_mismatch = []
    raw = _RawReader()

    def compare_nodes(computed: dict):
        by_level = {}
        for (lv, ix) in computed:
            by_level.setdefault(lv, []).append(ix)
        for lv, idxs in sorted(by_level.items()):
            stored = dict(raw.rows('SELECT "index", hash FROM ledger_nodes WHERE level = {p} AND "index" >= {p} '
                                   'AND "index" <= {p}', (lv, min(idxs), max(idxs))))
            for ix in idxs:
                if stored.get(ix) != computed[(lv, ix)]:
                    stored_mismatch.append((ix << lv, lv, ix))

    checker = chain.ChainChecker(want_roots={s for s, _, _ in signed})
    computed = {}

    def on_node(lv, ix, h):
        if lv:  # leaves are compared with the stored level-0 node in feed()
            computed[(lv, ix)] = h.hex()

    checker.on_node = on_node
    last_seq = -1
    try:
        while True:
            # Plain DB-API rows (no ORM row objects): the audit reads every entry, so this is its hot path.
            rows = raw.rows('SELECT e.seq, e.body, e.kind, e.subject, e.prev_hash, e.entry_hash, e.leaf_hash, '
                            'n.hash FROM ledger_entries e LEFT JOIN ledger_nodes n ON n.level = 0 AND '
                            'n."index" = e.seq WHERE e.seq > {p} ORDER BY e.seq LIMIT {p}', (last_seq, batch))
            if not rows:
                break
            feed = checker.feed
            for seq, body, kind, subject, prev_hash, entry_hash, leaf_hash, stored_leaf in rows:
                feed(seq, body, kind, subject, prev_hash, entry_hash, leaf_hash,
                     stored_leaf=stored_leaf if stored_leaf is not None else "missing")
            last_seq = rows[-1][0]
            compare_nodes(computed)
            computed.clear()
            if stored_mismatch:
                first_leaf, lv, ix = min(stored_mismatch)
                raise chain.AuditFailure(first_leaf, f"默克尔树节点（层 {lv}，序号 {ix}）与记录不符，"
                                                     f"涉及第 {first_leaf} 条起的记录")
    except chain.AuditFailure as failure:
        result.fail(failure.seq, failure.message)
    result.entries = checker.size
    chain_complete = result.ok

    n = checker.size
    if chain_complete:
        total_nodes = db.session.execute(select(func.count()).select_from(LedgerNode)).scalar()
        if total_nodes != 2 * n - bin(n).count("1"):
            result.fail(n, f"默克尔树节点数（{total_nodes}）与 {n} 条记录不符（存在多余节点）")
        head = db.session.execute(select(LedgerHead.size, LedgerHead.head_hash).where(LedgerHead.id == 1)
                                  ).first()
        if head is not None and (head.size != n or head.head_hash != checker.head_hash):
            result.fail(min(n, head.size), f"台账头记录大小 {head.size}，实有 {n} 条记录：记录被删除或截断")
    from app.ledger import witnessing

    if witnessing.quorum() > 0:
        latest = latest_checkpoint()
        if latest is not None:
            got, need = witnessing.check_quorum(latest.cosigned or latest.note)
            if got < need:
                result.fail(None, f"最新检查点（大小 {latest.tree_size}）只有 {got} 个见证方的有效联署签名，"
                                  f"少于要求的 {need} 个：不能确认台账未被改写或截断")
    for size, root, label in signed:
        if size > n:
            if chain_complete:
                result.fail(n, f"{label}已签名 {size} 条，但台账只剩 {n} 条：台账被截断")
        elif size in checker.roots and checker.roots[size] != root:
            result.fail(None, f"{label}的根哈希与重算结果不符：前 {size} 条记录被改写")
    return result
