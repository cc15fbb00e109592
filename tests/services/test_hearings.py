"""Issue 10: the hearing between the review and the vote, and the respondent's comment
on the review. Each service refuses with the rule's words and changes nothing then;
the notice period and the hearing record are rules, not conventions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services, workflow
from cases.models import (
    CaseEvent,
    Evidence,
    Hearing,
    HearingParty,
    Letter,
    LetterKind,
    ParticipantRole,
    VoteChoice,
)
from cases.services import verify_case_record
from cases.workflow import CaseState, TransitionRefused
from tests.factories.cases import case_snapshot, fresh, messages_of, step
from tests.factories.dates import days, shown, today
from tests.factories.hearings import (
    MINUTES,
    case_at_hearing,
    comment_window_passes,
    disclose,
    heard_and_decided,
    heard_and_referred,
    hearing_day_comes,
    hearing_input,
    hearing_procedure,
    hold_hearing,
    minutes_file,
    request_hearing,
    reviewed_case,
    set_hearing,
)
from tests.factories.letters import sha256
from tests.factories.scenes import vote_all

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------
# Setting the hearing: the notice period
# ---------------------------------------------------------------------------


def test_a_hearing_cannot_be_set_sooner_than_the_notice_period(world):
    hearing_procedure(hearing_notice_days=21)
    case = case_at_hearing(world)
    before = case_snapshot(case)

    with pytest.raises(ValidationError) as refused:
        set_hearing(case, world.staff, ahead=20)

    assert messages_of(refused.value) == [
        "The hearing cannot be set sooner than the procedure's notice of 21 days: the "
        f"earliest date is {shown(today() + days(21))}."
    ]
    assert case_snapshot(case) == before
    assert not Hearing.objects.filter(case=case).exists()


def test_a_hearing_set_with_full_notice_is_noticed_to_both_parties(world):
    hearing_procedure()
    case = case_at_hearing(world)

    hearing = set_hearing(case, world.staff, ahead=21)

    assert hearing.local_start.date() == today() + days(21)
    assert {u.username for u in hearing.panel.all()} == {u.username for u in world.board}
    notices = Letter.objects.filter(case=case, kind=LetterKind.NOTICE_OF_HEARING)
    assert sorted(notices.values_list("addressee", flat=True)) == ["complainant", "respondent"]
    event = CaseEvent.objects.get(case=case, kind="hearing_scheduled")
    assert event.payload["time_zone"] == "Europe/London"
    assert sorted(event.payload["panel"]) == sorted(u.username for u in world.board)
    assert verify_case_record(fresh(case)).ok


def test_a_hearing_needs_a_place_or_a_link_and_names_due_before_it(world):
    hearing_procedure()
    case = case_at_hearing(world)

    with pytest.raises(ValidationError) as refused:
        set_hearing(case, world.staff, place="", participants_due_on=today() + days(30))

    assert messages_of(refused.value) == [
        "Give the place of the hearing or its video link.",
        "Attendees, counsel and witnesses must be named before the hearing's date.",
    ]
    with pytest.raises(ValidationError) as refused:
        set_hearing(case, world.staff, time_zone="Mars/Olympus")
    assert "“Mars/Olympus” is not a time zone" in messages_of(refused.value)[0]


def test_a_recusal_takes_a_member_off_the_panel(world):
    hearing_procedure()
    case = case_at_hearing(world)
    services.conflict_declare(
        case=fresh(case), member=world.board[0], reason="A former colleague.", by=world.staff
    )

    hearing = set_hearing(case, world.staff)

    assert world.board[0] not in hearing.panel.all()


def test_a_postponement_gives_its_reason_and_a_new_notice(world):
    hearing_procedure()
    case = case_at_hearing(world)
    first = set_hearing(case, world.staff)

    with pytest.raises(ValidationError):
        services.hearing_postpone(
            case=fresh(case), by=world.staff, reason=" ", hearing=hearing_input(case, ahead=30)
        )
    with pytest.raises(ValidationError):  # the new date needs full notice too
        services.hearing_postpone(
            case=fresh(case),
            by=world.staff,
            reason="The respondent's counsel is unwell.",
            hearing=hearing_input(case, ahead=5),
        )
    assert Hearing.objects.get(pk=first.pk).postponed_at is None

    second = services.hearing_postpone(
        case=fresh(case),
        by=world.staff,
        reason="The respondent's counsel is unwell.",
        hearing=hearing_input(case, ahead=35),
    )

    first.refresh_from_db()
    assert first.postponed_at and first.postponement_reason == "The respondent's counsel is unwell."
    assert second.replaces == first
    assert workflow.current_hearing(fresh(case)) == second
    assert Letter.objects.filter(case=case, kind=LetterKind.NOTICE_OF_HEARING).count() == 4
    assert (
        CaseEvent.objects.get(case=case, kind="hearing_postponed").payload["replaces"] == first.pk
    )


# ---------------------------------------------------------------------------
# Who comes
# ---------------------------------------------------------------------------


def test_the_respondent_names_its_people_by_the_date_and_not_after(world):
    hearing_procedure()
    case = case_at_hearing(world)
    set_hearing(case, world.staff)
    people = [
        services.ParticipantInput(ParticipantRole.COUNSEL, "Ada Byrne", "Byrne & Co"),
        services.ParticipantInput(ParticipantRole.WITNESS, "Tom Vail", "Installed the robot"),
    ]

    named = services.hearing_participants_name(case=fresh(case), by=world.rep, participants=people)

    assert {(p.party, p.role, p.name) for p in named} == {
        ("respondent", "counsel", "Ada Byrne"),
        ("respondent", "witness", "Tom Vail"),
    }
    Hearing.objects.filter(case=case).update(participants_due_on=today() - days(1))
    with pytest.raises(TransitionRefused) as refused:
        services.hearing_participants_name(case=fresh(case), by=world.rep, participants=people)
    assert "were to be named by" in messages_of(refused.value)[0]
    # Staff may still record names a party sent them.
    services.hearing_participants_record(
        case=fresh(case), by=world.staff, party=HearingParty.COMPLAINANT, participants=people[:1]
    )


# ---------------------------------------------------------------------------
# The hearing's record, and the vote that needs it
# ---------------------------------------------------------------------------


def test_the_record_is_kept_only_once_the_hearing_is_held(world):
    hearing_procedure()
    case = case_at_hearing(world)
    hearing = set_hearing(case, world.staff)

    with pytest.raises(TransitionRefused) as refused:
        services.hearing_record(
            case=fresh(case), by=world.staff, attended=["Rowena Quist"], minutes=minutes_file()
        )
    assert "its record is kept once it is held" in messages_of(refused.value)[0]
    with pytest.raises(TransitionRefused) as refused:
        step(case, "refer_after_hearing", world.staff)
    assert "is not kept yet" in messages_of(refused.value)[0]

    hearing_day_comes(case)
    with pytest.raises(ValidationError) as refused:
        services.hearing_record(case=fresh(case), by=world.staff, attended=[], minutes=None)
    assert messages_of(refused.value) == [
        "Record who attended the hearing.",
        "Attach the minutes or the recording of the hearing.",
    ]
    kept = hold_hearing(case, world.staff)

    assert kept.pk == hearing.pk and kept.attended == ["Rowena Quist", "Helena Marsh"]
    minutes = Evidence.objects.get(pk=kept.minutes_id)
    assert minutes.sha256 == sha256(MINUTES)
    assert CaseEvent.objects.get(case=case, kind="hearing_recorded").payload["sha256"] == (
        minutes.sha256
    )
    case = step(case, "refer_after_hearing", world.staff)
    assert case.state == CaseState.BOARD_VOTE
    assert case.ballots.get().seats.count() == 3


def test_a_vote_cannot_close_without_the_record_of_a_hearing_held(world):
    hearing_procedure()
    case = heard_and_referred(world)
    vote_all(case, world.board, VoteChoice.VIOLATION, "censure")
    Hearing.objects.filter(case=case).update(recorded_at=None)

    with pytest.raises(TransitionRefused) as refused:
        step(case, "close_ballot", world.staff)

    assert any("is not kept yet" in m for m in messages_of(refused.value))
    assert fresh(case).state == CaseState.BOARD_VOTE


def test_a_case_with_a_hearing_reaches_a_decision_and_its_record_verifies(world):
    hearing_procedure()
    case = heard_and_decided(world, VoteChoice.VIOLATION, "censure")

    assert case.state == CaseState.SANCTIONED
    assert verify_case_record(fresh(case)).ok


def test_a_procedure_without_hearings_refuses_the_hearing_in_its_name(world):
    case = reviewed_case(world)  # the world's procedure: no hearing

    with pytest.raises(TransitionRefused) as refused:
        step(case, "refer_to_hearing", world.staff)

    assert messages_of(refused.value) == [
        f"The procedure this case follows (version {case.procedure.version}) does not "
        "provide for a hearing."
    ]
    assert step(case, "refer_to_board", world.staff).state == CaseState.BOARD_VOTE


# ---------------------------------------------------------------------------
# On request, or always
# ---------------------------------------------------------------------------


def test_on_request_a_partys_request_sends_the_case_to_a_hearing(world):
    hearing_procedure("on_request")
    case = reviewed_case(world)
    with pytest.raises(TransitionRefused) as refused:
        step(case, "refer_to_hearing", world.staff)
    assert "No party has asked for a hearing" in messages_of(refused.value)[0]

    request_hearing(case, world.rep)

    with pytest.raises(TransitionRefused) as refused:
        step(case, "refer_to_board", world.staff)
    assert "The respondent asked for a hearing on" in messages_of(refused.value)[0]
    with pytest.raises(TransitionRefused):  # once per party
        request_hearing(case, world.rep)
    assert step(case, "refer_to_hearing", world.staff).state == CaseState.HEARING


def test_staff_record_the_complainants_request(world):
    hearing_procedure("on_request")
    case = reviewed_case(world)

    request_hearing(case, world.staff, HearingParty.COMPLAINANT)

    assert step(case, "refer_to_hearing", world.staff).state == CaseState.HEARING


def test_always_the_referral_goes_to_the_hearing(world):
    hearing_procedure("always")
    case = reviewed_case(world)

    with pytest.raises(TransitionRefused) as refused:
        step(case, "refer_to_board", world.staff)
    assert messages_of(refused.value) == [
        "The procedure holds a hearing before every vote: refer the case to a hearing."
    ]
    with pytest.raises(TransitionRefused):
        request_hearing(case, world.rep)


# ---------------------------------------------------------------------------
# The respondent's comment on the review
# ---------------------------------------------------------------------------


def test_referral_waits_for_the_comment_or_the_end_of_its_window(world):
    hearing_procedure("off", respondent_comments_on_review=True, review_comment_days=14)
    case = reviewed_case(world)
    with pytest.raises(TransitionRefused) as refused:
        step(case, "refer_to_board", world.staff)
    assert "have not been disclosed to the respondent" in messages_of(refused.value)[0]

    disclosure = disclose(case, world.staff)
    assert disclosure.comment_due_on == today() + days(14)
    with pytest.raises(TransitionRefused) as refused:
        step(case, "refer_to_board", world.staff)
    assert f"Comment window open until {shown(today() + days(14))}" in messages_of(refused.value)[0]

    comment = services.review_comment_submit(
        case=fresh(case), by=world.rep, text="The finding overlooks our recall notice."
    )

    assert comment.disclosure == disclosure
    recorded = CaseEvent.objects.get(case=case, kind="review_comment_submitted")
    assert recorded.payload["text"] == "The finding overlooks our recall notice."
    with pytest.raises(TransitionRefused):  # one comment per disclosure
        services.review_comment_submit(case=fresh(case), by=world.rep, text="And more.")
    assert step(case, "refer_to_board", world.staff).state == CaseState.BOARD_VOTE
    assert verify_case_record(fresh(case)).ok


def test_the_window_passing_without_a_comment_lets_the_referral_go(world):
    hearing_procedure("off", respondent_comments_on_review=True)
    case = reviewed_case(world)
    disclose(case, world.staff)
    comment_window_passes(case)

    with pytest.raises(TransitionRefused):
        services.review_comment_submit(case=fresh(case), by=world.rep, text="Late.")
    assert step(case, "refer_to_board", world.staff).state == CaseState.BOARD_VOTE


def test_a_revised_review_must_be_disclosed_again(world):
    hearing_procedure("off", respondent_comments_on_review=True)
    case = reviewed_case(world)
    disclose(case, world.staff)
    comment_window_passes(case)
    with pytest.raises(TransitionRefused):  # nothing new to disclose
        disclose(case, world.staff)

    services.review_report_save(
        case=fresh(case),
        by=world.staff,
        text="Revised after new facts.",
        rests_on_single_source=False,
    )

    with pytest.raises(TransitionRefused) as refused:
        step(case, "refer_to_board", world.staff)
    assert "disclose it again for comment" in messages_of(refused.value)[0]
    disclose(case, world.staff)
    services.review_comment_submit(case=fresh(case), by=world.rep, text="On the revision.")
    assert step(case, "refer_to_board", world.staff).state == CaseState.BOARD_VOTE


def test_the_comment_is_for_the_respondent_only(world):
    hearing_procedure("off", respondent_comments_on_review=True)
    case = reviewed_case(world)
    disclose(case, world.staff)

    with pytest.raises(PermissionDenied):
        services.review_comment_submit(case=fresh(case), by=world.staff, text="Staff text.")

    with pytest.raises(ValidationError):
        services.review_comment_submit(case=fresh(case), by=world.rep, text="   ")
