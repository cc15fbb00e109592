"""Seed a file database for tests/association/test_sqlite.py: a case at the board vote
with `n` board members seated, and a signed-in session for each, verified with a second factor
(made as the two-step login makes one, so no password hashing is needed). Prints JSON: the case number and the
session keys. Run as `python -m tests.association.seed_ballot N` with DATABASE_URL set."""

from __future__ import annotations

import json
import sys

import django


def main(n: int) -> None:
    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import override_settings
    from django_otp import DEVICE_ID_SESSION_KEY

    from cases import rendering
    from tests.conftest import stub_render_pdf
    from tests.factories.people import board_members, staff_user, totp_device
    from tests.factories.scenes import setup_board_case

    rendering.render_pdf = stub_render_pdf
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        board = board_members(n, prefix="voter.")
        bc = setup_board_case(staff_user("seed.staff"), board=board)
    sessions = []
    for user in board:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "members.accounts.SignInBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        # Verified with a second factor, as the two-step sign-in leaves a board member's
        # session (members.accounts requires one).
        store[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
        store.create()
        sessions.append(store.session_key)
    print(json.dumps({"case": bc.case.number, "sessions": sessions}))


if __name__ == "__main__":
    main(int(sys.argv[1]))
