"""Every role's main pages in French (issue 13): each answers 200 in French (`lang="fr"`)
and none of the main English strings (navigation, headings, buttons, states) is left in
what a person reads. Needs the full French catalogue compiled (bin/messages)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories.cases import fresh, step
from tests.factories.letters import decided_case, referred_case, world_case
from tests.factories.pages import text_of

pytestmark = pytest.mark.django_db

FR = {"HTTP_ACCEPT_LANGUAGE": "fr"}

# English a French reader must never meet: the navigation, headings, buttons, states.
# (Whole phrases, case-sensitive: words French shares with English, "Sanctions", "Active",
# "Action", "Page", are left out, as are the scenes' own data.)
ENGLISH = [
    "Skip to content",
    "Dashboard",
    "New complaint",
    "My ballots",
    "Member register",
    "The workflow",
    "Our membership",
    "Our cases",
    "Member directory",
    "Verify a member",
    "Log out",
    "Log in",
    "Status history",
    "Representatives added and removed",
    "Open cases",
    "Published decisions",
    "Members in good standing",
    "Membership verification",
    "Check another company",
    "Sign-in and sessions",
    "Two-factor sign-in",
    "Where you are signed in",
    "Change your password",
    "Forgotten your password?",
    "Download this list",
    "Change status",
    "Add a representative",
    "Record payment",
    "Search",
    "Clear",
    "Ethics dashboard",
    "Annual report",
    "Precedents by principle",
    "The case workflow",
    "Due-process checklist",
    "Where the case stands",
    "Allegations and findings",
    "Review report",
    "Evidence",
    "Letters",
    "Your vote",
    "Follow your complaint",
    "What happens next",
    "Under review",
    "Board vote",
    "Under appeal",
    "Sanctioned",
    "Filed",
    "Suspended",
]
PATTERN = re.compile("|".join(rf"(?<!\w){re.escape(s)}(?!\w)" for s in ENGLISH))


def english_left(response) -> list[str]:
    return sorted(set(PATTERN.findall(text_of(response))))


@pytest.fixture
def scenes(world):
    """A case before the board (seen by staff, board and the respondent), one under
    appeal (the panel), and a new complaint followed with its access code."""
    at_board = referred_case(world)
    under_appeal = decided_case(world, "censure", None)
    under_appeal = step(
        under_appeal, "file_appeal", world.rep, reason="The board misread the evidence."
    )
    followed = world_case(world)
    return at_board, fresh(under_appeal), followed


def pages_by_role(world, scenes):
    at_board, under_appeal, followed = scenes
    slug = world.organization.slug
    return {
        "staff": (
            world.staff,
            [
                reverse("cases:dashboard"),
                reverse("cases:case_list"),
                reverse("cases:complaint_new"),
                reverse("cases:workflow"),
                reverse("cases:annual_report"),
                reverse("cases:precedents"),
                reverse("register"),
                reverse("organization_detail", args=[slug]),
                reverse("organization_representative_changes", args=[slug]),
                at_board.get_absolute_url(),
                under_appeal.get_absolute_url(),
                reverse("account_security"),
                reverse("second_factor_reset"),
            ],
        ),
        "board": (
            world.board[0],
            [reverse("cases:my_ballots"), at_board.get_absolute_url(), reverse("register")],
        ),
        "panel": (
            world.panel[0],
            [reverse("cases:my_ballots"), under_appeal.get_absolute_url()],
        ),
        "representative": (
            world.rep,
            [
                reverse("portal"),
                reverse("cases:portal_cases"),
                at_board.get_absolute_url(),
                under_appeal.get_absolute_url(),
                reverse("account_security"),
            ],
        ),
        "public": (
            None,
            [
                reverse("public_directory"),
                reverse("public_verify_search") + "?q=Acme",
                reverse("public_verify", args=[slug]),
                reverse("public_decisions"),
                reverse("login"),
                reverse("password_reset"),
                reverse("cases:complainant_sign_in"),
            ],
        ),
    }


def check(client, url: str, problems: list[str]) -> None:
    response = client.get(url, **FR)
    if response.status_code != 200:
        problems.append(f"{url}: status {response.status_code}")
        return
    if '<html lang="fr"' not in response.content.decode():
        problems.append(f"{url}: not in French (<html lang>)")
    left = english_left(response)
    if left:
        problems.append(f"{url}: {', '.join(left)}")


def test_the_scenes_pages_do_show_the_english_strings_in_english(client, world, scenes):
    """The check can fail: the same pages in English show the strings it looks for."""
    at_board, _under_appeal, _followed = scenes
    client.force_login(world.staff)
    response = client.get(at_board.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert {"Dashboard", "Log out", "Evidence"} <= set(english_left(response))


def test_every_roles_pages_in_french(client, world, scenes):
    problems: list[str] = []
    for role, (user, urls) in pages_by_role(world, scenes).items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in urls:
            check(client, f"{url}", problems)
            problems[:] = [p if p.startswith("[") else f"[{role}] {p}" for p in problems]

    # The complainant, with the reference and the access code.
    client.logout()
    _at_board, _under_appeal, followed = scenes
    client.post(
        reverse("cases:complainant_sign_in"),
        {"reference": followed.number, "code": followed.new_access_code},
    )
    check(client, reverse("cases:complainant_page", args=[followed.number]), problems)
    problems[:] = [p if p.startswith("[") else f"[complainant] {p}" for p in problems]

    assert not problems, "Pages not fully in French:\n" + "\n".join(problems)
