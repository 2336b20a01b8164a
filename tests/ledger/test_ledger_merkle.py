"""RFC 9162 Merkle tree: the shared vectors, and properties against the recursive definition."""
import base64
import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from app.ledger import merkle

_SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "testvectors" / "merkle"
VECTORS = _SHARED if _SHARED.is_dir() else Path(__file__).resolve().parent / "testvectors" / "merkle"


def _load(name):
    return json.loads((VECTORS / name).read_text())


def _b(s):
    return base64.b64decode(s)


def _ids(cases):
    return [f"{i}-{c.get('comment', '')}" for i, c in enumerate(cases)]


TREE = _load("merkle_tree.json")
INCL_OK, INCL_BAD = _load("inclusion-valid.json"), _load("inclusion-invalid.json")
CONS_OK, CONS_BAD = _load("consistency-valid.json"), _load("consistency-invalid.json")


def test_tree_vectors_leaf_and_root_at_every_size():
    leaves = []
    for case in TREE:
        leaf = merkle.leaf_hash(case["leaf_data"].encode())
        assert leaf == _b(case["leaf_hash"])
        leaves.append(leaf)
        assert merkle.root_from_leaf_hashes(leaves) == _b(case["root_hash"])
    # And through the stored-node path the ledger uses.
    nodes = {}
    cr = merkle.CompactRange()
    for leaf in leaves:
        cr.append(leaf, lambda lv, ix, h: nodes.__setitem__((lv, ix), h))
    for size, case in enumerate(TREE, start=1):
        assert merkle.tree_root(size, lambda lv, ix: nodes[(lv, ix)]) == _b(case["root_hash"])
    assert merkle.tree_root(0, nodes.get) == merkle.EMPTY_ROOT


def _incl(c):
    return (c["leaf_index"], c["tree_size"], _b(c["leaf_hash"]), [_b(h) for h in c["inclusion_path"]],
            _b(c["root_hash"]))


@pytest.mark.parametrize("case", INCL_OK, ids=_ids(INCL_OK))
def test_valid_inclusion_vectors_accepted(case):
    assert merkle.verify_inclusion(*_incl(case))


@pytest.mark.parametrize("case", INCL_BAD, ids=_ids(INCL_BAD))
def test_invalid_inclusion_vectors_rejected(case):
    assert not merkle.verify_inclusion(*_incl(case))


def _cons(c):
    return (c["old_size"], c["new_size"], _b(c["old_root"]), _b(c["new_root"]),
            [_b(h) for h in c["consistency_path"]])


@pytest.mark.parametrize("case", CONS_OK, ids=_ids(CONS_OK))
def test_valid_consistency_vectors_accepted(case):
    assert merkle.verify_consistency(*_cons(case))


@pytest.mark.parametrize("case", CONS_BAD, ids=_ids(CONS_BAD))
def test_invalid_consistency_vectors_rejected(case):
    assert not merkle.verify_consistency(*_cons(case))


def test_vector_files_are_not_empty():
    assert len(INCL_OK) and len(INCL_BAD) and len(CONS_OK) and len(CONS_BAD) and len(TREE) == 16


# --- properties ----------------------------------------------------------------------------------------

def _naive_path(m, leaves):
    """PATH(m, D[n]) straight from RFC 9162 §2.1.3.1."""
    n = len(leaves)
    if n == 1:
        return []
    k = merkle._split(n)
    if m < k:
        return _naive_path(m, leaves[:k]) + [merkle.root_from_leaf_hashes(leaves[k:])]
    return _naive_path(m - k, leaves[k:]) + [merkle.root_from_leaf_hashes(leaves[:k])]


def _naive_subproof(m, leaves, b):
    n = len(leaves)
    if m == n:
        return [] if b else [merkle.root_from_leaf_hashes(leaves)]
    k = merkle._split(n)
    if m <= k:
        return _naive_subproof(m, leaves[:k], b) + [merkle.root_from_leaf_hashes(leaves[k:])]
    return _naive_subproof(m - k, leaves[k:], False) + [merkle.root_from_leaf_hashes(leaves[:k])]


def _naive_consistency(m, leaves):
    return [] if m in (0, len(leaves)) else _naive_subproof(m, leaves, True)


def _stored(n):
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(n)]
    nodes = {}
    cr = merkle.CompactRange()
    for leaf in leaves:
        cr.append(leaf, lambda lv, ix, h: nodes.__setitem__((lv, ix), h))
    return leaves, nodes, cr


sizes = st.integers(min_value=1, max_value=600)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), n=sizes)
def test_stored_nodes_agree_with_the_definition(data, n):
    leaves, nodes, cr = _stored(n)
    get = lambda lv, ix: nodes[(lv, ix)]  # noqa: E731
    assert len(nodes) == 2 * n - bin(n).count("1")
    size = data.draw(st.integers(min_value=0, max_value=n))
    root = merkle.tree_root(size, get)
    assert root == merkle.root_from_leaf_hashes(leaves[:size])
    assert cr.root() == merkle.root_from_leaf_hashes(leaves)
    if size:
        m = data.draw(st.integers(min_value=0, max_value=size - 1))
        proof = merkle.inclusion_proof(m, size, get)
        assert proof == _naive_path(m, leaves[:size])
        assert merkle.verify_inclusion(m, size, leaves[m], proof, root)
        # O(log n) stored hashes, never the whole tree.
        assert len(merkle.needed_nodes(merkle.inclusion_proof, m, size)) <= 2 * size.bit_length()
    old = data.draw(st.integers(min_value=0, max_value=size))
    cproof = merkle.consistency_proof(old, size, get)
    assert cproof == _naive_consistency(old, leaves[:size])
    old_root = merkle.root_from_leaf_hashes(leaves[:old])
    assert merkle.verify_consistency(old, size, old_root, root, cproof)
    assert len(merkle.needed_nodes(merkle.consistency_proof, old, size)) <= 2 * size.bit_length() + 2


@settings(max_examples=150, deadline=None)
@given(data=st.data(), n=st.integers(min_value=2, max_value=300))
def test_any_changed_proof_is_rejected(data, n):
    leaves, nodes, _ = _stored(n)
    get = lambda lv, ix: nodes[(lv, ix)]  # noqa: E731
    root = merkle.tree_root(n, get)
    m = data.draw(st.integers(min_value=0, max_value=n - 1))
    proof = merkle.inclusion_proof(m, n, get)
    assert not merkle.verify_inclusion(m, n, leaves[(m + 1) % n], proof, root)
    assert not merkle.verify_inclusion((m + 1) % n, n, leaves[m], proof, root)
    assert not merkle.verify_inclusion(m, n, leaves[m], proof[:-1], root)
    assert not merkle.verify_inclusion(m, n, leaves[m], proof + [root], root)
    if proof:
        i = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        bad = list(proof)
        bad[i] = bytes([bad[i][0] ^ 1]) + bad[i][1:]
        assert not merkle.verify_inclusion(m, n, leaves[m], bad, root)
    old = data.draw(st.integers(min_value=1, max_value=n - 1))
    cproof = merkle.consistency_proof(old, n, get)
    old_root = merkle.root_from_leaf_hashes(leaves[:old])
    i = data.draw(st.integers(min_value=0, max_value=len(cproof) - 1))
    bad = list(cproof)
    bad[i] = bytes([bad[i][0] ^ 1]) + bad[i][1:]
    assert not merkle.verify_consistency(old, n, old_root, root, bad)
    other_root = merkle.root_from_leaf_hashes(leaves[:old - 1] + [leaves[-1]])
    assert not merkle.verify_consistency(old, n, other_root, root, cproof)
