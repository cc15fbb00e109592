"""Real worker processes for the queue tests: the environment that points a subprocess at
a database and the SMTP server, and helpers to start and stop `probity_worker`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def worker_env(
    *, private_dir: Path, smtp_port: int, database_url: str = "", sqlite_path=None, **extra: str
) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="association.settings",
        PROBITY_TASKS_BACKEND="database",
        PROBITY_PRIVATE_DIR=str(private_dir),
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_TIMEOUT="30",
        PROBITY_DEADLINES_EVERY="0",
        # Nor the weekly digest: these tests count the letters' emails alone.
        PROBITY_DIGEST_EVERY="0",
        PROBITY_WORKER_HEARTBEAT_SECONDS="1",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    if sqlite_path:
        env["SQLITE_PATH"] = str(sqlite_path)
        env["PROBITY_VAR_DIR"] = str(Path(sqlite_path).parent)
    env.update(extra)
    return env


def manage(env: dict, *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def scene(env: dict, *args: str) -> dict:
    done = subprocess.run(
        [PYTHON, str(ROOT / "tests" / "runtime" / "scene.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def start_worker(env: dict, *args: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            PYTHON,
            str(ROOT / "manage.py"),
            "probity_worker",
            "--no-startup-delay",
            "--interval",
            "0.1",
            *args,
        ],
        env=env,
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
