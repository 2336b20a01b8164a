"""sanxiang-witness: a small C2SP tlog-witness for the Sanxiang ledger, run by another body (the
procuratorate, the people's congress office, a court, a newspaper) on its own machine, with its own key and
its own state. Standard library and `cryptography` only.

    sanxiang-witness keygen --name witness.procuratorate.example/w1 --key witness.key
    sanxiang-witness serve --key witness.key --state state.json --log-key LOG_VKEY [--log-key OLD_VKEY ...]
                           [--host 127.0.0.1] [--port 7380]

(`python -m app.ledger.witness ...` is the same program.) It answers POST /add-checkpoint as the
tlog-witness specification says:
    request body: "old <size>\\n", the consistency proof lines (base64), an empty line, the signed checkpoint
    200  the cosignature line(s) — only if the checkpoint is signed by the log's key, and the log has only
         grown since the last checkpoint this witness cosigned (consistency proof verified)
    409  "<size>\\n" (text/x.tlog.size): `old` is not the size this witness last cosigned; retry from there
    403  not signed by a known log key; 404 unknown log; 400 malformed; 422 the proof does not verify
It remembers, per log, the largest consistent tree it has cosigned (atomically written to --state). A log
that was rewritten or truncated can never again get a cosignature from it.
"""
import argparse
import base64
import binascii
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from app.ledger import cosign, merkle, note

MAX_BODY = 64 * 1024


class Refused(Exception):
    def __init__(self, status, message, body=None, content_type="text/plain; charset=utf-8"):
        super().__init__(message)
        self.status, self.message = status, message
        self.body = body if body is not None else message + "\n"
        self.content_type = content_type


class Witness:
    def __init__(self, signer: cosign.WitnessSigner, state_path: str, log_keys):
        self.signer = signer
        self.state_path = state_path
        self.logs = {}  # origin -> [note.Verifier]
        for vkey in log_keys:
            v = note.Verifier.from_string(vkey)
            self.logs.setdefault(v.name, []).append(v)
        self.lock = threading.Lock()
        self.state = {}
        if os.path.exists(state_path):
            with open(state_path, encoding="utf-8") as fh:
                self.state = json.load(fh)

    def _save(self):
        tmp = f"{self.state_path}.tmp{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(self.state, fh, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.state_path)

    def add_checkpoint(self, body: bytes) -> str:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(400, "body is not UTF-8") from None
        head, sep, signed = text.partition("\n\n")
        if not sep:
            raise Refused(400, "missing the empty line before the checkpoint")
        lines = head.split("\n")
        if not lines[0].startswith("old ") or not lines[0][4:].isdigit():
            raise Refused(400, "the first line is old <size>")
        old = int(lines[0][4:])
        try:
            proof = [base64.b64decode(p, validate=True) for p in lines[1:]]
        except (binascii.Error, ValueError):
            raise Refused(400, "malformed consistency proof line") from None
        if any(len(p) != 32 for p in proof):
            raise Refused(400, "a proof hash is 32 bytes")
        try:
            cp_text, _ = note.split_note(signed)
            origin, size, root, _ = note.parse_checkpoint(cp_text)
        except note.NoteError as exc:
            raise Refused(400, f"malformed checkpoint: {exc}") from None
        verifiers = self.logs.get(origin)
        if not verifiers:
            raise Refused(404, f"unknown log {origin}")
        if not any(_signed_by(signed, v) for v in verifiers):
            raise Refused(403, "the checkpoint is not signed by the log's key")
        if old > size:
            raise Refused(400, f"old size {old} is larger than the checkpoint's {size}")
        with self.lock:
            known = self.state.get(origin, {"size": 0, "root": base64.b64encode(merkle.EMPTY_ROOT).decode()})
            if old != known["size"]:
                raise Refused(409, f"this witness is at size {known['size']}", body=f"{known['size']}\n",
                              content_type="text/x.tlog.size")
            known_root = base64.b64decode(known["root"])
            try:
                if old == size:
                    if root != known_root:
                        raise merkle.ProofError("same size, different root")
                elif old > 0:
                    merkle.check_consistency(old, size, known_root, root, proof)
            except merkle.ProofError as exc:
                raise Refused(422, f"the log is not consistent with size {old}: {exc}") from None
            self.state[origin] = {"size": size, "root": base64.b64encode(root).decode()}
            self._save()
        return self.signer.cosign(cp_text)


def _signed_by(signed, verifier) -> bool:
    try:
        note.open_note(signed, verifier)
        return True
    except note.NoteError:
        return False


def make_handler(witness: Witness):
    class Handler(BaseHTTPRequestHandler):
        server_version = "sanxiang-witness/1"

        def _send(self, status, body, content_type="text/plain; charset=utf-8"):
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            if self.path.rstrip("/").split("?")[0] not in ("/add-checkpoint",):
                return self._send(404, "not found\n")
            length = int(self.headers.get("Content-Length") or 0)
            if length <= 0 or length > MAX_BODY:
                return self._send(400, "missing or oversized body\n")
            try:
                line = witness.add_checkpoint(self.rfile.read(length))
            except Refused as r:
                return self._send(r.status, r.body, r.content_type)
            return self._send(200, line)

        def do_GET(self):
            if self.path == "/key":
                return self._send(200, witness.signer.verifier.to_string() + "\n")
            return self._send(404, "not found\n")

        def log_message(self, fmt, *args):  # one line per request on stderr
            sys.stderr.write("witness: " + (fmt % args) + "\n")

    return Handler


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="sanxiang-witness", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    kg = sub.add_parser("keygen", help="create this witness's signing key (mode 600) and print its public key")
    kg.add_argument("--name", required=True, help="the witness's name, e.g. procuratorate.example/witness")
    kg.add_argument("--key", required=True, help="where to write the private key")
    sv = sub.add_parser("serve", help="answer add-checkpoint requests")
    sv.add_argument("--key", required=True)
    sv.add_argument("--state", required=True, help="JSON file remembering the last cosigned tree per log")
    sv.add_argument("--log-key", action="append", required=True,
                    help="the log's verifier key (from /ledger/key; repeat for a rotated key)")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=7380, help="0 picks a free port (printed on start)")
    args = parser.parse_args(argv)
    if args.command == "keygen":
        if os.path.exists(args.key):
            print(f"refusing to overwrite {args.key}", file=sys.stderr)
            return 1
        signer = cosign.WitnessSigner.generate(args.name)
        fd = os.open(args.key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(signer.to_string() + "\n")
        print(signer.verifier.to_string())
        print(f"fingerprint {signer.verifier.fingerprint}")
        return 0
    try:
        with open(args.key, encoding="ascii") as fh:
            signer = cosign.WitnessSigner.from_string(fh.read())
        witness = Witness(signer, args.state, args.log_key)
    except (OSError, ValueError) as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 2
    server = ThreadingHTTPServer((args.host, args.port), make_handler(witness))
    print(f"listening on http://{args.host}:{server.server_address[1]}/ as {signer.verifier.to_string()}",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
