"""A board or appeals-panel member who represents a party is never seated: the ballot
records their recusal when it opens, in plain words, and gives them no access."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from cases import outcomes, services, workflow
from cases.access import case_permissions
from cases.models import BallotKind, EvidenceSource, Recusal, SanctionKind, VoteChoice
from cases.services import EvidenceInput
from members.roles import APPEALS_PANEL, BOARD
from tests.factories.cases import events, fresh, pdf
from tests.factories.members import OrganizationFactory, RepresentativeFactory
from tests.factories.people import UserFactory, board_members, panel_members
from tests.factories.scenes import (
    appeal_ballot,
    board_ballot,
    file_appeal,
    sanctioned_case,
    seated_voters,
    setup_board_case,
    vote,
)

RESPONDENT = "Representative of the respondent"
COMPLAINANT = "Representative of the complainant's organization"


def executive_of(organization, username: str, *roles: str):
    """A board (or panel) member who is also an executive of a member company."""
    user = UserFactory(username=username, roles=list(roles))
    RepresentativeFactory(organization=organization, user=user, is_primary=False)
    return user


def add_undisclosed_evidence(staff):
    def add(case):
        services.evidence_add(
            case=fresh(case),
            by=staff,
            evidence=EvidenceInput(
                file=pdf("tip.pdf", b"A competitor's confidential tip."),
                title="Confidential tip from a competitor",
                source=EvidenceSource.STAFF,
                disclosed_to_respondent=False,
            ),
        )

    return add


def recorded_conflicts(case):
    return [e.payload for e in events(case) if e.kind == "conflict_recorded"]


def test_a_board_member_who_represents_the_respondent_is_recused_when_the_ballot_opens(
    staff, client
):
    respondent = OrganizationFactory(name="Acme Robotics")
    board = board_members(3)
    insider = executive_of(respondent, "board.insider", BOARD)

    bc = setup_board_case(
        staff,
        board=board,
        organization=respondent,
        before_referral=add_undisclosed_evidence(staff),
    )

    recusal = Recusal.objects.get(case=bc.case, member=insider)
    assert recusal.reason == RESPONDENT
    assert recusal.recorded_by == staff
    assert recorded_conflicts(bc.case) == [
        {"member": "board.insider", "reason": RESPONDENT, "automatic": True}
    ]
    assert seated_voters(bc.case) == board
    assert workflow.ballot_numbers(outcomes.open_ballot(bc.case, BallotKind.BOARD)) == (3, 0)
    opened = [e for e in events(bc.case) if e.kind == "ballot_opened"][-1]
    assert "board.insider" not in opened.payload["eligible"]
    # No board access: no vote, and the case page they get is the respondent's own, as
    # for any of its representatives (notified at the review), without what is undisclosed.
    assert "vote_on_case" not in case_permissions(insider, fresh(bc.case))
    with pytest.raises(PermissionDenied):
        vote(bc.case, insider, VoteChoice.NO_VIOLATION)
    client.force_login(insider)
    page = client.get(bc.case.get_absolute_url())
    assert page.status_code == 200
    assert "Confidential tip from a competitor" not in page.content.decode()


def test_a_board_member_who_represents_the_complainants_organization_is_recused_and_gets_404(
    staff, client
):
    competitor = OrganizationFactory(name="Globex Automation")
    board = board_members(4)
    rival = executive_of(competitor, "board.rival", BOARD)

    bc = setup_board_case(staff, board=board, complainant_org=competitor)

    recusal = Recusal.objects.get(case=bc.case, member=rival)
    assert recusal.reason == COMPLAINANT
    assert recorded_conflicts(bc.case) == [
        {"member": "board.rival", "reason": COMPLAINANT, "automatic": True}
    ]
    assert seated_voters(bc.case) == board
    assert workflow.ballot_numbers(board_ballot(bc.case)) == (4, 0)
    assert case_permissions(rival, fresh(bc.case)) == frozenset()
    client.force_login(rival)
    assert client.get(bc.case.get_absolute_url()).status_code == 404


def test_quorum_counts_only_the_members_without_a_conflict(staff):
    respondent = OrganizationFactory()
    board = board_members(2)
    insiders = [executive_of(respondent, f"board.insider{i}", BOARD) for i in range(3)]
    bc = setup_board_case(staff, board=board, organization=respondent)
    assert Recusal.objects.filter(case=bc.case, member__in=insiders).count() == 3
    # Both unconflicted members voting is every eligible voter: quorum is met and the
    # ballot can close, however many conflicted members sit on the board.
    for member in board:
        vote(bc.case, member, VoteChoice.NO_VIOLATION)
    assert workflow.RULES["ballot_quorum_met"](fresh(bc.case)).holds
    assert workflow.RULES["ballot_complete_or_due"](fresh(bc.case)).holds


def test_ordinary_board_members_are_seated_and_given_access(staff):
    bystander_org = OrganizationFactory()
    board = board_members(3)
    # Representing an organization that is not a party is no conflict.
    bystander = executive_of(bystander_org, "board.bystander", BOARD)
    bc = setup_board_case(staff, board=board)
    assert not Recusal.objects.filter(case=bc.case).exists()
    assert recorded_conflicts(bc.case) == []
    assert set(seated_voters(bc.case)) == {*board, bystander}
    for member in [*board, bystander]:
        assert {"view_case", "vote_on_case"} <= case_permissions(member, fresh(bc.case))


def test_an_appeals_panel_member_who_represents_a_party_is_recused_from_the_appeal(staff):
    respondent = OrganizationFactory()
    competitor = OrganizationFactory()
    panel_insider = executive_of(respondent, "panel.insider", APPEALS_PANEL)
    panel_rival = executive_of(competitor, "panel.rival", APPEALS_PANEL)
    bc = sanctioned_case(
        staff, SanctionKind.CENSURE, organization=respondent, complainant_org=competitor
    )
    panel = panel_members(3)

    file_appeal(bc.case, bc.rep)

    reasons = dict(Recusal.objects.filter(case=bc.case).values_list("member__username", "reason"))
    assert reasons == {"panel.insider": RESPONDENT, "panel.rival": COMPLAINANT}
    # The respondent's representative opened this ballot by appealing: the case officer
    # records the conflicts, not the party.
    assert Recusal.objects.get(member=panel_insider).recorded_by == bc.case.case_officer
    assert seated_voters(bc.case, BallotKind.APPEAL) == panel
    assert workflow.ballot_numbers(appeal_ballot(bc.case)) == (3, 0)
    assert "vote_on_case" not in case_permissions(panel_rival, fresh(bc.case))


def test_a_member_recused_at_the_board_ballot_is_not_recused_twice_on_appeal(staff):
    respondent = OrganizationFactory()
    both = executive_of(respondent, "board.and.panel", BOARD, APPEALS_PANEL)
    bc = sanctioned_case(staff, SanctionKind.CENSURE, organization=respondent)
    panel_members(3)
    file_appeal(bc.case, bc.rep)
    assert Recusal.objects.filter(case=bc.case, member=both).count() == 1
    assert len(recorded_conflicts(bc.case)) == 1
    assert both not in seated_voters(bc.case, BallotKind.APPEAL)
