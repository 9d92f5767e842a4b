from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Kind, Notification


def kind_choices() -> list[tuple[str, str]]:
    """Every kind by its Indonesian name: the H-x reminders of the configured thresholds, then the rest."""
    before = [(Kind.before(days), f"H-{days}") for days in sorted(settings.REMINDER_DAYS_BEFORE, reverse=True)]
    return [*before, (Kind.OVERDUE, _("Terlambat")), (Kind.ESCALATION, _("Eskalasi")),
            *Kind.WORKFLOW_LABELS.items()]


class KindFilter(admin.SimpleListFilter):
    """`kind` is not a choices field (the thresholds come from settings): the filter names them itself."""

    title = _("jenis")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return kind_choices()

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Notifications as sent (read-only): who was told what, and what became of the e-mail."""

    list_display = ["created_at", "recipient", "kind_display", "event_key", "due_date", "email_status", "read_at"]
    list_filter = [KindFilter, "email_status"]
    search_fields = ["recipient__username", "recipient__email"]
    list_select_related = ["recipient"]
    # the kind by its name, also on the change page
    fields = readonly_fields = ["kind_display" if f.name == "kind" else f.name for f in Notification._meta.fields]

    @admin.display(description=_("jenis"), ordering="kind")
    def kind_display(self, obj):
        return obj.kind_label

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
