"""The demo shows resolution by consent and interim suspension (docs/decisions/0020):
an open consent offer for rep.nettlebed-motion to answer, and an interim suspension in
force on Juniper Conveyors, public on its verification page."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from cases.demo.consent import CONSENT, INTERIM
from cases.models import Case, ConsentStatus, InterimStatus
from members.models import MembershipStatus
from tests.factories.dates import today
from tests.factories.language import said, shown_to_client

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_open_consent_offer_and_an_interim_suspension_in_force(client):
    call_command("seed_demo", stdout=StringIO())

    offered = Case.objects.get(summary=CONSENT)
    assert offered.procedure.consent_resolution
    assert offered.consent_offers.get().status == ConsentStatus.OPEN
    client.force_login(User.objects.get(username="rep.nettlebed-motion"))
    page = client.get(offered.get_absolute_url()).content.decode()
    assert said("An offer of resolution by consent") in page

    suspended = Case.objects.get(summary=INTERIM)
    assert suspended.interim_suspensions.get().status == InterimStatus.IN_FORCE
    assert suspended.respondent.status == MembershipStatus.SUSPENDED
    client.logout()
    verify = client.get(f"/verify/{suspended.respondent.slug}/").content.decode()
    assert said(
        'is a member of the association whose membership is <span class="badge badge-'
        'warn">suspended</span> as of %(today)s.',
        today=shown_to_client(today(), "DATE_FORMAT"),
    ) in verify


def test_staff_and_the_board_see_them_on_their_pages(client):
    call_command("seed_demo", stdout=StringIO())
    offered = Case.objects.get(summary=CONSENT)
    suspended = Case.objects.get(summary=INTERIM)

    client.force_login(User.objects.get(username="bruno.staff"))
    page = client.get(offered.get_absolute_url())
    assert page.status_code == 200 and said("Resolution by consent") in page.content.decode()
    page = client.get(suspended.get_absolute_url())
    assert page.status_code == 200 and said("In force") in page.content.decode()

    client.force_login(User.objects.get(username="board.adams"))
    page = client.get(suspended.get_absolute_url())
    assert "cases/case_board.html" in [t.name for t in page.templates]
    assert said("Interim suspension") in page.content.decode()
    assert client.get(offered.get_absolute_url()).status_code == 404
