"""The compliance panel's posts (docs/decisions/0018): thin, like every case form;
the services in cases.services.compliance decide."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import selectors, services
from cases.forms_compliance import (
    ComplianceProofForm,
    ComplianceRecordForm,
    ProofAcceptForm,
    accept_key,
    proof_key,
    record_key,
)
from cases.views import _case_form


@login_required
@require_POST
def compliance_record(request, number, sanction_id):
    key = record_key(sanction_id)
    return _case_form(
        request,
        number,
        form_key=key,
        make_form=lambda case: ComplianceRecordForm(request.POST, prefix=key),
        call=lambda case, d: services.compliance_record(
            case=case,
            sanction_id=sanction_id,
            complied_on=d["complied_on"],
            note=d["note"],
            by=request.user,
        ),
        done=_("Compliance recorded; it is in the case record."),
    )


@login_required
@require_POST
def compliance_proof_upload(request, number, sanction_id):
    key = proof_key(sanction_id)
    return _case_form(
        request,
        number,
        form_key=key,
        staff_only=False,
        make_form=lambda case: ComplianceProofForm(request.POST, request.FILES, prefix=key),
        call=lambda case, d: services.compliance_proof_upload(
            case=case,
            sanction_id=sanction_id,
            file=d["file"],
            description=d["description"],
            by=request.user,
        ),
        done=_(
            "Your proof was received. The ethics staff will check it and record the compliance."
        ),
    )


@login_required
@require_POST
def compliance_proof_accept(request, number, proof_id):
    key = accept_key(proof_id)
    return _case_form(
        request,
        number,
        form_key=key,
        make_form=lambda case: ProofAcceptForm(request.POST, prefix=key),
        call=lambda case, d: services.compliance_proof_accept(
            case=case,
            proof_id=proof_id,
            complied_on=d["complied_on"],
            note=d["note"],
            by=request.user,
        ),
        done=_("Proof accepted; compliance recorded."),
    )


@login_required
def compliance_proof_download(request, number, proof_id):
    proof = selectors.proof_for_download(number=number, proof_id=proof_id, user=request.user)
    response = FileResponse(
        proof.file.open("rb"),
        as_attachment=True,
        filename=proof.original_filename,
        content_type=proof.content_type,
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response
