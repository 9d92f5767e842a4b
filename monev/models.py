"""Monitoring & evaluation: semester Monev reports (the notifications live in `notifications/`)."""
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# -------------------------------------------------------------------------------------------------------------------
# Semester Monev reports
# -------------------------------------------------------------------------------------------------------------------

def report_upload_to(instance, filename: str) -> str:
    """Unguessable storage path; the download view names the file for the user."""
    token = secrets.token_hex(16)
    return f"laporan/{token[:2]}/{token}.pdf"


class Report(models.Model):
    """One version of the semester Monev report of a plan. Signed versions are never changed: a correction is a
    new version that names the one it replaces."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SUBMITTED = "submitted", _("Diajukan ke Kepala Dinas")
        RETURNED = "returned", _("Dikembalikan untuk perbaikan")
        SIGNED = "signed", _("Disetujui dan ditandatangani")

    class RenderState(models.TextChoices):
        IDLE = "idle", _("Belum dibuat")
        QUEUED = "queued", _("Dalam antrean")
        RENDERING = "rendering", _("Sedang dibuat")
        READY = "ready", _("Siap")
        FAILED = "failed", _("Gagal")

    class RenderKind(models.TextChoices):
        DRAFT = "draft", _("Draf")
        FINAL = "final", _("Final (untuk ditandatangani)")

    plan = models.ForeignKey("actionplan.Plan", on_delete=models.PROTECT, related_name="reports",
                             verbose_name=_("rencana kerja"))
    semester = models.PositiveSmallIntegerField(_("semester"), choices=[(1, "Semester I"), (2, "Semester II")])
    version = models.PositiveSmallIntegerField(_("versi"), default=1)
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="replaced_by", verbose_name=_("menggantikan"))
    number = models.CharField(_("nomor laporan"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    conclusions = models.TextField(_("simpulan"), blank=True, max_length=20000)
    # Frozen at submission: what the report says, whatever is uploaded later.
    snapshot = models.JSONField(_("cuplikan data"), null=True, blank=True, editable=False)
    as_of = models.DateField(_("status per tanggal"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("dibuat oleh"))
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("diajukan oleh"))
    submitted_at = models.DateTimeField(_("diajukan"), null=True, blank=True)
    returned_note = models.TextField(_("catatan pengembalian"), blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("ditandatangani oleh"))
    signed_at = models.DateTimeField(_("ditandatangani"), null=True, blank=True)
    verification_code = models.CharField(_("kode verifikasi"), max_length=12, unique=True, null=True, blank=True)

    sign_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                          blank=True, related_name="+", verbose_name=_("tanda tangan diminta oleh"))
    render_state = models.CharField(_("status pembuatan PDF"), max_length=10, choices=RenderState.choices,
                                    default=RenderState.IDLE)
    # draft | final (render, then sign)
    render_kind = models.CharField(_("jenis PDF"), max_length=10, blank=True, choices=RenderKind.choices)
    render_error = models.TextField(_("galat pembuatan PDF"), blank=True)
    render_requested_at = models.DateTimeField(_("pembuatan PDF diminta"), null=True, blank=True)
    # The Celery task id that claimed the render. A message redelivered after its worker died (acks_late) has the
    # same id and may take the render over; any other delivery of a claimed render does nothing.
    render_claim = models.CharField(_("tugas pembuat PDF"), max_length=64, blank=True)
    pages = models.PositiveSmallIntegerField(_("jumlah halaman"), null=True, blank=True)
    draft_pdf = models.FileField(_("PDF draf"), upload_to=report_upload_to, blank=True, max_length=200)
    draft_sha256 = models.CharField(_("SHA-256 PDF draf"), max_length=64, blank=True)
    signed_pdf = models.FileField(_("PDF bertanda tangan"), upload_to=report_upload_to, blank=True, max_length=200)
    signed_sha256 = models.CharField(_("SHA-256 PDF bertanda tangan"), max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("laporan monev")
        verbose_name_plural = _("laporan monev")
        ordering = ["plan", "semester", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "semester", "version"], name="unique_report_version"),
            models.CheckConstraint(condition=models.Q(semester__in=[1, 2]), name="report_semester_1_or_2"),
        ]

    def __str__(self):
        return f"Laporan Monev {self.plan.unit} Semester {self.semester_roman} {self.plan.year} (v{self.version})"

    @property
    def semester_roman(self) -> str:
        return "I" if self.semester == 1 else "II"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class Recommendation(models.Model):
    """A follow-up recommendation (rekomendasi / tindak lanjut) the Ketua Tim writes in a report."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="recommendations",
                               verbose_name=_("laporan"))
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    text = models.TextField(_("rekomendasi"), max_length=4000)

    class Meta:
        ordering = ["report", "order", "id"]
        verbose_name = _("rekomendasi")
        verbose_name_plural = _("rekomendasi")

    def __str__(self):
        return self.text[:80]


class FollowUp(models.Model):
    """How far a recommendation of the previous semester was followed up, as stated in a later report."""

    class Status(models.TextChoices):
        NOT_STARTED = "belum", _("Belum ditindaklanjuti")
        IN_PROGRESS = "proses", _("Dalam proses")
        DONE = "selesai", _("Selesai")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="followups", verbose_name=_("laporan"))
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="followups",
                                       verbose_name=_("rekomendasi"))
    status = models.CharField(_("status tindak lanjut"), max_length=10, choices=Status.choices,
                              default=Status.NOT_STARTED)
    note = models.CharField(_("keterangan"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("tindak lanjut")
        verbose_name_plural = _("tindak lanjut")
        constraints = [models.UniqueConstraint(fields=["report", "recommendation"], name="one_followup_per_rec")]

    def __str__(self):
        return f"{self.get_status_display()}: {self.recommendation}"


class ReportDownload(models.Model):
    """Every download of a report file (who, when, from where, which file)."""

    class Kind(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SIGNED = "signed", _("Ditandatangani")

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="downloads", verbose_name=_("laporan"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("pengguna"))
    at = models.DateTimeField(_("waktu"), default=timezone.now)
    ip = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("unduhan laporan")
        verbose_name_plural = _("unduhan laporan")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class ReportReturnQuerySet(models.QuerySet):
    def of_semester(self, plan, semester: int):
        """Every return of every version of the plan's report for that semester, oldest first (one query)."""
        return (self.filter(report__plan=plan, report__semester=semester)
                .select_related("report", "returned_by", "answered_by").order_by("returned_at", "id"))


class ReportReturn(models.Model):
    """One return of a report by the Kepala Dinas with its note, and the Ketua Tim's answer given when the report
    was submitted again: the report page keeps them all as its history (`Report.returned_note` holds only the
    open one)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="returns", verbose_name=_("laporan"))
    note = models.TextField(_("catatan pengembalian"), max_length=4000)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
                                    verbose_name=_("dikembalikan oleh"))
    returned_at = models.DateTimeField(_("dikembalikan"), default=timezone.now)
    answer = models.TextField(_("tanggapan Ketua Tim"), blank=True, max_length=4000)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("diajukan ulang oleh"))
    answered_at = models.DateTimeField(_("diajukan ulang"), null=True, blank=True)

    objects = ReportReturnQuerySet.as_manager()

    class Meta:
        verbose_name = _("pengembalian laporan")
        verbose_name_plural = _("pengembalian laporan")
        ordering = ["returned_at", "id"]

    def __str__(self):
        return f"{self.report}: {self.note[:60]}"


class UnitCertificate(models.Model):
    """The unit's signing certificate (PKCS#12), uploaded by an admin, stored encrypted with a key derived from
    SECRET_KEY. Without one, the certificate from MONEV_SIGNING_P12_PATH is used."""

    unit = models.OneToOneField("actionplan.Unit", on_delete=models.CASCADE, related_name="certificate",
                                verbose_name=_("unit kerja"))
    p12_encrypted = models.BinaryField(_("sertifikat (terenkripsi)"), editable=False)
    passphrase_encrypted = models.BinaryField(_("kata sandi (terenkripsi)"), editable=False)
    subject = models.CharField(_("pemilik sertifikat"), max_length=300, blank=True)
    not_after = models.DateTimeField(_("berlaku sampai"), null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
                                    verbose_name=_("diunggah oleh"))
    uploaded_at = models.DateTimeField(_("diunggah"), default=timezone.now)

    class Meta:
        verbose_name = _("sertifikat tanda tangan unit")
        verbose_name_plural = _("sertifikat tanda tangan unit")

    def __str__(self):
        return f"{self.unit}: {self.subject}"
