"""Read-only: the Kepala Dinas or Ketua Tim switch the page on in the portal (audited, cache dropped)."""
from django.contrib import admin

from programme.admin import ReadOnly

from .models import PublicPage, PublishedReport


@admin.register(PublicPage)
class PublicPageAdmin(ReadOnly):
    list_display = ["slug", "unit", "enabled", "changed_at"]


@admin.register(PublishedReport)
class PublishedReportAdmin(ReadOnly):
    list_display = ["report", "pdf_public", "changed_at"]
