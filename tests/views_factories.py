"""Helpers for the view tests of the case pages (tests/test_views_*.py).

Cases are filed and moved along through the real services (cases.services and
cases.ballots), the way the demo data builds them (cases.demo, cases.demo_decisions),
so every case has the record, the permissions and the ballots a real one has.
Time passing is simulated by moving stored dates with queryset updates.

Test modules import what they use by name, and the two autouse fixtures:

    from tests.views_factories import private_storage, quick_setup  # noqa: F401

``private_storage`` keeps evidence and letter files under the test's temporary
directory. ``quick_setup`` makes building the scenes cheap without changing what the
pages do: WeasyPrint's rendering (cases.rendering.render_pdf) is replaced by a few fixed
bytes (letters are still issued, stored, hashed and permissioned by the real code),
and passwords are hashed with a fast hasher (the tests log in with force_login).
"""

from __future__ import annotations

import datetime
import itertools
import re
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format

from cases import rendering, services
from cases.models import (
    Case,
    CaseEvent,
    CaseUserObjectPermission,
    CodeOfEthics,
    ComplainantKind,
    Evidence,
    EvidenceSource,
    FindingConclusion,
    Principle,
    Procedure,
    Response,
    Vote,
)
from cases.services import AllegationInput, ComplainantInput, EvidenceInput, ballots
from members.models import Organization
from members.roles import APPEALS_PANEL, BOARD, ETHICS_STAFF
from tests.factories import OrganizationFactory, RepresentativeFactory, UserFactory

COMPLAINANT_NAME = "Philippa Thistlewood"
COMPLAINANT_ORG = "Conveyor Safety Gazette"
COMPLAINANT_EMAIL = "p.thistlewood@conveyor-gazette.example"

DISCLOSED_TITLE = "Advert screenshot shown to the respondent"
UNDISCLOSED_TITLE = "Confidential informant memo kept back"


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Evidence files are written under the test's temporary directory, never var/."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def quick_setup(monkeypatch, settings):
    def render_pdf(html, head=None):
        return b"%PDF-1.4\n% letter for a page test\n" + html[:64].encode() + b"\n%%EOF\n"

    monkeypatch.setattr(rendering, "render_pdf", render_pdf)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def shown(value: datetime.date) -> str:
    """A date as the case pages write it ("3 March 2026")."""
    return date_format(value, "j F Y")


# ---------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------

_seq = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_seq)}"


def staff_member(username: str | None = None, **kwargs) -> User:
    return UserFactory(username=username or unique("staff."), roles=[ETHICS_STAFF], **kwargs)


def board_member(username: str | None = None, **kwargs) -> User:
    return UserFactory(username=username or unique("board."), roles=[BOARD], **kwargs)


def panel_member(username: str | None = None, **kwargs) -> User:
    return UserFactory(username=username or unique("panel."), roles=[APPEALS_PANEL], **kwargs)


def representative_of(organization: Organization, username: str | None = None, **kw) -> User:
    return RepresentativeFactory(
        organization=organization, user__username=username or unique("rep."), **kw
    ).user


# ---------------------------------------------------------------------------
# Code, procedure, files
# ---------------------------------------------------------------------------


def principle() -> Principle:
    found = Principle.objects.order_by("pk").first()
    if found:
        return found
    code, _ = CodeOfEthics.objects.get_or_create(
        version="2016.1",
        defaults={"title": "Code of Ethics", "adopted_on": today() - days(10 * 365)},
    )
    return Principle.objects.create(
        code=code,
        number="3",
        title="Truthful advertising",
        text="Members do not mislead customers about the safety of their products.",
        effective_on=code.adopted_on,
    )


def procedure(**overrides) -> Procedure:
    """A new procedure version in force from five years ago; it wins over older ones
    (Procedure.in_force takes the highest version among equal dates)."""
    latest = Procedure.objects.aggregate(v=Max("version"))["v"] or 0
    values = {"version": latest + 1, "in_force_from": today() - days(5 * 365)}
    values.update(overrides)
    return Procedure.objects.create(**values)


PDF_HEAD = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"


def pdf(name: str = "exhibit.pdf", body: bytes = b"An exhibit.") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_HEAD + body + b"\n%%EOF\n", content_type="application/pdf")


def big_pdf(name: str, size: int) -> SimpleUploadedFile:
    """A PDF of exactly `size` bytes."""
    tail = b"\n%%EOF\n"
    body = PDF_HEAD + b"x" * (size - len(PDF_HEAD) - len(tail)) + tail
    assert len(body) == size
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def evidence_input(name: str = "further.pdf", *, disclosed: bool = True) -> EvidenceInput:
    return EvidenceInput(
        file=pdf(name, name.encode()),
        title=f"Exhibit {name}",
        source=EvidenceSource.COMPLAINANT,
        disclosed_to_respondent=disclosed,
    )


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------


def complainant(*, consents: bool = False) -> ComplainantInput:
    return ComplainantInput(
        kind=ComplainantKind.ORGANIZATION,
        name=COMPLAINANT_NAME,
        organization_name=COMPLAINANT_ORG,
        email=COMPLAINANT_EMAIL,
        phone="+44 20 7946 0001",
        consents_to_disclosure=consents,
    )


def file_case(
    staff: User,
    respondent: Organization,
    *,
    allegations: int = 1,
    evidence: int = 1,
    undisclosed: int = 1,
    consents: bool = False,
    summary: str = "Misleading safety claims in advertising",
) -> Case:
    """File a complaint through the intake service: `allegations` allegations, `evidence`
    disclosed exhibits and `undisclosed` withheld ones (the first of each with the
    module's recognisable titles)."""
    if not Procedure.objects.exists():
        procedure()
    p = principle()
    exhibits = [
        EvidenceInput(
            file=pdf(f"disclosed-{i}.pdf", f"Disclosed exhibit {i}".encode()),
            title=DISCLOSED_TITLE if i == 0 else f"Disclosed exhibit {i}",
            source=EvidenceSource.COMPLAINANT,
            disclosed_to_respondent=True,
        )
        for i in range(evidence)
    ] + [
        EvidenceInput(
            file=pdf(f"withheld-{i}.pdf", f"Withheld exhibit {i}".encode()),
            title=UNDISCLOSED_TITLE if i == 0 else f"Withheld exhibit {i}",
            source=EvidenceSource.COMPLAINANT,
            disclosed_to_respondent=False,
        )
        for i in range(undisclosed)
    ]
    return services.complaint_file(
        by=staff,
        respondent=respondent,
        complainant=complainant(consents=consents),
        summary=summary,
        conduct_known_on=today() - days(60),
        case_officer=staff,
        allegations=[
            AllegationInput(
                principle=p,
                conduct=f"Advertised robot model {i} as certified safe when it was not.",
                conduct_from=today() - days(120),
                conduct_to=today() - days(90),
            )
            for i in range(allegations)
        ],
        evidence=exhibits,
    )


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def step(case: Case, name: str, by, reason: str = "") -> Case:
    case = fresh(case)
    return services.case_transition(
        case=case, name=name, by=by, reason=reason, expected_state=case.state
    )


def open_review(case: Case, staff: User) -> Case:
    return step(case, "open_review", staff)


def respond(case: Case, rep: User, text: str = "We dispute the allegation.", attachments=()):
    return services.response_submit(
        case=fresh(case), by=rep, text=text, attachments=list(attachments)
    )


def complete_review(case: Case, staff: User, *, rep: User | None = None) -> Case:
    """Meet every referral rule (cases.demo._review): a response from `rep` (or the
    window pushed into the past), staff fact-finding, findings, the review report."""
    if rep is not None:
        respond(case, rep, attachments=[pdf("our-reply.pdf", b"Our correspondence.")])
    else:
        Case.objects.filter(pk=case.pk).update(response_due_on=today() - days(1))
    services.evidence_add(
        case=fresh(case),
        by=staff,
        evidence=EvidenceInput(
            file=pdf("register.pdf", b"Certification register extract."),
            title="Certification register extract",
            source=EvidenceSource.STAFF,
            disclosed_to_respondent=True,
        ),
    )
    for allegation in fresh(case).allegations.all():
        services.finding_record(
            allegation=allegation,
            by=staff,
            conclusion=FindingConclusion.SUBSTANTIATED,
            reasoning="The advert and the register disagree.",
        )
    services.review_report_save(
        case=fresh(case),
        by=staff,
        text="The allegation is substantiated by the certification register.",
        rests_on_single_source=False,
    )
    return fresh(case)


def refer(case: Case, staff: User) -> Case:
    return step(case, "refer_to_board", staff)


def vote(case: Case, voter: User, choice: str, sanction: str = "", months=None, reason=""):
    return ballots.vote_cast(
        case=fresh(case),
        voter=voter,
        choice=choice,
        sanction=sanction,
        suspension_months=months,
        reason=reason,
    )


def close_ballot(case: Case, staff: User) -> Case:
    return step(case, "close_ballot", staff)


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
# A whole cast around one respondent
# ---------------------------------------------------------------------------


@dataclass
class Cast:
    staff: User
    organization: Organization
    rep: User
    other_organization: Organization
    other_rep: User
    board: list[User] = field(default_factory=list)
    superuser: User | None = None


def cast(board: int = 3) -> Cast:
    """Staff, the respondent and its representative, another member and theirs, a
    board (seated at any referral made later) and a superuser with no role."""
    staff = staff_member("alice.staff", first_name="Alice", last_name="Staffer")
    organization = OrganizationFactory(name="Acme Robotics", slug="acme-robotics")
    rep = representative_of(organization, "acme.rep")
    other = OrganizationFactory(name="Globex Automation", slug="globex-automation")
    other_rep = representative_of(other, "globex.rep")
    members = [
        board_member(f"board.{name.lower()}", first_name=first, last_name=name)
        for first, name in [
            ("Zebulon", "Quartermaine"),
            ("Ottoline", "Fairweather"),
            ("Bartholomew", "Ashcombe"),
            ("Henrietta", "Pemberton"),
            ("Leopold", "Vandermeer"),
        ][:board]
    ]
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    return Cast(staff, organization, rep, other, other_rep, members, superuser)


# ---------------------------------------------------------------------------
# Reading results back
# ---------------------------------------------------------------------------


def snapshot(case: Case) -> dict:
    """Everything a refused request must leave untouched, read fresh from the database."""
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
    }


def text_of(response) -> str:
    """The page's text with tags dropped and whitespace squeezed (for phrase checks)."""
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def section(response, heading_id: str) -> str:
    """The HTML of the <section> whose heading has id `heading_id`."""
    html = response.content.decode()
    start = html.index(f'id="{heading_id}"')
    start = html.rindex("<section", 0, start)
    end = html.index("</section>", start)
    return html[start:end]
