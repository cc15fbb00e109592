"""The kernel of every service: the case row lock and the case record, an
append-only, hash-chained list of events (docs/decisions/0007)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.utils import timezone

from cases.models import Case, CaseEvent

GENESIS_HASH = "0" * 64


def lock_case(case: Case) -> Case:
    """The case row, locked until the transaction ends: every service takes it first,
    so steps, actions and the record's sequence numbers never interleave."""
    locked = (
        # of=("self",): lock the case row only, not the procedure or organization joined in.
        Case.objects.select_for_update(of=("self",))
        .select_related("procedure", "respondent", "complainant")
        .get(pk=case.pk)
    )
    return locked


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
