"""How long `seed_scale` takes from nothing: `bench/bench_seed.py --cases 10000`.

Each run seeds a fresh database (SQLite: a copy of a migrated file under var/;
PostgreSQL: a database created from a migrated template) with `seed_scale
--organizations N --cases M`, in a subprocess, and records its wall time and its CPU
time (user + system of the command and its generator processes; on PostgreSQL the
server's CPU is not included). The variants run interleaved, so a change in the
machine's load hits them alike: `--workers 2` (the default, two forked generators) and
`--workers 0` (one process; `--variants 2,1,0` for more), and, with `--old DIR`, the command of another checkout
(e.g. `git archive <commit> | tar -x -C DIR`) for a before/after ratio. The machine's
load average is printed with each run. See bench/README.md ("seed_scale").
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PG_DEFAULT = "postgres://probity:probity@127.0.0.1:5432/probity_bench_seed"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10000)
    parser.add_argument("--organizations", type=int, default=10000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--database-url", default=PG_DEFAULT, help="PostgreSQL (dropped!)")
    parser.add_argument("--runs", type=int, default=3, help="runs per variant")
    parser.add_argument("--old", help="another checkout whose seed_scale to compare")
    parser.add_argument("--variants", default="2,0", help="--workers values to run (default 2,0)")
    return parser.parse_args(argv)


def _psql(url: str, sql: str) -> None:
    base, name = url.rsplit("/", 1)
    subprocess.run([PYTHON, "-c", _PSQL, base + "/postgres", sql.format(name=name)], check=True)


_PSQL = """
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as c:
    for statement in sys.argv[2].split(";"):
        if statement.strip():
            c.execute(statement)
"""


class Databases:
    """A migrated template, and a fresh copy of it for each run."""

    def __init__(self, args):
        self.args = args
        self.var = ROOT / "var"
        self.var.mkdir(exist_ok=True)
        self.template = self.var / "bench_seed_template.sqlite3"
        env = self.env(self.template, template=True)
        if args.database == "postgres":
            _psql(
                args.database_url,
                'DROP DATABASE IF EXISTS "{name}_template";CREATE DATABASE "{name}_template"',
            )
        elif self.template.exists():
            self.template.unlink()
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)

    def env(self, path: Path, template: bool = False) -> dict:
        env = dict(os.environ, PROBITY_PRIVATE_DIR=str(self.var / "bench_seed_private"))
        if self.args.database == "postgres":
            env["DATABASE_URL"] = self.args.database_url + ("_template" if template else "")
        else:
            env.pop("DATABASE_URL", None)
            env["SQLITE_PATH"] = str(path)
        return env

    def fresh(self) -> dict:
        if self.args.database == "postgres":
            _psql(
                self.args.database_url,
                'DROP DATABASE IF EXISTS "{name}";'
                'CREATE DATABASE "{name}" TEMPLATE "{name}_template"',
            )
            return self.env(self.template)
        path = self.var / "bench_seed_run.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        shutil.copy(self.template, path)
        return self.env(path)


def run_once(args, databases: Databases, variant: str) -> dict:
    env = databases.fresh()
    cwd = ROOT
    command = [
        PYTHON,
        "manage.py",
        "seed_scale",
        f"--organizations={args.organizations}",
        f"--cases={args.cases}",
    ]
    if variant == "old":
        cwd = Path(args.old).resolve()
    else:
        command.append(f"--workers={variant}")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    out = subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "variant": variant,
        "wall": wall,
        "cpu": cpu,
        "load": (load + os.getloadavg()[0]) / 2,
        "said": out.stdout.strip().splitlines()[-1],
    }


def main(argv=None) -> None:
    args = parse_args(argv)
    variants = args.variants.split(",") + (["old"] if args.old else [])
    databases = Databases(args)
    results = []
    for n in range(args.runs):
        for variant in variants if n % 2 == 0 else reversed(variants):
            result = run_once(args, databases, variant)
            results.append(result)
            print(
                f"{result['variant']:>4}: wall {result['wall']:6.1f} s, cpu {result['cpu']:6.1f} s, "
                f"load {result['load']:.1f} | {result['said']}",
                flush=True,
            )
    print(
        f"\nseed_scale --organizations {args.organizations} --cases {args.cases}, "
        f"{args.database}, {args.runs} runs per variant (median):"
    )
    print("| variant | wall s | CPU s | load |")
    print("|---|---|---|---|")
    for variant in variants:
        mine = [r for r in results if r["variant"] == variant]
        print(
            f"| {variant} | {statistics.median(r['wall'] for r in mine):.1f} "
            f"| {statistics.median(r['cpu'] for r in mine):.1f} "
            f"| {statistics.median(r['load'] for r in mine):.1f} |"
        )


if __name__ == "__main__":
    main()
