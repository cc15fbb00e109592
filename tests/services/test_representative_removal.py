"""A representative who stops acting for the respondent loses what the notice of
complaint gave them: their permissions on the organization's cases (each case's
record notes it) and the letters addressed to the respondent. However the link is
ended: through the organization page, in the admin, or by any other delete."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.access import can_download_letter, case_permissions
from cases.models import (
    CaseEvent,
    CaseUserObjectPermission,
    Letter,
    LetterKind,
    LetterUserObjectPermission,
)
from cases.services import REPRESENTATIVE_REMOVED, representative_access_revoke, verify_case_record
from members.models import Representative
from members.roles import BOARD
from members.services import representative_remove
from tests.factories.cases import file_case, fresh, open_review
from tests.factories.members import OrganizationFactory, RepresentativeFactory


@pytest.fixture
def notified(case, staff, representative, respondent_rep):
    """Acme's case under review: both representatives hold view and respond, and the
    notice of complaint addressed to Acme."""
    open_review(case, staff)
    notice = Letter.objects.get(case=case, kind=LetterKind.NOTICE_OF_COMPLAINT)
    for rep in (representative, respondent_rep):
        assert case_permissions(rep, fresh(case)) == {"view_case", "respond_to_case"}
        assert can_download_letter(rep, notice)
    return fresh(case), notice


def rep_row(user) -> Representative:
    return Representative.objects.get(user=user)


def letter_grants(user) -> int:
    return LetterUserObjectPermission.objects.filter(user=user).count()


def test_removal_takes_the_case_and_letter_access_and_records_it_on_the_case(
    notified, staff, representative
):
    case, notice = notified

    representative_remove(
        representative=rep_row(representative), by=staff, reason="Left the company."
    )

    assert not CaseUserObjectPermission.objects.filter(user=representative).exists()
    assert letter_grants(representative) == 0
    event = CaseEvent.objects.filter(case=case, kind="access_revoked").latest("sequence")
    assert event.actor == staff
    assert event.payload == {
        "user": "acme.rep",
        "permissions": ["respond_to_case", "view_case"],
        "why": "No longer a representative of the respondent.",
        "letters": [notice.pk],
    }
    assert verify_case_record(fresh(case)).ok


def test_the_other_representative_keeps_their_access(
    notified, staff, representative, respondent_rep
):
    case, notice = notified

    representative_remove(
        representative=rep_row(representative), by=staff, reason="Left the company."
    )

    assert case_permissions(respondent_rep, fresh(case)) == {"view_case", "respond_to_case"}
    assert can_download_letter(respondent_rep, notice)


def test_a_removed_representative_who_keeps_another_role_gets_404_for_the_case_and_letter(
    notified, staff, representative, client
):
    from django.contrib.auth.models import Group

    case, notice = notified
    representative.groups.add(Group.objects.get(name=BOARD))
    client.force_login(representative)
    assert client.get(reverse("cases:case_detail", args=[case.number])).status_code == 200

    representative_remove(
        representative=rep_row(representative), by=staff, reason="Joined the board instead."
    )

    representative.refresh_from_db()
    assert representative.is_active
    assert client.get(reverse("cases:case_detail", args=[case.number])).status_code == 404
    letter_url = reverse("cases:letter_download", args=[case.number, notice.pk])
    assert client.get(letter_url).status_code == 404


def test_a_removed_representative_without_another_role_can_no_longer_sign_in(
    notified, staff, representative, client
):
    case, _ = notified
    client.force_login(representative)

    representative_remove(
        representative=rep_row(representative), by=staff, reason="Left the company."
    )

    representative.refresh_from_db()
    assert not representative.is_active
    response = client.get(reverse("cases:case_detail", args=[case.number]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_deleting_the_representative_row_revokes_access_once_it_commits(
    notified, representative, respondent_rep, client, django_capture_on_commit_callbacks
):
    """The admin, a shell, a data fix: any delete. The user stays active (nothing but
    the link was touched) and the case URL is then 404 to them."""
    case, notice = notified

    with django_capture_on_commit_callbacks(execute=True):
        rep_row(representative).delete()

    assert case_permissions(representative, fresh(case)) == frozenset()
    assert not can_download_letter(representative, notice)
    event = CaseEvent.objects.filter(case=case, kind="access_revoked").latest("sequence")
    assert event.actor is None
    assert event.payload["why"] == REPRESENTATIVE_REMOVED
    client.force_login(representative)
    assert client.get(reverse("cases:case_detail", args=[case.number])).status_code == 404
    assert case_permissions(respondent_rep, fresh(case)) == {"view_case", "respond_to_case"}


def test_revocation_covers_every_case_of_the_organization_and_no_other(
    notified, staff, organization, representative, other_rep
):
    case, _ = notified
    second = open_review(file_case(by=staff, respondent=organization), staff)
    globex = open_review(
        file_case(by=staff, respondent=other_rep.representative.organization), staff
    )

    representative_remove(
        representative=rep_row(representative), by=staff, reason="Left the company."
    )

    assert not CaseUserObjectPermission.objects.filter(user=representative).exists()
    for c in (case, second):
        assert (
            CaseEvent.objects.filter(
                case=c, kind="access_revoked", payload__user="acme.rep"
            ).count()
            == 1
        )
    assert not CaseEvent.objects.filter(case=globex, kind="access_revoked").exists()
    assert case_permissions(other_rep, fresh(globex)) == {"view_case", "respond_to_case"}


def test_a_second_revocation_finds_nothing_and_writes_no_event(notified, staff, representative):
    case, _ = notified
    representative_remove(
        representative=rep_row(representative), by=staff, reason="Left the company."
    )
    events = CaseEvent.objects.filter(case=case).count()

    # What the post_delete signal runs after the commit.
    touched = representative_access_revoke(user=representative, organization=case.respondent)

    assert touched == 0
    assert CaseEvent.objects.filter(case=case).count() == events


def test_no_revocation_while_the_user_is_a_representative_again(notified, representative):
    case, _ = notified
    organization = case.respondent

    assert representative_access_revoke(user=representative, organization=organization) == 0
    assert case_permissions(representative, fresh(case)) == {"view_case", "respond_to_case"}


def test_a_case_before_notice_is_untouched(case, staff, representative):
    """Nothing was granted on a filed case, so nothing is written to its record."""
    before = CaseEvent.objects.filter(case=case).count()

    representative_remove(
        representative=rep_row(representative), by=staff, reason="Left the company."
    )

    assert CaseEvent.objects.filter(case=case).count() == before


def test_a_late_grant_does_not_reach_a_representative_removed_meanwhile(
    notified, staff, organization, django_capture_on_commit_callbacks
):
    """The sync for a new representative runs after its commit; if the person was
    removed before it ran, it grants nothing."""
    case, _ = notified
    with django_capture_on_commit_callbacks(execute=False) as pending:
        late = RepresentativeFactory(
            organization=organization, is_primary=False, user__username="acme.brief"
        ).user
    representative_remove(representative=rep_row(late), by=staff, reason="Added by mistake.")
    for callback in pending:
        callback()

    assert not CaseUserObjectPermission.objects.filter(user=late).exists()
    assert letter_grants(late) == 0


def test_re_adding_a_representative_restores_their_access(
    notified, staff, organization, representative, django_capture_on_commit_callbacks
):
    case, notice = notified
    representative_remove(
        representative=rep_row(representative), by=staff, reason="Left the company."
    )
    representative.is_active = True
    representative.save()

    with django_capture_on_commit_callbacks(execute=True):
        RepresentativeFactory(organization=organization, user=representative, is_primary=False)

    assert case_permissions(representative, fresh(case)) == {"view_case", "respond_to_case"}
    assert can_download_letter(representative, notice)


def test_an_organization_without_cases_is_no_trouble(staff, db):
    org = OrganizationFactory()
    user = RepresentativeFactory(organization=org, user__username="quiet.rep").user

    representative_remove(representative=rep_row(user), by=staff, reason="Left.")

    assert not Representative.objects.filter(user=user).exists()
