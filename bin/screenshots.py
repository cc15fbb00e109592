"""Take README's screenshots of the main pages, one set per role, with headless Chromium.

    bin/screenshots [--language fr] [--out docs/screenshots]

Loads the demo association into its own SQLite file (var/screenshots.sqlite3, wiped
first; the app's var/probity.sqlite3 is never touched), serves it with gunicorn on a
free loopback port, signs in as each demo role through the real login form (staff,
board and panel with the demo accounts' shared TOTP secret) and saves one PNG per page.
Fields are found by their names, not their labels, so the same script takes the French
set (`--language fr`: the browser asks for French, as a French user's would).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"

# (file name, login or None, path or a callable of the case numbers, what it shows)
PAGES = [
    ("staff-dashboard", "alice.staff", "/cases/dashboard/", "Ethics staff: the work queues"),
    ("staff-case-list", "alice.staff", "/cases/", "Ethics staff: every case, by stage"),
    ("staff-case", "alice.staff", "case:board_vote", "Ethics staff: a case before the board"),
    ("staff-register", "alice.staff", "/register/", "Ethics staff: the member register"),
    ("board-ballots", "board.evans", "/cases/ballots/", "Board: the ballots awaiting a vote"),
    ("board-case", "board.evans", "case:board_vote", "Board: the file, then the vote"),
    ("panel-case", "panel.ito", "case:appeal", "Appeals panel: the decision under appeal"),
    ("representative-portal", "rep.redfern-automation", "/", "Representative: our membership"),
    ("representative-case", "rep.redfern-automation", "case:review", "Representative: respond"),
    ("complainant-case", "complainant", "/cases/complainant/", "Complainant: the case page"),
    ("public-verify", None, "/verify/juniper-conveyors/", "Public: a member's standing"),
    ("public-directory", None, "/members/", "Public: the member directory"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(var: Path) -> dict:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="association.settings",
        SQLITE_PATH=str(var / "screenshots.sqlite3"),
        PROBITY_PRIVATE_DIR=str(var / "screenshots_private"),
        PROBITY_TASKS_BACKEND="immediate",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    return env


def seed(env: dict, var: Path) -> None:
    db = Path(env["SQLITE_PATH"])
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    shutil.rmtree(env["PROBITY_PRIVATE_DIR"], ignore_errors=True)
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        subprocess.run(
            [PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )


def case_numbers(env: dict) -> dict[str, str]:
    """The demo's case numbers (their year is the demo's), found by their respondents
    (README's table of demo logins)."""
    script = (
        "import django, json; django.setup();"
        "from cases.models import Case;"
        "from cases.demo.complainants import demo_complainant_case;"
        "print(json.dumps({k: Case.objects.filter(respondent__slug=slug).order_by('number')"
        ".values_list('number', flat=True).first() for k, slug in ("
        "('board_vote', 'kestrel-integration'), ('appeal', 'saltmarsh-integration'),"
        " ('review', 'redfern-automation'))}"
        " | {'complainant': demo_complainant_case().number}))"
    )
    out = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def totp_now() -> str:
    sys.path.insert(0, str(ROOT))
    from django_otp.oath import totp

    from cases.demo.register import DEMO_TOTP_SECRET

    return f"{totp(base64.b32decode(DEMO_TOTP_SECRET)):06d}"


def sign_in(page, base: str, login: str, numbers: dict) -> None:
    if login == "complainant":
        from cases.demo.complainants import DEMO_ACCESS_CODE

        page.goto(f"{base}/cases/complainant/")
        page.fill("input[name=reference]", numbers["complainant"])
        page.fill("input[name=code]", DEMO_ACCESS_CODE)
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
        return
    from cases.demo.register import DEMO_PASSWORD

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name$=username]", login)
    page.fill("input[name$=password]", DEMO_PASSWORD)
    page.locator("main form button[type=submit]:not([name])").first.click()
    page.wait_for_load_state()
    token = page.locator("input[name$=otp_token]")
    if token.count():
        token.fill(totp_now())
        page.locator("main form button[type=submit]:not([name])").first.click()
        page.wait_for_load_state()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", default="en-GB")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    var = ROOT / "var"
    var.mkdir(exist_ok=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    env = environment(var)
    os.environ.update(env)
    seed(env, var)
    numbers = case_numbers(env)
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [GUNICORN, "-c", "association/gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/health/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        take(base, numbers, out, args.language)
    finally:
        server.terminate()
        server.wait(timeout=10)


def take(base: str, numbers: dict, out: Path, language: str) -> None:
    from playwright.sync_api import sync_playwright

    suffix = "" if language.lower().startswith("en") else f"-{language.lower()}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        contexts: dict = {}
        try:
            for name, login, path, caption in PAGES:
                if login not in contexts:
                    contexts[login] = browser.new_context(
                        viewport={"width": 1280, "height": 900}, locale=language
                    )
                    if login:
                        sign_in(contexts[login].new_page(), base, login, numbers)
                page = contexts[login].new_page()
                if path.startswith("case:"):
                    path = f"/cases/{numbers[path[5:]]}/"
                if not (login == "complainant" and path == "/cases/complainant/"):
                    page.goto(f"{base}{path}")
                else:
                    page.goto(f"{base}/cases/complainant/{numbers['complainant']}/")
                page.wait_for_load_state("networkidle")
                target = out / f"{name}{suffix}.png"
                page.screenshot(path=str(target))
                shown = target.relative_to(ROOT) if target.is_relative_to(ROOT) else target
                print(f"{shown}  {caption}")
                page.close()
        finally:
            browser.close()


if __name__ == "__main__":
    main()
