"""Public proofs for public things (issue 18): every publication the public can see — a published
decision, its withdrawal, a power-list version, a certificate event shown on the officer's public card —
gets a companion ledger entry of kind `public.<kind>` and subject `public:<subject>`, whose payload holds no personal data: the hash of what was
published, the public page's address, dates, and `ref`, the number of the internal entry it mirrors.

Anyone may download the proof bundle of a `public.*` entry (entry, inclusion proof, signed checkpoint) at
/ledger/proofs/<seq>.json and check it offline or at /ledger/verify. Internal entries stay internal: their
payloads can name parties and staff.

Projections are plain functions of the internal payload, kept here (the ledger knows the kinds' shapes;
features do not change). A projection may only use the keys in ALLOWED_KEYS: a new key is a decision about
what becomes public, made here.
"""
import hashlib

from app.ledger.canonical import canonical_json

PREFIX = "public."
ALLOWED_KEYS = {"sha256", "content_sha256", "url", "pdf_url", "published_on", "withdrawn_on", "reason",
                "version", "event", "on", "ref"}


def _digest(obj) -> str:
    return hashlib.sha256(canonical_json(obj).encode("utf-8")).hexdigest()


def _decision_published(p):
    pid = p["publication_id"]
    return {"sha256": p["sha256"], "content_sha256": p.get("content_sha256"), "published_on": p["published_on"],
            "url": f"/public/decisions/{pid}", "pdf_url": f"/public/decisions/{pid}.pdf"}


def _decision_withdrawn(p):
    # The withdrawal's public text (reason and note) is shown on the decision page and /public/withdrawals.
    return {"sha256": _digest({"reason": p.get("reason"), "note": p.get("note")}), "reason": p.get("reason"),
            "withdrawn_on": p.get("withdrawn_on"), "url": f"/public/decisions/{p['publication_id']}"}


def _matter_published(p):
    public = {k: v for k, v in p.items() if k != "actor"}  # the power list itself is public
    return {"sha256": _digest(public), "version": p.get("version"), "published_on": p.get("published_on"),
            "url": f"/public/powers/{p['matter_id']}"}


def _certificate_event(kind):
    def project(p):
        # Only the card's public facts are hashed (never the actor or the internal reason).
        card = {k: p.get(k) for k in ("number", "on", "officer_id", "officer_name", "agency_id", "kind",
                                      "categories", "area_code", "issued_on", "expires_on", "until")}
        return {"sha256": _digest(card), "event": kind, "on": p.get("on")}
    return project


PROJECTIONS = {
    "publication.published": _decision_published,
    "publication.withdrawn": _decision_withdrawn,
    "matter.published": _matter_published,
    **{f"certificate.{k}": _certificate_event(k) for k in ("issued", "inspected", "suspended", "restored",
                                                            "revoked", "cancelled")},
}


def projection(kind: str, payload: dict):
    """The public payload for an internal entry of `kind`, or None if that kind is not public."""
    fn = PROJECTIONS.get(kind)
    if fn is None:
        return None
    public = {k: v for k, v in fn(payload).items() if v is not None}
    extra = set(public) - ALLOWED_KEYS
    if extra:  # a programming error, caught by the tests
        raise ValueError(f"public projection of {kind} exposes {sorted(extra)}")
    return public


def subject_of(subject: str) -> str:
    """The public entry's subject: "public:" + the internal subject (so that a feature listing the entries
    of its own subject never meets the public mirror)."""
    return "public:" + subject


def is_public(kind: str) -> bool:
    return kind.startswith(PREFIX)
