"""Two-factor sign-in (members/accounts.py, docs/decisions/0009): who must have a second
factor, the two-step login, backup codes, and staff resetting a lost one."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from formtools.wizard.views import normalize_name

from members import accounts
from members.account_views import SignInView
from members.models import SecondFactorReset, UserSession
from tests.factories.language import said
from tests.factories.people import PASSWORD, UserFactory, totp_code, totp_device

pytestmark = pytest.mark.password_only  # force_login gives no verified second factor here

SETUP = "/accounts/two-factor/setup/"
PREFIX = normalize_name(SignInView.__name__)


def sign_in(client, username, password=PASSWORD):
    return client.post(
        "/accounts/login/",
        {f"{PREFIX}-current_step": "auth", "auth-username": username, "auth-password": password},
    )


def give_code(client, code, step="token"):
    return client.post(
        "/accounts/login/", {f"{PREFIX}-current_step": step, f"{step}-otp_token": code}
    )


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


# -- Staff, board and panel without a second factor reach only the set-up page ---------


def _plain_routes() -> list[str]:
    """Every URL of the site that takes no argument (admin included)."""
    found = []

    def walk(patterns, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and not entry.pattern.converters:
                route = prefix + str(entry.pattern)
                if "<" not in route and "(?P" not in route and "^" not in route:
                    found.append("/" + route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


ALLOWED = {"/accounts/login/", "/accounts/logout/", SETUP, "/accounts/two-factor/qrcode/"}


@pytest.fixture
def privileged(request, staff, board_member, panel_member, superuser):
    return {
        "staff": staff,
        "board": board_member,
        "panel": panel_member,
        "admin": superuser,
    }


@pytest.mark.parametrize("who", ["staff", "board", "panel", "admin"])
def test_without_a_second_factor_every_page_sends_staff_board_panel_and_admin_to_set_up(
    client, privileged, who, case
):
    client.force_login(privileged[who])
    routes = [r for r in _plain_routes() if r not in ALLOWED] + [
        case.get_absolute_url(),
        f"/register/{case.respondent.slug}/",
        "/admin/auth/user/",
    ]
    assert "/cases/" in routes and "/admin/" in routes and "/accounts/security/" in routes
    for route in routes:
        response = client.get(route)
        assert response.status_code == 302, route
        assert response["Location"] == SETUP, route
    # A form post too, and it changes nothing.
    state = case.state
    response = client.post(
        reverse("cases:case_step", args=[case.number, "open_review"]),
        {"expected_state": state, "reason": ""},
    )
    assert response.status_code == 302 and response["Location"] == SETUP
    case.refresh_from_db()
    assert case.state == state
    # The set-up page itself answers.
    assert client.get(SETUP).status_code == 200


def test_setting_up_the_authenticator_opens_the_site(client, staff):
    client.force_login(staff)
    prefix = "setup_view"
    response = client.post(SETUP, {f"{prefix}-current_step": "welcome"})
    assert response.status_code == 200
    secret = response.context["secret_key"]
    assert "<code>" + secret + "</code>" in response.content.decode()
    qr = client.get(reverse("two_factor:qr"))  # served here, no outside service
    assert qr.status_code == 200 and qr["Content-Type"].startswith("image/svg+xml")
    import base64

    device = TOTPDevice(key=base64.b32decode(secret).hex())
    response = client.post(
        SETUP, {f"{prefix}-current_step": "generator", "generator-token": totp_code(device)}
    )
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).count() == 1
    assert client.get("/cases/").status_code == 200


def test_a_wrong_code_at_set_up_sets_nothing_up(client, staff):
    client.force_login(staff)
    client.post(SETUP, {"setup_view-current_step": "welcome"})
    response = client.post(SETUP, {"setup_view-current_step": "generator", "generator-token": "1"})
    assert response.status_code == 200 and response.context["form"].errors
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert client.get("/cases/")["Location"] == SETUP


# -- Signing in with the code ----------------------------------------------------------


def test_with_totp_enrolled_sign_in_needs_the_code(client, staff):
    device = totp_device(staff)
    response = sign_in(client, "staff")
    assert response.status_code == 200
    assert response.context["wizard"]["steps"].current == "token"
    assert "Code" in response.content.decode()
    assert not signed_in(client)

    response = give_code(client, "000000" if totp_code(device) != "000000" else "111111")
    assert response.status_code == 200 and not signed_in(client)
    assert response.context["form"].errors

    # django-otp makes each failure wait longer (1 s, 2 s, 4 s, ...): a little time passes.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(seconds=5)
    )
    response = give_code(client, totp_code(device))
    assert response.status_code == 302 and signed_in(client)
    assert client.get("/cases/").status_code == 200


def test_a_backup_code_works_once(client, staff):
    totp_device(staff)
    backup = StaticDevice.objects.create(user=staff, name="backup")
    StaticToken.objects.create(device=backup, token="abcd2345")

    sign_in(client, "staff")
    response = client.post(
        "/accounts/login/", {f"{PREFIX}-current_step": "token", "wizard_goto_step": "backup"}
    )
    assert response.context["wizard"]["steps"].current == "backup"
    response = give_code(client, "abcd2345", step="backup")
    assert response.status_code == 302 and signed_in(client)
    assert client.get("/cases/").status_code == 200

    client.logout()
    sign_in(client, "staff")
    client.post("/accounts/login/", {f"{PREFIX}-current_step": "token", "wizard_goto_step": "backup"})
    response = give_code(client, "abcd2345", step="backup")
    assert response.status_code == 200 and not signed_in(client)


def test_backup_codes_page_makes_ten_codes(client, staff):
    device = totp_device(staff)
    sign_in(client, "staff")
    give_code(client, totp_code(device))
    response = client.post(reverse("two_factor:backup_tokens"))
    assert response.status_code == 302
    assert StaticToken.objects.filter(device__user=staff).count() == 10


def test_admin_sign_in_goes_through_the_two_step_login(client, superuser):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    device = totp_device(superuser)
    sign_in(client, "root")
    give_code(client, totp_code(device))
    assert client.get("/admin/").status_code == 200


# -- Representatives: optional, or required by the setting ----------------------------


def test_a_representative_without_a_second_factor_uses_the_site(client, representative):
    client.force_login(representative)
    assert client.get("/membership/").status_code == 200
    response = client.get("/accounts/security/")
    assert said("set up two-factor sign-in") in response.content.decode()


def test_the_association_can_require_it_of_representatives(client, representative, settings):
    settings.PROBITY_REQUIRE_2FA_FOR_REPRESENTATIVES = True
    client.force_login(representative)
    response = client.get("/membership/")
    assert response.status_code == 302 and response["Location"] == SETUP


def test_a_representative_who_opted_in_signs_in_with_the_code(client, representative):
    device = totp_device(representative)
    response = sign_in(client, representative.username)
    assert response.context["wizard"]["steps"].current == "token"
    give_code(client, totp_code(device))
    assert client.get("/membership/").status_code == 200


def test_a_session_not_verified_with_an_existing_factor_must_sign_in_again(client, staff):
    totp_device(staff)
    client.force_login(staff)  # a password-only session
    response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not signed_in(client)


# -- Staff reset a lost second factor, with a reason ----------------------------------


def _verified(client, user):
    from tests.factories.people import verified_session

    client.force_login(user)
    verified_session(client, user)


def test_staff_reset_another_users_second_factor_with_a_reason_recorded(
    client, staff, board_member
):
    totp_device(board_member)
    StaticDevice.objects.create(user=board_member, name="backup")
    from django.test import Client

    board_client = Client()
    _verified(board_client, board_member)
    assert board_client.get("/cases/ballots/").status_code == 200
    _verified(client, staff)

    response = client.post(
        "/accounts/second-factor/reset/",
        {"username": "board.member", "reason": "Lost phone; identity confirmed by a video call."},
    )

    assert response.status_code == 302
    row = SecondFactorReset.objects.get()
    assert (row.user, row.by, row.devices_removed) == (board_member, staff, 2)
    assert row.reason == "Lost phone; identity confirmed by a video call."
    assert not TOTPDevice.objects.filter(user=board_member).exists()
    assert not UserSession.objects.filter(user=board_member).exists()
    # Their session is over; signing in again sends them to set up a new factor.
    assert board_client.get("/cases/ballots/")["Location"].startswith("/accounts/login/")
    sign_in(board_client, "board.member")
    assert board_client.get("/cases/ballots/")["Location"] == SETUP


@pytest.mark.parametrize("reason", ["", "   ", "lost"])
def test_a_reset_without_a_real_reason_is_refused_and_changes_nothing(
    client, staff, board_member, reason
):
    totp_device(board_member)
    _verified(client, staff)
    response = client.post(
        "/accounts/second-factor/reset/", {"username": "board.member", "reason": reason}
    )
    assert response.status_code == 400
    assert response.context["form"]["username"].value() == "board.member"
    assert not SecondFactorReset.objects.exists()
    assert TOTPDevice.objects.filter(user=board_member).exists()


def test_only_ethics_staff_may_reset_and_never_their_own(client, staff, board_member):
    totp_device(staff)
    _verified(client, board_member)
    response = client.post(
        "/accounts/second-factor/reset/",
        {"username": "staff", "reason": "I would like to remove it please."},
    )
    assert response.status_code == 403
    _verified(client, staff)
    response = client.post(
        "/accounts/second-factor/reset/",
        {"username": "staff", "reason": "I would like to remove my own."},
    )
    assert response.status_code == 400
    own = said("Ask another member of ethics staff to reset your own second factor.")
    assert own in response.content.decode()
    assert not SecondFactorReset.objects.exists()
    assert TOTPDevice.objects.filter(user=staff).exists()


def test_requires_second_factor_by_role(staff, board_member, panel_member, representative):
    assert all(map(accounts.requires_second_factor, (staff, board_member, panel_member)))
    assert not accounts.requires_second_factor(representative)
    assert not accounts.requires_second_factor(UserFactory(username="plain"))
