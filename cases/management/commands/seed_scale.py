"""Scale data for benchmarks:
`manage.py seed_scale --organizations 10000 [--cases 100000]`.

Everything it creates is marked with the prefix "scale-" (organization slugs and
usernames; scale cases are filed by "scale-staff-N" users), so it never touches
demo data and can be found again. The run is deterministic: the data of the
organization (or case) with index i depends only on `--seed` and i (each index gets
its own `random.Random`), so running the command again with a larger target adds
exactly the missing rows, identical to what one run with that target would have
created. Cases also depend on the scale organizations present and on
`--cases-until`, the moment the simulation of each case stops.

Organizations, their users, representatives, dues and history are written straight
to their tables (`_Table`: ids reserved, one executemany or COPY per table; users that
already exist are reused), one transaction per batch (a batch is complete or absent). `Organization.status` is a protected FSMField: it is set
through the constructor, which django-fsm allows, never assigned afterwards.

Cases (`--cases N`): each is simulated through the workflow by `CasePlan`, which
records the rows and case events the services would write; `Case.state` is a
protected FSMField and is written once, as the state the case reached. Each case's
events are hashed into a chain from `GENESIS_HASH` in `CaseEvent.canonical_content`'s
form (`_event_content`, checked against the model by `verify_case_record` in the
tests), so `manage.py verify_case_record` passes; the evidence rows share two stored
files. Scale cases have no letters (the letters are rendered by WeasyPrint).

How the cases are loaded fast (10,000 organizations and 100,000 cases: figures in
bench/README.md): forked generator processes (`--workers N`, default 2) take the
batches in turn; each simulates its batch, numbers its rows (`_number`: from the next
free id of each table, which the generator of the batch before hands on, the one
sequential step), hashes the chains and turns the rows into tuples of database values
(`_build_batch`) and sends it down its pipe as bytes (`_encoded`: marshal when every
value is a plain str, int, float, bool or None, as they are on both databases, dates
and times as text on PostgreSQL; pickle otherwise),
while the parent writes the batches in order, one transaction per batch, with
executemany on SQLite or COPY on PostgreSQL (`_Table.write_records`);
`--workers 0` does the same in one process and builds the same rows. While loading
(`_bulk_load`, restored after): no per-row foreign-key checks (PostgreSQL:
`session_replication_role = replica`, for a superuser only), no fsync (SQLite
`synchronous = OFF`; PostgreSQL `synchronous_commit = off`) and a larger SQLite page
cache. Into an empty case table (`_indexes_built_after`), its plain indexes (not
unique, behind no constraint) are dropped before the load and built again after it
(docs/decisions/0037); unique indexes, keys and constraints stay as `migrate` made
them.

Extending: each kind of data has its own builder (`_build_users`,
`_build_organizations`, `_build_representatives`, `_build_dues`,
`_build_history`; for cases, a `CasePlan` step) and `ScaleSeeder.seed_<kind>(target)`
runs them per batch (count the existing "scale" rows, create the missing ones in
batches), with one line in `Command.handle`.
"""

from __future__ import annotations

import contextlib
import datetime
import enum
import functools
import gc
import hashlib
import json
import marshal
import multiprocessing
import pickle
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission, User
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from cases import events, tally
from cases.models import (
    Allegation,
    Appeal,
    Ballot,
    BallotSeat,
    Case,
    CaseEvent,
    CaseGroupObjectPermission,
    CaseNumberSequence,
    CaseUserObjectPermission,
    CaseViewer,
    CodeOfEthics,
    Complainant,
    Evidence,
    Finding,
    PersonalField,
    Principle,
    Procedure,
    Response,
    Sanction,
    Vote,
    private_storage,
)
from cases.services.awaiting import awaiting_findings_rebuild
from cases.services.grants import STAFF_PERMISSIONS
from cases.services.record import GENESIS_HASH, commit_personal
from cases.services.summary import rebuild_summary
from cases.workflow import CaseState
from members.models import (
    DuesInvoice,
    MembershipClass,
    MembershipStatus,
    Organization,
    Representative,
    StatusChange,
)
from members.roles import APPEALS_PANEL, BOARD, ETHICS_STAFF

PREFIX = "scale-"
ORG_SLUG = PREFIX + "{index:05d}"
REP_USERNAME = PREFIX + "rep-{index:05d}"

DEFAULT_CLASSES = [
    ("Manufacturer", "Builds automation equipment."),
    ("Integrator", "Designs and installs automation systems."),
    ("Consultant", "Advises on automation projects."),
    ("Distributor", "Sells and supports automation products."),
]
# Annual dues by class slug; classes created elsewhere get DEFAULT_FEE.
FEES = {
    "manufacturer": Decimal("4800.00"),
    "integrator": Decimal("2400.00"),
    "consultant": Decimal("900.00"),
    "distributor": Decimal("1800.00"),
}
DEFAULT_FEE = Decimal("1500.00")

# Mostly active, the rest spread over the other statuses (weights sum to 100).
STATUS_WEIGHTS = [
    (MembershipStatus.ACTIVE, 80),
    (MembershipStatus.LAPSED, 7),
    (MembershipStatus.APPLICANT, 4),
    (MembershipStatus.SUSPENDED, 3),
    (MembershipStatus.RESIGNED, 4),
    (MembershipStatus.TERMINATED, 2),
]
STATUSES = [s for s, _ in STATUS_WEIGHTS]
WEIGHTS = [w for _, w in STATUS_WEIGHTS]

DUES_YEARS = (2024, 2025, 2026)
# When the non-active statuses began (fixed dates keep the data deterministic).
LAPSED_FROM, LAPSED_TO = datetime.date(2026, 6, 1), datetime.date(2026, 9, 30)
SUSPENDED_FROM, SUSPENDED_TO = datetime.date(2026, 3, 1), datetime.date(2026, 10, 31)
LEFT_FROM, LEFT_TO = datetime.date(2024, 6, 1), datetime.date(2026, 10, 31)

REASONS = {
    MembershipStatus.LAPSED: "Dues for {year} unpaid 60 days after the due date.",
    MembershipStatus.SUSPENDED: "Suspended by the board pending an audit of its filings.",
    MembershipStatus.TERMINATED: "Expelled by decision of the board.",
    MembershipStatus.RESIGNED: "Resigned by letter from the managing director.",
}

NAME_FIRST = [
    "Alder",
    "Ash",
    "Beacon",
    "Birch",
    "Bright",
    "Cedar",
    "Cobalt",
    "Copper",
    "Crest",
    "Dun",
    "East",
    "Elm",
    "Fen",
    "Fox",
    "Glen",
    "Grey",
    "Harrow",
    "Heath",
    "Iron",
    "Juniper",
    "Kestrel",
    "Larch",
    "Marsh",
    "Mill",
    "North",
    "Oak",
    "Pember",
    "Quarry",
    "Red",
    "Salt",
    "Silver",
    "Stone",
    "Thorn",
    "Up",
    "Vale",
    "West",
    "Willow",
    "Yarrow",
]
NAME_SECOND = [
    "bridge",
    "brook",
    "croft",
    "dale",
    "field",
    "ford",
    "gate",
    "haven",
    "hill",
    "holm",
    "land",
    "mere",
    "moor",
    "more",
    "ridge",
    "stead",
    "ton",
    "water",
    "way",
    "wood",
]
NAME_TRADE = [
    "Robotics",
    "Controls",
    "Motion",
    "Drives",
    "Sensors",
    "Actuators",
    "Machines",
    "Pneumatics",
    "Automation",
    "Conveyors",
    "Integration",
    "Systems",
    "Engineering",
    "Process",
    "Advisory",
    "Consulting",
    "Supply",
    "Components",
    "Distribution",
    "Electrical",
    "Industrial",
    "Vision",
    "Hydraulics",
    "Software",
]
NAME_SUFFIX = ["Ltd", "Limited", "plc", "LLP", "Group", "& Co", "Holdings", "", "", ""]
FIRST_NAMES = [
    "Sam",
    "Ruth",
    "Tom",
    "Una",
    "Victor",
    "Wendy",
    "Xavier",
    "Yasmin",
    "Zac",
    "Amir",
    "Beth",
    "Carlos",
    "Dana",
    "Emeka",
    "Fatima",
    "George",
    "Hana",
    "Ivan",
    "Jade",
    "Kofi",
]
LAST_NAMES = [
    "Marsh",
    "Price",
    "Quinn",
    "Reid",
    "Shaw",
    "Turner",
    "Vaughan",
    "Walsh",
    "Young",
    "Abbott",
    "Bell",
    "Carter",
    "Dawson",
    "Ellis",
    "Foster",
    "Grant",
    "Hale",
    "Irwin",
]
JOB_TITLES = ["Compliance manager", "Managing director", "Head of legal", "Company secretary"]


@dataclass
class OrgSpec:
    """Everything about one scale organization, drawn from its own random stream."""

    index: int
    rng: random.Random
    name: str
    slug: str
    membership_class: MembershipClass
    status: str
    joined_on: datetime.date | None
    status_since: datetime.date


def _date_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def _aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=datetime.UTC)


def _spec(index: int, seed: int, classes: list[MembershipClass]) -> OrgSpec:
    rng = random.Random(f"probity-scale:{seed}:{index}")
    base = f"{rng.choice(NAME_FIRST)}{rng.choice(NAME_SECOND)} {rng.choice(NAME_TRADE)}"
    suffix = rng.choice(NAME_SUFFIX)
    # The index keeps names unique and makes the organization easy to find again.
    name = f"{base} {suffix} {index:05d}".replace("  ", " ")
    status = rng.choices(STATUSES, WEIGHTS)[0]
    if status == MembershipStatus.APPLICANT:
        joined_on = None
        status_since = _date_between(rng, datetime.date(2026, 1, 1), datetime.date(2026, 10, 31))
    else:
        joined_on = _date_between(rng, datetime.date(1995, 1, 1), datetime.date(2023, 12, 31))
        if status == MembershipStatus.ACTIVE:
            status_since = joined_on
        elif status == MembershipStatus.LAPSED:
            status_since = _date_between(rng, LAPSED_FROM, LAPSED_TO)
        elif status == MembershipStatus.SUSPENDED:
            status_since = _date_between(rng, SUSPENDED_FROM, SUSPENDED_TO)
        else:
            status_since = _date_between(rng, LEFT_FROM, LEFT_TO)
    return OrgSpec(
        index=index,
        rng=rng,
        name=name,
        slug=ORG_SLUG.format(index=index),
        membership_class=classes[rng.randrange(len(classes))],
        status=status,
        joined_on=joined_on,
        status_since=status_since,
    )


# -- Builders: one per kind of row. Each returns unsaved instances. --


def _build_users(specs: list[OrgSpec], password: str) -> list[User]:
    users = []
    for spec in specs:
        first, last = spec.rng.choice(FIRST_NAMES), spec.rng.choice(LAST_NAMES)
        username = REP_USERNAME.format(index=spec.index)
        users.append(
            User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{first.lower()}.{last.lower()}@{spec.slug}.example",
                password=password,
                date_joined=_aware(spec.joined_on or spec.status_since),
            )
        )
    return users


def _build_organizations(specs: list[OrgSpec]) -> list[Organization]:
    orgs = []
    for spec in specs:
        suspended_until = readmission_bar_until = None
        if spec.status == MembershipStatus.SUSPENDED:
            days = spec.rng.choice((365, 540, 730))  # ends in 2027 or 2028
            suspended_until = spec.status_since + datetime.timedelta(days=days)
        elif spec.status == MembershipStatus.TERMINATED:
            readmission_bar_until = spec.status_since + datetime.timedelta(days=3 * 365)
        # status in the constructor: a protected FSMField refuses later assignment.
        orgs.append(
            Organization(
                name=spec.name,
                slug=spec.slug,
                website=f"https://{slugify(spec.name)}.example",
                membership_class=spec.membership_class,
                joined_on=spec.joined_on,
                status=spec.status,
                status_since=spec.status_since,
                suspended_until=suspended_until,
                readmission_bar_until=readmission_bar_until,
            )
        )
    return orgs


def _build_representatives(
    specs: list[OrgSpec], org_ids: dict[str, int], user_ids: dict[str, int]
) -> list[Representative]:
    return [
        Representative(
            user_id=user_ids[REP_USERNAME.format(index=spec.index)],
            organization_id=org_ids[spec.slug],
            is_primary=True,
            job_title=spec.rng.choice(JOB_TITLES),
            phone=f"+44 20 7{spec.index:07d}"[:16],
        )
        for spec in specs
    ]


def _build_dues(specs: list[OrgSpec], org_ids: dict[str, int]) -> list[DuesInvoice]:
    invoices = []
    for spec in specs:
        if spec.status == MembershipStatus.APPLICANT:
            continue  # not a member yet: no dues
        fee = FEES.get(spec.membership_class.slug, DEFAULT_FEE)
        left = spec.status in (MembershipStatus.TERMINATED, MembershipStatus.RESIGNED)
        for year in DUES_YEARS:
            if left and year > spec.status_since.year:
                break  # no invoice after the organization left
            issued_on, due_on = datetime.date(year, 1, 5), datetime.date(year, 3, 31)
            unpaid = spec.status == MembershipStatus.LAPSED and year == DUES_YEARS[-1]
            if unpaid:
                paid_on = None
            elif spec.rng.random() < 0.1:  # paid late
                paid_on = due_on + datetime.timedelta(days=spec.rng.randrange(1, 60))
            else:
                paid_on = _date_between(spec.rng, issued_on, due_on)
            invoices.append(
                DuesInvoice(
                    organization_id=org_ids[spec.slug],
                    year=year,
                    amount=fee,
                    issued_on=issued_on,
                    due_on=due_on,
                    paid_on=paid_on,
                )
            )
    return invoices


def _build_history(specs: list[OrgSpec], org_ids: dict[str, int]) -> list[StatusChange]:
    """Admission for every member, plus the change that left each non-active one where it is."""
    changes = []
    for spec in specs:
        if spec.status == MembershipStatus.APPLICANT:
            continue
        org_id = org_ids[spec.slug]
        changes.append(
            StatusChange(
                organization_id=org_id,
                from_status=MembershipStatus.APPLICANT,
                to_status=MembershipStatus.ACTIVE,
                changed_at=_aware(spec.joined_on, 9),
                reason="Application approved by the board.",
            )
        )
        if spec.status != MembershipStatus.ACTIVE:
            changes.append(
                StatusChange(
                    organization_id=org_id,
                    from_status=MembershipStatus.ACTIVE,
                    to_status=spec.status,
                    changed_at=_aware(spec.status_since),
                    reason=REASONS[spec.status].format(year=DUES_YEARS[-1]),
                )
            )
    return changes


# ---------------------------------------------------------------------------
# Cases: `--cases N`
#
# Scale case i is simulated through the workflow from its own random stream
# (CASE_SEED): filed on a day between CASES_FROM and --cases-until, then dismissed,
# withdrawn, or taken through review, the board's ballot, the appeal window and
# perhaps an appeal, each step on a date drawn within the procedure's windows. The
# simulation stops at --cases-until, so a case is in the state it had reached by
# then (recent cases are open, old ones decided). Each step writes the rows and the
# case events that the services in cases.services and cases.ballots write (same
# kinds, payloads and order: both build them with cases.events), and each case's
# events form a valid hash chain (hashed by CaseEvent's own canonical form).
# ---------------------------------------------------------------------------

CASES_FROM = datetime.date(2019, 1, 1)
CASES_UNTIL = datetime.date(2026, 11, 20)  # default --cases-until: "today" for the data
CASE_SEED = "probity-scale-case:{seed}:{index}"
# The ordinal is the index + 1, so numbers are unique whatever the year; within a
# year they increase with the index, not with the filing date.
CASE_NUMBER = "{year}-{ordinal:06d}"
# Respondents: org = orgs[int(n * random() ** SKEW)], so low indices are complained
# about often (scale-00000 gets ~2% of all cases) and most organizations rarely.
RESPONDENT_SKEW = 1.5

STAFF_USERNAME = PREFIX + "staff-{n}"
BOARD_USERNAME = PREFIX + "board-{n}"
PANEL_USERNAME = PREFIX + "panel-{n}"
STAFF_COUNT, BOARD_SIZE, PANEL_SIZE = 4, 3, 3

SCALE_CODE_VERSION = "scale"
SCALE_CODE_ADOPTED_ON = datetime.date(2018, 1, 1)
# (number, title, text, effective on, conduct phrases). Numbered S1..S6 so they never
# clash with the demo code's principles (looked up by number).
SCALE_PRINCIPLES = [
    (
        "S1",
        "Honest dealing",
        "Members deal honestly with customers, suppliers and each other.",
        SCALE_CODE_ADOPTED_ON,
        [
            "Invoiced a customer for commissioning work that was never done",
            "Kept a customer's deposit after cancelling the order",
        ],
    ),
    (
        "S2",
        "Truthful marketing",
        "Members make no claim about their products that they cannot substantiate.",
        SCALE_CODE_ADOPTED_ON,
        [
            "Advertised a safety certification the product does not hold",
            "Claimed throughput figures its own tests do not support",
        ],
    ),
    (
        "S3",
        "Safety first",
        "Members do not sell or install equipment they know to be unsafe.",
        SCALE_CODE_ADOPTED_ON,
        [
            "Installed a machine guard known to be defective",
            "Shipped a controller with its emergency stop bypassed",
        ],
    ),
    (
        "S4",
        "Fair competition",
        "Members do not disparage competitors falsely or fix prices with them.",
        SCALE_CODE_ADOPTED_ON,
        [
            "Told a customer that a competitor was about to fail",
            "Agreed tender prices with a competitor",
        ],
    ),
    (
        "S5",
        "Confidentiality",
        "Members keep customers' confidential information confidential.",
        SCALE_CODE_ADOPTED_ON,
        [
            "Shared a customer's plant layout with a competitor",
            "Published a customer's production figures in a case study",
        ],
    ),
    (
        "S6",
        "Data protection",
        "Members protect the personal data their equipment collects.",
        datetime.date(2023, 1, 1),  # added later: older conduct cannot breach it
        [
            "Collected operator telemetry without telling the customer",
            "Kept camera recordings of a customer's staff after the project",
        ],
    ),
]
OUTSIDE_ORGANIZATIONS = [
    "Automation Weekly",
    "Plant Engineering Review",
    "Northfield Foods plc",
    "Harbour Packaging Ltd",
    "Consumer Machinery Watch",
    "Midland Bottling Co",
]
DISMISSED_AT_INTAKE = [
    "The complaint concerns a contractual dispute, not a breach of the code.",
    "The conduct described does not engage the principle cited.",
    "The complaint repeats one the association has already decided.",
]
NOT_A_MEMBER = "The respondent was not a member of the association during the conduct alleged."
DISMISSED_ON_REVIEW = [
    "The evidence does not support the allegations.",
    "The response and the documents show that the conduct did not occur as alleged.",
]
WITHDRAWN = [
    "The complainant withdrew after the matter was settled between the parties.",
    "The complainant withdrew the complaint without giving reasons.",
]
RESPONSE_TEXT = (
    "We dispute the complaint. The matter was corrected as soon as we were told of it; "
    "our correspondence with the customer shows the dates."
)
REPORT_TEXT = (
    "The review considered the complainant's letter, the respondent's response if any, and "
    "the documents on file. The findings are set out per allegation."
)
FINDING_REASONS = {
    "substantiated": "The documents on file establish the conduct alleged.",
    "not_substantiated": "Nothing on file shows the conduct alleged.",
    "inconclusive": "The accounts conflict and the documents do not settle the point.",
}
APPEAL_GROUNDS = "The board gave too much weight to the complainant's account of the facts."
APPEAL_DECISION = {
    "upheld": "The panel found no error in the board's decision.",
    "overturned": "The panel found that the facts did not support the finding of a violation.",
}
SANCTION_TERMS = {  # as cases.ballots words them; scale sanctions never change membership
    "warning": "A written warning is placed on the member's record.",
    "censure": "The member is censured; the censure stays on its record.",
}
STAFF_NAMES = [("Morgan", "Ashby"), ("Priya", "Nandakumar"), ("Oskar", "Lind"), ("Ada", "Okafor")]
BOARD_NAMES = [("Helen", "Crowther"), ("Idris", "Bello"), ("Margit", "Szabo")]
PANEL_NAMES = [("Rowan", "Pike"), ("Leona", "Fairweather"), ("Tomasz", "Wrona")]


# Scale evidence rows share two stored files (one per kind of document), written once
# into private storage, so verify_case_record finds each file and its SHA-256.
EVIDENCE_FILES = {
    "complaint-letter.pdf": "Complainant's letter",
    "fact-finding-notes.pdf": "Staff fact-finding notes",
}
EVIDENCE_DIR = "scale/evidence"


def _evidence_body(title: str) -> bytes:
    return (
        f"%PDF-1.4\n% Benchmark evidence: {title}\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
    ).encode()


class _Reached(Exception):
    """The simulation reached --cases-until: the case stays where it got to."""


class _Row:
    """A row to insert: values by attname. A value that is itself a _Row is a foreign
    key, written as that row's id (ids are reserved before anything is written)."""

    __slots__ = ("id", "values")

    def __init__(self, **values):
        self.id = None
        self.values = values

    def __getitem__(self, attname: str):
        return self.values[attname]

    def __setitem__(self, attname: str, value) -> None:
        self.values[attname] = value


@dataclass(frozen=True)
class _Respondent:
    pk: int
    slug: str
    status: str
    joined_on: datetime.date | None
    left_on: datetime.date | None

    def member_during(self, start: datetime.date, end: datetime.date) -> bool:
        return (
            self.joined_on is not None
            and self.joined_on <= start
            and (self.left_on is None or self.left_on >= end)
        )


@dataclass
class CaseWorld:
    """What every scale case draws on, loaded once per run."""

    seed: int
    until: datetime.datetime  # the simulation's "now": nothing happens after it
    procedure: Procedure
    principles: list[Principle]
    phrases: dict[str, list[str]]
    officers: list[tuple[int, str]]  # (user id, username)
    board: list[tuple[int, str]]
    panel: list[tuple[int, str]]
    organizations: list[_Respondent]
    representatives: dict[int, list[tuple[int, str]]]  # organization id -> users
    staff_group_id: int
    permission_ids: dict[str, int]
    evidence_files: dict[str, tuple[str, str, int]]  # filename -> (path, sha256, size)


def _day_at(rng: random.Random, day: datetime.date, hour: int | None = None) -> datetime.datetime:
    """A time on `day`: in office hours, or at `hour` exactly (the deadline job)."""
    if hour is not None:
        return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC)
    start = datetime.datetime(day.year, day.month, day.day, 9, tzinfo=datetime.UTC)
    return start + datetime.timedelta(seconds=rng.randrange(8 * 3600))


_STEP_APART = datetime.timedelta(milliseconds=3)


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


class CasePlan:
    """One scale case, simulated: its rows (by model) and its events, in order. Event
    payloads may hold _Rows, replaced by their ids when the chain is hashed."""

    def __init__(self, world: CaseWorld, index: int):
        self.w = world
        self.index = index
        self.rng = random.Random(CASE_SEED.format(seed=world.seed, index=index))
        self.until = world.until
        self.now: datetime.datetime | None = None
        self.state = CaseState.FILED
        self.rows: dict[type[models.Model], list[_Row]] = {}
        # (at, actor id, kind, from state, to state, payload, personal field rows)
        self.events: list[tuple] = []
        self.user_permissions: dict[tuple[int, str], None] = {}  # an ordered set
        self.case: _Row | None = None

    def add(self, model: type[models.Model], **values) -> _Row:
        row = _Row(**values)
        self.rows.setdefault(model, []).append(row)
        return row

    # -- the clock and the record --

    def at(self, when: datetime.datetime) -> None:
        """Move the clock to `when` (never backwards); stop once past --cases-until."""
        if self.now is not None and when <= self.now:
            when = self.now + datetime.timedelta(seconds=1)
        if when > self.until:
            raise _Reached
        self.now = when

    def event(
        self,
        actor_id,
        *,
        kind: str,
        payload: dict,
        from_state="",
        to_state="",
        personal: dict | None = None,
        personal_kind: str = "",
    ) -> None:
        """One event, as cases.events builds it (the services write the same): personal
        fields committed to by salted hashes, their values kept beside the event
        (cases.services.record.commit_personal, docs/decisions/0023)."""
        personal_rows = ()
        if personal is not None:  # the builders' payloads are fresh dicts: no copy needed
            payload, kept = commit_personal(payload, personal)
            personal_rows = [
                {"name": name, "kind": personal_kind, "value": value, "salt": salt}
                for name, value, salt in kept
            ]
        self.events.append((self.now, actor_id, kind, from_state, to_state, payload, personal_rows))
        # The events of one step are written milliseconds apart.
        self.now += _STEP_APART

    def transition(self, step: str, target: str, actor_id, reason: str = "") -> None:
        source, self.state = self.state, target
        self.case["state"] = target
        self.case["state_changed_at"] = self.now
        self.event(
            actor_id,
            **events.transition(step=step, from_state=source, to_state=target, reason=reason),
        )

    def grant(self, actor_id, user: tuple[int, str], codenames: list[str], why: str) -> None:
        for codename in codenames:
            self.user_permissions[(user[0], codename)] = None
        self.event(actor_id, **events.access_granted(user=user[1], permissions=codenames, why=why))

    def revoke(self, actor_id, user: tuple[int, str], codenames: list[str], why: str) -> None:
        for codename in codenames:
            self.user_permissions.pop((user[0], codename), None)
        self.event(actor_id, **events.access_revoked(user=user[1], permissions=codenames, why=why))

    # -- the simulation: filing, then review, the board, the appeal window --

    def simulate(self) -> CasePlan:
        try:
            self._file()
        except _Reached:
            pass
        return self

    def _file(self) -> None:
        w, rng = self.w, self.rng
        day = CASES_FROM + _days(rng.randrange((w.until.date() - CASES_FROM).days + 1))
        conduct_to = day - _days(rng.randrange(7, 150))
        conduct_from = conduct_to - _days(rng.randrange(0, 120))
        known_on = min(day, conduct_to + _days(rng.randrange(0, 7)))
        orgs = w.organizations
        for _ in range(30):
            org = orgs[int(len(orgs) * rng.random() ** RESPONDENT_SKEW)]
            if org.member_during(conduct_from, conduct_to):
                break
        eligible = org.member_during(conduct_from, conduct_to)
        self.respondent = org
        self.reps = w.representatives.get(org.pk, [])
        self.officer = officer = rng.choice(w.officers)
        complainant = self._complainant()
        count = rng.choices((1, 2, 3), (60, 30, 10))[0]
        in_effect = [p for p in w.principles if p.effective_on <= conduct_to]
        principles = rng.sample(in_effect, min(count, len(in_effect)))
        number = CASE_NUMBER.format(year=day.year, ordinal=self.index + 1)
        filed_at = min(_day_at(rng, day), w.until)
        self.case = self.add(
            Case,
            number=number,
            state=CaseState.FILED,
            respondent_id=org.pk,
            complainant_id=complainant,
            procedure_id=w.procedure.pk,
            case_officer_id=officer[0],
            summary=rng.choice(w.phrases[principles[0].number]),
            filed_at=filed_at,
            filed_by_id=officer[0],
            received_on=filed_at.date(),  # received the day it was entered
            received_via="form",
            received_by_id=officer[0],
            conduct_known_on=known_on,
            state_changed_at=filed_at,
        )
        self.at(filed_at)
        self.event(
            officer[0],
            **events.filed(
                number=number,
                respondent=org.slug,
                procedure=w.procedure.version,
                case_officer=officer[1],
                complainant_kind=complainant["kind"],
                conduct_known_on=known_on,
                late_acceptance_reason="",
                to_state=CaseState.FILED,
                received_on=filed_at.date(),
                received_via="form",
            ),
        )
        self.event(
            officer[0],
            **events.access_granted_to_group(
                group=ETHICS_STAFF,
                permissions=list(STAFF_PERMISSIONS),
                why="Ethics staff manage every case.",
            ),
        )
        self.allegations = []
        for principle in principles:
            start = conduct_from + _days(rng.randrange((conduct_to - conduct_from).days + 1))
            phrase = rng.choice(w.phrases[principle.number])
            allegation = self.add(
                Allegation,
                case_id=self.case,
                principle_id=principle.pk,
                conduct=f"{phrase}, as described in the complainant's letter.",
                conduct_from=start,
                conduct_to=conduct_to,
                added_at=self.now,
            )
            self.allegations.append(allegation)
            self.event(
                officer[0],
                **events.allegation_added(
                    allegation=allegation,
                    principle=principle.number,
                    conduct_from=start,
                    conduct_to=conduct_to,
                ),
            )
        source = "complainant" if rng.random() < 0.8 else "public_record"
        self._evidence("complaint-letter.pdf", source, rng.random() < 0.85)

        # At intake: 30% dismissed, 5% withdrawn, the rest go to review.
        r = rng.random()
        if not eligible or r < 0.35:
            if not eligible or r < 0.30:
                step, target = "dismiss", CaseState.DISMISSED
                reason = rng.choice(DISMISSED_AT_INTAKE) if eligible else NOT_A_MEMBER
            else:
                step, target, reason = "withdraw", CaseState.WITHDRAWN, rng.choice(WITHDRAWN)
            self.at(_day_at(rng, day + _days(rng.randrange(3, 46))))
            self._close(step, target, reason)
        else:
            self._review(_day_at(rng, day + _days(rng.randrange(1, 22))))

    def _complainant(self) -> _Row:
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        kind = rng.choices(("organization", "person", "member_representative"), (45, 40, 15))[0]
        organization_name, member_organization_id, phone = "", None, ""
        if kind == "organization":
            organization_name = rng.choice(OUTSIDE_ORGANIZATIONS)
        elif kind == "member_representative":  # another member, never the respondent
            orgs = self.w.organizations
            i = rng.randrange(len(orgs))
            if orgs[i].pk == self.respondent.pk and len(orgs) > 1:
                i = (i + 1) % len(orgs)
            member_organization_id = orgs[i].pk
        else:
            phone = f"+44 7700 9{rng.randrange(100000):05d}"
        return self.add(
            Complainant,
            kind=kind,
            name=f"{first} {last}",
            organization_name=organization_name,
            member_organization_id=member_organization_id,
            email=f"{first.lower()}.{last.lower()}@complainant.example",
            phone=phone,
            consents_to_disclosure=rng.random() < 0.4,
        )

    def _evidence(self, filename: str, source: str, disclosed: bool) -> None:
        """An evidence row and its event, as cases.services stores an upload."""
        path, sha256, size = self.w.evidence_files[filename]
        title = EVIDENCE_FILES[filename]
        evidence = self.add(
            Evidence,
            case_id=self.case,
            kind="file",
            title=title,
            file=path,
            original_filename=filename,
            sha256=sha256,
            size=size,
            content_type="application/pdf",
            source=source,
            disclosed_to_respondent=disclosed,
            added_by_id=self.officer[0],
            added_at=self.now,
        )
        self.event(
            self.officer[0],
            **events.evidence_added(
                evidence=evidence,
                title=title,
                sha256=sha256,
                size=size,
                content_type="application/pdf",
                source=source,
                disclosed_to_respondent=disclosed,
            ),
        )

    def _close(self, step: str, target: str, reason: str) -> None:
        """Dismiss or withdraw now; the representatives lose the right to respond."""
        self.case["closing_reason"] = reason
        self.transition(step, target, self.officer[0], reason)
        for user in self.reps:
            if (user[0], "respond_to_case") in self.user_permissions:
                self.revoke(self.officer[0], user, ["respond_to_case"], "The case is closed.")

    def _review(self, when: datetime.datetime) -> None:
        w, rng, officer = self.w, self.rng, self.officer[0]
        self.at(when)
        notice = self.now
        due = notice.date() + _days(w.procedure.response_window_days)
        self.case["notice_issued_at"] = notice
        self.case["response_due_on"] = due
        self.transition("open_review", CaseState.UNDER_REVIEW, officer)
        for user in self.reps:
            self.grant(
                officer,
                user,
                ["view_case", "respond_to_case"],
                "Representative of the respondent, notified of the complaint.",
            )
        self.event(
            officer,
            **events.step_effects(
                "open_review",
                events.open_review_effects(notice_issued_at=notice, response_due_on=due),
            ),
        )
        # Everything is drawn first, then played in date order.
        respond = bool(self.reps) and rng.random() < 0.65
        response_at = _day_at(rng, notice.date() + _days(rng.randrange(2, 30)))
        fact_finding = rng.random() < 0.5
        fact_finding_at = _day_at(rng, notice.date() + _days(rng.randrange(3, 31)))
        r = rng.random()  # 20% dismissed on review, 5% withdrawn, the rest referred
        steps = []
        if respond:
            steps.append((response_at, self._respond))
        if fact_finding:
            steps.append(
                (fact_finding_at, lambda: self._evidence("fact-finding-notes.pdf", "staff", True))
            )
        if r < 0.25:
            if r < 0.20:
                step, target, reasons, days = (
                    "dismiss",
                    CaseState.DISMISSED,
                    DISMISSED_ON_REVIEW,
                    31,
                )
            else:
                step, target, reasons, days = "withdraw", CaseState.WITHDRAWN, WITHDRAWN, 5
            closing_at = _day_at(rng, notice.date() + _days(rng.randrange(days, days + 50)))
            reason = rng.choice(reasons)
            steps = [s for s in steps if s[0] < closing_at]
            steps.append((closing_at, lambda: self._close(step, target, reason)))
        for when, action in sorted(steps, key=lambda s: s[0]):
            self.at(when)
            action()
        if r < 0.25:
            return
        merit = rng.random() < 0.6
        # Findings after the response window has passed (or the response came).
        self.at(_day_at(rng, notice.date() + _days(rng.randrange(31, 76))))
        for allegation in self.allegations:
            if merit:
                conclusion = "substantiated" if rng.random() < 0.85 else "inconclusive"
            else:
                conclusion = rng.choice(("not_substantiated", "inconclusive"))
            self.add(
                Finding,
                allegation_id=allegation,
                conclusion=conclusion,
                reasoning=FINDING_REASONS[conclusion],
                recorded_by_id=officer,
                recorded_at=self.now,
            )
            self.event(
                officer,
                **events.finding_recorded(
                    allegation=allegation,
                    conclusion=conclusion,
                    reasoning=FINDING_REASONS[conclusion],
                ),
            )
        self.at(_day_at(rng, self.now.date() + _days(rng.randrange(1, 8))))
        # Evidence from one source only (no fact-finding): the report must say so.
        single_source = not fact_finding
        self.case["review_report"] = REPORT_TEXT
        self.case["review_rests_on_single_source"] = single_source
        self.case["review_report_at"] = self.now
        self.event(
            officer,
            **events.review_report_saved(text=REPORT_TEXT, rests_on_single_source=single_source),
        )
        self.at(_day_at(rng, self.now.date() + _days(rng.randrange(0, 8))))
        self._board(merit)

    def _respond(self) -> None:
        user = self.reps[0]
        response = self.add(
            Response,
            case_id=self.case,
            submitted_by_id=user[0],
            submitted_at=self.now,
            text=RESPONSE_TEXT,
        )
        self.event(
            user[0],
            **events.response_submitted(
                response=response, attachments=0, characters=len(RESPONSE_TEXT)
            ),
        )

    def _open_ballot(self, kind: str, voters, actor_id, why: str) -> _Row:
        closes_on = self.now.date() + _days(self.w.procedure.ballot_window_days)
        ballot = self.add(
            Ballot, case_id=self.case, kind=kind, opened_at=self.now, closes_on=closes_on
        )
        for voter in voters:
            self.add(BallotSeat, ballot_id=ballot, voter_id=voter[0], closes_on=closes_on)
            self.grant(actor_id, voter, ["view_case", "vote_on_case"], why)
        self.event(
            actor_id,
            **events.ballot_opened(
                ballot=ballot,
                kind=kind,
                closes_on=closes_on,
                eligible=[voter[1] for voter in voters],
            ),
        )
        return ballot

    def _vote(self, ballot: _Row, voters, choose) -> list[_Row]:
        """Each voter votes, or not, on a day before the ballot closes; at least two
        do, so every ballot reaches quorum (more than half of three)."""
        rng = self.rng
        intents = []
        for voter in voters:
            votes = rng.random() < 0.9
            when = _day_at(rng, ballot["opened_at"].date() + _days(rng.randrange(0, 14)))
            intents.append([votes, when, voter, *choose()])
        for intent in intents:
            if sum(i[0] for i in intents) >= 2:
                break
            intent[0] = True
        cast = []
        for _, when, voter, choice, sanction in sorted(
            (i for i in intents if i[0]), key=lambda i: i[1]
        ):
            self.at(when)
            cast.append(
                self.add(
                    Vote,
                    ballot_id=ballot,
                    voter_id=voter[0],
                    choice=choice,
                    sanction=sanction,
                    suspension_months=None,
                    reason="",
                    cast_at=self.now,
                )
            )
            self.event(
                voter[0],
                **events.vote_cast(
                    ballot=ballot,
                    voter=voter[1],
                    choice=choice,
                    sanction=sanction,
                    suspension_months=None,
                    reason="",
                ),
            )
        return cast

    def _close_ballot(self, ballot: _Row, votes: list[_Row], eligible: int, original=""):
        """Count as cases.tally does; the deadline job closes it the morning after."""
        self.at(_day_at(self.rng, ballot["closes_on"] + _days(1), hour=6))
        outcome, counts = _count(
            tuple((v["choice"], v["sanction"], v["suspension_months"]) for v in votes),
            eligible,
            self.w.procedure,
            original,
        )
        ballot.values.update(
            closed_at=self.now,
            tally={**counts, "quorum_met": outcome.quorum_met},
            outcome_rule=outcome.rule,
            violation_found=outcome.violation_found,
            sanction_kind=outcome.sanction,
            suspension_months=outcome.suspension_months,
        )
        return outcome, counts

    def _board(self, merit: bool) -> None:
        w, rng, officer = self.w, self.rng, self.officer[0]
        self.transition("refer_to_board", CaseState.BOARD_VOTE, officer)
        ballot = self._open_ballot(
            "board", w.board, officer, "Board member seated when the case was referred."
        )
        self.event(
            officer,
            **events.step_effects(
                "refer_to_board",
                events.refer_to_board_effects(ballot=ballot, closes_on=ballot["closes_on"]),
            ),
        )

        def choose():
            p = rng.random()
            if (p < 0.85) if merit else (p < 0.1):
                return "violation", rng.choices(("warning", "censure"), (60, 40))[0]
            return ("no_violation" if p < 0.95 else "abstain"), ""

        votes = self._vote(ballot, w.board, choose)
        outcome, counts = self._close_ballot(ballot, votes, len(w.board))
        self.case["decided_at"] = self.now
        if not outcome.violation_found:
            self.transition("close_ballot", CaseState.NO_VIOLATION, None)
            self.event(
                None,
                **events.step_effects(
                    "close_ballot",
                    events.close_ballot_effects(
                        ballot=ballot, tally=counts, violation_found=False, sanction=""
                    ),
                ),
            )
            return
        deadline = self.now.date() + _days(w.procedure.appeal_window_days)
        self.case["appeal_deadline"] = deadline
        self.transition("close_ballot", CaseState.SANCTIONED, None)
        on_decision = w.procedure.sanction_takes_effect == "on_decision"
        effective = self.now.date() if on_decision else deadline + _days(1)
        sanction = self.add(
            Sanction,
            case_id=self.case,
            respondent_id=self.respondent.pk,
            ballot_id=ballot,
            kind=outcome.sanction,
            effective_on=effective,
            terms=SANCTION_TERMS[outcome.sanction],
            decided_at=self.now,
            applied_at=None,
            rescinded_at=None,
        )
        self.event(
            None,
            **events.sanction_imposed(
                sanction=sanction,
                kind=outcome.sanction,
                effective_on=effective,
                ends_on=None,
                readmission_bar_until=None,
            ),
        )
        if on_decision:
            self._apply(sanction, None)
        self.event(
            None,
            **events.step_effects(
                "close_ballot",
                events.close_ballot_effects(
                    ballot=ballot,
                    tally=counts,
                    violation_found=True,
                    sanction=outcome.sanction,
                    sanction_id=sanction,
                    appeal_deadline=deadline,
                ),
            ),
        )
        appeal = bool(self.reps) and rng.random() < 0.12
        appeal_at = _day_at(rng, self.now.date() + _days(rng.randrange(2, 29)))
        if appeal:
            self.at(appeal_at)
            self._appeal(sanction, votes)
        else:  # the deadline job finalizes the morning after the appeal window
            self.at(_day_at(rng, deadline + _days(1), hour=6))
            self.transition("finalize", CaseState.CLOSED, None)
            if sanction["applied_at"] is None:
                self._apply(sanction, None)

    def _apply(self, sanction: _Row, actor_id) -> None:
        sanction["applied_at"] = self.now
        self.event(
            actor_id,
            **events.sanction_applied(
                sanction=sanction, kind=sanction["kind"], status=self.respondent.status
            ),
        )

    def _appeal(self, sanction: _Row, board_votes: list[_Row]) -> None:
        w, rng, officer = self.w, self.rng, self.officer[0]
        rep = self.reps[0]
        self.transition("file_appeal", CaseState.UNDER_APPEAL, rep[0], APPEAL_GROUNDS)
        appeal = self.add(
            Appeal, case_id=self.case, filed_by_id=rep[0], filed_at=self.now, grounds=APPEAL_GROUNDS
        )
        excluded = {v["voter_id"] for v in board_votes} | {officer}
        panel = [u for u in w.panel if u[0] not in excluded]
        ballot = self._open_ballot(
            "appeal", panel, rep[0], "Appeals panel member, not involved in the decision."
        )
        self.event(
            rep[0],
            **events.step_effects(
                "file_appeal",
                events.file_appeal_effects(
                    ballot=ballot, closes_on=ballot["closes_on"], excluded=sorted(excluded)
                ),
            ),
        )

        def choose():
            p = rng.random()
            return ("uphold" if p < 0.7 else "overturn" if p < 0.95 else "abstain"), ""

        votes = self._vote(ballot, panel, choose)
        outcome, counts = self._close_ballot(ballot, votes, len(panel), sanction["kind"])
        self.event(
            None,
            **events.appeal_ballot_closed(
                ballot=ballot, tally=counts, sanction_upheld=outcome.sanction
            ),
        )
        self.at(_day_at(rng, self.now.date() + _days(rng.randrange(1, 11))))
        upheld = outcome.violation_found and outcome.sanction == sanction["kind"]
        result = "upheld" if upheld else "overturned"
        reason = APPEAL_DECISION[result]
        self.transition("decide_appeal", CaseState.CLOSED, officer, reason)
        appeal.values.update(outcome=result, decided_at=self.now, decision_reasons=reason)
        if not upheld:
            sanction.values.update(rescinded_at=self.now, rescinded_reason=reason)
            self.event(officer, **events.sanction_rescinded(sanction=sanction, reason=reason))
        elif sanction["applied_at"] is None:
            self._apply(sanction, officer)
        self.event(
            officer,
            **events.step_effects(
                "decide_appeal",
                events.decide_appeal_effects(
                    outcome=result, sanction=sanction["kind"] if upheld else ""
                ),
            ),
        )


_COUNTS: dict[tuple, tuple] = {}


def _count(votes: tuple, eligible: int, procedure: Procedure, original: str):
    """cases.tally.count, remembered: scale ballots have few distinct vote patterns."""
    key = (votes, eligible, procedure.pk, original)
    if key not in _COUNTS:
        outcome = tally.count(
            [tally.CastVote(*v) for v in votes],
            eligible=eligible,
            procedure=procedure,
            original_sanction=original,
        )
        _COUNTS[key] = (outcome, json.loads(json.dumps(outcome.counts)))  # plain keys
    return _COUNTS[key]


def _refuse(value):
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _c_encoder(default=None, **options):
    """A reusable JSON encoder: json.dumps builds a new one per call, which is a third
    of its cost on small payloads (millions of them here)."""
    encoder = json.JSONEncoder(default=default, **options)
    make = json.encoder.c_make_encoder
    if make is None:  # no C accelerator: the plain encoder
        return encoder.encode

    iterate = make(
        None,  # no circular-reference check: payloads are trees
        default or _refuse,
        json.encoder.encode_basestring
        if not options.get("ensure_ascii", True)
        else json.encoder.encode_basestring_ascii,
        None,
        options.get("separators", (", ", ": "))[1],
        options.get("separators", (", ", ": "))[0],
        options.get("sort_keys", False),
        False,
        True,
    )
    return lambda value: "".join(iterate(value, 0))


# What CaseEvent.canonical_content does to the payload (sorted keys, no whitespace,
# not ASCII-escaped); the same text is stored in the column, so it is encoded once.
# A _Row in a payload (an event citing a row of the batch) is written as its id.
_canonical = _c_encoder(
    default=lambda value: value.id if type(value) is _Row else _refuse(value),
    sort_keys=True,
    separators=(",", ":"),
    ensure_ascii=False,
)
_json_text = _c_encoder(ensure_ascii=False)

_string = json.encoder.encode_basestring


def _event_content(
    case_id, sequence, at_iso, actor_id, kind, from_state, to_state, payload_json, previous_hash
) -> str:
    """CaseEvent.canonical_content, as text, from the payload's canonical JSON: the keys
    in sorted order (actor, at, case, from_state, kind, payload, previous_hash,
    sequence, to_state). An ISO time and a hex digest need no JSON escaping; the
    states and kind, a few dozen combinations, are quoted once each."""
    parts = _STATE_PARTS.get((from_state, kind, to_state))
    if parts is None:
        parts = _STATE_PARTS[from_state, kind, to_state] = (
            f',"from_state":{_string(from_state)},"kind":{_string(kind)},"payload":',
            f',"to_state":{_string(to_state)}}}',
        )
    return (
        f'{{"actor":{"null" if actor_id is None else int(actor_id)},"at":"{at_iso}",'
        f'"case":{int(case_id)}{parts[0]}{payload_json},"previous_hash":"{previous_hash}",'
        f'"sequence":{int(sequence)}{parts[1]}'
    )


_STATE_PARTS: dict[tuple[str, str, str], tuple[str, str]] = {}


def _chain(plan: CasePlan, pks, at_value) -> tuple[list[tuple], list[dict]]:
    """The plan's events as record_event writes them, a chain from GENESIS_HASH, numbered
    from `pks`: (the events' database values in column order: id, case_id, sequence,
    at (`at_value` of its ISO text), actor_id, kind, from_state, to_state, payload
    JSON, previous_hash, hash; the personal fields kept beside them, by attname)."""
    rows, personal, previous, case_id = [], [], GENESIS_HASH, plan.case.id
    utc, sha256 = datetime.UTC, hashlib.sha256
    for sequence, event in enumerate(plan.events, 1):
        at, actor_id, kind, from_state, to_state, payload, kept = event
        # Plain str, not the workflow's enum members: the same text, and marshal
        # (`_encoded`) takes only plain types.
        if type(from_state) is not str:
            from_state = from_state.value
        if type(to_state) is not str:
            to_state = to_state.value
        pk = next(pks)
        payload_json = _canonical(payload)
        if at.tzinfo is not utc:
            at = at.astimezone(utc)
        at_iso = at.isoformat(timespec="microseconds")
        content = _event_content(
            case_id, sequence, at_iso, actor_id, kind, from_state, to_state, payload_json, previous
        )
        digest = sha256(content.encode()).hexdigest()
        rows.append(
            (
                pk,
                case_id,
                sequence,
                at_value(at_iso),
                actor_id,
                kind,
                from_state,
                to_state,
                payload_json,
                previous,
                digest,
            )
        )
        for field in kept:
            personal.append({**field, "event_id": pk})
        previous = digest
    return rows, personal


def _sqlite_from_iso(at_iso: str) -> str:
    """_sqlite_datetime's text from a UTC time's isoformat(timespec="microseconds"),
    without formatting the time twice: str() of the naive time (no fraction when
    the microseconds are 0)."""
    if at_iso.endswith(".000000+00:00"):
        return f"{at_iso[:10]} {at_iso[11:19]}"
    return f"{at_iso[:10]} {at_iso[11:26]}"


def _iso_text(value: datetime.date) -> str:
    """A date, or an aware time, as PostgreSQL's COPY reads it."""
    return value.isoformat()


def _sqlite_datetime(value: datetime.datetime) -> str:
    """What adapt_datetimefield_value does on SQLite (naive UTC, str), without its checks;
    the scale data's times are already UTC."""
    if value.tzinfo is not datetime.UTC:
        value = value.astimezone(datetime.UTC)
    return value.isoformat(" ")[:-6]  # str() of the naive time, without "+00:00"


class _Table:
    """Writes rows of one model straight to its table: ids reserved up front, values
    adapted per column as Django would, then one executemany (SQLite) or COPY
    (PostgreSQL). bulk_create spends most of its time compiling SQL per value; the
    scale data has a few million values."""

    def __init__(self, model: type[models.Model], connection):
        self.model = model
        self.connection = connection
        self.fields = model._meta.concrete_fields
        self.attnames = [f.attname for f in self.fields]
        self.defaults = {
            f.attname: (None if f.primary_key else f.get_default()) for f in self.fields
        }
        ops = connection.ops
        sqlite_utc = connection.vendor == "sqlite" and connection.timezone == datetime.UTC
        adapters = []
        for f in self.fields:
            kind = f.get_internal_type()
            if kind == "DateTimeField" and sqlite_utc:
                adapters.append(_sqlite_datetime)
            elif kind in ("DateTimeField", "DateField") and connection.vendor == "postgresql":
                # COPY parses text: the ISO form (marshal-able, and cheaper for COPY
                # to send than a date or time object).
                adapters.append(_iso_text)
            elif kind == "DateTimeField":
                adapters.append(ops.adapt_datetimefield_value)
            elif kind == "DateField":
                adapters.append(ops.adapt_datefield_value)
            elif kind == "JSONField" and f.encoder is None:
                # JSON text: SQLite stores it, PostgreSQL's COPY parses it into jsonb.
                adapters.append(_json_text)
            elif kind == "JSONField":
                adapters.append(lambda value, f=f: f.get_db_prep_save(value, connection))
            else:
                adapters.append(None)
        self.adapters = adapters
        qn = connection.ops.quote_name
        self.table = qn(model._meta.db_table)
        self.columns = ", ".join(qn(f.column) for f in self.fields)

    def reserve(self, count: int) -> list[int]:
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [self.model._meta.db_table, self.model._meta.pk.column, count],
                )
                return [row[0] for row in cursor.fetchall()]
            # SQLite: the transaction holds the write lock (BEGIN IMMEDIATE).
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self.table}")
            start = cursor.fetchone()[0] + 1
            return list(range(start, start + count))

    def assign_ids(self, rows: list[_Row]) -> None:
        for row, pk in zip(rows, self.reserve(len(rows)), strict=True):
            row.id = pk

    def write(self, rows) -> None:
        """rows: _Rows (with ids assigned) or dicts by attname (ids reserved here)."""
        rows = list(rows)
        if not rows:
            return
        if isinstance(rows[0], models.Model):  # unsaved instances: their field values
            self.write_records(self._instance_records(rows))
            return
        if type(rows[0]) is not _Row:
            rows = [_Row(**values) for values in rows]
            self.assign_ids(rows)
        self.write_records(self.records(rows))

    def records(self, rows: list[_Row]) -> list[tuple]:
        """The database values of _Rows whose ids are assigned, in column order. Asks
        the database nothing, so the generator process can run it."""
        make = self._record_of
        return [make(row) for row in rows]

    @functools.cached_property
    def _record_of(self):
        """A function from a _Row to its tuple, compiled once for this table: one
        expression per column (its default, a _Row foreign key's id, the adapter),
        where a loop over the columns cost a third of building a batch."""
        assert self.attnames[0] == "id", self.attnames
        scope, values = {"_Row": _Row, "_Enum": enum.Enum}, ["row.id"]
        for n, (field, adapt) in enumerate(zip(self.fields, self.adapters, strict=True)):
            if n == 0:
                continue
            scope[f"d{n}"] = self.defaults[field.attname]
            value = f"g({field.attname!r}, d{n})"
            if field.is_relation:  # a foreign key: a _Row of this batch, or an id
                value = f"(v.id if type(v := {value}) is _Row else v)"
            elif isinstance(field, models.CharField):  # an enum member as its plain str
                value = f"(v.value if isinstance(v := {value}, _Enum) else v)"
            if adapt is not None:
                scope[f"a{n}"] = adapt
                value = f"(None if (v := {value}) is None else a{n}(v))"
            values.append(value)
        exec(  # noqa: S102 - the code is built above from the model's own field names
            f"def record(row):\n    g = row.values.get\n    return ({', '.join(values)},)\n",
            scope,
        )
        return scope["record"]

    def _instance_records(self, instances: list[models.Model]) -> list[list]:
        records = []
        for pk, obj in zip(self.reserve(len(instances)), instances, strict=True):
            record = []
            for attname, adapt in zip(self.attnames, self.adapters, strict=True):
                value = pk if attname == "id" else getattr(obj, attname)
                if adapt is not None and value is not None:
                    value = adapt(value)
                record.append(value)
            records.append(record)
        return records

    def write_records(self, data) -> None:
        """data: sequences of database values in the order of the model's columns."""
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy:
                    for record in data:
                        copy.write_row(record)
            else:
                marks = ", ".join(["%s"] * len(self.attnames))
                cursor.executemany(
                    f"INSERT INTO {self.table} ({self.columns}) VALUES ({marks})", data
                )


class ScaleSeeder:
    def __init__(self, *, seed: int, batch_size: int, password: str, log=None, workers: int = 2):
        self.seed = seed
        self.batch_size = batch_size
        self.workers = workers
        self.password = password
        self.log = log or (lambda message: None)

    def membership_classes(self) -> list[MembershipClass]:
        classes = list(MembershipClass.objects.order_by("pk"))
        if not classes:
            MembershipClass.objects.bulk_create(
                [
                    MembershipClass(name=name, slug=slugify(name), description=description)
                    for name, description in DEFAULT_CLASSES
                ]
            )
            classes = list(MembershipClass.objects.order_by("pk"))
        return classes

    def seed_organizations(self, target: int) -> int:
        """Create scale organizations up to `target`; returns how many were created."""
        existing = set(
            Organization.objects.filter(slug__startswith=PREFIX).values_list("slug", flat=True)
        )
        missing = target - len(existing)
        if missing <= 0:
            self.log(f"{len(existing)} scale organizations already exist; nothing to add.")
            return 0
        # The first `missing` indices with no organization yet (normally len(existing)...).
        indices, index = [], 0
        while len(indices) < missing:
            if ORG_SLUG.format(index=index) not in existing:
                indices.append(index)
            index += 1
        classes = self.membership_classes()
        for start in range(0, len(indices), self.batch_size):
            batch = indices[start : start + self.batch_size]
            self._organization_batch([_spec(i, self.seed, classes) for i in batch])
            self.log(f"  organizations: {start + len(batch)}/{missing}")
        return missing

    @transaction.atomic
    def _organization_batch(self, specs: list[OrgSpec]) -> None:
        # Users may survive from a deleted organization (deleting it cascades to the
        # representative, not the user): reuse them rather than fail.
        # Straight to the tables (bulk_create compiles SQL per value, a third of this
        # step); ids are reserved.
        connection = transaction.get_connection()
        usernames = [REP_USERNAME.format(index=s.index) for s in specs]
        user_ids = dict(User.objects.filter(username__in=usernames).values_list("username", "pk"))
        _Table(User, connection).write(
            user for user in _build_users(specs, self.password) if user.username not in user_ids
        )
        user_ids = dict(User.objects.filter(username__in=usernames).values_list("username", "pk"))
        _Table(Organization, connection).write(_build_organizations(specs))
        org_ids = dict(
            Organization.objects.filter(slug__in=[s.slug for s in specs]).values_list("slug", "pk")
        )
        Representative.objects.filter(user_id__in=user_ids.values()).delete()
        _Table(Representative, connection).write(_build_representatives(specs, org_ids, user_ids))
        _Table(DuesInvoice, connection).write(_build_dues(specs, org_ids))
        _Table(StatusChange, connection).write(_build_history(specs, org_ids))

    # -- cases --

    def _role_users(self, pattern: str, names, group_name: str) -> list[tuple[int, str]]:
        group, _ = Group.objects.get_or_create(name=group_name)
        users = []
        for n, (first, last) in enumerate(names, 1):
            user, _ = User.objects.get_or_create(
                username=pattern.format(n=n),
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{first.lower()}.{last.lower()}@association.example",
                    "password": self.password,
                    "date_joined": _aware(SCALE_CODE_ADOPTED_ON),
                },
            )
            user.groups.add(group)
            users.append((user.pk, user.username))
        return users

    def _evidence_files(self) -> dict[str, tuple[str, str, int]]:
        storage = private_storage()
        files = {}
        for filename, title in EVIDENCE_FILES.items():
            path, body = f"{EVIDENCE_DIR}/{filename}", _evidence_body(title)
            if storage.exists(path):
                with storage.open(path, "rb") as f:
                    if f.read() != body:
                        storage.delete(path)
            if not storage.exists(path):
                saved = storage.save(path, ContentFile(body))
                assert saved == path, saved
            files[filename] = (path, hashlib.sha256(body).hexdigest(), len(body))
        return files

    def case_world(self, until: datetime.datetime) -> CaseWorld:
        """The code, procedure, people and respondents every scale case draws on."""
        code, _ = CodeOfEthics.objects.get_or_create(
            version=SCALE_CODE_VERSION,
            defaults={
                "title": "Code of ethics (benchmark data)",
                "adopted_on": SCALE_CODE_ADOPTED_ON,
                "preamble": "Principles for the scale cases of the benchmarks.",
            },
        )
        for number, title, text, effective_on, _phrases in SCALE_PRINCIPLES:
            Principle.objects.get_or_create(
                code=code,
                number=number,
                defaults={"title": title, "text": text, "effective_on": effective_on},
            )
        # The oldest procedure: scale cases start in 2019.
        procedure = Procedure.objects.order_by("in_force_from", "version").first()
        if procedure is None:
            procedure = Procedure.objects.create(version=1, in_force_from=SCALE_CODE_ADOPTED_ON)
        left = (MembershipStatus.TERMINATED, MembershipStatus.RESIGNED)
        organizations = [
            _Respondent(pk, slug, status, joined_on, since if status in left else None)
            for pk, slug, status, joined_on, since in Organization.objects.filter(
                slug__startswith=PREFIX
            )
            .order_by("slug")
            .values_list("pk", "slug", "status", "joined_on", "status_since")
        ]
        if not organizations:
            raise CommandError("--cases needs scale organizations: give --organizations too.")
        representatives: dict[int, list[tuple[int, str]]] = {}
        for org_id, user_id, username in (
            Representative.objects.filter(organization__slug__startswith=PREFIX)
            .order_by("organization_id", "-is_primary", "pk")
            .values_list("organization_id", "user_id", "user__username")
        ):
            representatives.setdefault(org_id, []).append((user_id, username))
        return CaseWorld(
            seed=self.seed,
            until=until,
            procedure=procedure,
            principles=list(Principle.objects.filter(code=code).order_by("number")),
            phrases={number: phrases for number, *_, phrases in SCALE_PRINCIPLES},
            officers=self._role_users(STAFF_USERNAME, STAFF_NAMES, ETHICS_STAFF),
            board=self._role_users(BOARD_USERNAME, BOARD_NAMES, BOARD),
            panel=self._role_users(PANEL_USERNAME, PANEL_NAMES, APPEALS_PANEL),
            organizations=organizations,
            representatives=representatives,
            staff_group_id=Group.objects.get(name=ETHICS_STAFF).pk,
            permission_ids=dict(
                Permission.objects.filter(
                    content_type__app_label="cases", content_type__model="case"
                ).values_list("codename", "pk")
            ),
            evidence_files=self._evidence_files(),
        )

    def seed_cases(
        self, target: int, until: datetime.date | datetime.datetime = CASES_UNTIL
    ) -> int:
        """Create scale cases up to `target`, as they stand at `until` (a date: the end
        of that day, UTC); returns how many were created."""
        if not isinstance(until, datetime.datetime):
            until = datetime.datetime.combine(until, datetime.time(23, 59, 59), datetime.UTC)
        elif until.tzinfo is None:
            until = until.replace(tzinfo=datetime.UTC)
        scale_numbers = Case.objects.filter(filed_by__username__startswith=PREFIX).values_list(
            "number", flat=True
        )
        existing = {int(number.split("-")[1]) - 1 for number in scale_numbers}
        missing = target - len(existing)
        if missing <= 0:
            self.log(f"{len(existing)} scale cases already exist; nothing to add.")
            return 0
        world = self.case_world(until)
        others = set(
            Case.objects.exclude(filed_by__username__startswith=PREFIX).values_list(
                "number", flat=True
            )
        )
        indices, index = [], 0
        while len(indices) < missing:
            if index not in existing:
                indices.append(index)
            index += 1
        connection = transaction.get_connection()
        tables = {model: _Table(model, connection) for model in CASE_TABLES}
        ids = _Ids(connection, CASE_TABLES)
        batches = [
            indices[start : start + self.batch_size]
            for start in range(0, len(indices), self.batch_size)
        ]
        done = 0
        with _bulk_load(connection), _indexes_built_after(connection, CASE_TABLES):
            for batch in _generate(world, tables, ids, others, batches, self.workers):
                self._write_batch(tables, ids, batch)
                done += batch.cases
                self.log(f"  cases: {done}/{missing}")
        return missing

    @transaction.atomic
    def _write_batch(self, tables: dict, ids: _Ids, batch: _Batch) -> None:
        """One batch's rows, complete or absent."""
        connection = transaction.get_connection()
        for model, records in batch.records:
            tables[model].write_records(records)
        ids.advance(connection, batch.last_ids)
        for year, last in batch.years.items():
            CaseNumberSequence.objects.get_or_create(year=year)
            CaseNumberSequence.objects.filter(year=year, last__lt=last).update(last=last)


# Every table a case batch writes, parents before the rows that point at them.
CASE_TABLES = [
    Complainant,
    Case,
    Allegation,
    Evidence,
    Response,
    Ballot,
    Finding,
    BallotSeat,
    Vote,
    Sanction,
    Appeal,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    CaseViewer,
    CaseEvent,
    PersonalField,
]


class _Ids:
    """The ids of the rows to write, handed out in order from the first free id of
    each table (read once, before the generator starts), so the generator process can
    number rows, and hash the events that cite them, without asking the database.
    Nothing else may write these tables during the run (a benchmark database): a
    clash would fail the batch's transaction, never write a wrong row."""

    def __init__(self, connection, models_: list[type[models.Model]]):
        self.next: dict[type[models.Model], int] = {}
        with connection.cursor() as cursor:
            for model in models_:
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}"
                )
                (last,) = cursor.fetchone()
                if connection.vendor == "postgresql":
                    # Past the sequence too: ids it handed out may be in rolled-back rows.
                    cursor.execute(
                        "SELECT COALESCE(pg_sequence_last_value("
                        "CAST(pg_get_serial_sequence(%s, 'id') AS regclass)), 0)",
                        [table],
                    )
                    last = max(last, cursor.fetchone()[0])
                self.next[model] = last + 1

    def take(self, model: type[models.Model], count: int) -> range:
        first = self.next[model]
        self.next[model] = first + count
        return range(first, first + count)

    @staticmethod
    def advance(connection, last_ids: dict[type[models.Model], int]) -> None:
        """PostgreSQL: move each sequence past the ids written, so rows created later
        (by the services) get fresh ones. SQLite's AUTOINCREMENT does it by itself."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for model, last in last_ids.items():
                # Never backwards: another session may have moved it on.
                cursor.execute(
                    "SELECT setval(seq, GREATEST(%s, COALESCE(pg_sequence_last_value(seq), 0)))"
                    " FROM CAST(pg_get_serial_sequence(%s, 'id') AS regclass) AS seq",
                    [last, model._meta.db_table],
                )


@dataclass
class _Batch:
    """One batch of cases, ready to write: (model, database values in column order)
    per table, in CASE_TABLES order; the last id used per table; the highest case
    number ordinal per year."""

    cases: int
    records: list[tuple[type[models.Model], list[tuple]]]
    last_ids: dict[type[models.Model], int]
    years: dict[int, int]


def _number(ids: _Ids, plans: list[CasePlan]) -> dict[type[models.Model], range]:
    """The ids every row of the batch takes, per table: counted from the simulated
    plans, so numbering is the one step the generators must take in batch order (the
    rest of a batch is built from these ranges, in parallel)."""
    counts = {model: 0 for model in CASE_TABLES}
    for plan in plans:
        for model, model_rows in plan.rows.items():
            counts[model] += len(model_rows)
        counts[CaseGroupObjectPermission] += 2  # view_case and manage_case
        counts[CaseUserObjectPermission] += len(plan.user_permissions)
        counts[CaseViewer] += sum(c == "view_case" for _, c in plan.user_permissions)
        counts[CaseEvent] += len(plan.events)
        counts[PersonalField] += sum(len(event[6]) for event in plan.events)
    return {model: ids.take(model, count) for model, count in counts.items()}


def _build_batch(
    world: CaseWorld, tables: dict, numbered: dict[type[models.Model], range], plans
) -> _Batch:
    """Number every row from `numbered` (`_number`), hash each case's events into its
    chain and turn everything into database values. Asks the database nothing (it
    runs in a generator)."""
    rows = {
        model: [row for plan in plans for row in plan.rows.get(model, ())]
        for model in CASE_TABLES[:11]  # the models a CasePlan adds rows of
    }
    for model, model_rows in rows.items():
        for row, pk in zip(model_rows, numbered[model], strict=True):
            row.id = pk
    # A seat carries its ballot's closed_at, as cases.services.ballots.close_ballots
    # leaves it ("My ballots" pages a member's seats by it).
    for seat in rows[BallotSeat]:
        seat["closed_at"] = seat["ballot_id"].values.get("closed_at")
    # The chains need every id; each case keeps its record's length and head.
    event_table = tables[CaseEvent]
    assert event_table.attnames == [
        "id",
        "case_id",
        "sequence",
        "at",
        "actor_id",
        "kind",
        "from_state",
        "to_state",
        "payload",
        "previous_hash",
        "hash",
    ], event_table.attnames
    adapt_at = event_table.adapters[3]
    if adapt_at is _sqlite_datetime:
        at_value = _sqlite_from_iso
    elif event_table.connection.vendor == "postgresql":
        at_value = str  # COPY parses the ISO text into timestamptz
    else:
        at_value = lambda at_iso: adapt_at(datetime.datetime.fromisoformat(at_iso))  # noqa: E731
    events, personal = [], []
    pks = iter(numbered[CaseEvent])
    for plan in plans:
        chain, kept = _chain(plan, pks, at_value)
        plan.case["record_length"] = len(chain)
        plan.case["record_head"] = chain[-1][10]
        events.extend(chain)
        personal.extend(kept)
    records = [(model, tables[model].records(model_rows)) for model, model_rows in rows.items()]
    permission = world.permission_ids
    group = [
        {
            "group_id": world.staff_group_id,
            "permission_id": permission[codename],
            "content_object_id": plan.case.id,
        }
        for plan in plans
        for codename in ("view_case", "manage_case")
    ]
    user = [
        {
            "user_id": user_id,
            "permission_id": permission[codename],
            "content_object_id": plan.case.id,
        }
        for plan in plans
        for user_id, codename in plan.user_permissions
    ]
    # What the grant service keeps with view_case: the user's case list reads it.
    viewer_table = tables[CaseViewer]
    adapt_filed = viewer_table.adapters[viewer_table.attnames.index("filed_at")] or (lambda v: v)
    viewers = [
        {
            "user_id": user_id,
            "case_id": plan.case.id,
            "filed_at": adapt_filed(plan.case["filed_at"]),
            "respondent_id": plan.case["respondent_id"],
        }
        for plan in plans
        for user_id, codename in plan.user_permissions
        if codename == "view_case"
    ]
    for model, values in (
        (CaseGroupObjectPermission, group),
        (CaseUserObjectPermission, user),
        (CaseViewer, viewers),
    ):
        records.append((model, _plain_records(tables[model], numbered[model], values)))
    records.append((CaseEvent, events))
    personal_rows = [_Row(**values) for values in personal]
    for row, pk in zip(personal_rows, numbered[PersonalField], strict=True):
        row.id = pk
    records.append((PersonalField, tables[PersonalField].records(personal_rows)))
    years: dict[int, int] = {}
    for plan in plans:
        year, ordinal = (int(part) for part in plan.case["number"].split("-"))
        years[year] = max(years.get(year, 0), ordinal)
    return _Batch(
        cases=len(plans),
        records=records,
        last_ids={model: taken[-1] for model, taken in numbered.items() if taken},
        years=years,
    )


def _plain_records(table: _Table, pks: range, values: list[dict]) -> list[tuple]:
    """Rows with no defaults or adapted values (the permission rows), numbered `pks`."""
    names = table.attnames[1:]
    return [(pk, *(row[name] for name in names)) for pk, row in zip(pks, values, strict=True)]


def _simulated(world, others, indices) -> list[CasePlan]:
    plans = [CasePlan(world, i).simulate() for i in indices]
    taken = [p.case["number"] for p in plans if p.case["number"] in others]
    if taken:
        raise CommandError(f"Case numbers already used by other cases: {taken[:5]}")
    return plans


def _batches_of(world, tables, ids, others, batches):
    """Simulate each batch of case indices and build it, in order, in this process."""
    for indices in batches:
        plans = _simulated(world, others, indices)
        yield _build_batch(world, tables, _number(ids, plans), plans)


def _generate(world, tables, ids, others, batches, workers: int):
    """The built batches, in order. With workers=N >= 1, N forked processes take the
    batches in turn (batch k to process k mod N) and simulate, hash and build them
    while this one writes; with 0, everything happens here. Only the numbering is
    sequential: each process numbers its batch from the next free ids, which the
    process of the batch before hands it (`_generator_process`), so every variant
    gives the same rows."""
    if workers < 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from _batches_of(world, tables, ids, others, batches)
        return
    context = multiprocessing.get_context("fork")
    # Every pipe exists before any fork; each child closes the ends that are not its
    # own, so a child that dies leaves an end of file, never a reader waiting forever.
    outputs = [context.Pipe(duplex=False) for _ in range(workers)]
    tokens = [context.Pipe(duplex=False) for _ in range(workers)]
    children = [
        context.Process(
            target=_generator_process,
            args=(n, outputs, tokens, world, tables, ids, others, batches[n::workers]),
            daemon=True,
        )
        for n in range(workers)
    ]
    for child in children:
        child.start()
    for _, send in outputs:
        send.close()
    for receive, send in tokens:
        receive.close()
        send.close()
    try:
        for k in range(len(batches)):
            child = children[k % workers]
            try:
                message = _decoded(outputs[k % workers][0].recv_bytes())
            except EOFError:
                raise CommandError(
                    f"A seed_scale generator process ended early (exit code {child.exitcode})."
                ) from None
            if isinstance(message, str):
                raise CommandError(message)
            yield message
    finally:
        for receive, _ in outputs:
            receive.close()
        for child in children:
            child.join(timeout=5)
            if child.is_alive():
                child.terminate()
                child.join()


def _generator_process(n, outputs, tokens, world, tables, ids, others, batches) -> None:
    """Generator n of len(outputs): its batches down its pipe (the pipe's buffer keeps
    it about a batch ahead), or the error as text. Before numbering a batch it waits
    for the next free ids from generator n - 1 (except for the very first batch),
    and hands them on to n + 1 as soon as it has taken its own. It never touches the
    parent's database connection, and multiprocessing ends it with os._exit, so the
    connection's finalizers do not run here."""
    workers = len(outputs)
    send, token_in, token_out = outputs[n][1], tokens[n][0], tokens[(n + 1) % workers][1]
    for m, (receive, send_end) in enumerate(outputs):
        receive.close()
        if m != n:
            send_end.close()
    for m, (receive, send_end) in enumerate(tokens):
        if m != n:
            receive.close()
        if m != (n + 1) % workers:
            send_end.close()
    try:
        for k, indices in enumerate(batches):
            plans = _simulated(world, others, indices)
            if n > 0 or k > 0:
                ids.next = token_in.recv()
            numbered = _number(ids, plans)
            # A generator that has ended needs no ids: it had no batch left (or failed,
            # which the parent reports).
            with contextlib.suppress(BrokenPipeError):
                token_out.send(ids.next)
            send.send_bytes(_encoded(_build_batch(world, tables, numbered, plans)))
    except (BrokenPipeError, EOFError):
        pass  # the parent (or the generator before) stopped: it failed and says why
    except Exception as error:  # noqa: BLE001 - reported to the parent, which raises
        with contextlib.suppress(BrokenPipeError):
            send.send_bytes(_encoded(f"seed_scale generator: {type(error).__name__}: {error}"))
    finally:
        send.close()


def _encoded(message) -> bytes:
    """A batch (or an error's text) as bytes for the pipe: marshal where every value is
    a str, int, float, bool or None (SQLite's records; marshal loads them in about
    half of pickle's time, and the parent, the one writer, loads every batch), pickle
    otherwise (PostgreSQL's records hold dates and times)."""
    if isinstance(message, _Batch):
        plain = (
            message.cases,
            [(CASE_TABLES.index(model), records) for model, records in message.records],
            {CASE_TABLES.index(model): last for model, last in message.last_ids.items()},
            message.years,
        )
        try:
            return b"M" + marshal.dumps(plain)
        except ValueError:
            pass
    return b"P" + pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


def _decoded(data: bytes):
    if data[:1] == b"P":
        return pickle.loads(data[1:])  # noqa: S301 - from our own forked generator
    cases, records, last_ids, years = marshal.loads(memoryview(data)[1:])
    return _Batch(
        cases=cases,
        records=[(CASE_TABLES[n], rows) for n, rows in records],
        last_ids={CASE_TABLES[n]: last for n, last in last_ids.items()},
        years=years,
    )


@contextlib.contextmanager
def _bulk_load(connection):
    """Session settings for the load only, restored after. No per-row foreign-key
    checks (PostgreSQL: for a superuser; they were a third of SQLite's insert time and
    1.4-2 s of PostgreSQL's COMMIT per 2,000 cases): the rows cite ids the generator
    numbered itself or read from the database, and the tests, which seed inside a
    transaction, keep the checks on. PostgreSQL: commits do not wait for the WAL flush
    (a crash loses at most the last batches, which a rerun adds again). SQLite: no
    fsync, and a 256 MiB page cache (the default 2 MiB made every index insert into
    the events table read pages back from the file)."""
    if connection.vendor == "postgresql":
        settings = {"synchronous_commit": "off"}
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('is_superuser')")
            if cursor.fetchone()[0] == "on":
                settings["session_replication_role"] = "replica"
    elif connection.vendor == "sqlite":
        settings = {"cache_size": str(-256 * 1024)}
        if not connection.in_atomic_block:  # SQLite refuses both inside a transaction
            settings.update(synchronous="OFF", foreign_keys="OFF")
    else:
        settings = {}
    previous = {}
    with connection.cursor() as cursor:
        for name, value in settings.items():
            if connection.vendor == "postgresql":
                cursor.execute("SELECT current_setting(%s)", [name])
                previous[name] = cursor.fetchone()[0]
                cursor.execute("SELECT set_config(%s, %s, false)", [name, value])
            else:
                cursor.execute(f"PRAGMA {name}")
                previous[name] = cursor.fetchone()[0]
                cursor.execute(f"PRAGMA {name} = {value}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, value in previous.items():
                if connection.vendor == "postgresql":
                    cursor.execute("SELECT set_config(%s, %s, false)", [name, value])
                else:
                    cursor.execute(f"PRAGMA {name} = {int(value)}")


def _secondary_indexes(connection, table: str) -> list[tuple[str, str]]:
    """(name, the SQL that creates it) of each plain index on `table`: not unique, not
    a primary key, not behind a constraint. Dropping those changes no rule a row
    must satisfy."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s"
                " AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'",
                [table],
            )
        else:
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x"
                " JOIN pg_class i ON i.oid = x.indexrelid"
                " JOIN pg_class t ON t.oid = x.indrelid"
                " WHERE x.indrelid = CAST(%s AS regclass) AND NOT x.indisunique"
                " AND NOT x.indisprimary AND pg_has_role(t.relowner, 'USAGE')"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                [table],
            )
        return cursor.fetchall()


@contextlib.contextmanager
def _indexes_built_after(connection, models_: list[type[models.Model]]):
    """Into an empty table, its plain indexes are built once after the load rather
    than kept up to date row by row (a third of SQLite's writing time at 10,000
    cases; the case table alone has 23 indexes). Only tables that are empty at the
    start, so a top-up of a large table keeps its indexes; restored however the load
    ends, except if the process is killed (then `migrate` will not bring them back:
    seed again from an empty database). Not inside a transaction: the tests, which
    seed inside one, keep the indexes."""
    if connection.vendor not in ("sqlite", "postgresql") or connection.in_atomic_block:
        yield
        return
    dropped = []
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models_:
            table = model._meta.db_table
            cursor.execute(f"SELECT 1 FROM {qn(table)} LIMIT 1")
            if cursor.fetchone() is not None:
                continue
            for name, sql in _secondary_indexes(connection, table):
                cursor.execute(f"DROP INDEX {qn(name)}")
                dropped.append(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and dropped:
                cursor.execute("SET maintenance_work_mem = '256MB'")
            for sql in dropped:
                cursor.execute(sql)
            if connection.vendor == "postgresql" and dropped:
                cursor.execute("RESET maintenance_work_mem")


@contextlib.contextmanager
def _no_cyclic_gc():
    """No cycle collection while loading: millions of short-lived rows (freed by their
    reference counts) made the collector walk every live object again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.collect()


def _date_or_time(value: str) -> datetime.datetime:
    if "T" not in value and " " not in value:
        day = datetime.date.fromisoformat(value)
        return datetime.datetime.combine(day, datetime.time(23, 59, 59), datetime.UTC)
    moment = datetime.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


class Command(BaseCommand):
    help = (
        "Add bulk benchmark data (organizations named scale-*, with a representative, "
        "dues and history; with --cases, ethics cases against them with allegations, "
        "evidence, ballots and a hash-chained record), up to the target counts. "
        "Deterministic and additive."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--organizations",
            type=int,
            default=10000,
            help="Target number of scale organizations (default 10000).",
        )
        parser.add_argument(
            "--cases",
            type=int,
            default=0,
            help="Target number of scale cases (default 0), spread over the scale organizations.",
        )
        parser.add_argument(
            "--cases-until",
            type=_date_or_time,
            default=_date_or_time(CASES_UNTIL.isoformat()),
            help=f"When the case simulation stops: YYYY-MM-DD (the end of that day) or an "
            f"ISO date and time, UTC unless it says otherwise (default {CASES_UNTIL}). Cases "
            "are filed from 2019 to then and are in the state they had reached by then.",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=2000,
            help="Organizations (or cases) per transaction (default 2000).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=2,
            help="Cases: N forked processes (default 2) simulate and hash the next batches, "
            "in turn, while this one writes; 0 does everything in this process. Same rows "
            "whatever N.",
        )
        parser.add_argument(
            "--password",
            default="",
            help="One password for every scale user (hashed once). Default: unusable passwords.",
        )

    def handle(
        self,
        *args,
        organizations,
        cases,
        cases_until,
        seed,
        batch_size,
        workers,
        password,
        **options,
    ):
        if organizations < 0 or cases < 0 or batch_size < 1 or not 0 <= workers <= 8:
            raise CommandError(
                "--organizations and --cases must be >= 0, --batch-size >= 1, --workers 0 to 8."
            )
        if cases_until < datetime.datetime.combine(CASES_FROM, datetime.time(), datetime.UTC):
            raise CommandError(f"--cases-until must be on or after {CASES_FROM}.")
        verbose = options["verbosity"] >= 2
        seeder = ScaleSeeder(
            seed=seed,
            batch_size=batch_size,
            workers=workers,
            # Hashed once for all users; make_password(None) is an unusable password.
            password=make_password(password or None),
            log=(lambda message: self.stdout.write(message)) if verbose else None,
        )
        started = time.perf_counter()
        with _no_cyclic_gc():
            created = seeder.seed_organizations(organizations)
        organizations_done = time.perf_counter()
        cases_created = 0
        if cases:
            with _no_cyclic_gc():
                cases_created = seeder.seed_cases(cases, cases_until)
        rebuild_summary()  # the dashboard's counts, recounted from the cases written
        awaiting_findings_rebuild()  # the flag the services keep, set from the rows written
        finished = time.perf_counter()
        self.stdout.write(
            f"seed_scale: {created} organizations created (target {organizations}) "
            f"in {organizations_done - started:.1f}s"
            + (
                f"; {cases_created} cases created (target {cases}) "
                f"in {finished - organizations_done:.1f}s"
                if cases
                else ""
            )
            + f", at {timezone.now():%Y-%m-%d %H:%M}."
        )
