"""The embedded database, safe by any route (docs/decisions/0004, 0014): a sqlite://
DATABASE_URL gets the same options as the default SQLite file (WAL, immediate
transactions, a busy timeout), one that names no file is refused with a message saying
how to name it, and 20 votes cast at once under gunicorn with four workers on SQLite
through DATABASE_URL all succeed (before the fix, "database is locked" 500s)."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from tests.association.test_error_pages import settings_in

ROOT = Path(__file__).resolve().parents[2]
VOTERS = 20


def test_a_sqlite_database_url_gets_the_default_file_s_options(tmp_path):
    default = settings_in(
        {"PROBITY_VAR_DIR": str(tmp_path), "SQLITE_PATH": str(tmp_path / "a.sqlite3")},
        "s.DATABASES['default']",
    )
    by_url = settings_in(
        {"PROBITY_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/b.sqlite3"},
        "s.DATABASES['default']",
    )
    assert by_url["ENGINE"] == default["ENGINE"] == "django.db.backends.sqlite3"
    assert by_url["NAME"] == str(tmp_path / "b.sqlite3")
    assert by_url["OPTIONS"] == default["OPTIONS"]
    assert by_url["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in by_url["OPTIONS"]["init_command"]
    assert by_url["OPTIONS"]["timeout"] >= 5
    # Kept between requests: opening one costs a page ~9 ms (docs/decisions/0036).
    assert by_url["CONN_MAX_AGE"] == default["CONN_MAX_AGE"] > 0


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_a_sqlite_database_url_without_a_file_is_refused_with_how_to_name_it(url, tmp_path):
    with pytest.raises(subprocess.CalledProcessError) as refused:
        settings_in({"PROBITY_VAR_DIR": str(tmp_path), "DATABASE_URL": url}, "s.DATABASES")
    assert "names no SQLite file" in refused.value.stderr
    assert "sqlite:////" in refused.value.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PROBITY_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path}/probity.sqlite3",
        DJANGO_SETTINGS_MODULE="association.settings",
        PROBITY_VAR_DIR=str(tmp_path),
        PROBITY_PRIVATE_DIR=str(tmp_path / "private"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    return env


def _request(port, method, path, cookies, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    all_headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), **(headers or {})}
    if body is not None:
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=all_headers)
    response = conn.getresponse()
    result = (response.status, response.getheader("Set-Cookie") or "", response.read().decode())
    conn.close()
    return result


@pytest.mark.serial
def test_twenty_concurrent_votes_under_gunicorn_on_sqlite_by_url(tmp_path):
    env = _env(tmp_path)
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    seeded = subprocess.run(
        [python, "-m", "tests.association.seed_ballot", str(VOTERS)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )
    seed = json.loads(seeded.stdout.strip().splitlines()[-1])
    case_path = f"/cases/{seed['case']}/"
    port = _free_port()
    gunicorn = Path(python).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "--workers", "4", "--bind", f"127.0.0.1:{port}", "--timeout", "60",
         "--log-level", "warning", "association.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("gunicorn did not start")
                time.sleep(0.2)

        # Each voter opens the case page (a real session, the CSRF cookie and token)...
        forms = []
        for session in seed["sessions"]:
            status, set_cookie, html = _request(port, "GET", case_path, {"sessionid": session})
            assert status == 200, html[:500]
            csrf_cookie = SimpleCookie(set_cookie)["csrftoken"].value
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
            forms.append((session, csrf_cookie, token))

        # ...then all 20 vote at the same moment.
        results: list[tuple[int, str]] = []
        start = threading.Barrier(VOTERS)

        def vote(session, csrf_cookie, token):
            start.wait()
            status, _, body = _request(
                port, "POST", f"{case_path}vote/",
                {"sessionid": session, "csrftoken": csrf_cookie},
                body=f"csrfmiddlewaretoken={token}&choice=no_violation",
            )
            results.append((status, body[:300]))

        threads = [threading.Thread(target=vote, args=form) for form in forms]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        server.terminate()
        log = server.communicate(timeout=20)[0]

    statuses = sorted(status for status, _ in results)
    assert len(statuses) == VOTERS
    assert [s for s in statuses if s >= 500] == [], log
    assert statuses == [302] * VOTERS, results
    with sqlite3.connect(tmp_path / "probity.sqlite3") as db:
        (votes,) = db.execute("SELECT count(*) FROM cases_vote").fetchone()
    assert votes == VOTERS
