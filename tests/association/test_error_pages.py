"""Error pages for 400, 403, 404 and 500 in the site's layout, with a way back for the
user's role, readable on a phone, and no debug page unless DEBUG is explicitly on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from members import context_processors
from tests.factories.language import said
from tests.factories.members import RepresentativeFactory
from tests.factories.people import UserFactory, board_user, staff_user

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.urls("tests.association.error_urls")]

LAYOUT = 'class="site-header"'
PHONE = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def in_layout(response, template: str) -> str:
    html = response.content.decode()
    assert template in [t.name for t in response.templates]
    assert "base.html" in [t.name for t in response.templates]
    assert LAYOUT in html and PHONE in html
    return html


@pytest.mark.django_db
def test_400_for_a_suspicious_request(client):
    response = client.get("/fail/400/")
    assert response.status_code == 400
    html = in_layout(response, "400.html")
    assert said("We could not read that request") in html
    assert "A tampered request" not in html


@pytest.mark.django_db
def test_403_shows_probity_s_reason_and_a_way_back(client):
    client.force_login(board_user("board.member"))
    response = client.get("/fail/403/")
    assert response.status_code == 403
    html = in_layout(response, "403.html")
    assert said("You may not do this") in html
    assert "The ballot is closed." in html
    assert said("Back to My ballots") in html


@pytest.mark.django_db
def test_403_without_a_reason_gets_the_general_sentence(client):
    response = client.get("/fail/403-quiet/")
    assert response.status_code == 403
    html = in_layout(response, "403.html")
    assert said("Your account does not have permission for this page or action.") in html
    assert said("If you have an account, log in first.") in html


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_the_site_s_403_page():
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x"})
    assert response.status_code == 403
    html = in_layout(response, "403.html")
    assert said("This form has expired") in html


@pytest.mark.django_db
def test_404_for_a_raised_http404_and_for_an_unknown_url(client):
    for url in ("/fail/404/", "/no/such/page/"):
        response = client.get(url)
        assert response.status_code == 404
        html = in_layout(response, "404.html")
        assert said("There is no such page") in html
        # No debug page: neither the URL patterns nor the exception's text.
        assert "URLconf" not in html and "admin/" not in html
        assert "No such organization" not in html


@pytest.mark.django_db
def test_500_in_the_layout_with_a_way_back(client):
    client.force_login(staff_user("staff"))
    client.raise_request_exception = False
    response = client.get("/fail/500/")
    assert response.status_code == 500
    html = in_layout(response, "500.html")
    assert said("Something went wrong on our side") in html
    assert said("Back to the dashboard") in html
    assert "A bug" not in html and "Traceback" not in html


@pytest.mark.django_db
def test_500_when_even_the_layout_fails_is_a_plain_page(client, monkeypatch):
    def broken_roles(user):
        raise RuntimeError("the database is down")

    client.raise_request_exception = False
    monkeypatch.setattr(context_processors, "roles_of", broken_roles)
    response = client.get("/fail/500/")
    assert response.status_code == 500
    assert said("Something went wrong") in response.content.decode()
    assert "the database is down" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, links",
    [
        ("anonymous", ["Log in", "Member directory"]),
        ("staff", ["Back to the dashboard", "All cases"]),
        ("board", ["Back to My ballots"]),
        ("representative", ["Back to Our membership", "Our cases"]),
        ("no role", ["Back to the start page"]),
    ],
)
def test_the_way_back_follows_the_user_s_role(client, who, links):
    user = {
        "anonymous": lambda: None,
        "staff": lambda: staff_user("staff"),
        "board": lambda: board_user("board.member"),
        "representative": lambda: RepresentativeFactory(user__username="rep").user,
        "no role": lambda: UserFactory(username="nobody"),
    }[who]()
    if user is not None:
        client.force_login(user)
    html = client.get("/no/such/page/").content.decode()
    way_back = html[html.index('class="way-back"') :]
    for link in links:
        assert said(link) in way_back
    others = {
        "Log in",
        "Back to the dashboard",
        "Back to My ballots",
        "Back to Our membership",
        "Back to the start page",
    } - set(links)
    for link in others:
        assert said(link) not in way_back


def settings_in(env: dict[str, str], expression: str):
    """Evaluate `expression` on association.settings as a fresh process would load it."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PROBITY_"))}
    clean.pop("DATABASE_URL", None)
    clean.update(env)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import json, association.settings as s; print(json.dumps({expression}, default=str))",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


PRODUCTION = {
    "PROBITY_ENV": "production",
    "SECRET_KEY": "k" * 64,
    "ALLOWED_HOSTS": "probity.example",
}


@pytest.mark.parametrize(
    "env, debug",
    [
        ({}, False),
        ({"DJANGO_DEBUG": "0"}, False),
        ({"DJANGO_DEBUG": "1"}, True),
        ({**PRODUCTION, "DJANGO_DEBUG": "1"}, False),
    ],
)
def test_debug_is_on_only_when_asked_for_and_never_in_production(env, debug, tmp_path):
    env = {"PROBITY_VAR_DIR": str(tmp_path), **env}
    assert settings_in(env, "s.DEBUG") is debug


@pytest.mark.django_db
def test_without_debug_development_still_serves_the_stylesheet(client):
    """DEBUG is off by default now: WhiteNoise serves the static files from the source."""
    response = client.get("/static/probity/probity.css")
    assert response.status_code == 200
    assert b".error-page" in b"".join(response.streaming_content)
