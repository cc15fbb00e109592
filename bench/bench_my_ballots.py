"""'My ballots' alone (issue 15), quicker to iterate with than the whole suite.

    bench/bench_my_ballots.py --sqlite var/bench_suite_100000.sqlite3 --runs 30
    bench/bench_my_ballots.py --database-url postgres://probity:probity@127.0.0.1:5432/probity_bench_x

On a seeded database (seed_scale, as bench/run leaves it), measures in one process,
interleaved (page, reference, page, reference...), as bench/suite.py does:

- the board member with the most seats against one with 10 (suite.people());
- that member's oldest page of closed ballots (by its keyset cursor) against their first;
- the process's memory (VmRSS) over 10 more requests for the busiest member, and its
  peak (VmHWM) against the RSS before them.

`--code DIR` runs another checkout's code (e.g. /work/main, on a copy of the database at
its schema) with this script, for a before/after figure. Prints a Markdown table and the
load average (1 minute) before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from suite import bench_env  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--sqlite", help="a seeded SQLite file")
    where.add_argument("--database-url", help="a seeded PostgreSQL database (name with 'bench')")
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page")
    parser.add_argument("--code", default=str(ROOT), help="the checkout whose code runs")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child:
        return child(args)
    code = Path(args.code).resolve()
    # This bench's helpers (suite.py, benchsite) first, then the code measured.
    env = bench_env(args.database_url or args.sqlite, code, helpers=BENCH)
    load_before = os.getloadavg()[0]
    out = subprocess.run(
        [sys.executable, __file__, "--child", *argv_of(args)],
        env=env,
        cwd=code,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    load_after = os.getloadavg()[0]
    print(table(result, code))
    print(f"\nLoad average (1 min): {load_before:.2f} before, {load_after:.2f} after.")
    return 0


def argv_of(args) -> list[str]:
    where = ["--sqlite", args.sqlite] if args.sqlite else ["--database-url", args.database_url]
    return [*where, "--runs", str(args.runs), "--code", args.code]


def table(result: dict, code: Path) -> str:
    lines = [
        f"{result['database']}, code of {code}",
        "",
        "| page | rows | SQL queries | median ms | p10–p90 ms | reference | ref. queries | ref. median ms | ratio |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in result["pairs"]:
        a, b = row["a"], row["b"]
        lines.append(
            f"| {row['label']} | {a['rows']}/{b['rows']} | {a['queries']} | {a['median']:.1f} | {a['p10']:.1f}–{a['p90']:.1f}"
            f" | {row['ref_label']} | {b['queries']} | {b['median']:.1f}"
            f" | {a['median'] / b['median']:.2f}× |"
        )
    m = result["memory"]
    lines.append("")
    lines.append(
        f"Memory over {m['requests']} more requests of the busiest member's page: RSS "
        f"{m['rss_before_mb']:.1f} → {m['rss_after_mb']:.1f} MB "
        f"({m['kept_per_request_mb']:+.2f} MB kept per request), peak {m['hwm_mb']:.1f} MB "
        f"(peak growth {m['peak_growth_mb']:.1f} MB)."
    )
    return "\n".join(lines)


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def child(args) -> int:
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise
    import django

    django.setup()
    from django.db import connection
    from suite import ballot_count, client, measure, people

    from association.paging import _encode
    from cases.models import BallotSeat

    vendor = connection.vendor
    version = connection.Database.sqlite_version if vendor == "sqlite" else connection.pg_version
    board_user, few_user, _ = people()
    board = client(board_user.username, verified=True)
    few = client(few_user.username, verified=True)
    seats = BallotSeat.objects.filter(voter=board_user, ballot__closed_at__isnull=False)
    # The oldest page: after the 51st-oldest closed seat, in the page's order.
    key = seats.order_by("ballot__closed_at", "pk").values_list("ballot__closed_at", "pk")[50]
    oldest = f"/cases/ballots/?after={_encode(tuple(key))}"
    url = "/cases/ballots/"
    pairs = [
        (f"My ballots, {ballot_count(board_user):,} ballots", board, url, "10 ballots", few, url),
        ("My ballots, oldest page of closed ones", board, oldest, "first page", board, url),
    ]
    result = {"database": f"{vendor} {version}", "pairs": []}
    for label, ca, ua, ref_label, cb, ub in pairs:
        a, b = measure([(ca, ua), (cb, ub)], args.runs)
        result["pairs"].append({"label": label, "ref_label": ref_label, "a": a, "b": b})
    before = _status_mb("VmRSS")
    for _ in range(10):
        board.get(url)
    after = _status_mb("VmRSS")
    result["memory"] = {
        "requests": 10,
        "rss_before_mb": before,
        "rss_after_mb": after,
        "kept_per_request_mb": (after - before) / 10,
        "hwm_mb": _status_mb("VmHWM"),
        "peak_growth_mb": _status_mb("VmHWM") - before,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
