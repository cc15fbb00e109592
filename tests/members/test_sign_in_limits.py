"""Lockout after failed sign-ins (django-axes, docs/decisions/0010), the throttled
password forms, the log of failed sign-ins, and the password length."""

from __future__ import annotations

import datetime
import logging

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from members.models import FormThrottleHit
from tests.factories.language import said_n
from tests.factories.people import PASSWORD, UserFactory

pytestmark = pytest.mark.password_only


@pytest.fixture
def probity_log(caplog):
    """The "probity" logger does not propagate to the root: listen to it directly."""
    logger = logging.getLogger("probity")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="probity")
    yield caplog
    logger.removeHandler(caplog.handler)


def _fail(client, username, times, address="203.0.113.7"):
    for _ in range(times):
        response = client.post(
            "/accounts/login/",
            {"sign_in_view-current_step": "auth", "auth-username": username, "auth-password": "wrong-password-1"},
            REMOTE_ADDR=address,
        )
    return response


def _lockout_text(response) -> str:
    from tests.factories.pages import text_of

    return text_of(response)


def _locked_for(minutes: int) -> str:
    """The lockout page's sentence (templates/accounts/locked_out.html)."""
    return said_n(
        "Too many failed sign-ins for this username or from this address. Try again in "
        "%(minutes)s minute.",
        "Too many failed sign-ins for this username or from this address. Try again in "
        "%(minutes)s minutes.",
        minutes,
        minutes=minutes,
    )


def _throttled_for(minutes: int) -> str:
    """A throttled password form's error (members.accounts.wait_message)."""
    return said_n(
        "Too many attempts. Try again in %(minutes)d minute.",
        "Too many attempts. Try again in %(minutes)d minutes.",
        minutes,
        minutes=minutes,
    )


def test_after_five_failures_the_account_is_locked_even_with_the_right_password(
    client, representative, probity_log
):
    response = _fail(client, representative.username, 4)
    assert response.status_code == 200  # the form again, with its error
    response = _fail(client, representative.username, 1)
    assert response.status_code == 429
    assert _locked_for(15) in _lockout_text(response)

    response = client.post(
        "/accounts/login/",
        {"sign_in_view-current_step": "auth", "auth-username": representative.username, "auth-password": PASSWORD},
        REMOTE_ADDR="198.51.100.20",  # another address: the account itself is locked
    )
    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    assert any("locked out" in r.getMessage() for r in probity_log.records)


def test_the_lockout_says_the_same_whether_or_not_the_account_exists(client, representative):
    known = _fail(client, representative.username, 5, address="203.0.113.8")
    unknown = _fail(client, "nobody-by-this-name", 5, address="203.0.113.9")
    assert known.status_code == unknown.status_code == 429
    assert _lockout_text(known) == _lockout_text(unknown)
    assert representative.username not in known.content.decode()


def test_an_address_is_locked_after_five_failures_on_any_accounts(client, representative):
    for n in range(5):
        _fail(client, f"guess{n}", 1, address="203.0.113.50")
    response = client.post(
        "/accounts/login/",
        {"sign_in_view-current_step": "auth", "auth-username": representative.username, "auth-password": PASSWORD},
        REMOTE_ADDR="203.0.113.50",
    )
    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_the_lockout_says_how_long_is_left(client, representative):
    _fail(client, representative.username, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=10))
    response = _fail(client, representative.username, 1)
    assert response.status_code == 429
    assert _locked_for(5) in _lockout_text(response)


def test_the_lockout_is_lifted_after_the_window(client, representative):
    _fail(client, representative.username, 5)
    assert _fail(client, representative.username, 1).status_code == 429
    # 16 minutes pass.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))

    response = client.post(
        "/accounts/login/",
        {"sign_in_view-current_step": "auth", "auth-username": representative.username, "auth-password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(representative.pk)


def test_the_limit_and_the_window_are_settings(client, representative, settings):
    settings.AXES_FAILURE_LIMIT = 2
    assert _fail(client, representative.username, 2).status_code == 429


def test_a_failed_sign_in_is_logged_with_the_address(db, client, probity_log):
    _fail(client, "mallory", 1, address="192.0.2.44")
    lines = [r.getMessage() for r in probity_log.records if r.name == "probity.accounts"]
    assert any("Failed sign-in" in line and "mallory" in line and "192.0.2.44" in line for line in lines)


# -- Password reset and set-password forms ---------------------------------------------


def test_the_reset_form_is_throttled_and_keeps_what_was_typed(client, representative):
    for _ in range(5):
        response = client.post("/accounts/password_reset/", {"email": representative.email})
        assert response.status_code == 302
    sent = len(mail.outbox)
    hits = FormThrottleHit.objects.count()

    response = client.post("/accounts/password_reset/", {"email": representative.email})

    assert response.status_code == 429
    assert _throttled_for(15) in response.content.decode()
    assert response.context["form"]["email"].value() == representative.email
    assert len(mail.outbox) == sent  # no mail, no row
    assert FormThrottleHit.objects.count() == hits


def test_the_reset_form_answers_the_same_for_an_unknown_address(client, representative):
    known = client.post("/accounts/password_reset/", {"email": representative.email})
    unknown = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    for _ in range(5):
        client.post("/accounts/password_reset/", {"email": "nobody@example.org"}, REMOTE_ADDR="192.0.2.9")
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.org"}, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 429  # by the address typed, not by who asks


def test_the_reset_form_is_free_again_after_the_window(client, representative):
    for _ in range(5):
        client.post("/accounts/password_reset/", {"email": representative.email})
    FormThrottleHit.objects.update(at=timezone.now() - datetime.timedelta(minutes=16))
    response = client.post("/accounts/password_reset/", {"email": representative.email})
    assert response.status_code == 302


def test_the_set_password_form_is_throttled(client, representative):
    uid = urlsafe_base64_encode(force_bytes(representative.pk))
    token = default_token_generator.make_token(representative)
    url = client.get(f"/accounts/reset/{uid}/{token}/")["Location"]
    for _ in range(5):
        response = client.post(url, {"new_password1": "a", "new_password2": "b"})
        assert response.status_code == 200
    response = client.post(
        url, {"new_password1": "a-long-new-password-9", "new_password2": "a-long-new-password-9"}
    )
    assert response.status_code == 429
    # The five refused posts were just now: the window has its whole 15 minutes to run.
    assert _throttled_for(15) in response.content.decode()
    representative.refresh_from_db()
    assert representative.check_password(PASSWORD)


# -- Passwords ---------------------------------------------------------------------------


def test_passwords_need_twelve_characters():
    user = UserFactory.build(username="someone")
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("Xq7!mZ2#pL9", user)  # 11
    validate_password("Xq7!mZ2#pL9w", user)  # 12
