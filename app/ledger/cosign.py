"""Witness cosignatures (C2SP tlog-cosignature, cosignature/v1, Ed25519, signature type 0x04).

A cosignature is a signed-note signature line added to a checkpoint:
    "\\u2014 <witness name> base64(key ID (4) || timestamp (8, big-endian) || Ed25519 signature (64))"
over the message "cosignature/v1\\ntime <timestamp>\\n" + the checkpoint's text. The key ID is the first 4
bytes of SHA-256(name || "\\n" || 0x04 || public key). Keys are written like note keys with type 0x04:
    signer   PRIVATE+KEY+<name>+<key ID hex>+base64(0x04 || seed)
    verifier <name>+<key ID hex>+base64(0x04 || public key)
Standard library and `cryptography` only (the witness program and the offline verifier use it).
"""
import base64
import hashlib
import struct
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.ledger import note

ALG_COSIGNATURE_V1 = 0x04


def key_id(name: str, public_key: bytes) -> int:
    return struct.unpack(">I", hashlib.sha256(name.encode() + b"\n" + bytes([ALG_COSIGNATURE_V1])
                                              + public_key).digest()[:4])[0]


def message(text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode("utf-8")


class WitnessVerifier:
    def __init__(self, name: str, public_key: bytes):
        if not name or "+" in name or any(c.isspace() for c in name) or len(public_key) != 32:
            raise note.NoteError("invalid witness key")
        self.name, self.public_key = name, public_key
        self.key_id = key_id(name, public_key)

    @classmethod
    def from_string(cls, vkey: str) -> "WitnessVerifier":
        parts = vkey.strip().split("+", 2)
        if len(parts) != 3:
            raise note.NoteError("a witness key is name+id+base64")
        raw = note._b64decode(parts[2])
        if len(raw) != 33 or raw[0] != ALG_COSIGNATURE_V1:
            raise note.NoteError("not a cosignature/v1 (0x04) key")
        v = cls(parts[0], raw[1:])
        if parts[1] != f"{v.key_id:08x}":
            raise note.NoteError("witness key ID does not match the key")
        return v

    def to_string(self) -> str:
        return f"{self.name}+{self.key_id:08x}+" + base64.b64encode(bytes([ALG_COSIGNATURE_V1])
                                                                      + self.public_key).decode()

    @property
    def fingerprint(self) -> str:
        return note.fingerprint(self.public_key)

    def verify(self, signed_note: str) -> int | None:
        """The timestamp of this witness's valid cosignature on the note, or None."""
        text, signatures = note.split_note(signed_note)
        for name, kid, blob in signatures:
            if name != self.name or kid != self.key_id or len(blob) != 72:
                continue
            (timestamp,) = struct.unpack(">Q", blob[:8])
            try:
                Ed25519PublicKey.from_public_bytes(self.public_key).verify(blob[8:], message(text, timestamp))
                return timestamp
            except InvalidSignature:
                continue
        return None


class WitnessSigner:
    def __init__(self, name: str, private_key: Ed25519PrivateKey):
        self.private_key = private_key
        raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.verifier = WitnessVerifier(name, raw)
        self.name = name

    @classmethod
    def generate(cls, name: str) -> "WitnessSigner":
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_string(cls, skey: str) -> "WitnessSigner":
        parts = skey.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise note.NoteError("a witness signer key starts with PRIVATE+KEY+")
        raw = note._b64decode(parts[4])
        if len(raw) != 33 or raw[0] != ALG_COSIGNATURE_V1:
            raise note.NoteError("not a cosignature/v1 (0x04) signer key")
        signer = cls(parts[2], Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if parts[3] != f"{signer.verifier.key_id:08x}":
            raise note.NoteError("witness key ID does not match the key")
        return signer

    def to_string(self) -> str:
        seed = self.private_key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                              serialization.NoEncryption())
        return (f"PRIVATE+KEY+{self.name}+{self.verifier.key_id:08x}+"
                + base64.b64encode(bytes([ALG_COSIGNATURE_V1]) + seed).decode())

    def cosign(self, text: str, timestamp: int | None = None) -> str:
        """The signature line (ending in a newline) cosigning a checkpoint's text."""
        timestamp = int(time.time()) if timestamp is None else timestamp
        sig = self.private_key.sign(message(text, timestamp))
        blob = struct.pack(">I", self.verifier.key_id) + struct.pack(">Q", timestamp) + sig
        return f"{note.SIG_PREFIX}{self.name} {base64.b64encode(blob).decode()}\n"


def count_cosignatures(signed_note: str, witnesses) -> list:
    """The witnesses (WitnessVerifier) among `witnesses` with a valid cosignature on the note."""
    return [w for w in witnesses if w.verify(signed_note) is not None]
