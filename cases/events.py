"""What each kind of case event says: one builder per kind, returning the keyword
arguments of `cases.services.record.record_event` (kind, payload, and for a
transition its states). The services write their events through these, and so does
the scale data (`manage.py seed_scale`), which writes rows in bulk without the
services: both say the same thing the same way, so the data cannot drift from the
workflow. Pure: values in, a dict out (dates as ISO strings)."""

from __future__ import annotations

import datetime


def _iso(value: datetime.date | datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def transition(*, step: str, from_state: str, to_state: str, reason: str = "") -> dict:
    payload = {"step": step}
    if reason:
        payload["reason"] = reason
    return {
        "kind": "transition",
        "from_state": from_state,
        "to_state": to_state,
        "payload": payload,
    }


def step_effects(step: str, payload: dict) -> dict:
    """What a step did besides moving the case (see the *_effects builders)."""
    return {"kind": f"{step}_effects", "payload": payload}


def open_review_effects(*, notice_issued_at: datetime.datetime, response_due_on: datetime.date):
    return {"notice_issued_at": _iso(notice_issued_at), "response_due_on": _iso(response_due_on)}


def refer_to_board_effects(*, ballot, closes_on: datetime.date) -> dict:
    return {"ballot": ballot, "closes_on": _iso(closes_on)}


def close_ballot_effects(
    *,
    ballot,
    tally: dict,
    violation_found: bool,
    sanction: str,
    sanction_id=None,
    appeal_deadline: datetime.date | None = None,
) -> dict:
    payload = {
        "ballot": ballot,
        "tally": tally,
        "violation_found": violation_found,
        "sanction": sanction or None,
    }
    if violation_found:
        payload["sanction_id"] = sanction_id
        payload["appeal_deadline"] = _iso(appeal_deadline)
    return payload


def file_appeal_effects(*, ballot, closes_on: datetime.date, excluded: list[int]) -> dict:
    return {"ballot": ballot, "closes_on": _iso(closes_on), "excluded": sorted(excluded)}


def decide_appeal_effects(*, outcome: str, sanction: str) -> dict:
    return {"outcome": outcome, "sanction": sanction or None}


def filed(
    *,
    number: str,
    respondent: str,
    procedure: int,
    case_officer: str,
    complainant_kind: str,
    conduct_known_on: datetime.date,
    late_acceptance_reason: str,
    to_state: str,
    received_on: datetime.date,
    received_via: str,
) -> dict:
    """The record keeps both when the complaint was received and (the event's own
    time) when it was entered."""
    return {
        "kind": "filed",
        "to_state": to_state,
        "payload": {
            "number": number,
            "respondent": respondent,
            "procedure": procedure,
            "case_officer": case_officer,
            "complainant_kind": complainant_kind,
            "conduct_known_on": _iso(conduct_known_on),
            "late_acceptance_reason": late_acceptance_reason or None,
            "received_on": _iso(received_on),
            "received_via": received_via,
        },
    }


def access_granted(*, user: str, permissions: list[str], why: str) -> dict:
    return {
        "kind": "access_granted",
        "payload": {"user": user, "permissions": list(permissions), "why": why},
    }


def access_granted_to_group(*, group: str, permissions: list[str], why: str) -> dict:
    return {
        "kind": "access_granted",
        "payload": {"group": group, "permissions": list(permissions), "why": why},
    }


def access_revoked(*, user: str, permissions: list[str], why: str, letters=()) -> dict:
    payload = {"user": user, "permissions": list(permissions), "why": why}
    if letters:
        payload["letters"] = sorted(letters)
    return {"kind": "access_revoked", "payload": payload}


def allegation_added(
    *,
    allegation,
    principle: str,
    conduct_from: datetime.date,
    conduct_to: datetime.date,
    amendment=None,
) -> dict:
    return {
        "kind": "allegation_added",
        "payload": {
            "allegation": allegation,
            "principle": principle,
            "conduct_from": _iso(conduct_from),
            "conduct_to": _iso(conduct_to),
            "amendment": amendment,
        },
    }


def evidence_added(
    *,
    evidence,
    title: str,
    sha256: str,
    size: int,
    content_type: str,
    source: str,
    disclosed_to_respondent: bool,
    url: str = "",
    amendment=None,
    response=None,
    producer: str = "",
) -> dict:
    return {
        "kind": "evidence_added",
        "payload": {
            "evidence": evidence,
            "title": title,
            "sha256": sha256,
            "size": size,
            "content_type": content_type,
            "source": source,
            "disclosed_to_respondent": disclosed_to_respondent,
            "producer": producer or None,
            "url": url or None,
            "amendment": amendment,
            "response": response,
        },
    }


def response_submitted(*, response, attachments: int, characters: int) -> dict:
    return {
        "kind": "response_submitted",
        "payload": {"response": response, "attachments": attachments, "characters": characters},
    }


def finding_recorded(*, allegation, conclusion: str, reasoning: str, revised: bool = False):
    return {
        "kind": "finding_revised" if revised else "finding_recorded",
        "payload": {"allegation": allegation, "conclusion": conclusion, "reasoning": reasoning},
    }


def review_report_saved(
    *, text: str, rests_on_single_source: bool, aggravating=(), mitigating=()
) -> dict:
    return {
        "kind": "review_report_saved",
        "payload": {
            "text": text,
            "rests_on_single_source": rests_on_single_source,
            "aggravating": list(aggravating),
            "mitigating": list(mitigating),
        },
    }


def ballot_opened(*, ballot, kind: str, closes_on: datetime.date, eligible: list[str]) -> dict:
    return {
        "kind": "ballot_opened",
        "payload": {
            "ballot": ballot,
            "kind": kind,
            "closes_on": _iso(closes_on),
            "eligible": list(eligible),
        },
    }


def vote_cast(
    *,
    ballot,
    voter: str,
    choice: str,
    sanction: str,
    suspension_months: int | None,
    reason: str,
    changed: bool = False,
    dissent: str = "",
) -> dict:
    return {
        "kind": "vote_changed" if changed else "vote_cast",
        "payload": {
            "ballot": ballot,
            "voter": voter,
            "choice": choice,
            "sanction": sanction or None,
            "suspension_months": suspension_months,
            "reason": reason or None,
            "dissent": dissent or None,
        },
    }


def appeal_ballot_closed(*, ballot, tally: dict, sanction_upheld: str) -> dict:
    return {
        "kind": "ballot_closed",
        "payload": {
            "ballot": ballot,
            "kind": "appeal",
            "tally": tally,
            "sanction_upheld": sanction_upheld or None,
        },
    }


def sanction_imposed(
    *,
    sanction,
    kind: str,
    effective_on: datetime.date,
    ends_on: datetime.date | None,
    readmission_bar_until: datetime.date | None,
) -> dict:
    return {
        "kind": "sanction_imposed",
        "payload": {
            "sanction": sanction,
            "kind": kind,
            "effective_on": _iso(effective_on),
            "ends_on": _iso(ends_on),
            "readmission_bar_until": _iso(readmission_bar_until),
        },
    }


def sanction_applied(*, sanction, kind: str, status: str) -> dict:
    return {
        "kind": "sanction_applied",
        "payload": {"sanction": sanction, "kind": kind, "status": status},
    }


def sanction_rescinded(*, sanction, reason: str) -> dict:
    return {"kind": "sanction_rescinded", "payload": {"sanction": sanction, "reason": reason}}


def case_linked(*, link, other: str, kind: str, reason: str) -> dict:
    return {
        "kind": "case_linked",
        "payload": {"link": link, "other_case": other, "link_kind": kind, "reason": reason},
    }


def dossier_exported() -> dict:
    return {"kind": "dossier_exported", "payload": {}}


# The complainant's access, messages, evidence and appeal (docs/decisions/0021). The
# access code itself is never recorded: only that one was issued or revoked.


def access_code_issued(*, access, reason: str, replaces=None, emailed: bool) -> dict:
    payload = {"access": access, "emailed": emailed}
    if reason:
        payload["reason"] = reason
    if replaces is not None:
        payload["replaces"] = replaces
    return {"kind": "access_code_issued", "payload": payload}


def access_code_revoked(*, access, reason: str) -> dict:
    return {"kind": "access_code_revoked", "payload": {"access": access, "reason": reason}}


def complainant_message(*, message, from_complainant: bool, by: str, characters: int) -> dict:
    return {
        "kind": "complainant_message",
        "payload": {
            "message": message,
            "from_complainant": from_complainant,
            "by": by,
            "characters": characters,
        },
    }


def complainant_evidence_submitted(
    *, submission, title: str, sha256: str, size: int, content_type: str, by: str
) -> dict:
    return {
        "kind": "complainant_evidence_submitted",
        "payload": {
            "submission": submission,
            "title": title,
            "sha256": sha256,
            "size": size,
            "content_type": content_type,
            "by": by,
        },
    }


def complainant_evidence_decided(
    *, submission, accepted: bool, evidence=None, reason: str = ""
) -> dict:
    payload = {"submission": submission, "accepted": accepted}
    if evidence is not None:
        payload["evidence"] = evidence
    if reason:
        payload["reason"] = reason
    return {"kind": "complainant_evidence_decided", "payload": payload}


def file_complainant_appeal_effects(
    *, appeal, appealed_state: str, by: str, ballot, closes_on: datetime.date, excluded
) -> dict:
    return {
        "appeal": appeal,
        "appealed_state": appealed_state,
        "by": by,
        "ballot": ballot,
        "closes_on": _iso(closes_on),
        "excluded": sorted(excluded),
    }


def complainant_appeal_ballot_closed(*, ballot, tally: dict, outcome: str) -> dict:
    return {
        "kind": "complainant_appeal_ballot_closed",
        "payload": {"ballot": ballot, "tally": tally, "outcome": outcome},
    }


def decide_complainant_appeal_effects(*, outcome: str, to_state: str, ballot=None) -> dict:
    payload = {"outcome": outcome, "to_state": to_state}
    if ballot is not None:
        payload["ballot"] = ballot
    return payload
