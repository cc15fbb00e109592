"""A proof of compliance is a case file like evidence (docs/decisions/0018): in the
dossier, checked offline against the SHA-256 its event gave it, and re-hashed by
verify_case_record."""

import hashlib
import json
import zipfile

import pytest

from cases import dossier_verify
from cases.models import SanctionKind
from cases.services import compliance_proof_upload, dossier_export, verify_case_record
from tests.factories.cases import fresh, pdf
from tests.factories.compliance import compliance_of, fined_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def proof(world):
    case = fined_case(world)
    fine = compliance_of(case, SanctionKind.FINE)
    return compliance_proof_upload(
        case=fresh(case),
        sanction_id=fine.sanction_id,
        file=pdf("receipt.pdf", b"Bank transfer of EUR 500.00"),
        description="Receipt",
        by=world.rep,
    )


def test_the_proof_is_in_the_dossier_and_verifies_offline(world, proof, tmp_path):
    case = proof.compliance.sanction.case
    name, stream = dossier_export(case=fresh(case), by=world.staff)
    path = tmp_path / name
    path.write_bytes(b"".join(stream))
    with zipfile.ZipFile(path) as z:
        manifest = json.loads(z.read("manifest.json"))
    entry = next(f for f in manifest["files"] if f["kind"] == "proof")
    assert entry["sha256"] == proof.sha256 and entry["path"].startswith("compliance/")
    assert dossier_verify.check(path) == []

    forged = b"%PDF-1.7 a receipt for more"
    entry["sha256"] = hashlib.sha256(forged).hexdigest()
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == entry["path"]:
                data = forged
            elif info.filename == "manifest.json":
                data = json.dumps(manifest).encode()
            dst.writestr(info.filename, data)
    assert dossier_verify.check(bad) == [f"{entry['path']} is not the file the case record names"]


def test_a_stored_proof_changed_fails_the_record_check(proof):
    case = proof.compliance.sanction.case
    assert verify_case_record(fresh(case)).ok
    with proof.file.open("wb") as f:
        f.write(b"%PDF-1.7 replaced")
    check = verify_case_record(fresh(case))
    assert not check.ok and f"proof {proof.pk}" in check.problem
