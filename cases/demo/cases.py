"""Demo cases: a fictional code of ethics, the procedure, and cases at every stage the
workflow reaches, so a newcomer sees it at once. Idempotent: cases are keyed by
their summary, and each is built through the services, as staff would."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from cases import (
    rendering,  # looked up at call time: tests may stand in a fast renderer
    services,
)
from cases.demo.complainants import seed_complainant_case
from cases.demo.compliance import seed_compliance
from cases.demo.consent import seed_consent_and_interim
from cases.demo.decisions import seed_decisions
from cases.demo.hearings import seed_hearing_case
from cases.models import Case, CodeOfEthics, EvidenceSource, Letterhead, Principle, Procedure
from cases.services import AllegationInput, ComplainantInput, EvidenceInput
from members.models import Organization

CODE_ADOPTED_ON = datetime.date(2020, 1, 1)
PRINCIPLES = [
    ("1", "Honesty in dealings", "Members deal honestly with customers, suppliers and each other."),
    (
        "2",
        "Truthful marketing",
        "Members make no claim about their products or services that they cannot substantiate.",
    ),
    ("3", "Safety first", "Members do not sell or install equipment they know to be unsafe."),
    (
        "4",
        "Fair competition",
        "Members do not disparage competitors falsely or fix prices with them.",
    ),
    ("5", "Confidentiality", "Members keep customers' confidential information confidential."),
    ("6", "Compliance with law", "Members comply with the laws that apply to their business."),
    (
        "7",
        "Respect for the association",
        "Members do not misrepresent their membership or the association's endorsement.",
    ),
]
# Added to the code later than the rest: conduct before this date cannot breach it.
LATE_PRINCIPLE = (
    "8",
    "Responsible data handling",
    "Members protect the personal data their equipment collects and disclose how it is used.",
    datetime.date(2025, 6, 1),
)


DEMO_DOCUMENT = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title><style>body {{ font-family: "DejaVu Sans", sans-serif; margin: 2cm; }}
h1 {{ font-size: 16pt; }} p {{ font-size: 11pt; line-height: 1.5; }}</style></head>
<body><h1>{title}</h1><p>Demo evidence in the Probity demo association. This document is
fictional: it stands for an exhibit a complainant, a respondent or the ethics staff would
file, so that the demo's evidence opens in any PDF reader.</p>
<p>Prepared {today}. Every person and company named in the demo is invented.</p></body></html>"""


def _pdf(title: str) -> SimpleUploadedFile:
    """A real, valid PDF rendered by the project's own letter renderer."""
    html = DEMO_DOCUMENT.format(title=escape(title), today=timezone.localdate().isoformat())
    return SimpleUploadedFile(
        f"{title.lower().replace(' ', '-')}.pdf",
        rendering.render_pdf(html),
        content_type="application/pdf",
    )


def seed_code_and_procedure() -> None:
    code, _ = CodeOfEthics.objects.get_or_create(
        version="2020.1",
        defaults={
            "title": "Code of Ethics of the Northbridge Automation Trade Association",
            "adopted_on": CODE_ADOPTED_ON,
            "preamble": "Members of the association commit to the principles below.",
        },
    )
    for number, title, text in PRINCIPLES:
        Principle.objects.get_or_create(
            code=code,
            number=number,
            defaults={"title": title, "text": text, "effective_on": CODE_ADOPTED_ON},
        )
    number, title, text, effective = LATE_PRINCIPLE
    Principle.objects.get_or_create(
        code=code, number=number, defaults={"title": title, "text": text, "effective_on": effective}
    )
    if not Procedure.objects.exists():
        # The demo's procedure lets the complainant appeal (docs/decisions/0021).
        Procedure.objects.create(
            version=1, in_force_from=datetime.date(2020, 1, 1), complainant_appeal=True
        )
    if not Letterhead.objects.exists():
        head = Letterhead(
            association_name="Northbridge Automation Trade Association",
            address="14 Foundry Lane\nNorthbridge NB1 4QT\nUnited Kingdom",
            email="ethics@northbridge-automation.example",
            website="https://northbridge-automation.example",
            signatory_name="Helen Marsh",
            signatory_title="Chair of the Ethics Committee",
        )
        head.logo.save("northbridge-logo.png", ContentFile(_logo_png()), save=False)
        head.save()


def _logo_png() -> bytes:
    """A small generated logo, so the demo letterhead has one without shipping an image."""
    from io import BytesIO

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 80), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([4, 4, 76, 76], fill=(29, 78, 137))
    draw.polygon([(16, 64), (40, 16), (64, 64)], fill="white")
    draw.text((88, 30), "NATA", fill=(29, 78, 137))
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _principle(number: str) -> Principle:
    return Principle.objects.get(number=number)


def _org(slug: str) -> Organization:
    return Organization.objects.get(slug=slug)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _file(
    summary: str,
    respondent: str,
    principle: str,
    *,
    officer="alice.staff",
    complainant=None,
    months_ago=3,
    evidence_source=EvidenceSource.COMPLAINANT,
    disclosed=True,
) -> Case:
    today = timezone.localdate()
    conduct_to = today - datetime.timedelta(days=30 * months_ago)
    return services.complaint_file(
        by=_user(officer),
        respondent=_org(respondent),
        complainant=complainant
        or ComplainantInput(
            kind="organization",
            name="Dana Whitlock",
            organization_name="Automation Weekly",
            email="dana.whitlock@automation-weekly.example",
            consents_to_disclosure=False,
        ),
        summary=summary,
        conduct_known_on=conduct_to,
        case_officer=_user(officer),
        allegations=[
            AllegationInput(
                principle=_principle(principle),
                conduct=f"{summary}. Described in the complainant's letter and its attachments.",
                conduct_from=conduct_to - datetime.timedelta(days=60),
                conduct_to=conduct_to,
            )
        ],
        evidence=[
            EvidenceInput(
                file=_pdf(f"Complainant letter {respondent}"),
                title="Complainant's letter",
                source=evidence_source,
                disclosed_to_respondent=disclosed,
            )
        ],
    )


def _step(case: Case, name: str, reason: str = "", by="alice.staff") -> Case:
    return services.case_transition(
        case=case, name=name, by=_user(by), reason=reason, expected_state=case.state
    )


def _review(case: Case, *, respond=True, finding="substantiated") -> Case:
    """Take a case through review up to the point where it can be referred."""
    staff = _user(case.case_officer.username)
    if respond:
        rep = case.respondent.representatives.first().user
        services.response_submit(
            case=case,
            by=rep,
            text=(
                "We dispute the complaint. The brochure was corrected as soon as we were told; "
                "the attached correspondence shows the dates."
            ),
            attachments=[_pdf(f"Respondent correspondence {case.number}")],
        )
    services.evidence_add(
        case=case,
        by=staff,
        evidence=EvidenceInput(
            file=_pdf(f"Fact-finding notes {case.number}"),
            title="Staff fact-finding notes",
            source=EvidenceSource.STAFF,
            disclosed_to_respondent=True,
        ),
    )
    for allegation in case.allegations.all():
        services.finding_record(
            allegation=allegation,
            by=staff,
            conclusion=finding,
            reasoning="The documents on file establish the conduct alleged.",
        )
    services.review_report_save(
        case=case,
        by=staff,
        rests_on_single_source=False,
        text=(
            "The review considered the complainant's letter, the respondent's response and staff "
            "fact-finding. The findings are set out per allegation."
        ),
    )
    return Case.objects.get(pk=case.pk)


@transaction.atomic
def seed_cases() -> None:
    seed_code_and_procedure()
    existing = set(Case.objects.values_list("summary", flat=True))

    def once(summary):
        return summary not in existing

    s = "Brochure claims an unsubstantiated safety certification"
    if once(s):
        _file(s, "cobalt-motion-systems", "2")  # stays filed: checklist shows what is missing

    s = "Installed a conveyor guard known to be defective"
    if once(s):
        case = _file(s, "redfern-automation", "3", officer="bruno.staff")
        _step(case, "open_review")  # under review, response window open

    s = "Shared a customer's plant layout with a competitor"
    if once(s):
        case = _file(
            s,
            "westcott-partners",
            "5",
            complainant=ComplainantInput(
                kind="member_representative",
                name="Sam Marsh",
                member_organization=_org("aldercrest-robotics"),
                email="rep.aldercrest-robotics@example.org",
                consents_to_disclosure=True,
            ),
        )
        case = _step(case, "open_review")
        _review(case)  # ready to refer: the checklist is complete

    s = "Disparaged a competitor's product at a trade fair"
    if once(s):
        case = _file(s, "greyfield-machines", "4", evidence_source=EvidenceSource.PUBLIC_RECORD)
        _step(
            case,
            "dismiss",
            "The statements were opinion, not false statements of fact; "
            "principle 4 is not engaged.",
        )

    s = "Late invoice dispute raised as an ethics complaint"
    if once(s):
        case = _file(s, "hollin-parts", "1", officer="chen.staff")
        _step(
            case,
            "withdraw",
            "The complainant withdrew after the invoice was settled.",
            by="chen.staff",
        )

    s = "Collected telemetry without telling customers (conduct before principle 8)"
    if once(s):
        # Filed but blocked: the principle cited took effect after the conduct ended.
        today = timezone.localdate()
        services.complaint_file(
            by=_user("bruno.staff"),
            respondent=_org("ironbridge-automation"),
            complainant=ComplainantInput(
                kind="person", name="Jordan Pike", email="jordan.pike@example.net"
            ),
            summary=s,
            conduct_known_on=today - datetime.timedelta(days=40),
            case_officer=_user("bruno.staff"),
            allegations=[
                AllegationInput(
                    principle=_principle("8"),
                    conduct="Collected telemetry without disclosure.",
                    conduct_from=datetime.date(2024, 9, 1),
                    conduct_to=datetime.date(2025, 3, 31),
                )
            ],
            evidence=[
                EvidenceInput(
                    file=_pdf("Telemetry report"),
                    title="Customer's report",
                    source=EvidenceSource.COMPLAINANT,
                )
            ],
        )

    seed_decisions(once, _file, _step, _review)
    seed_complainant_case(once, _file, _step, _pdf)
    seed_compliance(once, _file, _step, _review)
    # Last: it adopts procedure version 2 (hearings on request) for what follows.
    seed_hearing_case(once, _file, _step, _review)
    # Last: it adopts a procedure version from today, for the cases it files.
    seed_consent_and_interim(once, _file, _step, _review)
