"""The dossier: the whole case file as one streamed zip that verifies offline, with
no database, and fails when any file or event is altered."""

import hashlib
import io
import json
import subprocess
import sys
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from cases import dossier_verify
from cases.models import CaseEvent
from cases.services import dossier_export
from tests.factories.cases import fresh
from tests.factories.letters import decided_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(world, tmp_path):
    case = decided_case(world)
    name, stream = dossier_export(case=fresh(case), by=world.staff)
    path = tmp_path / name
    path.write_bytes(b"".join(stream))
    return case, path


def _rewrite(path, out, change):
    """A copy of the zip with one member changed by change(name, data) -> data."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info.filename)))
    return out


def test_the_dossier_holds_every_file_the_record_and_verifies_offline(dossier, tmp_path):
    case, path = dossier
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("manifest.json"))
        z.extract("verify.py", tmp_path)

    letters, evidence = case.letters.count(), case.evidence.count()
    assert sum(n.startswith("letters/") for n in names) == letters > 0
    assert sum(n.startswith(("evidence/", "attachments/")) for n in names) == evidence > 0
    assert {"record.jsonl", "manifest.json", "verify.py"} <= names
    assert manifest["record"]["head"] == fresh(case).record_head
    # The standard-library script, run on its own, with no Django.
    run = subprocess.run(
        [sys.executable, str(tmp_path / "verify.py"), str(path)],
        capture_output=True,
        text=True,
        env={},
    )
    assert run.returncode == 0, run.stdout
    call_command("verify_case_record", dossier=str(path), stdout=io.StringIO())


def test_the_export_is_in_the_record_it_exports(dossier):
    case, path = dossier
    last = CaseEvent.objects.filter(case=case).order_by("-sequence").first()
    assert last.kind == "dossier_exported"
    with zipfile.ZipFile(path) as z:
        lines = z.read("record.jsonl").decode().splitlines()
    assert json.loads(lines[-1])["kind"] == "dossier_exported"


def test_an_altered_file_fails(dossier, tmp_path):
    _, path = dossier
    bad = _rewrite(
        path, tmp_path / "bad.zip", lambda n, d: d + b"tampered" if n.startswith("letters/") else d
    )
    problems = dossier_verify.check(bad)
    assert any("does not match its SHA-256" in p for p in problems)
    with pytest.raises(CommandError, match="FAILED"):
        call_command("verify_case_record", dossier=str(bad), stdout=io.StringIO())


def test_an_altered_event_fails(dossier, tmp_path):
    _, path = dossier

    def change(name, data):
        if name != "record.jsonl":
            return data
        lines = data.decode().splitlines()
        event = json.loads(lines[2])
        event["payload"]["why"] = "rewritten"
        lines[2] = json.dumps(event)
        return ("\n".join(lines) + "\n").encode()

    problems = dossier_verify.check(_rewrite(path, tmp_path / "bad.zip", change))
    assert problems == ["event #3 does not match its hash (it was altered)"]


def test_a_file_swapped_with_a_matching_manifest_entry_still_fails(dossier, tmp_path):
    """Rewriting a letter and its manifest line is caught by the record's own hash."""
    _, path = dossier
    with zipfile.ZipFile(path) as z:
        manifest = json.loads(z.read("manifest.json"))
    letter = next(f for f in manifest["files"] if f["kind"] == "letter")
    forged = b"%PDF-1.7 forged"
    letter["sha256"] = hashlib.sha256(forged).hexdigest()

    def change(name, data):
        if name == letter["path"]:
            return forged
        if name == "manifest.json":
            return json.dumps(manifest).encode()
        return data

    problems = dossier_verify.check(_rewrite(path, tmp_path / "bad.zip", change))
    assert problems == [f"{letter['path']} is not the file the case record names"]


def test_only_staff_download_the_dossier_and_a_refusal_records_nothing(client, world):
    case = decided_case(world)
    url = reverse("cases:dossier_download", args=[case.number])
    events = CaseEvent.objects.filter(case=case).count()

    client.force_login(world.rep)
    assert client.post(url).status_code == 403
    assert CaseEvent.objects.filter(case=case).count() == events

    client.force_login(world.staff)
    response = client.post(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).testzip() is None


def test_an_anchored_dossier_carries_its_signed_checkpoint_and_a_rewritten_record_fails(
    world, tmp_path, settings
):
    from tests.record.test_checkpoints import make_key

    settings.PROBITY_RECORD_KEY_FILE = make_key(tmp_path)
    case = decided_case(world)
    name, stream = dossier_export(case=fresh(case), by=world.staff)
    path = tmp_path / name
    path.write_bytes(b"".join(stream))
    with zipfile.ZipFile(path) as z:
        checkpoint = json.loads(z.read("manifest.json"))["checkpoint"]
    assert checkpoint["head"] == fresh(case).record_head
    assert dossier_verify.check(path) == []

    # A forger rewrites an event, recomputes the chain and the manifest's head: the
    # chain is whole again, but it no longer reaches the head the association signed.
    def change(name, data):
        if name not in ("record.jsonl", "manifest.json"):
            return data
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["record"]["head"] = forged[-1]["hash"]
            return json.dumps(manifest).encode()
        return ("\n".join(json.dumps(e) for e in forged) + "\n").encode()

    with zipfile.ZipFile(path) as z:
        forged = [json.loads(line) for line in z.read("record.jsonl").decode().splitlines()]
    forged[1]["payload"]["why"] = "rewritten"
    previous = dossier_verify.GENESIS_HASH
    for event in forged:
        event["previous_hash"] = previous
        event["hash"] = previous = hashlib.sha256(dossier_verify.canonical(event)).hexdigest()

    problems = dossier_verify.check(_rewrite(path, tmp_path / "forged.zip", change))
    assert problems and "is not the head the association signed" in problems[0]
