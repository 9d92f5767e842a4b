"""The Lembar Kerja Evaluasi (LKE) as versioned data, and the assessments made on it.

`LkeVersion` → `LkeNode` (komponen, bagian, area, subarea; a tree by `parent`) → `LkeQuestion` (with its
`LkeChoice` rows and, for percentages, its `LkeCount` rows) and `LkePredicate` → `LkeCriterion`. All of it is loaded
from `lke/data/*.json` (`lke.loading`); nothing in code names a question, a weight or a threshold.

`Assessment` (one per unit and year, on one version) holds two columns of `Answer` rows — the unit's
self-assessment and the TPI's — each with its value or counts, a note and `AnswerEvidence` links to accepted bukti
fisik of the plan or to an `LkeDocument` uploaded for the question.
"""
import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from actionplan.models import Indicator, Plan, Unit


class AnswerType(models.TextChoices):
    YA_TIDAK = "ya_tidak", _("Ya/Tidak")
    ABC = "abc", _("A/B/C")
    ABCD = "abcd", _("A/B/C/D")
    ABCDE = "abcde", _("A/B/C/D/E")
    PERCENT = "percent", _("Persentase")
    SURVEY = "survey", _("Nilai survei (0–4)")


class Column(models.TextChoices):
    UNIT = "unit", _("Penilaian mandiri unit")
    TPI = "tpi", _("Penilaian TPI")


class LkeVersion(models.Model):
    code = models.SlugField(_("kode"), max_length=60, unique=True)
    name = models.CharField(_("nama"), max_length=300)
    source = models.TextField(_("sumber"), blank=True)
    data_sha256 = models.CharField("SHA-256", max_length=64)
    loaded_at = models.DateTimeField(_("dimuat"), auto_now=True)

    class Meta:
        verbose_name = _("versi LKE")
        verbose_name_plural = _("versi LKE")
        ordering = ["-id"]

    def __str__(self):
        return self.name


class LkeArea(models.Model):
    """One of the six areas of change, with its whole weight (Pemenuhan + Reform)."""

    version = models.ForeignKey(LkeVersion, on_delete=models.CASCADE, related_name="areas", verbose_name=_("versi LKE"))
    number = models.PositiveSmallIntegerField(_("nomor"))
    name = models.CharField(_("nama"), max_length=200)
    weight = models.DecimalField(_("bobot"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("area LKE")
        verbose_name_plural = _("area LKE")
        ordering = ["version", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="lke_unique_area")]

    def __str__(self):
        return f"{self.number}. {self.name}"


class LkeNode(models.Model):
    class Kind(models.TextChoices):
        KOMPONEN = "komponen", _("Komponen")
        BAGIAN = "bagian", _("Bagian")
        AREA = "area", _("Area")
        SUBAREA = "subarea", _("Sub-area")

    version = models.ForeignKey(LkeVersion, on_delete=models.CASCADE, related_name="nodes", verbose_name=_("versi LKE"))
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children",
                               verbose_name=_("induk"))
    code = models.CharField(_("kode"), max_length=40)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("judul"), max_length=500)
    weight = models.DecimalField(_("bobot"), max_digits=6, decimal_places=2)
    area_number = models.PositiveSmallIntegerField(_("area"), null=True, blank=True)
    order = models.PositiveIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("bagian LKE")
        verbose_name_plural = _("bagian LKE")
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="lke_unique_node_code")]

    def __str__(self):
        return f"{self.code} {self.title}"


class LkeQuestion(models.Model):
    version = models.ForeignKey(LkeVersion, on_delete=models.CASCADE, related_name="questions",
                                verbose_name=_("versi LKE"))
    node = models.ForeignKey(LkeNode, on_delete=models.CASCADE, related_name="questions", verbose_name=_("bagian LKE"))
    code = models.CharField(_("kode"), max_length=40)
    text = models.TextField(_("pertanyaan"))
    explanation = models.TextField(_("penjelasan"), blank=True)
    answer_type = models.CharField(_("jenis jawaban"), max_length=10, choices=AnswerType.choices)
    weight = models.DecimalField(_("bobot"), max_digits=6, decimal_places=2, null=True, blank=True)
    formula = models.JSONField(_("rumus"), null=True, blank=True)
    order = models.PositiveIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("pertanyaan LKE")
        verbose_name_plural = _("pertanyaan LKE")
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="lke_unique_question_code")]

    def __str__(self):
        return f"{self.code} {self.text[:80]}"


class LkeChoice(models.Model):
    question = models.ForeignKey(LkeQuestion, on_delete=models.CASCADE, related_name="choices",
                                 verbose_name=_("pertanyaan"))
    key = models.CharField(_("pilihan"), max_length=10)
    text = models.TextField(_("uraian"), blank=True)
    value = models.DecimalField(_("nilai"), max_digits=4, decimal_places=2)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("pilihan jawaban LKE")
        verbose_name_plural = _("pilihan jawaban LKE")
        ordering = ["question", "order"]
        constraints = [models.UniqueConstraint(fields=["question", "key"], name="lke_unique_choice")]

    def __str__(self):
        return f"{self.key}. {self.text[:60]}"


class LkeCount(models.Model):
    """A count row of a percentage question (`A.II.5.iii.a.1` jumlah yang harus melaporkan …)."""

    question = models.ForeignKey(LkeQuestion, on_delete=models.CASCADE, related_name="counts",
                                 verbose_name=_("pertanyaan"))
    code = models.CharField(_("kode"), max_length=50)
    text = models.TextField(_("uraian"))
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("baris hitungan LKE")
        verbose_name_plural = _("baris hitungan LKE")
        ordering = ["question", "order"]
        constraints = [models.UniqueConstraint(fields=["question", "code"], name="lke_unique_count")]

    def __str__(self):
        return self.code


class LkePredicate(models.Model):
    version = models.ForeignKey(LkeVersion, on_delete=models.CASCADE, related_name="predicates",
                                verbose_name=_("versi LKE"))
    code = models.CharField(_("kode"), max_length=10)
    name = models.CharField(_("nama"), max_length=100)
    requires = models.CharField(_("syarat predikat"), max_length=10, blank=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("predikat LKE")
        verbose_name_plural = _("predikat LKE")
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="lke_unique_predicate")]

    def __str__(self):
        return self.name


class LkeCriterion(models.Model):
    predicate = models.ForeignKey(LkePredicate, on_delete=models.CASCADE, related_name="criteria",
                                  verbose_name=_("predikat"))
    code = models.CharField(_("kode"), max_length=20)
    label = models.CharField(_("kriteria"), max_length=200)
    node_code = models.CharField(_("simpul"), max_length=40, blank=True)  # "ROOT", a node/question code, or ""
    minimum = models.DecimalField(_("minimal"), max_digits=6, decimal_places=2, null=True, blank=True)
    min_share = models.DecimalField(_("minimal bagian bobot"), max_digits=4, decimal_places=2, null=True,
                                    blank=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("kriteria predikat LKE")
        verbose_name_plural = _("kriteria predikat LKE")
        ordering = ["predicate", "order"]

    def __str__(self):
        return f"{self.predicate_id}: {self.label}"


class UnitStanding(models.Model):
    """Whether the unit already holds Menuju WBK (and since when): WBBM is only predicted for one that does."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="lke_standing",
                                verbose_name=_("unit kerja"))
    holds_wbk = models.BooleanField(_("sudah berpredikat Menuju WBK"), default=False)
    wbk_since = models.DateField(_("sejak"), null=True, blank=True)
    zi_started = models.DateField(_("pembangunan ZI dimulai"), null=True, blank=True)

    class Meta:
        verbose_name = _("predikat unit")
        verbose_name_plural = _("predikat unit")

    def __str__(self):
        return f"{self.unit}: {'Menuju WBK' if self.holds_wbk else '-'}"

    def clean(self):
        if self.wbk_since and not self.holds_wbk:
            raise ValidationError({"wbk_since": _("Tanggal predikat hanya diisi bila unit sudah berpredikat WBK.")})


class Assessment(models.Model):
    """One LKE per unit and year, on the version it was made on, tied to that year's plan when there is one."""

    class UnitStatus(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SUBMITTED = "submitted", _("Diajukan")

    class TpiStatus(models.TextChoices):
        DRAFT = "draft", _("Draf")
        FINAL = "final", _("Final")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="lke_assessments",
                             verbose_name=_("unit kerja"))
    year = models.PositiveSmallIntegerField(_("tahun"))
    version = models.ForeignKey(LkeVersion, on_delete=models.PROTECT, related_name="assessments",
                                verbose_name=_("versi LKE"))
    plan = models.ForeignKey(Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="lke_assessments",
                             verbose_name=_("rencana kerja"))
    unit_status = models.CharField(_("status penilaian mandiri"), max_length=10, choices=UnitStatus.choices,
                                   default=UnitStatus.DRAFT)
    unit_submitted_at = models.DateTimeField(_("diajukan unit"), null=True, blank=True)
    unit_submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                          blank=True, related_name="+", verbose_name=_("diajukan oleh"))
    unit_snapshot = models.JSONField(_("cuplikan penilaian mandiri"), default=dict, blank=True)
    tpi_status = models.CharField(_("status penilaian TPI"), max_length=10, choices=TpiStatus.choices,
                                  default=TpiStatus.DRAFT)
    tpi_finalised_at = models.DateTimeField(_("difinalkan TPI"), null=True, blank=True)
    tpi_finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="+", verbose_name=_("difinalkan oleh"))
    tpi_snapshot = models.JSONField(_("cuplikan penilaian TPI"), default=dict, blank=True)
    # Bumped by every write to the assessment's answers: part of the cache key of its computed figures.
    revision = models.PositiveIntegerField(_("nomor perubahan"), default=0)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("penilaian LKE")
        verbose_name_plural = _("penilaian LKE")
        ordering = ["-year", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="lke_one_assessment_per_unit_year")]

    def __str__(self):
        return f"LKE {self.year} — {self.unit}"


class Answer(models.Model):
    """One column's answer to one question: a choice key, a survey value, a typed percentage, or counts."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Usulan anggota")
        SET = "set", _("Ditetapkan")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers",
                                   verbose_name=_("penilaian"))
    question = models.ForeignKey(LkeQuestion, on_delete=models.PROTECT, related_name="+", verbose_name=_("pertanyaan"))
    column = models.CharField(_("kolom"), max_length=4, choices=Column.choices)
    choice = models.CharField(_("pilihan"), max_length=10, blank=True)
    value = models.DecimalField(_("nilai"), max_digits=7, decimal_places=2, null=True, blank=True)
    counts = models.JSONField(_("jumlah"), default=dict, blank=True)
    note = models.TextField(_("catatan / penjelasan"), blank=True, max_length=4000)
    state = models.CharField(_("status jawaban"), max_length=10, choices=State.choices, default=State.SET)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("diubah oleh"))
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        verbose_name = _("jawaban LKE")
        verbose_name_plural = _("jawaban LKE")
        constraints = [models.UniqueConstraint(fields=["assessment", "question", "column"],
                                               name="lke_one_answer_per_column")]

    def __str__(self):
        return f"{self.column} {self.question_id}: {self.choice or self.value or self.counts}"

    def as_dict(self) -> dict:
        """What the audit trail records as the previous / new value."""
        return {"choice": self.choice, "value": None if self.value is None else str(self.value),
                "counts": self.counts, "note": self.note}


def lke_upload_to(instance: "LkeDocument", filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    token = secrets.token_hex(16)
    return f"lke/{token[:2]}/{token}{suffix}"


class LkeDocument(models.Model):
    """A document uploaded for one question of one assessment (checked by content like every bukti fisik)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="documents",
                                   verbose_name=_("penilaian"))
    question = models.ForeignKey(LkeQuestion, on_delete=models.PROTECT, related_name="+", verbose_name=_("pertanyaan"))
    file = models.FileField(_("berkas"), upload_to=lke_upload_to, max_length=200)
    original_name = models.CharField(_("nama berkas"), max_length=200)
    description = models.CharField(_("keterangan"), max_length=500, blank=True)
    kind = models.CharField(_("jenis berkas"), max_length=10)
    content_type = models.CharField(_("tipe MIME"), max_length=120)
    size = models.PositiveBigIntegerField(_("ukuran"))
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("diunggah oleh"))
    uploaded_at = models.DateTimeField(_("diunggah"), auto_now_add=True)

    class Meta:
        verbose_name = _("dokumen LKE")
        verbose_name_plural = _("dokumen LKE")
        ordering = ["assessment", "id"]

    def __str__(self):
        return self.original_name

    @property
    def inline(self) -> bool:
        return self.kind in {"pdf", "jpeg", "png"}


class AnswerEvidence(models.Model):
    """A link from an answer to its evidence: an accepted bukti fisik revision of the plan, or an LKE document."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("jawaban"))
    revision = models.ForeignKey("evidence.Revision", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("revisi bukti fisik"))
    document = models.ForeignKey(LkeDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("dokumen LKE"))
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("ditautkan oleh"))
    linked_at = models.DateTimeField(_("ditautkan"), auto_now_add=True)

    class Meta:
        verbose_name = _("bukti jawaban LKE")
        verbose_name_plural = _("bukti jawaban LKE")
        constraints = [
            models.CheckConstraint(condition=models.Q(revision__isnull=False, document__isnull=True)
                                   | models.Q(revision__isnull=True, document__isnull=False),
                                   name="lke_evidence_one_source"),
            models.UniqueConstraint(fields=["answer", "revision"], name="lke_unique_revision_link"),
            models.UniqueConstraint(fields=["answer", "document"], name="lke_unique_document_link"),
        ]

    def __str__(self):
        return f"bukti {self.revision_id or self.document_id} → jawaban {self.answer_id}"


class EligibilityStatus(models.TextChoices):
    MET = "met", _("Terpenuhi")
    NOT_MET = "not_met", _("Tidak terpenuhi")
    UNKNOWN = "unknown", _("Belum diketahui")


# Lampiran II Tabel 5 of PermenPAN-RB 90/2021 as 5/2024 restates it: required to be proposed, not scored in the LKE.
ELIGIBILITY_ITEMS = [
    ("bpk_opinion", _("Opini BPK minimal WTP (tingkat instansi)")),
    ("sakip", _("Predikat SAKIP instansi minimal B (WBK) / BB (WBBM)")),
    ("spip", _("Level maturitas SPIP minimal level 3")),
    ("audit_followup", _("Tindak lanjut hasil pengawasan/pemeriksaan APIP/BPK 100%")),
    ("lhkpn_lhkasn", _("Kepatuhan penyampaian LHKPN dan LHKASN 100%")),
    ("zi_one_year", _("Pembangunan ZI sudah berjalan minimal satu tahun")),
    ("sakip_internal", _("Predikat SAKIP unit dari evaluasi internal minimal B (WBK) / BB (WBBM)")),
    ("core_service", _("Unit merupakan core layanan instansinya")),
]


class Eligibility(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="eligibility",
                                   verbose_name=_("penilaian"))
    item = models.CharField(_("syarat"), max_length=20, choices=ELIGIBILITY_ITEMS)
    status = models.CharField(_("status"), max_length=10, choices=EligibilityStatus.choices,
                              default=EligibilityStatus.UNKNOWN)
    note = models.CharField(_("keterangan"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("syarat pengusulan")
        verbose_name_plural = _("syarat pengusulan")
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="lke_unique_eligibility")]

    def __str__(self):
        return f"{self.item}: {self.status}"


class QuestionLink(models.Model):
    """The plan ↔ LKE mapping: an indicator of the plan serves a question. Proposed from names, corrected by hand."""

    class Source(models.TextChoices):
        AUTO = "auto", _("Usulan otomatis")
        MANUAL = "manual", _("Ditetapkan Ketua Tim")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="lke_links",
                                  verbose_name=_("indikator"))
    question_code = models.CharField(_("kode pertanyaan"), max_length=40)
    source = models.CharField(_("sumber"), max_length=10, choices=Source.choices, default=Source.AUTO)

    class Meta:
        verbose_name = _("tautan indikator ke pertanyaan LKE")
        verbose_name_plural = _("tautan indikator ke pertanyaan LKE")
        constraints = [models.UniqueConstraint(fields=["indicator", "question_code"], name="lke_unique_link")]

    def __str__(self):
        return f"{self.indicator_id} → {self.question_code}"
