from django.contrib import admin

from .models import Comment, EvidenceFile, ReviewDecision, Revision


class ReadOnlyAdmin(admin.ModelAdmin):
    """Evidence and decisions are changed only through the portal's services (which write the audit trail);
    the admin shows them read-only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EvidenceFileInline(admin.TabularInline):
    model = EvidenceFile
    extra = 0
    fields = ["original_name", "kind", "size", "sha256", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "number", "status", "submitted_by", "submitted_at", "document_date"]
    list_filter = ["status"]
    list_select_related = ["target__step", "submitted_by"]
    inlines = [EvidenceFileInline]


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(ReadOnlyAdmin):
    list_display = ["revision", "decision", "reviewer", "decided_at"]
    list_filter = ["decision"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["target", "author", "created_at", "body"]
