"""The staff case page's actions (issue 14): each action is offered only when it can
apply (the table's only_when rules), a step not yet possible has a disabled button that
says why, and each irreversible step confirms on a page naming what will be sent to
whom, changing nothing until confirmed."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from cases import workflow
from cases.models import Case, Dispatch, DispatchStatus
from tests.factories.cases import case_snapshot, fresh, open_review
from tests.factories.dates import days, today
from tests.factories.language import said, said_n, shown_to_client
from tests.factories.pages import section, squeezed, text_of
from tests.factories.people import board_members, panel_members
from tests.factories.scenes import (
    case_with_exhibits,
    file_appeal,
    ready_for_referral,
    sanctioned_case,
    setup_board_case,
    vote,
    votes_for,
)

pytestmark = pytest.mark.django_db


def _page(client, case):
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    return response


def _up_to(message: str, placeholder: str, **values) -> str:
    """The catalogue's sentence up to `placeholder` (a value the test does not pin down),
    the values before it put in: a part of the sentence as the page shows it."""
    return said(message).split(placeholder)[0] % values


def _url(case, name):
    return reverse("cases:case_step", args=[case.number, name])


# ---------------------------------------------------------------------------
# Offered only when the action applies
# ---------------------------------------------------------------------------


def test_accepting_a_late_complaint_is_offered_only_for_a_late_one(staff_client, staff, case):
    url = reverse("cases:late_filing_accept", args=[case.number])
    assert url not in _page(staff_client, case).content.decode()

    Case.objects.filter(pk=case.pk).update(conduct_known_on=today() - days(400))
    assert url in _page(staff_client, fresh(case)).content.decode()

    response = staff_client.post(url, {"late-reason": "Received by post and mislaid."})
    assert response.status_code == 302
    # Accepted: it no longer applies.
    assert url not in _page(staff_client, fresh(case)).content.decode()


def test_a_timely_complaint_refuses_late_acceptance_and_changes_nothing(staff_client, case):
    before = case_snapshot(case)
    url = reverse("cases:late_filing_accept", args=[case.number])
    response = staff_client.post(url, {"late-reason": "Just in case."})
    assert response.status_code == 400
    timely = said(
        "The complaint was received on %(received)s, within the filing "
        "deadline of %(deadline)s: there is nothing to accept late.",
        received=shown_to_client(case.received_on),
        deadline=shown_to_client(workflow.filing_deadline(case)),
    )
    assert squeezed(escape(timely)) in text_of(response)
    assert case_snapshot(case) == before


def test_reopening_the_response_window_is_offered_only_once_it_closed(staff_client, staff, case):
    case = open_review(case, staff)
    url = reverse("cases:response_window_reopen", args=[case.number])
    assert url not in _page(staff_client, case).content.decode()

    Case.objects.filter(pk=case.pk).update(response_due_on=today() - days(1))
    assert url in _page(staff_client, fresh(case)).content.decode()


def test_retry_is_offered_only_next_to_a_failed_delivery(staff_client, staff, case):
    case = open_review(case, staff)
    letter = case.letters.get(kind="notice_of_complaint")
    url = reverse("cases:letter_redeliver", args=[case.number, letter.pk])
    Dispatch.objects.filter(letter__case=case).update(status=DispatchStatus.SENT)
    assert url not in _page(staff_client, case).content.decode()

    Dispatch.objects.filter(letter=letter).update(status=DispatchStatus.FAILED)
    assert url in _page(staff_client, fresh(case)).content.decode()


def test_retrying_a_sent_letter_is_refused_with_the_reason(staff_client, staff, case):
    case = open_review(case, staff)
    letter = case.letters.get(kind="notice_of_complaint")
    Dispatch.objects.filter(letter__case=case).update(status=DispatchStatus.SENT)
    response = staff_client.post(
        reverse("cases:letter_redeliver", args=[case.number, letter.pk]), follow=True
    )
    assert squeezed(escape(said("No letter's emailing has failed."))) in text_of(response)
    assert not letter.deliveries.filter(succeeded=False).exists()


def test_the_amended_notice_is_offered_only_when_an_amendment_awaits_it(staff_client, staff, case):
    case = open_review(case, staff)
    url = reverse("cases:amended_notice_issue", args=[case.number])
    assert url not in _page(staff_client, case).content.decode()


def test_closing_the_appeal_ballot_is_offered_only_while_it_is_open(client, staff):
    bc = sanctioned_case(staff, "censure", board=board_members(3, prefix="sa.b."))
    panel = panel_members(3, prefix="sa.p.")
    file_appeal(bc.case, bc.rep)
    client.force_login(staff)
    url = reverse("cases:appeal_ballot_close", args=[bc.case.number])
    page = _page(client, fresh(bc.case)).content.decode()
    # Open, but nobody has voted: offered, disabled, with the unmet rule.
    assert url in page
    assert 'disabled aria-describedby="why-close-appeal"' in page
    quorum = _up_to(
        "Quorum not met: %(voted)s of %(eligible)s eligible voters have voted; "
        "%(needed)s must take part.",
        "%(needed)s",
        voted=0,
        eligible=3,
    )
    assert escape(quorum) in page
    for member in panel:
        vote(bc.case, member, "uphold")
    response = client.post(url, {"confirmed": "yes"})
    assert response.status_code == 302
    assert url not in _page(client, fresh(bc.case)).content.decode()


def test_the_only_when_rules_are_refused_by_the_service_too(staff, case):
    """authorize refuses them with the rule's reason, so no page can go round them."""
    from cases import services

    with pytest.raises(workflow.TransitionRefused, match="nothing to accept late"):
        services.late_filing_accept(case=fresh(case), by=staff, reason="Because.")


# ---------------------------------------------------------------------------
# Disabled buttons say why
# ---------------------------------------------------------------------------


def test_a_step_not_yet_possible_has_a_disabled_button_and_its_reasons(staff_client, staff, case):
    case = open_review(case, staff)
    html = section(_page(staff_client, case), "actions-h")
    assert 'disabled aria-describedby="why-refer_to_board"' in html
    assert 'id="why-refer_to_board"' in html
    window = said(
        "Response window open until %(day)s; no response received yet.",
        day=shown_to_client(case.response_due_on),
    )
    assert escape(window) in html
    # Dismissal is possible: an enabled, outlined (destructive) button.
    assert f'class="danger-outline">{escape(said("Dismiss the complaint"))}…' in html


# ---------------------------------------------------------------------------
# Irreversible steps confirm, naming what will be sent to whom
# ---------------------------------------------------------------------------


def test_every_irreversible_entry_has_a_summary():
    irreversible = [
        e.name for e in [*workflow.STEPS.values(), *workflow.ACTIONS.values()] if e.irreversible
    ]
    assert set(irreversible) == {
        "open_review",
        "refer_to_board",
        "dismiss",
        "withdraw",
        "close_ballot",
        "close_appeal_ballot",
    }


def test_opening_review_confirms_with_the_notice_and_what_is_disclosed(
    staff_client, staff, organization, representative
):
    case = case_with_exhibits(staff, organization, evidence=0, undisclosed=2)
    before = case_snapshot(case)
    response = staff_client.post(_url(case, "open_review"), {"expected_state": "filed"})
    assert response.status_code == 200
    text = text_of(response)
    step_label = said("Open review and issue the notice of complaint").lower()
    title = said("Confirm: %(step)s", step=step_label[:1].upper() + step_label[1:])
    assert squeezed(title) in text
    notice = said_n(
        "The respondent, %(name)s, will receive the notice of complaint %(by)s, with "
        "%(count)s disclosed evidence item (of %(total)s on file).",
        "The respondent, %(name)s, will receive the notice of complaint %(by)s, with "
        "%(count)s disclosed evidence items (of %(total)s on file).",
        0,
        name=organization.name,
        by=said("by email to %(emails)s", emails=representative.email),
        count=0,
        total=2,
    )
    assert squeezed(escape(notice)) in text
    nothing = said(
        "Nothing is disclosed to the respondent: the notice will list no evidence. "
        "Change what is disclosed in the evidence table first if it should."
    )
    assert squeezed(escape(nothing)) in text
    assert case_snapshot(case) == before

    response = staff_client.post(
        _url(case, "open_review"), {"expected_state": "filed", "confirmed": "yes"}
    )
    assert response.status_code == 302
    assert fresh(case).state == "under_review"


@pytest.mark.parametrize("name,letter", [("dismiss", "dismissal"), ("withdraw", "withdrawal")])
def test_dismissal_and_withdrawal_confirm_with_the_letters_to_both_parties(
    staff_client, staff, organization, representative, name, letter
):
    case = open_review(case_with_exhibits(staff, organization), staff)
    before = case_snapshot(case)
    reason = "Outside the code <b>entirely</b>."
    response = staff_client.post(
        _url(case, name), {"expected_state": "under_review", "reason": reason}
    )
    assert response.status_code == 200
    text = text_of(response)
    the_letter = said(f"the {letter} letter")
    to_respondent = said(
        "The respondent, %(name)s, will receive %(letter)s %(by)s, with the reasons "
        "you give, and can no longer respond.",
        name=organization.name,
        letter=the_letter,
        by=said("by email to %(emails)s", emails=representative.email),
    )
    assert squeezed(escape(to_respondent)) in text
    complainant = case.complainant
    to_complainant = _up_to(
        "The complainant, %(name)s, will receive %(letter)s %(by)s, with the reasons you give.",
        "%(by)s",
        name=complainant.organization_name or complainant.name,
        letter=the_letter,
    )
    assert squeezed(escape(to_complainant)) in text
    # The reason typed is kept, escaped, in the confirmation form.
    html = response.content.decode()
    assert "Outside the code &lt;b&gt;entirely&lt;/b&gt;." in html and reason not in html
    assert case_snapshot(case) == before


def test_dismissing_a_complaint_never_notified_says_the_respondent_is_not_written_to(
    staff_client, staff, case
):
    response = staff_client.post(
        _url(case, "dismiss"), {"expected_state": "filed", "reason": "Out of scope."}
    )
    not_written_to = said(
        "The respondent was never notified of the complaint and is not written to."
    )
    assert squeezed(escape(not_written_to)) in text_of(response)


def test_referral_confirms_with_the_board_members_seated(
    staff_client, staff, organization, representative
):
    board = board_members(3, prefix="ref.b.")
    case = ready_for_referral(case_with_exhibits(staff, organization), staff)
    before = case_snapshot(case)
    response = staff_client.post(_url(case, "refer_to_board"), {"expected_state": "under_review"})
    assert response.status_code == 200
    text = text_of(response)
    seated = said_n(
        "The board's ballot opens until %(day)s: %(count)s board member will be seated "
        "(%(names)s), each emailed that the ballot is open and given access to the whole "
        "case file, withheld evidence included.",
        "The board's ballot opens until %(day)s: %(count)s board members will be seated "
        "(%(names)s), each emailed that the ballot is open and given access to the whole "
        "case file, withheld evidence included.",
        3,
    ).split("%(names)s")[0] % {
        "day": shown_to_client(today() + days(fresh(case).procedure.ballot_window_days)),
        "count": 3,
    }
    assert squeezed(escape(seated)) in text
    for member in board:
        assert member.get_full_name() in text
    assert case_snapshot(case) == before


def test_closing_the_board_ballot_confirms_with_the_result_and_the_letters(client, staff):
    bc = setup_board_case(staff, board=board_members(3, prefix="cb.b."))
    votes_for(bc.case, bc.board, "censure")
    client.force_login(staff)
    before = case_snapshot(bc.case)
    response = client.post(_url(bc.case, "close_ballot"), {"expected_state": "board_vote"})
    assert response.status_code == 200
    text = text_of(response)
    counted = _up_to(
        "The votes are counted as they stand: %(took_part)s of %(eligible)s eligible "
        "voters have voted. Result: %(result)s",
        "%(result)s",
        took_part=3,
        eligible=3,
    )
    assert squeezed(escape(counted)) in text
    to_respondent = _up_to(
        "The respondent, %(name)s, will receive %(letter)s %(by)s.",
        "%(by)s",
        name=bc.organization.name,
        letter=said("the decision letter"),
    )
    assert squeezed(escape(to_respondent)) in text
    outcome_notice = said("The complainant, %(name)s, will receive the outcome notice %(by)s.")
    after_name = outcome_notice.split("%(name)s")[1].split("%(by)s")[0]
    assert squeezed(escape(after_name)).strip() in text  # " will receive the outcome notice "
    assert case_snapshot(bc.case) == before


def test_closing_the_appeal_ballot_confirms_and_says_no_letter_goes_yet(client, staff):
    bc = sanctioned_case(staff, "censure", board=board_members(3, prefix="ca.b."))
    panel = panel_members(3, prefix="ca.p.")
    file_appeal(bc.case, bc.rep)
    for member in panel:
        vote(bc.case, member, "uphold")
    client.force_login(staff)
    response = client.post(reverse("cases:appeal_ballot_close", args=[bc.case.number]))
    assert response.status_code == 200
    text = text_of(response)
    counted = _up_to(
        "The appeals panel's votes are counted as they stand: %(took_part)s of "
        "%(eligible)s eligible members have voted. Result: %(result)s",
        "%(result)s",
        took_part=3,
        eligible=3,
    )
    assert squeezed(escape(counted)) in text
    not_yet = said(
        "No letter is sent yet: the parties are written to when you record the appeal decision."
    )
    assert squeezed(escape(not_yet)) in text
    assert fresh(bc.case).ballots.get(kind="appeal").closed_at is None


def test_a_step_that_cannot_be_taken_gets_no_confirmation_page(client, staff, case, representative):
    """The representative is refused as before: no summary of the case leaks to them."""
    client.force_login(representative)
    response = client.post(_url(case, "dismiss"), {"expected_state": "filed", "reason": "x"})
    assert response.status_code in (403, 404)
    assert b"What will happen" not in response.content


# ---------------------------------------------------------------------------
# Wording: previews without a ballot, closed ballots, the case record
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["decision", "no_violation"])
def test_a_decision_preview_without_a_ballot_reads_as_sentences(staff_client, staff, case, kind):
    case = open_review(case, staff)
    response = staff_client.get(reverse("cases:letter_preview", args=[case.number, kind]))
    text = text_of(response)
    # The preview is the letter as it would go out: in the recipient's language (the
    # association's here), whatever the staff member's page is in.
    not_held = (
        "No ballot has been held yet: the vote is reported here once the board's ballot closes."
    )
    assert not_held in text
    assert " of votes cast" not in text and "The vote of" not in text


def test_an_appeal_decision_preview_without_an_appeal_says_so(staff_client, staff, case):
    response = staff_client.get(
        reverse("cases:letter_preview", args=[case.number, "appeal_decision"])
    )
    text = text_of(response)
    no_appeal = (
        f"No appeal has been filed in case <strong>{case.number}</strong>: this draft shows the "
        "letter's form only; the outcome and reasons appear once the appeals panel has decided."
    )
    assert no_appeal in response.content.decode()
    assert "filed on ." not in text and "Outcome: ." not in text


def test_a_closed_ballot_never_says_not_yet_voted(client, staff):
    bc = sanctioned_case(staff, "censure", board=board_members(3, prefix="cl.b."))
    client.force_login(staff)
    html = section(_page(client, fresh(bc.case)), "ballot-h")
    assert "Not yet voted" not in html
    assert "Did not vote" not in html  # everyone voted


def test_the_case_record_uses_words_not_codenames_or_iso_dates(staff_client, staff, case):
    case = open_review(case, staff)
    html = section(_page(staff_client, case), "timeline-h")
    for codename in ("view_case", "respond_to_case", "view_letter_pdf", "manage_case"):
        assert codename not in html
    assert case.response_due_on.isoformat() not in html
    issued = said(
        "Notice of complaint issued; response due by %(day)s.",
        day=shown_to_client(case.response_due_on),
    )
    assert escape(issued) in html
    assert f"{said('see the case')}, {said('respond')}" in html


def test_the_respondents_status_has_no_nested_brackets(staff_client, case, organization):
    type(organization).objects.filter(pk=organization.pk).update(status="terminated")
    text = text_of(_page(staff_client, fresh(case)))
    membership = said("Membership: %(status)s", status=said("Terminated (expelled)").lower())
    assert squeezed(escape(membership)) in text
    assert "(expelled))" not in text
