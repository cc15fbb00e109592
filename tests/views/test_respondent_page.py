"""The respondent's page and the portal, as the representative reads them: the stepper
in their words, what happens next with its date, one deadline wording, the right
outcome text in every outcome, the appeal's grounds, their own files apart and the
hashes behind "verify this file"."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape

from cases.models import Case, VoteChoice
from cases.services import ballots
from cases.templatetags.deadlines import due
from cases.workflow import STATES, CaseState
from tests.factories.cases import fresh, open_review, pdf, respond, step
from tests.factories.dates import days, today
from tests.factories.language import in_client_language, said, shown_to_client
from tests.factories.letters import (
    decided_case,
    dismissed_case,
    no_violation_case,
    referred_case,
    withdrawn_case,
    world_case,
)
from tests.factories.pages import section, text_of
from tests.factories.scenes import vote, vote_all

pytestmark = pytest.mark.django_db

GROUNDS = "The board misread the laboratory's own test records."


def _appealed(w, choice: str, sanction: str = "") -> Case:
    """A censure appealed; every panel member votes `choice`; staff record the decision."""
    case = decided_case(w, "censure", None)
    case = step(case, "file_appeal", w.rep, reason=GROUNDS)
    vote_all(case, w.panel, choice, sanction)
    ballots.appeal_ballot_close(case=fresh(case), by=w.staff)
    return step(case, "decide_appeal", w.staff, reason="The panel's reasons.")


def _finalized(w) -> Case:
    case = decided_case(w, "censure", None)
    Case.objects.filter(pk=case.pk).update(appeal_deadline=today() - days(1))
    return step(fresh(case), "finalize", w.staff)


def _page(client, w, case):
    client.force_login(w.rep)
    return client.get(fresh(case).get_absolute_url())


def _squeezed(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def _words(label) -> str:
    """A label the code keeps (a lazy translation) as the client reads it."""
    with in_client_language():
        return str(label)


def _day(moment) -> str:
    """A recorded moment's day, as the pages write it."""
    return shown_to_client(timezone.localtime(moment).date())


def _stepper(html: str) -> str:
    return html.split(f'aria-label="{escape(said("Stages of the case"))}"')[1].split("</ol>")[0]


def _ended(message: str):
    """What the decision reads for a dismissed or withdrawn complaint."""
    return lambda case: said(message, day=_day(case.state_changed_at), name=case.respondent.name)


def _appeal_decided(message: str):
    """What the decision reads once the appeals panel decided."""
    return lambda case: said(message, day=_day(case.appeal.decided_at), name=case.respondent.name)


def _due(label: str, day) -> str:
    """A deadline as the pages write it: its label, then the day."""
    return f"{said(label)} {shown_to_client(day)}"


# Each outcome: how the case gets there, what the decision reads (given the case), and
# what "Our cases" and "Our membership" say of it.
OUTCOMES = {
    "dismissed": (
        dismissed_case,
        _ended(
            "The complaint was <strong>dismissed</strong> on %(day)s. No finding was made "
            "against %(name)s and the case is closed."
        ),
        "Dismissed",
    ),
    "withdrawn": (
        withdrawn_case,
        _ended(
            "The complaint was <strong>withdrawn</strong> on %(day)s. No finding was made "
            "against %(name)s and the case is closed."
        ),
        "Withdrawn",
    ),
    "no violation": (
        no_violation_case,
        lambda case: said(
            "On %(day)s the board found <strong>no violation</strong> of the code of ethics. "
            "No sanction is imposed and the case is closed.",
            day=_day(case.decided_at),
        ),
        "Decided: no violation found",
    ),
    "sanctioned": (
        lambda w: decided_case(w, "censure", None),
        lambda case: _due("Any appeal must be filed by", case.appeal_deadline),
        STATES[CaseState.SANCTIONED].public_label,
    ),
    "final": (
        _finalized,
        lambda case: said(
            "No appeal was filed in time: the board's decision is <strong>final</strong>."
        ),
        "Closed: the board's decision is final",
    ),
    "upheld": (
        lambda w: _appealed(w, VoteChoice.UPHOLD),
        _appeal_decided(
            "On %(day)s the appeals panel <strong>upheld</strong> the board's decision. "
            "The sanction stands and the case is closed."
        ),
        "Closed: the decision was upheld on appeal",
    ),
    "modified": (
        lambda w: _appealed(w, VoteChoice.MODIFY, "warning"),
        _appeal_decided(
            "On %(day)s the appeals panel <strong>modified</strong> the board's decision: "
            "a lesser sanction replaces it."
        ),
        "Closed: on appeal, a lesser sanction replaced the decision",
    ),
    "overturned": (
        lambda w: _appealed(w, VoteChoice.OVERTURN),
        _appeal_decided(
            "On %(day)s the appeals panel <strong>overturned</strong> the board's decision. "
            "No sanction stands; %(name)s's membership is as it was before the decision. "
            "The case is closed."
        ),
        "Closed: the decision was overturned on appeal; no sanction stands",
    ),
}


@pytest.mark.parametrize("outcome", list(OUTCOMES))
def test_every_outcome_reads_right_on_the_respondent_page_and_in_our_cases(client, world, outcome):
    make, decision_text, short = OUTCOMES[outcome]
    case = fresh(make(world))

    page = _page(client, world, case)
    decision = _squeezed(section(page, "decision-h"))
    assert _squeezed(decision_text(case)) in decision
    assert "imposed: No sanction" not in text_of(page)
    assert said("No sanction.") not in decision

    ours = client.get(reverse("cases:portal_cases"))
    row = next(r for r in ours.content.decode().split("<tr>") if case.number in r)
    short_words = said(short) if isinstance(short, str) else _words(short)
    assert _squeezed(short_words) in _squeezed(row)


def test_the_modified_decision_shows_the_sanction_before_and_after(client, world):
    case = _appealed(world, VoteChoice.MODIFY, "warning")
    decision = _squeezed(section(_page(client, world, case), "decision-h"))
    assert decision.index(said("Censure")) < decision.index(said("Written warning"))


def test_the_overturned_decision_shows_the_sanction_the_board_decided(client, world):
    case = _appealed(world, VoteChoice.OVERTURN)
    decision = _squeezed(section(_page(client, world, case), "decision-h"))
    with in_client_language():
        rescinded_on = formats.date_format(
            timezone.localtime(case.sanctions.get().rescinded_at).date(), "SHORT_DATE_FORMAT"
        )
    assert said("Censure") in decision
    assert _squeezed(said("Rescinded %(day)s", day=rescinded_on)) in decision


def test_a_dismissed_case_ends_the_stepper_where_it_ended(client, world):
    html = _page(client, world, dismissed_case(world)).content.decode()
    stepper = _stepper(html)
    dismissed = escape(_words(STATES[CaseState.DISMISSED].public_label))
    assert f'aria-current="step">{dismissed}</li>' in stepper
    assert escape(_words(STATES[CaseState.BOARD_VOTE].public_label)) not in stepper  # not reached


def test_a_case_with_no_violation_ends_the_stepper_at_the_decision(client, world):
    html = _page(client, world, no_violation_case(world)).content.decode()
    stepper = _stepper(html)
    decided = escape(_words(STATES[CaseState.NO_VIOLATION].public_label))
    assert stepper.rstrip().endswith(f'aria-current="step">{decided}</li>')


def test_under_appeal_our_cases_uses_the_public_label(client, world):
    case = decided_case(world, "censure", None)
    case = step(case, "file_appeal", world.rep, reason=GROUNDS)
    _page(client, world, case)
    ours = _squeezed(client.get(reverse("cases:portal_cases")).content.decode())
    assert _squeezed(_words(STATES[CaseState.UNDER_APPEAL].public_label)) in ours


def test_the_stepper_speaks_the_respondents_words(client, world):
    case = open_review(world_case(world), world.staff)
    html = _page(client, world, case).content.decode()
    stepper = _stepper(html)
    under_review = escape(_words(STATES[CaseState.UNDER_REVIEW].public_label))
    assert 'aria-current="step">' + under_review in stepper
    assert escape(_words(STATES[CaseState.BOARD_VOTE].public_label)) in stepper
    assert escape(_words(STATES[CaseState.BOARD_VOTE].label)) not in stepper


def test_under_review_the_next_step_is_the_response_with_one_wording(client, world):
    case = fresh(open_review(world_case(world), world.staff))
    page = _page(client, world, case)
    text = _squeezed(page.content.decode())
    response_due = _squeezed(_due("Your response is due by", case.response_due_on))
    assert response_due in _squeezed(section(page, "next-h"))
    assert _squeezed(said("Send your response")) in _squeezed(section(page, "next-h"))
    assert "Respond before" not in text and "Response due by" not in text  # older wordings
    assert text.count(response_due) >= 2  # what happens next, the form; the same words


def test_after_the_decision_the_deadline_is_the_appeal_everywhere(client, world):
    case = fresh(decided_case(world, "censure", None))
    page = _page(client, world, case)
    appeal_due = _squeezed(_due("Any appeal must be filed by", case.appeal_deadline))
    assert appeal_due in _squeezed(section(page, "next-h"))
    assert _squeezed(said("Your response is due by")) not in _squeezed(page.content.decode())

    ours = _squeezed(client.get(reverse("cases:portal_cases")).content.decode())
    assert appeal_due in ours
    membership = _squeezed(client.get(reverse("portal")).content.decode())
    assert appeal_due.lower() in membership.lower()


def test_the_appeal_shows_its_grounds_and_when_the_panel_decides(client, world):
    case = decided_case(world, "censure", None)
    case = fresh(step(case, "file_appeal", world.rep, reason=GROUNDS))
    closes = case.ballots.get(kind="appeal", closed_at__isnull=True).closes_on

    appeal = _squeezed(section(_page(client, world, case), "appeal-status-h"))

    assert GROUNDS in appeal
    with in_client_language():
        closes_shown = due(closes)  # "15 December 2026 (in 9 days)"
    assert _squeezed(said("The panel decides by %(day)s.", day=closes_shown)) in appeal


def test_own_uploads_have_their_own_heading_and_hashes_sit_behind_verify(client, world):
    case = open_review(world_case(world), world.staff)
    respond(case, world.rep, attachments=[pdf("our-invoice.pdf")])
    case = fresh(case)
    own = [e for e in case.evidence.all() if e.response_id]
    assert own, "the response should carry an attachment"

    page = _page(client, world, case)

    disclosed = section(page, "evidence-h")
    yours = section(page, "own-h")
    for e in own:
        assert e.title not in disclosed and e.sha256 not in disclosed
        assert e.title in yours
    html = page.content.decode()
    hashes = [e.sha256 for e in case.evidence.filter(disclosed_to_respondent=True)]
    hashes += [x.sha256 for x in case.letters.filter(addressee="respondent")]
    assert len(hashes) >= 3  # the advert, the invoice, the notice
    for sha in hashes:
        # Every place the hash appears is inside a "verify this file" disclosure.
        for at in [m.start() for m in re.finditer(sha, html)]:
            opened = html.rindex("<details", 0, at)
            assert html.rfind("</details>", 0, at) < opened
            assert escape(said("Verify this file")) in html[opened:at]


def test_the_membership_page_lists_open_cases_only_with_the_deadline_first(client, world):
    open_case = fresh(open_review(world_case(world), world.staff))
    closed = dismissed_case(world)
    client.force_login(world.rep)

    html = client.get(reverse("portal")).content.decode()
    cases = section_of(html, "cases-h")

    assert open_case.number in cases and closed.number not in cases
    staff_label = escape(_words(STATES[CaseState.UNDER_REVIEW].label))
    assert staff_label + "<" not in cases  # the staff's label, unused
    assert escape(_words(STATES[CaseState.UNDER_REVIEW].public_label)) in cases
    assert escape(said("Send your response")) in cases


def section_of(html: str, heading_id: str) -> str:
    start = html.rindex("<section", 0, html.index(f'id="{heading_id}"'))
    return html[start : html.index("</section>", start)]


def test_the_respondent_page_never_shows_how_anyone_voted_while_the_ballot_is_open(client, world):
    case = referred_case(world)
    reason = "The relay rating was plainly misstated in the advert."
    vote(case, world.board[0], VoteChoice.VIOLATION, "expulsion", reason=reason)

    page = _page(client, world, case).content.decode()

    for secret in ("Violation found", "Expulsion", "expulsion", reason, "Projected outcome"):
        assert secret not in page, secret
    for member in world.board:
        assert member.get_full_name() not in page
