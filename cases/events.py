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
    """The title, producer and address may name people: they are personal fields
    (docs/decisions/0023), of the kind the retention job removes with the file."""
    return {
        "kind": "evidence_added",
        "payload": {
            "evidence": evidence,
            "sha256": sha256,
            "size": size,
            "content_type": content_type,
            "source": source,
            "disclosed_to_respondent": disclosed_to_respondent,
            "amendment": amendment,
            "response": response,
        },
        "personal": {"title": title, "producer": producer or None, "url": url or None},
        "personal_kind": "attachments" if response else "evidence",
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
    compliance: dict | None = None,
) -> dict:
    payload = {
        "ballot": ballot,
        "voter": voter,
        "choice": choice,
        "sanction": sanction or None,
        "suspension_months": suspension_months,
        "reason": reason or None,
        "dissent": dissent or None,
    }
    if compliance:
        payload["compliance"] = compliance
    return {"kind": "vote_changed" if changed else "vote_cast", "payload": payload}


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


# Publication, retention and legal holds (docs/decisions/0023).


def decision_published(
    *, level: str, sanction: str, principles: list[str], ends_on: datetime.date
) -> dict:
    return {
        "kind": "decision_published",
        "payload": {
            "level": level,
            "sanction": sanction,
            "principles": list(principles),
            "ends_on": _iso(ends_on),
        },
    }


def publication_taken_down(*, why: str) -> dict:
    return {"kind": "publication_taken_down", "payload": {"why": why}}


def publication_withheld(*, reason: str, was_published: bool) -> dict:
    return {
        "kind": "publication_withheld",
        "payload": {"reason": reason, "was_published": was_published},
    }


def legal_hold_placed(*, hold, reason: str) -> dict:
    return {"kind": "legal_hold_placed", "payload": {"hold": hold, "reason": reason}}


def legal_hold_released(*, hold, reason: str) -> dict:
    return {"kind": "legal_hold_released", "payload": {"hold": hold, "reason": reason}}


def personal_data_purged(
    *, kind: str, due_on: datetime.date, fields: int, evidence=(), letters=(), rows: int = 0
) -> dict:
    """What the retention job removed: how many personal fields of the record, which
    files (their SHA-256 stays in the events that added them) and other rows."""
    return {
        "kind": "personal_data_purged",
        "payload": {
            "retention_kind": kind,
            "due_on": _iso(due_on),
            "fields": fields,
            "evidence": sorted(evidence),
            "letters": sorted(letters),
            "rows": rows,
        },
    }
# Sanctions a member complies with (docs/decisions/0018)


def compliance_sanction_imposed(
    *, sanction, kind: str, effective_on: datetime.date, due_on: datetime.date, terms: dict
) -> dict:
    return {
        "kind": "compliance_sanction_imposed",
        "payload": {
            "sanction": sanction,
            "kind": kind,
            "effective_on": _iso(effective_on),
            "due_on": _iso(due_on),
            "terms": terms,
        },
    }


def compliance_proof_uploaded(
    *, sanction, proof, filename: str, sha256: str, size: int, content_type: str
) -> dict:
    return {
        "kind": "compliance_proof_uploaded",
        "payload": {
            "sanction": sanction,
            "proof": proof,
            "filename": filename,
            "sha256": sha256,
            "size": size,
            "content_type": content_type,
        },
    }


def compliance_recorded(
    *, sanction, kind: str, complied_on: datetime.date, note: str, proof=None
) -> dict:
    return {
        "kind": "compliance_recorded",
        "payload": {
            "sanction": sanction,
            "kind": kind,
            "complied_on": _iso(complied_on),
            "note": note or None,
            "proof": proof,
        },
    }


def compliance_overdue(*, sanction, kind: str, due_on: datetime.date) -> dict:
    return {
        "kind": "compliance_overdue",
        "payload": {"sanction": sanction, "kind": kind, "due_on": _iso(due_on)},
    }


def non_compliance_consequence_applied(*, sanction, consequence: str, status: str) -> dict:
    return {
        "kind": "non_compliance_consequence_applied",
        "payload": {"sanction": sanction, "consequence": consequence, "status": status},
    }


def compliance_restored(*, sanctions: list, status: str) -> dict:
    return {"kind": "compliance_restored", "payload": {"sanctions": sanctions, "status": status}}


# -- Issue 10: the respondent's comment on the review, and the hearing --


def review_disclosed(*, disclosure, comment_due_on: datetime.date, findings: list) -> dict:
    """`findings`: the allegation ids whose findings were disclosed, with the report."""
    return {
        "kind": "review_disclosed",
        "payload": {
            "disclosure": disclosure,
            "comment_due_on": _iso(comment_due_on),
            "findings": list(findings),
        },
    }


def review_comment_submitted(*, comment, disclosure, text: str) -> dict:
    """The text itself: it is part of what the deciders decide on, so the exported
    dossier (whose record is these events) carries it."""
    return {
        "kind": "review_comment_submitted",
        "payload": {"comment": comment, "disclosure": disclosure, "text": text},
    }


def hearing_requested(*, request, party: str, reason: str) -> dict:
    return {
        "kind": "hearing_requested",
        "payload": {"request": request, "party": party, "reason": reason},
    }


def hearing_scheduled(
    *,
    hearing,
    starts_at: datetime.datetime,
    time_zone: str,
    place: str,
    video_link: str,
    participants_due_on: datetime.date,
    panel: list[str],
    replaces=None,
    reason: str = "",
) -> dict:
    """A hearing set, or (with `replaces` and `reason`) set again after a postponement."""
    payload = {
        "hearing": hearing,
        "starts_at": _iso(starts_at),
        "time_zone": time_zone,
        "place": place,
        "video_link": video_link,
        "participants_due_on": _iso(participants_due_on),
        "panel": list(panel),
    }
    if replaces is not None:
        payload.update(replaces=replaces, reason=reason)
    return {"kind": "hearing_postponed" if replaces else "hearing_scheduled", "payload": payload}


def hearing_participants_named(*, party: str, participants: list[dict]) -> dict:
    """`participants`: [{"id", "role", "name"}] as named by or for the party."""
    return {
        "kind": "hearing_participants_named",
        "payload": {"party": party, "participants": list(participants)},
    }


def hearing_recorded(*, hearing, attended: list[str], minutes, sha256: str) -> dict:
    return {
        "kind": "hearing_recorded",
        "payload": {
            "hearing": hearing,
            "attended": list(attended),
            "minutes": minutes,
            "sha256": sha256,
        },
    }


# -- Resolution by consent, interim suspension, consolidation (docs/decisions/0020)


def consent_offered(
    *,
    offer,
    sanction: str,
    suspension_months: int | None,
    terms: str,
    reply_by: datetime.date,
    offered_as: str,
) -> dict:
    return {
        "kind": "consent_offered",
        "payload": {
            "offer": offer,
            "sanction": sanction,
            "suspension_months": suspension_months,
            "terms": terms,
            "reply_by": _iso(reply_by),
            "offered_as": offered_as,
        },
    }


def consent_answered(*, offer, answer: str, said: str = "", sanction_id=None) -> dict:
    """`answer`: accepted, refused or lapsed (no answer by the date)."""
    payload = {"offer": offer, "answer": answer}
    if said:
        payload["said"] = said
    if sanction_id is not None:
        payload["sanction_id"] = sanction_id
    return {"kind": f"consent_{answer}", "payload": payload}


def interim_proposed(*, interim, ballot, reasons: str, lifting: bool = False) -> dict:
    kind = "interim_lifting_requested" if lifting else "interim_suspension_proposed"
    key = "grounds" if lifting else "reasons"
    return {"kind": kind, "payload": {"interim": interim, "ballot": ballot, key: reasons}}


def interim_ballot_closed(*, ballot, tally: dict, passed: bool, lifting: bool) -> dict:
    return {
        "kind": "ballot_closed",
        "payload": {
            "ballot": ballot,
            "kind": "interim_lifting" if lifting else "interim",
            "tally": tally,
            "passed": passed,
        },
    }


def interim_changed(*, interim, change: str, status: str, why: str = "") -> dict:
    """`change`: imposed, not_imposed, lifted, kept (lifting refused) or ended."""
    payload = {"interim": interim, "membership_status": status}
    if why:
        payload["why"] = why
    return {"kind": f"interim_suspension_{change}", "payload": payload}


def case_consolidated(*, link, other: str, reason: str) -> dict:
    return {
        "kind": "case_consolidated",
        "payload": {"link": link, "other_case": other, "reason": reason},
    }
