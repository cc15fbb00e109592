from django.contrib import admin

from members.models import (
    DuesInvoice,
    MembershipClass,
    Organization,
    Representative,
    RepresentativeChange,
    SecondFactorReset,
    StatusChange,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records are written by the services, which keep them consistent; the admin shows them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MembershipClass)
class MembershipClassAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class RepresentativeInline(admin.TabularInline):
    model = Representative
    extra = 0
    raw_id_fields = ["user"]


class DuesInline(admin.TabularInline):
    model = DuesInvoice
    extra = 0
    # Payments are recorded on the organization page, where a lapsed member is restored.
    readonly_fields = ["paid_on"]


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "changed_at", "changed_by", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


class RepresentativeChangeInline(admin.TabularInline):
    model = RepresentativeChange
    extra = 0
    can_delete = False
    fields = readonly_fields = ["at", "name", "action", "by", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "membership_class", "status", "status_since", "joined_on"]
    list_filter = ["status", "membership_class"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    # Status changes go through members.services so that history is written.
    readonly_fields = ["status", "status_since", "suspended_until", "readmission_bar_until"]
    inlines = [RepresentativeInline, DuesInline, StatusChangeInline, RepresentativeChangeInline]

    def save_formset(self, request, form, formset, change):
        # Representatives added or removed here are recorded as done by this admin user
        # (members.signals); the organization page is where a reason can be given.
        if formset.model is Representative:
            for inline_form in formset.forms:
                inline_form.instance._added_by = request.user
                inline_form.instance._removed_by = request.user
        super().save_formset(request, form, formset, change)


@admin.register(Representative)
class RepresentativeAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "is_primary"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__username", "user__email", "organization__name"]
    raw_id_fields = ["user", "organization"]

    def save_model(self, request, obj, form, change):
        obj._added_by = request.user
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        obj._removed_by = request.user
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # One by one, so that each removal is recorded as this admin user's.
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(DuesInvoice)
class DuesInvoiceAdmin(admin.ModelAdmin):
    list_display = ["organization", "year", "amount", "due_on", "paid_on"]
    list_filter = ["year"]
    list_select_related = ["organization"]
    search_fields = ["organization__name"]
    raw_id_fields = ["organization"]
    readonly_fields = ["paid_on"]


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["organization", "from_status", "to_status", "changed_at", "changed_by"]
    list_select_related = ["organization", "changed_by"]
    search_fields = ["organization__name"]


@admin.register(RepresentativeChange)
class RepresentativeChangeAdmin(ReadOnlyAdmin):
    list_display = ["organization", "name", "action", "at", "by"]
    list_select_related = ["organization", "by"]
    list_filter = ["action"]
    search_fields = ["organization__name", "name"]


@admin.register(SecondFactorReset)
class SecondFactorResetAdmin(ReadOnlyAdmin):
    """Made by ethics staff on /accounts/second-factor/reset/ (members.accounts)."""

    list_display = ["at", "user", "by", "devices_removed", "reason"]
    search_fields = ["user__username", "by__username", "reason"]
