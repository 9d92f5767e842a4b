from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Reminders as sent (read-only): who was told what about which due date, and what became of the e-mail."""

    list_display = ["created_at", "recipient", "kind", "event_key", "due_date", "email_status", "read_at"]
    list_filter = ["kind", "email_status"]
    search_fields = ["recipient__username", "recipient__email"]
    list_select_related = ["recipient"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
