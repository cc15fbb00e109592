"""Peak memory of a dossier export (issue 12: a case with 500 MB of files keeps the
server's memory under 100 MB).

    .venv/bin/python bench/bench_dossier.py [--megabytes 500] [--files 10]

SQLite on its own file (var/bench_dossier.sqlite3), files under var/bench_dossier_private/
(both wiped first). Files one case through the services, then adds --files evidence
files of --megabytes in total (random bytes, so nothing compresses) through the evidence
service, exports the dossier and drains the stream as a download would, and prints the
process's peak resident memory before and after the export, the zip's size and the time.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=500)
    parser.add_argument("--files", type=int, default=10)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.pop("DATABASE_URL", None)
    var = ROOT / "var"
    db, private = var / "bench_dossier.sqlite3", var / "bench_dossier_private"
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    shutil.rmtree(private, ignore_errors=True)
    size = args.megabytes * (1 << 20) // args.files
    os.environ.update(
        DJANGO_SETTINGS_MODULE="association.settings",
        SQLITE_PATH=str(db),
        PROBITY_PRIVATE_DIR=str(private),
        PROBITY_TASKS_BACKEND="immediate",
        PROBITY_UPLOAD_MAX_BYTES=str(size + 1),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import TemporaryUploadedFile
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from cases import services
    from tests.factories.cases import evidence_input, fresh
    from tests.factories.letters import make_world, world_case

    world = make_world()
    case = world_case(world)
    for i in range(args.files):
        upload = TemporaryUploadedFile(f"big-{i}.pdf", "application/pdf", size, None)
        upload.write(b"%PDF-1.4\n")
        remaining = size - 9
        while remaining > 0:
            chunk = os.urandom(min(remaining, 1 << 20))
            upload.write(chunk)
            remaining -= len(chunk)
        upload.seek(0)
        services.evidence_add(case=fresh(case), by=world.staff, evidence=evidence_input(upload))
        upload.close()
    before = rss_mb()
    start = time.perf_counter()
    _name, stream = services.dossier_export(case=fresh(case), by=world.staff)
    written = 0
    with tempfile.TemporaryFile() as sink:
        for chunk in stream:
            sink.write(chunk)
            written += len(chunk)
    elapsed = time.perf_counter() - start
    print(f"dossier: {written / (1 << 20):.0f} MB in {elapsed:.1f} s")
    print(
        f"peak RSS: {before:.0f} MB before the export, {rss_mb():.0f} MB after "
        f"(growth {rss_mb() - before:.0f} MB; target: under 100 MB)"
    )


if __name__ == "__main__":
    main()
