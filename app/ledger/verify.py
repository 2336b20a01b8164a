"""Offline verifier for ledger proof bundles. Needs only the Python standard library and `cryptography`.

    python -m app.ledger.verify BUNDLE [FILE] [--key KEY] [--known-keys FILE]
                                [--old-checkpoint CP] [--consistency JSON]

Checks, in order, and says which one failed:
1. the file's SHA-256 equals the one the entry records (when FILE is given);
2. the entry is well-formed canonical JSON and carries the bundle's index;
3. the checkpoint is signed by a key you trust: one given with --key (a Go note verifier key, or a file
   holding one, e.g. the text served at /ledger/key) or listed in your known-keys file (--known-keys, else
   $SANXIANG_KNOWN_KEYS, else ~/.config/sanxiang/known-keys: one verifier key per line, '#' comments), and
   names the expected log;
4. the inclusion proof leads from the entry's leaf hash to the checkpoint's root;
   with --witness (and --quorum): the checkpoint carries at least that many valid cosignatures
   (C2SP tlog-cosignature) from the witnesses you name, so the log showed everyone the same tree;
5. with --old-checkpoint: the older checkpoint you kept is signed by the same key and the log has only
   grown since (consistency proof from the bundle or from --consistency, the JSON of /ledger/consistency).

A bundle carries its signer's public key, but a key that came with the bundle proves nothing: anyone can
sign a forged log with a key of their own. Without a trusted key the verifier still runs checks 1, 2 and 4
against that key, says so, prints the key's fingerprint to compare with the one the agency publishes, and
never says VERIFIED.
Exit status: 0 all checks passed under a trusted key; 1 a check failed; 2 the input could not be read;
3 every check passed but the signer is unknown (no trusted key).
"""
import argparse
import base64
import binascii
import hashlib
import json
import os
import sys

from app.ledger import merkle, note
from app.ledger.canonical import canonical_json

EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE, EXIT_SIGNER_UNKNOWN = 0, 1, 2, 3


class CheckFailed(Exception):
    def __init__(self, check, message):
        super().__init__(message)
        self.check = check
        self.message = message


def _b64hash(value, what):
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise CheckFailed(what, f"{what}: not base64") from None
    if len(raw) != merkle.HASH_SIZE:
        raise CheckFailed(what, f"{what}: a hash is 32 bytes")
    return raw


def parse_keys(text: str) -> list:
    """Verifier keys from a known-keys text: the first word of every line that is not blank or a '#'
    comment (so the text of /ledger/key and /ledger/keys can be saved as it is)."""
    keys = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word = line.split()[0]
        if "+" not in word:
            continue  # e.g. the "ed25519 <base64>" line of /ledger/key
        keys.append(note.Verifier.from_string(word))
    return keys


def _read_key(spec: str) -> note.Verifier:
    """A verifier key given directly, or the first key in a file holding one."""
    return _read_keys(spec)[0]


def _read_keys(spec: str) -> list:
    text = spec
    if os.path.exists(spec):
        with open(spec, encoding="utf-8") as fh:
            text = fh.read()
    keys = parse_keys(text)
    if not keys:
        raise note.NoteError(f"no verifier key in {spec!r}")
    return keys


def default_known_keys_path() -> str:
    env = os.environ.get("SANXIANG_KNOWN_KEYS")
    if env:
        return env
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "sanxiang", "known-keys")


def _signer_among(signed: str, keys: list):
    """The first of `keys` whose name and key hash appear on a signature line of the note, or None."""
    try:
        _, signatures = note.split_note(signed)
    except note.NoteError:
        return None
    present = {(name, khash) for name, khash, _ in signatures}
    return next((k for k in keys if (k.name, k.key_hash) in present), None)


def sha256_file(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def follow_rotations(trusted: list, statements: list, origin, report=print):
    """Extend the trusted keys along key rotation statements (app.ledger.keys): a statement signed by a
    trusted key and by the new key makes the new key trusted from the statement's size on, and limits the
    old key to trees up to that size. Returns (trusted keys, {verifier key: (min size, max size)})."""
    trusted = list(trusted)
    limits = {}
    pending = list(statements)
    progress = True
    while pending and progress:
        progress = False
        for statement in list(pending):
            try:
                text, _ = note.split_note(statement)
                lines = text.rstrip("\n").split("\n")
                fields = dict(line.split(" ", 1) for line in lines[2:])
                if lines[0] != "sanxiang-ledger-key-rotation/1" or (origin and lines[1] != origin):
                    raise note.NoteError("not a rotation statement of this log")
                old = note.Verifier.from_string(fields["old"])
                new = note.Verifier.from_string(fields["new"])
                size = int(fields["size"])
            except (note.NoteError, KeyError, ValueError):
                pending.remove(statement)
                continue
            if not any(k.to_string() == old.to_string() for k in trusted):
                continue
            pending.remove(statement)
            try:
                note.open_note(statement, old)
                note.open_note(statement, new)
            except note.NoteError as exc:
                raise CheckFailed("key", f"key rotation statement at size {size}: {exc}") from None
            low, _ = limits.get(old.to_string(), (0, None))
            limits[old.to_string()] = (low, size)
            if not any(k.to_string() == new.to_string() for k in trusted):
                trusted.append(new)
                limits[new.to_string()] = (size, None)
            report(f"[OK] key rotation at size {size}: {old.fingerprint} handed over to {new.fingerprint}, "
                   f"signed by both")
            progress = True
    return trusted, limits


def verify_bundle(bundle: dict, *, file_path=None, verifier=None, known_keys=None, old_checkpoint=None,
                  consistency=None, witnesses=(), quorum=0, report=print) -> bool:
    """Run every check; report(line) is told of each success. Raises CheckFailed on the first failure.

    `verifier` (one pinned key) or `known_keys` (a list) say whom the checkpoint must be signed by. With
    neither, the checks run against the key inside the bundle and the result is False: everything checked
    out, but the signer is unknown. True means every check passed under a trusted key."""
    try:
        index = bundle["index"]
        body = bundle["entry"]
        tree_size = bundle["tree_size"]
        proof = bundle["inclusion_proof"]
        signed = bundle["checkpoint"]
        if not (isinstance(index, int) and isinstance(tree_size, int) and isinstance(body, str)
                and isinstance(proof, list) and isinstance(signed, str)):
            raise TypeError
    except (KeyError, TypeError):
        raise CheckFailed("bundle", "bundle: missing or mistyped fields") from None

    # 2 (parsed first: the file check needs the entry's claim)
    try:
        entry = json.loads(body)
    except ValueError:
        raise CheckFailed("entry", "entry: not JSON") from None
    if not isinstance(entry, dict) or canonical_json(entry) != body:
        raise CheckFailed("entry", "entry: not canonical JSON")
    if entry.get("seq") != index:
        raise CheckFailed("entry", f"entry: records index {entry.get('seq')}, the bundle says {index}")
    payload = entry.get("payload") if isinstance(entry.get("payload"), dict) else {}
    claimed = payload.get("sha256")

    # 1
    if file_path is not None:
        if not isinstance(claimed, str):
            raise CheckFailed("file", "file: the entry does not record a file hash (payload.sha256)")
        actual = sha256_file(file_path)
        if actual != claimed.lower():
            raise CheckFailed("file", f"file: SHA-256 {actual} differs from the entry's {claimed}")
        report(f"[OK] file SHA-256 matches entry {index}: {actual}")
    elif isinstance(claimed, str):
        report("[--] file not given: only the entry is checked")
    report(f"[OK] entry {index} is canonical ({entry.get('kind')}, {entry.get('subject')}, {entry.get('at')})")

    # 3
    trusted = list(known_keys or [])
    if verifier is not None:
        trusted.insert(0, verifier)
    signer_known = bool(trusted)
    limits = {}
    if trusted:
        trusted, limits = follow_rotations(trusted, bundle.get("key_rotations") or [], bundle.get("origin"),
                                           report)
        verifier = _signer_among(signed, trusted)
        if verifier is None:
            claimed = bundle.get("verifier_key", "")
            detail = ""
            try:
                other = note.Verifier.from_string(claimed)
                detail = f" (the bundle names {other.name}+{other.key_hash:08x}, fingerprint {other.fingerprint})"
            except note.NoteError:
                pass
            raise CheckFailed("checkpoint", "checkpoint: not signed by any key you trust" + detail)
    else:
        try:
            verifier = note.Verifier.from_string(bundle.get("verifier_key", ""))
        except note.NoteError as exc:
            raise CheckFailed("key", f"key: the bundle's key is unreadable: {exc}") from None
        report(f"[??] no trusted key (--key or known-keys): checking against the key inside the bundle, "
               f"{verifier.name}+{verifier.key_hash:08x}, fingerprint {verifier.fingerprint}; anyone can make "
               f"such a key")
    try:
        origin, size, root = note.open_checkpoint(signed, verifier, bundle.get("origin"))
    except note.NoteError as exc:
        raise CheckFailed("checkpoint", f"checkpoint: {exc}") from None
    if size != tree_size:
        raise CheckFailed("checkpoint", f"checkpoint: signs size {size}, the bundle says {tree_size}")
    low, high = limits.get(verifier.to_string(), (0, None))
    if size < low or (high is not None and size > high):
        raise CheckFailed("checkpoint", f"checkpoint: signed by {verifier.name}+{verifier.key_hash:08x}, which "
                                        f"signs only trees of size {low} to {high if high is not None else '…'}; "
                                        f"this one has {size} (a retired key signing new trees)")
    mark = "OK" if signer_known else "??"
    report(f"[{mark}] checkpoint signed by {verifier.name}+{verifier.key_hash:08x}: size {size}, "
           f"root {base64.b64encode(root).decode()}" + ("" if signer_known else " (signer unknown)"))

    # 3b: witnesses
    if quorum > 0:
        from app.ledger import cosign

        cosigners = cosign.count_cosignatures(signed, list(witnesses))
        if len(cosigners) < quorum:
            raise CheckFailed("witness", f"witness: {len(cosigners)} valid cosignature(s) from the witnesses you "
                                         f"trust, {quorum} required: the log may be showing you a view others "
                                         f"do not see")
        report(f"[OK] cosigned by {len(cosigners)} of your {len(witnesses)} witnesses (quorum {quorum}): "
               + ", ".join(w.name for w in cosigners))

    # 4
    path = [_b64hash(h, "proof") for h in proof]
    leaf = merkle.leaf_hash(body.encode("utf-8"))
    if not merkle.verify_inclusion(index, size, leaf, path, root):
        raise CheckFailed("proof", f"proof: entry {index} is not included in the tree of size {size}")
    report(f"[OK] inclusion proof: entry {index} is in the signed tree of {size} entries "
           f"({len(path)} hashes)")

    # 5
    if old_checkpoint is not None:
        try:
            old_signer = _signer_among(old_checkpoint, trusted or [verifier]) or verifier
            _, old_size, old_root = note.open_checkpoint(old_checkpoint, old_signer, origin)
        except note.NoteError as exc:
            raise CheckFailed("old-checkpoint", f"old checkpoint: {exc}") from None
        if old_size > size:
            raise CheckFailed("consistency", f"consistency: your checkpoint (size {old_size}) is newer "
                                             f"than the bundle's (size {size}); get a newer bundle")
        candidates = list(bundle.get("consistency") or [])
        if consistency is not None:
            candidates.append(consistency)
        cproof = None
        if old_size in (0, size):
            cproof = []
        for c in candidates:
            if c.get("first") == old_size and c.get("second", size) == size:
                cproof = [_b64hash(h, "consistency") for h in c.get("proof", [])]
        if cproof is None:
            raise CheckFailed("consistency", f"consistency: no proof from size {old_size} to {size}; fetch "
                                             f"/ledger/consistency?first={old_size}&second={size} and pass "
                                             f"it with --consistency")
        try:
            merkle.check_consistency(old_size, size, old_root, root, cproof)
        except merkle.ProofError as exc:
            raise CheckFailed("consistency", f"consistency: the log was rewritten since your checkpoint "
                                             f"of size {old_size}: {exc}") from None
        report(f"[OK] consistency: the log of size {size} extends your checkpoint of size {old_size}")
    return signer_known


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.ledger.verify",
                                     description="Verify a ledger proof bundle offline.")
    parser.add_argument("bundle", help="the bundle JSON (from `flask ledger bundle`)")
    parser.add_argument("file", nargs="?", help="the file the entry describes")
    parser.add_argument("--key", action="append", default=[],
                        help="a verifier key you trust, or a file holding keys (from /ledger/key); repeatable")
    parser.add_argument("--known-keys", help="your known-keys file (default: $SANXIANG_KNOWN_KEYS or "
                                             "~/.config/sanxiang/known-keys, if it exists)")
    parser.add_argument("--witness", action="append", default=[],
                        help="a witness's cosignature key (name+id+base64), or a file of them; repeatable")
    parser.add_argument("--quorum", type=int, default=None,
                        help="cosignatures required from those witnesses (default: 1 if --witness is given)")
    parser.add_argument("--old-checkpoint", help="a signed checkpoint you kept earlier")
    parser.add_argument("--consistency", help="consistency proof JSON (from /ledger/consistency)")
    args = parser.parse_args(argv)
    try:
        with open(args.bundle, encoding="utf-8") as fh:
            bundle = json.load(fh)
        known = [k for spec in args.key for k in _read_keys(spec)]
        known_path = args.known_keys or default_known_keys_path()
        if args.known_keys or os.path.exists(known_path):
            with open(known_path, encoding="utf-8") as fh:
                known += parse_keys(fh.read())
        old = open(args.old_checkpoint, encoding="utf-8").read() if args.old_checkpoint else None
        consistency = None
        if args.consistency:
            with open(args.consistency, encoding="utf-8") as fh:
                consistency = json.load(fh)
        if args.file is not None:
            open(args.file, "rb").close()
        from app.ledger import cosign

        witnesses = []
        for spec in args.witness:
            text = open(spec, encoding="utf-8").read() if os.path.exists(spec) else spec
            witnesses += [cosign.WitnessVerifier.from_string(ln.split()[0]) for ln in text.splitlines()
                          if ln.strip() and not ln.startswith("#")]
        quorum = args.quorum if args.quorum is not None else (1 if witnesses else 0)
        if quorum > len(witnesses):
            raise ValueError(f"--quorum {quorum} needs at least {quorum} --witness keys")
    except (OSError, ValueError, note.NoteError) as exc:
        print(f"ERROR: cannot read input: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    if not isinstance(bundle, dict):
        print("ERROR: the bundle is not a JSON object", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        signer_known = verify_bundle(bundle, file_path=args.file, known_keys=known, old_checkpoint=old,
                                     consistency=consistency, witnesses=witnesses, quorum=quorum)
    except CheckFailed as failure:
        print(f"[FAIL] {failure.message}")
        print(f"VERDICT: FAILED ({failure.check} check)")
        return EXIT_FAILED
    if not signer_known:
        key = note.Verifier.from_string(bundle["verifier_key"])
        print(f"The checks above hold for a log signed by {key.name}+{key.key_hash:08x}, key fingerprint "
              f"{key.fingerprint}; whether that is the agency's key is not known here. Compare the "
              f"fingerprint with the one the agency publishes, then pass the key with --key or add it to "
              f"{known_path}.")
        print("VERDICT: NOT VERIFIED (signer unknown)")
        return EXIT_SIGNER_UNKNOWN
    print("VERDICT: VERIFIED")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
