"""Offline verifier for ledger proof bundles. Needs only the Python standard library and `cryptography`.

    python -m app.ledger.verify BUNDLE [FILE] [--key KEY] [--old-checkpoint CP] [--consistency JSON]

Checks, in order, and says which one failed:
1. the file's SHA-256 equals the one the entry records (when FILE is given);
2. the entry is well-formed canonical JSON and carries the bundle's index;
3. the checkpoint is signed by the pinned public key (KEY: a Go note verifier key, or a file holding one,
   e.g. the text served at /ledger/key) and names the expected log;
4. the inclusion proof leads from the entry's leaf hash to the checkpoint's root;
5. with --old-checkpoint: the older checkpoint you kept is signed by the same key and the log has only
   grown since (consistency proof from the bundle or from --consistency, the JSON of /ledger/consistency).
Exit status: 0 all checks passed; 1 a check failed; 2 the input could not be read.
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

EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE = 0, 1, 2


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


def _read_key(spec: str) -> note.Verifier:
    """A verifier key given directly, or the first non-empty line of a file holding one."""
    text = spec
    if os.path.exists(spec):
        with open(spec, encoding="utf-8") as fh:
            text = fh.read()
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return note.Verifier.from_string(line)


def sha256_file(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify_bundle(bundle: dict, *, file_path=None, verifier=None, old_checkpoint=None,
                  consistency=None, report=print):
    """Run every check; report(line) is told of each success. Raises CheckFailed on the first failure."""
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
    if verifier is None:
        try:
            verifier = note.Verifier.from_string(bundle.get("verifier_key", ""))
        except note.NoteError as exc:
            raise CheckFailed("key", f"key: {exc}") from None
        report("[!!] WARNING: no --key given; using the key inside the bundle, which proves nothing by "
               "itself. Pin the key published at /ledger/key.")
    try:
        origin, size, root = note.open_checkpoint(signed, verifier, bundle.get("origin"))
    except note.NoteError as exc:
        raise CheckFailed("checkpoint", f"checkpoint: {exc}") from None
    if size != tree_size:
        raise CheckFailed("checkpoint", f"checkpoint: signs size {size}, the bundle says {tree_size}")
    report(f"[OK] checkpoint signed by {verifier.name}+{verifier.key_hash:08x}: size {size}, "
           f"root {base64.b64encode(root).decode()}")

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
            _, old_size, old_root = note.open_checkpoint(old_checkpoint, verifier, origin)
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
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.ledger.verify",
                                     description="Verify a ledger proof bundle offline.")
    parser.add_argument("bundle", help="the bundle JSON (from `flask ledger bundle`)")
    parser.add_argument("file", nargs="?", help="the file the entry describes")
    parser.add_argument("--key", help="pinned verifier key, or a file holding it (from /ledger/key)")
    parser.add_argument("--old-checkpoint", help="a signed checkpoint you kept earlier")
    parser.add_argument("--consistency", help="consistency proof JSON (from /ledger/consistency)")
    args = parser.parse_args(argv)
    try:
        with open(args.bundle, encoding="utf-8") as fh:
            bundle = json.load(fh)
        verifier = _read_key(args.key) if args.key else None
        old = open(args.old_checkpoint, encoding="utf-8").read() if args.old_checkpoint else None
        consistency = None
        if args.consistency:
            with open(args.consistency, encoding="utf-8") as fh:
                consistency = json.load(fh)
        if args.file is not None:
            open(args.file, "rb").close()
    except (OSError, ValueError, note.NoteError) as exc:
        print(f"ERROR: cannot read input: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    if not isinstance(bundle, dict):
        print("ERROR: the bundle is not a JSON object", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        verify_bundle(bundle, file_path=args.file, verifier=verifier, old_checkpoint=old,
                      consistency=consistency)
    except CheckFailed as failure:
        print(f"[FAIL] {failure.message}")
        print(f"VERDICT: FAILED ({failure.check} check)")
        return EXIT_FAILED
    print("VERDICT: VERIFIED")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
