"""Sessions (members/accounts.py): the page where a user sees and ends their other
sessions, and the shorter sessions of staff, board and panel."""

from __future__ import annotations

import time

from django.contrib.auth import SESSION_KEY
from django.test import Client

from members import accounts
from members.models import UserSession
from tests.factories.language import said


def _age(client, **seconds_ago):
    """Move the session's clocks back (time passing)."""
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = time.time() - ago
    session.save()


def test_a_user_sees_their_other_sessions_and_ends_one(representative):
    here, there = Client(), Client()
    here.force_login(representative)
    there.force_login(representative)
    assert there.get("/membership/").status_code == 200

    response = here.get("/accounts/security/")
    rows = response.context["sessions"]
    assert len(rows) == 2
    assert [current for _, current in rows].count(True) == 1
    other = next(row for row, current in rows if not current)

    response = here.post("/accounts/security/sessions/end/", {"session": other.session_key})

    assert response.status_code == 302
    assert SESSION_KEY not in there.session
    assert there.get("/membership/").status_code == 302  # signed out
    assert here.get("/membership/").status_code == 200
    assert UserSession.objects.filter(user=representative).count() == 1


def test_sign_out_everywhere_else_keeps_this_session(representative):
    clients = [Client() for _ in range(3)]
    for c in clients:
        c.force_login(representative)
    response = clients[0].post("/accounts/security/sessions/end/", {"all": "1"})
    assert response.status_code == 302
    assert clients[0].get("/membership/").status_code == 200
    assert all(c.get("/membership/").status_code == 302 for c in clients[1:])


def test_a_user_cannot_end_someone_elses_session(representative, other_representative):
    mine, theirs = Client(), Client()
    mine.force_login(representative)
    theirs.force_login(other_representative)
    key = theirs.session.session_key
    response = mine.post("/accounts/security/sessions/end/", {"session": key})
    assert response.status_code == 302
    assert theirs.get("/membership/").status_code == 200
    assert UserSession.objects.filter(session_key=key).exists()


def test_a_sign_in_records_the_address_and_browser(client, representative):
    from tests.members.test_two_factor import sign_in

    client.defaults.update(REMOTE_ADDR="192.0.2.80", HTTP_USER_AGENT="Firefox/140")
    assert sign_in(client, representative.username).status_code == 302
    row = UserSession.objects.get(user=representative)
    assert row.session_key == client.session.session_key
    assert (row.ip_address, row.user_agent) == ("192.0.2.80", "Firefox/140")
    page = client.get("/accounts/security/").content.decode()
    assert "192.0.2.80" in page and said("This session") in page


# -- Staff, board and panel: idle timeout and an absolute limit ------------------------


def test_a_staff_session_ends_after_thirty_idle_minutes(client, staff):
    client.force_login(staff)
    assert client.get("/cases/").status_code == 200
    assert client.session.get_expiry_age() == 30 * 60
    _age(client, **{accounts.SEEN_AT: 31 * 60})
    response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert SESSION_KEY not in client.session


def test_activity_keeps_a_staff_session_alive(client, board_member):
    client.force_login(board_member)
    _age(client, **{accounts.SEEN_AT: 29 * 60})
    assert client.get("/cases/ballots/").status_code == 200
    assert time.time() - client.session[accounts.SEEN_AT] < 5


def test_a_panel_session_ends_twelve_hours_after_sign_in_even_if_busy(client, panel_member):
    client.force_login(panel_member)
    _age(client, **{accounts.SIGNED_IN_AT: 12 * 3600 + 60, accounts.SEEN_AT: 10})
    response = client.get("/cases/ballots/")
    assert response.status_code == 302 and SESSION_KEY not in client.session


def test_the_limits_are_settings(client, staff, settings):
    settings.PROBITY_PRIVILEGED_IDLE_MINUTES = 5
    client.force_login(staff)
    _age(client, **{accounts.SEEN_AT: 6 * 60})
    assert client.get("/cases/").status_code == 302


def test_a_representative_keeps_the_ordinary_session(client, representative, settings):
    client.force_login(representative)
    _age(client, **{accounts.SEEN_AT: 3 * 3600, accounts.SIGNED_IN_AT: 13 * 3600})
    assert client.get("/membership/").status_code == 200
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
