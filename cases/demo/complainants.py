"""A demo complaint followed by its complainant, who has no account (docs/decisions/0021):
dismissed, appealed by the complainant through their page with the published demo
access code, and before the appeals panel, with a message thread and a piece of
further evidence waiting for staff."""

from __future__ import annotations

from django.contrib.auth.models import User

from cases import services
from cases.access import CodeHolder
from cases.models import Case
from cases.services.complainant_access import access_code_issue
from cases.services.intake import ComplainantInput
from cases.services.record import lock_case

# Published in the README and printed by seed_demo: a demo, not a secret.
DEMO_ACCESS_CODE = "PROB-ITYD-EMOC-OMPL-AINA-NTPA-GE22-2026"
DEMO_COMPLAINANT_CASE = "Claimed a safety rating its light curtains never had"


def _u(username: str) -> User:
    return User.objects.get(username=username)


def demo_complainant_case() -> Case | None:
    return Case.objects.filter(summary=DEMO_COMPLAINANT_CASE).first()


def seed_complainant_case(once, file, step, pdf) -> None:
    s = DEMO_COMPLAINANT_CASE
    if not once(s):
        return
    case = file(
        s,
        "harrow-pneumatics",
        "3",
        officer="bruno.staff",
        complainant=ComplainantInput(
            kind="person",
            name="Priya Raman",
            email="priya.raman@example.net",
            postal_address="7 Mill Street\nNorthbridge NB2 7PL",
        ),
    )
    case = step(case, "open_review", by="bruno.staff")
    case = step(
        case,
        "dismiss",
        "The brochure's rating matches the test certificate on file; principle 3 is not engaged.",
        by="bruno.staff",
    )
    # The known demo code replaces the random one issued at filing.
    access_code_issue(
        lock_case(case), by=_u("bruno.staff"), reason="Demo access code.", code=DEMO_ACCESS_CODE
    )
    access = services.access_code_check(case.number, DEMO_ACCESS_CODE)
    principal = CodeHolder(case_id=access.case_id, access_id=access.pk)
    services.complainant_message_send(
        case=case,
        by=principal,
        body="The certificate you relied on is for an earlier model. Can I send the newer one?",
    )
    services.staff_message_send(
        case=case,
        by=_u("bruno.staff"),
        body="Yes: send it from this page, and say which model it covers.",
    )
    services.complainant_evidence_submit(
        case=case,
        by=principal,
        file=pdf("Test certificate for the current light curtain model"),
        title="Test certificate, current model",
        description="Shows the rating the brochure claims is for the earlier model only.",
    )
    case = services.case_transition(
        case=Case.objects.get(pk=case.pk),
        name="file_complainant_appeal",
        by=principal,
        expected_state=case.state,
        reason=(
            "The dismissal rests on a certificate for an earlier model. The brochure advertises "
            "the current model, whose certificate (sent today) gives a lower rating."
        ),
    )
    services.vote_cast(case=case, voter=_u("panel.ito"), choice="to_review", reason="")
