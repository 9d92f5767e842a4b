"""Admin: staff record a unit's predicate (Menuju WBK and since when); versions and assessments are read-only
here (answers change only through the pages, the worksheet import and the loader, all audited)."""
from django.contrib import admin

from .models import Assessment, LkeVersion, UnitStanding


@admin.register(UnitStanding)
class UnitStandingAdmin(admin.ModelAdmin):
    list_display = ["unit", "holds_wbk", "wbk_since", "zi_started"]
    list_filter = ["holds_wbk"]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LkeVersion)
class LkeVersionAdmin(ReadOnly):
    list_display = ["code", "name", "loaded_at"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnly):
    list_display = ["unit", "year", "version", "unit_status", "tpi_status"]
    list_filter = ["year", "unit_status", "tpi_status"]
