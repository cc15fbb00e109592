from django import forms
from django.contrib import admin

from cases.models import (
    Allegation,
    Appeal,
    Ballot,
    BallotSeat,
    Case,
    CaseEvent,
    CodeOfEthics,
    Complainant,
    Delivery,
    Evidence,
    Finding,
    Letter,
    Letterhead,
    Principle,
    Procedure,
    Recusal,
    Reminder,
    Response,
    Sanction,
    Vote,
)
from cases.rendering import LOGO_TYPES
from members.admin import ReadOnlyAdmin  # case data changes only through the workflow


class PrincipleInline(admin.TabularInline):
    model = Principle
    extra = 1


@admin.register(CodeOfEthics)
class CodeOfEthicsAdmin(admin.ModelAdmin):
    list_display = ["title", "version", "adopted_on"]
    inlines = [PrincipleInline]


@admin.register(Principle)
class PrincipleAdmin(admin.ModelAdmin):
    """A principle cited by a case is read-only (Principle.clean says why)."""

    list_display = ["number", "title", "code", "effective_on"]
    list_filter = ["code"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.allegations.exists():
            return ["code", "number", "title", "text", "effective_on"]
        return []

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.allegations.exists()


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    """A version used by a case cannot be changed: "Save as new" adopts a new version."""

    list_display = [
        "version",
        "in_force_from",
        "response_window_days",
        "appeal_window_days",
        "quorum_rule",
        "violation_rule",
        "expulsion_rule",
    ]
    save_as = True

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.cases.exists():
            return [f.name for f in obj._meta.fields]
        return []


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "respondent", "state", "case_officer", "filed_at"]
    list_filter = ["state"]
    search_fields = ["number", "respondent__name"]
    list_select_related = ["respondent", "case_officer"]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ["case", "sequence", "kind", "from_state", "to_state", "actor", "at"]
    list_select_related = ["case", "actor"]
    search_fields = ["case__number", "kind"]


LOGO_MAX_BYTES = 2 * 1024 * 1024


class LetterheadForm(forms.ModelForm):
    class Meta:
        model = Letterhead
        fields = [
            "association_name",
            "address",
            "email",
            "website",
            "logo",
            "signatory_name",
            "signatory_title",
        ]

    def clean_logo(self):
        """Only what the letter renderer will embed: a PNG or JPEG of modest size. Any
        other image would be left out of every letter without a word."""
        logo = self.cleaned_data.get("logo")
        if not logo or not hasattr(logo, "read"):
            return logo
        if logo.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(
                f"The logo is {logo.size / 1024 / 1024:.1f} MB; the limit is "
                f"{LOGO_MAX_BYTES // 1024 // 1024} MB."
            )
        logo.seek(0)
        head = logo.read(16)
        logo.seek(0)
        if not any(head.startswith(magic) for magic in LOGO_TYPES):
            raise forms.ValidationError("The logo must be a PNG or JPEG image.")
        return logo


@admin.register(Letterhead)
class LetterheadAdmin(admin.ModelAdmin):
    """The newest letterhead is used for letters issued from now on; issued letters never change."""

    form = LetterheadForm
    list_display = ["association_name", "signatory_name", "updated_at"]


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "addressee", "version", "issued_at", "sha256"]
    list_select_related = ["case"]
    list_filter = ["kind"]


for model in (
    Complainant,
    Allegation,
    Evidence,
    Finding,
    Response,
    Ballot,
    BallotSeat,
    Vote,
    Recusal,
    Sanction,
    Appeal,
    Reminder,
    Delivery,
):
    admin.site.register(model, ReadOnlyAdmin)
