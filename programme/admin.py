"""The programme's records in the admin, read-only: every change goes through the portal pages and their
services, which check the role and write the audit trail (teams, priority targets, the register)."""
from django.contrib import admin

from .models import AssetReport, PaktaBatch, PaktaIntegritas, PaktaNotice, PriorityTarget, StaffMember, Team, TeamMember


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    fields = ["order", "name", "nip", "position", "role", "component", "user"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Team)
class TeamAdmin(ReadOnly):
    list_display = ["name", "unit", "kind", "sk_number", "sk_date", "is_current"]
    list_filter = ["kind", "unit"]
    search_fields = ["name", "sk_number"]
    inlines = [TeamMemberInline]
    exclude = ["file"]
    readonly_fields = ["file_name", "file_sha256"]

    @admin.display(boolean=True, description="SK berlaku")
    def is_current(self, obj):
        return obj.is_current


@admin.register(PriorityTarget)
class PriorityTargetAdmin(ReadOnly):
    list_display = ["number", "title", "plan"]
    list_filter = ["plan"]


@admin.register(StaffMember)
class StaffMemberAdmin(ReadOnly):
    list_display = ["name", "nip", "position", "eselon", "unit", "is_active"]
    list_filter = ["unit", "is_active"]
    search_fields = ["name", "nip"]


@admin.register(PaktaIntegritas)
class PaktaAdmin(ReadOnly):
    list_display = ["staff", "year", "signed_on", "batch"]
    list_filter = ["year"]
    search_fields = ["staff__name", "staff__nip"]
    exclude = ["file"]


@admin.register(PaktaBatch)
class PaktaBatchAdmin(ReadOnly):
    list_display = ["event", "unit", "year", "signed_on"]
    exclude = ["file"]


@admin.register(AssetReport)
class AssetReportAdmin(ReadOnly):
    list_display = ["staff", "year", "kind", "must_file", "filed_on"]
    list_filter = ["year", "kind"]


@admin.register(PaktaNotice)
class PaktaNoticeAdmin(ReadOnly):
    list_display = ["recipient", "unit", "year", "period", "kind", "unsigned_count", "email_sent_at"]
