"""The log in the C2SP tlog-tiles layout, read by an independent reader (tests/tlog_reader.py)."""
import hashlib

import pytest

from app.extensions import db
from app.ledger import tiles
from app.ledger.services import append, create_checkpoint
from tests.tlog_reader import TileReader, open_checkpoint, parse_entry_bundle, root_from_proof, tile_path

from .test_ledger_bundle import ledger  # noqa: F401


def _fetcher(client, headers=None):
    def fetch(path):
        resp = client.get("/ledger/" + path, headers=headers or {})
        if resp.status_code == 404:
            return None
        assert resp.status_code == 200, (path, resp.status_code)
        assert resp.mimetype == "application/octet-stream"
        assert "immutable" in resp.headers["Cache-Control"]
        return resp.data
    return fetch


def test_tile_paths_are_parsed_exactly_as_the_spec_writes_them():
    assert tiles.format_index(1234067) == "x001/x234/067"
    assert tiles.format_index(5) == "005"
    assert tiles.parse_index("x001/x234/067") == (1234067, None)
    assert tiles.parse_index("067.p/17") == (67, 17)
    for bad in ("67", "x067", "067/", "x000/067", "067.p/0", "067.p/256", "067.p/017", "abc"):
        with pytest.raises(Exception):
            tiles.parse_index(bad)
    for n in (0, 1, 999, 1000, 256000, 10 ** 9 + 7):
        assert tiles.parse_index(tiles.format_index(n))[0] == n
        assert tile_path(0, n).endswith(tiles.format_index(n))  # the reader's own encoding agrees


def test_independent_reader_rebuilds_the_signed_root_from_tiles(ledger, client):
    for i in range(600):  # 2 full level-0 tiles, a partial one, and a level-1 tile of width 2
        append("case.event", f"case:{i % 7}", {"i": i})
    db.session.commit()
    cp = create_checkpoint()
    db.session.commit()
    vkey = client.get("/ledger/key").get_data(as_text=True).splitlines()[0]
    signed = client.get("/ledger/checkpoint").get_data(as_text=True)
    origin, size, root = open_checkpoint(signed, vkey)
    assert size == cp.tree_size == 600
    reader = TileReader(_fetcher(client), size)
    assert reader.root() == root
    assert reader.fetched == ["tile/1/000.p/2", "tile/0/002.p/88"]  # the root needs only these
    # the level-1 tile's hashes are the roots of the full level-0 tiles
    fetch = _fetcher(client)
    for n in (0, 1):
        row = [fetch(f"tile/0/00{n}")[i:i + 32] for i in range(0, 8192, 32)]
        while len(row) > 1:
            row = [hashlib.sha256(b"\x01" + row[i] + row[i + 1]).digest() for i in range(0, len(row), 2)]
        assert row[0] == fetch("tile/1/000.p/2")[32 * n:32 * n + 32]
    # inclusion of an entry, from tiles alone
    from app.ledger.models import LedgerEntry

    for seq in (517, 300, 3):
        body = db.session.get(LedgerEntry, seq).body.encode()
        leaf = hashlib.sha256(b"\x00" + body).digest()
        assert reader.leaf(seq) == leaf
        assert root_from_proof(seq, size, leaf, reader.inclusion_proof(seq)) == root


def test_tiles_that_do_not_exist_yet_are_404_and_entries_are_for_supervisors(ledger, client, login_as, make_user):
    for i in range(10):
        append("case.event", "case:1", {"i": i})
    db.session.commit()
    assert client.get("/ledger/tile/0/000").status_code == 404  # only 10 leaves: no full tile
    assert client.get("/ledger/tile/0/000.p/11").status_code == 404
    assert len(client.get("/ledger/tile/0/000.p/10").data) == 320
    assert client.get("/ledger/tile/1/000.p/1").status_code == 404
    assert client.get("/ledger/tile/08/000.p/1").status_code == 404
    assert client.get("/ledger/tile/entries/000.p/10").status_code in (302, 401)  # anonymous: log in
    from flask import g

    g.pop("_login_user", None)  # the fixture's app context outlives requests: forget the anonymous user
    login_as(client, make_user(roles=("supervisor",)))
    resp = client.get("/ledger/tile/entries/000.p/10")
    assert resp.status_code == 200
    entries = parse_entry_bundle(resp.data)
    leaves = client.get("/ledger/tile/0/000.p/10").data
    assert [hashlib.sha256(b"\x00" + e).digest() for e in entries] == [leaves[i:i + 32] for i in range(0, 320, 32)]
