"""The complainant's access code, messages, further evidence and appeal, through the
services (docs/decisions/0021)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases import access, services
from cases.access import CodeHolder
from cases.models import (
    Ballot,
    BallotKind,
    ComplainantAccess,
    ComplainantAppeal,
    ComplainantMessage,
    ComplainantSubmission,
    Evidence,
    EvidenceSource,
    Letter,
    LetterKind,
    Procedure,
    VoteChoice,
)
from cases.services import deadlines
from cases.services.complainant_access import digest, normalise
from cases.workflow import CaseState, TransitionRefused
from tests.factories.cases import (
    big_pdf,
    case_snapshot,
    event_kinds,
    fresh,
    member_complainant,
    pdf,
    step,
)
from tests.factories.dates import days
from tests.factories.letters import dismissed_case, no_violation_case, world_case
from tests.factories.scenes import vote_all

pytestmark = pytest.mark.django_db


def _appeals_on(world, **more):
    Procedure.objects.filter(pk=world.procedure.pk).update(complainant_appeal=True, **more)


def holder_of(case) -> CodeHolder:
    code = ComplainantAccess.objects.get(case=case, revoked_at__isnull=True)
    return CodeHolder(case_id=case.pk, access_id=code.pk)


# -- The access code --------------------------------------------------------------


def test_filing_issues_a_code_of_160_bits_stored_only_as_a_salted_hmac(world):
    case = world_case(world)
    code = case.new_access_code
    assert len(normalise(code)) == 32  # base 32: 5 bits a character
    stored = ComplainantAccess.objects.get(case=case)
    assert stored.digest == digest(stored.salt, code) and code not in stored.digest
    assert code not in str(list(fresh(case).events.values_list("payload", flat=True)))
    assert event_kinds(case).count("access_code_issued") == 1


def test_the_code_is_checked_case_insensitively_and_opens_only_its_case(world):
    case, other = world_case(world), world_case(world)
    code = case.new_access_code
    assert services.access_code_check(case.number, code.lower().replace("-", " ")).case == case
    assert services.access_code_check(other.number, code) is None
    assert services.access_code_check("2099-0001", code) is None
    holder = holder_of(case)
    assert access.relation_to(holder, fresh(case)) == access.COMPLAINANT_VIEW
    assert access.relation_to(holder, fresh(other)) == access.NO_VIEW


def test_a_member_complainant_gets_no_code_and_its_representative_the_complainants_view(world):
    case = world_case(
        world, complainant=member_complainant(world.other_rep.representative.organization)
    )
    assert not hasattr(case, "new_access_code")
    assert not ComplainantAccess.objects.filter(case=case).exists()
    assert access.relation_to(world.other_rep, fresh(case)) == access.COMPLAINANT_VIEW
    with pytest.raises(TransitionRefused, match="own accounts"):
        services.access_code_reissue(case=fresh(case), by=world.staff, reason="Lost it.")


def test_reissuing_revokes_the_old_code_and_is_recorded(world):
    case = world_case(world)
    old = holder_of(case)
    new_code = services.access_code_reissue(case=fresh(case), by=world.staff, reason="Lost it.")
    assert access.relation_to(old, fresh(case)) == access.NO_VIEW
    assert services.access_code_check(case.number, case.new_access_code) is None
    assert services.access_code_check(case.number, new_code) is not None
    assert event_kinds(case)[-2:] == ["access_code_revoked", "access_code_issued"]


def test_a_revoked_code_stops_working_and_revoking_needs_a_reason(world):
    case = world_case(world)
    holder = holder_of(case)
    with pytest.raises(ValidationError):
        services.access_code_revoke(case=fresh(case), by=world.staff, reason=" ")
    services.access_code_revoke(case=fresh(case), by=world.staff, reason="Leaked by email.")
    assert access.relation_to(holder, fresh(case)) == access.NO_VIEW
    assert services.access_code_check(case.number, case.new_access_code) is None
    with pytest.raises(TransitionRefused, match="No access code is in force"):
        services.access_code_revoke(case=fresh(case), by=world.staff, reason="Again.")


def test_only_staff_reissue_or_revoke_and_a_refusal_changes_nothing(world):
    case = world_case(world)
    before = case_snapshot(fresh(case))
    for who in (world.rep, world.board[0], holder_of(case)):
        with pytest.raises(PermissionDenied):
            services.access_code_reissue(case=fresh(case), by=who, reason="Mine now.")
    assert case_snapshot(fresh(case)) == before


# -- Messages and evidence ------------------------------------------------------


def test_a_message_from_the_complainant_reaches_staff_and_a_reply_reaches_the_page(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    case = world_case(world)
    holder = holder_of(case)
    with django_capture_on_commit_callbacks(execute=True):
        services.complainant_message_send(case=fresh(case), by=holder, body="Any news?")
    mine = ComplainantMessage.objects.get(case=case)
    assert mine.from_complainant and mine.author is None
    assert any("complainant wrote" in m.subject.lower() for m in mailoutbox)
    services.staff_message_send(case=fresh(case), by=world.staff, body="The review has begun.")
    assert [m.from_complainant for m in ComplainantMessage.objects.filter(case=case)] == [
        True,
        False,
    ]
    with pytest.raises(ValidationError, match="empty"):
        services.complainant_message_send(case=fresh(case), by=holder, body="  ")
    with pytest.raises(PermissionDenied):
        services.staff_message_send(case=fresh(case), by=holder, body="I am staff.")


def test_evidence_the_complainant_sends_waits_for_staff_then_becomes_evidence(world):
    case = world_case(world)
    holder = holder_of(case)
    sent = services.complainant_evidence_submit(
        case=fresh(case), by=holder, file=pdf("second-advert.pdf"), title="Second advert"
    )
    services.complainant_evidence_submit(
        case=fresh(case), by=holder, file=pdf("third.pdf"), title="Still waiting"
    )
    assert not Evidence.objects.filter(case=case, title="Second advert").exists()
    evidence = services.complainant_evidence_accept(
        case=fresh(case), by=world.staff, submission_id=sent.pk
    )
    assert evidence.source == EvidenceSource.COMPLAINANT and evidence.sha256 == sent.sha256
    sent.refresh_from_db()
    assert sent.decision == "accepted" and sent.evidence == evidence
    with pytest.raises(ValidationError, match="already accepted"):
        services.complainant_evidence_decline(
            case=fresh(case), by=world.staff, submission_id=sent.pk, reason="No."
        )


def test_declined_evidence_stays_out_and_says_why(world):
    case = world_case(world)
    sent = services.complainant_evidence_submit(
        case=fresh(case), by=holder_of(case), file=pdf("x.pdf"), title="Unrelated"
    )
    services.complainant_evidence_decline(
        case=fresh(case), by=world.staff, submission_id=sent.pk, reason="Not about this member."
    )
    sent.refresh_from_db()
    assert sent.decision == "declined" and sent.evidence is None
    assert not Evidence.objects.filter(case=case, title="Unrelated").exists()


def test_an_upload_is_checked_as_any_evidence_is(world, settings):
    case = world_case(world)
    settings.PROBITY_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match="upload size limit"):
        services.complainant_evidence_submit(
            case=fresh(case), by=holder_of(case), file=big_pdf("big.pdf", 2048), title="Too big"
        )
    assert not ComplainantSubmission.objects.filter(case=case).exists()


# -- The complainant's appeal -----------------------------------------------------


def test_a_dismissal_appealed_and_sent_back_to_review(world):
    _appeals_on(world)
    case = dismissed_case(world)
    holder = holder_of(case)
    step(case, "file_complainant_appeal", holder, reason="The advert was misread.")
    case = fresh(case)
    assert case.state == CaseState.COMPLAINANT_APPEAL
    appeal = ComplainantAppeal.objects.get(case=case)
    assert appeal.appealed_state == CaseState.DISMISSED and appeal.filed_by is None
    ballot = Ballot.objects.get(case=case, kind=BallotKind.COMPLAINANT_APPEAL)
    assert {s.voter for s in ballot.seats.all()} == set(world.panel)
    with pytest.raises(ValidationError, match="never put to the board"):
        services.vote_cast(case=fresh(case), voter=world.panel[0], choice=VoteChoice.SEND_TO_VOTE)
    vote_all(case, world.panel, VoteChoice.SEND_TO_REVIEW)
    services.complainant_appeal_ballot_close(case=fresh(case), by=world.staff)
    ballot.refresh_from_db()
    # Each seat carries the ballot's closed_at ("My ballots" pages a member's seats by it).
    assert set(ballot.seats.values_list("closed_at", flat=True)) == {ballot.closed_at}
    step(case, "decide_complainant_appeal", world.staff, reason="The advert needs a review.")
    case = fresh(case)
    assert case.state == CaseState.UNDER_REVIEW
    assert "respond_to_case" in access.case_permissions(world.rep, case)
    letters = Letter.objects.filter(case=case, kind=LetterKind.COMPLAINANT_APPEAL_DECISION)
    assert sorted(letters.values_list("addressee", flat=True)) == ["complainant", "respondent"]
    appeal.refresh_from_db()
    assert appeal.outcome == "to_review"
    assert services.verify_case_record(case).ok


def test_a_finding_of_no_violation_appealed_and_sent_to_a_new_vote(world):
    _appeals_on(world)
    case = no_violation_case(world)
    step(case, "file_complainant_appeal", holder_of(case), reason="The board missed a fact.")
    case = fresh(case)
    # the panel: none who voted on the decision
    seated = {s.voter for s in Ballot.objects.get(case=case, kind="c_appeal").seats.all()}
    assert not seated & set(world.board)
    vote_all(case, world.panel, VoteChoice.SEND_TO_VOTE)
    services.complainant_appeal_ballot_close(case=fresh(case), by=world.staff)
    step(case, "decide_complainant_appeal", world.staff, reason="A new vote is needed.")
    case = fresh(case)
    assert case.state == CaseState.BOARD_VOTE
    assert Ballot.objects.filter(case=case, kind="board", closed_at__isnull=True).exists()
    assert services.verify_case_record(case).ok


def test_an_upheld_dismissal_closes_the_case(world):
    _appeals_on(world)
    case = dismissed_case(world)
    step(case, "file_complainant_appeal", holder_of(case), reason="Please look again.")
    vote_all(case, world.panel, VoteChoice.UPHOLD)
    services.complainant_appeal_ballot_close(case=fresh(case), by=world.staff)
    step(case, "decide_complainant_appeal", world.staff, reason="The dismissal was right.")
    assert fresh(case).state == CaseState.CLOSED
    assert ComplainantAppeal.objects.get(case=case).outcome == "upheld"
    assert services.verify_case_record(fresh(case)).ok


def test_the_appeal_window_and_one_appeal_per_case(world):
    _appeals_on(world, complainant_appeal_window_days=10)
    case = dismissed_case(world)
    type(case).objects.filter(pk=case.pk).update(state_changed_at=case.state_changed_at - days(11))
    before = case_snapshot(fresh(case))
    with pytest.raises(TransitionRefused, match="appeal window closed"):
        step(case, "file_complainant_appeal", holder_of(case), reason="Late.")
    assert case_snapshot(fresh(case)) == before


def test_with_the_path_off_the_appeal_is_neither_offered_nor_allowed(world):
    case = dismissed_case(world)
    holder = holder_of(case)
    assert "file_complainant_appeal" not in access.offered(holder, fresh(case))
    before = case_snapshot(fresh(case))
    with pytest.raises(TransitionRefused, match="procedure"):
        step(case, "file_complainant_appeal", holder, reason="Please.")
    assert case_snapshot(fresh(case)) == before


def test_only_the_complainant_files_the_complainants_appeal(world):
    _appeals_on(world)
    case = dismissed_case(world)
    for who in (world.staff, world.rep, world.panel[0]):
        with pytest.raises(PermissionDenied):
            step(case, "file_complainant_appeal", who, reason="On their behalf.")


def test_the_deadline_job_closes_the_panels_ballot_after_its_date(world):
    _appeals_on(world)
    case = dismissed_case(world)
    step(case, "file_complainant_appeal", holder_of(case), reason="Please look again.")
    vote_all(case, world.panel[:2], VoteChoice.UPHOLD)
    ballot = Ballot.objects.get(case=case, kind=BallotKind.COMPLAINANT_APPEAL)
    assert deadlines.run()["complainant appeal ballots closed"] == 0  # still open
    Ballot.objects.filter(pk=ballot.pk).update(closes_on=ballot.closes_on - days(30))
    done = deadlines.run()
    assert done["complainant appeal ballots closed"] == 1 and not done["failed"]
    ballot.refresh_from_db()
    assert ballot.closed_at is not None and ballot.tally["outcome"] == "upheld"
    assert "decide_complainant_appeal" in access.offered(world.staff, fresh(case))


def test_at_the_hearing_stage_the_complainant_still_sends_evidence_and_staff_accept_it(world):
    from tests.factories.hearings import case_at_hearing, hearing_procedure

    hearing_procedure("always")
    case = case_at_hearing(world)
    assert case.state == CaseState.HEARING
    sent = services.complainant_evidence_submit(
        case=fresh(case), by=holder_of(case), file=pdf("late-advert.pdf"), title="Late advert"
    )
    evidence = services.complainant_evidence_accept(
        case=fresh(case), by=world.staff, submission_id=sent.pk
    )
    assert evidence.source == EvidenceSource.COMPLAINANT
    assert services.verify_case_record(fresh(case)).ok
