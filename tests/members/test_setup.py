"""Role groups, demo data and production settings."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django_otp.oath import totp

from cases.demo.register import DEMO_TOTP_SECRET
from members.models import DuesInvoice, MembershipClass, Organization, Representative, StatusChange
from members.roles import APPEALS_PANEL, BOARD, ETHICS_STAFF, ROLE_GROUPS, roles_of
from tests.factories.members import DuesInvoiceFactory, RepresentativeFactory
from tests.members.test_two_factor import give_code, sign_in

REPO_ROOT = Path(__file__).resolve().parents[2]


# -- Roles ---------------------------------------------------------------------------


def test_role_groups_exist_after_migrations(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Ethics staff",
        "Board",
        "Appeals panel",
    }
    assert set(ROLE_GROUPS) == {ETHICS_STAFF, BOARD, APPEALS_PANEL}


def test_role_groups_are_created_by_a_data_migration():
    migration = (REPO_ROOT / "members" / "migrations" / "0002_role_groups.py").read_text()
    for name in ROLE_GROUPS:
        assert f'"{name}"' in migration
    assert "RunPython" in migration


def test_superuser_flag_is_not_a_role(db):
    root = User.objects.create_superuser("root", "root@example.org", "x-very-long-pw-1")
    roles = roles_of(root)
    assert not roles.sees_register
    assert not roles.ethics_staff
    assert roles.label == "No role"


# -- Demo data -----------------------------------------------------------------------


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def _register_snapshot() -> dict:
    return {
        "organizations": list(
            Organization.objects.order_by("slug").values_list(
                "slug", "status", "status_since", "joined_on", "suspended_until",
                "readmission_bar_until",
            )
        ),
        "dues": list(
            DuesInvoice.objects.order_by("organization__slug", "year").values_list(
                "organization__slug", "year", "amount", "paid_on"
            )
        ),
        "history": list(
            StatusChange.objects.order_by("pk").values_list(
                "organization__slug", "from_status", "to_status", "reason"
            )
        ),
        "users": list(User.objects.order_by("username").values_list("username", "password")),
        "memberships": sorted(
            User.groups.through.objects.values_list("user__username", "group__name")
        ),
    }


@pytest.fixture
def seeded(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_is_idempotent(seeded):
    counts, snapshot = _row_counts(), _register_snapshot()

    call_command("seed_demo", stdout=StringIO())

    assert _row_counts() == counts
    assert _register_snapshot() == snapshot


def test_seed_demo_creates_about_forty_organizations_across_classes_and_statuses(seeded):
    assert 35 <= Organization.objects.count() <= 45
    statuses = set(Organization.objects.values_list("status", flat=True))
    assert {"active", "lapsed", "suspended", "terminated"} <= statuses
    for status in ("lapsed", "suspended", "terminated"):
        assert Organization.objects.filter(status=status).count() >= 1
    assert MembershipClass.objects.count() >= 3
    assert all(c.organizations.exists() for c in MembershipClass.objects.all())


def test_seed_demo_creates_the_associations_people(seeded):
    def members_of(group):
        return User.objects.filter(groups__name=group).count()

    assert members_of(ETHICS_STAFF) == 3
    assert members_of(BOARD) == 7
    assert members_of(APPEALS_PANEL) == 3
    assert not User.objects.filter(is_superuser=True).exists()


def test_seed_demo_gives_every_organization_a_primary_representative(seeded):
    for org in Organization.objects.all():
        assert org.representatives.filter(is_primary=True).count() == 1, org.name
    assert Representative.objects.count() >= Organization.objects.count()


def test_seed_demo_records_several_years_of_dues_and_the_history_of_each_status(seeded):
    members = Organization.objects.exclude(status="applicant")
    for org in members:
        assert org.dues.count() >= 3, org.name
    for org in Organization.objects.exclude(status__in=["applicant", "active"]):
        assert org.status_history.filter(to_status=org.status).exists(), org.name
    # A lapsed member really has dues overdue.
    for org in Organization.objects.filter(status="lapsed"):
        assert any(invoice.is_overdue for invoice in org.dues.all()), org.name


def test_seed_demo_prints_a_login_for_each_role(seeded):
    assert "alice.staff" in seeded
    assert "board." in seeded
    assert "panel." in seeded
    assert "rep." in seeded
    assert "probity-demo" in seeded


def test_demo_logins_work(client, seeded):
    """Staff sign in with the password and a code from the demo's printed TOTP secret;
    representatives with the password alone."""
    assert DEMO_TOTP_SECRET in seeded
    response = sign_in(client, "alice.staff", "probity-demo")
    assert response.context["wizard"]["steps"].current == "token"
    give_code(client, f"{totp(base64.b32decode(DEMO_TOTP_SECRET)):06d}")
    assert client.get("/register/").status_code == 200
    client.logout()
    rep = Representative.objects.select_related("user").first().user
    assert sign_in(client, rep.username, "probity-demo").status_code == 302
    assert client.get("/membership/").status_code == 200


# -- Production settings -------------------------------------------------------------


def _manage(tmp_path, *args, **env_overrides) -> subprocess.CompletedProcess:
    # Not DJANGO_ALLOW_ASYNC_UNSAFE either: the browser tests set it for this process, and the
    # deployment check rightly refuses it.
    leaked = ("DATABASE_URL", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in leaked}
    env.update(
        {
            "PROBITY_ENV": "production",
            "ALLOWED_HOSTS": "x.example",
            "PROBITY_VAR_DIR": str(tmp_path / "var"),
            "SQLITE_PATH": str(tmp_path / "probity.sqlite3"),
            "DJANGO_SETTINGS_MODULE": "association.settings",
        }
    )
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_check_without_warnings(tmp_path):
    key = secrets.token_urlsafe(48)
    assert len(key) == 64
    result = _manage(
        tmp_path, "check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=key
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", SECRET_KEY=None)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "too-short",
        "dev-only-insecure-key-probity-never-use-in-production-0123456789",
        "insecure" + "x" * 60,
    ],
    ids=["short", "the-development-key", "says-insecure"],
)
def test_production_refuses_a_weak_secret_key(tmp_path, key):
    result = _manage(tmp_path, "check", "--deploy", SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_development_mode_runs_without_a_secret_key(tmp_path):
    result = _manage(tmp_path, "check", PROBITY_ENV=None, SECRET_KEY=None, ALLOWED_HOSTS=None)
    assert result.returncode == 0, result.stderr


# -- Admin ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", [MembershipClass, Organization, Representative, DuesInvoice, StatusChange]
)
def test_every_register_model_has_a_working_admin_page(client, organization, model):
    from django.contrib import admin


    RepresentativeFactory(organization=organization)
    DuesInvoiceFactory(organization=organization)
    StatusChange.objects.create(
        organization=organization, from_status="applicant", to_status="active", reason="Admitted."
    )
    root = User.objects.create_superuser("root", "root@example.org", "x-very-long-pw-1")
    client.force_login(root)
    assert admin.site.is_registered(model)
    opts = model._meta
    changelist = client.get(f"/admin/{opts.app_label}/{opts.model_name}/")
    assert changelist.status_code == 200
    obj = model._default_manager.first()
    change = client.get(f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/change/")
    assert change.status_code == 200


def test_admin_cannot_edit_membership_status_directly(client, organization):
    root = User.objects.create_superuser("root", "root@example.org", "x-very-long-pw-1")
    client.force_login(root)
    response = client.get(f"/admin/members/organization/{organization.pk}/change/")
    assert response.status_code == 200
    assert 'name="status"' not in response.content.decode()


def _setting(tmp_path, name, **env):
    result = _manage(
        tmp_path,
        "shell",
        "-c",
        f"from django.conf import settings; print(settings.{name})",
        SECRET_KEY=secrets.token_urlsafe(48),
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_production_sends_mail_over_tls_unless_told_not_to(tmp_path):
    assert _setting(tmp_path, "EMAIL_USE_TLS") == "True"
    assert _setting(tmp_path, "EMAIL_USE_TLS", EMAIL_USE_TLS="0") == "False"
    assert _setting(tmp_path, "EMAIL_USE_TLS", PROBITY_ENV=None, EMAIL_USE_TLS=None) == "False"
