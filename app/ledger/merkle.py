"""The Merkle tree of RFC 9162 (Certificate Transparency v2, same hashing as RFC 6962), as pure functions.

leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right); the hash of the empty tree is
SHA-256(""). Standard library only: the offline verifier imports this module.

Proof *generation* never needs the leaves themselves. It is written against a `get(level, index)`
callback that returns the hash of the perfect subtree covering leaves [index * 2**level,
(index + 1) * 2**level) — exactly the nodes the ledger stores when a subtree completes. Any tree hash,
inclusion proof or consistency proof then costs O(log n) stored hashes. `needed_nodes` runs the same code
with a recording callback so that a caller can fetch those hashes in one query first.
"""
import hashlib

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof or a tree size that cannot be valid."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _is_pow2(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


# --- the definition, over a list of leaf hashes (used by tests and for small trees) -------------------

def root_from_leaf_hashes(leaves) -> bytes:
    """MTH(D[n]) by the recursive definition of RFC 9162 §2.1.1."""
    n = len(leaves)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaves[0]
    k = _split(n)
    return node_hash(root_from_leaf_hashes(leaves[:k]), root_from_leaf_hashes(leaves[k:]))


def root_from_leaves(data) -> bytes:
    return root_from_leaf_hashes([leaf_hash(d) for d in data])


# --- over stored perfect-subtree nodes ----------------------------------------------------------------

def range_hash(start: int, end: int, get) -> bytes:
    """MTH(D[start:end]) where [start, end) is a range the RFC recursion produces (start aligned)."""
    n = end - start
    if n == 0:
        return EMPTY_ROOT
    if _is_pow2(n) and start % n == 0:
        level = n.bit_length() - 1
        return get(level, start >> level)
    k = _split(n)
    return node_hash(range_hash(start, start + k, get), range_hash(start + k, end, get))


def tree_root(size: int, get) -> bytes:
    if size < 0:
        raise ProofError("tree size must not be negative")
    return range_hash(0, size, get)


def inclusion_proof(index: int, size: int, get) -> list:
    """PATH(index, D[size]) of RFC 9162 §2.1.3.1, leaf side first."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    path = []
    start, end = 0, size
    # Walk down from the root, then reverse: the proof lists the siblings from the leaf upwards.
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(range_hash(start + k, end, get))
            end = start + k
        else:
            path.append(range_hash(start, start + k, get))
            start = start + k
    path.reverse()
    return path


def consistency_proof(old_size: int, new_size: int, get) -> list:
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1; empty when m == 0 or m == n."""
    if not 0 <= old_size <= new_size:
        raise ProofError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size == 0 or old_size == new_size:
        return []
    path = []
    m, start, end, complete = old_size, 0, new_size, True
    # SUBPROOF(m, D[start:end], complete), unrolled; nodes are collected root side first, then reversed.
    while True:
        n = end - start
        if m == n:
            if not complete:
                path.append(range_hash(start, end, get))
            break
        k = _split(n)
        if m <= k:
            path.append(range_hash(start + k, end, get))
            end = start + k
        else:
            path.append(range_hash(start, start + k, get))
            m -= k
            start = start + k
            complete = False
    path.reverse()
    return path


def needed_nodes(fn, *args) -> list:
    """The (level, index) nodes that fn(*args, get) will read, so they can be fetched in one query."""
    keys = []

    def record(level, index):
        keys.append((level, index))
        return bytes(HASH_SIZE)

    fn(*args, record)
    return keys


# --- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) -----------------------------------------------------

def _check_hashes(*hashes):
    for h in hashes:
        if not isinstance(h, (bytes, bytearray)) or len(h) != HASH_SIZE:
            raise ProofError("a hash is not 32 bytes long")


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof) -> bytes:
    _check_hashes(leaf, *proof)
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof, root: bytes) -> bool:
    try:
        _check_hashes(root)
        return root_from_inclusion_proof(index, size, leaf, proof) == root
    except ProofError:
        return False


def check_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof) -> None:
    """Raise ProofError unless `proof` shows that the tree (old_size, old_root) is a prefix of the other."""
    _check_hashes(old_root, new_root, *proof)
    if old_size < 0 or new_size < old_size:
        raise ProofError(f"size {new_size} cannot extend size {old_size}")
    if old_size == new_size:
        if proof:
            raise ProofError("a proof between equal sizes must be empty")
        if old_root != new_root:
            raise ProofError("same size, different roots")
        return
    if old_size == 0:
        if proof:
            raise ProofError("a proof from the empty tree must be empty")
        if old_root != EMPTY_ROOT:
            raise ProofError("the root of the empty tree is SHA-256 of nothing")
        return
    if not proof:
        raise ProofError("consistency proof is empty")
    path = list(proof)
    if _is_pow2(old_size):
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != old_root:
        raise ProofError("the proof does not lead to the old root")
    if sr != new_root:
        raise ProofError("the proof does not lead to the new root")


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof) -> bool:
    try:
        check_consistency(old_size, new_size, old_root, new_root, proof)
        return True
    except ProofError:
        return False


class CompactRange:
    """The right edge of a growing tree (one hash per set bit of the size): append leaves in O(1) amortised
    and read the root at any moment without storing the tree. Used by the audit and the bench."""

    __slots__ = ("size", "hashes")

    def __init__(self):
        self.size = 0
        self.hashes = []  # perfect subtrees, largest (leftmost) first

    def append(self, leaf: bytes, on_node=None) -> None:
        """Add a leaf hash; on_node(level, index, hash) is told of every perfect subtree it completes."""
        h, index, level = leaf, self.size, 0
        if on_node:
            on_node(0, index, h)
        while index & 1:
            h = node_hash(self.hashes.pop(), h)
            index >>= 1
            level += 1
            if on_node:
                on_node(level, index, h)
        self.hashes.append(h)
        self.size += 1

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        r = self.hashes[-1]
        for h in reversed(self.hashes[:-1]):
            r = node_hash(h, r)
        return r
