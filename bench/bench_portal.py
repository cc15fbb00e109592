"""The member portal's throughput against Django's hello-world, under gunicorn (issue 15).

    .venv/bin/python bench/bench_portal.py --sqlite var/bench_suite_100000.sqlite3
    .venv/bin/python bench/bench_portal.py --database-url postgres://…/probity_bench_portal
    .venv/bin/python bench/bench_portal.py --sqlite … --baseline /work/main   # before/after

The database must be seeded already (`manage.py seed_scale`; bench/run does it). The
portal is requested as the representative of the organization with the most cases (as
bench/suite.py's HTTP phase does). For each checkout (this one, and with --baseline
another one's code on the same database) gunicorn runs with two sync workers; a threaded
http.client load generator then alternates --seconds of /bench/hello/ and of /membership/
on each server, --rounds times, so a change in the machine's load hits all phases alike.
It prints the requests per second of each phase, the portal's share of the hello-world's,
and the load average (1 minute) sampled during the run. Before the load it measures, in
process, the portal's SQL queries and its median time against the hello-world's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from suite import bench_env, get, start_gunicorn, throughput, workers_cpu  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--sqlite", help="a seeded SQLite file")
    where.add_argument("--database-url", help="a seeded PostgreSQL database (name with 'bench')")
    parser.add_argument("--baseline", help="another checkout (its own .venv is not needed)")
    parser.add_argument("--seconds", type=float, default=5, help="each load phase")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--runs", type=int, default=30, help="in-process timed requests")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def env_for(args, checkout: Path) -> dict:
    return bench_env(args.database_url or args.sqlite, checkout, "bench-portal-private")


def child(args) -> int:
    """In process: the representative's session, the query count, the medians."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from cases.models import Case
    from members.models import Representative

    busiest = Case.objects.values("respondent").annotate(n=Count("pk")).order_by("-n").first()
    user = (
        Representative.objects.filter(organization_id=busiest["respondent"])
        .select_related("user")
        .order_by("-is_primary", "pk")
        .first()
        .user
    )
    portal, hello = Client(), Client()
    portal.force_login(user)
    for _ in range(3):
        assert portal.get("/membership/").status_code == 200
        hello.get("/bench/hello/")
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        portal.get("/membership/")
    times = {"portal": [], "hello": []}
    for _ in range(args.runs):
        for name, c, url in (("portal", portal, "/membership/"), ("hello", hello, "/bench/hello/")):
            started = time.perf_counter()
            c.get(url)
            times[name].append((time.perf_counter() - started) * 1000)
    cookie = settings.SESSION_COOKIE_NAME
    print(
        json.dumps(
            {
                "cookie": f"{cookie}={portal.cookies[cookie].value}",
                "cases": busiest["n"],
                "queries": len(executed),
                "portal_ms": statistics.median(times["portal"]),
                "hello_ms": statistics.median(times["hello"]),
            }
        )
    )
    return 0


def main() -> int:
    args = parse_args()
    if args.child:
        return child(args)
    checkouts = {"this": ROOT}
    if args.baseline:
        checkouts["baseline"] = Path(args.baseline).resolve()
    load: list[float] = []
    stop = threading.Event()

    def sample():
        while not stop.wait(5):
            load.append(os.getloadavg()[0])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    load.append(os.getloadavg()[0])
    info, servers = {}, {}
    try:
        for name, checkout in checkouts.items():
            env = env_for(args, checkout)
            out = subprocess.run(
                [str(ROOT / ".venv" / "bin" / "python"), __file__, "--child", *sys.argv[1:]],
                env=env,
                cwd=checkout,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            info[name] = json.loads(out.strip().splitlines()[-1])
            servers[name] = start_gunicorn(env, checkout)
        rps = {(name, page): [] for name in checkouts for page in ("hello", "portal")}
        cpu = {key: [0.0, 0] for key in rps}  # worker CPU seconds, requests
        for name, (_server, port) in servers.items():
            for _ in range(10):  # both workers warm
                get(port, "/bench/hello/")
                get(port, "/membership/", info[name]["cookie"])
        for _ in range(args.rounds):
            for name, (_server, port) in servers.items():
                for page, path, cookie in (
                    ("hello", "/bench/hello/", ""),
                    ("portal", "/membership/", info[name]["cookie"]),
                ):
                    before = workers_cpu(_server.pid)
                    result = throughput(port, path, cookie, args.seconds, args.threads)
                    if result["errors"]:
                        sys.exit(f"{name} {path}: {result['errors']} failed requests")
                    rps[name, page].append(result["rps"])
                    cpu[name, page][0] += workers_cpu(_server.pid) - before
                    cpu[name, page][1] += result["requests"]
    finally:
        for server, _port in servers.values():
            server.terminate()
            server.wait(30)
        stop.set()
    print(
        "| code | SQL queries | in-process portal / hello ms | hello req/s | portal req/s "
        "| portal / hello | worker CPU ms a request, portal / hello | hello CPU / portal CPU |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name in checkouts:
        hello = statistics.mean(rps[name, "hello"])
        portal = statistics.mean(rps[name, "portal"])
        i = info[name]
        portal_cpu, hello_cpu = (
            cpu[name, page][0] / cpu[name, page][1] * 1000 for page in ("portal", "hello")
        )
        print(
            f"| {name} ({checkouts[name]}) | {i['queries']} | {i['portal_ms']:.1f} / "
            f"{i['hello_ms']:.2f} | {hello:.1f} | {portal:.1f} | {portal / hello:.1%} "
            f"| {portal_cpu:.2f} / {hello_cpu:.2f} | {hello_cpu / portal_cpu:.1%} |"
        )
    print(
        f"\nThe busiest organization: {info['this']['cases']} cases. Rounds: {args.rounds} x "
        f"{args.seconds:g} s per phase, {args.threads} client threads, gunicorn -w 2."
    )
    print(
        f"Load average (1 min) during the run: min {min(load):.1f}, median "
        f"{statistics.median(load):.1f}, max {max(load):.1f} on {os.cpu_count()} CPUs."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
