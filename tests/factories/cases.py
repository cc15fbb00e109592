"""Ethics cases: the code of ethics, the procedure, uploads, filing and moving a case.

Cases are filed and moved through the real services (cases.services), as the app does,
so each has the case record, permissions and letters a real one would have. Only states
a test cannot reach through the services are forced with a queryset update
(force_state), in test setup only. Bigger scenes (a case at review with findings, a case
before the board, a sanctioned case) are in tests.factories.scenes.
"""

from __future__ import annotations

import datetime

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max

from cases import services
from cases.models import (
    Case,
    CaseEvent,
    CaseUserObjectPermission,
    CodeOfEthics,
    ComplainantKind,
    Evidence,
    EvidenceSource,
    LegalHold,
    Principle,
    Procedure,
    Publication,
    Response,
    Vote,
)
from cases.services import AllegationInput, ComplainantInput, EvidenceInput
from cases.workflow import CaseState
from members.models import Organization
from tests.factories.dates import days, today
from tests.factories.members import OrganizationFactory
from tests.factories.people import staff_user

ALL_STATES = [s.value for s in CaseState]

# Where each step may start, and where it leads (DESIGN.md, "The case workflow").
ALLOWED_SOURCES = {
    "open_review": {"filed"},
    "refer_to_board": {"under_review"},
    "dismiss": {"filed", "under_review", "hearing"},
    "withdraw": {"filed", "under_review", "hearing"},
    "reopen": {"dismissed"},
}
TARGETS = {
    "open_review": "under_review",
    "refer_to_board": "board_vote",
    "dismiss": "dismissed",
    "withdraw": "withdrawn",
    "reopen": "filed",
}
STEPS_NEEDING_A_REASON = {"dismiss", "withdraw", "reopen"}

# The complainant of every case unless a test names another: a trade journalist.
COMPLAINANT_NAME = "Dana Whitfield"
COMPLAINANT_ORG = "Industrial Robotics Weekly"
COMPLAINANT_EMAIL = "dana@robotics-weekly.example"
COMPLAINANT_PHONE = "+44 20 7946 0001"
CONDUCT = "Advertised a collaborative robot as certified safe when it was not."


# ---------------------------------------------------------------------------
# The code of ethics and the procedure
# ---------------------------------------------------------------------------


class CodeOfEthicsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CodeOfEthics

    version = factory.Sequence(lambda n: f"{2020 + n}.1")
    title = "Code of Ethical Business Conduct"
    adopted_on = factory.LazyFunction(lambda: today() - days(10 * 365))
    preamble = "Members of the association conduct their business honestly."


class PrincipleFactory(factory.django.DjangoModelFactory):
    """A principle in effect since its code was adopted, unless told otherwise."""

    class Meta:
        model = Principle

    code = factory.SubFactory(CodeOfEthicsFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    title = factory.Sequence(lambda n: f"Honest dealing {n + 1}")
    text = "Members do not mislead customers about the safety of their products."
    effective_on = factory.LazyAttribute(lambda p: p.code.adopted_on)


class ProcedureFactory(factory.django.DjangoModelFactory):
    """The association's defaults, in force for five years."""

    class Meta:
        model = Procedure

    version = factory.Sequence(lambda n: n + 1)
    in_force_from = factory.LazyFunction(lambda: today() - days(5 * 365))


def adopt_procedure(**overrides) -> Procedure:
    """A new procedure version in force from five years ago; it wins over older ones
    (Procedure.in_force takes the highest version among equal dates). Defaults are the
    association's."""
    latest = Procedure.objects.aggregate(v=Max("version"))["v"] or 0
    values = {"version": latest + 1, "in_force_from": today() - days(5 * 365)}
    values.update(overrides)
    return Procedure.objects.create(**values)


def ensure_procedure() -> Procedure:
    try:
        return Procedure.in_force(today())
    except Exception:  # noqa: BLE001  (no procedure in force: adopt the defaults)
        return adopt_procedure()


def ensure_principle() -> Principle:
    """The first principle there is, else principle 3, "Truthful advertising"."""
    return Principle.objects.order_by("pk").first() or PrincipleFactory(
        number="3", title="Truthful advertising"
    )


# ---------------------------------------------------------------------------
# Files and inputs
# ---------------------------------------------------------------------------

PDF_HEAD = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n"


def pdf(
    name: str = "evidence.pdf", body: bytes = b"A screenshot of the advert."
) -> SimpleUploadedFile:
    """A small upload that the type sniffing recognises as a PDF."""
    return SimpleUploadedFile(name, PDF_HEAD + body + b"\n%%EOF\n", content_type="application/pdf")


def big_pdf(name: str, size: int) -> SimpleUploadedFile:
    """A PDF of exactly `size` bytes."""
    tail = b"\n%%EOF\n"
    body = PDF_HEAD + b"x" * (size - len(PDF_HEAD) - len(tail)) + tail
    assert len(body) == size
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(root) -> list[str]:
    """Every file under `root`, as paths relative to it."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def allegation(
    principle: Principle | None = None,
    *,
    conduct: str = CONDUCT,
    conduct_from: datetime.date | None = None,
    conduct_to: datetime.date | None = None,
) -> AllegationInput:
    conduct_from = conduct_from or today() - days(120)
    conduct_to = conduct_to or max(conduct_from, today() - days(90))
    return AllegationInput(
        principle=principle or ensure_principle(),
        conduct=conduct,
        conduct_from=conduct_from,
        conduct_to=conduct_to,
    )


def evidence_input(
    file=None,
    *,
    source: str = EvidenceSource.COMPLAINANT,
    disclosed: bool = True,
    title: str = "",
    **kwargs,
) -> EvidenceInput:
    """One exhibit; `file` is an upload, or a file name (a small PDF of that name)."""
    if isinstance(file, str):
        file = pdf(file, file.encode())
    file = file if file is not None else pdf()
    return EvidenceInput(
        file=file,
        title=title or f"Exhibit {file.name}",
        source=source,
        disclosed_to_respondent=disclosed,
        **kwargs,
    )


def the_advert() -> EvidenceInput:
    """The complainant's exhibit in the scenes: the advert, disclosed to the respondent."""
    return evidence_input(pdf("advert.pdf", b"The advert."), title="The advert")


def complainant_input(**kwargs) -> ComplainantInput:
    values = {
        "kind": ComplainantKind.ORGANIZATION,
        "name": COMPLAINANT_NAME,
        "organization_name": COMPLAINANT_ORG,
        "email": COMPLAINANT_EMAIL,
        "phone": COMPLAINANT_PHONE,
        "consents_to_disclosure": False,
    }
    values.update(kwargs)
    return ComplainantInput(**values)


def member_complainant(organization: Organization) -> ComplainantInput:
    """A member's representative complaining on behalf of `organization`."""
    return ComplainantInput(
        kind=ComplainantKind.MEMBER_REPRESENTATIVE,
        name="Sam Okafor",
        member_organization=organization,
        email="sam@competitor.example",
    )


_DEFAULT = object()


def file_case(
    *,
    by=None,
    respondent=None,
    allegations: list[AllegationInput] | None = None,
    evidence=_DEFAULT,
    conduct_known_on: datetime.date | None = None,
    case_officer=None,
    summary: str = "Misleading safety claims in advertising",
    late_acceptance_reason: str = "",
    complainant: ComplainantInput | None = None,
    **received,
) -> Case:
    """File a complaint through cases.services.complaint_file, with sensible defaults
    (`received` passes received_on, received_via, received_by through):
    an active member respondent, one allegation under a principle long in effect, one
    disclosed PDF from the complainant, known 60 days ago (well within the deadline)."""
    ensure_procedure()
    by = by or staff_user("case.staff")
    if evidence is _DEFAULT:
        evidence = [evidence_input()]
    return services.complaint_file(
        by=by,
        respondent=respondent or OrganizationFactory(),
        complainant=complainant or complainant_input(),
        summary=summary,
        conduct_known_on=conduct_known_on or today() - days(60),
        case_officer=case_officer or by,
        allegations=allegations if allegations is not None else [allegation()],
        evidence=list(evidence or []),
        late_acceptance_reason=late_acceptance_reason,
        **received,
    )


# ---------------------------------------------------------------------------
# Moving a case along
# ---------------------------------------------------------------------------


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def transition(case: Case, name: str, by, reason: str = "", **kwargs) -> Case:
    return services.case_transition(case=fresh(case), name=name, by=by, reason=reason, **kwargs)


def step(case: Case, name: str, by, reason: str = "") -> Case:
    """A step taken from the state the actor saw (expected_state, as the pages send it)."""
    case = fresh(case)
    return services.case_transition(
        case=case, name=name, by=by, reason=reason, expected_state=case.state
    )


def open_review(case: Case, by) -> Case:
    return transition(case, "open_review", by)


def respond(case: Case, rep, text: str = "We dispute the allegation.", attachments=()):
    return services.response_submit(
        case=fresh(case), by=rep, text=text, attachments=list(attachments)
    )


def pass_response_window(case: Case) -> Case:
    """Time moves on: the response deadline was yesterday."""
    Case.objects.filter(pk=case.pk).update(response_due_on=today() - days(1))
    return fresh(case)


def force_state(case: Case, state: str) -> Case:
    """Put a case in a state the test cannot reach through the services (setup only)."""
    Case.objects.filter(pk=case.pk).update(state=state)
    return fresh(case)


def record_events(case: Case, n: int, actors) -> None:
    """Append `n` events to the case record, by turns from each of `actors` (None is the
    system), of kinds the timeline words differently."""
    kinds = ["case_officer_assigned", "late_filing_accepted", "access_granted", "reminder_sent"]
    actors = list(actors)
    for i in range(n):
        actor = actors[i % len(actors)]
        services.record_event(
            case,
            actor=actor,
            kind=kinds[i % len(kinds)],
            payload={"from": "a", "to": "b", "reason": f"note {i}", "user": "x", "permissions": []},
        )


# ---------------------------------------------------------------------------
# Reading a case back
# ---------------------------------------------------------------------------


def case_snapshot(case: Case) -> dict:
    """Everything a refused step or request must leave untouched, read fresh from the
    database: the row, the record, the permissions, evidence, responses and votes."""
    return {
        "row": Case.objects.filter(pk=case.pk).values().get(),
        "events": list(
            CaseEvent.objects.filter(case_id=case.pk).values_list("sequence", "kind", "hash")
        ),
        "permissions": sorted(
            CaseUserObjectPermission.objects.filter(content_object_id=case.pk).values_list(
                "user_id", "permission__codename"
            )
        ),
        "evidence": sorted(
            Evidence.objects.filter(case_id=case.pk).values_list("pk", "disclosed_to_respondent")
        ),
        "responses": Response.objects.filter(case_id=case.pk).count(),
        "votes": sorted(
            Vote.objects.filter(ballot__case_id=case.pk).values_list("voter_id", "choice")
        ),
        "holds": sorted(LegalHold.objects.filter(case_id=case.pk).values_list("pk", "released_at")),
        "publication": list(Publication.objects.filter(case_id=case.pk).values()),
    }


def events(case: Case):
    return CaseEvent.objects.filter(case_id=case.pk).order_by("sequence")


def event_kinds(case: Case) -> list[str]:
    return list(events(case).values_list("kind", flat=True))


def messages_of(exc) -> list[str]:
    return list(exc.messages)
