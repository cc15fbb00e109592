"""The portal's kept fragments (association/templatetags/fragments.py): the rows are
read on every request, so a change shows at the next one, written by a service or by a
bare queryset update; what is kept is only HTML its own rows rendered to."""

from __future__ import annotations

import datetime

from members.models import DuesInvoice, StatusChange
from members.services import membership_change
from tests.factories.language import said
from tests.factories.members import DuesInvoiceFactory, RepresentativeFactory, org_in_status


def _section(response, heading_id: str) -> str:
    html = response.content.decode()
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def _rendered(response) -> set[str]:
    return {t.name for t in response.templates}


def test_unchanged_rows_are_not_rendered_again(rep_client, organization):
    DuesInvoiceFactory(organization=organization, year=2024)
    first = rep_client.get("/membership/")
    again = rep_client.get("/membership/")
    for template in (
        "includes/dues_table.html",
        "includes/status_history.html",
        "includes/portal_open_cases.html",
        "cases/includes/sanctions.html",
    ):
        assert template in _rendered(first)
        assert template not in _rendered(again)
    for heading in ("status-h", "cases-h", "dues-h", "history-h", "sanctions-h", "reps-h"):
        assert _section(again, heading) == _section(first, heading)


def test_a_payment_written_by_a_bare_update_shows_at_the_next_request(rep_client, organization):
    invoice = DuesInvoiceFactory(organization=organization, year=2024)
    assert said("Overdue") in _section(rep_client.get("/membership/"), "dues-h")

    DuesInvoice.objects.filter(pk=invoice.pk).update(paid_on=datetime.date(2024, 3, 1))

    dues = _section(rep_client.get("/membership/"), "dues-h")
    assert said("Overdue") not in dues
    assert said("Not yet") not in dues


def test_a_new_or_reworded_change_of_status_shows_at_the_next_request(client, staff, db):
    org = org_in_status("active")
    client.force_login(RepresentativeFactory(organization=org).user)
    assert "Dues unpaid." not in _section(client.get("/membership/"), "history-h")

    assert said("Lapsed (dues unpaid)") not in _section(client.get("/membership/"), "status-h")

    membership_change(organization=org, transition="lapse", by=staff, reason="Dues unpaid.")
    page = client.get("/membership/")
    assert "Dues unpaid." in _section(page, "history-h")
    assert said("Lapsed (dues unpaid)") in _section(page, "status-h")

    StatusChange.objects.filter(organization=org, reason="Dues unpaid.").update(reason="Reworded.")
    history = _section(client.get("/membership/"), "history-h")
    assert "Reworded." in history and "Dues unpaid." not in history


def test_each_language_gets_its_own_fragment(rep_client, organization):
    DuesInvoiceFactory(organization=organization, year=2024)
    english = _section(rep_client.get("/membership/", HTTP_ACCEPT_LANGUAGE="en-gb"), "dues-h")
    french = _section(rep_client.get("/membership/", HTTP_ACCEPT_LANGUAGE="fr"), "dues-h")
    assert "Overdue" in english and "Overdue" not in french
    assert "Year" in english and "Year" not in french


def test_a_row_that_points_back_at_its_parent_is_keyed_once(representative):
    from association.templatetags.fragments import fragment_key
    from members.models import Representative

    rep = Representative.objects.select_related("organization").get(user=representative)
    # As a reverse relation read with it would: the organization points back at the row.
    rep.organization._state.fields_cache["representative"] = rep
    key = fragment_key([rep])
    rep.is_primary = not rep.is_primary
    assert fragment_key([rep]) != key
