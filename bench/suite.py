"""The benchmark suite (issue 15): `bench/run --cases 100000 --database sqlite|postgres`.

Seeds (or reuses: `seed_scale` is additive and deterministic) two databases, a small
one (`--small` cases, for the dashboard's growth) and a large one (`--cases`), then
measures every target of issue 15 as a ratio of two pages requested side by side
(interleaved, so a change in the machine's load hits both alike), and prints one
table with the machine's load average during the run. See bench/README.md.

The parent process seeds and runs the HTTP phase (gunicorn, two workers, a threaded
http.client load generator); each database's pages are measured by a child process
(`suite.py --child`, django.test.Client in-process) that prints JSON.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PG_DEFAULT = "postgres://probity:probity@127.0.0.1:5432/probity_bench_suite_{cases}"
FEW_BALLOTS = 10


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100000, help="large scale (default 100000)")
    parser.add_argument("--small", type=int, default=1000, help="small scale (default 1000)")
    parser.add_argument("--organizations", type=int, default=10000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--database-url",
        default=PG_DEFAULT,
        help="PostgreSQL URL pattern, {cases} replaced by the scale (default %(default)s)",
    )
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page")
    parser.add_argument("--http-seconds", type=float, default=5, help="per load phase")
    parser.add_argument("--threads", type=int, default=4, help="load generator threads")
    parser.add_argument("--batch-size", type=int, default=5000, help="seed_scale batches")
    parser.add_argument(
        "--only",
        choices=("lists",),
        help="lists: only the list rows (case lists, Our cases, the register), on the large "
        "database: no small scale, dashboard, My ballots or HTTP phase",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)  # "large" or "small"
    parser.add_argument("--out", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# ---------------------------------------------------------------------------
# The parent: databases, seeding, load, HTTP, the table
# ---------------------------------------------------------------------------


def bench_env(
    database: str,
    code: Path = ROOT,
    private: str = "bench-suite-private",
    helpers: Path | None = None,
) -> dict:
    """The environment every bench child runs in: the bench's settings (benchsite, no
    debug) with the bench helpers (`helpers`, default `code`'s bench/) and `code` first
    on the path, on `database` (a postgres:// URL, whose name must contain "bench", or a
    SQLite file). The private files go under this checkout's var/ whatever `code` is."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="benchsite.settings",
        DJANGO_DEBUG="0",
        PYTHONPATH=os.pathsep.join([str(helpers or code / "bench"), str(code)]),
        PROBITY_PRIVATE_DIR=str(ROOT / "var" / private),
    )
    env.pop("DATABASE_URL", None)
    env.pop("SQLITE_PATH", None)
    if database.startswith("postgres"):
        if "bench" not in database.rsplit("/", 1)[-1]:
            sys.exit(f"Refusing a PostgreSQL database whose name lacks 'bench': {database}")
        env["DATABASE_URL"] = database
    else:
        env["SQLITE_PATH"] = str(Path(database).resolve())
    return env


def database_env(args, cases: int) -> dict:
    if args.database == "postgres":
        return bench_env(args.database_url.format(cases=cases))
    return bench_env(str(ROOT / "var" / f"bench_suite_{cases}.sqlite3"))


def ensure_postgres_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def seed(args, cases: int) -> dict:
    """Migrate and top the database up to the scale; returns what seed_scale said."""
    env = database_env(args, cases)
    if args.database == "postgres":
        ensure_postgres_database(env["DATABASE_URL"])
    else:
        Path(env["SQLITE_PATH"]).parent.mkdir(parents=True, exist_ok=True)
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    out = subprocess.run(
        [
            *manage,
            "seed_scale",
            "--organizations",
            str(args.organizations),
            "--cases",
            str(cases),
            "--batch-size",
            str(args.batch_size),
        ],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    elapsed = time.perf_counter() - started
    # As autovacuum would after a bulk load: statistics, and the visibility map, without
    # which an index-only scan still reads the table (at 1,000,000 cases the dashboard's
    # open figures took 147 ms after ANALYZE alone, 8 ms after VACUUM).
    if args.database == "postgres":
        subprocess.run(
            [*manage, "dbshell", "--", "-qc", "VACUUM (ANALYZE)"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    created = re.search(r"(\d+) cases created", out)
    return {
        "cases": cases,
        "seconds": elapsed,
        "created": int(created[1]) if created else 0,
        "load": load,
        "said": out,
    }


class LoadSampler(threading.Thread):
    """The 1-minute load average every few seconds, for the table's last line."""

    def __init__(self):
        super().__init__(daemon=True)
        self.samples = [os.getloadavg()[0]]
        self.stop = threading.Event()

    def run(self):
        while not self.stop.wait(5):
            self.samples.append(os.getloadavg()[0])


def run_child(args, scale: str, cases: int) -> dict:
    env = database_env(args, cases)
    out = ROOT / "var" / f"bench_suite_{scale}_{args.database}.json"  # runs may overlap
    subprocess.run(
        [
            PYTHON,
            __file__,
            "--child",
            scale,
            "--out",
            str(out),
            "--runs",
            str(args.runs),
            "--cases",
            str(cases),
            "--database",
            args.database,
            *(["--only", args.only] if args.only else []),
        ],
        env=env,
        cwd=ROOT,
        check=True,
    )
    return json.loads(out.read_text())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, cookie: str = "") -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def throughput(port: int, path: str, cookie: str, seconds: float, threads: int) -> dict:
    """Requests a second over `seconds` with `threads` clients, each one request at a time."""
    done, errors, deadline = [0] * threads, [0] * threads, time.perf_counter() + seconds

    def client(i):
        while time.perf_counter() < deadline:
            if get(port, path, cookie) == 200:
                done[i] += 1
            else:
                errors[i] += 1

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    return {"rps": sum(done) / elapsed, "errors": sum(errors), "requests": sum(done)}


def workers_cpu(master: int) -> float:
    """CPU seconds (user + system) the gunicorn workers (the master's children) have used:
    read around a load phase, the CPU a request costs, whatever else the machine runs."""
    total = 0
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def worker_memory(master: int) -> list[tuple[int, int]]:
    """(VmRSS, VmHWM) in KiB of each gunicorn worker (the master's children)."""
    out = []
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        rss = int(re.search(r"VmRSS:\s+(\d+)", status)[1])
        hwm = int(re.search(r"VmHWM:\s+(\d+)", status)[1])
        out.append((rss, hwm))
    return out


def start_gunicorn(env: dict, cwd: Path = ROOT) -> tuple[subprocess.Popen, int]:
    """gunicorn with two sync workers on a free port, once it answers the hello-world
    (the server and its port). ROOT's gunicorn serves `cwd`'s code."""
    port = free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "300",
            "--log-level",
            "warning",
            "association.wsgi:application",
        ],
        env=env,
        cwd=cwd,
    )
    for _ in range(300):
        try:
            if get(port, "/bench/hello/") == 200:
                break
        except OSError:
            time.sleep(0.1)
    return server, port


def http_phase(args, cases: int, sessions: dict) -> dict:
    server, port = start_gunicorn(database_env(args, cases))
    try:
        portal = sessions["portal"]
        for path, cookie in (("/bench/hello/", ""), (portal["url"], portal["cookie"])):
            for _ in range(10):  # both workers warm
                get(port, path, cookie)
        rounds = {"hello": [], "portal": []}
        for _ in range(2):  # alternated, so both see the same load
            rounds["hello"].append(
                throughput(port, "/bench/hello/", "", args.http_seconds, args.threads)
            )
            rounds["portal"].append(
                throughput(port, portal["url"], portal["cookie"], args.http_seconds, args.threads)
            )
        # The worker's memory for "My ballots" of the member with the most ballots.
        ballots = sessions["ballots"]
        before = worker_memory(server.pid)
        statuses = [get(port, ballots["url"], ballots["cookie"]) for _ in range(10)]
        after = worker_memory(server.pid)
        peak = max(h for _, h in after) - min(r for r, _ in before)
        kept = (sum(r for r, _ in after) - sum(r for r, _ in before)) / 10
        return {
            "hello_rps": statistics.mean(r["rps"] for r in rounds["hello"]),
            "portal_rps": statistics.mean(r["rps"] for r in rounds["portal"]),
            "errors": sum(r["errors"] for rs in rounds.values() for r in rs),
            "memory_peak_growth_mib": max(0, peak) / 1024,
            "memory_kept_per_request_mib": kept / 1024,
            "ballots_statuses": sorted(set(statuses)),
        }
    finally:
        server.terminate()
        server.wait(30)


def fmt(ms: float) -> str:
    return f"{ms:.1f}" if ms < 1000 else f"{ms:,.0f}"


def table(args, seeds, large: dict, small: dict | None, http: dict, load: list[float]) -> str:
    head = [
        "page",
        "role",
        "rows",
        "SQL queries",
        "median ms",
        "p10–p90 ms",
        "reference",
        "ref. queries",
        "ref. median ms",
        "ratio",
        "target",
        "met?",
    ]
    rows = []

    def add(label, role, page, ref_label, ref, target, higher_is_better=False):
        ratio = page["median"] / ref["median"]
        met = ratio >= target if higher_is_better else ratio <= target
        rows.append(
            [
                label,
                role,
                f"{page['rows']}/{ref['rows']}",
                str(page["queries"]),
                fmt(page["median"]),
                f"{fmt(page['p10'])}–{fmt(page['p90'])}",
                ref_label,
                str(ref["queries"]),
                fmt(ref["median"]),
                f"{ratio:.2f}",
                ("≥ " if higher_is_better else "≤ ") + f"{target}",
                "yes" if met else "**no**",
            ]
        )

    for pair in large["pairs"]:
        add(pair["label"], pair["role"], pair["a"], pair["ref_label"], pair["b"], pair["target"])
    if small is not None:
        add(
            f"dashboard @{args.cases:,}",
            "staff",
            large["dashboard"],
            f"dashboard @{args.small:,}",
            small["dashboard"],
            1.5,
        )
    if http:
        rows.append(
            [
                "member portal (HTTP, gunicorn -w 2)",
                "representative",
                "–",
                "–",
                f"{http['portal_rps']:.1f} req/s",
                "–",
                "hello-world",
                "0",
                f"{http['hello_rps']:.1f} req/s",
                f"{http['portal_rps'] / http['hello_rps']:.1%}",
                "≥ 12%",
                "yes" if http["portal_rps"] / http["hello_rps"] >= 0.12 else "**no**",
            ]
        )
        rows.append(
            [
                "My ballots: worker memory growth (10 requests)",
                "board (most ballots)",
                "–",
                "–",
                f"peak +{http['memory_peak_growth_mib']:.1f} MiB",
                "–",
                "–",
                "–",
                f"kept {http['memory_kept_per_request_mib']:+.2f} MiB/req",
                "–",
                "≤ 20 MB",
                "yes" if http["memory_peak_growth_mib"] <= 20 else "**no**",
            ]
        )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    seeded = "; ".join(
        f"{s['cases']:,} cases: {s['seconds']:.1f} s ({s['created']:,} created, load {s['load']:.1f})"
        for s in seeds
    )
    lines += [
        "",
        f"Database: {large['database']}. Runs per page: {args.runs} (interleaved with the "
        f"reference). seed_scale: {seeded}.",
        f"Load average (1 min) during the run: min {min(load):.1f}, median "
        f"{statistics.median(load):.1f}, max {max(load):.1f} on {os.cpu_count()} CPUs.",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child:
        return child(args)
    sampler = LoadSampler()
    sampler.start()
    if args.only == "lists":
        seeds = [seed(args, args.cases)]
        small, large, http = None, run_child(args, "large", args.cases), {}
    else:
        seeds = [seed(args, args.small), seed(args, args.cases)]
        small = run_child(args, "small", args.small)
        large = run_child(args, "large", args.cases)
        http = http_phase(args, args.cases, large["sessions"])
    sampler.stop.set()
    print(table(args, seeds, large, small, http, sampler.samples))
    return 0


# ---------------------------------------------------------------------------
# The child: one database, in-process requests
# ---------------------------------------------------------------------------


def child(args) -> int:
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    label = f"{connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else connection.pg_version}"
    staff = client("bench-suite-staff", group="ethics", verified=True)
    result = {"database": label}
    if args.only != "lists":
        result["dashboard"] = measure([(staff, "/cases/dashboard/")], args.runs)[0]
    if args.child == "small":
        Path(args.out).write_text(json.dumps(result))
        return 0
    board_user, few_user, rep_user = people()
    board = client(board_user.username, verified=True)
    few = client(few_user.username, verified=True)
    rep = client(rep_user.username)
    anonymous = Client()
    anonymous.bench_user = "anonymous"
    ensure_publications()
    pairs = [
        (
            "staff case list",
            "staff",
            staff,
            "/cases/",
            "minimal Django list",
            staff,
            "/bench/cases/",
            1.5,
        ),
        ("board member's case list", "board", board, "/cases/", "staff's", staff, "/cases/", 1.5),
        (
            "representative's case list (Our cases)",
            "representative",
            rep,
            "/cases/ours/",
            "staff's",
            staff,
            "/cases/",
            1.5,
        ),
        (
            "case list, last page",
            "staff",
            staff,
            oldest_cases(staff_user(staff)),
            "first page",
            staff,
            "/cases/",
            1.3,
        ),
        (
            "case list, last page",
            "board",
            board,
            oldest_cases(board_user),
            "first page",
            board,
            "/cases/",
            1.3,
        ),
        (
            "Our cases, last page",
            "representative",
            rep,
            oldest_ours(rep_user),
            "first page",
            rep,
            "/cases/ours/",
            1.3,
        ),
        (
            "register, last page",
            "staff",
            staff,
            oldest_register(),
            "first page",
            staff,
            "/register/",
            1.3,
        ),
        (
            "public decisions, last page",
            "anonymous",
            anonymous,
            oldest_decisions(),
            "first page",
            anonymous,
            "/decisions/",
            1.3,
        ),
    ]
    if args.only != "lists":  # "My ballots" is not a list of cases
        pairs.append(
            (
                f"My ballots, {ballot_count(board_user):,} ballots",
                "board",
                board,
                "/cases/ballots/",
                f"{FEW_BALLOTS} ballots",
                few,
                "/cases/ballots/",
                1.5,
            )
        )
    result["pairs"] = []
    for label_, role, ca, ua, ref_label, cb, ub, target in pairs:
        a, b = measure([(ca, ua), (cb, ub)], args.runs)
        result["pairs"].append(
            {
                "label": label_,
                "role": role,
                "url": ua,
                "ref_url": ub,
                "ref_label": ref_label,
                "a": a,
                "b": b,
                "target": target,
            }
        )
    from django.conf import settings

    cookie = settings.SESSION_COOKIE_NAME
    result["sessions"] = {
        "portal": {"url": "/membership/", "cookie": f"{cookie}={rep.cookies[cookie].value}"},
        "ballots": {"url": "/cases/ballots/", "cookie": f"{cookie}={board.cookies[cookie].value}"},
    }
    Path(args.out).write_text(json.dumps(result))
    return 0


def client(username: str, group: str = "", verified: bool = False):
    """A signed-in client; `verified`: its session passed the second factor, as staff,
    board and panel sessions must (django_otp)."""
    from django.contrib.auth.models import Group, User
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from members.roles import ETHICS_STAFF

    user, _ = User.objects.get_or_create(username=username, defaults={"first_name": "Bench"})
    if group == "ethics":
        user.groups.add(Group.objects.get_or_create(name=ETHICS_STAFF)[0])
    c = Client()
    c.force_login(user)
    c.bench_user = user
    if verified:
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="default", defaults={"confirmed": True}
        )
        session = c.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return c


def staff_user(c):
    return c.bench_user


def people():
    """The board member with the most seats, one with FEW_BALLOTS (created once: seats on
    closed ballots of the oldest cases, as a member who joined the board late), and the
    representative of the organization with the most cases."""
    from django.contrib.auth.models import Group, User
    from django.db.models import Count

    from cases.models import Ballot, BallotSeat, Case
    from members.models import Representative
    from members.roles import BOARD

    top = BallotSeat.objects.values("voter").annotate(n=Count("pk")).order_by("-n").first()
    board_user = User.objects.get(pk=top["voter"])
    few, created = User.objects.get_or_create(
        username="bench-suite-board-few", defaults={"first_name": "Bench"}
    )
    few.groups.add(Group.objects.get(name=BOARD))
    if created or not BallotSeat.objects.filter(voter=few).exists():
        ballots = Ballot.objects.filter(closed_at__isnull=False, kind="board").order_by("pk")[
            :FEW_BALLOTS
        ]
        BallotSeat.objects.bulk_create(
            [
                BallotSeat(ballot=b, voter=few, closed_at=b.closed_at, closes_on=b.closes_on)
                for b in ballots
            ]
        )
    busiest = Case.objects.values("respondent").annotate(n=Count("pk")).order_by("-n").first()
    rep = (
        Representative.objects.filter(organization_id=busiest["respondent"])
        .select_related("user")
        .order_by("-is_primary", "pk")
        .first()
        .user
    )
    return board_user, few, rep


def ballot_count(user) -> int:
    from cases.models import BallotSeat

    return BallotSeat.objects.filter(voter=user).count()


def oldest_cases(user) -> str:
    """The case list's oldest page, by its keyset cursor: after the 51st-oldest case."""
    from association.paging import _encode
    from cases.access import cases_visible_to

    key = cases_visible_to(user).order_by("filed_at", "pk").values_list("filed_at", "pk")[50]
    return f"/cases/?after={_encode(tuple(key))}"


def oldest_ours(user) -> str:
    """ "Our cases"' oldest page, by its keyset cursor: after its 51st-oldest case."""
    from association.paging import _encode
    from cases.models import CaseViewer

    keys = list(
        CaseViewer.objects.filter(user=user, case__respondent__representatives__user=user)
        .order_by("filed_at", "case_id")
        .values_list("filed_at", "case_id")[:51]
    )
    if len(keys) <= 50:  # one page: the first is the last
        return "/cases/ours/"
    return f"/cases/ours/?after={_encode(tuple(keys[50]))}"


def oldest_register() -> str:
    from association.paging import _encode
    from members.models import Organization

    key = Organization.objects.order_by("-name", "-pk").values_list("name", "pk")[50]
    return f"/register/?after={_encode(tuple(key))}"


def ensure_publications() -> None:
    """seed_scale publishes nothing: a publication for every closed case that has none
    (as if every procedure published its sanctions for ten years), published on the day
    the case was entered, so the public decisions page has as many entries as closed
    cases. Written once per database; the page reads them through its own index."""
    import datetime

    from django.utils import timezone

    from cases.models import Case, Publication, PublicationLevel
    from cases.workflow import CaseState

    today = timezone.localdate()
    missing = (
        Case.objects.filter(state=CaseState.CLOSED, publication__isnull=True)
        .order_by("pk")
        .values_list("pk", "filed_at")
    )
    rows = [
        Publication(
            case_id=pk,
            level=PublicationLevel.SANCTION,
            sanction="Censure",
            principles=["Bench principle"],
            decided_on=filed_at.date(),
            published_on=min(filed_at.date(), today),
            ends_on=today + datetime.timedelta(days=3650),
        )
        for pk, filed_at in missing.iterator(chunk_size=5000)
    ]
    Publication.objects.bulk_create(rows, batch_size=2000)


def oldest_decisions() -> str:
    """The public decisions page's oldest page, by its keyset cursor: after the
    51st-oldest entry on it."""
    from association.paging import _encode
    from cases.selectors import published_decisions

    key = published_decisions().order_by("published_on", "pk").values_list("published_on", "pk")[50]
    return f"/decisions/?after={_encode(tuple(key))}"


def rows_of(html: str) -> int:
    if "<tbody" not in html:  # a list of cards (the public decisions page)
        return html.count('<article class="card">')
    body = html.split("<tbody", 1)[1] if "<tbody" in html else ""
    return body.count("<tr")


def measure(pages, runs: int) -> list[dict]:
    """Each (client, url): 3 warm-ups, one request counting SQL queries, then `runs`
    requests, the pages interleaved."""
    from django.db import connection

    for c, url in pages:
        for _ in range(3):
            r = c.get(url)
            if r.status_code != 200:
                raise SystemExit(f"{url} as {c.bench_user}: HTTP {r.status_code}")
    counts, rows = [], []
    for c, url in pages:
        executed = []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            r = c.get(url)
        counts.append(len(executed))
        rows.append(rows_of(r.content.decode()))
    times = [[] for _ in pages]
    for _ in range(runs):
        for i, (c, url) in enumerate(pages):
            started = time.perf_counter()
            c.get(url)
            times[i].append((time.perf_counter() - started) * 1000)
    out = []
    for t, n, rws in zip(times, counts, rows, strict=True):
        q = statistics.quantiles(t, n=10) if len(t) > 1 else [t[0]] * 9
        out.append(
            {"median": statistics.median(t), "p10": q[0], "p90": q[-1], "queries": n, "rows": rws}
        )
    return out


if __name__ == "__main__":
    sys.exit(main())
