"""The ZI action plan (rencana kerja): units, people, and the BAB III tree.

Plan → Component (I–VI, weighted) → SubComponent (numbered rows) → Indicator → ActionStep (langkah aksi,
bukti fisik, raw target waktu) → Target (one due date, with its semester).
"""
import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


def validate_nip(value: str) -> None:
    """NIP (Nomor Induk Pegawai): 18 digits = birth date (YYYYMMDD), appointment (YYYYMM), sex (1/2), sequence."""
    if not value.isdigit() or len(value) != 18:
        raise ValidationError(_("NIP harus terdiri dari 18 angka."), code="nip_length")
    try:
        datetime.date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise ValidationError(_("8 angka pertama NIP harus tanggal lahir yang sah (TTTTBBHH)."),
                              code="nip_birth") from None
    if not 1 <= int(value[12:14]) <= 12:
        raise ValidationError(_("Angka ke-9 s/d 14 NIP harus tahun dan bulan pengangkatan (TTTTBB)."), code="nip_tmt")
    if value[14] not in "12":
        raise ValidationError(_("Angka ke-15 NIP (jenis kelamin) harus 1 atau 2."), code="nip_sex")


def normalize_nip(value: str) -> str:
    """'19660710 199203 1 007' as printed in letters → '196607101992031007'."""
    return "".join(value.split())


class Unit(models.Model):
    """Unit kerja: the office that builds its Zona Integritas. Its fields make the report letterhead."""

    name = models.CharField(_("nama unit kerja"), max_length=200, unique=True)
    pemda = models.CharField(_("instansi / pemerintah daerah"), max_length=200, blank=True)
    address = models.TextField(_("alamat"), blank=True)
    city = models.CharField(_("kota (untuk tempat surat)"), max_length=100, blank=True)
    logo = models.ImageField(_("logo"), upload_to="units/logos/", blank=True)

    class Meta:
        verbose_name = _("unit kerja")
        verbose_name_plural = _("unit kerja")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile",
                                verbose_name=_("pengguna"))
    nip = models.CharField(_("NIP"), max_length=18, blank=True, validators=[validate_nip])
    position = models.CharField(_("jabatan"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("profil pegawai")
        verbose_name_plural = _("profil pegawai")

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.username} ({self.nip or '-'})"

    def clean_fields(self, exclude=None):
        self.nip = normalize_nip(self.nip or "")  # before the 18-digit check, so printed NIPs are accepted
        super().clean_fields(exclude=exclude)

    @property
    def nip_display(self) -> str:
        """NIP grouped as on official letters: 19660710 199203 1 007."""
        n = self.nip
        return f"{n[:8]} {n[8:14]} {n[14]} {n[15:]}" if len(n) == 18 else n


class Role(models.TextChoices):
    ANGGOTA = "anggota", _("Anggota Tim ZI")
    KETUA = "ketua", _("Ketua Tim")
    KEPALA = "kepala", _("Kepala Dinas")
    TPI = "tpi", _("Tim Penilai Internal")


class Membership(models.Model):
    """A user's role in one unit. One role per unit; a user may belong to several units."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships",
                             verbose_name=_("pengguna"))
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("unit kerja"))
    role = models.CharField(_("peran"), max_length=10, choices=Role.choices)

    class Meta:
        verbose_name = _("keanggotaan")
        verbose_name_plural = _("keanggotaan")
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="one_role_per_unit")]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.unit}"


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        ACTIVE = "active", _("Berjalan")
        CLOSED = "closed", _("Ditutup")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="plans", verbose_name=_("unit kerja"))
    year = models.PositiveSmallIntegerField(_("tahun"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    title = models.CharField(_("judul"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("rencana kerja")
        verbose_name_plural = _("rencana kerja")
        ordering = ["-year", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="one_plan_per_unit_year")]

    def __str__(self):
        return self.title


class Area(models.TextChoices):
    """The six change areas of PermenPAN-RB 52/2014 and 90/2021, in the order of BAB III (codes I–VI)."""

    MANAJEMEN_PERUBAHAN = "I", _("Manajemen Perubahan")
    PENATAAN_TATALAKSANA = "II", _("Penataan Tatalaksana")
    PENATAAN_SDM = "III", _("Penataan Sistem Manajemen SDM")
    PENGUATAN_AKUNTABILITAS = "IV", _("Penguatan Akuntabilitas")
    PENGUATAN_PENGAWASAN = "V", _("Penguatan Pengawasan")
    PELAYANAN_PUBLIK = "VI", _("Peningkatan Kualitas Pelayanan Publik")


# Weights of the six komponen pengungkit per PermenPAN-RB 90/2021 (LKE): they add up to 60 of 100.
DEFAULT_WEIGHTS = {"I": Decimal("8"), "II": Decimal("7"), "III": Decimal("10"),
                   "IV": Decimal("10"), "V": Decimal("15"), "VI": Decimal("10")}
ROMAN = ["I", "II", "III", "IV", "V", "VI"]


class Component(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="components", verbose_name=_("rencana kerja"))
    code = models.CharField(_("kode"), max_length=4, choices=Area.choices)
    name = models.CharField(_("nama komponen"), max_length=200)
    weight = models.DecimalField(_("bobot"), max_digits=5, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("komponen")
        verbose_name_plural = _("komponen")
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="one_component_per_area")]

    def __str__(self):
        return f"{self.code}. {self.name}"


class SubComponent(models.Model):
    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="subcomponents",
                                  verbose_name=_("komponen"))
    number = models.PositiveSmallIntegerField(_("nomor"))
    name = models.CharField(_("nama sub-komponen"), max_length=300)

    class Meta:
        verbose_name = _("sub-komponen")
        verbose_name_plural = _("sub-komponen")
        ordering = ["component", "number"]
        constraints = [models.UniqueConstraint(fields=["component", "number"], name="unique_subcomponent_number")]

    def __str__(self):
        return f"{self.number} {self.name}"


class Indicator(models.Model):
    subcomponent = models.ForeignKey(SubComponent, on_delete=models.CASCADE, related_name="indicators",
                                     verbose_name=_("sub-komponen"))
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    # Blank is allowed: the seed has an action row without an indicator (kept, with a warning).
    text = models.TextField(_("indikator"), blank=True)

    class Meta:
        verbose_name = _("indikator")
        verbose_name_plural = _("indikator")
        ordering = ["subcomponent", "order"]

    def __str__(self):
        return self.text[:80] or str(_("(indikator tidak diisi)"))


class ActionStep(models.Model):
    """Langkah aksi of one indicator, with the bukti fisik it must produce and the raw target-waktu text."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="steps",
                                  verbose_name=_("indikator"))
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    description = models.TextField(_("langkah aksi"))
    evidence_required = models.TextField(_("bukti fisik"), blank=True)
    target_text = models.CharField(_("target waktu (teks asli)"), max_length=500, blank=True)
    responsible_text = models.CharField(_("penanggung jawab (teks impor)"), max_length=300, blank=True)
    responsible = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Assignment",
                                         through_fields=("step", "user"),
                                         related_name="assigned_steps", blank=True, verbose_name=_("penanggung jawab"))
    # What the target-date parser said about target_text, shown to people on the plan page.
    review_reason = models.CharField(_("perlu ditinjau karena"), max_length=300, blank=True)
    parse_warnings = models.JSONField(_("peringatan"), default=list, blank=True)
    parse_notes = models.JSONField(_("catatan"), default=list, blank=True)
    source_row = models.PositiveIntegerField(_("baris sumber"), null=True, blank=True)

    class Meta:
        verbose_name = _("langkah aksi")
        verbose_name_plural = _("langkah aksi")
        ordering = ["indicator", "order"]

    def __str__(self):
        return self.description[:80]

    @property
    def needs_review(self) -> bool:
        return bool(self.review_reason)


class Assignment(models.Model):
    """A person responsible (penanggung jawab) for an action step."""

    step = models.ForeignKey(ActionStep, on_delete=models.CASCADE, related_name="assignments",
                             verbose_name=_("langkah aksi"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments",
                             verbose_name=_("pengguna"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("ditugaskan oleh"))
    assigned_at = models.DateTimeField(_("waktu penugasan"), auto_now_add=True)

    class Meta:
        verbose_name = _("penanggung jawab")
        verbose_name_plural = _("penanggung jawab")
        constraints = [models.UniqueConstraint(fields=["step", "user"], name="unique_assignment")]

    def __str__(self):
        return f"{self.user} → {self.step}"


# -------------------------------------------------------------------------------------------------------------------
# Late, due soon, needs a date: one rule for every page, count and reminder (README "Late, due soon, needs a date")
# -------------------------------------------------------------------------------------------------------------------

SOON_DAYS = 14  # "what falls due soon": the home page, the navigation bar, Tugas saya
PLAN_OF_TARGET = "step__indicator__subcomponent__component__plan"
# Evidence statuses after which a target is no longer waiting for its people: accepted (done) or waiting for review.
SETTLED_STATUSES = ("accepted", "submitted")


def suspect_date_q(prefix: str = "", plan_year=None) -> models.Q:
    """Targets (reached through `prefix`, e.g. "target__") whose date lies outside their plan's year and that no
    person has confirmed: a probable typo of the source ("Feb-17" in a 2019 plan). Such a date is not counted late,
    due soon or reminded of until the Ketua Tim sets or confirms it; it needs a date. `plan_year` (a year or an
    expression) saves the join to the plan where the query already stands on it (Plan.objects…, F("year"))."""
    if plan_year is None:
        plan_year = models.F(f"{prefix}{PLAN_OF_TARGET}__year")
    return (models.Q(**{f"{prefix}due_date__isnull": False, f"{prefix}date_confirmed_at__isnull": True})
            & ~models.Q(**{f"{prefix}year": plan_year}))


def counts_on_its_date_q(prefix: str = "", plan_year=None) -> models.Q:
    """Targets whose due date counts: dated, and in the plan year or confirmed by a person."""
    return models.Q(**{f"{prefix}due_date__isnull": False}) & ~suspect_date_q(prefix, plan_year)


def open_q(prefix: str = "") -> models.Q:
    """Targets still waiting for their people: no evidence, or sent back (not accepted, not waiting for review)."""
    return ~models.Q(**{f"{prefix}evidence_status__in": SETTLED_STATUSES})


def overdue_q(today: datetime.date, prefix: str = "") -> models.Q:
    """Late on `today`: open, its date counts, and that date has passed."""
    return open_q(prefix) & counts_on_its_date_q(prefix) & models.Q(**{f"{prefix}due_date__lt": today})


def due_soon_q(today: datetime.date, prefix: str = "") -> models.Q:
    """Falls due within SOON_DAYS of `today` (today included): open, and its date counts."""
    return (open_q(prefix) & counts_on_its_date_q(prefix)
            & models.Q(**{f"{prefix}due_date__gte": today,
                          f"{prefix}due_date__lte": today + datetime.timedelta(days=SOON_DAYS)}))


def needs_date_q(prefix: str = "", plan_year=None) -> models.Q:
    """Needs a person to give or confirm its date: no date could be read, or a suspect date (whatever its
    evidence: the date is plan data, and the Monev report prints it)."""
    return models.Q(**{f"{prefix}due_date__isnull": True}) | suspect_date_q(prefix, plan_year)


def suspect_date_sql(t: str = "t", p: str = "p") -> str:
    """suspect_date_q as SQL over a target alias `t` joined to its plan alias `p` (the navigation bar's counts)."""
    return f"({t}.due_date IS NOT NULL AND {t}.date_confirmed_at IS NULL AND {t}.year <> {p}.year)"


def overdue_sql(t: str = "t", p: str = "p") -> str:
    """overdue_q as SQL; the parameter %(today)s is today."""
    return (f"({t}.evidence_status NOT IN {SETTLED_STATUSES!r} AND {t}.due_date IS NOT NULL "
            f"AND NOT {suspect_date_sql(t, p)} AND {t}.due_date < %(today)s)")


def due_soon_sql(t: str = "t", p: str = "p") -> str:
    """due_soon_q as SQL; the parameters %(today)s and %(soon)s are today and today + SOON_DAYS."""
    return (f"({t}.evidence_status NOT IN {SETTLED_STATUSES!r} AND {t}.due_date IS NOT NULL "
            f"AND NOT {suspect_date_sql(t, p)} AND {t}.due_date >= %(today)s AND {t}.due_date <= %(soon)s)")


def needs_date_sql(t: str = "t", p: str = "p") -> str:
    """needs_date_q as SQL."""
    return f"({t}.due_date IS NULL OR {suspect_date_sql(t, p)})"


class TargetQuerySet(models.QuerySet):
    def overdue(self, today: datetime.date):
        return self.filter(overdue_q(today))

    def due_soon(self, today: datetime.date):
        return self.filter(due_soon_q(today))

    def needs_date(self):
        return self.filter(needs_date_q())

    def counting_on_their_date(self):
        return self.filter(counts_on_its_date_q())


class Target(models.Model):
    """One due date of an action step. A step whose text gives no date gets one target with no date,
    marked for review, so it still shows up (and can still receive evidence) until a person decides."""

    step = models.ForeignKey(ActionStep, on_delete=models.CASCADE, related_name="targets",
                             verbose_name=_("langkah aksi"))
    due_date = models.DateField(_("jatuh tempo"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("tahun"), null=True, blank=True)
    semester = models.PositiveSmallIntegerField(_("semester"), null=True, blank=True,
                                                choices=[(1, "Semester I"), (2, "Semester II")])
    warning = models.CharField(_("peringatan"), max_length=300, blank=True)
    # Status of the latest evidence revision ("" = none yet). Kept by evidence.services in the transaction that
    # changes a revision, so progress pages compute statuses from this row alone instead of a subquery per target.
    evidence_status = models.CharField(_("status bukti fisik"), max_length=10, blank=True, default="",
                                       editable=False)
    # A person (the Ketua Tim) confirmed the due date; until then a date outside the plan year is a suspected typo
    # and counts as "perlu ditinjau" rather than overdue in another year.
    date_confirmed_at = models.DateTimeField(_("tanggal dikonfirmasi pada"), null=True, blank=True, editable=False)
    date_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                          editable=False, related_name="+", verbose_name=_("dikonfirmasi oleh"))

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("target")
        ordering = ["step", "due_date"]
        indexes = [models.Index(fields=["due_date"]), models.Index(fields=["evidence_status", "due_date"])]
        constraints = [
            models.UniqueConstraint(fields=["step", "due_date"], name="unique_target_date"),
            models.CheckConstraint(
                condition=models.Q(due_date__isnull=True, semester__isnull=True, year__isnull=True)
                | models.Q(due_date__isnull=False, semester__in=[1, 2], year__isnull=False),
                name="target_period_matches_date",
            ),
        ]

    def __str__(self):
        return f"{self.due_date or _('perlu ditinjau')} — {self.step}"

    @property
    def needs_review(self) -> bool:
        return self.due_date is None

    @property
    def period_label(self) -> str:
        if self.due_date is None:
            return str(_("Perlu ditinjau"))
        return f"Semester {'I' if self.semester == 1 else 'II'} {self.year}"

    def is_out_of_year(self, plan_year: int) -> bool:
        """A dated target outside the plan year that no person has confirmed yet (a suspected typo)."""
        return self.due_date is not None and self.year != plan_year and self.date_confirmed_at is None

    @classmethod
    def for_date(cls, step: ActionStep, due_date: datetime.date | None, warning: str = "") -> "Target":
        """A target whose period (year, semester) is derived from its date."""
        if due_date is None:
            return cls(step=step, warning=warning)
        return cls(step=step, due_date=due_date, year=due_date.year,
                   semester=1 if due_date.month <= 6 else 2, warning=warning)


class AuditEvent(models.Model):
    """Append-only record of who did what, when and from where. Written by services in their transaction."""

    at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("pelaku"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("unit kerja"))
    action = models.CharField(_("aksi"), max_length=50)
    object_type = models.CharField(_("jenis objek"), max_length=50, blank=True)
    object_id = models.CharField(_("ID objek"), max_length=50, blank=True)
    summary = models.CharField(_("ringkasan"), max_length=500, blank=True)
    data = models.JSONField(_("data tambahan"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("jejak audit")
        verbose_name_plural = _("jejak audit")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["unit", "id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action_label} {self.summary}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Audit events are append-only.")

    @property
    def action_label(self) -> str:
        from .audit_actions import action_label

        return action_label(self.action)
