"""The demo looks real: its evidence files are valid PDFs that a reader opens."""

import shutil
import subprocess

import pytest
from django.core.management import call_command

from cases.models import Evidence

pytestmark = [pytest.mark.django_db, pytest.mark.real_pdf]


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed")
@pytest.mark.real_pdf
def test_every_demo_evidence_pdf_is_a_valid_pdf(capsys):
    call_command("seed_demo")
    pdfs = list(Evidence.objects.filter(content_type="application/pdf"))

    assert len(pdfs) >= 5
    for evidence in pdfs:
        with evidence.file.open("rb") as f:
            body = f.read()
        path = evidence.file.path
        check = subprocess.run(["qpdf", "--check", path], capture_output=True, text=True)
        assert body.startswith(b"%PDF-") and check.returncode == 0, (evidence.title, check.stdout)
