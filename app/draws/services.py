"""Making, redrawing, re-checking and exporting verifiable draws (SPEC §13). The only code that writes
`draws`. Services flush; the caller (request, CLI command) commits, so the ledger entry, the checkpoint
that seeds the draw and the stored draw land together or not at all.
"""
import json

from sqlalchemy import select as sa_select

from app import draws as algo
from app.errors import DomainError, InvalidInput, NotFound
from app.extensions import db
from app.ledger import merkle
from app.ledger import services as ledger
from app.ledger.canonical import canonical_json
from app.ledger.models import LedgerCheckpoint
from app.draws.models import Draw
from app.timeutil import utcnow


class DrawVerificationFailed(DomainError):
    code = "draw_verification_failed"
    status = 409
    message = "抽取结果无法通过验证（SPEC §13）"


def checkpoint_key(checkpoint: LedgerCheckpoint) -> str:
    """The verifier key that signed `checkpoint` (the key of its time, after a rotation), else the current."""
    try:
        from app.ledger import keys

        _, row = keys.verifier_for(checkpoint.key_hash, checkpoint.tree_size)
        if row is not None:
            return row.verifier_key
    except ImportError:  # a ledger without key history
        pass
    return ledger.verifier_key()


def seeding_checkpoint(seq: int) -> LedgerCheckpoint | None:
    """The first signed checkpoint whose tree includes entry `seq`."""
    return db.session.execute(sa_select(LedgerCheckpoint).where(LedgerCheckpoint.tree_size > seq)
                              .order_by(LedgerCheckpoint.tree_size).limit(1)).scalar_one_or_none()


def perform_draw(purpose: str, population, sample_size: int, *, subject: str, actor=None,
                 agency_id: int | None = None, context: dict | None = None) -> Draw:
    """Enter the parameters in the ledger, take the seed from the first checkpoint that includes them
    (signing one now if there is none), and select. LedgerKeyMissing (503) if no checkpoint can be signed."""
    try:
        params = algo.build_params(purpose, population, sample_size, context=context)
    except algo.DrawError as exc:
        raise InvalidInput(f"{exc}（SPEC §13）") from None
    entry = ledger.append(algo.LEDGER_KIND, subject, params)
    checkpoint = seeding_checkpoint(entry.seq) or ledger.create_checkpoint()
    seed = bytes.fromhex(checkpoint.root_hash)
    result = algo.select(seed, params["population"], sample_size)
    draw = Draw(subject=subject, purpose=params["purpose"], agency_id=agency_id,
                params_json=canonical_json(params), population_sha256=params["population_sha256"],
                sample_size=sample_size, ledger_seq=entry.seq, checkpoint_size=checkpoint.tree_size,
                seed=checkpoint.root_hash, selected_json=json.dumps(result["selected"], ensure_ascii=False),
                exclusions_json="[]", created_by_id=getattr(actor, "id", None), created_at=utcnow())
    db.session.add(draw)
    db.session.flush()
    return draw


def redraw(draw: Draw, item: str, reason: str, *, actor=None) -> str:
    """Replace a drawn id (e.g. an inspector with a conflict of interest) by the next one in the ranking;
    the reason is kept in the draw and in the ledger. Returns the replacement."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("回避重抽必须说明理由（国办发〔2015〕58号）")
    if len(reason) > 500:
        raise InvalidInput("回避理由不超过500个字符")
    item = str(item)
    exclusions = draw.exclusions + [{"id": item, "reason": reason}]
    try:
        result = algo.select(bytes.fromhex(draw.seed), draw.params["population"], draw.sample_size,
                             exclusions)
    except algo.DrawError as exc:
        raise InvalidInput(f"{exc}（SPEC §13）") from None
    replacement = result["replacements"][-1]["replacement"]
    entry = ledger.append(algo.REDRAW_KIND, draw.subject, {
        "draw_ledger_seq": draw.ledger_seq, "id": item, "reason": reason, "replacement": replacement})
    exclusions[-1].update({"replacement": replacement, "ledger_seq": entry.seq, "at": utcnow().isoformat(),
                           "by": getattr(actor, "id", None)})
    draw.exclusions_json = json.dumps(exclusions, ensure_ascii=False)
    draw.selected_json = json.dumps(result["selected"], ensure_ascii=False)
    db.session.flush()
    return replacement


def get_draw(draw_id: int) -> Draw:
    draw = db.session.get(Draw, draw_id)
    if draw is None:
        raise NotFound("没有该抽取记录")
    return draw


def list_draws(*, agency_id=None, limit=100, offset=0) -> list:
    stmt = sa_select(Draw).order_by(Draw.id.desc()).limit(limit).offset(offset)
    if agency_id is not None:
        stmt = stmt.where(Draw.agency_id == agency_id)
    return list(db.session.execute(stmt).scalars())


def _public_exclusions(draw: Draw) -> list:
    return [{"id": e["id"], "reason": e["reason"], "replacement": e.get("replacement"),
             "ledger_seq": e.get("ledger_seq")} for e in draw.exclusions]


def bundle(draw: Draw) -> dict:
    """Everything an outsider needs to recompute the draw: parameters, the ledger entry, its inclusion proof
    in the seeding checkpoint, the signed checkpoint, the log's public key, the redraws and the result."""
    entry = ledger.get_entry(draw.ledger_seq)
    checkpoint = ledger.get_checkpoint(draw.checkpoint_size)
    proof = ledger.inclusion_proof(draw.ledger_seq, draw.checkpoint_size)
    import base64

    return {
        "format": algo.BUNDLE_FORMAT,
        "draw_id": draw.id,
        "subject": draw.subject,
        "purpose": draw.purpose,
        "algorithm": f"{algo.ALGORITHM}/{algo.ALGORITHM_VERSION}: rank ids by SHA-256(seed || UTF-8 id), "
                     "take the first sample_size; a redraw replaces the excluded id by the next in the ranking",
        "origin": ledger.origin(),
        "params": draw.params,
        "index": draw.ledger_seq,
        "entry": entry.body,
        "tree_size": checkpoint.tree_size,
        "inclusion_proof": [base64.b64encode(h).decode() for h in proof],
        "checkpoint": checkpoint.note,
        "verifier_key": checkpoint_key(checkpoint),
        "exclusions": _public_exclusions(draw),
        "selected": draw.selected,
    }


def verify_draw(draw: Draw) -> dict:
    """Re-check a stored draw against the ledger: the entry holds exactly the stored parameters, the seed is
    the root of the FIRST signed checkpoint including it, every redraw is in the ledger, and the published
    algorithm recomputes the stored result. DrawVerificationFailed names the first failing check."""
    try:
        entry = ledger.get_entry(draw.ledger_seq)
        stored = draw.params
        if entry.kind != algo.LEDGER_KIND or canonical_json(entry.payload) != canonical_json(stored):
            raise algo.VerificationFailed("entry", "抽取参数与台账记录不一致：登记后抽取参数（抽取范围）被改动")
        if stored.get("population_sha256") != draw.population_sha256:
            raise algo.VerificationFailed("params", "抽取范围的 SHA-256 与登记时不符")
        first = seeding_checkpoint(draw.ledger_seq)
        if first is None or first.tree_size != draw.checkpoint_size or first.root_hash != draw.seed:
            raise algo.VerificationFailed("checkpoint", "种子不是登记后第一个签名检查点的根哈希")
        for ex in draw.exclusions:
            red = ledger.get_entry(ex["ledger_seq"])
            if red.kind != algo.REDRAW_KIND or red.payload.get("id") != ex["id"] \
                    or red.payload.get("reason") != ex["reason"] \
                    or red.payload.get("draw_ledger_seq") != draw.ledger_seq:
                raise algo.VerificationFailed("exclusions", f"回避重抽记录（{ex['id']}）与台账不符")
        proof = ledger.inclusion_proof(draw.ledger_seq, first.tree_size)
        leaf = merkle.leaf_hash(entry.body.encode("utf-8"))
        if not merkle.verify_inclusion(draw.ledger_seq, first.tree_size, leaf, proof, bytes.fromhex(first.root_hash)):
            raise algo.VerificationFailed("inclusion", "台账记录不在检查点的默克尔树中")
        result = algo.recompute(stored, first.note, exclusions=draw.exclusions,
                                verifier_key=checkpoint_key(first))
        if result["selected"] != draw.selected:
            raise algo.VerificationFailed("result", "保存的抽取结果与重算结果不符")
    except algo.VerificationFailed as exc:
        raise DrawVerificationFailed(f"抽取记录 {draw.id} 未通过验证（{exc.check}）：{exc.message}（SPEC §13）",
                                     details={"check": exc.check}) from None
    return result
