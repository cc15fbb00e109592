"""Recording dues payments (members.services.dues_record_payment)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from members.models import DuesInvoice, Organization, StatusChange
from members.services import dues_record_payment
from tests.factories.dates import days, shown, today
from tests.factories.members import (
    DuesInvoiceFactory,
    member_snapshot,
    org_in_status,
    overdue_invoice,
)


def _paid_on(invoice) -> object:
    return DuesInvoice.objects.get(pk=invoice.pk).paid_on


def test_lapsed_member_is_restored_when_dues_are_paid(staff):
    org = org_in_status("lapsed")
    invoice = overdue_invoice(org)
    paid = today() - days(2)

    dues_record_payment(invoice=invoice, paid_on=paid, by=staff)

    assert _paid_on(invoice) == paid
    org.refresh_from_db()
    assert org.status == "active"
    assert org.status_since == today()
    restore = StatusChange.objects.filter(organization=org).order_by("-pk").first()
    assert (restore.from_status, restore.to_status) == ("lapsed", "active")
    assert restore.changed_by == staff
    assert str(invoice.year) in restore.reason
    assert f"{paid.day} {paid:%B %Y}" in restore.reason


def test_lapsed_member_stays_lapsed_while_another_overdue_invoice_remains(staff):
    org = org_in_status("lapsed")
    older = overdue_invoice(org, years_ago=2)
    newer = overdue_invoice(org, years_ago=1)
    history_before = StatusChange.objects.filter(organization=org).count()

    dues_record_payment(invoice=newer, paid_on=today(), by=staff)

    assert _paid_on(newer) == today()
    assert _paid_on(older) is None
    assert Organization.objects.get(pk=org.pk).status == "lapsed"
    assert StatusChange.objects.filter(organization=org).count() == history_before

    # Paying the last overdue invoice restores the member.
    dues_record_payment(invoice=older, paid_on=today(), by=staff)
    assert Organization.objects.get(pk=org.pk).status == "active"
    assert StatusChange.objects.filter(organization=org).count() == history_before + 1


def test_invoice_not_yet_due_does_not_keep_a_paying_member_lapsed(staff):
    org = org_in_status("lapsed")
    overdue = overdue_invoice(org, years_ago=1)
    DuesInvoiceFactory(
        organization=org,
        year=today().year + 1,
        issued_on=today(),
        due_on=today() + days(60),
    )

    dues_record_payment(invoice=overdue, paid_on=today(), by=staff)

    assert Organization.objects.get(pk=org.pk).status == "active"


def test_payment_by_an_active_member_changes_no_status(staff):
    org = org_in_status("active")
    invoice = overdue_invoice(org)
    before = member_snapshot(org)

    dues_record_payment(invoice=invoice, paid_on=today(), by=staff)

    assert _paid_on(invoice) == today()
    assert member_snapshot(org) == before


@pytest.mark.parametrize("status", ["suspended", "terminated", "resigned"])
def test_payment_does_not_restore_a_member_that_is_not_lapsed(staff, status):
    org = org_in_status(status)
    invoice = overdue_invoice(org)
    before = member_snapshot(org)

    dues_record_payment(invoice=invoice, paid_on=today(), by=staff)

    assert _paid_on(invoice) == today()
    assert member_snapshot(org) == before


def test_paying_the_same_invoice_twice_is_refused(staff):
    org = org_in_status("active")
    invoice = overdue_invoice(org)
    first = today() - days(10)
    dues_record_payment(invoice=invoice, paid_on=first, by=staff)

    with pytest.raises(ValidationError, match="already recorded as paid") as refused:
        dues_record_payment(invoice=invoice, paid_on=today(), by=staff)

    assert shown(first) in " ".join(refused.value.messages)
    assert _paid_on(invoice) == first


@pytest.mark.parametrize("ahead", [1, 365])
def test_payment_date_in_the_future_is_refused(staff, ahead):
    org = org_in_status("lapsed")
    invoice = overdue_invoice(org)
    before = member_snapshot(org)

    with pytest.raises(ValidationError, match="cannot be in the future"):
        dues_record_payment(invoice=invoice, paid_on=today() + days(ahead), by=staff)

    assert _paid_on(invoice) is None
    assert member_snapshot(org) == before


def test_payment_dated_before_the_invoice_was_issued_is_refused(staff):
    org = org_in_status("lapsed")
    invoice = overdue_invoice(org)
    before = member_snapshot(org)

    with pytest.raises(ValidationError, match="before the invoice was issued"):
        dues_record_payment(invoice=invoice, paid_on=invoice.issued_on - days(1), by=staff)

    assert _paid_on(invoice) is None
    assert member_snapshot(org) == before


def test_payment_on_the_issue_date_is_accepted(staff):
    org = org_in_status("active")
    invoice = overdue_invoice(org)
    dues_record_payment(invoice=invoice, paid_on=invoice.issued_on, by=staff)
    assert _paid_on(invoice) == invoice.issued_on


@pytest.mark.parametrize("who", ["board", "panel", "representative", "no_role_user"])
def test_only_ethics_staff_record_payments(db, request, who):
    user = request.getfixturevalue(who)
    org = org_in_status("lapsed")
    invoice = overdue_invoice(org)
    before = member_snapshot(org)

    with pytest.raises(PermissionDenied):
        dues_record_payment(invoice=invoice, paid_on=today(), by=user)

    assert _paid_on(invoice) is None
    assert member_snapshot(org) == before


def test_payment_works_from_a_stale_invoice_copy(staff):
    org = org_in_status("active")
    invoice = overdue_invoice(org)
    stale = DuesInvoice.objects.get(pk=invoice.pk)
    dues_record_payment(invoice=invoice, paid_on=today(), by=staff)
    with pytest.raises(ValidationError, match="already recorded as paid"):
        dues_record_payment(invoice=stale, paid_on=today(), by=staff)


def test_overdue_invoice_is_reported_overdue_until_paid(staff):
    org = org_in_status("active")
    invoice = overdue_invoice(org)
    assert invoice.is_overdue and not invoice.is_paid
    dues_record_payment(invoice=invoice, paid_on=today(), by=staff)
    fresh = DuesInvoice.objects.get(pk=invoice.pk)
    assert fresh.is_paid and not fresh.is_overdue
