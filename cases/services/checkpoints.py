"""Signed checkpoints of the case record: the anchor outside the database
(docs/decisions/0011).

The hash chain (cases.services.record) shows that no event was changed by accident,
but it has no secret: whoever can write to the database can change an event and
recompute the chain and the head. A checkpoint is the record's head (how many
events, and the hash of the last) signed with the association's Ed25519 record key,
which lives in a file named by PROBITY_RECORD_KEY_FILE and never in the database.
Its public key is published outside Probity (the annual report, the website), so
anyone holding a letter can check the checkpoint printed in it, and
`verify_case_record` detects a recomputed chain or a truncated end.

Without a key configured nothing is signed and the record is reported "unanchored".
This module is the bottom of the services kernel: it reads and writes only
checkpoints.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from cases.models import Case, RecordCheckpoint


def public_key_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(
        encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw
    )


def key_id_of(public_key: Ed25519PublicKey) -> str:
    """How a checkpoint names its key: the first 16 hex digits of the SHA-256 of the
    raw 32-byte public key (printed by `manage.py record_key`)."""
    return hashlib.sha256(public_key_bytes(public_key)).hexdigest()[:16]


def public_key_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PublicFormat.SubjectPublicKeyInfo,
    ).decode()


@lru_cache(maxsize=8)
def _load_private(path: str, mtime_ns: int) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            f"PROBITY_RECORD_KEY_FILE={path}: cannot read an unencrypted PEM Ed25519 "
            f"private key ({exc}). Make one with `manage.py record_key --generate PATH`."
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"PROBITY_RECORD_KEY_FILE={path} is not an Ed25519 key.")
    return key


@lru_cache(maxsize=8)
def _load_public(path: str, mtime_ns: int) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            f"PROBITY_RECORD_PUBLIC_KEY_FILE={path}: cannot read a PEM Ed25519 public key ({exc})."
        ) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ImproperlyConfigured(f"PROBITY_RECORD_PUBLIC_KEY_FILE={path} is not an Ed25519 key.")
    return key


def _mtime(path: str) -> int:
    try:
        return Path(path).stat().st_mtime_ns
    except OSError:
        return -1  # reported by the loader with the path


def signing_key() -> Ed25519PrivateKey | None:
    """The record key from PROBITY_RECORD_KEY_FILE, or None when none is configured.
    A file that is named but unreadable is an error, never a silent "unanchored"."""
    path = getattr(settings, "PROBITY_RECORD_KEY_FILE", "")
    if not path:
        return None
    return _load_private(str(path), _mtime(str(path)))


def verifying_keys() -> dict[str, Ed25519PublicKey]:
    """{key id: public key}: the record key's public half, and the public key in
    PROBITY_RECORD_PUBLIC_KEY_FILE (for a verifier without the private key, or the
    public key of a key that was replaced)."""
    keys = {}
    private = signing_key()
    if private is not None:
        public = private.public_key()
        keys[key_id_of(public)] = public
    path = getattr(settings, "PROBITY_RECORD_PUBLIC_KEY_FILE", "")
    if path:
        public = _load_public(str(path), _mtime(str(path)))
        keys[key_id_of(public)] = public
    return keys


def sign_checkpoint(case: Case) -> RecordCheckpoint | None:
    """Sign the case record's head as it is now, if a key is configured and the head
    is not signed yet with it. The caller holds the case lock (the head read from the
    row cannot move meanwhile). Returns the new checkpoint, or None."""
    key = signing_key()
    if key is None:
        return None
    sequence, head = (
        Case.objects.filter(pk=case.pk).values_list("record_length", "record_head").get()
    )
    if not sequence:
        return None
    key_id = key_id_of(key.public_key())
    if RecordCheckpoint.objects.filter(case_id=case.pk, sequence=sequence, key_id=key_id).exists():
        return None
    checkpoint = RecordCheckpoint(
        case_id=case.pk,
        sequence=sequence,
        head=head,
        signed_at=timezone.now(),
        key_id=key_id,
    )
    checkpoint.signature = key.sign(checkpoint.signed_content(case.number)).hex()
    checkpoint.save()
    return checkpoint


def latest_checkpoint(case: Case) -> RecordCheckpoint | None:
    return RecordCheckpoint.objects.filter(case_id=case.pk).order_by("-sequence", "-pk").first()


@dataclass(frozen=True)
class CheckpointProblem:
    checkpoint: RecordCheckpoint
    problem: str


def signature_problem(
    checkpoint: RecordCheckpoint, case_number: str, keys: dict[str, Ed25519PublicKey]
) -> str:
    """ "" if the checkpoint's signature verifies under the key it names; else why not."""
    key = keys.get(checkpoint.key_id)
    if key is None:
        return f"it is signed by key {checkpoint.key_id}, which is not a configured record key"
    try:
        key.verify(bytes.fromhex(checkpoint.signature), checkpoint.signed_content(case_number))
    except (InvalidSignature, ValueError):
        return "its signature does not verify (it was forged or altered)"
    return ""
