"""A person's language (docs/decisions/0028): the browser's by default; a visitor's choice
with the switcher (Django's set_language, a cookie); a signed-in person's choice on their
account page, saved (members.Preference), carried in the session from sign-in, and
winning over the browser; mail written in the recipient's language."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from association.middleware import LANGUAGE_SESSION_KEY
from members import services
from members.accounts import language_of
from members.models import Preference
from members.templatetags.money import money
from tests.factories.language import client_language

pytestmark = pytest.mark.django_db

FR = {"HTTP_ACCEPT_LANGUAGE": "fr"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


def test_without_a_choice_the_browser_decides(client):
    assert html_lang(client.get("/members/", **FR)) == "fr"
    response = client.get("/members/", **EN)
    assert html_lang(response) == "en-gb"
    assert response["Content-Language"] == "en-gb"


def test_the_switcher_works_for_a_visitor_with_csrf_on():
    client = Client(enforce_csrf_checks=True)
    page = client.get("/members/", **EN)
    html = page.content.decode()
    assert f'action="{reverse("set_language")}"' in html
    assert 'name="language"' in html and 'value="fr"' in html

    # Without the token the switch is refused and nothing is set.
    refused = client.post(reverse("set_language"), {"language": "fr", "next": "/members/"})
    assert refused.status_code == 403
    assert "django_language" not in client.cookies

    token = client.cookies["csrftoken"].value
    switched = client.post(
        reverse("set_language"),
        {"language": "fr", "next": "/members/", "csrfmiddlewaretoken": token},
    )
    assert switched.status_code == 302 and switched["Location"] == "/members/"
    # The cookie now wins over the browser's English.
    assert html_lang(client.get("/members/", **EN)) == "fr"


def test_the_choice_is_saved_and_carried_in_the_session(client, representative):
    client.force_login(representative)
    page = client.get(reverse("account_security"), **EN)
    assert 'id="language"' in page.content.decode()

    response = client.post(reverse("language_change"), {"language": "fr"}, **EN)
    assert response.status_code == 302
    assert Preference.objects.get(user=representative).language == "fr"
    assert client.session[LANGUAGE_SESSION_KEY] == "fr"
    # The person's choice wins over the browser's English, on every page.
    assert html_lang(client.get(reverse("portal"), **EN)) == "fr"
    assert client.get(reverse("portal"), **EN)["Content-Language"] == "fr"


def test_the_choice_is_read_once_at_sign_in_then_costs_no_query(client, representative):
    Preference.objects.create(user=representative, language="fr")
    client.force_login(representative)
    assert client.session[LANGUAGE_SESSION_KEY] == "fr"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("portal"), **EN)
    assert html_lang(response) == "fr"
    assert not [q for q in queries.captured_queries if "members_preference" in q["sql"]]


def test_the_browsers_language_again_when_the_choice_is_blank(client, representative):
    Preference.objects.create(user=representative, language="fr")
    client.force_login(representative)
    client.post(reverse("language_change"), {"language": ""}, **EN)
    assert Preference.objects.get(user=representative).language == ""
    assert LANGUAGE_SESSION_KEY not in client.session
    assert html_lang(client.get(reverse("portal"), **EN)) == "en-gb"
    assert html_lang(client.get(reverse("portal"), **FR)) == "fr"


def test_a_language_not_offered_is_refused_and_nothing_changes(client, representative):
    Preference.objects.create(user=representative, language="en-gb")
    client.force_login(representative)
    response = client.post(reverse("language_change"), {"language": "xx"}, follow=True, **FR)
    assert "Choose one of the languages offered." in response.content.decode()
    assert Preference.objects.get(user=representative).language == "en-gb"
    assert client.session[LANGUAGE_SESSION_KEY] == "en-gb"


def test_signing_out_forgets_the_choice(client, representative):
    Preference.objects.create(user=representative, language="fr")
    client.force_login(representative)
    client.post(reverse("logout"))
    assert html_lang(client.get("/members/", **EN)) == "en-gb"


def test_language_of_is_the_choice_or_the_associations(settings, representative, staff):
    Preference.objects.create(user=representative, language="fr")
    assert language_of(representative) == "fr"
    assert language_of(staff) == settings.LANGUAGE_CODE
    Preference.objects.create(user=staff, language="")
    assert language_of(staff) == settings.LANGUAGE_CODE


def test_the_sign_in_link_is_written_in_the_recipients_language(
    french, staff, organization, representative, other_representative
):
    french(
        {"Your Probity account for %(organization)s": "Votre compte Probity pour %(organization)s"}
    )
    Preference.objects.create(user=representative, language="fr")
    for rep in (representative, other_representative):
        rep.set_unusable_password()
        rep.save()

    # Staff work in French; each recipient gets their own language.
    with translation.override("fr"):
        services.representative_send_link(representative=representative.representative, by=staff)
        services.representative_send_link(
            representative=other_representative.representative, by=staff
        )
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects[representative.email] == f"Votre compte Probity pour {organization.name}"
    other = other_representative.representative.organization.name
    assert subjects[other_representative.email] == f"Your Probity account for {other}"


def test_amounts_follow_the_readers_language(french, settings):
    settings.PROBITY_CURRENCY = "EUR"
    french({"%(symbol)s%(amount)s": "%(amount)s\u00a0%(symbol)s"})
    with translation.override("en-gb"):
        assert money("2500") == "€2,500.00"
    with translation.override("fr"):
        assert money("2500") == "2\u00a0500,00\u00a0€"


@pytest.mark.parametrize(
    "language, subject", [("fr", "Réinitialisation du mot de passe"), ("", "Password reset")]
)
def test_the_password_reset_email_is_in_the_account_holders_language(
    client, representative, language, subject
):
    """Django's own reset email (its catalogue has French), in the holder's language
    whatever the language of the browser asking for it."""
    Preference.objects.create(user=representative, language=language)
    representative.email = "rowena@example.org"
    representative.save()
    browser = EN if language else FR
    client.post(reverse("password_reset"), {"email": "rowena@example.org"}, **browser)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith(subject)


def test_the_test_client_speaks_the_language_of_the_run(client, staff):
    """PROBITY_TEST_LANGUAGE=fr must reach every request (tests/conftest.py's
    `client_language`), signed in or not: otherwise the French run of the suite would
    pass without a page in French."""
    assert client.get(reverse("login"))["Content-Language"] == client_language()
    client.force_login(staff)
    assert client.get(reverse("cases:dashboard"))["Content-Language"] == client_language()
