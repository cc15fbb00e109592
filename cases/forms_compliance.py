"""The forms of the compliance panel on the case page (docs/decisions/0018): staff
record compliance or accept the representative's proof; the representative sends
proof. One form of each per fine, education or condition, each with its own prefix."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cases.forms import DATE, KeepsInput
from cases.selectors import compliance_for_page


class ComplianceRecordForm(KeepsInput, forms.Form):
    complied_on = forms.DateField(label=gettext_lazy("Paid or completed on"), widget=DATE)
    note = forms.CharField(
        label=gettext_lazy("Note (how it was checked)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ComplianceProofForm(KeepsInput, forms.Form):
    file = forms.FileField(label=gettext_lazy("Receipt or certificate (PDF or image)"))
    description = forms.CharField(
        label=gettext_lazy("What it shows"), required=False, max_length=500
    )


class ProofAcceptForm(KeepsInput, forms.Form):
    complied_on = forms.DateField(label=gettext_lazy("Paid or completed on"), widget=DATE)
    note = forms.CharField(label=gettext_lazy("Note"), required=False)


def record_key(sanction_id) -> str:
    return f"compliance_record_{sanction_id}"


def proof_key(sanction_id) -> str:
    return f"compliance_proof_{sanction_id}"


def accept_key(proof_id) -> str:
    return f"compliance_accept_{proof_id}"


def compliance_context(case, forms: dict, offered: dict) -> dict:
    """The panel's rows: each compliance sanction with its record, its proofs and the
    forms this user is offered for it (a refused form comes back bound, as typed)."""
    today = {"complied_on": timezone.localdate()}
    rows = []
    for compliance, proofs in compliance_for_page(case):
        sid = compliance.sanction_id
        open_ = compliance.outstanding
        row = {"compliance": compliance, "sanction": compliance.sanction, "proofs": []}
        if open_ and "record_compliance" in offered:
            row["record_form"] = forms.get(record_key(sid)) or ComplianceRecordForm(
                initial=today, prefix=record_key(sid)
            )
        if open_ and "upload_compliance_proof" in offered:
            row["proof_form"] = forms.get(proof_key(sid)) or ComplianceProofForm(
                prefix=proof_key(sid)
            )
        for proof in proofs:
            form = None
            if open_ and proof.accepted_at is None and "accept_compliance_proof" in offered:
                form = forms.get(accept_key(proof.pk)) or ProofAcceptForm(
                    initial={"complied_on": proof.uploaded_at.date()}, prefix=accept_key(proof.pk)
                )
            row["proofs"].append((proof, form))
        rows.append(row)
    return {"compliance_rows": rows}
