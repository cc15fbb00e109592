"""The kernel of every service: the case row lock and the case record, an
append-only, hash-chained list of events (docs/decisions/0007), checked against the
signed checkpoints of cases.services.checkpoints (docs/decisions/0011)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.utils import timezone

from cases import signing
from cases.models import (
    Case,
    CaseEvent,
    PersonalField,
    RecordCheckpoint,
    commitment_of,
    is_commitment,
)
from cases.services.checkpoints import signature_problem, verifying_keys

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


def commit_personal(payload: dict, personal: dict | None) -> tuple[dict, list[tuple]]:
    """(the payload as recorded, [(name, value, salt)] to keep beside the event): each
    non-empty personal value replaced by its salted commitment and the payload marked
    version 2 (docs/decisions/0023). Without personal fields, the payload as it is."""
    payload = dict(payload)
    if personal is None:
        return payload, []
    kept = []
    for name, value in personal.items():
        if value in (None, ""):
            payload[name] = value
            continue
        salt = secrets.token_hex(16)
        payload[name] = {"salted_sha256": commitment_of(value, salt)}
        kept.append((name, value, salt))
    payload["v"] = 2
    return payload, kept


def record_event(
    case: Case,
    *,
    actor,
    kind: str,
    from_state: str = "",
    to_state: str = "",
    payload: dict | None = None,
    personal: dict | None = None,
    personal_kind: str = "",
) -> CaseEvent:
    """Append one event to the case's hash chain. The caller holds the case row lock,
    so sequence numbers and the chain cannot fork.

    `personal` holds the event's personal fields (of the retention kind
    `personal_kind`): the payload commits to a salted hash of each value, marked
    version 2, and the value and salt are kept beside the event (PersonalField), so
    that the retention job can destroy them without touching the chain
    (docs/decisions/0023). Empty values carry nothing personal and stay in the payload."""
    payload, kept = commit_personal(payload or {}, personal)
    secrets_kept = [
        PersonalField(name=name, kind=personal_kind, value=value, salt=salt)
        for name, value, salt in kept
    ]
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
        payload=payload,
        previous_hash=previous_hash,
    )
    event.hash = event.compute_hash()
    event.save()
    for field in secrets_kept:
        field.event = event
    PersonalField.objects.bulk_create(secrets_kept)
    Case.objects.filter(pk=case.pk).update(record_length=sequence, record_head=event.hash)
    case.record_length, case.record_head = sequence, event.hash  # keep a later save() truthful
    return event


UNANCHORED_NO_KEY = (
    "unanchored: no record key is configured (PROBITY_RECORD_KEY_FILE), so the chain "
    "alone cannot show that it was not rewritten and recomputed"
)
UNANCHORED_NO_CHECKPOINT = "unanchored: no signed checkpoint of this record yet"


@dataclass(frozen=True)
class RecordCheck:
    ok: bool
    events_checked: int
    first_bad_sequence: int | None = None
    problem: str = ""
    # Whether the record is anchored by a signed checkpoint, and in words which.
    anchored: bool = False
    anchor: str = ""


def verify_case_record(case: Case) -> RecordCheck:
    """Recompute the hash chain; name the first event that does not match. Then check
    the chain against the signed checkpoints: a chain rewritten and recomputed, or cut
    short with the head moved back, no longer matches a head the record key signed.
    Without a key the result says the record is unanchored."""
    previous = GENESIS_HASH
    count = 0
    recorded = {}  # letter or evidence id -> the SHA-256 the record gave it
    signed = set()  # the letters the record says were signed
    purged = set()  # (letter|evidence, id) whose file a purge event removed
    purged_kinds = set()  # the kinds of personal data the record says were purged
    hashes = {}  # sequence -> hash, for the checkpoints
    for event in CaseEvent.objects.filter(case=case).order_by("sequence").iterator():
        count += 1
        hashes[event.sequence] = event.hash
        if event.kind == "letter_issued":
            recorded[("letter", event.payload.get("letter"))] = event.payload.get("sha256")
            if event.payload.get("signed_by"):
                signed.add(event.payload.get("letter"))
        elif event.kind == "evidence_added":
            recorded[("evidence", event.payload.get("evidence"))] = event.payload.get("sha256")
        elif event.kind == "personal_data_purged":
            purged_kinds.add(event.payload.get("retention_kind"))
            purged |= {("letter", pk) for pk in event.payload.get("letters", [])}
            purged |= {("evidence", pk) for pk in event.payload.get("evidence", [])}
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
    anchored, anchor, problem = _check_checkpoints(case, count, hashes)
    if problem:
        return RecordCheck(False, count, None, problem, anchored=False, anchor=anchor)
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
            anchored=anchored,
            anchor=anchor,
        )
    problem = _personal_fields_problem(case, purged_kinds)
    if problem:
        return RecordCheck(False, count, None, problem, anchored=anchored, anchor=anchor)
    # The stored files must still be the ones the record names; a file the retention
    # job removed must have been removed by a recorded purge.
    for kind, rows in (
        ("letter", case.letters.order_by("pk")),
        ("evidence", case.evidence.order_by("pk")),
    ):
        for row in rows:
            if row.purged_at is not None:
                if (kind, row.pk) not in purged or recorded.get((kind, row.pk)) != row.sha256:
                    return RecordCheck(
                        False,
                        count,
                        None,
                        f"the file of {kind} {row.pk} was removed, but no purge in the record "
                        "names it",
                        anchored=anchored,
                        anchor=anchor,
                    )
                continue
            if recorded.get((kind, row.pk)) != row.sha256 or not _file_matches(
                row.file, row.sha256
            ):
                return RecordCheck(
                    False,
                    count,
                    None,
                    f"the stored file of {kind} {row.pk} (“{row}”) does not match the SHA-256 in the record",
                    anchored=anchored,
                    anchor=anchor,
                )
            if kind == "letter" and row.pk in signed:
                problem = _signature_problem(row)
                if problem:
                    return RecordCheck(
                        False,
                        count,
                        None,
                        f"the signature of letter {row.pk} (“{row}”) does not validate: {problem}",
                        anchored=anchored,
                        anchor=anchor,
                    )
    return RecordCheck(True, count, anchored=anchored, anchor=anchor)


def _personal_fields_problem(case: Case, purged_kinds: set[str]) -> str:
    """Each personal value still held must be the one its event committed to; one
    destroyed must have been destroyed by a purge of its kind that the record names."""
    for field in PersonalField.objects.filter(event__case=case).select_related("event"):
        committed = field.event.payload.get(field.name)
        where = f"event #{field.event.sequence}'s {field.name}"
        if not is_commitment(committed):
            return f"{where} is kept beside the record but the event commits to no such field"
        if field.held:
            if commitment_of(field.value, field.salt) != committed["salted_sha256"]:
                return f"{where} does not match the salted hash in the record (it was altered)"
        elif field.kind not in purged_kinds:
            return f"{where} was removed, but no purge of {field.kind} is recorded"
    return ""


def _check_checkpoints(case: Case, count: int, hashes: dict[int, str]) -> tuple[bool, str, str]:
    """(anchored, the anchor in words, the problem or ""): every checkpoint of the case
    must carry a valid signature of a configured key and name a head the record still
    has at that sequence."""
    keys = verifying_keys()
    if not keys:
        return False, UNANCHORED_NO_KEY, ""
    checkpoints = list(RecordCheckpoint.objects.filter(case_id=case.pk).order_by("sequence", "pk"))
    for checkpoint in checkpoints:
        signed = f"the checkpoint of event #{checkpoint.sequence} signed {checkpoint.signed_at:%Y-%m-%d %H:%M}"
        why = signature_problem(checkpoint, case.number, keys)
        if why:
            return False, "", f"{signed}: {why}"
        if checkpoint.sequence > count:
            return (
                False,
                "",
                f"{signed} says the record had {checkpoint.sequence} events, but {count} are "
                "left (events were removed from the end)",
            )
        if hashes.get(checkpoint.sequence) != checkpoint.head:
            return (
                False,
                "",
                f"{signed} does not match the record: an event at or before #{checkpoint.sequence} "
                "was changed and the chain recomputed",
            )
    if not checkpoints:
        return False, UNANCHORED_NO_CHECKPOINT, ""
    last = checkpoints[-1]
    anchor = (
        f"anchored: event #{last.sequence} signed {last.signed_at:%Y-%m-%d %H:%M} "
        f"with key {last.key_id}"
    )
    if count > last.sequence:
        anchor += f"; {count - last.sequence} later event(s) not signed yet"
    return True, anchor, ""


def _signature_problem(letter) -> str:
    """Why the letter's PDF signature fails, or "" (cases.signing, against the
    configured certificate)."""
    with letter.file.open("rb") as f:
        result = signing.check(f.read())
    return result.problem


def _file_matches(field_file, sha256: str) -> bool:
    digest = hashlib.sha256()
    try:
        with field_file.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
    except FileNotFoundError:
        return False
    return digest.hexdigest() == sha256
