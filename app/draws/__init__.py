"""Verifiable random draws (SPEC §13): 案卷评查 samples, 双随机 targets and inspectors.

A draw is fixed before its seed exists:
1. its parameters (the population as a sorted list of string ids, the population's SHA-256, the sample
   size, the algorithm name and version, the purpose) are appended to the ledger (`draw.params` entry);
2. the seed is the root hash of the first signed checkpoint whose tree includes that entry (one is signed
   at once if none exists yet);
3. the published algorithm `sha256-rank/1` ranks every id by SHA-256(seed || UTF-8 id) (ties, which do not
   happen in practice, by the id) and takes the first k;
4. a drawn id that must be replaced (an inspector with a conflict of interest) is excluded with its reason,
   recorded in the ledger, and the next id in the ranking takes its place.

Anyone holding the public checkpoint can recompute the sample: `recompute(params, checkpoint)` and
`verify_bundle(bundle, key)` below need only the standard library and `cryptography` (no app, no database):

    python -m app.draws BUNDLE.json [--key KEY]

Inside the app: `app.draws.services.perform_draw(...)` (writes), `services.verify_draw(draw)` (re-checks a
stored draw against the ledger), `services.bundle(draw)` (the public proof bundle), `flask draws verify`.
"""
import base64
import binascii
import hashlib
import json

from app.ledger import merkle, note
from app.ledger.canonical import canonical_json

FORMAT = "sanxiang-draw/1"
BUNDLE_FORMAT = "sanxiang-draw-bundle/1"
ALGORITHM = "sha256-rank"
ALGORITHM_VERSION = 1
LEDGER_KIND = "draw.params"
REDRAW_KIND = "draw.redraw"
MAX_ID_LENGTH = 100


class DrawError(ValueError):
    """Parameters that do not describe a valid draw."""


class VerificationFailed(Exception):
    """A check of a draw failed: `check` names which one, `message` says why (Chinese)."""

    def __init__(self, check: str, message: str):
        super().__init__(message)
        self.check = check
        self.message = message


# --- the population ------------------------------------------------------------------------------------

def normalise_population(ids) -> list:
    """The population as the sorted list of distinct string ids (sorted by Unicode code point)."""
    out = []
    for raw in ids:
        if isinstance(raw, bool) or not isinstance(raw, (str, int)):
            raise DrawError(f"抽取对象编号必须是字符串或整数：{raw!r}")
        value = str(raw)
        if not value or value != value.strip() or "\n" in value or len(value) > MAX_ID_LENGTH:
            raise DrawError(f"抽取对象编号不合规（不能为空、首尾不能有空白、不超过{MAX_ID_LENGTH}个字符）：{value!r}")
        out.append(value)
    if len(set(out)) != len(out):
        dup = sorted({v for v in out if out.count(v) > 1})[0]
        raise DrawError(f"抽取对象编号重复：{dup}")
    return sorted(out)


def population_sha256(population) -> str:
    """SHA-256 (hex) of the ids, each followed by a newline, in UTF-8, in the sorted order."""
    return hashlib.sha256("".join(f"{i}\n" for i in population).encode("utf-8")).hexdigest()


def build_params(purpose: str, population, sample_size: int, *, context: dict | None = None) -> dict:
    """The parameters entered in the ledger before the seed exists."""
    if not isinstance(purpose, str) or not purpose.strip() or len(purpose) > 200:
        raise DrawError("抽取用途不能为空且不超过200个字符")
    pop = normalise_population(population)
    if not pop:
        raise DrawError("抽取范围为空，无法抽取（SPEC §13）")
    if isinstance(sample_size, bool) or not isinstance(sample_size, int) or sample_size < 1:
        raise DrawError("抽取数量必须是正整数")
    if sample_size > len(pop):
        raise DrawError(f"抽取数量（{sample_size}）大于抽取范围（{len(pop)}）")
    params = {"format": FORMAT, "purpose": purpose.strip(), "algorithm": ALGORITHM,
              "algorithm_version": ALGORITHM_VERSION, "population": pop, "population_size": len(pop),
              "population_sha256": population_sha256(pop), "sample_size": sample_size}
    if context:
        params["context"] = context
    canonical_json(params)  # refuses what the ledger could not hold
    return params


def check_params(params) -> list:
    """The population of well-formed parameters; VerificationFailed("params", ...) otherwise."""
    if not isinstance(params, dict) or params.get("format") != FORMAT:
        raise VerificationFailed("params", f"抽取参数格式不是 {FORMAT}")
    if params.get("algorithm") != ALGORITHM or params.get("algorithm_version") != ALGORITHM_VERSION:
        raise VerificationFailed("params", f"未知的抽取算法：{params.get('algorithm')}/"
                                           f"{params.get('algorithm_version')}")
    pop = params.get("population")
    if not isinstance(pop, list) or not all(isinstance(i, str) for i in pop):
        raise VerificationFailed("params", "抽取范围必须是字符串编号列表")
    if pop != sorted(set(pop)):
        raise VerificationFailed("params", "抽取范围必须是去重并排序的编号列表")
    if params.get("population_size") != len(pop):
        raise VerificationFailed("params", "抽取范围的数量与所列编号不符")
    if params.get("population_sha256") != population_sha256(pop):
        raise VerificationFailed("params", "抽取范围的 SHA-256 与所列编号不符：抽取范围被改动")
    k = params.get("sample_size")
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= len(pop):
        raise VerificationFailed("params", "抽取数量无效")
    return pop


# --- the algorithm -------------------------------------------------------------------------------------

def rank_key(seed: bytes, item: str) -> bytes:
    return hashlib.sha256(seed + item.encode("utf-8")).digest()


def ranking(seed: bytes, population) -> list:
    """Every id, ordered by SHA-256(seed || id) (then by id)."""
    if not isinstance(seed, (bytes, bytearray)) or len(seed) != 32:
        raise DrawError("种子必须是32字节的检查点根哈希")
    return sorted(population, key=lambda i: (rank_key(bytes(seed), i), i))


def select(seed: bytes, population, k: int, exclusions=()) -> dict:
    """The first k ids of the ranking; each exclusion ({"id", "reason"}, in the order they were made) must
    name an id currently selected, which the next id in the ranking replaces."""
    order = ranking(seed, population)
    if not 1 <= k <= len(order):
        raise DrawError("抽取数量无效")
    selected = order[:k]
    cursor = k
    excluded, replacements = set(), []
    for ex in exclusions:
        item = ex.get("id") if isinstance(ex, dict) else None
        if item not in selected:
            raise DrawError(f"回避重抽的对象 {item!r} 不在当前抽中名单中")
        while cursor < len(order) and order[cursor] in excluded:
            cursor += 1
        if cursor >= len(order):
            raise DrawError("抽取范围已无可替补的对象，无法重抽")
        excluded.add(item)
        replacement = order[cursor]
        cursor += 1
        selected[selected.index(item)] = replacement
        replacements.append({"id": item, "reason": ex.get("reason", ""), "replacement": replacement})
    return {"ranking": order, "selected": selected, "replacements": replacements}


# --- checkpoints ---------------------------------------------------------------------------------------

def checkpoint_seed(checkpoint, verifier_key: str | None = None, origin: str | None = None) -> tuple:
    """(tree size, root bytes) of a checkpoint: a signed note (its signature checked when a verifier key is
    given) or a dict {"tree_size": n, "root_hash": hex}."""
    if isinstance(checkpoint, dict):
        try:
            root = bytes.fromhex(checkpoint["root_hash"])
            size = int(checkpoint["tree_size"])
        except (KeyError, TypeError, ValueError):
            raise VerificationFailed("checkpoint", "检查点必须给出 tree_size 与 root_hash（十六进制）") from None
        if len(root) != 32:
            raise VerificationFailed("checkpoint", "检查点根哈希必须是32字节")
        return size, root
    if not isinstance(checkpoint, str):
        raise VerificationFailed("checkpoint", "检查点必须是签名文本")
    try:
        if verifier_key:
            verifier = note.Verifier.from_string(verifier_key.strip())
            _, size, root = note.open_checkpoint(checkpoint, verifier, origin)
        else:
            text, _ = note.split_note(checkpoint)
            _, size, root, _ = note.parse_checkpoint(text)
    except note.NoteError as exc:
        raise VerificationFailed("checkpoint", f"检查点签名或格式无效：{exc}") from None
    return size, root


def recompute(params: dict, checkpoint, *, exclusions=(), verifier_key: str | None = None) -> dict:
    """Recompute a draw from its parameters and its public checkpoint. Returns {"seed" (hex), "tree_size",
    "selected", "ranking", "replacements"}."""
    pop = check_params(params)
    size, root = checkpoint_seed(checkpoint, verifier_key)
    try:
        result = select(root, pop, params["sample_size"], exclusions)
    except DrawError as exc:
        raise VerificationFailed("exclusions", str(exc)) from None
    return {"seed": root.hex(), "tree_size": size, **result}


# --- bundles -------------------------------------------------------------------------------------------

def _b64hash(value, what):
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise VerificationFailed("inclusion", f"{what} 不是 base64") from None
    if len(raw) != merkle.HASH_SIZE:
        raise VerificationFailed("inclusion", f"{what} 不是32字节")
    return raw


def verify_bundle(bundle: dict, verifier_key: str | None = None) -> dict:
    """Check a draw's public bundle offline and return the recomputed result; VerificationFailed names the
    first failing check: format, entry (the ledger entry holds exactly these parameters), params,
    checkpoint (signed by the pinned key), inclusion (the entry is in that checkpoint's tree), result."""
    if not isinstance(bundle, dict) or bundle.get("format") != BUNDLE_FORMAT:
        raise VerificationFailed("format", f"不是 {BUNDLE_FORMAT} 格式的抽取凭证")
    params = bundle.get("params")
    body = bundle.get("entry")
    if not isinstance(body, str):
        raise VerificationFailed("entry", "凭证缺少台账记录原文")
    try:
        entry = json.loads(body)
    except ValueError:
        raise VerificationFailed("entry", "台账记录不是 JSON") from None
    if not isinstance(entry, dict) or canonical_json(entry) != body:
        raise VerificationFailed("entry", "台账记录不是规范 JSON")
    index = bundle.get("index")
    if entry.get("seq") != index or entry.get("kind") != LEDGER_KIND:
        raise VerificationFailed("entry", f"台账记录不是第 {index} 条 {LEDGER_KIND} 记录")
    if canonical_json(entry.get("payload")) != canonical_json(params):
        raise VerificationFailed("entry", "抽取参数与台账记录不一致：登记后抽取参数（抽取范围）被改动")
    check_params(params)
    key = verifier_key or bundle.get("verifier_key")
    if not key:
        raise VerificationFailed("checkpoint", "没有用于验证检查点签名的公钥")
    size, root = checkpoint_seed(bundle.get("checkpoint"), key, bundle.get("origin"))
    if size != bundle.get("tree_size") or not isinstance(index, int) or not 0 <= index < size:
        raise VerificationFailed("inclusion", f"检查点（大小 {size}）不包含第 {index} 条记录")
    proof = [_b64hash(h, "包含证明") for h in bundle.get("inclusion_proof") or []]
    leaf = merkle.leaf_hash(body.encode("utf-8"))
    if not merkle.verify_inclusion(index, size, leaf, proof, root):
        raise VerificationFailed("inclusion", "包含证明不能从该记录推出检查点根哈希")
    result = recompute(params, {"tree_size": size, "root_hash": root.hex()},
                       exclusions=bundle.get("exclusions") or ())
    claimed = bundle.get("selected")
    if claimed is not None and claimed != result["selected"]:
        raise VerificationFailed("result", "公布的抽取结果与重算结果不符")
    return result


def init_app(app):
    from app.draws import cli, models, views  # noqa: F401  (models: tables known to the metadata)

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.draws_cli)
