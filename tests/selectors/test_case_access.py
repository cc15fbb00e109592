"""Who may see and do what on a case (cases.access), the notice that opening review
issues, and the respondent's written response."""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import services
from cases.access import can_view_case, case_permissions, cases_visible_to
from cases.models import CaseEvent, Evidence, EvidenceSource, Response
from cases.services import TransitionRefused
from tests.factories.cases import (
    case_snapshot,
    file_case,
    fresh,
    open_review,
    pass_response_window,
    pdf,
    transition,
    upload,
)
from tests.factories.dates import days, today
from tests.factories.members import OrganizationFactory, RepresentativeFactory


def respond(case, by, text="We dispute the allegation.", attachments=()):
    return services.response_submit(
        case=fresh(case), by=by, text=text, attachments=list(attachments)
    )


# ---------------------------------------------------------------------------
# Opening review: the notice and the representatives' access
# ---------------------------------------------------------------------------


def test_before_notice_the_respondents_representatives_have_no_access(
    case, representative, respondent_rep
):
    for rep in (representative, respondent_rep):
        assert case_permissions(rep, fresh(case)) == frozenset()
        assert not can_view_case(rep, fresh(case))


def test_open_review_gives_every_representative_of_the_respondent_view_and_respond(
    case, staff, representative, respondent_rep
):
    open_review(case, staff)

    for rep in (representative, respondent_rep):
        assert case_permissions(rep, fresh(case)) == {"view_case", "respond_to_case"}
        assert can_view_case(rep, fresh(case))
    granted = CaseEvent.objects.filter(case=case, kind="access_granted", payload__has_key="user")
    assert sorted(e.payload["user"] for e in granted) == ["acme.deputy", "acme.rep"]
    assert all(e.payload["permissions"] == ["view_case", "respond_to_case"] for e in granted)


def test_open_review_gives_nothing_to_anyone_else(
    case, staff, other_rep, board_member, panel_member, superuser
):
    open_review(case, staff)

    for user in (other_rep, board_member, panel_member, superuser):
        assert case_permissions(user, fresh(case)) == frozenset()
        assert not can_view_case(user, fresh(case))


def test_open_review_records_the_notice_and_the_response_deadline_from_the_procedure(
    case, staff, procedure
):
    before = timezone.now()

    reviewed = open_review(case, staff)

    case = fresh(case)
    assert before <= case.notice_issued_at <= timezone.now()
    assert procedure.response_window_days == 21
    assert case.response_due_on == today() + days(21)
    assert reviewed.response_due_on == case.response_due_on
    effects = CaseEvent.objects.get(case=case, kind="open_review_effects")
    assert effects.payload == {
        "notice_issued_at": case.notice_issued_at.isoformat(),
        "response_due_on": case.response_due_on.isoformat(),
    }


def test_a_representative_added_after_the_notice_gets_the_same_access_once_it_commits(
    case, staff, organization, django_capture_on_commit_callbacks
):
    open_review(case, staff)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        late = RepresentativeFactory(
            organization=organization, is_primary=False, user__username="acme.newhire"
        ).user
    assert case_permissions(late, fresh(case)) == frozenset()
    for callback in callbacks:
        callback()

    assert case_permissions(late, fresh(case)) == {"view_case", "respond_to_case"}
    granted = CaseEvent.objects.filter(case=case, kind="access_granted").order_by("-sequence")[0]
    assert granted.payload["user"] == "acme.newhire"
    assert granted.actor is None


def test_a_representative_added_before_the_notice_gets_nothing_early(
    case, organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        early = RepresentativeFactory(
            organization=organization, is_primary=False, user__username="acme.early"
        ).user

    assert case_permissions(early, fresh(case)) == frozenset()


def test_staff_hold_view_and_manage_on_every_case_through_their_group(case, staff):
    assert case_permissions(staff, fresh(case)) == {"view_case", "manage_case"}


# ---------------------------------------------------------------------------
# The case list: cases_visible_to
# ---------------------------------------------------------------------------


@pytest.fixture
def three_cases(staff, organization, representative, procedure, principle, other_rep):
    """Acme's case under review, Acme's case just filed, and a case against Globex."""
    reviewed = open_review(file_case(by=staff, respondent=organization), staff)
    filed = file_case(by=staff, respondent=organization)
    globex = other_rep.representative.organization
    other = open_review(file_case(by=staff, respondent=globex), staff)
    return reviewed, filed, other


def numbers(queryset) -> set[str]:
    return set(queryset.values_list("number", flat=True))


def test_staff_see_every_case(three_cases, staff):
    assert numbers(cases_visible_to(staff)) == {c.number for c in three_cases}


def test_a_representative_sees_only_their_organizations_cases_after_notice(
    three_cases, representative
):
    reviewed, filed, other = three_cases

    assert numbers(cases_visible_to(representative)) == {reviewed.number}


def test_another_members_representative_sees_only_their_own_noticed_case(three_cases, other_rep):
    reviewed, filed, other = three_cases

    assert numbers(cases_visible_to(other_rep)) == {other.number}


def test_a_representative_of_an_organization_without_cases_sees_none(three_cases):
    bystander = RepresentativeFactory(
        organization=OrganizationFactory(name="Initech"), user__username="initech.rep"
    ).user

    assert numbers(cases_visible_to(bystander)) == set()


def test_board_and_appeals_panel_see_no_case_before_referral(
    three_cases, board_member, panel_member
):
    assert numbers(cases_visible_to(board_member)) == set()
    assert numbers(cases_visible_to(panel_member)) == set()


def test_a_superuser_with_no_role_sees_nothing(three_cases, superuser):
    assert numbers(cases_visible_to(superuser)) == set()
    assert not can_view_case(superuser, fresh(three_cases[0]))


def test_a_deactivated_user_and_an_anonymous_visitor_see_nothing(three_cases, representative):
    assert numbers(cases_visible_to(AnonymousUser())) == set()
    representative.is_active = False
    representative.save()

    assert numbers(cases_visible_to(representative)) == set()
    assert case_permissions(representative, fresh(three_cases[0])) == frozenset()


def test_a_model_wide_permission_is_not_a_back_door(three_cases, board_member):
    from django.contrib.auth.models import Permission

    board_member.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_case", "manage_case", "respond_to_case"])
    )

    assert numbers(cases_visible_to(board_member)) == set()
    assert case_permissions(board_member, fresh(three_cases[0])) == frozenset()


def test_a_dismissed_case_stays_visible_to_the_respondent_who_was_notified(
    three_cases, staff, representative
):
    reviewed, _, _ = three_cases
    transition(reviewed, "dismiss", staff, reason="Unfounded.")

    assert reviewed.number in numbers(cases_visible_to(representative))
    assert case_permissions(representative, fresh(reviewed)) == {"view_case"}


# ---------------------------------------------------------------------------
# The response
# ---------------------------------------------------------------------------


def test_a_representative_responds_before_the_deadline(case, staff, representative):
    case = open_review(case, staff)

    response = respond(case, representative, text="  The advert was withdrawn in May.  ")

    assert response.text == "The advert was withdrawn in May."
    assert response.submitted_by == representative
    assert list(fresh(case).responses.all()) == [response]
    event = CaseEvent.objects.filter(case=case).order_by("-sequence").first()
    assert event.kind == "response_submitted"
    assert event.actor == representative
    assert event.payload["response"] == response.pk


def test_a_response_on_the_last_day_of_the_window_is_accepted(case, staff, representative):
    case = open_review(case, staff)
    type(case).objects.filter(pk=case.pk).update(response_due_on=today())

    assert respond(case, representative).pk is not None


def test_a_late_response_is_refused_with_the_date_the_window_closed(case, staff, representative):
    case = pass_response_window(open_review(case, staff))
    due = fresh(case).response_due_on
    before = case_snapshot(case)

    with pytest.raises(ValidationError) as refused:
        respond(case, representative)

    message = " ".join(refused.value.messages)
    assert f"{due.day} {due:%B %Y}" in message
    assert "closed" in message
    assert "reopen" in message
    assert Response.objects.filter(case=case).count() == 0
    assert case_snapshot(case) == before


def test_staff_reopen_the_window_with_a_reason_and_the_late_response_is_accepted(
    case, staff, representative
):
    case = pass_response_window(open_review(case, staff))
    until = today() + days(7)

    reopened = services.response_window_reopen(
        case=fresh(case), by=staff, reason="The representative was in hospital.", until=until
    )

    assert reopened.response_due_on == until
    event = CaseEvent.objects.filter(case=case).order_by("-sequence").first()
    assert event.kind == "response_window_reopened"
    assert event.payload["reason"] == "The representative was in hospital."
    assert event.payload["until"] == until.isoformat()
    assert respond(case, representative).pk is not None


@pytest.mark.parametrize(
    ("reason", "until_days", "message"),
    [
        ("", 7, "written reason is required"),
        ("Illness.", 0, "must be after today"),
        ("Illness.", -3, "must be after today"),
    ],
)
def test_reopening_the_window_needs_a_reason_and_a_future_deadline(
    case, staff, reason, until_days, message
):
    case = pass_response_window(open_review(case, staff))
    before = case_snapshot(case)

    with pytest.raises(ValidationError, match=message):
        services.response_window_reopen(
            case=fresh(case), by=staff, reason=reason, until=today() + days(until_days)
        )

    assert case_snapshot(case) == before


def test_reopening_the_window_never_shortens_the_time_to_respond(case, staff):
    case = open_review(case, staff)
    due = fresh(case).response_due_on
    assert due == today() + days(21)

    with pytest.raises(ValidationError):
        services.response_window_reopen(
            case=fresh(case), by=staff, reason="Speed things up.", until=today() + days(1)
        )

    assert fresh(case).response_due_on == due


def test_only_staff_reopen_the_window(case, staff, representative):
    case = pass_response_window(open_review(case, staff))

    with pytest.raises(PermissionDenied):
        services.response_window_reopen(
            case=fresh(case), by=representative, reason="Please.", until=today() + days(7)
        )


def test_response_attachments_become_disclosed_evidence_from_the_respondent(
    case, staff, representative
):
    case = open_review(case, staff)
    attachment = pdf("our-certificate.pdf", b"Certificate TUV-2025-118.")
    content = attachment.read()
    attachment.seek(0)

    response = respond(case, representative, attachments=[attachment])

    evidence = Evidence.objects.get(case=case, response=response)
    assert evidence.source == EvidenceSource.RESPONDENT
    assert evidence.disclosed_to_respondent is True
    assert evidence.added_by == representative
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.original_filename == "our-certificate.pdf"
    assert list(response.attachments.all()) == [evidence]


def test_a_response_with_a_refused_attachment_is_not_recorded_at_all(case, staff, representative):
    case = open_review(case, staff)
    before = case_snapshot(case)

    with pytest.raises(ValidationError, match="Accepted types: PDF"):
        respond(
            case,
            representative,
            attachments=[
                pdf("fine.pdf"),
                upload("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),
            ],
        )

    assert case_snapshot(case) == before
    assert Response.objects.filter(case=case).count() == 0


def test_another_members_representative_cannot_respond(case, staff, other_rep):
    case = open_review(case, staff)

    with pytest.raises(PermissionDenied):
        respond(case, other_rep)


def test_staff_cannot_respond_for_the_respondent(case, staff):
    case = open_review(case, staff)

    with pytest.raises(PermissionDenied):
        respond(case, staff)


def test_no_response_before_notice(case, representative):
    with pytest.raises(PermissionDenied):
        respond(case, representative)


def test_no_response_after_dismissal(case, staff, representative):
    case = open_review(case, staff)
    transition(case, "dismiss", staff, reason="Unfounded.")

    with pytest.raises(PermissionDenied):
        respond(case, representative)


def test_no_response_once_the_case_left_review_even_with_the_permission(
    case, staff, representative
):
    case = open_review(case, staff)
    type(case).objects.filter(pk=case.pk).update(state="board_vote")

    with pytest.raises(TransitionRefused, match="board vote"):
        respond(case, representative)


@pytest.mark.parametrize("text", ["", "   \n "])
def test_an_empty_response_is_refused(case, staff, representative, text):
    case = open_review(case, staff)

    with pytest.raises(ValidationError, match="Write your response"):
        respond(case, representative, text=text)

    assert Response.objects.filter(case=case).count() == 0
