"""Factories, helpers and fixtures for the ethics-cases tests (tests/test_cases_*.py).

Test modules load the fixtures with ``from tests.cases_factories import *`` and import
the helpers they call by name. Cases are filed and moved through the real services
(cases.services), as the app does, so each has the case record a real one would have.
Only states this issue cannot reach (board_vote and after, except through a full
referral) are forced with a queryset update, in test setup only.
"""

from __future__ import annotations

import datetime

import factory
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.formats import date_format

from cases import services
from cases.models import (
    Case,
    CaseEvent,
    CaseUserObjectPermission,
    CodeOfEthics,
    ComplainantKind,
    EvidenceSource,
    FindingConclusion,
    Principle,
    Procedure,
)
from cases.services import AllegationInput, ComplainantInput, EvidenceInput
from cases.workflow import CaseState
from tests.factories import (
    OrganizationFactory,
    RepresentativeFactory,
    UserFactory,
    board_user,
    panel_user,
    staff_user,
)

ALL_STATES = [s.value for s in CaseState]

# Where each step may start, and where it leads (DESIGN.md, "The case workflow").
ALLOWED_SOURCES = {
    "open_review": {"filed"},
    "refer_to_board": {"under_review"},
    "dismiss": {"filed", "under_review"},
    "withdraw": {"filed", "under_review"},
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


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def shown(value: datetime.date) -> str:
    """A date as the checklist and the refusals write it ("3 March 2026")."""
    return date_format(value, "j F Y")


# ---------------------------------------------------------------------------
# Factories
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


def ensure_procedure() -> Procedure:
    try:
        return Procedure.in_force(today())
    except Exception:  # noqa: BLE001  (no procedure in force: adopt the defaults)
        return ProcedureFactory()


def ensure_principle() -> Principle:
    return Principle.objects.order_by("pk").first() or PrincipleFactory()


# ---------------------------------------------------------------------------
# Files and inputs
# ---------------------------------------------------------------------------

PDF_HEAD = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n"


def pdf(
    name: str = "evidence.pdf", body: bytes = b"A screenshot of the advert."
) -> SimpleUploadedFile:
    """A small upload that the type sniffing recognises as a PDF."""
    return SimpleUploadedFile(name, PDF_HEAD + body + b"\n%%EOF\n", content_type="application/pdf")


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def allegation(
    principle: Principle | None = None,
    *,
    conduct: str = "Advertised a collaborative robot as certified safe when it was not.",
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
    file = file if file is not None else pdf()
    return EvidenceInput(
        file=file,
        title=title or f"Exhibit {file.name}",
        source=source,
        disclosed_to_respondent=disclosed,
        **kwargs,
    )


def complainant_input(**kwargs) -> ComplainantInput:
    values = {
        "kind": ComplainantKind.ORGANIZATION,
        "name": "Dana Whitfield",
        "organization_name": "Industrial Robotics Weekly",
        "email": "dana@robotics-weekly.example",
        "consents_to_disclosure": False,
    }
    values.update(kwargs)
    return ComplainantInput(**values)


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
) -> Case:
    """File a complaint through cases.services.complaint_file, with sensible defaults:
    an active member respondent, one allegation under a principle long in effect, one
    disclosed PDF from the complainant, known 60 days ago (well within the deadline)."""
    ensure_procedure()
    by = by or staff_user(username="case.staff")
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
    )


# ---------------------------------------------------------------------------
# Moving a case along, reading it back
# ---------------------------------------------------------------------------


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def transition(case: Case, name: str, by, reason: str = "", **kwargs) -> Case:
    return services.case_transition(case=fresh(case), name=name, by=by, reason=reason, **kwargs)


def open_review(case: Case, by) -> Case:
    return transition(case, "open_review", by)


def pass_response_window(case: Case) -> Case:
    """Time moves on: the response deadline was yesterday."""
    Case.objects.filter(pk=case.pk).update(response_due_on=today() - days(1))
    return fresh(case)


def force_state(case: Case, state: str) -> Case:
    """Put a case in a state this issue cannot reach (test setup only)."""
    Case.objects.filter(pk=case.pk).update(state=state)
    return fresh(case)


def record_findings(case: Case, by, conclusion: str = FindingConclusion.SUBSTANTIATED) -> None:
    for a in fresh(case).allegations.all():
        services.finding_record(
            allegation=a,
            by=by,
            conclusion=conclusion,
            reasoning="The advert and the test report agree.",
        )


def add_fact_finding(case: Case, by, **kwargs):
    kwargs.setdefault("source", EvidenceSource.STAFF)
    return services.evidence_add(
        case=fresh(case),
        by=by,
        evidence=evidence_input(pdf("certification-register.pdf", b"Register extract."), **kwargs),
    )


def ready_for_referral(case: Case, by, *, respond_as=None) -> Case:
    """Take a filed case to under review with every referral rule met: a response (from
    `respond_as`) or a passed window, fact-finding from a second source, a finding per
    allegation and a review report."""
    case = open_review(case, by)
    if respond_as is not None:
        services.response_submit(
            case=fresh(case),
            by=respond_as,
            text="We dispute the allegation; the advert was withdrawn.",
        )
    else:
        case = pass_response_window(case)
    add_fact_finding(case, by)
    record_findings(case, by)
    services.review_report_save(
        case=fresh(case),
        by=by,
        text="The allegation is substantiated.",
        rests_on_single_source=False,
    )
    return fresh(case)


def case_in_state(state: str, by, **file_kwargs) -> Case:
    """A case in `state`: reached through the services where this issue can, else forced."""
    case = file_case(by=by, **file_kwargs)
    if state == CaseState.FILED:
        return fresh(case)
    if state == CaseState.DISMISSED:
        return transition(case, "dismiss", by, reason="The conduct is outside the code.")
    if state == CaseState.WITHDRAWN:
        return transition(case, "withdraw", by, reason="The complainant withdrew the complaint.")
    if state == CaseState.BOARD_VOTE:
        return transition(ready_for_referral(case, by), "refer_to_board", by)
    case = open_review(case, by)
    if state == CaseState.UNDER_REVIEW:
        return fresh(case)
    return force_state(case, state)


def snapshot(case: Case) -> dict:
    """Everything a refused step must leave untouched, read fresh from the database."""
    return {
        "row": Case.objects.filter(pk=case.pk).values().get(),
        "events": list(CaseEvent.objects.filter(case_id=case.pk).values_list("sequence", "hash")),
        "permissions": sorted(
            CaseUserObjectPermission.objects.filter(content_object_id=case.pk).values_list(
                "user_id", "permission__codename"
            )
        ),
    }


def event_kinds(case: Case) -> list[str]:
    return list(
        CaseEvent.objects.filter(case_id=case.pk)
        .order_by("sequence")
        .values_list("kind", flat=True)
    )


def messages_of(exc) -> list[str]:
    return list(exc.messages)


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Evidence and letter files go to a temporary directory, never into var/
    (cases.models.PrivateStorage reads the setting when it is used)."""
    root = tmp_path / "private"
    root.mkdir()
    settings.PRIVATE_STORAGE_ROOT = root
    return root


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """These tests make many users and never log in: a fast hasher keeps them quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def procedure(db):
    """Version 1, in force for five years, with a response window that is not the
    default (so a test can tell it is read from the procedure)."""
    return ProcedureFactory(version=1, response_window_days=21, filing_deadline_days=180)


@pytest.fixture
def code(db):
    return CodeOfEthicsFactory(version="2016.1", adopted_on=today() - days(10 * 365))


@pytest.fixture
def principle(code):
    return PrincipleFactory(code=code, number="3", title="Truthful advertising")


@pytest.fixture
def respondent_rep(organization):
    """A second representative of the respondent (conftest's `representative` is the first)."""
    return RepresentativeFactory(
        organization=organization, is_primary=False, user__username="acme.deputy"
    ).user


@pytest.fixture
def board_member(db):
    return board_user(username="board.member")


@pytest.fixture
def panel_member(db):
    return panel_user(username="panel.member")


@pytest.fixture
def other_rep(db):
    other = OrganizationFactory(name="Globex Automation", slug="globex-automation")
    return RepresentativeFactory(organization=other, user__username="globex.rep").user


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def case(staff, organization, representative, procedure, principle):
    """A complaint against Acme Robotics, just filed, with one disclosed PDF."""
    return file_case(by=staff, respondent=organization, allegations=[allegation(principle)])
