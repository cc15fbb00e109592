"""A production install, run for real: gunicorn with association/gunicorn.conf.py and
production settings (PROBITY_ENV=production, a SECRET_KEY, ALLOWED_HOSTS, a migrated
SQLite file), fetched over HTTP: the login page and the health endpoint."""

from __future__ import annotations

import json
import secrets
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from tests.letters.smtp import free_port
from tests.runtime.workers import ROOT, manage


def fetch(url: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(
        url, headers={"X-Forwarded-Proto": "https", "X-Request-ID": "probe-0123456789"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.serial
def test_gunicorn_serves_the_login_page_and_the_health_endpoint_in_production(tmp_path):
    secret = secrets.token_urlsafe(64)
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PROBITY_ENV": "production",
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": "127.0.0.1",
        "PROBITY_VAR_DIR": str(tmp_path / "var"),
        "SQLITE_PATH": str(tmp_path / "probity.sqlite3"),
        "PROBITY_PRIVATE_DIR": str(tmp_path / "private"),
        "PROBITY_STATIC_ROOT": str(tmp_path / "static"),
        "PROBITY_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "PROBITY_LOG_FORMAT": "json",
    }
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "association/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, headers, body = fetch(f"{base}/accounts/login/")
                break
            except (ConnectionError, urllib.error.URLError):
                assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        assert status == 200, body[:500]
        assert b'name="csrfmiddlewaretoken"' in body and b'name="auth-password"' in body
        assert headers["X-Request-ID"] == "probe-0123456789"
        assert "max-age" in headers.get("Strict-Transport-Security", "")

        status, headers, body = fetch(f"{base}/health/")
        assert status == 200, body
        report = json.loads(body)
        assert report["checks"]["database"] == {"ok": True, "vendor": "sqlite"}
        assert report["checks"]["storage"] == {"ok": True}
        # No worker runs here: the server works, letters would wait in the queue.
        assert report["status"] == "degraded"
        assert report["checks"]["worker"]["last_heartbeat"] is None
        assert secret.encode() not in body and b"SECRET" not in body.upper()
        assert headers["Content-Type"] == "application/json"
        assert "no-cache" in headers["Cache-Control"]
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    # The access and the application log lines name the request id.
    assert "probe-0123456789" in (tmp_path / "gunicorn.log").read_text()
