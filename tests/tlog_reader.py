"""An independent C2SP tlog-tiles / tlog-checkpoint / signed-note reader, written for the tests from the
specifications (c2sp.org/tlog-tiles, c2sp.org/tlog-checkpoint, c2sp.org/signed-note) and RFC 6962/9162, not
from app.ledger: it shares no code with the server, so it would catch a server that agrees only with itself.

`fetch(path)` returns the bytes served at <log prefix>/<path>, or None for a 404.
"""
import base64
import hashlib
import struct

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class ReaderError(Exception):
    pass


def _sha(b):
    return hashlib.sha256(b).digest()


def _node(left, right):
    return _sha(b"\x01" + left + right)


def tile_path(level, index, width=None):
    digits = str(index)
    digits = "0" * (-len(digits) % 3) + digits
    parts = [digits[i:i + 3] for i in range(0, len(digits), 3)]
    path = "/".join(["x" + p for p in parts[:-1]] + [parts[-1]])
    suffix = f".p/{width}" if width is not None and width < 256 else ""
    return f"tile/{level}/{path}{suffix}"


def open_checkpoint(signed: str, vkey: str):
    """(origin, size, root) of a checkpoint signed by `vkey` (name+hash+base64(0x01||key)); ReaderError
    otherwise. Other signatures (witnesses) are ignored."""
    name, key_id_hex, key_b64 = vkey.strip().split("+", 2)
    raw = base64.b64decode(key_b64)
    if raw[0] != 1 or len(raw) != 33:
        raise ReaderError("not an Ed25519 note key")
    public = raw[1:]
    if _sha(name.encode() + b"\n\x01" + public)[:4].hex() != key_id_hex:
        raise ReaderError("key id mismatch")
    text, sep, sigs = signed.rpartition("\n\n")
    if not sep:
        raise ReaderError("no signature block")
    text += "\n"
    verified = False
    for line in sigs.rstrip("\n").split("\n"):
        if not line.startswith("\u2014 "):
            raise ReaderError("bad signature line")
        sig_name, blob = line[2:].split(" ")
        blob = base64.b64decode(blob)
        if sig_name == name and blob[:4].hex() == key_id_hex:
            try:
                Ed25519PublicKey.from_public_bytes(public).verify(blob[4:], text.encode())
            except InvalidSignature:
                raise ReaderError("invalid signature") from None
            verified = True
    if not verified:
        raise ReaderError("no signature by the log's key")
    lines = text.rstrip("\n").split("\n")
    return lines[0], int(lines[1]), base64.b64decode(lines[2])


class TileReader:
    def __init__(self, fetch, size):
        self.fetch = fetch
        self.size = size
        self.fetched = []
        self._tiles = {}

    def _tile(self, level, index):
        """The hashes of tile (level, index), as wide as the tree of `size` makes it."""
        key = (level, index)
        if key not in self._tiles:
            width = min(256, (self.size >> (8 * level)) - index * 256)
            if width <= 0:
                raise ReaderError(f"tile {key} is beyond the tree")
            path = tile_path(level, index, width)
            data = self.fetch(path)
            self.fetched.append(path)
            if data is None or len(data) != 32 * width:
                raise ReaderError(f"{path}: missing or wrong length")
            self._tiles[key] = [data[i:i + 32] for i in range(0, len(data), 32)]
        return self._tiles[key]

    def node(self, height, index):
        """Hash of the perfect subtree of 2**height leaves starting at leaf index * 2**height."""
        level, rest = divmod(height, 8)
        first = index << rest  # its first node at Merkle height 8 * level
        hashes = self._tile(level, first // 256)
        row = hashes[first % 256:first % 256 + (1 << rest)]
        if len(row) != 1 << rest:
            raise ReaderError("subtree not complete in its tile")
        while len(row) > 1:
            row = [_node(row[i], row[i + 1]) for i in range(0, len(row), 2)]
        return row[0]

    def subtree(self, start, n):
        """MTH of leaves [start, start + n) by RFC 6962 §2.1."""
        if n == 0:
            return _sha(b"")
        if n & (n - 1) == 0 and start % n == 0:
            return self.node(n.bit_length() - 1, start // n)
        k = 1 << ((n - 1).bit_length() - 1)
        return _node(self.subtree(start, k), self.subtree(start + k, n - k))

    def root(self):
        return self.subtree(0, self.size)

    def leaf(self, index):
        return self.node(0, index)

    def inclusion_proof(self, index, start=0, n=None):
        """PATH(m, D[n]) of RFC 6962 §2.1.1, from tiles."""
        n = self.size if n is None else n
        if n == 1:
            return []
        k = 1 << ((n - 1).bit_length() - 1)
        if index < k:
            return self.inclusion_proof(index, start, k) + [self.subtree(start + k, n - k)]
        return self.inclusion_proof(index - k, start + k, n - k) + [self.subtree(start, k)]


def root_from_proof(index, size, leaf, proof):
    """Recompute the root from an inclusion proof (RFC 9162 §2.1.3.2)."""
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ReaderError("proof too long")
        if fn & 1 or fn == sn:
            r = _node(p, r)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            r = _node(r, p)
        fn >>= 1
        sn >>= 1
    if sn:
        raise ReaderError("proof too short")
    return r


def parse_entry_bundle(data: bytes):
    out, i = [], 0
    while i < len(data):
        (n,) = struct.unpack(">H", data[i:i + 2])
        out.append(data[i + 2:i + 2 + n])
        i += 2 + n
    return out
