"""The log's side of witnessing (C2SP tlog-witness): after a checkpoint is signed, send it with a
consistency proof to every configured witness (LEDGER_WITNESSES), keep the cosignature lines they return
(verified against their keys), and publish the cosigned checkpoint. `flask ledger verify` and the offline
verifier accept a checkpoint only with LEDGER_WITNESS_QUORUM valid cosignatures.

LEDGER_WITNESSES: one witness per line (or separated by ";"): "<add-checkpoint base URL> <witness vkey>".
"""
import base64
import logging
import urllib.error
import urllib.request

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.ledger import cosign, note
from app.ledger.models import LedgerCheckpoint

log = logging.getLogger(__name__)


def configured():
    """[(url, WitnessVerifier)] from LEDGER_WITNESSES."""
    raw = current_app.config.get("LEDGER_WITNESSES") or ""
    items = raw if isinstance(raw, (list, tuple)) else raw.replace(";", "\n").splitlines()
    out = []
    for item in items:
        item = item.strip() if isinstance(item, str) else item
        if not item:
            continue
        url, vkey = item.split() if isinstance(item, str) else item
        out.append((url.rstrip("/"), cosign.WitnessVerifier.from_string(vkey)))
    return out


def quorum() -> int:
    return int(current_app.config.get("LEDGER_WITNESS_QUORUM") or 0)


def _post(url, old, proof, signed, timeout):
    body = f"old {old}\n" + "".join(base64.b64encode(h).decode() + "\n" for h in proof) + "\n" + signed
    req = urllib.request.Request(url + "/add-checkpoint", data=body.encode("utf-8"), method="POST",
                                 headers={"Content-Type": "text/plain; charset=utf-8"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


def request_cosignatures(cp: LedgerCheckpoint, timeout: float = 5.0) -> list:
    """Ask every witness to cosign `cp`; store the cosigned note (flushes). Returns the witnesses that
    cosigned. A witness that is down or refuses is logged and skipped: quorum is checked by verifiers."""
    from app.ledger import services

    witnesses = configured()
    if not witnesses:
        return []
    text, _ = note.split_note(cp.note)
    lines, signed_by = [], []
    previous = db.session.execute(select(LedgerCheckpoint.tree_size).where(
        LedgerCheckpoint.cosigned.is_not(None), LedgerCheckpoint.tree_size < cp.tree_size)
        .order_by(LedgerCheckpoint.tree_size.desc()).limit(1)).scalar() or 0
    for url, witness in witnesses:
        old = previous
        try:
            for _ in range(2):
                proof = services.consistency_proof(old, cp.tree_size) if 0 < old < cp.tree_size else []
                status, body = _post(url, old, proof, cp.note, timeout)
                if status == 409 and body.strip().isdigit() and int(body.strip()) != old:
                    old = int(body.strip())  # the witness is elsewhere: retry from its size
                    if old > cp.tree_size:
                        break
                    continue
                break
        except (OSError, ValueError) as exc:
            log.warning("ledger: witness %s unreachable: %s", url, exc)
            continue
        if status != 200:
            log.warning("ledger: witness %s refused checkpoint %s: %s %s", url, cp.tree_size, status, body[:200])
            continue
        line = next((ln + "\n" for ln in body.splitlines() if ln.startswith(note.SIG_PREFIX + witness.name + " ")),
                    None)
        if line and witness.verify(cp.note + line) is not None:
            lines.append(line)
            signed_by.append(witness)
        else:
            log.warning("ledger: witness %s returned no valid cosignature", url)
    base = cp.cosigned or cp.note
    new_lines = [ln for ln in lines if ln not in base]
    if new_lines:
        cp.cosigned = base + "".join(new_lines)
        db.session.flush()
    return signed_by


def check_quorum(signed: str) -> tuple:
    """(number of configured witnesses with a valid cosignature on the note, quorum)."""
    witnesses = [w for _, w in configured()]
    return len(cosign.count_cosignatures(signed, witnesses)), quorum()
