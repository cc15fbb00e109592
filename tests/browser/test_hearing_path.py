"""Issue 10 in a real browser: a case with a hearing, walked to a decision.

The respondent's representative asks for a hearing on its case page; staff refer the
case to a hearing, try a date inside the notice period (refused, with the earliest
date) and set it; the representative names its counsel; after the hearing staff keep
its record with the minutes and refer the case to the board's vote; the board reads
the hearing's record on its page and votes; staff close the ballot.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from cases.models import (
    CodeOfEthics,
    EvidenceSource,
    Hearing,
    HearingParticipant,
    Letter,
    LetterKind,
    Principle,
    Procedure,
)
from cases.services import AllegationInput, ComplainantInput, EvidenceInput
from tests.browser.conftest import login, logout
from tests.browser.pages import action, confirm
from tests.browser.pages import open_details as _open
from tests.browser.pages import status as _status
from tests.factories.cases import pdf
from tests.factories.hearings import MINUTES, hearing_day_comes
from tests.factories.members import OrganizationFactory, RepresentativeFactory
from tests.factories.people import board_user, staff_user
from tests.factories.scenes import complete_review

pytestmark = [pytest.mark.browser, pytest.mark.serial]

BOARD = [
    ("board.abernathy", "Ottoline", "Abernathy"),
    ("board.brackwater", "Peregrine", "Brackwater"),
    ("board.cardew", "Wilhelmina", "Cardew"),
]


@pytest.fixture
def reviewed(transactional_db, private_storage):
    """A case under review with every referral rule met, under a procedure that holds a
    hearing when a party asks for one; the board of three is seated."""
    today = timezone.localdate()
    code = CodeOfEthics.objects.create(
        version="2020.1", title="Code of Ethics", adopted_on=datetime.date(2020, 1, 1)
    )
    principle = Principle.objects.create(
        code=code,
        number="3",
        title="Safety first",
        text="Members do not sell or install equipment they know to be unsafe.",
        effective_on=datetime.date(2020, 1, 1),
    )
    Procedure.objects.create(
        version=1,
        in_force_from=today - datetime.timedelta(days=5 * 365),
        hearing="on_request",
        hearing_notice_days=21,
    )
    org = OrganizationFactory(name="Redfern Automation", slug="redfern-automation")
    rep = RepresentativeFactory(
        organization=org,
        user__username="redfern.rep",
        user__first_name="Rita",
        user__last_name="Reyes",
    ).user
    staff = staff_user(username="sam.staff", first_name="Sam", last_name="Staff")
    for username, first, last in BOARD:
        board_user(username=username, first_name=first, last_name=last)
    conduct_to = today - datetime.timedelta(days=40)
    case = services.complaint_file(
        by=staff,
        respondent=org,
        complainant=ComplainantInput(
            kind="person", name="Pat Quinn", email="pat.quinn@example.net"
        ),
        summary="Installed a conveyor guard known to be defective",
        conduct_known_on=today - datetime.timedelta(days=30),
        case_officer=staff,
        allegations=[
            AllegationInput(
                principle=principle,
                conduct="Installed a guard that its own inspection had failed.",
                conduct_from=conduct_to - datetime.timedelta(days=60),
                conduct_to=conduct_to,
            )
        ],
        evidence=[
            EvidenceInput(
                file=pdf("inspection-report.pdf"),
                title="Inspection report",
                source=EvidenceSource.COMPLAINANT,
                disclosed_to_respondent=True,
            )
        ],
    )
    case = services.case_transition(
        case=case, name="open_review", by=staff, expected_state=case.state
    )
    # The review done the one way the tests do it (tests/factories/scenes.py).
    return complete_review(case, staff, rep=rep)


def _step(page, label: str) -> None:
    """Take a step from "What you can do now"; an irreversible one ("…") goes through
    its confirmation page."""
    details = action(page, label)
    plain = details.get_by_role("button", name=label, exact=True)
    if plain.count():
        plain.click()
        return
    details.get_by_role("button", name=label + "…", exact=True).click()
    confirm(page, label)


def test_a_case_with_a_hearing_walks_to_a_decision(browser_page, live_server, reviewed, tmp_path):
    page = browser_page
    case = reviewed
    case_url = f"{live_server.url}/cases/{case.number}/"
    today = timezone.localdate()

    # The representative asks for a hearing on its case page.
    login(page, live_server, "redfern.rep")
    page.goto(case_url)
    hearing = page.get_by_role("region", name="Hearing", exact=True)
    expect(hearing).to_contain_text("you may ask to be heard by the board")
    ask = _open(hearing, "Ask for a hearing")
    ask.get_by_label("Why you ask to be heard").fill("Our engineer can show the replacement log.")
    ask.get_by_role("button", name="Ask for a hearing").click()
    _status(page, "Your request for a hearing was received.")
    logout(page)

    # Staff: referral to the board is now refused; they refer the case to a hearing.
    login(page, live_server, "sam.staff")
    page.goto(case_url)
    checklist = page.get_by_role("region", name="Due-process checklist")
    expect(checklist).to_contain_text("The respondent asked for a hearing on")
    _step(page, "Refer to a hearing before the board")
    _status(page, "The case is now hearing.")

    # A date inside the notice period is refused, naming the earliest date; typed text stays.
    hearing = page.get_by_role("region", name="Hearing", exact=True)
    form = _open(hearing, "Set the hearing")
    form.get_by_label("Date of the hearing").fill((today + datetime.timedelta(days=7)).isoformat())
    form.get_by_label(re.compile(r"^Time:?$")).fill("10:30")
    form.get_by_label("Time zone").select_option("Europe/London")
    form.get_by_label("Place").fill("14 Foundry Lane: the board room")
    form.get_by_label("Attendees, counsel and witnesses named by").fill(
        (today + datetime.timedelta(days=3)).isoformat()
    )
    form.get_by_role("button", name="Set the hearing and send the notice").click()
    hearing = page.get_by_role("region", name="Hearing", exact=True)
    expect(hearing).to_contain_text("cannot be set sooner than the procedure's notice of 21 days")
    form = hearing.locator("#form-hearing")
    expect(form.get_by_label("Place")).to_have_value("14 Foundry Lane: the board room")
    form.get_by_label("Date of the hearing").fill((today + datetime.timedelta(days=21)).isoformat())
    form.get_by_role("button", name="Set the hearing and send the notice").click()
    _status(page, "The hearing is set; the notice of hearing went to both parties.")
    hearing = page.get_by_role("region", name="Hearing", exact=True)
    expect(hearing).to_contain_text("10:30 (Europe/London)")
    expect(hearing).to_contain_text("Ottoline Abernathy, Peregrine Brackwater, Wilhelmina Cardew")
    assert Letter.objects.filter(case=case, kind=LetterKind.NOTICE_OF_HEARING).count() == 2
    logout(page)

    # The representative names its counsel.
    login(page, live_server, "redfern.rep")
    page.goto(case_url)
    hearing = page.get_by_role("region", name="Hearing", exact=True)
    expect(hearing).to_contain_text("14 Foundry Lane: the board room")
    people = _open(hearing, "Name your attendees, counsel and witnesses")
    people.get_by_label("Person 1: role").select_option("counsel")
    people.get_by_label("Person 1: name").fill("Ada Byrne")
    people.get_by_role("button", name="Send the names").click()
    _status(page, "the names are recorded for the hearing")
    assert HearingParticipant.objects.get(case=case).name == "Ada Byrne"
    logout(page)

    # The hearing is held; staff keep its record and refer the case to the vote.
    hearing_day_comes(case)
    minutes = tmp_path / "minutes.pdf"
    minutes.write_bytes(MINUTES)
    login(page, live_server, "sam.staff")
    page.goto(case_url)
    hearing = page.get_by_role("region", name="Hearing", exact=True)
    record = _open(hearing, "Keep the hearing's record")
    record.get_by_label("Ottoline Abernathy").check()
    record.get_by_label("Ada Byrne (counsel, the respondent)").check()
    record.get_by_label("Others who attended (one per line)").fill("Rita Reyes")
    record.get_by_label("The minutes or the recording").set_input_files(str(minutes))
    record.get_by_role("button", name="Keep the record").click()
    _status(page, "The hearing's record is kept.")
    _step(page, "Refer to the board's vote after the hearing")
    _status(page, "The case is now board vote.")
    logout(page)

    # The board reads the hearing's record and votes.
    for username, _first, _last in BOARD:
        login(page, live_server, username)
        page.goto(case_url)
        heard = page.get_by_role("region", name="Hearing", exact=True)
        expect(heard).to_contain_text("Attended: Ottoline Abernathy; Ada Byrne")
        expect(
            heard.get_by_role("link", name=re.compile("Record of the hearing of"))
        ).to_be_visible()
        vote = page.get_by_role("region", name=re.compile("^Your vote"))
        vote.get_by_role("radio", name="Violation found", exact=True).check()
        vote.get_by_label("Sanction you support").select_option(label="Censure")
        vote.get_by_role("button", name="Cast my vote").click()
        _status(page, "Your vote is recorded.")
        logout(page)

    # Staff close the ballot: the decision.
    login(page, live_server, "sam.staff")
    page.goto(case_url)
    _step(page, "Close the board's ballot and record the decision")
    _status(page, "The case is now sanctioned.")

    case.refresh_from_db()
    assert case.state == "sanctioned"
    assert Hearing.objects.get(case=case).attended == [
        "Ottoline Abernathy",
        "Ada Byrne (counsel, the respondent)",
        "Rita Reyes",
    ]
    assert services.verify_case_record(case).ok
