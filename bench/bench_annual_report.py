"""Benchmark the annual report, the statistics and the dashboard at 100,000 cases.

    .venv/bin/python bench/bench_annual_report.py [--cases 100000] [--runs 10] [--reuse]

SQLite by default, on its own file (var/bench_report.sqlite3, or SQLITE_PATH); set
DATABASE_URL for PostgreSQL (a database whose name contains "bench", or --force).
The database is wiped, migrated and loaded by `seed_scale --organizations 10000
--cases N` unless --reuse is given (then the data already there is measured).

It times, over --runs runs each (after one warm-up), with the SQL query count:
  - `cases.reports.annual_report` for each reporting year with cases (the function
    alone, charts included), and the busiest year's page, CSV and PDF through
    django.test.Client as an ethics-staff user;
  - the statistics CSV (every year);
  - the staff dashboard.
The target (issue 12): the annual report renders in under a second at 100,000 cases.
See bench/README.md for the results.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_cases import call, client_for, setup_django, wipe_database  # noqa: E402
from bench_register import analyze, database_label, percentile  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100000)
    parser.add_argument("--organizations", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=10, help="timed runs of each measure")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="measure the data already loaded")
    parser.add_argument(
        "--force", action="store_true", help="wipe a PostgreSQL database not named *bench*"
    )
    args = parser.parse_args()
    args.sqlite_name = "bench_report.sqlite3"
    return args


def timed(fn, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm-up
    with CaptureQueriesContext(connection) as ctx:
        fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return {
        "median": statistics.median(times),
        "p95": percentile(times, 0.95),
        "queries": len(ctx.captured_queries),
    }


def main() -> int:
    args = parse_args()
    import os

    if not os.environ.get("DATABASE_URL"):
        root = Path(__file__).resolve().parent.parent
        os.environ.setdefault("SQLITE_PATH", str(root / "var" / args.sqlite_name))
    setup_django(args)
    from django.urls import reverse

    from cases import reports
    from cases.models import Case

    if not args.reuse:
        wipe_database()
        call("migrate", "--no-input")
        seconds, _ = call(
            "seed_scale",
            "--organizations",
            str(args.organizations),
            "--cases",
            str(args.cases),
            "--seed",
            str(args.seed),
        )
        print(f"seed_scale --cases {args.cases}: {seconds:.1f} s")
        analyze()
    total = Case.objects.count()
    print(f"{database_label()}: {total:,} cases")

    rows = []
    years = reports.report_years()
    busiest = max(years, key=lambda y: reports.annual_report(y, with_charts=False).received)
    for year in years:
        r = reports.annual_report(year, with_charts=False)
        m = timed(lambda year=year: reports.annual_report(year), args.runs)
        rows.append((f"annual_report({year.label}), {r.received:,} received", m))

    client = client_for("bench-report-staff", staff=True)

    def get(url, **params):
        def fetch():
            response = client.get(url, params)
            assert response.status_code == 200, response.status_code
            if response.streaming:
                b"".join(response.streaming_content)

        return fetch

    y = {"year": str(busiest.year)}
    rows.append(
        (
            f"page /cases/report/?year={busiest.year}",
            timed(get(reverse("cases:annual_report"), **y), args.runs),
        )
    )
    rows.append(
        (f"CSV of {busiest.label}", timed(get(reverse("cases:annual_report_csv"), **y), args.runs))
    )
    rows.append(
        (
            "statistics CSV (every year)",
            timed(get(reverse("cases:statistics_csv")), max(args.runs // 3, 1)),
        )
    )
    rows.append(("dashboard", timed(get(reverse("cases:dashboard")), args.runs)))
    rows.append(
        (
            "precedents of principle S3",
            timed(get(reverse("cases:principle_precedents", args=["S3"])), args.runs),
        )
    )

    width = max(len(label) for label, _ in rows)
    print(f"{'measure':<{width}}  median     p95   queries")
    for label, m in rows:
        print(
            f"{label:<{width}}  {m['median'] * 1000:6.0f} ms {m['p95'] * 1000:6.0f} ms {m['queries']:5d}"
        )
    worst = max(
        m["median"]
        for label, m in rows
        if label.startswith("annual_report") or label.startswith("page")
    )
    print(f"slowest annual report: {worst * 1000:.0f} ms (target: under 1000 ms)")
    return 0 if worst < 1 else 1


if __name__ == "__main__":
    sys.exit(main())
