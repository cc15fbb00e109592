"""Demo data for the member register: a fictional association, deterministic and idempotent.

Every object is looked up by a stable key (username, slug, year) before it is
created, so running the seed twice changes nothing.
"""

from __future__ import annotations

import base64
import datetime
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils.text import slugify
from django_otp.plugins.otp_totp.models import TOTPDevice

from members.models import (
    DuesInvoice,
    MembershipClass,
    Organization,
    Representative,
    RepresentativeChange,
    StatusChange,
)
from members.roles import APPEALS_PANEL, BOARD, ETHICS_STAFF
from members.services import (
    RepresentativeInput,
    membership_change,
    representative_add,
    representative_remove,
)

DEMO_PASSWORD = "probity-demo"
# Staff, board and panel sign in with a second factor (docs/decisions/0009). Their demo
# accounts share this known TOTP secret (base32), so a newcomer can compute the code:
# `oathtool --totp -b PROBITYDEMOPROBITYDEMOPROBITYDEM`, or add it to an authenticator app.
DEMO_TOTP_SECRET = "PROBITYDEMOPROBITYDEMOPROBITYDEM"

CLASSES = [
    ("Manufacturer", "Builds automation equipment.", Decimal("4800.00")),
    ("Integrator", "Designs and installs automation systems.", Decimal("2400.00")),
    ("Consultant", "Advises on automation projects.", Decimal("900.00")),
    ("Distributor", "Sells and supports automation products.", Decimal("1800.00")),
]

# (name, class index, status). Statuses other than active are reached through the
# membership services, so each has its history row.
ORGANIZATIONS = [
    ("Aldercrest Robotics", 0, "active"),
    ("Brightwater Controls", 0, "active"),
    ("Cobalt Motion Systems", 0, "active"),
    ("Dunmore Drives", 0, "active"),
    ("Eastgate Sensors", 0, "active"),
    ("Fenwick Actuators", 0, "lapsed"),
    ("Greyfield Machines", 0, "active"),
    ("Harrow Pneumatics", 0, "active"),
    ("Ironbridge Automation", 0, "active"),
    ("Juniper Conveyors", 0, "active"),
    ("Kestrel Integration", 1, "active"),
    ("Larchmont Systems", 1, "active"),
    ("Millbrook Engineering", 1, "suspended"),
    ("Northway Integrators", 1, "active"),
    ("Oakhaven Process", 1, "active"),
    ("Pemberton Line Builders", 1, "lapsed"),
    ("Quarry Hill Controls", 1, "active"),
    ("Redfern Automation", 1, "active"),
    ("Saltmarsh Integration", 1, "active"),
    ("Thornbury Systems", 1, "terminated"),
    ("Upland Advisory", 2, "active"),
    ("Vale Consulting Group", 2, "active"),
    ("Westcott Partners", 2, "active"),
    ("Yarrow Engineering Advice", 2, "lapsed"),
    ("Zephyr Process Consulting", 2, "active"),
    ("Ashdown Analytics", 2, "active"),
    ("Birchwood Safety Consulting", 2, "resigned"),
    ("Caldera Advisory", 2, "active"),
    ("Dovecote Distribution", 3, "active"),
    ("Elmstead Supply", 3, "active"),
    ("Foxglove Components", 3, "active"),
    ("Glenrock Industrial Supply", 3, "active"),
    ("Hollin Parts", 3, "active"),
    ("Inkpen Trading", 3, "applicant"),
    ("Jessop & Wray", 3, "active"),
    ("Kingsmere Distributors", 3, "active"),
    ("Lowther Electrical", 3, "active"),
    ("Marlowe Automation Supply", 3, "active"),
    ("Nettlebed Motion", 0, "active"),
    ("Orchard Lane Robotics", 1, "applicant"),
]

STAFF = [
    ("alice.staff", "Alice", "Okafor"),
    ("bruno.staff", "Bruno", "Lindqvist"),
    ("chen.staff", "Chen", "Wei"),
]
BOARD_MEMBERS = [
    ("board.adams", "Grace", "Adams"),
    ("board.baker", "Henry", "Baker"),
    ("board.cole", "Isla", "Cole"),
    ("board.diaz", "Jorge", "Diaz"),
    ("board.evans", "Kate", "Evans"),
    ("board.fisher", "Liam", "Fisher"),
    ("board.gupta", "Maya", "Gupta"),
]
PANEL_MEMBERS = [
    ("panel.hughes", "Nora", "Hughes"),
    ("panel.ito", "Oscar", "Ito"),
    ("panel.jones", "Priya", "Jones"),
]

FIRST_NAMES = ["Sam", "Ruth", "Tom", "Una", "Victor", "Wendy", "Xavier", "Yasmin", "Zac", "Amir"]
LAST_NAMES = ["Marsh", "Price", "Quinn", "Reid", "Shaw", "Turner", "Vaughan", "Walsh", "Young"]

DUES_YEARS = (2023, 2024, 2025, 2026)
JOINED_ON = datetime.date(2019, 3, 1)


def _user(username: str, first: str, last: str, group: str | None = None) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    if group:
        user.groups.add(Group.objects.get(name=group))
        _enrol_demo_totp(user)
    return user


def _enrol_demo_totp(user: User) -> None:
    """The demo's known authenticator (DEMO_TOTP_SECRET), once."""
    TOTPDevice.objects.get_or_create(
        user=user,
        name="default",
        defaults={"key": base64.b32decode(DEMO_TOTP_SECRET).hex(), "confirmed": True},
    )


def _status_path(target: str) -> list[tuple[str, str, dict]]:
    """The membership transitions that take an active member to `target`."""
    return {
        "active": [],
        "lapsed": [("lapse", "Dues for 2026 unpaid 60 days after the due date.", {})],
        "suspended": [
            (
                "suspend",
                "Suspended by the board for late audit filings.",
                {"until": datetime.date(2027, 6, 30)},
            )
        ],
        "terminated": [
            (
                "terminate",
                "Expelled by decision of the board.",
                {"until": datetime.date(2027, 9, 1)},
            )
        ],
        "resigned": [("resign", "Resigned by letter from the managing director.", {})],
    }[target]


@transaction.atomic
def seed_register() -> dict[str, list[str]]:
    """Create the register's demo data; returns demo logins by role."""
    classes = []
    for name, description, _ in CLASSES:
        cls, _ = MembershipClass.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "description": description}
        )
        classes.append(cls)

    logins: dict[str, list[str]] = {
        "Ethics staff": [],
        "Board": [],
        "Appeals panel": [],
        "Representative": [],
    }
    for username, first, last in STAFF:
        _user(username, first, last, ETHICS_STAFF)
        logins["Ethics staff"].append(username)
    for username, first, last in BOARD_MEMBERS:
        _user(username, first, last, BOARD)
        logins["Board"].append(username)
    for username, first, last in PANEL_MEMBERS:
        _user(username, first, last, APPEALS_PANEL)
        logins["Appeals panel"].append(username)

    for index, (name, class_index, status) in enumerate(ORGANIZATIONS):
        slug = slugify(name)
        org = Organization.objects.filter(slug=slug).first()
        if org is None:
            org = _create_organization(index, name, slug, classes[class_index], status)
        rep_username = f"rep.{slug}"
        if not User.objects.filter(username=rep_username).exists():
            first = FIRST_NAMES[index % len(FIRST_NAMES)]
            last = LAST_NAMES[index % len(LAST_NAMES)]
            user = _user(rep_username, first, last)
            rep = Representative(
                user=user, organization=org, is_primary=True, job_title="Compliance manager"
            )
            rep._change_recorded = True  # recorded here, with the demo's own words
            rep.save()
            RepresentativeChange.objects.create(
                organization=org,
                user=user,
                name=user.get_full_name(),
                action=RepresentativeChange.Action.ADDED,
                reason="On file since the organization joined.",
            )
        # The status the register seeds, not the one now: the demo cases later suspend
        # and expel some members, and the printed sample must be the same on every run.
        seeded = dict(Organization._meta.get_field("status").choices)[status]
        logins["Representative"].append(f"{rep_username} ({seeded.lower()})")
    _seed_representative_changes()
    return logins


def _seed_representative_changes() -> None:
    """Aldercrest Robotics has a second contact, and a former one removed by staff, so
    its page shows the record of representatives. Done through the services (the
    emails go wherever seed_demo sends them); skipped once the people exist."""
    org = Organization.objects.get(slug="aldercrest-robotics")
    staff = User.objects.get(username="alice.staff")
    deputy = RepresentativeInput(
        first_name="Beatrix",
        last_name="Hale",
        email="beatrix.hale@aldercrest-robotics.example",
        job_title="Head of quality",
        phone="+44 161 496 0123",
    )
    former = RepresentativeInput(
        first_name="Conrad",
        last_name="Ashby",
        email="conrad.ashby@aldercrest-robotics.example",
        job_title="Sales director",
    )
    if not User.objects.filter(email=deputy.email).exists():
        representative_add(organization=org, by=staff, person=deputy)
    if not User.objects.filter(email=former.email).exists():
        rep = representative_add(organization=org, by=staff, person=former)
        representative_remove(
            representative=rep,
            by=staff,
            reason="Left Aldercrest Robotics; the managing director asked us to remove him.",
        )


def _create_organization(index, name, slug, membership_class, status) -> Organization:
    org = Organization.objects.create(
        name=name,
        slug=slug,
        website=f"https://{slug}.example",
        membership_class=membership_class,
        status_since=JOINED_ON,
    )
    if status == "applicant":
        return org
    membership_change(
        organization=org, transition="admit", by=None, reason="Application approved by the board."
    )
    org.refresh_from_db()
    Organization.objects.filter(pk=org.pk).update(joined_on=JOINED_ON)
    StatusChange.objects.filter(organization=org).update(
        changed_at=datetime.datetime(2019, 3, 1, 9, 0, tzinfo=datetime.UTC)
    )
    fee = CLASSES[[c[0] for c in CLASSES].index(membership_class.name)][2]
    for year in DUES_YEARS:
        unpaid = status == "lapsed" and year == DUES_YEARS[-1]
        DuesInvoice.objects.create(
            organization=org,
            year=year,
            amount=fee,
            issued_on=datetime.date(year, 1, 5),
            due_on=datetime.date(year, 3, 31),
            paid_on=None if unpaid else datetime.date(year, 3, 1 + index % 20),
        )
    for transition, reason, kwargs in _status_path(status):
        membership_change(organization=org, transition=transition, by=None, reason=reason, **kwargs)
    org.refresh_from_db()
    return org
