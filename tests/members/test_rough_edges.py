"""Everyone's rough edges (issue 14): the login page says why you are there (a page that
needs signing in, a log-out), the association's name in the header, the verification
wording, amounts with their currency, and a verification search that says when it is
cut and pages on."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import formats

from members.models import Organization
from members.status import PUBLIC_SUSPENDED
from tests.factories.dates import today
from tests.factories.language import in_client_language, said, said_n, shown_to_client
from tests.factories.members import DuesInvoiceFactory, OrganizationFactory, org_in_status
from tests.factories.pages import text_of

pytestmark = pytest.mark.django_db

REDIRECTED = "Sign in to see that page: you will be taken back to it."


def squeezed(words: str) -> str:
    """`words` as text_of reads them (every run of spaces, no-break ones too, one space)."""
    return re.sub(r"\s+", " ", words)


def amount_shown(amount: str) -> str:
    """An amount's figures in the client's language ("1,200.00" / "1 200,00")."""
    with in_client_language():
        return formats.number_format(Decimal(amount), 2, use_l10n=True, force_grouping=True)


def test_the_login_page_explains_a_redirect(client):
    response = client.get("/register/", follow=True)
    assert response.redirect_chain and "/accounts/login/" in response.redirect_chain[-1][0]
    assert said(REDIRECTED) in text_of(response)


def test_the_login_page_says_nothing_of_a_redirect_when_opened_directly(client):
    assert said(REDIRECTED) not in text_of(client.get("/accounts/login/"))


def test_logging_out_is_said_on_the_login_page(client, representative):
    client.force_login(representative)
    response = client.post("/accounts/logout/", follow=True)
    assert response.redirect_chain[-1][0].endswith("/accounts/login/")
    logged_out = said("You are logged out. Log in again below, or close this window.")
    assert logged_out in text_of(response)
    assert "_auth_user_id" not in client.session


@override_settings(PROBITY_ASSOCIATION_NAME="Guild of <Careful> Engineers")
def test_the_association_name_is_in_the_header_escaped(client):
    html = client.get("/members/").content.decode()
    header = re.search(r'<header class="site-header">(.*?)</header>', html, re.S).group(1)
    assert "Guild of &lt;Careful&gt; Engineers" in header
    assert "<Careful>" not in html


def test_a_suspended_member_reads_as_a_sentence(client, db):
    org_in_status("suspended", name="Paused Co", slug="paused-co")
    text = text_of(client.get("/verify/paused-co/"))
    assert "suspended of the association" not in text
    sentence = said(
        "is a member of the association whose membership is "
        '<span class="badge badge-warn">suspended</span> as of %(today)s.',
        today=shown_to_client(today()),
    )
    # As text_of reads it: the badge's tags dropped.
    assert squeezed(f"Paused Co {re.sub(r'<[^>]+>', ' ', sentence)}") in text
    assert PUBLIC_SUSPENDED == "suspended"


@override_settings(PROBITY_CURRENCY="GBP")
def test_dues_amounts_carry_their_currency(rep_client, organization):
    DuesInvoiceFactory(organization=organization, year=2025)
    text = text_of(rep_client.get("/membership/"))
    assert squeezed(said("%(symbol)s%(amount)s", symbol="£", amount=amount_shown("1200"))) in text


@override_settings(PROBITY_CURRENCY="SEK")
def test_a_currency_without_a_symbol_is_named(rep_client, organization):
    DuesInvoiceFactory(organization=organization, year=2025)
    shown = said("%(amount)s %(code)s", amount=amount_shown("1200"), code="SEK")
    assert squeezed(shown) in text_of(rep_client.get("/membership/"))


def test_the_verification_search_says_when_it_is_cut_and_pages_on(client):
    for i in range(45):
        OrganizationFactory(name=f"Searchable Works {i:02d}", slug=f"searchable-{i:02d}")
    first = client.get("/verify/", {"q": "Searchable"})
    text = text_of(first)
    cut = said(
        "%(count)s organizations match “%(query)s”, shown %(size)s at a time: type more of "
        "the name to narrow the list.",
        count="45",
        query="Searchable",
        size="20",
    )
    assert squeezed(cut) in text
    assert "Searchable Works 00" in text and "Searchable Works 20" not in text
    seen = []
    response = first
    while True:
        html = response.content.decode()
        seen += re.findall(r">(Searchable Works \d\d)</a>", html)
        link = re.search(r'href="\?([^"]*after=[^"]*)" rel="next"', html)
        if not link:
            break
        assert "q=Searchable" in link.group(1)
        response = client.get("/verify/?" + link.group(1).replace("&amp;", "&"))
    assert seen == [f"Searchable Works {i:02d}" for i in range(45)]
    assert Organization.objects.filter(name__startswith="Searchable").count() == 45


def test_a_short_verification_search_says_how_many_matched(client):
    OrganizationFactory(name="Lonely Robotics", slug="lonely-robotics")
    text = text_of(client.get("/verify/", {"q": "Lonely"}))
    matched = said_n(
        "%(count_text)s organization matches “%(query)s”.",
        "%(count_text)s organizations match “%(query)s”.",
        1,
        count_text="1",
        query="Lonely",
    )
    assert squeezed(matched) in text
    assert said("Next matches →") not in text
