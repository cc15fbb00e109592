"""Demo cases past the review stage: an open ballot with a recusal, a suspension in
force, an expulsion under appeal, an overturned appeal and a closed no-violation case.
Built through the services, as the board and staff would."""

from __future__ import annotations

from django.contrib.auth.models import User

from cases import services
from cases.models import Case

BOARD = [
    "board.adams",
    "board.baker",
    "board.cole",
    "board.diaz",
    "board.evans",
    "board.fisher",
    "board.gupta",
]
PANEL = ["panel.hughes", "panel.ito", "panel.jones"]


def _u(username: str) -> User:
    return User.objects.get(username=username)


def _referred(file, step, review, summary, respondent, principle, officer="alice.staff") -> Case:
    case = file(summary, respondent, principle, officer=officer)
    case = step(case, "open_review", by=officer)
    case = review(case)
    return step(case, "refer_to_board", by=officer)


def _votes(case: Case, plan: list[tuple[str, str, str, int | None]]) -> None:
    for username, choice, sanction, months in plan:
        services.vote_cast(
            case=case,
            voter=_u(username),
            choice=choice,
            sanction=sanction,
            suspension_months=months,
            reason="",
        )


def _close(case: Case, step) -> Case:
    return step(case, "close_ballot", by=case.case_officer.username)


def seed_decisions(once, file, step, review) -> None:
    s = "Misrepresented association endorsement on a tender"
    if once(s):
        case = _referred(file, step, review, s, "kestrel-integration", "7")
        services.conflict_declare(
            case=case,
            member=_u("board.cole"),
            reason="I advised Kestrel Integration on this tender.",
            by=_u("board.cole"),
        )
        _votes(
            case,
            [
                ("board.adams", "violation", "censure", None),
                ("board.baker", "violation", "warning", None),
                ("board.diaz", "no_violation", "", None),
            ],
        )

    s = "Sold uncertified safety relays as certified"
    if once(s):
        case = _referred(file, step, review, s, "larchmont-systems", "3", officer="bruno.staff")
        plan = [(u, "violation", "suspension", 6) for u in BOARD[:5]] + [
            (BOARD[5], "violation", "censure", None),
            (BOARD[6], "abstain", "", None),
        ]
        _votes(case, plan)
        _close(case, step)  # suspension in force for six months

    s = "Repeatedly falsified compliance test reports"
    if once(s):
        case = _referred(file, step, review, s, "saltmarsh-integration", "1")
        plan = [(u, "violation", "expulsion", None) for u in BOARD[:5]] + [
            (BOARD[5], "violation", "suspension", 12),
            (BOARD[6], "no_violation", "", None),
        ]
        _votes(case, plan)
        case = _close(case, step)
        rep = case.respondent.representatives.first().user
        services.case_transition(
            case=case,
            name="file_appeal",
            by=rep,
            expected_state=case.state,
            reason=(
                "The board relied on reports by a former employee in dispute with us; the test "
                "laboratory's own records, which we attach to our response, contradict them."
            ),
        )
        services.vote_cast(case=case, voter=_u("panel.hughes"), choice="uphold", reason="")

    s = "Advertised a competitor's product as recalled"
    if once(s):
        case = _referred(file, step, review, s, "quarry-hill-controls", "4", officer="chen.staff")
        plan = [(u, "violation", "censure", None) for u in BOARD[:4]] + [
            (u, "no_violation", "", None) for u in BOARD[4:]
        ]
        _votes(case, plan)
        case = _close(case, step)
        rep = case.respondent.representatives.first().user
        case = services.case_transition(
            case=case,
            name="file_appeal",
            by=rep,
            expected_state=case.state,
            reason="The advertisement quoted the regulator's own recall notice.",
        )
        for u in PANEL:
            services.vote_cast(
                case=case, voter=_u(u), choice="overturn", reason="The recall notice was genuine."
            )
        services.appeal_ballot_close(case=case, by=_u("chen.staff"))
        step(
            case,
            "decide_appeal",
            by="chen.staff",
            reason="The panel found that the advertisement accurately quoted a genuine recall notice.",
        )

    s = "Late delivery alleged to be a breach of honesty"
    if once(s):
        case = _referred(file, step, review, s, "elmstead-supply", "1", officer="bruno.staff")
        _votes(
            case,
            [(u, "no_violation", "", None) for u in BOARD[:6]] + [(BOARD[6], "abstain", "", None)],
        )
        _close(case, step)  # no violation: the case is final
