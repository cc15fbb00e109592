"""Helpers and fixtures for the letter tests (tests/test_letters_*.py).

Every letter is produced the way the app produces it: cases are filed and moved
through cases.services and cases.ballots (as cases.demo and cases.demo_decisions do),
and the letters are the ones those steps issue. Nothing here builds a Letter by hand.

Test modules load the fixtures with ``from tests.letters_factories import *`` and
import the helpers they call by name.

The people have unusual first and last names so that a test can tell whether a
name appears in a letter by accident or because the letter prints it.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import FileField
from django.utils import timezone
from django.utils.formats import date_format

from cases import services
from cases.models import (
    Case,
    CaseEvent,
    CodeOfEthics,
    ComplainantKind,
    EvidenceSource,
    FindingConclusion,
    Letter,
    Letterhead,
    Principle,
    Procedure,
    VoteChoice,
)
from cases.services import AllegationInput, ComplainantInput, EvidenceInput, ballots
from members.models import Organization
from members.roles import APPEALS_PANEL, BOARD, ETHICS_STAFF
from tests.factories import OrganizationFactory, RepresentativeFactory, UserFactory

# `from tests.letters_factories import *` brings the fixtures; import helpers by name.
__all__ = ["letter_storage", "world"]

PDFTOTEXT = "/usr/bin/pdftotext"
QPDF = "qpdf"

COMPLAINANT_NAME = "Dana Whitfield"
COMPLAINANT_ORG = "Industrial Robotics Weekly"
COMPLAINANT_EMAIL = "dana@robotics-weekly.example"
RESPONDENT_NAME = "Acme Robotics"
PRINCIPLE_NUMBER = "3"
PRINCIPLE_TITLE = "Truthful advertising"
PRINCIPLE_TEXT = "Members do not mislead customers about the safety of their products."
CONDUCT = "Advertised a collaborative robot as certified safe when it was not."
FINDING_REASONING = "The advert and the certification register disagree."

# (username, first name, last name): nobody else in a letter has these names.
BOARD_PEOPLE = [
    ("board.marchbanks", "Zephyrine", "Marchbanks"),
    ("board.fairweather", "Ottoline", "Fairweather"),
    ("board.thistlewood", "Barnaby", "Thistlewood"),
]
PANEL_PEOPLE = [
    ("panel.quenby", "Perpetua", "Quenby"),
    ("panel.ravenscroft", "Lysander", "Ravenscroft"),
    ("panel.underhill", "Clementine", "Underhill"),
]


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def shown(value: datetime.date) -> str:
    """A date as the letters write it ("26 December 2026")."""
    return date_format(value, "j F Y")


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def letter_storage(settings, tmp_path, monkeypatch):
    """Letters, evidence and the logo are written under the test's temporary directory.

    The private file fields build their storage when the models load
    (`FileField(storage=private_storage)` calls it once), so setting
    PRIVATE_STORAGE_ROOT alone does not move them (tests/conftest.py only sets it):
    give each such field a storage rooted in tmp_path for the test, as
    tests/browser/conftest.py does. Passwords are hashed cheaply.
    """
    root = tmp_path / "private"
    root.mkdir()
    settings.PRIVATE_STORAGE_ROOT = root
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    storage = FileSystemStorage(location=root, base_url=None)
    for model in apps.get_app_config("cases").get_models():
        for f in model._meta.get_fields():
            if isinstance(f, FileField):
                monkeypatch.setattr(f, "storage", storage)
    return root


@dataclass
class World:
    """The people and rules every letter test needs."""

    staff: User
    organization: Organization
    rep: User
    deputy: User
    other_rep: User
    board: list[User]
    panel: list[User] = field(default_factory=list)
    principle: Principle | None = None
    procedure: Procedure | None = None
    letterhead: Letterhead | None = None


def logo_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (60, 20), (29, 78, 137)).save(out, "PNG")
    return out.getvalue()


def make_letterhead() -> Letterhead:
    head = Letterhead(
        association_name="Northbridge Automation Trade Association",
        address="14 Foundry Lane\nNorthbridge NB1 4QT",
        email="ethics@northbridge.example",
        website="https://northbridge.example",
        signatory_name="Helena Marsh",
        signatory_title="Chair of the Ethics Committee",
    )
    head.logo.save("logo.png", ContentFile(logo_png()), save=False)
    head.save()
    return head


def _person(username: str, first: str, last: str, *roles: str) -> User:
    return UserFactory(
        username=username,
        first_name=first,
        last_name=last,
        email=f"{username}@example.org",
        roles=list(roles),
    )


@pytest.fixture
def world(db) -> World:
    staff = _person("letters.staff", "Imogen", "Hale", ETHICS_STAFF)
    organization = OrganizationFactory(name=RESPONDENT_NAME, slug="acme-robotics")
    rep = RepresentativeFactory(
        organization=organization,
        is_primary=True,
        user=_person("acme.rep", "Rowena", "Quist"),
    ).user
    deputy = RepresentativeFactory(
        organization=organization,
        is_primary=False,
        user=_person("acme.deputy", "Tobias", "Wren"),
    ).user
    other = OrganizationFactory(name="Globex Automation", slug="globex-automation")
    other_rep = RepresentativeFactory(
        organization=other, user=_person("globex.rep", "Gideon", "Hartley")
    ).user
    board = [_person(u, f, last, BOARD) for u, f, last in BOARD_PEOPLE]
    panel = [_person(u, f, last, APPEALS_PANEL) for u, f, last in PANEL_PEOPLE]
    procedure = Procedure.objects.create(
        version=1, in_force_from=today() - days(5 * 365), response_window_days=21
    )
    code = CodeOfEthics.objects.create(
        version="2016.1", title="Code of Ethics", adopted_on=today() - days(10 * 365)
    )
    principle = Principle.objects.create(
        code=code,
        number=PRINCIPLE_NUMBER,
        title=PRINCIPLE_TITLE,
        text=PRINCIPLE_TEXT,
        effective_on=code.adopted_on,
    )
    return World(
        staff=staff,
        organization=organization,
        rep=rep,
        deputy=deputy,
        other_rep=other_rep,
        board=board,
        panel=panel,
        principle=principle,
        procedure=procedure,
        letterhead=make_letterhead(),
    )


# ---------------------------------------------------------------------------
# Driving a case (the services, as cases.demo does)
# ---------------------------------------------------------------------------


def evidence_pdf(name: str, body: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + body + b"\n%%EOF\n",
        content_type="application/pdf",
    )


def file_case(w: World, *, conduct: str = CONDUCT, complainant: ComplainantInput | None = None):
    return services.complaint_file(
        by=w.staff,
        respondent=w.organization,
        complainant=complainant
        or ComplainantInput(
            kind=ComplainantKind.ORGANIZATION,
            name=COMPLAINANT_NAME,
            organization_name=COMPLAINANT_ORG,
            email=COMPLAINANT_EMAIL,
            consents_to_disclosure=False,
        ),
        summary="Misleading safety claims in advertising",
        conduct_known_on=today() - days(60),
        case_officer=w.staff,
        allegations=[
            AllegationInput(
                principle=w.principle,
                conduct=conduct,
                conduct_from=today() - days(120),
                conduct_to=today() - days(90),
            )
        ],
        evidence=[
            EvidenceInput(
                file=evidence_pdf("advert.pdf", b"The advert."),
                title="The advert",
                source=EvidenceSource.COMPLAINANT,
                disclosed_to_respondent=True,
            )
        ],
    )


def step(case: Case, name: str, by, reason: str = "") -> Case:
    case = fresh(case)
    return services.case_transition(
        case=case, name=name, by=by, reason=reason, expected_state=case.state
    )


def open_review(w: World, case: Case) -> Case:
    return step(case, "open_review", w.staff)


def review(w: World, case: Case, conclusion: str = FindingConclusion.SUBSTANTIATED) -> Case:
    """Meet every referral rule (cases.demo._review)."""
    services.response_submit(case=fresh(case), by=w.rep, text="We dispute the allegation.")
    services.evidence_add(
        case=fresh(case),
        by=w.staff,
        evidence=EvidenceInput(
            file=evidence_pdf("register.pdf", b"Certification register extract."),
            title="Certification register",
            source=EvidenceSource.STAFF,
            disclosed_to_respondent=True,
        ),
    )
    for allegation in fresh(case).allegations.all():
        services.finding_record(
            allegation=allegation, by=w.staff, conclusion=conclusion, reasoning=FINDING_REASONING
        )
    services.review_report_save(
        case=fresh(case),
        by=w.staff,
        text="The allegation is substantiated.",
        rests_on_single_source=False,
    )
    return fresh(case)


def referred_case(w: World, **kwargs) -> Case:
    """A case in board_vote with the three board members seated."""
    case = open_review(w, file_case(w, **kwargs))
    case = review(w, case)
    return step(case, "refer_to_board", w.staff)


def vote_all(case: Case, voters, choice: str, sanction: str = "", months=None) -> None:
    for voter in voters:
        ballots.vote_cast(
            case=fresh(case),
            voter=voter,
            choice=choice,
            sanction=sanction,
            suspension_months=months,
            reason="",
        )


def decided_case(w: World, sanction: str = "suspension", months: int | None = 6) -> Case:
    """Every board member finds a violation and votes for `sanction`; staff close the ballot."""
    case = referred_case(w)
    vote_all(case, w.board, VoteChoice.VIOLATION, sanction, months)
    return step(case, "close_ballot", w.staff)


def no_violation_case(w: World) -> Case:
    case = referred_case(w)
    vote_all(case, w.board, VoteChoice.NO_VIOLATION)
    return step(case, "close_ballot", w.staff)


APPEAL_REASONS = "The panel found the recall notice was genuine."


def appeal_decided_case(w: World) -> Case:
    """A censure, appealed by the respondent and overturned by the appeals panel."""
    case = decided_case(w, "censure", None)
    case = step(case, "file_appeal", w.rep, reason="The board misread the evidence.")
    vote_all(case, w.panel, VoteChoice.OVERTURN)
    ballots.appeal_ballot_close(case=fresh(case), by=w.staff)
    return step(case, "decide_appeal", w.staff, reason=APPEAL_REASONS)


DISMISSAL_REASONS = "The conduct falls outside the code of ethics."
WITHDRAWAL_REASONS = "The complainant withdrew the complaint in writing."


def dismissed_case(w: World) -> Case:
    case = open_review(w, file_case(w))
    return step(case, "dismiss", w.staff, reason=DISMISSAL_REASONS)


def withdrawn_case(w: World) -> Case:
    case = open_review(w, file_case(w))
    return step(case, "withdraw", w.staff, reason=WITHDRAWAL_REASONS)


# ---------------------------------------------------------------------------
# Reading letters
# ---------------------------------------------------------------------------


def letter(case: Case, kind: str, addressee: str = "respondent") -> Letter:
    return Letter.objects.get(case_id=case.pk, kind=kind, addressee=addressee)


def stored_bytes(letter_: Letter) -> bytes:
    with letter_.file.open("rb") as f:
        return f.read()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pdf_path(letter_: Letter) -> str:
    return letter_.file.path


def pdf_text(path_or_bytes, tmp_path: Path | None = None) -> str:
    """The letter's text as pdftotext extracts it, whitespace collapsed to single spaces."""
    if isinstance(path_or_bytes, bytes):
        assert tmp_path is not None
        path = tmp_path / "letter-under-test.pdf"
        path.write_bytes(path_or_bytes)
    else:
        path = path_or_bytes
    out = subprocess.run(
        [PDFTOTEXT, "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return " ".join(out.split())


def qpdf_check(path) -> subprocess.CompletedProcess:
    return subprocess.run([QPDF, "--check", str(path)], capture_output=True, text=True)


def qdf(path, out: Path) -> str:
    """The PDF with streams decompressed and no object streams (qpdf --qdf), as text."""
    done = subprocess.run(
        [QPDF, "--qdf", "--object-streams=disable", str(path), str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode in (0, 3), done.stderr  # 3: warnings only
    return out.read_bytes().decode("latin-1")


PDFA_PART_3 = re.compile(r'pdfaid:part(?:="3"|>\s*3\s*<)')
PDFA_CONFORMANCE_B = re.compile(r'pdfaid:conformance(?:="B"|>\s*B\s*<)')


def letter_issued_event(letter_: Letter) -> CaseEvent:
    matches = [
        e
        for e in CaseEvent.objects.filter(case_id=letter_.case_id, kind="letter_issued")
        if e.payload.get("letter") == letter_.pk
    ]
    assert len(matches) == 1, matches
    return matches[0]
