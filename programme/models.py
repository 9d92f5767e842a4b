"""Pencanangan ZI (seed BAB II 2.1, Lampiran 1–2): the teams set by an SK, the plan's priority targets, the
unit's staff register with the Pakta Integritas signed per person and year, and the LHKPN/LHKASN filing status.

Nothing here is deleted by users: a new SK replaces the previous one (`replaced_by`, kept as history), a staff
member who left becomes inactive, and every write goes through `programme/services.py` with an audit record.
"""
import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from actionplan.models import ActionStep, Area, Plan, Unit, validate_nip


def document_upload_to(instance, filename: str) -> str:
    """A random, unguessable path; the user's file name is kept in the row, not on disk."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    token = secrets.token_hex(16)
    return f"program/{token[:2]}/{token}{suffix}"


class StoredDocument(models.Model):
    """A content-checked upload (evidence/validation.py): signed SK, Pakta scan. Abstract: the fields only."""

    file = models.FileField(_("berkas"), upload_to=document_upload_to, max_length=200, blank=True)
    file_name = models.CharField(_("nama berkas"), max_length=200, blank=True)
    file_kind = models.CharField(_("jenis berkas"), max_length=10, blank=True)
    file_type = models.CharField(_("tipe MIME"), max_length=120, blank=True)
    file_sha256 = models.CharField("SHA-256", max_length=64, blank=True)

    class Meta:
        abstract = True


class TeamKind(models.TextChoices):
    TIM_ZI = "tim_zi", _("Tim Kerja Zona Integritas")
    AGEN_PERUBAHAN = "agen", _("Agen Perubahan")
    OTHER = "lain", _("Tim lain")


class Team(StoredDocument):
    """One team as set by one SK (surat keputusan). The current SK of a (unit, kind, name) has no `replaced_by`."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="teams", verbose_name=_("unit kerja"))
    year = models.PositiveSmallIntegerField(_("tahun"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    kind = models.CharField(_("jenis tim"), max_length=10, choices=TeamKind.choices)
    name = models.CharField(_("nama tim"), max_length=200)
    sk_number = models.CharField(_("nomor SK"), max_length=100)
    sk_date = models.DateField(_("tanggal SK"))
    valid_from = models.DateField(_("berlaku mulai"))
    valid_until = models.DateField(_("berlaku sampai"), null=True, blank=True)
    replaced_by = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="replaces", verbose_name=_("diganti oleh"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("dibuat oleh"))
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("tim (SK)")
        verbose_name_plural = _("tim (SK)")
        ordering = ["unit", "kind", "-sk_date", "-id"]
        indexes = [models.Index(fields=["unit", "kind", "name"])]

    def __str__(self):
        return f"{self.name} — SK {self.sk_number}"

    @property
    def is_current(self) -> bool:
        return self.replaced_by_id is None


class TeamRole(models.TextChoices):
    PENGARAH = "pengarah", _("Pengarah")
    KETUA = "ketua", _("Ketua")
    SEKRETARIS = "sekretaris", _("Sekretaris")
    KOORDINATOR = "koordinator", _("Koordinator area")
    ANGGOTA = "anggota", _("Anggota")


class TeamMember(models.Model):
    """A person named in the SK: a portal user, or a name + NIP + jabatan for staff without an account. The
    name, NIP and jabatan are written into the row either way, as the SK prints them."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="members", verbose_name=_("tim"))
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="team_memberships", verbose_name=_("akun portal"))
    name = models.CharField(_("nama"), max_length=200)
    nip = models.CharField(_("NIP"), max_length=18, blank=True, validators=[validate_nip])
    position = models.CharField(_("jabatan"), max_length=200, blank=True)
    role = models.CharField(_("peran dalam tim"), max_length=12, choices=TeamRole.choices)
    component = models.CharField(_("area yang dikoordinasi"), max_length=4, choices=Area.choices, blank=True)

    class Meta:
        verbose_name = _("anggota tim")
        verbose_name_plural = _("anggota tim")
        ordering = ["team", "order", "id"]

    def __str__(self):
        return f"{self.name} — {self.get_role_display()}"

    @property
    def role_label(self) -> str:
        if self.role == TeamRole.KOORDINATOR and self.component:
            return f"{TeamRole.KOORDINATOR.label} {self.component} ({self.get_component_display()})"
        return self.get_role_display()


class PriorityTarget(models.Model):
    """One of the plan's ordered target prioritas (seed Lampiran 2), served by the action steps linked to it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="priority_targets",
                             verbose_name=_("rencana kerja"))
    number = models.PositiveSmallIntegerField(_("nomor"), validators=[MinValueValidator(1)])
    title = models.CharField(_("target prioritas"), max_length=500)
    steps = models.ManyToManyField(ActionStep, through="PriorityLink", related_name="priority_targets", blank=True,
                                   verbose_name=_("langkah aksi"))

    class Meta:
        verbose_name = _("target prioritas")
        verbose_name_plural = _("target prioritas")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="unique_priority_number")]

    def __str__(self):
        return f"{self.number}. {self.title}"


class PriorityLink(models.Model):
    priority = models.ForeignKey(PriorityTarget, on_delete=models.CASCADE, related_name="links",
                                 verbose_name=_("target prioritas"))
    step = models.ForeignKey(ActionStep, on_delete=models.CASCADE, related_name="priority_links",
                             verbose_name=_("langkah aksi"))

    class Meta:
        verbose_name = _("langkah aksi target prioritas")
        verbose_name_plural = _("langkah aksi target prioritas")
        constraints = [models.UniqueConstraint(fields=["priority", "step"], name="unique_priority_link")]

    def __str__(self):
        return f"{self.priority_id} → {self.step_id}"


class StaffMember(models.Model):
    """A person on the unit's staff list (with or without a portal account). Kept in sync by re-import: the NIP
    (or, for staff without one, the name) is the key; people missing from a new list become inactive."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="staff", verbose_name=_("unit kerja"))
    name = models.CharField(_("nama"), max_length=200)
    nip = models.CharField(_("NIP"), max_length=18, blank=True, validators=[validate_nip])
    position = models.CharField(_("jabatan"), max_length=200, blank=True)
    eselon = models.CharField(_("eselon"), max_length=20, blank=True)
    golongan = models.CharField(_("pangkat/golongan"), max_length=60, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="staff_records", verbose_name=_("akun portal"))
    is_active = models.BooleanField(_("aktif"), default=True)
    order = models.PositiveIntegerField(_("urutan"), default=0)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        verbose_name = _("pegawai")
        verbose_name_plural = _("pegawai")
        ordering = ["unit", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "nip"], condition=~models.Q(nip=""), name="unique_staff_nip"),
        ]
        indexes = [models.Index(fields=["unit", "is_active"])]

    def __str__(self):
        return self.name

    @property
    def is_leader(self) -> bool:
        """Pejabat struktural (an eselon): the seed asks that the leaders sign first."""
        return bool(self.eselon.strip())

    @property
    def nip_display(self) -> str:
        n = self.nip
        return f"{n[:8]} {n[8:14]} {n[14]} {n[15:]}" if len(n) == 18 else n


class PaktaBatch(StoredDocument):
    """A mass signing (penandatanganan massal/serentak), e.g. at an inauguration: one scan, one date, many people."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="pakta_batches", verbose_name=_("unit kerja"))
    year = models.PositiveSmallIntegerField(_("tahun"))
    signed_on = models.DateField(_("tanggal penandatanganan"))
    event = models.CharField(_("acara"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("dibuat oleh"))
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("penandatanganan massal pakta integritas")
        verbose_name_plural = _("penandatanganan massal pakta integritas")
        ordering = ["-signed_on", "-id"]

    def __str__(self):
        return f"{self.event} ({self.signed_on})"


class PaktaIntegritas(StoredDocument):
    """A signed Pakta Integritas of one person for one year. No row = not signed. The scan is the person's own
    or, for a mass signing, the batch's."""

    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="pakta", verbose_name=_("pegawai"))
    year = models.PositiveSmallIntegerField(_("tahun"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    signed_on = models.DateField(_("tanggal tanda tangan"))
    batch = models.ForeignKey(PaktaBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="records",
                              verbose_name=_("penandatanganan massal"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("dicatat oleh"))
    recorded_at = models.DateTimeField(_("dicatat"), auto_now_add=True)

    class Meta:
        verbose_name = _("pakta integritas")
        verbose_name_plural = _("pakta integritas")
        ordering = ["staff", "-year"]
        constraints = [models.UniqueConstraint(fields=["staff", "year"], name="one_pakta_per_person_year")]

    def __str__(self):
        return f"{self.staff} — {self.year}"


class AssetReportKind(models.TextChoices):
    LHKPN = "lhkpn", "LHKPN"
    LHKASN = "lhkasn", "LHKASN"


class AssetReport(models.Model):
    """LHKPN / LHKASN filing of one person for one year (the LKE asks for the share filed)."""

    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="asset_reports",
                              verbose_name=_("pegawai"))
    year = models.PositiveSmallIntegerField(_("tahun"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    kind = models.CharField(_("jenis"), max_length=6, choices=AssetReportKind.choices)
    must_file = models.BooleanField(_("wajib lapor"), default=True)
    filed_on = models.DateField(_("tanggal lapor"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("diubah oleh"))
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        verbose_name = _("LHKPN/LHKASN")
        verbose_name_plural = _("LHKPN/LHKASN")
        ordering = ["staff", "-year"]
        constraints = [models.UniqueConstraint(fields=["staff", "year"], name="one_asset_report_per_person_year")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.staff} {self.year}"


class PaktaNotice(models.Model):
    """One reminder about an unsigned Pakta Integritas, sent by the daily reminder sweep (notifications/reminders.py).
    The unique key (unit, year, period, recipient, kind) makes it once per period, exactly once: to a person
    who has not signed (`person`, when they have a portal account) and to the Ketua Tim (`ketua`, a list)."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Belum menandatangani")
        KETUA = "ketua", _("Daftar belum menandatangani")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit kerja"))
    year = models.PositiveSmallIntegerField(_("tahun"))
    period = models.CharField(_("periode (bulan)"), max_length=7)  # YYYY-MM: one reminder per calendar month
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("penerima"))
    kind = models.CharField(_("jenis"), max_length=6, choices=Kind.choices)
    unsigned_count = models.PositiveIntegerField(_("jumlah belum menandatangani"), default=0)
    run_id = models.UUIDField(_("ID proses"), db_index=True)
    created_at = models.DateTimeField(_("dibuat"))
    email_sent_at = models.DateTimeField(_("e-mail terkirim"), null=True, blank=True)
    email_error = models.TextField(_("galat terakhir"), blank=True)

    class Meta:
        verbose_name = _("pengingat pakta integritas")
        verbose_name_plural = _("pengingat pakta integritas")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["unit", "year", "period", "recipient", "kind"],
                                               name="unique_pakta_notice")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period} → {self.recipient_id}"
