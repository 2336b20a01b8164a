"""The log as static, cacheable files in the C2SP tlog-tiles layout, read from the stored Merkle nodes.

    /ledger/checkpoint                      the latest signed checkpoint (text/plain)
    /ledger/tile/<L>/<N>[.p/<W>]            hash tile: the hashes of the tree nodes at Merkle level 8*L with
                                            indexes N*256 .. N*256+W-1 (W = 256 for a full tile), 32 bytes each
    /ledger/tile/entries/<N>[.p/<W>]        entry bundle: entries N*256 .. N*256+W-1, each as a big-endian
                                            uint16 length and the entry's bytes (the Merkle leaf data)

<N> is written in 3-digit path elements, all but the last prefixed with "x" (1234067 -> x001/x234/067).
Tiles never change once they exist (a partial tile's width is in its address), so every tile is served with
an immutable cache header; a tile the log does not have yet is a 404.

Hash tiles are public: hashes reveal nothing. Entry bundles hold whole entries, whose payloads can name
parties and staff, so they are served only to supervisors and administrators (a mirror by agreement, e.g.
the procuratorate); public entries come with their public proof bundles (app/ledger/public.py).
"""
import re

from sqlalchemy import select

from app.errors import NotFound
from app.extensions import db
from app.ledger.models import LedgerEntry, LedgerNode

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_LEVEL = 7  # 8 * 7 = 56: more than enough levels for any tree size a 64-bit index can name

_ELEMENT = re.compile(r"^(x\d{3}/)*\d{3}$")


class BadTilePath(NotFound):
    code = "not_found"


def parse_index(path: str):
    """(N, W or None) from "<N>[.p/<W>]"; NotFound for anything not written exactly as the spec says."""
    width = None
    if ".p/" in path:
        path, _, w = path.partition(".p/")
        if not w.isdigit() or w.startswith("0") or not 1 <= int(w) < TILE_WIDTH:
            raise BadTilePath("瓦片宽度无效")
        width = int(w)
    if not _ELEMENT.match(path):
        raise BadTilePath("瓦片路径无效")
    elements = path.replace("x", "").split("/")
    if len(elements) > 1 and elements[0] == "000":
        raise BadTilePath("瓦片路径无效（多余的前导零）")
    return int("".join(elements)), width


def format_index(n: int) -> str:
    """N in the tile path's 3-digit elements (the inverse of parse_index)."""
    groups = []
    while True:
        groups.append(f"{n % 1000:03d}")
        n //= 1000
        if n == 0:
            break
    groups.reverse()
    return "/".join([f"x{g}" for g in groups[:-1]] + [groups[-1]])


def _available(level_nodes: int, n: int, width) -> int:
    """How many hashes tile n may hold given `level_nodes` complete nodes at its level; NotFound if the
    requested tile (full, or partial of `width`) does not exist yet."""
    have = level_nodes - n * TILE_WIDTH
    want = width or TILE_WIDTH
    if have < want:
        raise NotFound("该瓦片尚不存在")
    return want


def _size() -> int:
    from app.ledger.services import current_size

    return current_size()


def hash_tile(level_s: str, path: str) -> bytes:
    if not level_s.isdigit() or (len(level_s) > 1 and level_s.startswith("0")) or int(level_s) > MAX_LEVEL:
        raise BadTilePath("瓦片层级无效")
    level = int(level_s)
    n, width = parse_index(path)
    merkle_level = TILE_HEIGHT * level
    count = _available(_size() >> merkle_level, n, width)
    start = n * TILE_WIDTH
    rows = db.session.execute(select(LedgerNode.index, LedgerNode.hash).where(
        LedgerNode.level == merkle_level, LedgerNode.index >= start, LedgerNode.index < start + count)
        .order_by(LedgerNode.index)).all()
    if len(rows) != count or any(ix != start + i for i, (ix, _) in enumerate(rows)):
        from app.ledger.services import LedgerCorrupt

        raise LedgerCorrupt()
    return b"".join(bytes.fromhex(h) for _, h in rows)


def entry_bundle(path: str) -> bytes:
    n, width = parse_index(path)
    count = _available(_size(), n, width)
    start = n * TILE_WIDTH
    bodies = db.session.execute(select(LedgerEntry.body).where(
        LedgerEntry.seq >= start, LedgerEntry.seq < start + count).order_by(LedgerEntry.seq)).scalars().all()
    out = bytearray()
    for body in bodies:
        raw = body.encode("utf-8")
        out += len(raw).to_bytes(2, "big") + raw
    return bytes(out)
