"""200 letters through the queue with one worker, then with two, side by side.

    .venv/bin/python bench/bench_letter_workers.py [--letters 200]

SQLite, in var/bench_workers/ (wiped first); with --postgres postgres://user:pw@host:port
on that server's `probity_bench_letters*` databases (re-created; the files stay in
var/bench_workers/), the deployment for several workers (docs/decisions/0015). Builds --letters letter orders waiting on
the queue (bench/letter_queue.py), then for 1 and 2 real `probity_worker` processes
(django-tasks-db's worker with Probity's housekeeping), each on a fresh copy of the same
database: the wall time until every letter is issued (rendered by WeasyPrint, signed,
hashed, stored, recorded), the machine's load average during the run (sampled each
second), and the workers' CPU time per letter (their rusage, from os.wait4). Target
(issue 13): two workers >= 1.7 x one. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import letter_queue as q  # noqa: E402


def one_run(db: Path, cert: Path, workers: int, letters: int, var: Path, server: str) -> dict:
    run_db = q.copy_database(db, var / f"run{workers}", server)
    folder = var / f"run{workers}"
    if server:
        env = q.environment(folder / "unused.sqlite3", folder / "private", cert, run_db)
    else:
        env = q.environment(run_db, folder / "private", cert)
    loads = []
    start = time.monotonic()
    procs = [q.start_worker(env, f"w{i}", folder / f"worker{i}.log") for i in range(workers)]
    try:
        deadline = start + 3600
        while q.issued(run_db) < letters:
            loads.append(os.getloadavg()[0])
            if time.monotonic() > deadline:
                raise SystemExit("timed out")
            time.sleep(1)
        wall = time.monotonic() - start
    finally:
        cpu = 0.0
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            _, _, usage = os.wait4(p.pid, 0)
            p.returncode = 0
            cpu += usage.ru_utime + usage.ru_stime
    return {
        "workers": workers,
        "wall": wall,
        "load_mean": statistics.mean(loads) if loads else os.getloadavg()[0],
        "load_max": max(loads) if loads else os.getloadavg()[0],
        "cpu_per_letter": cpu / letters,
        "per_second": letters / wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=200)
    parser.add_argument("--postgres", default="", help="postgres://user:pw@host:port")
    args = parser.parse_args()
    var = q.ROOT / "var" / "bench_workers"
    db, cert = q.build(var, args.letters, args.postgres.rstrip("/"))
    where = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{args.letters} letter orders waiting ({where}); cores: {os.cpu_count()}")
    results = [one_run(db, cert, n, args.letters, var, args.postgres.rstrip("/")) for n in (1, 2)]
    print("| workers | wall s | letters/s | CPU s per letter | load avg (mean / max) |")
    print("|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['workers']} | {r['wall']:.1f} | {r['per_second']:.2f} | "
            f"{r['cpu_per_letter']:.3f} | {r['load_mean']:.1f} / {r['load_max']:.1f} |"
        )
    one, two = results
    print(f"speed-up, 2 workers vs 1: {one['wall'] / two['wall']:.2f}x (target >= 1.7x)")


if __name__ == "__main__":
    main()
