"""Scale data for benchmarks: `manage.py seed_scale --organizations 10000`.

Everything it creates is marked with the prefix "scale-" (organization slugs and
usernames), so it never touches demo data and can be found again. The run is
deterministic: the data of the organization with index i depends only on
`--seed` and i (each index gets its own `random.Random`), so running the command
again with a larger target adds exactly the missing organizations, identical to
what one run with that target would have created.

Rows are written with `bulk_create`, one transaction per batch of organizations
(a batch is complete or absent). `Organization.status` is a protected FSMField:
it is set through the constructor, which django-fsm allows, never assigned
afterwards.

Extending: each kind of data has its own builder (`_build_users`,
`_build_organizations`, `_build_representatives`, `_build_dues`,
`_build_history`) and `ScaleSeeder.seed_organizations` runs them per batch. A later
kind (e.g. `--cases N`) gets its own `ScaleSeeder.seed_<kind>(target)` method with
the same pattern (count the existing "scale" rows, create the missing ones in
batches) and one line in `Command.handle`.
"""

from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from members.models import (
    DuesInvoice,
    MembershipClass,
    MembershipStatus,
    Organization,
    Representative,
    StatusChange,
)

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


class ScaleSeeder:
    def __init__(self, *, seed: int, batch_size: int, password: str, log=None):
        self.seed = seed
        self.batch_size = batch_size
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
        User.objects.bulk_create(_build_users(specs, self.password), ignore_conflicts=True)
        user_ids = dict(
            User.objects.filter(
                username__in=[REP_USERNAME.format(index=s.index) for s in specs]
            ).values_list("username", "pk")
        )
        Organization.objects.bulk_create(_build_organizations(specs))
        org_ids = dict(
            Organization.objects.filter(slug__in=[s.slug for s in specs]).values_list("slug", "pk")
        )
        Representative.objects.filter(user_id__in=user_ids.values()).delete()
        Representative.objects.bulk_create(_build_representatives(specs, org_ids, user_ids))
        DuesInvoice.objects.bulk_create(_build_dues(specs, org_ids))
        StatusChange.objects.bulk_create(_build_history(specs, org_ids))


class Command(BaseCommand):
    help = (
        "Add bulk benchmark data (organizations named scale-*, with a representative, "
        "dues and history), up to the target counts. Deterministic and additive."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--organizations",
            type=int,
            default=10000,
            help="Target number of scale organizations (default 10000).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=2000,
            help="Organizations per transaction (default 2000).",
        )
        parser.add_argument(
            "--password",
            default="",
            help="One password for every scale representative (hashed once). "
            "Default: unusable passwords.",
        )

    def handle(self, *args, organizations, seed, batch_size, password, **options):
        if organizations < 0 or batch_size < 1:
            raise CommandError("--organizations must be >= 0 and --batch-size >= 1.")
        verbose = options["verbosity"] >= 2
        seeder = ScaleSeeder(
            seed=seed,
            batch_size=batch_size,
            # Hashed once for all users; make_password(None) is an unusable password.
            password=make_password(password or None),
            log=(lambda message: self.stdout.write(message)) if verbose else None,
        )
        started = time.perf_counter()
        created = seeder.seed_organizations(organizations)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"seed_scale: {created} organizations created "
            f"(target {organizations}) in {elapsed:.1f}s at {timezone.now():%Y-%m-%d %H:%M}."
        )
