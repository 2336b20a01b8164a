"""Offline check of a draw's public bundle (standard library and `cryptography` only):

    python -m app.draws BUNDLE.json [--key KEY]

KEY is the log's public key (the text served at /ledger/key, or a file holding it); without it the key in
the bundle is used, which proves only that the bundle is self-consistent: pin the key you trust.
Exit status: 0 the draw recomputes to the published result; 1 a check failed; 2 the input could not be read.
"""
import argparse
import json
import os
import sys

from app.draws import VerificationFailed, verify_bundle


def _key(spec):
    if spec and os.path.exists(spec):
        with open(spec, encoding="utf-8") as fh:
            return next((ln.strip() for ln in fh.read().splitlines() if ln.strip()), "")
    return spec


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.draws", description="Recompute a verifiable draw.")
    parser.add_argument("bundle")
    parser.add_argument("--key", help="the ledger's public key, or a file holding it")
    args = parser.parse_args(argv)
    try:
        with open(args.bundle, encoding="utf-8") as fh:
            bundle = json.load(fh)
    except (OSError, ValueError) as exc:
        print(f"无法读取抽取凭证：{exc}", file=sys.stderr)
        return 2
    try:
        result = verify_bundle(bundle, _key(args.key))
    except VerificationFailed as exc:
        print(f"FAILED [{exc.check}]：{exc.message}", file=sys.stderr)
        return 1
    if not args.key:
        print("注意：未指定 --key，检查点签名仅用凭证自带的公钥验证", file=sys.stderr)
    print(f"OK：种子 {result['seed']}（检查点大小 {result['tree_size']}），抽中 {len(result['selected'])} 个：")
    for item in result["selected"]:
        print(f"  {item}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
