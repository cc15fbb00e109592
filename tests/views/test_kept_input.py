"""A refusal loses nothing typed: when the window closed or the case moved on between
loading a form and sending it, the page comes back with the reason it was refused and
with what was written (escaped), and nothing changes in the database."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from cases.models import Case, Letter
from cases.services import ballots, letters
from tests.factories.cases import case_snapshot, fresh, open_review, pdf, step, stored_files
from tests.factories.dates import days, today
from tests.factories.language import said, said_p, shown_to_client
from tests.factories.pages import section, squeezed, text_of
from tests.factories.people import panel_user
from tests.factories.scenes import (
    case_with_exhibits,
    cast,
    close_ballot,
    complete_review,
    our_reply,
    refer,
    vote,
)

pytestmark = pytest.mark.django_db

# Typed text with markup in it: the page must show it, escaped, never as markup.
RESPONSE = 'We never called the guard "certified" <b>in writing</b> & the invoice shows it.'
GROUNDS = "The board relied on a <i>superseded</i> register extract & ignored our invoice."
REASON = 'Outside the code: the advert ran in <em>2019</em> & was "withdrawn".'


@pytest.fixture
def c(db):
    return cast(board=3)


@pytest.fixture
def under_review(c):
    return open_review(case_with_exhibits(c.staff, c.organization), c.staff)


@pytest.fixture
def referred(c, under_review):
    return refer(
        complete_review(under_review, c.staff, rep=c.rep, reply_attachments=[our_reply()]), c.staff
    )


@pytest.fixture
def sanctioned(c, referred):
    for member in c.board:
        vote(referred, member, "violation", "censure")
    case = close_ballot(referred, c.staff)
    assert case.state == "sanctioned"
    return case


def kept(response, typed: str) -> bool:
    """The typed text is on the page, escaped, and never as raw markup."""
    html = response.content.decode()
    return escape(typed) in html and typed not in html


def moved_on(state: str) -> str:
    """The refusal of a step sent from a page loaded before the case moved on (to
    `state`, the state's label as the code marks it), as text_of reads it."""
    message = said(
        "This case has moved on: it is now %(state)s. Reload the page to see what changed.",
        state=said_p("case state", state).lower(),
    )
    return squeezed(escape(message))


def not_saved(title: str) -> str:
    """The heading over a refused form the page no longer offers (`title` a msgid)."""
    return said("%(title)s: not saved", title=said(title))


def _step(client, case, name, expected_state, reason):
    return client.post(
        reverse("cases:case_step", args=[case.number, name]),
        {"expected_state": expected_state, "reason": reason, "confirmed": "yes"},
    )


# ---------------------------------------------------------------------------
# The respondent
# ---------------------------------------------------------------------------


def test_response_sent_after_the_deadline_keeps_the_text_and_names_the_files(
    client, c, under_review, tmp_path
):
    closed_on = today() - days(1)
    Case.objects.filter(pk=under_review.pk).update(response_due_on=closed_on)
    before, files_before = case_snapshot(under_review), stored_files(tmp_path)
    client.force_login(c.rep)

    response = client.post(
        reverse("cases:response_submit", args=[under_review.number]),
        {"text": RESPONSE, "attachments": [pdf("late-reply.pdf", b"Our invoice.")]},
    )

    assert response.status_code == 400
    page = text_of(response)
    closed = said(
        "The response window closed on %(day)s. Ask the ethics staff to "
        "reopen it if you need to respond late.",
        day=shown_to_client(closed_on),
    )
    assert squeezed(escape(closed)) in page
    assert kept(response, RESPONSE)
    again = said(
        "Files are not kept when a form is refused: attach %(names)s again.", names="late-reply.pdf"
    )
    assert squeezed(again) in page
    responses = section(response, "responses-h")
    assert "readonly" in responses
    assert said("Send the response") not in responses
    assert case_snapshot(under_review) == before
    assert stored_files(tmp_path) == files_before


def test_response_sent_after_the_case_was_dismissed_keeps_the_text(client, c, under_review):
    step(under_review, "dismiss", c.staff, reason="The conduct is outside the code.")
    before = case_snapshot(under_review)
    client.force_login(c.rep)

    response = client.post(
        reverse("cases:response_submit", args=[under_review.number]), {"text": RESPONSE}
    )

    assert response.status_code == 403
    page = text_of(response)
    refusal = said("Only the respondent's representatives may respond to this case.")
    assert squeezed(escape(refusal)) in page
    ended = said(
        "%(label)s: %(reason)s",
        label=said_p("case state", "Dismissed"),
        reason="The conduct is outside the code.",  # as the staff wrote it
    )
    assert squeezed(ended) in page
    assert kept(response, RESPONSE)
    assert case_snapshot(under_review) == before


def test_appeal_filed_after_the_window_closed_keeps_the_grounds(client, c, sanctioned):
    closed_on = today() - days(1)
    Case.objects.filter(pk=sanctioned.pk).update(appeal_deadline=closed_on)
    before = case_snapshot(sanctioned)
    client.force_login(c.rep)

    response = _step(client, sanctioned, "file_appeal", "sanctioned", GROUNDS)

    assert response.status_code == 400
    closed = said("The appeal window closed on %(day)s.", day=shown_to_client(closed_on))
    assert squeezed(escape(closed)) in text_of(response)
    assert kept(response, GROUNDS)
    appeal = section(response, "appeal-h")
    as_written = "%(label)s (as you wrote it; not saved)"
    assert said(as_written, label=said("Grounds of appeal")) in appeal
    assert said("File the appeal") not in appeal
    assert case_snapshot(sanctioned) == before


def test_appeal_filed_after_the_case_was_finalized_keeps_the_grounds(client, c, sanctioned):
    Case.objects.filter(pk=sanctioned.pk).update(appeal_deadline=today() - days(1))
    step(sanctioned, "finalize", c.staff)
    before = case_snapshot(sanctioned)
    client.force_login(c.rep)

    response = _step(client, sanctioned, "file_appeal", "sanctioned", GROUNDS)

    assert response.status_code == 409
    assert moved_on("Closed") in text_of(response)
    assert kept(response, GROUNDS)
    assert case_snapshot(sanctioned) == before


# ---------------------------------------------------------------------------
# Staff steps after a concurrent change
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dismiss", "withdraw"])
def test_reason_typed_before_a_concurrent_change_stays_in_the_form(client, c, name):
    case = case_with_exhibits(c.staff, c.organization)
    client.force_login(c.staff)
    open_review(case, c.staff)  # someone else opened the review meanwhile
    before = case_snapshot(case)

    response = _step(client, case, name, "filed", REASON)

    assert response.status_code == 409
    assert moved_on("Under review") in text_of(response)
    assert kept(response, REASON)
    form = dict((a.step.name, f) for a, f in response.context["actions"])[name]
    assert form["reason"].value() == REASON
    # the form now stands for the page as shown: sending it again is a fresh decision
    assert form["expected_state"].value() == "under_review"
    assert f'id="reason-{name}"' in section(response, "actions-h")
    assert case_snapshot(case) == before

    again = _step(client, case, name, form["expected_state"].value(), REASON)
    assert again.status_code == 302
    assert fresh(case).closing_reason == REASON


def test_dismissal_reason_is_shown_read_only_once_dismissal_is_no_longer_possible(
    client, c, referred
):
    before = case_snapshot(referred)
    client.force_login(c.staff)

    response = _step(client, referred, "dismiss", "under_review", REASON)

    assert response.status_code == 409
    assert moved_on("Board vote") in text_of(response)
    assert kept(response, REASON)
    actions = section(response, "actions-h")
    assert not_saved("Dismiss the complaint") in actions
    as_written = said(
        "%(label)s (as you wrote it; not saved)",
        label=said("Reasons for dismissal (sent to the parties)"),
    )
    assert as_written in actions
    assert "readonly" in actions
    assert 'action="' + reverse("cases:case_step", args=[referred.number, "dismiss"]) not in (
        actions
    )
    assert case_snapshot(referred) == before


def test_appeal_decision_reasons_are_kept_when_the_decision_was_recorded_meanwhile(
    client, c, sanctioned
):
    panel = [panel_user() for _ in range(3)]
    step(sanctioned, "file_appeal", c.rep, reason="The register extract was out of date.")
    for member in panel:
        vote(sanctioned, member, "uphold")
    ballots.appeal_ballot_close(case=fresh(sanctioned), by=c.staff)
    step(sanctioned, "decide_appeal", c.staff, reason="Upheld: the register was current.")
    before = case_snapshot(sanctioned)
    client.force_login(c.staff)

    # a second tab, loaded while the appeal was open
    response = _step(client, sanctioned, "decide_appeal", "under_appeal", REASON)

    assert response.status_code == 409
    assert moved_on("Closed") in text_of(response)
    assert kept(response, REASON)
    assert squeezed(not_saved("Record the appeal decision")) in text_of(response)
    assert case_snapshot(sanctioned) == before


# ---------------------------------------------------------------------------
# Staff forms the case has moved past
# ---------------------------------------------------------------------------


def _report(case):
    return "review_report_save", [case.number], {"text": REASON}


def _finding(case):
    allegation = case.allegations.get()
    data = {f"a{allegation.pk}-conclusion": "substantiated", f"a{allegation.pk}-reasoning": REASON}
    return "finding_record", [case.number, allegation.pk], data


def _window(case):
    data = {"until": (today() + days(14)).isoformat(), "reason": REASON}
    return "response_window_reopen", [case.number], data


@pytest.mark.parametrize(
    "form, doing",
    [
        (_report, "write the review report"),
        (_finding, "record findings"),
        (_window, "reopen the response window"),
    ],
)
def test_review_forms_sent_after_the_referral_keep_what_was_typed(client, c, referred, form, doing):
    # "You cannot write the review report while the case is board vote."
    refusal = said(
        "You cannot %(doing)s while the case is %(state)s.",
        doing=said(doing),
        state=said_p("case state", "Board vote").lower(),
    )
    name, args, data = form(referred)
    before = case_snapshot(referred)
    client.force_login(c.staff)

    response = client.post(reverse(f"cases:{name}", args=args), data)

    assert response.status_code == 400
    assert squeezed(escape(refusal)) in text_of(response)
    assert kept(response, REASON)
    assert case_snapshot(referred) == before


def test_vote_sent_after_the_ballot_closed_keeps_the_reason(client, c, sanctioned):
    before = case_snapshot(sanctioned)
    client.force_login(c.board[0])

    response = client.post(
        reverse("cases:vote_cast", args=[sanctioned.number]),
        {"choice": "no_violation", "reason": REASON},
    )

    assert response.status_code == 403
    page = text_of(response)
    assert squeezed(said("This ballot is closed: no vote can be cast or changed.")) in page
    assert kept(response, REASON)
    assert said("No violation found") in section(response, "vote-h")
    assert case_snapshot(sanctioned) == before


# ---------------------------------------------------------------------------
# Letters
# ---------------------------------------------------------------------------


def _correct(client, case, letter, reason):
    return client.post(
        reverse("cases:letter_correct", args=[case.number, letter.pk]),
        {f"correct{letter.pk}-reason": reason},
    )


def test_letter_correction_without_a_reason_says_so_and_issues_nothing(client, c, under_review):
    letter = under_review.letters.get(kind="notice_of_complaint")
    before, count = case_snapshot(under_review), Letter.objects.count()
    client.force_login(c.staff)

    response = _correct(client, under_review, letter, "  ")

    assert response.status_code == 400
    required = said("Say what is corrected: a correction needs a reason.")
    assert squeezed(escape(required)) in text_of(response)
    assert (case_snapshot(under_review), Letter.objects.count()) == (before, count)


def test_correcting_a_letter_corrected_meanwhile_keeps_what_was_typed(client, c, under_review):
    letter = under_review.letters.get(kind="notice_of_complaint")
    letters.correct(letter=letter, by=c.staff, reason="The respondent's address was wrong.")
    before, count = case_snapshot(under_review), Letter.objects.count()
    client.force_login(c.staff)

    response = _correct(client, under_review, letter, REASON)

    assert response.status_code == 400
    page = text_of(response)
    superseded = said("This letter was already superseded: correct its latest version.")
    assert squeezed(escape(superseded)) in page
    assert kept(response, REASON)
    assert (case_snapshot(under_review), Letter.objects.count()) == (before, count)
