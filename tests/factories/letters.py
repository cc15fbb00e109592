"""Letters: the letters world (people with unusual names, a letterhead), the scenes that
issue each letter, and reading a stored letter back (pdftotext, qpdf).

Every letter is produced the way the app produces it: cases are filed and moved
through cases.services and cases.ballots, and the letters are the ones those steps
issue. Nothing here builds a Letter by hand.

By default tests/conftest.py renders letters with a fast stub (a few bytes that stand
for the HTML); a test that reads what WeasyPrint wrote (text, PDF structure, PDF/A
metadata) is marked `real_pdf`. The readers below refuse a stub letter, so a test that
reads a PDF without the marker fails instead of passing on nothing.
"""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.models import User
from django.core.files.base import ContentFile

from cases import services
from cases.access import CodeHolder
from cases.models import (
    Case,
    CaseEvent,
    CodeOfEthics,
    ComplainantAccess,
    FindingConclusion,
    Letter,
    Letterhead,
    Principle,
    Procedure,
    VoteChoice,
)
from cases.services import ComplainantInput, ballots
from members.models import Organization
from members.roles import APPEALS_PANEL, BOARD, ETHICS_STAFF
from tests.factories.cases import (
    CONDUCT,
    allegation,
    file_case,
    fresh,
    open_review,
    step,
    the_advert,
)
from tests.factories.dates import days, today
from tests.factories.members import OrganizationFactory, RepresentativeFactory
from tests.factories.people import UserFactory
from tests.factories.scenes import complete_review, vote_all

PDFTOTEXT = "/usr/bin/pdftotext"
QPDF = "qpdf"
# What the fast renderer (tests/conftest.py) writes first, instead of a real PDF.
STUB_PDF_MARK = b"%PDF-1.4\n% stub letter"

RESPONDENT_NAME = "Acme Robotics"
PRINCIPLE_NUMBER = "3"
PRINCIPLE_TITLE = "Truthful advertising"
PRINCIPLE_TEXT = "Members do not mislead customers about the safety of their products."

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


# ---------------------------------------------------------------------------
# The letters world
# ---------------------------------------------------------------------------


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


def make_world() -> World:
    staff = _person("letters.staff", "Imogen", "Hale", ETHICS_STAFF)
    organization = OrganizationFactory(name=RESPONDENT_NAME, slug="acme-robotics")
    rep = RepresentativeFactory(
        organization=organization, is_primary=True, user=_person("acme.rep", "Rowena", "Quist")
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
# The scenes that issue each letter
# ---------------------------------------------------------------------------


def world_case(w: World, *, conduct: str = CONDUCT, complainant: ComplainantInput | None = None):
    """A complaint against the world's respondent, filed by its staff: one allegation
    under the world's principle, the advert as the one disclosed exhibit."""
    return file_case(
        by=w.staff,
        respondent=w.organization,
        complainant=complainant,
        allegations=[allegation(w.principle, conduct=conduct)],
        evidence=[the_advert()],
    )


def review(w: World, case: Case, conclusion: str = FindingConclusion.SUBSTANTIATED) -> Case:
    """The world's review of a case under review: the representative responds."""
    return complete_review(case, w.staff, rep=w.rep, conclusion=conclusion)


def referred_case(w: World, **kwargs) -> Case:
    """A case in board_vote with the three board members seated."""
    case = open_review(world_case(w, **kwargs), w.staff)
    case = review(w, case)
    return step(case, "refer_to_board", w.staff)


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
    case = open_review(world_case(w), w.staff)
    return step(case, "dismiss", w.staff, reason=DISMISSAL_REASONS)


def withdrawn_case(w: World) -> Case:
    case = open_review(world_case(w), w.staff)
    return step(case, "withdraw", w.staff, reason=WITHDRAWAL_REASONS)


COMPLAINANT_APPEAL_REASONS = "The current model's certificate was never considered."


def complainant_appeal_decided_case(w: World) -> Case:
    """A dismissal appealed by the complainant (with the case's access code, where the
    procedure allows it) and sent back to review by the appeals panel."""
    Procedure.objects.filter(pk=w.procedure.pk).update(complainant_appeal=True)
    case = dismissed_case(w)
    code = ComplainantAccess.objects.get(case=case, revoked_at__isnull=True)
    holder = CodeHolder(case_id=case.pk, access_id=code.pk)
    case = step(case, "file_complainant_appeal", holder, reason="Please look again.")
    vote_all(case, w.panel, VoteChoice.SEND_TO_REVIEW)
    services.complainant_appeal_ballot_close(case=fresh(case), by=w.staff)
    return step(case, "decide_complainant_appeal", w.staff, reason=COMPLAINANT_APPEAL_REASONS)


# Resolution by consent and interim suspension (docs/decisions/0020)
CONSENT_TERMS = "Acme withdraws the advert within 14 days and writes to every buyer."
INTERIM_REASONS = "Uncertified guards are still being fitted at customers' plants."


def _with_consent_and_interim(w: World) -> Case:
    Procedure.objects.filter(pk=w.procedure.pk).update(
        consent_resolution=True, interim_suspension=True
    )
    return open_review(world_case(w), w.staff)


def consent_offered_case(w: World) -> Case:
    case = _with_consent_and_interim(w)
    services.consent_offer(
        case=fresh(case),
        by=w.staff,
        sanction="suspension",
        suspension_months=3,
        terms=CONSENT_TERMS,
        reply_by=today() + days(14),
    )
    return fresh(case)


def consent_accepted_case(w: World) -> Case:
    return step(consent_offered_case(w), "accept_consent", w.rep)


def interim_imposed_case(w: World) -> Case:
    case = _with_consent_and_interim(w)
    services.interim_propose(case=fresh(case), by=w.staff, reasons=INTERIM_REASONS)
    for member in w.board:
        services.interim_vote_cast(case=fresh(case), voter=member, choice="for")
    services.interim_ballot_close(case=fresh(case), by=w.staff)
    return fresh(case)


def interim_lifted_case(w: World) -> Case:
    case = interim_imposed_case(w)
    services.interim_lifting_request(
        case=fresh(case), by=w.rep, grounds="Every guard is now certified."
    )
    for member in w.board:
        services.interim_vote_cast(case=fresh(case), voter=member, choice="for")
    services.interim_ballot_close(case=fresh(case), by=w.staff)
    return fresh(case)


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


def _real_pdf(path) -> Path:
    path = Path(path)
    assert not path.read_bytes().startswith(STUB_PDF_MARK), (
        "This letter was rendered by the test stub: a test that reads a letter's PDF "
        "must be marked @pytest.mark.real_pdf."
    )
    return path


def pdf_text(path_or_bytes, tmp_path: Path | None = None, *, first_page_only=False) -> str:
    """The letter's text as pdftotext extracts it, whitespace collapsed to single spaces
    (`first_page_only`: the first page's alone)."""
    if isinstance(path_or_bytes, bytes):
        assert tmp_path is not None
        path = tmp_path / "letter-under-test.pdf"
        path.write_bytes(path_or_bytes)
    else:
        path = path_or_bytes
    out = subprocess.run(
        [
            PDFTOTEXT,
            "-enc",
            "UTF-8",
            *(["-f", "1", "-l", "1"] if first_page_only else []),
            str(_real_pdf(path)),
            "-",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return " ".join(out.split())


def qpdf_check(path) -> subprocess.CompletedProcess:
    return subprocess.run([QPDF, "--check", str(_real_pdf(path))], capture_output=True, text=True)


def qdf(path, out: Path) -> str:
    """The PDF with streams decompressed and no object streams (qpdf --qdf), as text."""
    done = subprocess.run(
        [QPDF, "--qdf", "--object-streams=disable", str(_real_pdf(path)), str(out)],
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
