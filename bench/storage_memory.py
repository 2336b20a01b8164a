"""Store a generated multi-GB stream through each object-store backend; show memory stays flat.

    .venv/bin/python bench/storage_memory.py                       # 3 GiB through fs and s3
    .venv/bin/python bench/storage_memory.py --size 2G --backends fs
    .venv/bin/python bench/storage_memory.py --size 1G --backends s3

fs writes into a temporary directory; s3 goes to a moto server this script starts as a separate process
on loopback (so its memory is not counted here). For each backend it prints the upload throughput and
this process's peak RSS (getrusage ru_maxrss) before and after the upload, then checks that the stored
SHA-256 equals the hash of the bytes generated.
"""
import argparse
import hashlib
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from app.storage import make_store  # noqa: E402

MiB = 1024 * 1024


class GeneratedStream:
    """`size` bytes made on demand from a pool of random 1 MiB blocks; hashes what it hands out."""

    def __init__(self, size, pool_blocks=16):
        self.remaining = size
        self.sha256 = hashlib.sha256()
        self._pool = [os.urandom(MiB) for _ in range(pool_blocks)]
        self._index = 0
        self._pending = memoryview(b"")

    def read(self, n=-1):
        if self.remaining <= 0:
            return b""
        if not self._pending:
            # Blocks in a varying order, so that a dropped or repeated part changes the hash.
            self._index += 1
            self._pending = memoryview(self._pool[(self._index * 7 + self._index // 16) % len(self._pool)])
        n = MiB if n is None or n < 0 else n
        data = bytes(self._pending[: min(n, self.remaining)])
        self._pending = self._pending[len(data):]
        self.remaining -= len(data)
        self.sha256.update(data)
        return data


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def parse_size(text):
    units = {"K": 1024, "M": MiB, "G": 1024 * MiB}
    text = text.strip().upper().removesuffix("IB").removesuffix("B")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto():
    port = free_port()
    exe = os.path.join(os.path.dirname(sys.executable), "moto_server")
    proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1)
            return proc, f"127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("moto_server did not start")


def run(name, store, size):
    stream = GeneratedStream(size)
    before = peak_rss_mib()
    started = time.monotonic()
    obj = store.put(stream, key=f"bench/{uuid.uuid4().hex}", content_type="video/mp4")
    elapsed = time.monotonic() - started
    after = peak_rss_mib()
    ok = obj.sha256 == stream.sha256.hexdigest() and obj.size == size
    print(f"{name:3} size={size / MiB:,.0f} MiB  time={elapsed:6.1f} s  "
          f"throughput={size / 1e6 / elapsed:6.1f} MB/s  "
          f"peak RSS before={before:6.1f} MiB after={after:6.1f} MiB  "
          f"sha256 {'ok' if ok else 'MISMATCH'}", flush=True)
    return ok


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="3G", help="bytes to store per backend, e.g. 3G, 512M")
    parser.add_argument("--s3-size", help="size for s3 if different (moto stores at about 50 MB/s)")
    parser.add_argument("--backends", default="fs,s3", help="comma-separated: fs, s3")
    args = parser.parse_args(argv)
    size = parse_size(args.size)
    s3_size = parse_size(args.s3_size) if args.s3_size else size
    print(f"python {sys.version.split()[0]}, peak RSS at start {peak_rss_mib():.1f} MiB", flush=True)

    ok = True
    for backend in args.backends.split(","):
        if backend == "fs":
            root = tempfile.mkdtemp(prefix="sanxiang-bench-")
            try:
                ok &= run("fs", make_store({"STORAGE_BACKEND": "fs", "STORAGE_FS_ROOT": root}), size)
            finally:
                for directory, _, _ in os.walk(root):
                    os.chmod(directory, 0o755)
                shutil.rmtree(root)
        elif backend == "s3":
            proc, endpoint = start_moto()
            try:
                store = make_store({"STORAGE_BACKEND": "s3", "S3_ENDPOINT": endpoint,
                                    "S3_ACCESS_KEY": "testing", "S3_SECRET_KEY": "testing",
                                    "S3_BUCKET": "bench-evidence", "S3_SECURE": False})
                ok &= run("s3", store, s3_size)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
        else:
            parser.error(f"unknown backend {backend!r}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
