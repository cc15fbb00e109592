"""Services that change cases. Each runs in one transaction with the case row locked,
checks who is acting, and writes the case record. Views call these and nothing else
changes a case; in particular only `case_transition` moves a case between states."""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_fsm import has_transition_perm
from guardian.shortcuts import assign_perm, remove_perm

from cases import letters, notifications, workflow
from cases.access import case_permissions, forget_permissions
from cases.models import (
    Allegation,
    Amendment,
    Case,
    CaseEvent,
    CaseNumberSequence,
    CaseUserObjectPermission,
    Complainant,
    Evidence,
    EvidenceKind,
    EvidenceSource,
    Finding,
    LetterKind,
    LetterUserObjectPermission,
    Principle,
    Procedure,
    Response,
)
from cases.uploads import inspect_upload
from cases.workflow import CaseState
from members.models import Organization, Representative
from members.roles import ETHICS_STAFF, roles_of

log = logging.getLogger("probity.cases")

GENESIS_HASH = "0" * 64


class TransitionRefused(ValidationError):
    """The step is not possible now; the message says which rule failed."""


class CaseMovedOn(TransitionRefused):
    """Someone else changed the case's state first."""


# ---------------------------------------------------------------------------
# The case record
# ---------------------------------------------------------------------------


def record_event(
    case: Case,
    *,
    actor,
    kind: str,
    from_state: str = "",
    to_state: str = "",
    payload: dict | None = None,
) -> CaseEvent:
    """Append one event to the case's hash chain. The caller holds the case row lock,
    so sequence numbers and the chain cannot fork."""
    last = (
        CaseEvent.objects.filter(case_id=case.pk)
        .order_by("-sequence")
        .values_list("sequence", "hash")
        .first()
    )
    sequence, previous_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    event = CaseEvent(
        case=case,
        sequence=sequence,
        at=timezone.now(),
        actor=actor,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        payload=payload or {},
        previous_hash=previous_hash,
    )
    event.hash = event.compute_hash()
    event.save()
    Case.objects.filter(pk=case.pk).update(record_length=sequence, record_head=event.hash)
    case.record_length, case.record_head = sequence, event.hash  # keep a later save() truthful
    return event


@dataclass(frozen=True)
class RecordCheck:
    ok: bool
    events_checked: int
    first_bad_sequence: int | None = None
    problem: str = ""


def verify_case_record(case: Case) -> RecordCheck:
    """Recompute the hash chain; name the first event that does not match."""
    previous = GENESIS_HASH
    count = 0
    recorded = {}  # letter or evidence id -> the SHA-256 the record gave it
    for event in CaseEvent.objects.filter(case=case).order_by("sequence").iterator():
        count += 1
        if event.kind == "letter_issued":
            recorded[("letter", event.payload.get("letter"))] = event.payload.get("sha256")
        elif event.kind == "evidence_added":
            recorded[("evidence", event.payload.get("evidence"))] = event.payload.get("sha256")
        if event.sequence != count:
            return RecordCheck(False, count, event.sequence, f"event #{count} is missing")
        if event.previous_hash != previous:
            return RecordCheck(
                False, count, event.sequence, "its link to the previous event does not match"
            )
        if event.compute_hash() != event.hash:
            return RecordCheck(
                False, count, event.sequence, "its content does not match its hash (it was altered)"
            )
        previous = event.hash
    case.refresh_from_db(fields=["record_length", "record_head", "state"])
    if (case.record_length, case.record_head) != (count, previous if count else ""):
        return RecordCheck(
            False,
            count,
            None,
            f"the case says its record has {case.record_length} events but {count} are left "
            "(events were removed from the end)",
        )
    reached = [
        e.to_state
        for e in CaseEvent.objects.filter(case=case, kind="transition").order_by("sequence")
    ]
    filed = CaseEvent.objects.filter(case=case, kind="filed").exists()
    if filed and (reached[-1] if reached else "filed") != case.state:
        return RecordCheck(
            False,
            count,
            None,
            f"the record leads to “{reached[-1] if reached else 'filed'}” but the case is “{case.state}”",
        )
    # The stored files must still be the ones the record names.
    for kind, rows in (
        ("letter", case.letters.order_by("pk")),
        ("evidence", case.evidence.order_by("pk")),
    ):
        for row in rows:
            if recorded.get((kind, row.pk)) != row.sha256 or not _file_matches(
                row.file, row.sha256
            ):
                return RecordCheck(
                    False,
                    count,
                    None,
                    f"the stored file of {kind} {row.pk} (“{row}”) does not match the SHA-256 in the record",
                )
    return RecordCheck(True, count)


def _file_matches(field_file, sha256: str) -> bool:
    digest = hashlib.sha256()
    try:
        with field_file.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
    except FileNotFoundError:
        return False
    return digest.hexdigest() == sha256


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _lock(case: Case) -> Case:
    locked = (
        # of=("self",): lock the case row only, not the procedure or organization joined in.
        Case.objects.select_for_update(of=("self",))
        .select_related("procedure", "respondent", "complainant")
        .get(pk=case.pk)
    )
    return locked


def _require_staff(user, case: Case | None = None) -> None:
    if user is None or not roles_of(user).ethics_staff:
        raise PermissionDenied("Only ethics staff may do this.")
    if case is not None and "manage_case" not in case_permissions(user, case):
        raise PermissionDenied("You do not have the staff permission on this case.")


def _require_reason(reason: str, label: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(f"{label}: a written reason is required.")
    return reason


def _require_state(case: Case, states: Iterable[str], doing: str) -> None:
    if case.state not in states:
        raise TransitionRefused(f"You cannot {doing} while the case is {case.state_label.lower()}.")


def _username(user) -> str | None:
    return user.username if user is not None else None


def grant(case: Case, user, codenames: Iterable[str], *, actor, why: str) -> None:
    codenames = list(codenames)
    for codename in codenames:
        assign_perm(codename, user, case)
    forget_permissions(case)
    record_event(
        case,
        actor=actor,
        kind="access_granted",
        payload={"user": user.username, "permissions": codenames, "why": why},
    )


def revoke(
    case: Case, user, codenames: Iterable[str], *, actor, why: str, letters: Iterable[int] = ()
) -> None:
    """Take permissions on the case (and view_letter_pdf on some of its letters) from
    the user, and record it. The letters are named in the event only when given."""
    codenames = list(codenames)
    for codename in codenames:
        remove_perm(codename, user, case)
    letters = sorted(letters)
    payload = {"user": user.username, "permissions": codenames, "why": why}
    if letters:
        LetterUserObjectPermission.objects.filter(
            user=user,
            content_object__in=letters,
            content_object__case=case,
            permission__codename="view_letter_pdf",
        ).delete()
        payload["letters"] = letters
    forget_permissions(case)
    record_event(case, actor=actor, kind="access_revoked", payload=payload)


# ---------------------------------------------------------------------------
# Intake
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AllegationInput:
    principle: Principle
    conduct: str
    conduct_from: datetime.date
    conduct_to: datetime.date


@dataclass(frozen=True)
class EvidenceInput:
    file: object  # an UploadedFile
    title: str
    source: str
    disclosed_to_respondent: bool = False
    kind: str = EvidenceKind.FILE
    url: str = ""
    captured_at: datetime.datetime | None = None
    description: str = ""


@dataclass(frozen=True)
class ComplainantInput:
    kind: str
    name: str
    organization_name: str = ""
    member_organization: Organization | None = None
    email: str = ""
    phone: str = ""
    postal_address: str = ""
    consents_to_disclosure: bool = False


def _next_case_number(on: datetime.date) -> str:
    seq, _ = CaseNumberSequence.objects.select_for_update().get_or_create(year=on.year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{on.year}-{seq.last:04d}"


def _validate_allegation(a: AllegationInput, i: int) -> None:
    if not a.conduct.strip():
        raise ValidationError(f"Allegation {i}: describe the conduct.")
    if a.conduct_to < a.conduct_from:
        raise ValidationError(f"Allegation {i}: the conduct period ends before it starts.")
    if a.conduct_from > timezone.localdate():
        raise ValidationError(f"Allegation {i}: the conduct period cannot start in the future.")


def _add_allegation(case, a: AllegationInput, *, actor, amendment=None) -> Allegation:
    allegation = Allegation.objects.create(
        case=case,
        principle=a.principle,
        conduct=a.conduct.strip(),
        conduct_from=a.conduct_from,
        conduct_to=a.conduct_to,
        amendment=amendment,
    )
    record_event(
        case,
        actor=actor,
        kind="allegation_added",
        payload={
            "allegation": allegation.pk,
            "principle": a.principle.number,
            "conduct_from": a.conduct_from.isoformat(),
            "conduct_to": a.conduct_to.isoformat(),
            "amendment": amendment.pk if amendment else None,
        },
    )
    return allegation


def _store_evidence(case, e: EvidenceInput, *, actor, amendment=None, response=None) -> Evidence:
    info = inspect_upload(e.file)
    if e.source not in EvidenceSource.values:
        raise ValidationError(f"Unknown evidence source “{e.source}”.")
    if e.kind == EvidenceKind.WEB_CAPTURE and not e.url:
        raise ValidationError("A captured web page needs the address (URL) it was captured from.")
    evidence = Evidence(
        case=case,
        kind=e.kind,
        title=(e.title or e.file.name)[:200],
        description=e.description,
        original_filename=e.file.name[:255],
        sha256=info.sha256,
        size=info.size,
        content_type=info.content_type,
        source=e.source,
        disclosed_to_respondent=e.disclosed_to_respondent,
        url=e.url,
        captured_at=e.captured_at if e.kind == EvidenceKind.WEB_CAPTURE else None,
        added_by=actor,
        amendment=amendment,
        response=response,
    )
    # Validation is done: only now write the file. Its name is derived from its
    # hash, so a file left behind by a rolled-back transaction is harmless.
    evidence.file.save(e.file.name, e.file, save=False)
    evidence.save()
    record_event(
        case,
        actor=actor,
        kind="evidence_added",
        payload={
            "evidence": evidence.pk,
            "title": evidence.title,
            "sha256": info.sha256,
            "size": info.size,
            "content_type": info.content_type,
            "source": e.source,
            "disclosed_to_respondent": e.disclosed_to_respondent,
            "url": e.url or None,
            "amendment": amendment.pk if amendment else None,
            "response": response.pk if response else None,
        },
    )
    return evidence


@transaction.atomic
def complaint_file(
    *,
    by,
    respondent: Organization,
    complainant: ComplainantInput,
    summary: str,
    conduct_known_on: datetime.date,
    case_officer,
    allegations: list[AllegationInput],
    evidence: list[EvidenceInput] = (),
    late_acceptance_reason: str = "",
) -> Case:
    """Docket a complaint as a case in state `filed`, under the procedure in force today."""
    _require_staff(by)
    if not roles_of(case_officer).ethics_staff:
        raise ValidationError("The case officer must be a member of the ethics staff.")
    if not summary.strip():
        raise ValidationError("Give the complaint a one-line summary.")
    if not complainant.name.strip():
        raise ValidationError("The complainant's name is required.")
    if not allegations:
        raise ValidationError("A complaint needs at least one allegation.")
    if conduct_known_on > timezone.localdate():
        raise ValidationError("The date the conduct could be known cannot be in the future.")
    for i, a in enumerate(allegations, 1):
        _validate_allegation(a, i)
    now = timezone.now()
    procedure = Procedure.in_force(timezone.localdate(now))
    complainant_row = Complainant.objects.create(**complainant.__dict__)
    case = Case.objects.create(
        number=_next_case_number(timezone.localdate(now)),
        respondent=respondent,
        complainant=complainant_row,
        procedure=procedure,
        case_officer=case_officer,
        summary=summary.strip(),
        filed_at=now,
        filed_by=by,
        conduct_known_on=conduct_known_on,
        late_acceptance_reason=late_acceptance_reason.strip(),
        state_changed_at=now,
    )
    case = _lock(case)
    filed_event = record_event(
        case,
        actor=by,
        to_state=CaseState.FILED,
        kind="filed",
        payload={
            "number": case.number,
            "respondent": respondent.slug,
            "procedure": procedure.version,
            "case_officer": case_officer.username,
            "complainant_kind": complainant.kind,
            "conduct_known_on": conduct_known_on.isoformat(),
            "late_acceptance_reason": case.late_acceptance_reason or None,
        },
    )
    staff = Group.objects.get(name=ETHICS_STAFF)
    for codename in ("view_case", "manage_case"):
        assign_perm(codename, staff, case)
    record_event(
        case,
        actor=by,
        kind="access_granted",
        payload={
            "group": ETHICS_STAFF,
            "permissions": ["view_case", "manage_case"],
            "why": "Ethics staff manage every case.",
        },
    )
    for a in allegations:
        _add_allegation(case, a, actor=by)
    for e in evidence:
        _store_evidence(case, e, actor=by)
    letters.issue(
        case,
        LetterKind.ACKNOWLEDGEMENT,
        letters.complainant_recipient(case),
        event=filed_event,
        by=by,
    )
    return case


@transaction.atomic
def complaint_amend(
    *,
    case: Case,
    by,
    reason: str,
    allegations: list[AllegationInput] = (),
    evidence: list[EvidenceInput] = (),
) -> Amendment:
    case = _lock(case)
    _require_staff(by, case)
    _require_state(
        case, (CaseState.FILED, CaseState.UNDER_REVIEW, CaseState.DISMISSED), "amend the complaint"
    )
    reason = _require_reason(reason, "Amendment")
    if not allegations and not evidence:
        raise ValidationError("An amendment adds at least one allegation or piece of evidence.")
    for i, a in enumerate(allegations, 1):
        _validate_allegation(a, i)
    amendment = Amendment.objects.create(
        case=case, made_by=by, reason=reason, needs_notice=case.notice_issued_at is not None
    )
    record_event(
        case,
        actor=by,
        kind="amended",
        payload={
            "amendment": amendment.pk,
            "reason": reason,
            "needs_notice": amendment.needs_notice,
            "allegations": len(allegations),
            "evidence": len(evidence),
        },
    )
    for a in allegations:
        _add_allegation(case, a, actor=by, amendment=amendment)
    for e in evidence:
        _store_evidence(case, e, actor=by, amendment=amendment)
    return amendment


@transaction.atomic
def evidence_add(*, case: Case, by, evidence: EvidenceInput) -> Evidence:
    """Add evidence outside an amendment: staff fact-finding or a public record."""
    case = _lock(case)
    _require_staff(by, case)
    _require_state(
        case, (CaseState.FILED, CaseState.UNDER_REVIEW, CaseState.DISMISSED), "add evidence"
    )
    return _store_evidence(case, evidence, actor=by)


@transaction.atomic
def evidence_set_disclosure(*, evidence: Evidence, by, disclosed: bool) -> Evidence:
    case = _lock(evidence.case)
    _require_staff(by, case)
    evidence = Evidence.objects.get(pk=evidence.pk)
    if evidence.disclosed_to_respondent != disclosed:
        Evidence.objects.filter(pk=evidence.pk).update(disclosed_to_respondent=disclosed)
        evidence.disclosed_to_respondent = disclosed
        record_event(
            case,
            actor=by,
            kind="evidence_disclosure_changed",
            payload={"evidence": evidence.pk, "disclosed_to_respondent": disclosed},
        )
    return evidence


@transaction.atomic
def late_filing_accept(*, case: Case, by, reason: str) -> Case:
    case = _lock(case)
    _require_staff(by, case)
    _require_state(case, (CaseState.FILED,), "accept a late complaint")
    reason = _require_reason(reason, "Late acceptance")
    Case.objects.filter(pk=case.pk).update(late_acceptance_reason=reason)
    record_event(case, actor=by, kind="late_filing_accepted", payload={"reason": reason})
    case.refresh_from_db()
    return case


@transaction.atomic
def case_officer_assign(*, case: Case, by, officer) -> Case:
    case = _lock(case)
    _require_staff(by, case)
    if not roles_of(officer).ethics_staff:
        raise ValidationError("The case officer must be a member of the ethics staff.")
    Case.objects.filter(pk=case.pk).update(case_officer=officer)
    record_event(
        case,
        actor=by,
        kind="case_officer_assigned",
        payload={"from": case.case_officer.username, "to": officer.username},
    )
    case.refresh_from_db()
    return case


# ---------------------------------------------------------------------------
# Transitions
# ---------------------------------------------------------------------------


def _reps_of(case: Case):
    return [rep.user for rep in case.respondent.representatives.select_related("user")]


def _after_open_review(case: Case, by, reason: str, event: CaseEvent) -> dict:
    for user in _reps_of(case):
        grant(
            case,
            user,
            ["view_case", "respond_to_case"],
            actor=by,
            why="Representative of the respondent, notified of the complaint.",
        )
    # This notice covers every amendment made so far (say, while the case was dismissed).
    case.amendments.filter(needs_notice=True, noticed_at__isnull=True).update(
        noticed_at=case.notice_issued_at
    )
    letters.issue(
        case, LetterKind.NOTICE_OF_COMPLAINT, letters.respondent_recipient(case), event=event, by=by
    )
    return {
        "notice_issued_at": case.notice_issued_at.isoformat(),
        "response_due_on": case.response_due_on.isoformat(),
    }


def _after_closing(case: Case, by, reason: str, event: CaseEvent) -> dict:
    for user in _reps_of(case):
        if "respond_to_case" in case_permissions(user, case):
            revoke(case, user, ["respond_to_case"], actor=by, why="The case is closed.")
    kind = LetterKind.DISMISSAL if case.state == CaseState.DISMISSED else LetterKind.WITHDRAWAL
    if case.notice_issued_at is not None:  # a respondent never notified is not written to
        letters.issue(case, kind, letters.respondent_recipient(case), event=event, by=by)
    letters.issue(case, kind, letters.complainant_recipient(case), event=event, by=by)
    return {}


def _after_refer_to_board(case: Case, by, reason: str, event: CaseEvent) -> dict:
    from cases import ballots

    return ballots.open_board_ballot(case, by=by)


def _after_finalize(case: Case, by, reason: str, event: CaseEvent) -> dict:
    from cases import ballots

    sanction = ballots.current_sanction(case)
    if sanction and sanction.applied_at is None and sanction.effective_on <= timezone.localdate():
        ballots.sanction_apply(sanction, by=by)
    return {}


def _lazy(name: str) -> Callable:
    """An effect defined in cases.ballots (imported late: it builds on this module)."""

    def call(case: Case, by, reason: str, *event) -> dict:
        from cases import ballots

        return getattr(ballots, name)(case, by, reason, *event)

    return call


# What a step needs computed before the transition (its arguments), and what it
# does after: access, ballots, sanctions, notifications. All under the case lock.
PREPARE: dict[str, Callable[[Case, object, str], dict]] = {
    "close_ballot": _lazy("_prepare_close_ballot"),
}
EFFECTS: dict[str, Callable[[Case, object, str, CaseEvent], dict]] = {
    "open_review": _after_open_review,
    "dismiss": _after_closing,
    "withdraw": _after_closing,
    "refer_to_board": _after_refer_to_board,
    "close_ballot": _lazy("_after_close_ballot"),
    "file_appeal": _lazy("_after_file_appeal"),
    "finalize": _after_finalize,
    "decide_appeal": _lazy("_after_decide_appeal"),
}


@transaction.atomic
def case_transition(
    *, case: Case, name: str, by, reason: str = "", expected_state: str | None = None
) -> Case:
    """Take one workflow step on one case.

    Locks the case row, checks that the case is still where the user saw it
    (`expected_state`), that the user may take this step on this case, and that
    every rule holds; then applies the transition, writes the case event, grants
    or revokes access and schedules notifications for after the commit.
    A refusal raises and changes nothing.
    """
    step = workflow.STEPS.get(name)
    if step is None:
        raise TransitionRefused(f"“{name}” is not a step of the workflow.")
    case = _lock(case)
    # Who may take this step comes first: someone who never may is refused (403)
    # whatever stage the case is at.
    if not workflow.actor_may(by, case, name):
        raise PermissionDenied(f"You may not “{step.label.lower()}” on case {case.number}.")
    if expected_state and case.state != expected_state:
        raise CaseMovedOn(
            f"This case has moved on: it is now {case.state_label.lower()}. "
            "Reload the page to see what changed."
        )
    if case.state not in step.sources:
        raise TransitionRefused(
            f"“{step.label}” is not possible while the case is {case.state_label.lower()}."
        )
    unmet = step.unmet(case)
    if unmet:
        raise TransitionRefused([check.reason for check in unmet])
    if step.reason_label:
        reason = _require_reason(reason, step.label)
    method = getattr(case, name)
    if by is not None and not has_transition_perm(method, by):
        raise PermissionDenied(f"You may not “{step.label.lower()}” on case {case.number}.")

    from_state = case.state
    arguments = PREPARE[name](case, by, reason) if name in PREPARE else {}
    method(**arguments)
    case.state_changed_at = timezone.now()
    if step.reason_label and step.target in (CaseState.DISMISSED, CaseState.WITHDRAWN):
        case.closing_reason = reason
    case.save()
    payload = {"step": name}
    if reason:
        payload["reason"] = reason
    event = record_event(
        case,
        actor=by,
        kind="transition",
        from_state=from_state,
        to_state=case.state,
        payload=payload,
    )
    effect = EFFECTS.get(name)
    if effect:
        extra = effect(case, by, reason, event)
        if extra:
            record_event(case, actor=by, kind=f"{name}_effects", payload=extra)
    return case


# ---------------------------------------------------------------------------
# The review stage
# ---------------------------------------------------------------------------


@transaction.atomic
def amended_notice_issue(*, case: Case, by) -> Case:
    """Notify the respondent of amendments made after the first notice; the response
    window runs again from today so the new matter can be answered."""
    case = _lock(case)
    _require_staff(by, case)
    _require_state(case, (CaseState.UNDER_REVIEW,), "issue an amended notice")
    pending = list(case.amendments.filter(needs_notice=True, noticed_at__isnull=True))
    if not pending:
        raise ValidationError("No amendment is waiting for a notice.")
    now = timezone.now()
    Amendment.objects.filter(pk__in=[a.pk for a in pending]).update(noticed_at=now)
    new_due = max(
        case.response_due_on,
        timezone.localdate(now) + datetime.timedelta(days=case.procedure.response_window_days),
    )
    Case.objects.filter(pk=case.pk).update(response_due_on=new_due)
    event = record_event(
        case,
        actor=by,
        kind="amended_notice_issued",
        payload={"amendments": [a.pk for a in pending], "response_due_on": new_due.isoformat()},
    )
    case.refresh_from_db()
    letters.issue(
        case, LetterKind.NOTICE_OF_COMPLAINT, letters.respondent_recipient(case), event=event, by=by
    )
    return case


@transaction.atomic
def response_submit(*, case: Case, by, text: str, attachments: list = ()) -> Response:
    """The respondent's written answer, with attachments, before the response deadline."""
    case = _lock(case)
    if "respond_to_case" not in case_permissions(by, case):
        raise PermissionDenied("Only the respondent's representatives may respond to this case.")
    _require_state(case, (CaseState.UNDER_REVIEW,), "respond")
    if not case.response_window_open:
        raise ValidationError(
            f"The response window closed on {case.response_due_on:%d %B %Y}. Ask the ethics "
            "staff to reopen it if you need to respond late."
        )
    text = (text or "").strip()
    if not text:
        raise ValidationError("Write your response before sending it.")
    response = Response.objects.create(case=case, submitted_by=by, text=text)
    record_event(
        case,
        actor=by,
        kind="response_submitted",
        payload={"response": response.pk, "attachments": len(attachments), "characters": len(text)},
    )
    for f in attachments:
        _store_evidence(
            case,
            EvidenceInput(
                file=f,
                title=f"Response attachment: {f.name}",
                source=EvidenceSource.RESPONDENT,
                disclosed_to_respondent=True,
            ),
            actor=by,
            response=response,
        )
    notifications.after_commit(notifications.response_received, case.pk)
    return response


@transaction.atomic
def response_window_reopen(*, case: Case, by, reason: str, until: datetime.date) -> Case:
    case = _lock(case)
    _require_staff(by, case)
    _require_state(case, (CaseState.UNDER_REVIEW,), "reopen the response window")
    reason = _require_reason(reason, "Reopening the response window")
    earliest = max(timezone.localdate(), case.response_due_on or timezone.localdate())
    if until <= earliest:
        raise ValidationError(
            "The new response deadline must be after today."
            if earliest == timezone.localdate()
            else f"The new response deadline must be after {earliest:%d %B %Y}: reopening may "
            "extend the window, never shorten it."
        )
    previous = case.response_due_on
    Case.objects.filter(pk=case.pk).update(response_due_on=until)
    record_event(
        case,
        actor=by,
        kind="response_window_reopened",
        payload={
            "reason": reason,
            "from": previous.isoformat() if previous else None,
            "until": until.isoformat(),
        },
    )
    notifications.after_commit(notifications.response_window_reopened, case.pk)
    case.refresh_from_db()
    return case


@transaction.atomic
def finding_record(*, allegation: Allegation, by, conclusion: str, reasoning: str) -> Finding:
    case = _lock(allegation.case)
    _require_staff(by, case)
    _require_state(case, (CaseState.UNDER_REVIEW,), "record findings")
    reasoning = _require_reason(reasoning, "Finding")
    finding, created = Finding.objects.update_or_create(
        allegation=allegation,
        defaults={
            "conclusion": conclusion,
            "reasoning": reasoning,
            "recorded_by": by,
            "recorded_at": timezone.now(),
        },
    )
    finding.full_clean()
    record_event(
        case,
        actor=by,
        kind="finding_recorded" if created else "finding_revised",
        payload={"allegation": allegation.pk, "conclusion": conclusion, "reasoning": reasoning},
    )
    return finding


@transaction.atomic
def review_report_save(*, case: Case, by, text: str, rests_on_single_source: bool) -> Case:
    case = _lock(case)
    _require_staff(by, case)
    _require_state(case, (CaseState.UNDER_REVIEW,), "write the review report")
    text = (text or "").strip()
    if not text:
        raise ValidationError("The review report cannot be empty.")
    Case.objects.filter(pk=case.pk).update(
        review_report=text,
        review_rests_on_single_source=rests_on_single_source,
        review_report_at=timezone.now(),
    )
    record_event(
        case,
        actor=by,
        kind="review_report_saved",
        payload={"text": text, "rests_on_single_source": rests_on_single_source},
    )
    case.refresh_from_db()
    return case


# ---------------------------------------------------------------------------
# Representatives who join after the notice
# ---------------------------------------------------------------------------

# States in which the respondent may still act (respond, or appeal).
RESPONDENT_MAY_ACT = (CaseState.UNDER_REVIEW, CaseState.SANCTIONED)


@transaction.atomic
def representative_access_sync(*, user, organization) -> int:
    """Give a newly added representative the access the other representatives got at
    the notice of complaint: every notified case of their organization and the letters
    addressed to it. Returns how many cases they were given."""
    granted = 0
    for case in Case.objects.filter(
        respondent=organization, notice_issued_at__isnull=False
    ).order_by("pk"):
        case = _lock(case)
        # Checked under the case lock: a removal that committed since the addition
        # (its revocation has run, or waits for this lock) must not be undone here.
        if not Representative.objects.filter(user=user, organization=organization).exists():
            break
        held = case_permissions(user, case)
        wanted = ["view_case"] + (["respond_to_case"] if case.state in RESPONDENT_MAY_ACT else [])
        missing = [p for p in wanted if p not in held]
        if missing:
            grant(case, user, missing, actor=None, why="New representative of the respondent.")
            granted += 1
        for letter in case.letters.filter(addressee="respondent"):
            assign_perm("view_letter_pdf", user, letter)
    return granted


REPRESENTATIVE_REMOVED = "No longer a representative of the respondent."


@transaction.atomic
def representative_access_revoke(*, user, organization, by=None) -> int:
    """Take from a former representative every permission they hold on the
    organization's cases and on the letters of those cases, one `access_revoked` event
    per case. Returns how many cases it touched.

    Runs in the removal's transaction (members.services.representative_remove, with
    the staff member as actor) and again after any Representative row is deleted (the
    post_delete signal, actor None); the second run finds nothing left unless a grant
    was made while the removal was in flight. Every case of the organization is
    locked in turn, in the order the other case services lock them, so a notice being
    issued at the same time finishes first and its grant is seen and taken back. Does
    nothing if the user is a representative of the organization again.

    Reads the permission tables directly: `case_permissions` reports nothing for a
    deactivated user, who still holds the rows."""
    if Representative.objects.filter(user=user, organization=organization).exists():
        return 0
    touched = 0
    for case_id in (
        Case.objects.filter(respondent=organization).order_by("pk").values_list("pk", flat=True)
    ):
        case = _lock(Case(pk=case_id))
        codenames = sorted(
            set(
                CaseUserObjectPermission.objects.filter(user=user, content_object=case).values_list(
                    "permission__codename", flat=True
                )
            )
        )
        letters = list(
            LetterUserObjectPermission.objects.filter(
                user=user, content_object__case=case, permission__codename="view_letter_pdf"
            ).values_list("content_object_id", flat=True)
        )
        if codenames or letters:
            revoke(case, user, codenames, actor=by, why=REPRESENTATIVE_REMOVED, letters=letters)
            touched += 1
    return touched
