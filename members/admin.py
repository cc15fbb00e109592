from django.contrib import admin

from members.models import DuesInvoice, MembershipClass, Organization, Representative, StatusChange


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


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "membership_class", "status", "status_since", "joined_on"]
    list_filter = ["status", "membership_class"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    # Status changes go through members.services so that history is written.
    readonly_fields = ["status", "status_since", "suspended_until", "readmission_bar_until"]
    inlines = [RepresentativeInline, DuesInline, StatusChangeInline]


@admin.register(Representative)
class RepresentativeAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "is_primary"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__username", "user__email", "organization__name"]
    raw_id_fields = ["user", "organization"]


@admin.register(DuesInvoice)
class DuesInvoiceAdmin(admin.ModelAdmin):
    list_display = ["organization", "year", "amount", "due_on", "paid_on"]
    list_filter = ["year"]
    list_select_related = ["organization"]
    search_fields = ["organization__name"]
    raw_id_fields = ["organization"]
    readonly_fields = ["paid_on"]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["organization", "from_status", "to_status", "changed_at", "changed_by"]
    list_select_related = ["organization", "changed_by"]
    search_fields = ["organization__name"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
