"""Signed notes (C2SP signed-note) and transparency-log checkpoints (C2SP tlog-checkpoint).

Keys are encoded exactly as golang.org/x/mod/sumdb/note does it, so that any transparency-log tool can
read our checkpoints:
    signer key    PRIVATE+KEY+<name>+<hash>+<base64(0x01 || 32-byte Ed25519 seed)>
    verifier key  <name>+<hash>+<base64(0x01 || 32-byte Ed25519 public key)>
where <hash> is the first 4 bytes of SHA-256(name || "\\n" || 0x01 || public key) as 8 hex digits.
A signed note is the text (ending in "\\n"), a blank line, then one line per signature:
    "\\u2014 <name> <base64(key hash (4 bytes, big-endian) || Ed25519 signature of the text)>\\n".
A checkpoint's text is: origin line, decimal tree size, base64 root hash, then optional extension lines.
Imports only the standard library and `cryptography`: the offline verifier uses this module.
"""
import base64
import binascii
import hashlib
import struct

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALG_ED25519 = 0x01
SIG_PREFIX = "\u2014 "  # em dash and a space


class NoteError(ValueError):
    """A malformed key, note or checkpoint, or a signature that does not verify."""


def _valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def key_hash(name: str, public_key: bytes) -> int:
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + public_key).digest()
    return struct.unpack(">I", digest[:4])[0]


def fingerprint(public_key: bytes) -> str:
    """A key's fingerprint for reading aloud or printing: SHA256:<unpadded base64 of SHA-256(public key)>,
    as OpenSSH shows keys. Unlike the 4-byte key hash it cannot be matched by a made-up key."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(public_key).digest()).decode().rstrip("=")


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise NoteError(f"invalid base64: {exc}") from None


class NoteSigner:
    """What every checkpoint signer offers (a key file or a PKCS#11 token): subclasses set `name`,
    `public_key` (32 raw bytes) and `key_hash`, and implement `sign_bytes`."""

    name: str
    public_key: bytes
    key_hash: int

    def sign_bytes(self, data: bytes) -> bytes:  # pragma: no cover - abstract
        raise NotImplementedError

    def verifier(self) -> "Verifier":
        return Verifier(self.name, self.public_key)

    def verifier_key(self) -> str:
        return self.verifier().to_string()

    def sign(self, text: str) -> str:
        """The signed note for `text` (which must end in a newline)."""
        if not text.endswith("\n"):
            raise NoteError("a note's text must end with a newline")
        signature = self.sign_bytes(text.encode("utf-8"))
        blob = base64.b64encode(struct.pack(">I", self.key_hash) + signature).decode()
        return f"{text}\n{SIG_PREFIX}{self.name} {blob}\n"


class Signer(NoteSigner):
    """A signer whose Ed25519 private key is in memory (read from a Go note signer key)."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey):
        if not _valid_name(name):
            raise NoteError(f"invalid key name {name!r}")
        self.name = name
        self.private_key = private_key
        self.public_key = _raw_public(private_key.public_key())
        self.key_hash = key_hash(name, self.public_key)

    @classmethod
    def generate(cls, name: str) -> "Signer":
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_string(cls, skey: str) -> "Signer":
        parts = skey.strip().split("+", 4)
        if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
            raise NoteError("a signer key starts with PRIVATE+KEY+")
        name, hash_hex, b64 = parts[2], parts[3], parts[4]
        raw = _b64decode(b64)
        if len(raw) != 33 or raw[0] != ALG_ED25519:
            raise NoteError("unsupported signer key (Ed25519 expected)")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if hash_hex != f"{signer.key_hash:08x}":
            raise NoteError("signer key hash does not match the key")
        return signer

    def to_string(self) -> str:
        seed = self.private_key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                              serialization.NoEncryption())
        raw = base64.b64encode(bytes([ALG_ED25519]) + seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_hash:08x}+{raw}"

    def sign_bytes(self, data: bytes) -> bytes:
        return self.private_key.sign(data)


class Verifier:
    def __init__(self, name: str, public_key: bytes):
        if not _valid_name(name):
            raise NoteError(f"invalid key name {name!r}")
        if len(public_key) != 32:
            raise NoteError("an Ed25519 public key is 32 bytes")
        self.name = name
        self.public_key = public_key
        self.key_hash = key_hash(name, public_key)

    @classmethod
    def from_string(cls, vkey: str) -> "Verifier":
        parts = vkey.strip().split("+", 2)
        if len(parts) != 3:
            raise NoteError("a verifier key is name+hash+base64")
        name, hash_hex, b64 = parts
        raw = _b64decode(b64)
        if len(raw) != 33 or raw[0] != ALG_ED25519:
            raise NoteError("unsupported verifier key (Ed25519 expected)")
        verifier = cls(name, raw[1:])
        if hash_hex != f"{verifier.key_hash:08x}":
            raise NoteError("verifier key hash does not match the key")
        return verifier

    def to_string(self) -> str:
        raw = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_hash:08x}+{raw}"

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def verify(self, text: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, text)
            return True
        except InvalidSignature:
            return False


def split_note(signed: str):
    """(text, [(name, key hash, signature bytes)]) of a signed note, or NoteError if malformed."""
    if not signed.endswith("\n"):
        raise NoteError("a signed note ends with a newline")
    cut = signed.rfind("\n\n")
    if cut < 0:
        raise NoteError("a signed note has a blank line before its signatures")
    text, sig_block = signed[:cut + 1], signed[cut + 2:]
    signatures = []
    for line in sig_block[:-1].split("\n"):
        if not line.startswith(SIG_PREFIX):
            raise NoteError("malformed signature line")
        name, _, b64 = line[len(SIG_PREFIX):].partition(" ")
        if not _valid_name(name) or not b64 or " " in b64:
            raise NoteError("malformed signature line")
        blob = _b64decode(b64)
        if len(blob) < 5:
            raise NoteError("signature too short")
        signatures.append((name, struct.unpack(">I", blob[:4])[0], blob[4:]))
    if not signatures:
        raise NoteError("a signed note has at least one signature")
    return text, signatures


def open_note(signed: str, verifier: Verifier) -> str:
    """The note's text if `verifier` signed it; NoteError otherwise. Signatures by unknown keys are ignored,
    as in Go's note.Open, but at least one must be ours and every one of ours must verify."""
    text, signatures = split_note(signed)
    ours = [s for s in signatures if s[0] == verifier.name and s[1] == verifier.key_hash]
    if not ours:
        raise NoteError(f"the note carries no signature by {verifier.name}+{verifier.key_hash:08x}")
    for _, _, sig in ours:
        if not verifier.verify(text.encode("utf-8"), sig):
            raise NoteError("invalid signature")
    return text


# --- checkpoints ---------------------------------------------------------------------------------------

def checkpoint_text(origin: str, size: int, root: bytes, extensions=()) -> str:
    if not origin or "\n" in origin:
        raise NoteError("invalid origin")
    lines = [origin, str(size), base64.b64encode(root).decode(), *extensions]
    for ext in extensions:
        if not ext or "\n" in ext:
            raise NoteError("an extension line is non-empty and has no newline")
    return "\n".join(lines) + "\n"


def parse_checkpoint(text: str):
    """(origin, size, root bytes, extension lines) from a checkpoint's text (not the signed note)."""
    if not text.endswith("\n"):
        raise NoteError("a checkpoint ends with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3 or not lines[0]:
        raise NoteError("a checkpoint has an origin, a size and a root hash")
    origin, size_s, root_s, *extensions = lines
    if not size_s.isdigit() or (size_s != "0" and size_s.startswith("0")) or not size_s.isascii():
        raise NoteError("invalid tree size")
    root = _b64decode(root_s)
    if len(root) != 32:
        raise NoteError("the root hash is 32 bytes")
    if any(not e for e in extensions):
        raise NoteError("empty extension line")
    return origin, int(size_s), root, extensions


def open_checkpoint(signed: str, verifier: Verifier, origin: str | None = None):
    """Verify a signed checkpoint and return (origin, size, root)."""
    text = open_note(signed, verifier)
    cp_origin, size, root, _ = parse_checkpoint(text)
    if origin is not None and cp_origin != origin:
        raise NoteError(f"checkpoint origin {cp_origin!r} is not {origin!r}")
    return cp_origin, size, root
