import datetime
import hashlib
import io
import re
import secrets
import zipfile

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from actionplan.audit import action_label, client_ip

from .importing import parse_plan_table, preview_rows
from .models import (
    ActionStep,
    Assignment,
    AuditEvent,
    Component,
    Indicator,
    Membership,
    Plan,
    Profile,
    SubComponent,
    Target,
    Unit,
)
from .services import COUNT_LABELS, PlanImportError, plan_export_file, plan_import

User = get_user_model()


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [ProfileInline, MembershipInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "pemda", "city"]
    search_fields = ["name", "pemda"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role"]
    list_filter = ["role", "unit"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]


class ComponentInline(admin.TabularInline):
    model = Component
    extra = 0
    fields = ["order", "code", "name", "weight"]


# -- plan import (upload → preview = dry run → confirm) and export ------------------------------------------------

IMPORT_TMP_DIR = "import-tmp"          # under MEDIA_ROOT (default storage); files live until confirm or 1 day
IMPORT_TMP_MAX_AGE = datetime.timedelta(days=1)
IMPORT_MAX_BYTES = 10 * 1024 * 1024
IMPORT_SESSION_PREFIX = "plan_import:"
IMPORT_PREVIEW_PER_PAGE = 50           # action steps per page of the preview
REPLACE_LABEL = "Ganti rencana kerja yang ada"
REPLACE_HINT = (f"Centang \u201c{REPLACE_LABEL}\u201d di formulir impor untuk menggantinya; strukturnya dibangun "
                "ulang dari berkas ini.")
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class PlanImportForm(forms.Form):
    unit = forms.ModelChoiceField(label="Unit kerja", queryset=Unit.objects.order_by("name"))
    year = forms.IntegerField(label="Tahun", min_value=2000, max_value=2100)
    file = forms.FileField(label="Berkas rencana kerja",
                           help_text="Format .xlsx, .csv atau .tsv dengan kolom NO, KOMPONEN, INDIKATOR, LANGKAH AKSI, "
                                     "BUKTI FISIK, TARGET WAKTU (opsional PENANGGUNG JAWAB).")
    title = forms.CharField(label="Judul (opsional)", max_length=300, required=False,
                            help_text="Kosongkan untuk judul baku \u201cRencana Kerja Pembangunan Zona Integritas "
                                      "\u2026 Tahun \u2026\u201d.")
    replace = forms.BooleanField(
        label=REPLACE_LABEL, required=False,
        help_text="Bila unit ini sudah punya rencana kerja untuk tahun tersebut: komponen, indikator, langkah aksi "
                  "dan targetnya dihapus lalu dibangun ulang dari berkas ini (bobot komponen tetap). Ditolak bila "
                  "bukti fisik sudah diunggah untuk rencana yang ada.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(f"Berkas terlalu besar (maksimal {IMPORT_MAX_BYTES // (1024 * 1024)} MB).")
        return upload

    def clean(self):
        data = super().clean()
        unit, year = data.get("unit"), data.get("year")
        if unit and year and not data.get("replace") and Plan.objects.filter(unit=unit, year=year).exists():
            self.add_error("replace", f"Rencana kerja {unit.name} tahun {year} sudah ada. {REPLACE_HINT}")
        return data


def _tmp_name(token: str) -> str:
    return f"{IMPORT_TMP_DIR}/{token}.upload"


def _purge_stale_uploads() -> None:
    """Uploads whose preview was never confirmed are removed after a day."""
    try:
        _dirs, files = default_storage.listdir(IMPORT_TMP_DIR)
    except (FileNotFoundError, NotImplementedError):
        return
    cutoff = timezone.now() - IMPORT_TMP_MAX_AGE
    for name in files:
        try:
            if default_storage.get_modified_time(f"{IMPORT_TMP_DIR}/{name}") < cutoff:
                default_storage.delete(f"{IMPORT_TMP_DIR}/{name}")
        except (OSError, NotImplementedError):
            continue


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "unit", "year", "status"]
    list_filter = ["status", "year", "unit"]
    search_fields = ["title", "unit__name"]
    inlines = [ComponentInline]
    actions = ["export_xlsx"]

    def get_urls(self):
        urls = [
            path("impor/", self.admin_site.admin_view(self.import_view), name="actionplan_plan_import"),
            path("impor/konfirmasi/", self.admin_site.admin_view(self.import_confirm_view),
                 name="actionplan_plan_import_confirm"),
            # <path:…>: a token with a slash is answered by this view (404), not by the admin's catch-all redirect
            path("impor/pratinjau/<path:token>/", self.admin_site.admin_view(self.import_preview_view),
                 name="actionplan_plan_import_preview"),
        ]
        return urls + super().get_urls()

    def _check_import_permission(self, request) -> None:
        if not (self.has_add_permission(request) and self.has_change_permission(request)
                and self.has_delete_permission(request)):
            raise PermissionDenied

    def _render_import(self, request, template: str, context: dict) -> TemplateResponse:
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": "Impor rencana kerja", "count_labels": COUNT_LABELS, **context}
        return TemplateResponse(request, f"admin/actionplan/plan/{template}", context)

    def import_view(self, request):
        """Upload → dry run → preview. The file waits under MEDIA_ROOT/import-tmp for the confirmation."""
        self._check_import_permission(request)
        form = PlanImportForm(request.POST or None, request.FILES or None,
                              initial={"year": timezone.localdate().year})
        if request.method != "POST" or not form.is_valid():
            return self._render_import(request, "import_form.html", {"form": form})
        data = form.cleaned_data
        content = b"".join(data["file"].chunks())
        filename = data["file"].name
        try:
            result = plan_import(source=content, filename=filename, unit=data["unit"], year=data["year"],
                                 title=data["title"] or None, replace=data["replace"], dry_run=True)
        except PlanImportError as exc:
            return self._render_import(request, "import_preview.html", {
                "form_data": data, "filename": filename, "errors": exc.errors, "warnings": exc.warnings,
                "hint": REPLACE_HINT if exc.code == PlanImportError.PLAN_EXISTS else ""})
        _purge_stale_uploads()
        token = secrets.token_urlsafe(24)
        default_storage.save(_tmp_name(token), ContentFile(content))
        meta = {
            "unit": data["unit"].pk, "year": data["year"], "title": data["title"], "replace": data["replace"],
            "filename": filename, "sha256": hashlib.sha256(content).hexdigest(),
            "counts_display": [[COUNT_LABELS[k], v] for k, v in result.counts.items()],
        }
        request.session[IMPORT_SESSION_PREFIX + token] = meta
        return self._render_import(request, "import_preview.html", {
            "form_data": data, **self._preview_context(request, token, meta, content)})

    def import_preview_view(self, request, token):
        """A page of the preview of an upload waiting for confirmation (the stored file is read again)."""
        self._check_import_permission(request)
        if not _TOKEN_RE.match(token):
            raise Http404("Pratinjau impor tidak ditemukan.")
        found = self._waiting_upload(request, token)
        if found is None:
            return redirect("admin:actionplan_plan_import")
        meta, unit, content = found
        return self._render_import(request, "import_preview.html", {
            "form_data": {**meta, "unit": unit}, **self._preview_context(request, token, meta, content)})

    def _waiting_upload(self, request, token: str):
        """(meta, unit, bytes) of the session's upload under `token`, or None with the reason as a message."""
        key = IMPORT_SESSION_PREFIX + token
        meta = request.session.get(key) if _TOKEN_RE.match(token) else None
        if meta is None:
            messages.error(request, "Pratinjau impor tidak ditemukan atau sudah dipakai. Unggah berkasnya lagi.")
            return None
        name = _tmp_name(token)
        try:
            with default_storage.open(name, "rb") as fh:
                content = fh.read()
        except FileNotFoundError:
            request.session.pop(key, None)
            messages.error(request, "Berkas pratinjau sudah kedaluwarsa. Unggah berkasnya lagi.")
            return None
        unit = Unit.objects.filter(pk=meta["unit"]).first()
        if unit is None or hashlib.sha256(content).hexdigest() != meta["sha256"]:
            self._spend_preview(request, key, name)
            messages.error(request, "Berkas pratinjau tidak cocok lagi. Unggah berkasnya lagi.")
            return None
        return meta, unit, content

    @staticmethod
    def _preview_context(request, token: str, meta: dict, content: bytes) -> dict:
        """The rows the import will create, one page of them, with their remarks; and the plan it replaces."""
        table = parse_plan_table(content, filename=meta["filename"], plan_year=meta["year"])
        rows, others = preview_rows(table)
        existing = None
        if meta["replace"]:
            existing = (Plan.objects.filter(unit_id=meta["unit"], year=meta["year"])
                        .annotate(step_count=Count("components__subcomponents__indicators__steps")).first())
        return {"filename": meta["filename"], "token": token, "counts": meta["counts_display"],
                "page_obj": Paginator(rows, IMPORT_PREVIEW_PER_PAGE).get_page(request.GET.get("page")),
                "other_warnings": others, "warnings": table.warnings, "existing": existing,
                "preview_url": reverse("admin:actionplan_plan_import_preview", args=[token])}

    def import_confirm_view(self, request):
        self._check_import_permission(request)
        if request.method != "POST":
            return redirect("admin:actionplan_plan_import")
        token = request.POST.get("token", "")
        found = self._waiting_upload(request, token)
        if found is None:
            return redirect("admin:actionplan_plan_import")
        meta, unit, content = found
        key, name = IMPORT_SESSION_PREFIX + token, _tmp_name(token)
        # The preview is spent only when the import succeeded: after a refusal or a database failure (a deadlock
        # retried once and still lost, a connection gone) the same preview can be confirmed again.
        retry = {"form_data": {**meta, "unit": unit}, "filename": meta["filename"], "token": token,
                 "counts": meta.get("counts_display", [])}
        try:
            result = plan_import(source=content, filename=meta["filename"], unit=unit, year=meta["year"],
                                 title=meta["title"] or None, replace=meta["replace"], actor=request.user,
                                 ip=client_ip(request))
        except PlanImportError as exc:  # refused by a rule (e.g. evidence uploaded meanwhile): a new preview is needed
            self._spend_preview(request, key, name)
            return self._render_import(request, "import_preview.html", {
                **retry, "token": None, "errors": exc.errors, "warnings": exc.warnings,
                "hint": REPLACE_HINT if exc.code == PlanImportError.PLAN_EXISTS else ""})
        except DatabaseError as exc:
            messages.error(request, "Basis data sedang sibuk sehingga impor belum tersimpan (tidak ada yang "
                                    f"berubah: {type(exc).__name__}). Pratinjau masih berlaku; konfirmasi sekali lagi.")
            return self._render_import(request, "import_preview.html", {
                "form_data": retry["form_data"], **self._preview_context(request, token, meta, content)})
        self._spend_preview(request, key, name)
        counts = result.counts
        messages.success(request, (
            f"Rencana kerja {'diganti' if result.replaced else 'diimpor'}: {counts['components']} komponen, "
            f"{counts['subcomponents']} sub-komponen, {counts['indicators']} indikator, {counts['targets']} target, "
            f"{counts['review']} perlu ditinjau."))
        return redirect("admin:actionplan_plan_change", result.plan.pk)

    @staticmethod
    def _spend_preview(request, key: str, name: str) -> None:
        request.session.pop(key, None)
        default_storage.delete(name)

    @admin.action(description="Ekspor ke .xlsx")
    def export_xlsx(self, request, queryset):
        plans = list(queryset.select_related("unit"))
        if len(plans) == 1:
            filename, content, content_type = plan_export_file(plan=plans[0], file_format="xlsx")
            response = HttpResponse(content, content_type=content_type)
        else:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for plan in plans:
                    name, content, _type = plan_export_file(plan=plan, file_format="xlsx")
                    archive.writestr(name, content)
            filename = f"rencana-kerja-{timezone.localdate():%Y%m%d}.zip"
            response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class SubComponentInline(admin.TabularInline):
    model = SubComponent
    extra = 0


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "plan", "weight"]
    list_filter = ["plan"]
    inlines = [SubComponentInline]


class IndicatorInline(admin.StackedInline):
    model = Indicator
    extra = 0


@admin.register(SubComponent)
class SubComponentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "component"]
    list_filter = ["component__plan", "component__code"]
    search_fields = ["name"]
    inlines = [IndicatorInline]


class ActionStepInline(admin.StackedInline):
    model = ActionStep
    extra = 0
    fields = ["order", "description", "evidence_required", "target_text", "responsible_text", "review_reason"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["__str__", "subcomponent"]
    list_filter = ["subcomponent__component__plan", "subcomponent__component__code"]
    search_fields = ["text"]
    inlines = [ActionStepInline]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ["due_date", "year", "semester", "warning"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["assigned_by", "assigned_at"]


@admin.register(ActionStep)
class ActionStepAdmin(admin.ModelAdmin):
    list_display = ["__str__", "target_text", "needs_review"]
    list_filter = ["indicator__subcomponent__component__plan", "indicator__subcomponent__component__code"]
    search_fields = ["description", "evidence_required", "target_text"]
    inlines = [TargetInline, AssignmentInline]

    @admin.display(boolean=True, description="Perlu ditinjau")
    def needs_review(self, obj):
        return obj.needs_review


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["__str__", "due_date", "semester", "year", "warning"]
    list_filter = ["semester", "year", "step__indicator__subcomponent__component__plan"]
    date_hierarchy = "due_date"
    list_select_related = ["step"]


class AuditActionFilter(admin.SimpleListFilter):
    """The actions present in the trail, by their Indonesian names (actionplan.audit.ACTION_LABELS)."""

    title = "aksi"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        codes = model_admin.get_queryset(request).order_by("action").values_list("action", flat=True).distinct()
        return sorted(((code, action_label(code)) for code in codes), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only, not even an admin edits it."""

    list_display = ["at", "actor", "unit", "action_display", "summary", "ip"]
    list_filter = [AuditActionFilter, "unit"]
    list_select_related = ["actor", "unit"]
    fields = readonly_fields = ["at", "actor", "unit", "action_display", "summary", "object_type", "object_id",
                                "data", "ip"]
    search_fields = ["summary", "actor__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="aksi", ordering="action")
    def action_display(self, obj):
        return obj.action_label
