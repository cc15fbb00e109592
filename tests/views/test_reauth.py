"""Re-authentication before the most serious steps (cases/views.py's _confirm_identity,
members.accounts.reauthenticate): referral, closing a ballot, closing the appeals
panel's ballot and recording the appeal decision ask for the password again when the
last sign-in (or confirmation) is older than PROBITY_REAUTH_MINUTES."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from cases.models import CaseState
from members import accounts
from tests.factories.cases import case_snapshot, fresh
from tests.factories.language import said
from tests.factories.people import PASSWORD, board_members
from tests.factories.scenes import (
    appeal_ballot,
    case_at_review,
    file_appeal,
    sanctioned_case,
    seated_voters,
    setup_board_case,
    vote,
)


def _signed_in_minutes_ago(client, minutes):
    session = client.session
    session[accounts.SIGNED_IN_AT] = session[accounts.CONFIRMED_AT] = time.time() - minutes * 60
    session.save()


def _step(client, case, name, **extra):
    return client.post(
        reverse("cases:case_step", args=[case.number, name]),
        {"expected_state": case.state, "reason": "", "confirmed": "yes", **extra},
    )


@pytest.fixture
def referable(staff):
    return case_at_review(staff)


def test_a_referral_long_after_sign_in_asks_for_the_password_and_changes_nothing(
    client, staff, referable
):
    client.force_login(staff)
    _signed_in_minutes_ago(client, 16)
    before = case_snapshot(referable)

    response = _step(client, referable, "refer_to_board")

    assert response.status_code == 200
    assert "accounts/reauth.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert 'name="reauth_password"' in html
    # The form comes back as it was posted, to be sent again with the password.
    assert f'name="expected_state" value="{referable.state}"' in html
    assert case_snapshot(referable) == before


def test_a_wrong_password_is_refused_and_changes_nothing(client, staff, referable):
    client.force_login(staff)
    _signed_in_minutes_ago(client, 16)
    before = case_snapshot(referable)

    response = _step(client, referable, "refer_to_board", reauth_password="not-my-password")

    assert response.status_code == 403
    assert said("That password is not right.") in response.content.decode()
    assert case_snapshot(referable) == before


def test_the_right_password_takes_the_step_and_counts_as_a_fresh_confirmation(
    client, staff, referable
):
    client.force_login(staff)
    _signed_in_minutes_ago(client, 16)

    response = _step(client, referable, "refer_to_board", reauth_password=PASSWORD)

    assert response.status_code == 302
    assert fresh(referable).state == CaseState.BOARD_VOTE
    assert time.time() - client.session[accounts.CONFIRMED_AT] < 5


def test_a_recent_sign_in_needs_no_password(client, staff, referable):
    client.force_login(staff)
    _signed_in_minutes_ago(client, 14)
    response = _step(client, referable, "refer_to_board")
    assert response.status_code == 302
    assert fresh(referable).state == CaseState.BOARD_VOTE


def test_the_minutes_are_a_setting(client, staff, referable, settings):
    settings.PROBITY_REAUTH_MINUTES = 5
    client.force_login(staff)
    _signed_in_minutes_ago(client, 6)
    assert _step(client, referable, "refer_to_board").status_code == 200
    assert fresh(referable).state == CaseState.UNDER_REVIEW


def test_a_less_serious_step_never_asks(client, staff):
    from tests.factories.cases import file_case

    case = file_case(by=staff)
    client.force_login(staff)
    _signed_in_minutes_ago(client, 60)
    response = _step(client, case, "open_review")
    assert response.status_code == 302
    assert fresh(case).state == CaseState.UNDER_REVIEW


def test_someone_who_may_not_take_the_step_is_refused_not_asked(
    client, staff, board_member, referable
):
    client.force_login(board_member)
    _signed_in_minutes_ago(client, 60)
    before = case_snapshot(referable)
    response = _step(client, referable, "refer_to_board")
    assert response.status_code in (403, 404)
    assert "accounts/reauth.html" not in [t.name for t in response.templates]
    assert case_snapshot(referable) == before


def test_closing_the_board_ballot_asks(client, staff):
    board = board_members(3, prefix="reauth.board.")
    bc = setup_board_case(staff, board=board)
    for member in seated_voters(bc.case):
        vote(bc.case, member, "no_violation")
    client.force_login(staff)
    _signed_in_minutes_ago(client, 20)
    case = fresh(bc.case)
    response = _step(client, case, "close_ballot")
    assert response.status_code == 200 and b"reauth_password" in response.content
    assert fresh(case).state == CaseState.BOARD_VOTE

    response = _step(client, case, "close_ballot", reauth_password=PASSWORD)
    assert response.status_code == 302
    assert fresh(case).state != CaseState.BOARD_VOTE


def test_closing_the_appeal_ballot_and_deciding_the_appeal_ask(client, staff):
    from tests.factories.people import panel_members

    bc = sanctioned_case(staff, "censure", board=board_members(3, prefix="reauth.b2."))
    panel = panel_members(3, prefix="reauth.panel.")
    file_appeal(bc.case, bc.rep)
    for member in panel:
        vote(bc.case, member, "uphold")
    client.force_login(staff)
    _signed_in_minutes_ago(client, 20)
    url = reverse("cases:appeal_ballot_close", args=[bc.case.number])

    response = client.post(url, {"confirmed": "yes"})
    assert response.status_code == 200 and b"reauth_password" in response.content
    assert appeal_ballot(bc.case).closed_at is None

    response = client.post(url, {"confirmed": "yes", "reauth_password": PASSWORD})
    assert response.status_code == 302
    assert appeal_ballot(bc.case).closed_at is not None

    # The decision: asked again once the confirmation is itself old.
    _signed_in_minutes_ago(client, 20)
    case = fresh(bc.case)
    reasons = 'The panel upheld the decision; "quoted" & <b>escaped</b>.'
    response = _step(client, case, "decide_appeal", reason=reasons)
    assert response.status_code == 200
    # Kept, escaped, to be posted again.
    assert (
        'value="The panel upheld the decision; &quot;quoted&quot; &amp; &lt;b&gt;escaped&lt;/b&gt;."'
        in response.content.decode()
    )
    assert fresh(case).state == CaseState.UNDER_APPEAL
    response = _step(client, case, "decide_appeal", reason=reasons, reauth_password=PASSWORD)
    assert response.status_code == 302
    assert fresh(case).state != CaseState.UNDER_APPEAL
