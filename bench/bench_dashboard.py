"""The staff dashboard at two sizes, interleaved (issue 15: at most 1.5x from 1,000 to
a million cases).

    bench/bench_dashboard.py --small var/bench_suite_1000.sqlite3 \\
        --large var/bench_suite_100000.sqlite3 [--runs 40] [--root /path/to/checkout]

Each database (a SQLite path, or a postgres:// URL whose name contains "bench") gets
its own child process (django.test.Client in-process, DJANGO_DEBUG=0, a verified staff
session as bench/suite.py makes it). The parent asks them for one request at a time,
in turn (small, large, large, small, ...), so a change in the machine's load hits
both alike, unlike bench/run's dashboard row (two phases one after the other). Prints
the medians, their ratio, the SQL queries per request and the load average.
`--root` runs the children on another checkout's code (say, main's) for a before and
after on the same databases (migrated to the newer of the two).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
URL = "/cases/dashboard/"


def child() -> int:
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise
    import django

    django.setup()
    from django.db import connection
    from suite import client  # the bench suite's signed-in, verified client

    staff = client("bench-suite-staff", group="ethics", verified=True)
    for _ in range(3):
        if staff.get(URL).status_code != 200:
            raise SystemExit(f"{URL}: not 200")
    executed = []
    with connection.execute_wrapper(lambda ex, sql, *a: executed.append(sql) or ex(sql, *a)):
        staff.get(URL)
    print(json.dumps({"queries": len(executed), "cases": _cases()}), flush=True)
    for line in sys.stdin:
        if line.strip() != "go":
            break
        started = time.perf_counter()
        staff.get(URL)
        print((time.perf_counter() - started) * 1000, flush=True)
    return 0


def _cases() -> int:
    from cases.models import Case

    return Case.objects.count()


def spawn(database: str, root: Path) -> subprocess.Popen:
    sys.path.insert(0, str(BENCH))  # the parent's helpers; the child reads root's
    from suite import bench_env

    env = bench_env(database, root)
    return subprocess.Popen(
        [str(root / ".venv" / "bin" / "python"), __file__, "--child"],
        cwd=root,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", help="SQLite path or postgres:// URL (required)")
    parser.add_argument("--large", help="SQLite path or postgres:// URL (required)")
    parser.add_argument("--runs", type=int, default=40, help="requests per size")
    parser.add_argument("--root", default=str(BENCH.parent), help="checkout to run")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child()
    if not (args.small and args.large):
        parser.error("--small and --large are required")
    root = Path(args.root).resolve()
    procs = {name: spawn(getattr(args, name), root) for name in ("small", "large")}
    info = {name: json.loads(p.stdout.readline()) for name, p in procs.items()}
    times: dict[str, list[float]] = {"small": [], "large": []}
    load = [os.getloadavg()[0]]
    for run in range(args.runs):
        for name in ("small", "large") if run % 2 == 0 else ("large", "small"):
            procs[name].stdin.write("go\n")
            procs[name].stdin.flush()
            times[name].append(float(procs[name].stdout.readline()))
        if run % 10 == 9:
            load.append(os.getloadavg()[0])
    for p in procs.values():
        p.stdin.close()
        p.wait()
    med = {name: statistics.median(t) for name, t in times.items()}
    for name in ("small", "large"):
        q = statistics.quantiles(times[name], n=10)
        print(
            f"dashboard @{info[name]['cases']:,} cases: median {med[name]:.1f} ms "
            f"(p10 {q[0]:.1f}, p90 {q[-1]:.1f}), {info[name]['queries']} SQL queries"
        )
    print(
        f"ratio large/small: {med['large'] / med['small']:.2f} (target <= 1.5); "
        f"code: {root}; {args.runs} runs each, interleaved; load average (1 min) "
        f"min {min(load):.1f}, max {max(load):.1f} on {os.cpu_count()} CPUs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
