"""Users and their roles. Every user has the password PASSWORD (the browser tests log in
with it; the other tests use force_login). tests/conftest.py hashes it cheaply."""

from __future__ import annotations

import base64
import itertools
import time

import factory
from django.contrib.auth.models import Group, User
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from members.roles import APPEALS_PANEL, BOARD, ETHICS_STAFF

PASSWORD = "pw-for-tests-1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for name in extracted or ():
            self.groups.add(Group.objects.get(name=name))
        if create:
            self.save()


_seq = itertools.count(1)


def unique(prefix: str) -> str:
    """A username no other call hands out ("staff.7")."""
    return f"{prefix}{next(_seq)}"


def staff_user(username: str | None = None, **kwargs) -> User:
    """Ethics staff; a fresh unique username unless one is given (the same name twice is
    the same user: UserFactory gets or creates by username)."""
    return UserFactory(username=username or unique("staff."), roles=[ETHICS_STAFF], **kwargs)


def board_user(username: str | None = None, **kwargs) -> User:
    return UserFactory(username=username or unique("board.u"), roles=[BOARD], **kwargs)


def panel_user(username: str | None = None, **kwargs) -> User:
    return UserFactory(username=username or unique("panel.u"), roles=[APPEALS_PANEL], **kwargs)


def superuser(username: str = "root") -> User:
    """A superuser with no role in the association."""
    return UserFactory(username=username, is_superuser=True, is_staff=True)


def board_members(n: int, prefix: str = "board.") -> list[User]:
    """`n` board members named prefix1..prefixN (the same names give the same users)."""
    return [UserFactory(username=f"{prefix}{i + 1}", roles=[BOARD]) for i in range(n)]


def panel_members(n: int, prefix: str = "panel.") -> list[User]:
    return [UserFactory(username=f"{prefix}{i + 1}", roles=[APPEALS_PANEL]) for i in range(n)]


def add_to_group(user: User, group: str) -> User:
    user.groups.add(Group.objects.get(name=group))
    user.__dict__.pop("_probity_roles", None)
    return user


# -- Second factor (members.accounts; docs/decisions/0009) ---------------------------

# The authenticator the tests give a user (base32, as an app would take it).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_device(user: User):
    """The user's authenticator ("default", confirmed), made with TOTP_SECRET if absent."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user,
        name="default",
        defaults={"key": base64.b32decode(TOTP_SECRET).hex(), "confirmed": True},
    )
    return device


def totp_code(device=None, *, at: float | None = None) -> str:
    """The code the device's app shows now (or at `at`, seconds since the epoch)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at if at is not None else time.time()
    return f"{totp.token():0{device.digits}d}"


def verified_session(client, user: User) -> None:
    """Mark the client's (signed-in) session as verified with the user's authenticator."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()
