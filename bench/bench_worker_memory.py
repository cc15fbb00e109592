"""A worker's memory over 1,000 letters.

    .venv/bin/python bench/bench_worker_memory.py [--letters 1000] [--warm-up 50]

SQLite, in var/bench_memory/ (wiped first). Builds --letters letter orders waiting on
the queue (bench/letter_queue.py), starts one real `probity_worker`, and reads its
resident set size (VmRSS, /proc) once --warm-up letters are issued (fonts, templates,
the signer loaded) and again when the last one is. Target (issue 13): growth < 50 MB.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import letter_queue as q  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=1000)
    parser.add_argument("--warm-up", type=int, default=50)
    args = parser.parse_args()
    var = q.ROOT / "var" / "bench_memory"
    db, cert = q.build(var, args.letters)
    env = q.environment(db, var / "private", cert)
    start = time.monotonic()
    worker = q.start_worker(env, "mem", var / "worker.log")
    samples = []
    try:
        q.wait_issued(db, args.warm_up, timeout=3600)
        warm = q.rss_kb(worker.pid)
        warm_at = time.monotonic()
        print(f"RSS after {args.warm_up} letters (warm): {warm / 1024:.1f} MB", flush=True)
        step = max(args.letters // 10, 1)
        for count in range(args.warm_up + step, args.letters + step, step):
            q.wait_issued(db, min(count, args.letters), timeout=3600)
            samples.append((q.issued(db), q.rss_kb(worker.pid)))
            print(
                f"  after {samples[-1][0]:>5} letters: {samples[-1][1] / 1024:.1f} MB", flush=True
            )
        end = q.rss_kb(worker.pid)
        took = time.monotonic() - warm_at
    finally:
        worker.send_signal(signal.SIGTERM)
        _, _, usage = os.wait4(worker.pid, 0)
        worker.returncode = 0
    print(f"letters issued: {q.issued(db)} in {time.monotonic() - start:.0f} s")
    print(f"RSS after {args.letters} letters: {end / 1024:.1f} MB")
    print(f"growth after warm-up: {(end - warm) / 1024:.1f} MB (target < 50 MB)")
    print(f"peak RSS (rusage): {usage.ru_maxrss / 1024:.1f} MB; {took:.0f} s after warm-up")


if __name__ == "__main__":
    main()
