from django import forms
from django.contrib import admin
from django.utils import timezone

from .models import Report, ReportDownload, ReportReturn, UnitCertificate

RETURN_FIELDS = ["report", "returned_at", "returned_by", "note", "answered_at", "answered_by", "answer"]


class ReportReturnInline(admin.TabularInline):
    """The report's history of returns and answers, as on the report page."""

    model = ReportReturn
    fields = readonly_fields = RETURN_FIELDS[1:]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Reports change only through the workflow (which writes the audit trail); the admin shows them."""

    list_display = ["__str__", "status", "render_state", "submitted_at", "signed_at", "verification_code"]
    list_filter = ["status", "semester", "plan__year"]
    list_select_related = ["plan__unit"]
    readonly_fields = [f.name for f in Report._meta.fields]
    inlines = [ReportReturnInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportDownload)
class ReportDownloadAdmin(admin.ModelAdmin):
    list_display = ["report", "user", "kind", "at", "ip"]
    list_filter = ["kind"]
    list_select_related = ["report__plan__unit", "user"]
    readonly_fields = ["report", "user", "kind", "at", "ip", "sha256"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportReturn)
class ReportReturnAdmin(admin.ModelAdmin):
    """Every return note of the Kepala Dinas with the Ketua Tim's answer (read-only: written by the workflow)."""

    list_display = ["report", "returned_at", "returned_by", "short_note", "answered_at"]
    list_filter = ["report__plan__year", "report__semester"]
    list_select_related = ["report__plan__unit", "returned_by"]
    search_fields = ["note", "answer", "report__plan__unit__name"]
    fields = readonly_fields = RETURN_FIELDS

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="catatan pengembalian")
    def short_note(self, obj):
        return obj.note[:120]


class UnitCertificateForm(forms.ModelForm):
    p12_file = forms.FileField(label="Berkas sertifikat (PKCS#12, .p12/.pfx)")
    passphrase = forms.CharField(label="Kata sandi sertifikat", widget=forms.PasswordInput, required=False)

    class Meta:
        model = UnitCertificate
        fields = ["unit"]

    def clean(self):
        from .signing import SigningError, load_certificate

        data = super().clean()
        upload = data.get("p12_file")
        if upload is None:
            return data
        if upload.size > 1024 * 1024:
            raise forms.ValidationError("Berkas sertifikat terlalu besar (maks. 1 MB).")
        self._p12 = upload.read()
        try:
            self._info = load_certificate(p12=self._p12, passphrase=data.get("passphrase") or None)
        except SigningError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data

    def save(self, commit=True):
        from .signing import encrypt_secret

        cert = super().save(commit=False)
        cert.p12_encrypted = encrypt_secret(self._p12)
        cert.passphrase_encrypted = encrypt_secret((self.cleaned_data.get("passphrase") or "").encode())
        cert.subject = f"{self._info.name} ({self._info.organisation})"
        cert.not_after = self._info.not_after
        cert.uploaded_at = timezone.now()
        if commit:
            cert.save()
        return cert


@admin.register(UnitCertificate)
class UnitCertificateAdmin(admin.ModelAdmin):
    """Upload a unit's signing certificate: checked (passphrase, validity, key usage) and stored encrypted."""

    form = UnitCertificateForm
    list_display = ["unit", "subject", "not_after", "uploaded_by", "uploaded_at"]
    readonly_fields = ["subject", "not_after", "uploaded_by", "uploaded_at"]

    def save_model(self, request, obj, form, change):
        obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
