"""Benchmark letter rendering on the demo's decision letter.

    .venv/bin/python bench/bench_letters.py [--runs 20] [--letters 200] [--profile]

SQLite only, on its own file (var/bench_letters.sqlite3, or SQLITE_PATH), with the
letters and evidence written under var/bench_letters_private/ (never var/private/):
both are wiped first. The script migrates, runs `seed_demo`, and takes the demo's
suspension case ("Sold uncertified safety relays as certified"), whose decision
letter was issued when its ballot closed. See bench/README.md for the results.

1. WeasyPrint alone: `letters.render_pdf(html, head)` on the letter's HTML rendered
   once beforehand; median of --runs runs (after 2 warm-up runs).
2. The whole issue path: `letters.issue(case, "decision", recipient, event=..., by=...)`
   (gather data, render the template, render the PDF, hash, store the file, save the
   Letter, its permissions and its letter_issued event) inside a transaction that is
   rolled back, on a fresh CaseEvent each time; median of --runs runs. Also the
   median of each step alone (render_html, render_pdf, sha256, storage save).
   Target: median(issue) <= 1.25 x median(render_pdf).
3. --letters letters rendered HTML -> PDF -> SHA-256 -> file, by a pool of 1 worker
   process and then of 2 (spawned, Django set up in each, one warm-up letter each
   before the clock starts). Target: speed-up of 2 over 1 >= 1.7x. The same pool
   speed-up on a pure-Python CPU load is printed next to it: on a shared machine it
   shows how many cores were actually free.
4. Whether WeasyPrint logged "Using fontTools instead of HarfBuzz-Subset" (it does
   when libharfbuzz-subset0, the Debian package, is missing).

--profile runs cProfile over --runs issue paths and prints the top functions.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import multiprocessing
import os
import shutil
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_SUMMARY = "Sold uncertified safety relays as certified"  # cases.demo_decisions


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per measure")
    parser.add_argument("--letters", type=int, default=200, help="letters for the pool test")
    parser.add_argument("--profile", action="store_true", help="cProfile the issue path")
    parser.add_argument("--no-seed", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def environment() -> None:
    """Settings for the benchmark process and its workers (inherited by spawn)."""
    sys.path.insert(0, str(ROOT))
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "association.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("SQLITE_PATH", str(ROOT / "var" / "bench_letters.sqlite3"))
    os.environ.setdefault("PROBITY_PRIVATE_DIR", str(ROOT / "var" / "bench_letters_private"))
    warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise, no collectstatic


def wipe() -> None:
    path = Path(os.environ["SQLITE_PATH"])
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(os.environ["PROBITY_PRIVATE_DIR"], ignore_errors=True)


class FontToolsFallback(logging.Handler):
    """Remembers WeasyPrint's warning that it subsets fonts with fontTools."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        message = record.getMessage()
        if "fontTools instead of HarfBuzz-Subset" in message:
            self.messages.append(message)


def setup_django() -> FontToolsFallback:
    import django

    django.setup()
    handler = FontToolsFallback()
    logging.getLogger("weasyprint").addHandler(handler)
    return handler


def seed() -> float:
    import io

    from django.core.management import call_command

    call_command("migrate", verbosity=0, stdout=io.StringIO())
    start = time.perf_counter()
    call_command("seed_demo", stdout=io.StringIO())
    return time.perf_counter() - start


def demo_case():
    from cases.models import Case

    return Case.objects.get(summary=DEMO_SUMMARY)


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def timed(fn, runs: int, warmup: int = 2, cpu: list[float] | None = None) -> list[float]:
    """Wall times of `runs` calls after `warmup`; CPU times (this process) into `cpu`."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - start)
        if cpu is not None:
            cpu.append(time.process_time() - start_cpu)
    return times


# ---------------------------------------------------------------------------
# 1 and 2: WeasyPrint alone against the whole issue path
# ---------------------------------------------------------------------------


class Rollback(Exception):
    pass


def issue_once(case, staff, *, timings: list[float] | None = None, cpu: list[float] | None = None):
    """letters.issue on a fresh CaseEvent, in a transaction rolled back afterwards;
    only letters.issue is timed. The stored file stays (in the bench directory)."""
    from django.db import transaction

    from cases import rendering
    from cases.services import letters, lock_case, record_event

    try:
        with transaction.atomic():
            locked = lock_case(case)
            event = record_event(locked, actor=staff, kind="bench", payload={})
            recipient = rendering.respondent_recipient(locked)
            start, start_cpu = time.perf_counter(), time.process_time()
            letters.issue(locked, "decision", recipient, event=event, by=staff)
            if timings is not None:
                timings.append(time.perf_counter() - start)
            if cpu is not None:
                cpu.append(time.process_time() - start_cpu)
            raise Rollback
    except Rollback:
        pass


def measure_paths(runs: int) -> dict:
    from django.core.files.base import ContentFile

    from cases import rendering as letters
    from cases.models import Letter

    case = demo_case()
    staff = case.case_officer
    stored = Letter.objects.get(case=case, kind="decision")
    recipient = letters.respondent_recipient(case)
    head = letters.letterhead()
    html = letters.render_html(case, "decision", recipient)
    pdf = letters.render_pdf(html, head)
    storage = Letter._meta.get_field("file").storage

    # Interleaved, so that a change in the machine's load hits both alike.
    alone: list[float] = []
    alone_cpu: list[float] = []
    issue_times: list[float] = []
    issue_cpu: list[float] = []
    for _ in range(2):
        letters.render_pdf(html, head)  # warm-up
        issue_once(case, staff)
    for _ in range(runs):
        alone += timed(lambda: letters.render_pdf(html, head), 1, warmup=0, cpu=alone_cpu)
        issue_once(case, staff, timings=issue_times, cpu=issue_cpu)
    html_times = timed(lambda: letters.render_html(case, "decision", recipient), runs)
    hash_times = timed(lambda: hashlib.sha256(pdf).hexdigest(), runs)

    def save():
        name = storage.save(f"bench/decision-{time.monotonic_ns()}.pdf", ContentFile(pdf))
        storage.delete(name)

    save_times = timed(save, runs)
    return {
        "case": case.number,
        "stored_size": stored.size,
        "pdf_size": len(pdf),
        "render_pdf": median_ms(alone),
        "render_pdf_all": alone,
        "render_pdf_cpu": median_ms(alone_cpu),
        "issue": median_ms(issue_times),
        "issue_all": issue_times,
        "issue_cpu": median_ms(issue_cpu),
        "render_html": median_ms(html_times),
        "sha256": median_ms(hash_times),
        "storage_save": median_ms(save_times),
    }


def profile_issue(runs: int) -> str:
    import cProfile
    import io
    import pstats

    case = demo_case()
    staff = case.case_officer
    issue_once(case, staff)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        issue_once(case, staff)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(25)
    stats.print_callees(r"letters.py:\d+\(issue\)")
    stats.print_callees(r"letters.py:\d+\(render_html\)")
    return out.getvalue()


# ---------------------------------------------------------------------------
# 3: a pool of workers, each rendering HTML -> PDF -> hash -> file
# ---------------------------------------------------------------------------

_worker: dict = {}


def _init_worker(barrier, out_dir: str) -> None:
    environment()
    setup_django()
    from cases import rendering as letters

    case = demo_case()
    _worker.update(
        case=case,
        recipient=letters.respondent_recipient(case),
        head=letters.letterhead(),
        out=Path(out_dir),
    )
    _render_one(-1)  # warm-up: fonts, stylesheet, template loaders
    barrier.wait()


def _render_one(i: int) -> tuple[str, float]:
    from cases import rendering as letters

    start_cpu = time.process_time()
    html = letters.render_html(_worker["case"], "decision", _worker["recipient"])
    pdf = letters.render_pdf(html, _worker["head"])
    digest = hashlib.sha256(pdf).hexdigest()
    path = _worker["out"] / f"letter-{os.getpid()}-{i}-{digest[:12]}.pdf"
    path.write_bytes(pdf)
    return digest, time.process_time() - start_cpu


def _burn(n: int) -> float:
    start = time.process_time()
    x = 0
    for i in range(n):
        x += i * i
    return time.process_time() - start


def calibrate(workers: int) -> float:
    """Seconds for a fixed pure-Python CPU load spread over `workers` spawned processes:
    how much parallelism the machine gives right now (other processes share the cores)."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers) as pool:
        pool.map(_burn, [10] * workers)
        start = time.perf_counter()
        pool.map(_burn, [4_000_000] * 16, chunksize=1)
        return time.perf_counter() - start


def pool_run(workers: int, letters_count: int) -> dict:
    ctx = multiprocessing.get_context("spawn")
    out_dir = Path(os.environ["PROBITY_PRIVATE_DIR"]) / f"pool-{workers}"
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    barrier = ctx.Barrier(workers + 1)
    started = time.perf_counter()
    with ctx.Pool(workers, initializer=_init_worker, initargs=(barrier, str(out_dir))) as pool:
        barrier.wait()  # every worker is set up and warm
        ready = time.perf_counter()
        results = pool.map(_render_one, range(letters_count), chunksize=4)
        done = time.perf_counter()
    cpu = sum(c for _, c in results)
    written = len(list(out_dir.glob("letter-*.pdf")))
    shutil.rmtree(out_dir, ignore_errors=True)
    return {
        "workers": workers,
        "seconds": done - ready,
        "with_startup": done - started,
        "letters": len(results),
        "cpu_per_letter_ms": cpu / len(results) * 1000,
        "cores_used": cpu / (done - ready),
        "written": written - workers,  # minus the warm-up letters
        "load": os.getloadavg(),
    }


# ---------------------------------------------------------------------------


def versions() -> str:
    import platform

    import django
    import pydyf
    import weasyprint
    from weasyprint.text import ffi

    hb = "4.1.0 or later" if ffi.harfbuzz.hb_version_atleast(4, 1, 0) else "older than 4.1.0"
    subset = "yes" if ffi.harfbuzz_subset is not None else "NO"
    return (
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"WeasyPrint {weasyprint.__version__}, pydyf {pydyf.__version__}, HarfBuzz {hb}, "
        f"libharfbuzz-subset loaded: {subset}; {os.cpu_count()} CPUs"
    )


def main() -> int:
    args = parse_args()
    environment()
    if not args.no_seed:
        wipe()
    fallback = setup_django()
    print(versions())
    print(f"load average at start: {os.getloadavg()}")
    if not args.no_seed:
        print(f"seed_demo: {seed():.1f} s")

    paths = measure_paths(args.runs)
    ratio = paths["issue"] / paths["render_pdf"]
    print(
        f"\nDecision letter of case {paths['case']}: {paths['pdf_size']} bytes "
        f"(the stored one {paths['stored_size']})"
    )
    print(f"{'measure':32} {'median ms':>10} {'min ms':>8} {'max ms':>8} {'CPU median ms':>14}")
    for label, key in (
        ("WeasyPrint alone (render_pdf)", "render_pdf"),
        ("whole issue path", "issue"),
    ):
        values = paths[f"{key}_all"]
        print(
            f"{label:32} {paths[key]:10.1f} {min(values) * 1000:8.1f} {max(values) * 1000:8.1f}"
            f" {paths[key + '_cpu']:14.1f}"
        )
    for label, key in (
        ("  render_html (data + template)", "render_html"),
        ("  sha256", "sha256"),
        ("  storage save", "storage_save"),
    ):
        print(f"{label:32} {paths[key]:10.2f}")
    rest = paths["issue"] - paths["render_pdf"] - paths["render_html"] - paths["sha256"]
    rest -= paths["storage_save"]
    print(f"{'  rest (DB rows, permissions)':32} {rest:10.2f}")
    print(f"ratio issue / WeasyPrint alone: {ratio:.3f} (target <= 1.25)")
    print(f"ratio of CPU-time medians: {paths['issue_cpu'] / paths['render_pdf_cpu']:.3f}")

    one = pool_run(1, args.letters)
    two = pool_run(2, args.letters)
    speedup = one["seconds"] / two["seconds"]
    available = calibrate(1) / calibrate(2)
    for run in (one, two):
        print(
            f"{run['workers']} worker(s): {run['letters']} letters in {run['seconds']:.1f} s "
            f"({run['letters'] / run['seconds']:.1f}/s; {run['with_startup']:.1f} s with start-up), "
            f"{run['written']} files; CPU {run['cpu_per_letter_ms']:.0f} ms/letter, "
            f"{run['cores_used']:.2f} cores busy; load average after {run['load'][0]:.2f}"
        )
    print(f"speed-up 2 workers / 1: {speedup:.2f}x (target >= 1.7x)")
    print(
        f"the machine's own speed-up on a pure-Python CPU load, 2 processes / 1: "
        f"{available:.2f}x (letters reach {speedup / available:.0%} of it)"
    )
    print(
        "WeasyPrint fontTools fallback logged: "
        + (
            f"YES ({len(fallback.messages)} times): {fallback.messages[0]}"
            if fallback.messages
            else "no"
        )
    )
    if args.profile:
        print(profile_issue(args.runs))
    ok = ratio <= 1.25 and speedup >= 1.7 and not fallback.messages
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
