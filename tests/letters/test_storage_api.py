"""Case files go through Django's storage API only, so an association running several
app servers can point the private storage at a shared object store by settings alone:
the letter and evidence paths, downloads, verification and the dossier all work on a
second storage class (Django's in-memory storage), and nothing is written to the
private folder."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.storage import InMemoryStorage
from django.urls import reverse

from cases import dossier_verify
from cases.models import Evidence, Letter, Letterhead
from cases.services import dossier_export, verify_case_record
from tests.factories.cases import fresh
from tests.factories.letters import decided_case

pytestmark = [pytest.mark.django_db, pytest.mark.real_pdf]  # the real renderer reads the logo too


@pytest.fixture
def object_store(monkeypatch):
    store = InMemoryStorage()
    for model, name in ((Evidence, "file"), (Letter, "file"), (Letterhead, "logo")):
        monkeypatch.setattr(model._meta.get_field(name), "storage", store)
    return store


def test_letters_and_evidence_work_on_another_storage_and_touch_no_folder(
    object_store, client, world, private_storage
):
    case = decided_case(world)

    letters, evidence = list(case.letters.all()), list(case.evidence.all())
    assert letters and evidence
    for row in [*letters, *evidence]:
        assert object_store.exists(row.file.name)
        with row.file.open("rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == row.sha256
    assert verify_case_record(fresh(case)).ok
    written = [str(p.relative_to(private_storage)) for p in private_storage.rglob("*") if p.is_file()]
    assert written == []

    client.force_login(world.staff)
    letter = letters[0]
    download = client.get(reverse("cases:letter_download", args=[case.number, letter.pk]))
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == letter.sha256

    _name, stream = dossier_export(case=fresh(case), by=world.staff)
    zip_bytes = b"".join(stream)
    assert dossier_verify.check(io.BytesIO(zip_bytes)) == []
    assert zipfile.ZipFile(io.BytesIO(zip_bytes)).testzip() is None
