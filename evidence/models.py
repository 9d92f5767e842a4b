"""Bukti fisik: numbered revisions of a target's evidence, their files, review decisions and comments.

Nothing here is deleted by users: a revision is withdrawn (a recorded state), a decision is a row of its own, and
files stay on storage as long as their revision exists (`on_delete=PROTECT` all the way up to the target).
"""
import secrets
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actionplan.models import Role, Target


class RevisionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Menunggu review")
    ACCEPTED = "accepted", _("Diterima")
    REVISE = "revise", _("Perlu perbaikan")
    WITHDRAWN = "withdrawn", _("Ditarik")


@dataclass(frozen=True)
class Rule:
    """Who may move a revision from one status to another."""

    roles: frozenset
    own: bool | None  # True: only the submitter; False: anyone but the submitter; None: either
    note_required: bool = False


# The one table of allowed state changes. Services consult it; views and templates ask `allowed_transition`.
TRANSITIONS: dict[tuple[str, str], Rule] = {
    (RevisionStatus.SUBMITTED, RevisionStatus.ACCEPTED): Rule(frozenset({Role.KETUA}), own=False),
    (RevisionStatus.SUBMITTED, RevisionStatus.REVISE): Rule(frozenset({Role.KETUA}), own=False, note_required=True),
    (RevisionStatus.SUBMITTED, RevisionStatus.WITHDRAWN): Rule(frozenset({Role.ANGGOTA, Role.KETUA}), own=True),
}
# A new revision may follow when the latest one ended without acceptance (or there is none yet).
OPEN_FOR_UPLOAD = {None, RevisionStatus.REVISE, RevisionStatus.WITHDRAWN}
UPLOAD_ROLES = frozenset({Role.ANGGOTA, Role.KETUA})
COMMENT_ROLES = frozenset({Role.ANGGOTA, Role.KETUA})
# Berkas untuk TPI: the TPI who assess the unit, the Ketua Tim who hands the evidence over, and the Kepala Dinas,
# who signs the Monev reports resting on this evidence and answers for it to the assessors. Anggota Tim read the
# files of their own steps one by one; the whole unit's bundle is not their job.
BUNDLE_ROLES = frozenset({Role.TPI, Role.KETUA, Role.KEPALA})


def allowed_transition(*, revision: "Revision", to: str, user, role: str | None) -> Rule | None:
    rule = TRANSITIONS.get((revision.status, to))
    if rule is None or role not in rule.roles:
        return None
    is_own = revision.submitted_by_id == user.pk
    if rule.own is True and not is_own or rule.own is False and is_own:
        return None
    return rule


class Revision(models.Model):
    """One submission of bukti fisik for one target. A resubmission is a new revision with the next number."""

    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="revisions", verbose_name=_("target"))
    number = models.PositiveSmallIntegerField(_("revisi ke"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("diunggah oleh"))
    submitted_at = models.DateTimeField(_("diunggah"), default=timezone.now)
    description = models.TextField(_("keterangan"), max_length=2000)
    document_date = models.DateField(_("tanggal dokumen"))
    status = models.CharField(_("status"), max_length=10, choices=RevisionStatus.choices,
                              default=RevisionStatus.SUBMITTED, db_index=True)
    status_changed_at = models.DateTimeField(_("status berubah"), default=timezone.now)

    class Meta:
        verbose_name = _("revisi bukti fisik")
        verbose_name_plural = _("revisi bukti fisik")
        ordering = ["target", "number"]
        constraints = [
            models.UniqueConstraint(fields=["target", "number"], name="unique_revision_number"),
            # At most one revision of a target waits for review at a time.
            models.UniqueConstraint(fields=["target"], condition=models.Q(status="submitted"),
                                    name="one_pending_revision_per_target"),
            models.UniqueConstraint(fields=["target"], condition=models.Q(status="accepted"),
                                    name="one_accepted_revision_per_target"),
        ]

    def __str__(self):
        return f"Revisi {self.number} — {self.target}"


def evidence_upload_to(instance: "EvidenceFile", filename: str) -> str:
    """A random, unguessable path; the user's file name lives in the database, not on disk."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    token = secrets.token_hex(16)
    return f"bukti/{token[:2]}/{token}{suffix}"


class EvidenceFile(models.Model):
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="files", verbose_name=_("revisi"))
    file = models.FileField(_("berkas"), upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(_("nama berkas"), max_length=200)
    kind = models.CharField(_("jenis berkas"), max_length=10)
    content_type = models.CharField(_("tipe MIME"), max_length=120)
    size = models.PositiveBigIntegerField(_("ukuran"))
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField(_("diunggah"), default=timezone.now)

    class Meta:
        verbose_name = _("berkas bukti fisik")
        verbose_name_plural = _("berkas bukti fisik")
        ordering = ["revision", "id"]
        # The same file submitted before (evidence.selectors.earlier_copies) is looked up by its digest.
        indexes = [models.Index(fields=["sha256"], name="evidence_file_sha256")]

    def __str__(self):
        return self.original_name

    @property
    def inline(self) -> bool:
        """PDFs and images may open in the browser; Office files are downloaded."""
        return self.kind in {"pdf", "jpeg", "png"}


class ReviewDecision(models.Model):
    """The Ketua Tim's decision on one revision. One decision per revision; never edited."""

    class Decision(models.TextChoices):
        ACCEPT = "accept", _("Diterima")
        REVISE = "revise", _("Perlu perbaikan")

    revision = models.OneToOneField(Revision, on_delete=models.PROTECT, related_name="decision",
                                    verbose_name=_("revisi"))
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("peninjau"))
    decision = models.CharField(_("keputusan"), max_length=10, choices=Decision.choices)
    note = models.TextField(_("catatan"), blank=True, max_length=4000)
    decided_at = models.DateTimeField(_("waktu"), default=timezone.now)

    class Meta:
        verbose_name = _("keputusan review")
        verbose_name_plural = _("keputusan review")

    def __str__(self):
        return f"{self.get_decision_display()} — {self.revision}"


class Comment(models.Model):
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="comments", verbose_name=_("target"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("penulis"))
    body = models.TextField(_("komentar"), max_length=4000)
    created_at = models.DateTimeField(_("waktu"), default=timezone.now)

    class Meta:
        verbose_name = _("komentar")
        verbose_name_plural = _("komentar")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.body[:60]


def bundle_upload_to(instance: "EvidenceBundle", filename: str) -> str:
    token = secrets.token_hex(16)
    return f"berkas-tpi/{token[:2]}/{token}.zip"


class EvidenceBundle(models.Model):
    """Berkas untuk TPI: every accepted bukti fisik of a plan (or of one component) in one ZIP with an index,
    built by a Celery task (evidence.tasks.build_bundle) and kept with its SHA-256 for download."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Menunggu diproses")
        BUILDING = "building", _("Sedang disusun")
        READY = "ready", _("Siap diunduh")
        FAILED = "failed", _("Gagal")

    plan = models.ForeignKey("actionplan.Plan", on_delete=models.PROTECT, related_name="evidence_bundles",
                             verbose_name=_("rencana kerja"))
    # A code rather than a foreign key: the bundle is a record of what was asked, kept if a plan is re-imported.
    component_code = models.CharField(_("komponen"), max_length=4, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("diminta oleh"))
    requested_at = models.DateTimeField(_("diminta"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    started_at = models.DateTimeField(_("mulai disusun"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    file = models.FileField(_("berkas ZIP"), upload_to=bundle_upload_to, max_length=200, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("ukuran"), null=True, blank=True)
    file_count = models.PositiveIntegerField(_("jumlah berkas"), default=0)
    error = models.CharField(_("kesalahan"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("berkas untuk TPI")
        verbose_name_plural = _("berkas untuk TPI")
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"Berkas TPI {self.plan} {self.component_code or 'semua komponen'} ({self.get_status_display()})"

    @property
    def is_busy(self) -> bool:
        """Still queued or being built: the list page polls until it is not."""
        return self.status in (self.Status.QUEUED, self.Status.BUILDING)

    @property
    def download_name(self) -> str:
        part = f"komponen-{self.component_code}" if self.component_code else "semua-komponen"
        return f"berkas-tpi-{self.plan.year}-{part}-{self.pk}.zip"


class BundleDownload(models.Model):
    """One download of a bundle: who, when, from where."""

    bundle = models.ForeignKey(EvidenceBundle, on_delete=models.PROTECT, related_name="downloads",
                               verbose_name=_("berkas untuk TPI"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("pengguna"))
    at = models.DateTimeField(_("waktu"), default=timezone.now)
    ip = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("unduhan berkas TPI")
        verbose_name_plural = _("unduhan berkas TPI")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.user} — {self.bundle_id} — {self.at:%Y-%m-%d %H:%M}"
