"""The session's user is read with their roles and second-factor devices in one query
(members.accounts.SignInBackend, SessionDeviceMiddleware; docs/decisions/0029), and
nothing of it is kept between requests: a role, a representative's link or a device
taken away counts from the very next request."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from members.models import Representative
from members.roles import BOARD, ETHICS_STAFF
from tests.factories.members import OrganizationFactory, representative_of
from tests.factories.people import board_user, staff_user

pytestmark = pytest.mark.django_db


def test_staff_removed_from_the_group_lose_their_pages_at_the_next_request(client):
    alice = staff_user("alice.staff")
    client.force_login(alice)
    assert client.get(reverse("cases:dashboard")).status_code == 200
    alice.groups.remove(Group.objects.get(name=ETHICS_STAFF))
    # Same session, no new sign-in: the next request already reads no role.
    assert client.get(reverse("cases:dashboard")).status_code == 403
    assert client.get(reverse("register")).status_code == 403


def test_the_navigation_follows_the_roles_at_the_next_request(client):
    # The navigation is kept rendered per set of roles (base.html): never another's.
    alice = staff_user("alice.staff")
    client.force_login(alice)
    dashboard = f'href="{reverse("cases:dashboard")}"'
    assert dashboard in client.get(reverse("public_directory")).content.decode()
    alice.groups.remove(Group.objects.get(name=ETHICS_STAFF))
    assert dashboard not in client.get(reverse("public_directory")).content.decode()


def test_a_board_member_removed_from_the_board_no_longer_sees_the_register(client):
    member = board_user("board.member")
    client.force_login(member)
    assert client.get(reverse("register")).status_code == 200
    member.groups.remove(Group.objects.get(name=BOARD))
    assert client.get(reverse("register")).status_code == 403


def test_a_representative_removed_from_their_organization_loses_the_portal_at_once(client):
    rep = representative_of(OrganizationFactory(), "acme.rep")
    client.force_login(rep)
    assert client.get(reverse("portal")).status_code == 200
    Representative.objects.filter(user=rep).delete()
    assert client.get(reverse("portal")).status_code == 404


def test_the_session_user_roles_and_device_are_one_query(client):
    alice = staff_user("alice.staff")
    client.force_login(alice)
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 302  # staff go to the dashboard
    session, user = (q["sql"] for q in ctx.captured_queries)
    assert session.startswith('SELECT "django_session"')
    assert user.startswith('SELECT "auth_user"."id"')
    for table in ("auth_group", "members_representative", "otp_totp_totpdevice"):
        assert table in user


@pytest.mark.parametrize("change", ["deleted", "unconfirmed", "another user's"])
def test_a_session_whose_device_is_gone_is_no_longer_verified(client, change):
    alice = staff_user("alice.staff")
    client.force_login(alice)  # verified with alice's authenticator
    assert client.get(reverse("cases:dashboard")).status_code == 200
    device = TOTPDevice.objects.get(user=alice)
    if change == "deleted":
        device.delete()
    elif change == "unconfirmed":
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)
    else:
        TOTPDevice.objects.filter(pk=device.pk).update(user=staff_user("bob.staff"))
    response = client.get(reverse("cases:dashboard"))
    # Not verified any more: sent to set up a second factor (or to sign in again).
    assert response.status_code == 302
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_the_verified_device_is_read_only_when_asked_for(client):
    alice = staff_user("alice.staff")
    client.force_login(alice)
    response = client.get(reverse("cases:dashboard"))
    user = response.wsgi_request.user
    assert user.is_verified()
    with CaptureQueriesContext(connection) as ctx:
        assert user.otp_device.user_id == alice.pk
    assert len(ctx.captured_queries) == 1
