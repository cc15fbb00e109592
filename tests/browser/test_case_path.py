"""Issues 3 and 4 in a real browser: the whole path of an ethics case.

Issue 3: staff file a complaint with an evidence file and open review; the respondent's
representative responds with an attachment; staff record a finding, write the review
report, add fact-finding and see the due-process checklist turn complete.

Issue 4: staff refer the case to the board; board members vote (one declares a conflict
instead); staff close the ballot; the representative sees the decision and the sanction,
downloads the decision letter (a representative of another organization gets a 404 for
it) and appeals; the appeals panel votes; staff close its ballot and record the decision;
the representative sees it. The representative's pages never name a board member.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from cases import services
from cases.models import (
    Addressee,
    Case,
    CodeOfEthics,
    EvidenceSource,
    Letter,
    LetterKind,
    Principle,
    Procedure,
)
from cases.services import AllegationInput, ComplainantInput, EvidenceInput
from cases.workflow import STEPS
from members.models import Organization
from tests.browser.conftest import TIMEOUT_MS, login, logout
from tests.browser.pages import action as _action
from tests.browser.pages import confirm as _confirm
from tests.browser.pages import status as _status
from tests.factories.members import OrganizationFactory, RepresentativeFactory
from tests.factories.people import board_user, panel_user, staff_user

# One Chromium and a live server: run in bin/test's serial phase, not under xdist.
pytestmark = [pytest.mark.browser, pytest.mark.serial]

PDF_BODY = b"%PDF-1.4\n% Probity browser test\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"

BOARD = [
    ("board.abernathy", "Ottoline", "Abernathy"),
    ("board.brackwater", "Peregrine", "Brackwater"),
    ("board.cardew", "Wilhelmina", "Cardew"),
    ("board.dunsany", "Barnaby", "Dunsany"),
    ("board.ellingham", "Clementine", "Ellingham"),
]
# The board member who declares a conflict instead of voting.
RECUSED = BOARD[4]
PANEL = [
    ("panel.fairweather", "Horatio", "Fairweather"),
    ("panel.gisborne", "Perpetua", "Gisborne"),
    ("panel.hollowell", "Evander", "Hollowell"),
]


def _pdf(tmp_path, name: str):
    path = tmp_path / name
    path.write_bytes(PDF_BODY)
    return path


@pytest.fixture
def people(transactional_db, private_storage):
    """The code, the procedure, the respondent with its representative, and ethics staff."""
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
    Principle.objects.create(
        code=code,
        number="2",
        title="Truthful marketing",
        text="Members make no claim they cannot substantiate.",
        effective_on=datetime.date(2020, 1, 1),
    )
    Procedure.objects.create(version=1, in_force_from=today - datetime.timedelta(days=5 * 365))
    org = OrganizationFactory(name="Redfern Automation", slug="redfern-automation")
    OrganizationFactory(name="Other Company", slug="other-company")
    rep = RepresentativeFactory(
        organization=org,
        user__username="redfern.rep",
        user__first_name="Rita",
        user__last_name="Reyes",
    ).user
    staff = staff_user(username="sam.staff", first_name="Sam", last_name="Staff")
    return {"principle": principle, "organization": org, "rep": rep, "staff": staff}


def test_staff_file_and_review_a_complaint_the_representative_responds(
    browser_page, live_server, people, tmp_path
):
    page = browser_page
    today = timezone.localdate()
    principle = people["principle"]
    conduct_from = today - datetime.timedelta(days=90)
    conduct_to = today - datetime.timedelta(days=40)

    # Staff file the complaint through "New complaint", with one allegation and a file.
    login(page, live_server, "sam.staff")
    expect(page).to_have_url(re.compile(r"/cases/dashboard/$"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New complaint").click()
    expect(page).to_have_url(re.compile(r"/cases/new/$"))
    complaint = page.get_by_role("group", name="The complaint")
    complaint.get_by_label("Respondent").fill("Redfern Automation")
    complaint.get_by_label("Summary").fill("Installed a conveyor guard known to be defective")
    complaint.get_by_label("Conduct could be known on").fill(
        (today - datetime.timedelta(days=30)).isoformat()
    )
    expect(complaint.get_by_label("Case officer")).to_have_value(str(people["staff"].pk))
    complainant = page.get_by_role("group", name="The complainant")
    complainant.get_by_label("Complainant is").select_option(
        label="A person outside the association"
    )
    complainant.get_by_label("Complainant's name").fill("Jordan Pike")
    complainant.get_by_label("Complainant's email").fill("jordan.pike@example.net")

    allegation = page.get_by_role("group", name="Allegation 1", exact=True)
    allegation.get_by_label("Principle").select_option(
        label=f"3. Safety first (in effect from {date_format(principle.effective_on, 'SHORT_DATE_FORMAT')})"
    )
    allegation.get_by_label("Conduct alleged").fill(
        "Installed a guard on conveyor line 2 that its own inspection had failed."
    )
    allegation.get_by_label("Conduct from").fill(conduct_from.isoformat())
    allegation.get_by_label("Conduct to").fill(conduct_to.isoformat())

    evidence = page.get_by_role("group", name="Evidence 1", exact=True)
    evidence.get_by_label("File").set_input_files(_pdf(tmp_path, "inspection-report.pdf"))
    evidence.get_by_label("Title").fill("Inspection report")
    evidence.get_by_label("Disclose to the respondent").check()
    page.get_by_role("button", name="File the complaint").click()

    _status(page, "Complaint filed as case ")
    case = Case.objects.get()
    # The complainant has no account: staff see its access code once, then go on.
    page.get_by_role("link", name="Go to the case").click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.number}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Case {case.number}: Redfern Automation"
    )
    expect(page.get_by_role("region", name="Evidence")).to_contain_text("Inspection report")
    expect(page.get_by_role("region", name="Evidence")).to_contain_text("application/pdf")

    # Open review: the notice of complaint is issued.
    details = _action(page, "Open review and issue the notice of complaint")
    details.get_by_role(
        "button", name="Open review and issue the notice of complaint…", exact=True
    ).click()
    _confirm(page, "Open review and issue the notice of complaint")
    _status(page, "The case is now under review.")
    facts = page.get_by_role("region", name="The complaint")
    expect(facts).to_contain_text("response due by")
    logout(page)

    # The representative finds the case under "Our cases" and responds with an attachment.
    login(page, live_server, "redfern.rep")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Our cases").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Our cases: Redfern Automation")
    page.get_by_role("link", name=case.number, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {case.number}")
    where = page.get_by_role("region", name="Where the case stands")
    expect(where).to_contain_text("Under review: your response is invited")
    expect(where).to_contain_text("Not disclosed under the association's procedure")
    expect(page.get_by_text("Jordan Pike")).to_have_count(0)
    expect(page.get_by_role("region", name="The allegations")).to_contain_text("Safety first")
    expect(page.get_by_role("region", name="Evidence disclosed to you")).to_contain_text(
        "Inspection report"
    )
    responses = page.get_by_role("region", name="Your responses")
    responses.get_by_label("Your response").fill(
        "The guard was replaced the day after the inspection; the invoice is attached."
    )
    responses.get_by_label("Attachments").set_input_files(_pdf(tmp_path, "replacement-invoice.pdf"))
    responses.get_by_role("button", name="Send the response").click()
    _status(page, "Your response was received.")
    responses = page.get_by_role("region", name="Your responses")
    expect(responses).to_contain_text("The guard was replaced the day after the inspection")
    expect(responses).to_contain_text("1 attachment: under “Files you sent”.")
    own = page.get_by_role("region", name="Files you sent")
    expect(own.get_by_role("link", name="replacement-invoice.pdf")).to_be_visible()
    logout(page)

    # Staff: the checklist still lists what is missing before referral.
    login(page, live_server, "sam.staff")
    page.goto(f"{live_server.url}/cases/{case.number}/")
    checklist = page.get_by_role("region", name="Due-process checklist")
    expect(checklist.locator("li.unmet").first).to_be_visible()
    expect(checklist).to_contain_text("Allegation 1 (principle 3) has no finding yet.")
    expect(page.get_by_role("region", name="The respondent's response")).to_contain_text(
        "The guard was replaced"
    )

    # A finding on the allegation.
    item = page.get_by_role("region", name="Allegations and findings").get_by_role("listitem")
    item.locator("summary", has_text="Record a finding").click()
    item.get_by_label("Finding").select_option(label="Substantiated")
    item.get_by_label("Reasons").fill("The inspection report and the invoice date agree.")
    item.get_by_role("button", name="Save finding on allegation 1").click()
    _status(page, "Finding recorded.")
    expect(
        page.get_by_role("region", name="Allegations and findings").get_by_role("listitem")
    ).to_contain_text("Finding: Substantiated.")

    # The review report.
    report = page.get_by_role("region", name="Review report")
    report.locator("summary", has_text="the review report").click()
    report.get_by_label("Review report").fill(
        "The review considered the inspection report, the respondent's response and the "
        "invoice. The finding is set out above."
    )
    # The complainant's file and the respondent's attachment are two sources already, so
    # "rests on one party's report alone" stays unticked.
    expect(report.get_by_label("The case rests on one party's report alone")).not_to_be_checked()
    report.get_by_role("button", name="Save the review report").click()
    _status(page, "Review report saved.")

    # Fact-finding evidence.
    evidence = page.get_by_role("region", name="Evidence")
    evidence.locator("summary", has_text="Add evidence").click()
    evidence.get_by_label("File").set_input_files(_pdf(tmp_path, "site-visit-notes.pdf"))
    evidence.get_by_label("Title").fill("Site visit notes")
    expect(evidence.get_by_label("Supplied by")).to_have_value(EvidenceSource.STAFF)
    evidence.get_by_role("button", name="Add evidence").click()
    _status(page, "Evidence added.")
    evidence = page.get_by_role("region", name="Evidence")
    expect(evidence.get_by_role("row", name=re.compile("Site visit notes"))).to_contain_text(
        "Staff fact-finding"
    )

    # Every rule before referral now holds.
    checklist = page.get_by_role("region", name="Due-process checklist")
    expect(checklist).to_contain_text("Before “refer to the board”")
    items = checklist.get_by_role("listitem")
    rules = len(STEPS["refer_to_board"].rules)
    expect(items).to_have_count(rules)
    expect(checklist.locator("li.unmet")).to_have_count(0)
    expect(checklist.locator("li.met")).to_have_count(rules)
    refer = _action(page, "Refer to the board")
    expect(refer.get_by_role("button", name="Refer to the board…", exact=True)).to_be_enabled()

    case.refresh_from_db()
    assert case.state == "under_review"
    assert case.allegations.get().finding.conclusion == "substantiated"
    assert set(case.evidence.values_list("source", flat=True)) >= {"complainant", "staff"}


# ---------------------------------------------------------------------------
# Issue 4
# ---------------------------------------------------------------------------


def _ready_to_refer(people) -> Case:
    """A case through review (via the services, as the demo builds them): notice issued,
    response received, fact-finding added, finding and review report written."""
    today = timezone.localdate()
    staff, rep = people["staff"], people["rep"]
    conduct_to = today - datetime.timedelta(days=40)

    def pdf(name):
        return SimpleUploadedFile(name, PDF_BODY, content_type="application/pdf")

    case = services.complaint_file(
        by=staff,
        respondent=people["organization"],
        complainant=ComplainantInput(
            kind="organization",
            name="Dana Whitlock",
            organization_name="Automation Weekly",
            email="dana.whitlock@automation-weekly.example",
            consents_to_disclosure=False,
        ),
        summary="Installed a conveyor guard known to be defective",
        conduct_known_on=conduct_to,
        case_officer=staff,
        allegations=[
            AllegationInput(
                principle=people["principle"],
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
        case=case, name="open_review", by=staff, reason="", expected_state=case.state
    )
    services.response_submit(
        case=case,
        by=rep,
        text="The guard was replaced the day after the inspection.",
        attachments=[pdf("replacement-invoice.pdf")],
    )
    services.evidence_add(
        case=case,
        by=staff,
        evidence=EvidenceInput(
            file=pdf("site-visit-notes.pdf"),
            title="Site visit notes",
            source=EvidenceSource.STAFF,
            disclosed_to_respondent=True,
        ),
    )
    for allegation in case.allegations.all():
        services.finding_record(
            allegation=allegation,
            by=staff,
            conclusion="substantiated",
            reasoning="The inspection report establishes the conduct.",
        )
    services.review_report_save(
        case=case,
        by=staff,
        text="The review considered the report, the response and the site visit.",
        rests_on_single_source=False,
    )
    return Case.objects.get(pk=case.pk)


def _assert_not_downloadable(browser, live_server, username: str, url: str) -> None:
    """In a context of its own, `username` logs in and opens `url`: a 404 page, no file."""
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        login(page, live_server, username)
        try:
            response = page.goto(url)
        except PlaywrightError as exc:  # "Download is starting": the file was served
            pytest.fail(f"{username} was served {url}: {exc.message.splitlines()[0]}")
        assert response is not None and response.status == 404, (
            f"{username} got {response and response.status} for {url}, not 404"
        )
        assert response.headers.get("content-type", "").startswith("text/html")
        assert "content-disposition" not in response.headers
    finally:
        context.close()


def _forbidden_names() -> list[str]:
    names = []
    for username, first, last in BOARD:
        names += [username, first, last, f"{first} {last}"]
    return names


def _assert_names_absent(page, names: list[str]) -> None:
    html = page.content()
    shown = [n for n in names if n in html]
    assert not shown, f"{page.url} shows board members' names: {shown}"


def test_board_decides_the_representative_appeals_the_panel_decides(
    browser, browser_page, live_server, people
):
    page = browser_page
    case = _ready_to_refer(people)
    RepresentativeFactory(
        organization=Organization.objects.get(slug="other-company"),
        user__username="other.rep",
        user__first_name="Olga",
        user__last_name="Other",
    )
    for username, first, last in BOARD:
        board_user(username=username, first_name=first, last_name=last)
    for username, first, last in PANEL:
        panel_user(username=username, first_name=first, last_name=last)
    case_url = f"{live_server.url}/cases/{case.number}/"
    forbidden = _forbidden_names()

    # Staff refer the case to the board: the ballot opens.
    login(page, live_server, "sam.staff")
    page.goto(case_url)
    _action(page, "Refer to the board").get_by_role(
        "button", name="Refer to the board…", exact=True
    ).click()
    _confirm(page, "Refer to the board")
    _status(page, "The case is now board vote.")
    board_ballot = page.get_by_role("region", name="Board ballot")
    expect(board_ballot).to_contain_text("Not yet voted (5)")
    logout(page)

    # One board member declares a conflict of interest instead of voting.
    login(page, live_server, RECUSED[0])
    expect(page).to_have_url(re.compile(r"/cases/ballots/$"))
    page.get_by_role("link", name=case.number, exact=True).click()
    conflict = page.locator("details").filter(
        has=page.locator("summary", has_text="Declare a conflict of interest")
    )
    conflict.locator("summary").click()
    # Typed into the box under "Your conflict of interest", as a sighted user would: the
    # label itself points at the vote form's textarea (both are id_reason; see
    # test_board_case_page_has_unique_field_ids below).
    conflict.get_by_role("textbox").fill("I advised Redfern Automation on this installation.")
    conflict.get_by_role("button", name="Declare the conflict").click()
    _status(page, "Your conflict of interest is recorded")
    expect(page).to_have_url(re.compile(r"/cases/ballots/$"))
    expect(page.get_by_role("link", name=case.number, exact=True)).to_have_count(0)
    logout(page)

    # The other four vote: violation found, censure.
    for username, _first, _last in BOARD[:4]:
        login(page, live_server, username)
        expect(page).to_have_url(re.compile(r"/cases/ballots/$"))
        page.get_by_role("link", name=case.number, exact=True).click()
        vote = page.get_by_role("region", name=re.compile("^Your vote"))
        vote.get_by_role("radio", name="Violation found", exact=True).check()
        vote.get_by_label("Sanction you support").select_option(label="Censure")
        vote.get_by_role("button", name="Cast my vote").click()
        _status(page, "Your vote is recorded.")
        logout(page)

    # Staff see the ballot complete and close it.
    login(page, live_server, "sam.staff")
    page.goto(case_url)
    board_ballot = page.get_by_role("region", name="Board ballot")
    expect(board_ballot).to_contain_text("Voted (4)")
    expect(board_ballot).to_contain_text("Recused (1)")
    expect(board_ballot).to_contain_text(f"{RECUSED[1]} {RECUSED[2]}")
    expect(board_ballot).to_contain_text("Quorum: reached")
    label = "Close the board's ballot and record the decision"
    _action(page, label).get_by_role("button", name=label + "…", exact=True).click()
    _confirm(page, label)
    _status(page, "The case is now sanctioned.")
    expect(page.get_by_role("region", name="Decision and sanctions")).to_contain_text("Censure")
    logout(page)

    # The representative sees the decision and the sanction in plain words, and appeals.
    login(page, live_server, "redfern.rep")
    _assert_names_absent(page, forbidden)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Our cases").click()
    expect(page.get_by_role("row", name=re.compile(case.number))).to_contain_text(
        "Decided: sanction imposed"
    )
    _assert_names_absent(page, forbidden)
    page.get_by_role("link", name=case.number, exact=True).click()
    decision = page.get_by_role("region", name="The decision")
    expect(decision).to_contain_text(
        "the board found that Redfern Automation breached the code of ethics and decided on:"
    )
    expect(decision).to_contain_text("Censure")
    expect(decision).to_contain_text("The member is censured; the censure stays on its record.")
    expect(decision).to_contain_text("Any appeal must be filed by")
    _assert_names_absent(page, forbidden)

    # Closing the ballot issued the decision letter to the respondent; the representative
    # finds it under "Letters" on the case page and downloads it: the very PDF on record.
    letter = Letter.objects.get(case=case, kind=LetterKind.DECISION, addressee=Addressee.RESPONDENT)
    letter_url = f"{live_server.url}{letter.get_absolute_url()}"
    letters_list = page.get_by_role("region", name="Letters")
    link = letters_list.get_by_role("link", name="Decision letter", exact=True)
    expect(link).to_have_attribute("href", letter.get_absolute_url())
    expect(letters_list).to_contain_text(f"SHA-256 {letter.sha256}")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.failure() is None
    assert download.url == letter_url
    assert download.suggested_filename == f"{case.number}-decision.pdf"
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(pdf) == letter.size
    assert hashlib.sha256(pdf).hexdigest() == letter.sha256

    # A representative of another organization, logged in, gets a 404 for the same URL.
    _assert_not_downloadable(browser, live_server, "other.rep", letter_url)

    appeal = page.get_by_role("region", name="Appeal", exact=True)
    appeal.get_by_label("Grounds of appeal").fill(
        "The guard was replaced before the line restarted; the invoice shows the date."
    )
    appeal.get_by_role("button", name="File the appeal").click()
    _status(page, "The case is now under appeal.")
    expect(page.get_by_role("region", name="Your appeal")).to_contain_text(
        "The appeals panel is considering it. The panel decides by"
    )
    _assert_names_absent(page, forbidden)
    logout(page)

    # The appeals panel votes to uphold.
    for username, _first, _last in PANEL:
        login(page, live_server, username)
        expect(page).to_have_url(re.compile(r"/cases/ballots/$"))
        page.get_by_role("link", name=case.number, exact=True).click()
        expect(page.get_by_role("region", name="Grounds of appeal")).to_contain_text(
            "The guard was replaced before the line restarted"
        )
        vote = page.get_by_role("region", name=re.compile("^Your vote"))
        vote.get_by_role("radio", name="Uphold the decision", exact=True).check()
        vote.get_by_role("button", name="Cast my vote").click()
        _status(page, "Your vote is recorded.")
        logout(page)

    # Staff close the panel's ballot and record the appeal decision with reasons.
    login(page, live_server, "sam.staff")
    page.goto(case_url)
    page.get_by_role("button", name="Close the appeals panel's ballot…").click()
    _confirm(page, "Close the appeals panel's ballot")
    _status(page, "The appeals panel's ballot is closed.")
    label = "Record the appeal decision"
    details = _action(page, label)
    details.get_by_label("Reasons for the appeal decision").fill(
        "The panel found that the guard was in use after the failed inspection."
    )
    details.get_by_role("button", name=label, exact=True).click()
    _status(page, "The case is now closed.")
    expect(page.get_by_role("region", name="Appeal", exact=True)).to_contain_text(
        "Decision: Upheld"
    )
    logout(page)

    # The representative sees the appeal decision; still no board member's name.
    login(page, live_server, "redfern.rep")
    page.goto(case_url)
    yours = page.get_by_role("region", name="Your appeal")
    expect(yours).to_contain_text("Decision: Upheld.")
    expect(yours).to_contain_text("the guard was in use after the failed inspection")
    expect(page.get_by_role("region", name="Where the case stands")).to_contain_text("Closed")
    _assert_names_absent(page, forbidden)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Our membership").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Our membership: Redfern Automation")
    portal_letters = page.get_by_role("region", name="Letters")
    expect(
        portal_letters.get_by_role("link", name=f"Decision letter, case {case.number}", exact=True)
    ).to_have_attribute("href", letter.get_absolute_url())
    _assert_names_absent(page, forbidden)

    case.refresh_from_db()
    assert case.state == "closed"
    assert case.appeal.outcome == "upheld"


def test_ballot_pages_label_their_own_fields(browser_page, live_server, people):
    """Each label on the ballot pages names the field of its own form, and ids are unique."""
    page = browser_page
    staff = people["staff"]
    case = _ready_to_refer(people)
    for username, first, last in BOARD:
        board_user(username=username, first_name=first, last_name=last)
    services.case_transition(
        case=case, name="refer_to_board", by=staff, reason="", expected_state=case.state
    )
    case_url = f"{live_server.url}/cases/{case.number}/"

    def form_action(locator) -> str:
        return locator.evaluate("el => el.closest('form').getAttribute('action')")

    def duplicate_ids() -> list[str]:
        return page.evaluate(
            """() => {
                const seen = {}, twice = new Set();
                for (const el of document.querySelectorAll('[id]')) {
                    if (el.type === 'hidden') continue;
                    if (seen[el.id]) twice.add(el.id); else seen[el.id] = true;
                }
                return [...twice];
            }"""
        )

    problems = []
    login(page, live_server, BOARD[0][0])
    page.goto(case_url)
    page.locator("summary", has_text="Declare a conflict of interest").click()
    action = form_action(page.get_by_label("Your conflict of interest"))
    if not action.endswith("/conflict/"):
        problems.append(f"board page: “Your conflict of interest” labels a field of {action}")
    if duplicate_ids():
        problems.append(f"board page: duplicate ids {duplicate_ids()}")
    logout(page)

    login(page, live_server, "sam.staff")
    page.goto(case_url)
    page.locator("summary", has_text="Record a conflict of interest raised by a party").click()
    action = form_action(page.get_by_label("Conflict raised by a party"))
    if not action.endswith("/conflict/record/"):
        problems.append(f"staff page: “Conflict raised by a party” labels a field of {action}")
    if duplicate_ids():
        problems.append(f"staff page: duplicate ids {duplicate_ids()}")
    assert not problems, "; ".join(problems)
