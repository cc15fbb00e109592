"""Issue 10 in a real browser: a complainant without an account follows a dismissed
complaint on their page, writes to the staff and appeals; the appeals panel votes;
staff close its ballot and record the decision; the complainant reads it on the page
and downloads the letter (docs/decisions/0021)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from cases.models import Case, CodeOfEthics, EvidenceSource, Principle, Procedure, VoteChoice
from cases.services import AllegationInput, ComplainantInput, EvidenceInput
from tests.browser.conftest import login, logout
from tests.factories.members import OrganizationFactory, RepresentativeFactory
from tests.factories.people import panel_user, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.serial]

PDF_BODY = b"%PDF-1.4\n% Probity browser test\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
GROUNDS = "The dismissal relied on a certificate for an earlier model of the light curtain."


@pytest.fixture
def dismissed(transactional_db, private_storage):
    """A complaint by a person without an account, dismissed under review, under a
    procedure that lets the complainant appeal; three panel members."""
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
        complainant_appeal=True,
    )
    org = OrganizationFactory(name="Harrow Pneumatics", slug="harrow-pneumatics")
    RepresentativeFactory(organization=org, user__username="harrow.rep")
    staff = staff_user(username="sam.staff", first_name="Sam", last_name="Staff")
    panel = [panel_user(username=f"panel.p{i}") for i in range(3)]
    case = services.complaint_file(
        by=staff,
        respondent=org,
        complainant=ComplainantInput(
            kind="person", name="Priya Raman", email="priya.raman@example.net"
        ),
        summary="Claimed a safety rating its light curtains never had",
        conduct_known_on=today - datetime.timedelta(days=60),
        case_officer=staff,
        allegations=[
            AllegationInput(
                principle=principle,
                conduct="The brochure claims a rating the product never had.",
                conduct_from=today - datetime.timedelta(days=120),
                conduct_to=today - datetime.timedelta(days=90),
            )
        ],
        evidence=[
            EvidenceInput(
                file=SimpleUploadedFile("brochure.pdf", PDF_BODY, "application/pdf"),
                title="The brochure",
                source=EvidenceSource.COMPLAINANT,
                disclosed_to_respondent=True,
            )
        ],
    )
    code_shown = case.new_access_code
    case = services.case_transition(case=case, name="open_review", by=staff, expected_state="filed")
    case = services.case_transition(
        case=case,
        name="dismiss",
        by=staff,
        reason="The rating matches the certificate on file.",
        expected_state="under_review",
    )
    return {"case": case, "code": code_shown, "panel": panel}


def test_a_complainant_appeals_a_dismissal_through_their_page(browser_page, live_server, dismissed):
    page = browser_page
    case, code = dismissed["case"], dismissed["code"]
    page_url = f"{live_server.url}/cases/complainant/{case.number}/"

    # A wrong code first: refused, the reference kept.
    page.goto(f"{live_server.url}/cases/complainant/")
    page.get_by_label("Case reference").fill(case.number)
    page.get_by_label("Access code").fill("AAAA-BBBB")
    page.get_by_role("button", name="Open my case").click()
    expect(page.get_by_text("do not match")).to_be_visible()
    expect(page.get_by_label("Case reference")).to_have_value(case.number)

    # The right one opens the page of this case.
    page.get_by_label("Access code").fill(code.lower())
    page.get_by_role("button", name="Open my case").click()
    expect(page).to_have_url(page_url)
    expect(page.locator("#complainant-stage")).to_have_text("Dismissed")
    expect(page.get_by_role("region", name="Your deadlines")).to_contain_text(
        "You may appeal the dismissal until"
    )
    letters = page.get_by_role("region", name="Letters to you")
    expect(letters.get_by_role("link", name="Dismissal notice")).to_be_visible()

    # A message to the staff.
    messages = page.get_by_role("region", name="Messages with the ethics staff")
    messages.get_by_label("Your message").fill("I have the certificate for the current model.")
    messages.get_by_role("button", name="Send the message").click()
    expect(page.get_by_role("status")).to_contain_text("Your message is sent")
    expect(page.get_by_role("region", name="Messages with the ethics staff")).to_contain_text(
        "I have the certificate for the current model."
    )

    # The appeal, with written grounds.
    appeal = page.get_by_role("region", name="Appeal")
    appeal.get_by_label("Grounds of appeal").fill(GROUNDS)
    appeal.get_by_role("button", name="File the appeal").click()
    expect(page.get_by_role("status")).to_contain_text("Your appeal is filed")
    expect(page.locator("#complainant-stage")).to_have_text(
        "Your appeal is before the appeals panel"
    )
    assert Case.objects.get(pk=case.pk).state == "complainant_appeal"

    # The appeals panel sends the case back to review.
    for member in dismissed["panel"]:
        services.vote_cast(
            case=Case.objects.get(pk=case.pk), voter=member, choice=VoteChoice.SEND_TO_REVIEW
        )

    # Staff see the message and the grounds, close the ballot and record the decision.
    page.get_by_role("button", name="Leave this page (sign out)").click()
    login(page, live_server, "sam.staff")
    page.goto(f"{live_server.url}/cases/{case.number}/")
    side = page.get_by_role("region", name="The complainant's page")
    expect(side).to_contain_text("I have the certificate for the current model.")
    expect(side).to_contain_text(GROUNDS)
    side.get_by_role("button", name="Close the appeals panel's ballot").click()
    expect(page.get_by_role("status")).to_contain_text("The appeals panel's ballot is closed")
    label = "Record the decision on the complainant's appeal"
    actions = page.get_by_role("region", name="What you can do now")
    details = actions.locator("details").filter(
        has=page.locator("summary", has_text=re.compile(rf"^\s*{re.escape(label)}"))
    )
    details.locator("summary").click()
    details.get_by_role("textbox").fill("The current model's certificate must be considered.")
    details.get_by_role("button", name=label, exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("The case is now under review.")
    logout(page)

    # The complainant reads the decision and its letter on their page.
    page.goto(f"{live_server.url}/cases/complainant/")
    page.get_by_label("Case reference").fill(case.number)
    page.get_by_label("Access code").fill(code)
    page.get_by_role("button", name="Open my case").click()
    expect(page.locator("#complainant-stage")).to_contain_text("Under review")
    expect(page.get_by_role("region", name="Your appeal")).to_contain_text(
        "Decision: Sent back to review."
    )
    letter = page.get_by_role("region", name="Letters to you").get_by_role(
        "link", name="Decision on the complainant's appeal"
    )
    with page.expect_download() as download:
        letter.click()
    assert download.value.suggested_filename == f"{case.number}-c-appeal-decision.pdf"
