"""Fuzz: malformed input to every POST form of the portal and to the plan import; exports neutralise formulas.

Every endpoint that accepts POST is a row of FUZZ_TABLE: who posts, its URL, the rules of its fields and a valid
body. From that row a deterministic set of payloads is built (random bytes as values and as files, 1 MB strings,
NUL and control characters, invalid UTF-8 bodies, wrong types, impossible dates, missing and duplicated fields,
spreadsheet formulas, malformed URLs). Each payload runs in a savepoint that is rolled back, so every payload meets
the same world, and is judged three ways:

1. never a 500;
2. a payload the field rules refuse (decided here, from FUZZ_TABLE, not by watching the app) changes nothing: row
   counts and states of the watched models and the files under MEDIA_ROOT are the same before and after, and the
   response says why (4xx, a form with errors, or a redirect carrying an error message);
3. a payload the rules allow (odd but valid text, e.g. a comment that starts with "=") touches nothing the valid
   body does not touch, and the rows it saved pass `full_clean()`.

test_every_post_url_is_fuzzed keeps FUZZ_TABLE complete: a new URL must be added to it or to GET_ONLY, and the
GET-only pages are shown to ignore a posted body.

The plan import (service, `import_plan` command) gets random and broken files, other encodings, huge and formula
cells; the exports (service, `export_plan`, the admin action, the dashboard's status table) are read back to check
that no cell can run as a formula.
"""
from __future__ import annotations

import csv
import datetime
import hashlib
import inspect
import io
import json
import random
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.forms import BaseForm
from django.http.multipartparser import MultiPartParserError
from django.test import Client, RequestFactory
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from actionplan.models import (
    ActionStep,
    Assignment,
    AuditEvent,
    Component,
    Indicator,
    Membership,
    Plan,
    Role,
    SubComponent,
    Target,
    Unit,
)
from actionplan.selectors import assignable_people
from actionplan.services import PlanImportError, assignments_set, plan_export_file, plan_import
from evidence.models import BundleDownload, Comment, EvidenceBundle, EvidenceFile, ReviewDecision, Revision
from evidence.services import revision_review as evidence_review
from lke.models import (
    ELIGIBILITY_ITEMS,
    Answer,
    AnswerEvidence,
    Assessment,
    Eligibility,
    EligibilityStatus,
    LkeDocument,
    QuestionLink,
)
from monev import services as monev_services
from monev.models import FollowUp, Recommendation, Report, ReportDownload, UnitCertificate
from monev.signing import demo_certificate
from notifications.models import Notification
from programme.models import (
    AssetReport,
    PaktaBatch,
    PaktaIntegritas,
    PriorityLink,
    PriorityTarget,
    StaffMember,
    Team,
    TeamMember,
)
from public.models import PublicPage, PublishedReport
from public.services import public_page_set

from .factories import PASSWORD, pdf_bytes, submit
from .programme_factories import build_programme, staff_csv

User = get_user_model()
SEED = 20190228
TODAY = timezone.localdate         # what the upload form compares document dates with

# -- the world every payload meets ---------------------------------------------------------------------------------

HEADER = ["NO", "KOMPONEN", "INDIKATOR", "LANGKAH AKSI", "BUKTI FISIK", "TARGET WAKTU", "PENANGGUNG JAWAB"]
TREE = [Plan, Component, SubComponent, Indicator, ActionStep, Target]


def small_rows(year: int) -> list[list[str]]:
    return [
        ["I", "MANAJEMEN PERUBAHAN", "", "", "", "", ""],
        ["1", "Tim Kerja", "SK Tim Kerja ZI ditetapkan", "Menyusun SK Tim", "SK Tim", f"Januari {year}", "Ketua Tim"],
        ["", "", "Rencana kerja dipublikasikan", "Unggah ke laman", "Tangkapan layar", f"Juni {year}", ""],
        ["II", "PENATAAN TATALAKSANA", "", "", "", "", ""],
        ["1", "SOP", "SOP ditetapkan", "Menyusun SOP", "SOP", f"Maret {year}", "Kasubag Umum"],
    ]


def csv_bytes(rows, header=HEADER, delimiter=",", encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([cell if cell != "" else None for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    p12, _ca, passphrase = demo_certificate(common_name="Kepala Dinas Uji", organisation="Dispendukcapil")
    path = tmp_path_factory.mktemp("sertifikat") / "unit.p12"
    path.write_bytes(p12)
    return {"p12": p12, "path": path, "passphrase": passphrase}


@pytest.fixture
def world(settings, certificate, unit, anggota, anggota_other, ketua, kepala, tpi, admin_user):
    """One of everything a form acts on, each in the state where its valid request succeeds. A small plan rather
    than the seed: the world is built once per endpoint."""
    settings.MONEV_SIGNING_P12_PATH = str(certificate["path"])
    settings.MONEV_SIGNING_P12_PASSPHRASE = certificate["passphrase"]
    plan = plan_import(source=csv_bytes(small_rows(2019)), filename="rencana-2019.csv", unit=unit, year=2019).plan
    first, second = Target.objects.filter(step__indicator__subcomponent__component__plan=plan).order_by("pk")[:2]
    assignments_set(step=first.step, users=[anggota], actor=ketua)
    assignments_set(step=second.step, users=[anggota], actor=ketua)     # open for a first upload
    assigned_target, upload_target = first, second
    revision = submit(assigned_target, anggota)                           # waits for review
    notification = Notification.objects.create(
        target=assigned_target, due_date=assigned_target.due_date, recipient=anggota, kind="before_3",
        recipient_role="responsible", notice_date=assigned_target.due_date - datetime.timedelta(days=3),
        run_id="8c1f0c9e-0000-4000-8000-000000000001", created_at=timezone.now())

    ketua_m = ketua.memberships.get()
    submitted = monev_services.report_start(plan=plan, semester=1, user=ketua, membership=ketua_m)
    monev_services.report_save(report=submitted, user=ketua, membership=ketua_m, number="800/1/2019",
                               conclusions="Capaian semester I masih rendah.", recommendations=[], followups={})
    monev_services.report_submit(report=submitted, user=ketua, membership=ketua_m)
    # Its draft, as the render queued by the submission leaves it (rendering has its own tests).
    draft_pdf = pdf_bytes("Draf laporan")
    draft_name = Report._meta.get_field("draft_pdf").generate_filename(submitted, "draf.pdf")
    Report.objects.filter(pk=submitted.pk).update(
        draft_pdf=submitted.draft_pdf.storage.save(draft_name, ContentFile(draft_pdf)), draft_sha256=sha(draft_pdf),
        render_state=Report.RenderState.READY, render_kind="draft")
    signed = monev_services.report_start(plan=plan, semester=2, user=ketua, membership=ketua_m)
    monev_services.report_save(report=signed, user=ketua, membership=ketua_m, number="800/2/2019",
                               conclusions="Capaian semester II.", followups={},
                               recommendations=["Percepat unggah bukti fisik"])
    # Signed directly: rendering and signing the PDF (WeasyPrint, pyHanko) has its own tests and costs seconds.
    signed_pdf = pdf_bytes("Laporan bertanda tangan")
    name = Report._meta.get_field("signed_pdf").generate_filename(signed, "laporan.pdf")
    stored = signed.signed_pdf.storage.save(name, ContentFile(signed_pdf))
    Report.objects.filter(pk=signed.pk).update(status=Report.Status.SIGNED, signed_pdf=stored,
                                               signed_sha256=sha(signed_pdf), verification_code="ABCD-EFGH",
                                               signed_by=kepala, signed_at=timezone.now())
    plan_2020 = plan_import(source=csv_bytes(small_rows(2020)), filename="rencana-2020.csv", unit=unit,
                            year=2020).plan
    # Semester I 2020 follows the signed semester II 2019: its draft has a follow-up per recommendation.
    draft = monev_services.report_start(plan=plan_2020, semester=1, user=ketua, membership=ketua_m)
    monev_services.report_save(report=draft, user=ketua, membership=ketua_m, number="800/1/2020",
                               conclusions="Simpulan sementara.", recommendations=[], followups={})
    import_unit = Unit.objects.create(name="Unit Uji Impor Fuzz")
    lke = _lke_world(plan, plan_2020, anggota, ketua)
    programme = build_programme(unit, plan, ketua)
    public_page_set(unit=unit, enabled=True, slug="lumajang", published_codes=["ABCD-EFGH"], actor=ketua,
                    check_role=False)
    return {**lke, **programme, **_team_world(plan, ketua, anggota_other),
        "plan": plan, "plan_2020": plan_2020, "unit": unit, "import_unit": import_unit,
        "target": assigned_target, "step": assigned_target.step, "revision": revision,
        "file": revision.files.get(), "upload_target": upload_target, "notification": notification,
        "submitted": submitted, "signed": Report.objects.get(pk=signed.pk), "draft": draft,
        "followups": list(draft.followups.order_by("pk")), "certificate": certificate,
        "people": {"anggota": anggota, "anggota_other": anggota_other, "ketua": ketua, "kepala": kepala,
                   "tpi": tpi, "admin": admin_user, "anonymous": None},
    }


def _team_world(plan, ketua, anggota_other) -> dict:
    """A built Berkas untuk TPI (of the accepted revision of _lke_world), an account outside the unit to add,
    and a membership to re-role and remove."""
    from evidence.services import bundle_build, bundle_request

    bundle = bundle_request(plan=plan, component_code="", user=ketua, membership=ketua.memberships.get())
    bundle_build(bundle_id=bundle.pk)
    newcomer = User.objects.create_user("pendatang", email="pendatang@example.go.id", password=PASSWORD)
    return {"bundle": bundle, "newcomer": newcomer, "member": anggota_other.memberships.get()}


def _lke_world(plan, plan_2020, anggota, ketua) -> dict:
    """An LKE assessment of 2019 (with an accepted bukti fisik to link, a linked document and one answer in its
    worksheet) and a submitted one of 2020 (to reopen)."""
    from lke import services as lke
    from lke.management.commands.lke_export import export_bytes

    ketua_m = ketua.memberships.get()
    third = Target.objects.filter(step__indicator__subcomponent__component__plan=plan).order_by("pk")[2]
    assignments_set(step=third.step, users=[anggota], actor=ketua)
    accepted = submit(third, anggota)
    evidence_review(revision=accepted, user=ketua, membership=ketua_m, decision="accept", note="")
    assessment = lke.assessment_start(unit=plan.unit, year=2019, user=ketua, membership=ketua_m)
    link = lke.document_upload(assessment=assessment, code="A.I.1.i.a", column="unit", description="SK",
                               file=_pdf().make(), user=ketua, membership=ketua_m)
    lke.answer_save(assessment=assessment, code="A.I.1.ii.b", column="unit", user=ketua, membership=ketua_m,
                    choice="B")
    sheet = export_bytes(plan.unit, 2019)
    lke.answer_save(assessment=assessment, code="A.I.1.ii.b", column="unit", user=ketua, membership=ketua_m,
                    choice="")          # the worksheet sets it again: its import changes something
    submitted = lke.assessment_start(unit=plan.unit, year=2020, user=ketua, membership=ketua_m)
    lke.assessment_submit(assessment=submitted, user=ketua, membership=ketua_m)
    return {"lke": assessment, "lke_link": link, "lke_submitted": submitted, "lke_accepted": accepted,
            "lke_sheet": sheet}


# -- what "nothing saved" means --------------------------------------------------------------------------------------

COUNTED = [Plan, Component, SubComponent, Indicator, ActionStep, Target, Assignment, AuditEvent, Unit, Revision,
           EvidenceFile, ReviewDecision, Comment, Report, Recommendation, FollowUp, ReportDownload, Notification,
           UnitCertificate, LogEntry, Session, User, Assessment, Answer, AnswerEvidence, LkeDocument, Eligibility,
           QuestionLink,
           Team, TeamMember, PriorityTarget, PriorityLink, StaffMember, PaktaIntegritas, PaktaBatch, AssetReport,
           PublicPage, PublishedReport,
           Membership, EvidenceBundle, BundleDownload]
# Rows of these the payload saved (new ones, and Report and FollowUp rows changed in place) must pass their own
# field validation.
VALIDATED = [Plan, Component, SubComponent, Indicator, ActionStep, Target, Assignment, AuditEvent, Revision,
             EvidenceFile, ReviewDecision, Comment, Report, Recommendation, FollowUp, UnitCertificate, Assessment,
             Answer, AnswerEvidence, LkeDocument, Eligibility, QuestionLink,
             Team, TeamMember, PriorityTarget, StaffMember, PaktaIntegritas, PaktaBatch, AssetReport,
             Membership, EvidenceBundle]


def _state_querysets() -> dict:
    return {
        "revision status": Revision.objects.order_by("pk").values_list("pk", "status"),
        "target status": Target.objects.exclude(evidence_status="").order_by("pk").values_list("pk",
                                                                                              "evidence_status"),
        "target date": Target.objects.order_by("pk").values_list("pk", "due_date", "date_confirmed_at"),
        "notification read": Notification.objects.order_by("pk").values_list("pk", "read_at"),
        "report": Report.objects.order_by("pk").values_list("pk", "status", "number", "conclusions", "returned_note",
                                                            "render_state", "render_kind", "sign_requested_by"),
        "follow-up": FollowUp.objects.order_by("pk").values_list("pk", "status", "note"),
        "recommendation": Recommendation.objects.order_by("pk").values_list("pk", "text"),
        "assignment": Assignment.objects.order_by("step_id", "user_id").values_list("step_id", "user_id"),
        "login": User.objects.order_by("pk").values_list("pk", "last_login", "password"),
        "plan": Plan.objects.order_by("pk").values_list("pk", "title", "status"),
        "lke assessment": Assessment.objects.order_by("pk").values_list("pk", "unit_status", "tpi_status"),
        "lke answer": Answer.objects.order_by("pk").values_list("pk", "choice", "value", "note", "state"),
        "lke eligibility": Eligibility.objects.order_by("pk").values_list("pk", "status", "note"),
        "lke link source": QuestionLink.objects.order_by("pk").values_list("pk", "source"),
        "team": Team.objects.order_by("pk").values_list("pk", "replaced_by"),
        "priority target": PriorityTarget.objects.order_by("pk").values_list("pk", "title"),
        "staff": StaffMember.objects.order_by("pk").values_list("pk", "name", "nip", "position", "is_active"),
        "asset report": AssetReport.objects.order_by("pk").values_list("pk", "kind", "must_file", "filed_on"),
        "public page": PublicPage.objects.order_by("pk").values_list("pk", "slug", "enabled"),
        "published report": PublishedReport.objects.order_by("pk").values_list("pk", "pdf_public"),
        "membership": Membership.objects.order_by("pk").values_list("pk", "role"),
    }


def media_files() -> dict[str, bytes]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def restore_media(snapshot: dict[str, bytes]) -> None:
    """Put MEDIA_ROOT back as it was (the database is rolled back; files on disk are not)."""
    root = Path(settings.MEDIA_ROOT)
    now = media_files()
    for name in now.keys() - snapshot.keys():
        (root / name).unlink()
    for name, data in snapshot.items():
        if now.get(name) != data:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)


_SQL: dict = {}


def _sql() -> dict:
    """The fingerprint's queries, compiled once: it runs twice per payload, and the ORM's compiling would be most
    of the fuzz run's time."""
    if not _SQL:
        q = connection.ops.quote_name
        _SQL["counts"] = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {q(m._meta.db_table)})" for m in COUNTED)
        _SQL["marks"] = "SELECT " + ", ".join(f"(SELECT MAX({q(m._meta.pk.column)}) FROM {q(m._meta.db_table)})"
                                              for m in VALIDATED)
        _SQL["states"] = {key: qs.query.sql_with_params() for key, qs in _state_querysets().items()}
    return _SQL


def _rows(sql: str, params=()) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return tuple(map(tuple, cursor.fetchall()))


def fingerprint(files: dict[str, bytes]) -> dict:
    sql = _sql()
    state: dict = dict(zip((f"rows of {m.__name__}" for m in COUNTED), _rows(sql["counts"])[0]))
    state.update({key: _rows(*query) for key, query in sql["states"].items()})
    state["files in MEDIA_ROOT"] = tuple(sorted((name, sha(data)) for name, data in files.items()))
    return state


def pk_marks() -> dict:
    return {m: n or 0 for m, n in zip(VALIDATED, _rows(_sql()["marks"])[0])}


def changes(before: dict, after: dict) -> dict[str, str]:
    out = {}
    for key, old in before.items():
        new = after[key]
        if old != new:
            out[key] = ("+" if new > old else "-") if isinstance(old, int) else "changed"
    return out


def invalid_rows(marks: dict, shape: dict) -> list[str]:
    """Rows saved by the payload that break their model's own field rules (max_length, choices, NUL, …)."""
    problems = []
    for model in VALIDATED:
        rows = model.objects.filter(pk__gt=marks[model])
        if (model is Report and "report" in shape) or (model is FollowUp and "follow-up" in shape):
            rows = model.objects.all()      # changed in place
        for obj in rows:
            try:
                obj.full_clean(validate_unique=False, validate_constraints=False)   # the database checks those
            except ValidationError as exc:
                problems.append(f"{model.__name__} {obj.pk}: {'; '.join(exc.messages)[:200]}")
    return problems


# -- payloads --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes
    content_type: str = "application/octet-stream"

    def make(self) -> SimpleUploadedFile:
        return SimpleUploadedFile(self.name, self.content, content_type=self.content_type)


@dataclass
class Payload:
    label: str
    form: dict | None = None       # field -> list of values (str, bytes or Upload), sent as multipart
    raw: bytes | None = None       # or a raw body …
    content_type: str = "application/x-www-form-urlencoded"   # … of this type
    path: str | None = None        # a malformed URL instead of the endpoint's own
    method: str = "POST"
    refused: bool | None = None    # forced expectation (malformed URLs); else decided by the field rules


def _materialize(form: dict) -> dict:
    # Lists throughout: the test client would iterate a bare bytes value byte by byte.
    return {k: [v.make() if isinstance(v, Upload) else v for v in values] for k, values in form.items()}


def send(client: Client, path: str, p: Payload):
    if p.method == "GET":
        return client.get(path)
    if p.form is not None:
        return client.post(path, _materialize(p.form))
    return client.generic("POST", path, data=p.raw, content_type=p.content_type)


def parsed(path: str, p: Payload):
    """(POST, FILES) exactly as Django will decode this body, or None when it cannot be decoded at all (a 400)."""
    factory = RequestFactory()
    request = (factory.post(path, _materialize(p.form)) if p.form is not None
               else factory.generic("POST", path, data=p.raw, content_type=p.content_type))
    try:
        return request.POST, request.FILES
    except (SuspiciousOperation, MultiPartParserError):
        return None


MEGABYTE = "Ω=1;" * 262_144          # 1,048,576 characters


def junk_values(rng: random.Random) -> list[tuple[str, object]]:
    return [
        ("random bytes", rng.randbytes(48)),
        ("random bytes with NUL", rng.randbytes(24) + b"\x00" + rng.randbytes(24)),
        ("invalid UTF-8", b"\xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc\xed\xa0\x80"),
        ("1 MB string", MEGABYTE),
        ("NUL and control characters", "a\x00b\x01\x08\x0b\x1b[31m\x7f"),
        ("control characters without NUL", "\x01\x02\x1b[2J\x7f\u202e\ufeff\u200b"),
        ("whitespace only", " \t\r\n\u00a0 "),
        ("empty", ""),
        ("=HYPERLINK", '=HYPERLINK("http://x","klik")'),
        ("+cmd DDE", "+cmd|' /C calc'!A0"),
        ("@SUM", "@SUM(1)"),
        ("-1+1", "-1+1"),
        ("letters", "abc"),
        ("negative number", "-1"),
        ("30-digit number", "9" * 30),
        ("decimal", "1.5"),
        ("2019-02-30", "2019-02-30"),
        ("month 13", "2019-13-01"),
        ("year 0", "0000-01-01"),
        ("year 9999", "9999-12-31"),
        ("day-month-year", "20-02-2019"),
        ("emoji and RTL override", "😀" * 8 + "\u202eabc"),
        ("SQL and HTML", "'; DROP TABLE evidence_revision; -- <script>alert(1)</script>"),
    ]


TYPED_ONLY = {"letters", "30-digit number", "decimal", "2019-02-30", "month 13", "year 0", "year 9999",
              "day-month-year"}


def junk_files(rng: random.Random, good: Upload) -> list[tuple[str, list]]:
    return [
        ("random bytes named .pdf", [Upload("bukti.pdf", rng.randbytes(2048), "application/pdf")]),
        ("random bytes named .docx", [Upload("bukti.docx", rng.randbytes(2048))]),
        ("random bytes named .xlsx", [Upload("rencana.xlsx", rng.randbytes(2048))]),
        ("random bytes named .csv", [Upload("rencana.csv", rng.randbytes(2048), "text/csv")]),
        ("random bytes named .tsv", [Upload("rencana.tsv", rng.randbytes(2048))]),
        ("random bytes named .png", [Upload("foto.png", rng.randbytes(2048), "image/png")]),
        ("random bytes named .p12", [Upload("unit.p12", b"\x30\x82" + rng.randbytes(2048))]),
        ("random bytes without extension", [Upload("berkas", rng.randbytes(2048))]),
        ("program named .exe", [Upload("setup.exe", b"MZ\x90\x00" + rng.randbytes(2048))]),
        ("empty file", [Upload("kosong.pdf", b"", "application/pdf")]),
        ("truncated good file", [replace(good, content=good.content[:60])]),
        ("1 MB of random bytes", [Upload("besar.pdf", rng.randbytes(1_048_576), "application/pdf")]),
        ("a good file and a junk one", [good, Upload("kedua.pdf", rng.randbytes(512), "application/pdf")]),
        ("21 files", [good] * 21),
        ("path traversal in the name", [replace(good, name="../../etc/passwd" + Path(good.name).suffix)]),
        ("NUL in the name", [replace(good, name="bukti\x00.exe" + Path(good.name).suffix)]),
        ("300-character name", [replace(good, name="n" * 300 + Path(good.name).suffix)]),
        ("RTL override in the name", [replace(good, name="fdp\u202egpj" + Path(good.name).suffix)]),
        ("formula as the name", [replace(good, name='=HYPERLINK("http://x")' + Path(good.name).suffix)]),
        ("content type that lies", [replace(good, content_type="image/png")]),
        ("text instead of a file", ["bukan berkas"]),
    ]


# -- field rules: what the portal must refuse ------------------------------------------------------------------------

@dataclass(frozen=True)
class F:
    """A field as the server validates it. kind: text, exact (only the one right value: passwords, tokens),
    date (YYYY-MM-DD, not after today), choice, ids (any subset of allowed pks), model (one allowed pk),
    int (lo..hi), free (never refused), files (each must be a known good file), file (the last one must be),
    any_file (non-empty)."""

    kind: str
    required: bool = True
    max_length: int | None = None
    allowed: Callable[[dict], set] | tuple = ()
    lo: int = 0
    hi: int = 0

    def allowed_values(self, world) -> set:
        return set(self.allowed(world)) if callable(self.allowed) else set(self.allowed)

    def refuses(self, name: str, post, files, world) -> bool:
        values = post.getlist(name)
        last = values[-1] if values else None
        kind = self.kind
        if kind == "free":
            return False
        if kind == "text":
            text = (last or "").strip()
            if not text:
                return self.required
            return "\x00" in text or (self.max_length is not None and len(text) > self.max_length)
        if kind == "exact":
            return (last or "") not in self.allowed_values(world)
        if kind == "choice":
            return (last or "") not in self.allowed_values(world) and (self.required or bool(last))
        if kind == "date":
            text = (last or "").strip()
            if not text:
                return self.required
            try:
                return datetime.datetime.strptime(text, "%Y-%m-%d").date() > TODAY()
            except ValueError:
                return True
        if kind == "ids":
            if not values:
                return self.required
            return any(v not in self.allowed_values(world) for v in values)
        if kind == "model":
            return (last or "") not in self.allowed_values(world)
        if kind == "int":
            text = (last or "").strip()
            return not (re.fullmatch(r"\d{1,6}", text) and self.lo <= int(text) <= self.hi)
        uploads = files.getlist(name)
        if kind == "any_file":
            return not uploads or uploads[-1].size == 0
        good = self.allowed_values(world)
        checked = uploads if kind == "files" else uploads[-1:]
        if not checked:
            return self.required
        return any(sha(u.read()) not in good for u in checked)


def text(max_length: int, required: bool = True) -> F:
    return F("text", required=required, max_length=max_length)


@dataclass(frozen=True)
class Endpoint:
    name: str                                   # URL name
    role: str                                   # who posts (a key of world["people"])
    args: Callable[[dict], list]                # URL arguments
    fields: Callable[[dict], dict[str, F]]
    valid: Callable[[dict], dict[str, list]]    # what the page's own form sends
    rule: Callable | None = None                # a refusal that depends on several fields: rule(POST) -> bool
    extra_paths: Callable[[dict], list] = lambda w: []   # (label, path) of well-formed but meaningless URLs
    relogin: bool = False                       # the request ends the session (logout)
    prepare: Callable | None = None             # prepare(client, world) before the first request
    saves: bool = True                          # the valid request changes something


def _pdf() -> Upload:
    return Upload("sk-tim.pdf", pdf_bytes(), "application/pdf")


def _table() -> Upload:
    return Upload("rencana.csv", csv_bytes(small_rows(2019)), "text/csv")


def _good_pdfs(world) -> set:
    return {sha(_pdf().content), sha(_pdf().content[:60])}


def _staff() -> Upload:
    return Upload("pegawai.csv", staff_csv(), "text/csv")


def _plan_steps(world) -> set:
    return {str(pk) for pk in ActionStep.objects.filter(indicator__subcomponent__component__plan=world["plan"])
            .values_list("pk", flat=True)}


def _p12(world) -> Upload:
    return Upload("unit.p12", world["certificate"]["p12"], "application/x-pkcs12")


def _people(world) -> set:
    return {str(pk) for pk in assignable_people(world["unit"].pk).values_list("pk", flat=True)}


def _report_fields(world) -> dict[str, F]:
    fields = {"number": text(100), "conclusions": text(20000, required=False),
              "recommendations": text(20000, required=False)}
    for f in world["followups"]:
        fields[f"followup_{f.pk}"] = F("choice", allowed=tuple(FollowUp.Status.values))
        fields[f"followup_note_{f.pk}"] = text(1000, required=False)
    return fields


def _report_valid(world) -> dict:
    data = {"number": ["800/1/427.53/2020"], "conclusions": ["Capaian semester I tahun 2020."],
            "recommendations": ["Percepat unggah bukti fisik\nRapat evaluasi bulanan"]}
    for f in world["followups"]:
        data[f"followup_{f.pk}"] = ["proses"]
        data[f"followup_note_{f.pk}"] = ["Sedang berjalan."]
    return data


def _bad_semesters(world) -> list:
    plan = world["plan_2020"].pk
    return [(f"semester {s}", f"/monev/rencana/{plan}/laporan/{s}/{tail}/") for s in (0, 3, 99) for tail in
            ("simpan", "ajukan")]


def _import_token(client, world) -> None:
    """A previewed import waiting for confirmation (token in the session, file under MEDIA_ROOT/import-tmp)."""
    upload = _table().make()
    response = client.post(reverse("admin:actionplan_plan_import"),
                           {"unit": world["import_unit"].pk, "year": 2019, "file": upload, "title": ""})
    world["import_token"] = response.context["token"]


NEW_PASSWORD = "kata-sandi-baru-2026"


def _reset_token(client, world) -> None:
    """A reset link opened: its token waits in the session for the new password (Django's confirm view)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = world["people"]["anggota"]
    world["reset_uid"] = urlsafe_base64_encode(force_bytes(user.pk))
    link = reverse("password_reset_confirm", args=[world["reset_uid"], default_token_generator.make_token(user)])
    assert client.get(link).status_code == 302


def _nip_ok(value: str) -> bool:
    """Empty, or 18 digits (spaces anywhere) of a real birth date, an appointment month and a sex digit 1/2."""
    digits = re.sub(r"\s", "", value)
    if not digits:
        return True
    if not re.fullmatch(r"[0-9]{18}", digits):
        return False
    try:
        datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    return 1 <= int(digits[12:14]) <= 12 and digits[14] in "12"


FUZZ_TABLE = [
    Endpoint("login", "anonymous", lambda w: [],
             lambda w: {"username": F("exact", allowed=("anggota",)), "password": F("exact", allowed=(PASSWORD,)),
                        "next": F("free")},
             lambda w: {"username": ["anggota"], "password": [PASSWORD], "next": ["/"]}),
    # Buttons without fields (logout, report actions, mark read): whatever the body, they do what the valid request
    # does, or nothing; only a malformed URL must be refused.
    Endpoint("logout", "anggota", lambda w: [], lambda w: {}, lambda w: {}, relogin=True),
    # Whatever is posted, the reset page saves nothing (a mail goes out for a known address only).
    Endpoint("password_reset", "anonymous", lambda w: [], lambda w: {"email": F("free")},
             lambda w: {"email": ["anggota@example.go.id"]}, saves=False),
    Endpoint("password_reset_confirm", "anonymous", lambda w: [w["reset_uid"], "set-password"],
             lambda w: {"new_password1": F("exact", allowed=(NEW_PASSWORD,)),
                        "new_password2": F("exact", allowed=(NEW_PASSWORD,))},
             lambda w: {"new_password1": [NEW_PASSWORD], "new_password2": [NEW_PASSWORD]}, prepare=_reset_token),
    # One's own profile: the e-mail changes only with the current password; the NIP is empty or a valid one.
    Endpoint("profile", "anggota", lambda w: [],
             lambda w: {"first_name": text(150), "last_name": text(150, required=False),
                        "email": F("exact", allowed=("anggota@example.go.id",)),
                        "nip": F("free"), "current_password": F("exact", allowed=(PASSWORD,))},
             lambda w: {"first_name": ["Sri"], "last_name": ["Wahyuni"], "email": ["anggota@example.go.id"],
                        "nip": ["19800512 200501 2 003"], "current_password": [PASSWORD]},
             rule=lambda post: not _nip_ok(post.get("nip") or "")),
    # A new password keeps the person signed in under a new session key, which the rollback takes away.
    Endpoint("password_change", "anggota", lambda w: [],
             lambda w: {"old_password": F("exact", allowed=(PASSWORD,)),
                        "new_password1": F("exact", allowed=(NEW_PASSWORD,)),
                        "new_password2": F("exact", allowed=(NEW_PASSWORD,))},
             lambda w: {"old_password": [PASSWORD], "new_password1": [NEW_PASSWORD],
                        "new_password2": [NEW_PASSWORD]}, relogin=True),
    Endpoint("actionplan:step_assign", "ketua", lambda w: [w["step"].pk],
             lambda w: {"people": F("ids", required=False, allowed=_people)},
             lambda w: {"people": [str(w["people"]["anggota"].pk), str(w["people"]["anggota_other"].pk)]}),
    # Berkas untuk TPI: the build is queued on commit (never reached in a rolled-back payload): the request is saved
    Endpoint("evidence:bundle_create", "tpi", lambda w: [w["plan"].pk],
             lambda w: {"component": F("choice", required=False, allowed=("I", "II"))},
             lambda w: {"component": ["I"]}),
    # the team: an account outside the unit by username or e-mail; a new account; a role; a removal
    Endpoint("actionplan:team_add", "ketua", lambda w: [w["unit"].pk],
             lambda w: {"identifier": F("exact", allowed=("pendatang", "pendatang@example.go.id")),
                        "role": F("choice", allowed=tuple(Role.values))},
             lambda w: {"identifier": ["pendatang@example.go.id"], "role": ["tpi"]}),
    Endpoint("actionplan:team_invite", "ketua", lambda w: [w["unit"].pk],
             lambda w: {"full_name": text(300), "username": text(150), "email": F("free"),
                        "role": F("choice", allowed=tuple(Role.values))},
             lambda w: {"full_name": ["Budi Santoso"], "username": ["budi"], "email": ["budi@example.go.id"],
                        "role": ["anggota"]}),
    Endpoint("actionplan:team_role", "ketua", lambda w: [w["member"].pk],
             lambda w: {"role": F("choice", allowed=tuple(Role.values))}, lambda w: {"role": ["tpi"]}),
    Endpoint("actionplan:team_remove", "ketua", lambda w: [w["member"].pk], lambda w: {}, lambda w: {}),
    Endpoint("actionplan:target_date", "ketua", lambda w: [w["target"].pk],
             lambda w: {"due_date": F("date"), "reason": text(500)},
             lambda w: {"due_date": [w["target"].due_date.isoformat()], "reason": ["Sesuai notulen rapat tim"]},
             # a due date lies in the plan year or next to it (the plan is of 2019)
             rule=lambda post: (post.get("due_date") or "").strip()[:5] not in ("2018-", "2019-", "2020-")),
    Endpoint("evidence:upload", "anggota", lambda w: [w["upload_target"].pk],
             # qpdf repairs a PDF cut short the way readers do (evidence/validation.py), so one may be stored,
             # and the reviewer sees it.
             lambda w: {"files": F("files", allowed=lambda w: {sha(_pdf().content), sha(_pdf().content[:60])}),
                        "description": text(2000),
                        "document_date": F("date")},
             lambda w: {"files": [_pdf()], "description": ["Notulen rapat tim"], "document_date": ["2019-02-20"]}),
    Endpoint("evidence:comment", "anggota", lambda w: [w["target"].pk], lambda w: {"body": text(4000)},
             lambda w: {"body": ["Sudah saya lengkapi."]}),
    Endpoint("evidence:review", "ketua", lambda w: [w["revision"].pk],
             lambda w: {"decision": F("choice", allowed=("accept", "revise")), "note": text(4000, required=False)},
             lambda w: {"decision": ["revise"], "note": ["Tanda tangan belum ada."]},
             rule=lambda post: post.get("decision") == "revise" and not (post.get("note") or "").strip()),
    Endpoint("evidence:withdraw", "anggota", lambda w: [w["revision"].pk],
             lambda w: {"reason": text(500)}, lambda w: {"reason": ["Salah berkas."]}),
    Endpoint("monev:report_edit", "ketua", lambda w: [w["plan_2020"].pk, 1], _report_fields, _report_valid,
             extra_paths=_bad_semesters),
    Endpoint("monev:report_submit", "ketua", lambda w: [w["plan_2020"].pk, 1],
             lambda w: {"answer": text(4000, required=False)}, lambda w: {"answer": ["Sudah dilengkapi."]},
             extra_paths=_bad_semesters),
    # "Mulai menyusun laporan": semester II 2020 has no report yet.
    Endpoint("monev:report_begin", "ketua", lambda w: [w["plan_2020"].pk, 2], lambda w: {}, lambda w: {},
             extra_paths=lambda w: [(f"semester {s}", f"/monev/rencana/{w['plan_2020'].pk}/laporan/{s}/mulai/")
                                    for s in (0, 3, 99)]),
    Endpoint("monev:report_draft", "ketua", lambda w: [w["draft"].pk], lambda w: {}, lambda w: {}),
    Endpoint("monev:report_return", "kepala", lambda w: [w["submitted"].pk], lambda w: {"note": text(4000)},
             lambda w: {"note": ["Lengkapi simpulan komponen III."]}),
    # Signing asks for the Kepala Dinas's password again (the valid body is the page's own form).
    Endpoint("monev:report_sign", "kepala", lambda w: [w["submitted"].pk],
             lambda w: {"password": F("exact", allowed=(PASSWORD,))}, lambda w: {"password": [PASSWORD]}),
    Endpoint("monev:report_correct", "ketua", lambda w: [w["signed"].pk], lambda w: {}, lambda w: {}),
    # The public check of a signed PDF stores nothing, whatever is uploaded.
    Endpoint("monev:verify", "anonymous", lambda w: ["ABCD-EFGH"], lambda w: {"file": F("any_file")},
             lambda w: {"file": [_pdf()]}, saves=False),
    Endpoint("notifications:read", "anggota", lambda w: [w["notification"].pk], lambda w: {}, lambda w: {}),
    Endpoint("notifications:read_all", "anggota", lambda w: [], lambda w: {}, lambda w: {}),
    # Unknown kinds are ignored: every value is accepted, none is stored unless it names a kind.
    Endpoint("notifications:preferences", "anggota", lambda w: [], lambda w: {"email": F("free")},
             lambda w: {"email": ["reminder"]}),
    # programme and public (issue 11)
    Endpoint("programme:team_create", "ketua", lambda w: [w["unit"].pk],
             lambda w: {"kind": F("choice", allowed=("tim_zi", "agen", "lain")), "name": text(200, required=False),
                        "year": F("int", lo=2000, hi=2100), "sk_number": text(100), "sk_date": F("date"),
                        "valid_from": F("free"), "valid_until": F("free"), "members": text(20000),
                        "sk_file": F("file", required=False, allowed=_good_pdfs)},
             lambda w: {"kind": ["agen"], "name": [""], "year": ["2019"], "sk_number": ["188.45/9/2019"],
                        "sk_date": ["2019-01-28"], "valid_from": [""], "valid_until": ["2019-12-31"],
                        "members": ["Ketua; Hari Purnomo; ; Kepala Bidang\nAnggota; Siti;;"],
                        "sk_file": [_pdf()]},
             rule=lambda post: post.get("kind") == "lain" and not (post.get("name") or "").strip()),
    Endpoint("programme:priorities_set", "ketua", lambda w: [w["plan"].pk], lambda w: {"titles": text(50000)},
             lambda w: {"titles": ["Pembentukan Tim ZI\nSosialisasi"]}),
    Endpoint("programme:priority_links", "ketua", lambda w: [w["priorities"][1].pk],
             lambda w: {"steps": F("ids", required=False, allowed=_plan_steps)},
             lambda w: {"steps": [str(w["step"].pk)]}),
    Endpoint("programme:staff_import", "ketua", lambda w: [w["unit"].pk],
             lambda w: {"file": F("file", allowed=lambda w: {sha(_staff().content), sha(_staff().content[:60])})},
             lambda w: {"file": [_staff()]}),
    Endpoint("programme:pakta_record", "ketua", lambda w: [w["staff"][1].pk],
             lambda w: {"year": F("int", lo=2000, hi=2100), "signed_on": F("date"),
                        "scan": F("file", required=False, allowed=_good_pdfs)},
             lambda w: {"year": ["2019"], "signed_on": ["2019-01-09"], "scan": [_pdf()]}),
    Endpoint("programme:pakta_bulk", "ketua", lambda w: [w["unit"].pk],
             lambda w: {"year": F("int", lo=2000, hi=2100), "signed_on": F("date"), "event": text(300),
                        "scan": F("file", required=False, allowed=_good_pdfs),
                        "staff": F("ids", allowed=lambda w: {str(s.pk) for s in w["staff"]})},
             lambda w: {"year": ["2019"], "signed_on": ["2019-01-09"], "event": ["Pelantikan"], "scan": [_pdf()],
                        "staff": [str(w["staff"][3].pk)]}),
    Endpoint("programme:asset_report", "ketua", lambda w: [w["staff"][1].pk],
             lambda w: {"year": F("int", lo=2000, hi=2100), "kind": F("choice", allowed=("lhkpn", "lhkasn")),
                        "must_file": F("free"), "filed_on": F("date", required=False)},
             lambda w: {"year": ["2019"], "kind": ["lhkpn"], "must_file": ["on"], "filed_on": ["2019-03-01"]}),
    Endpoint("public:settings", "kepala", lambda w: [w["unit"].pk],
             lambda w: {"enabled": F("free"), "slug": F("free"), "published": F("free")},
             lambda w: {"enabled": ["on"], "slug": ["dispendukcapil-lumajang"], "published": []}),
    # The portal's own admin pages. Only the upload is kept until the preview is confirmed.
    Endpoint("admin:actionplan_plan_import", "admin", lambda w: [],
             lambda w: {"unit": F("model", allowed=lambda w: {str(pk) for pk in Unit.objects.values_list("pk",
                                                                                                       flat=True)}),
                        "year": F("int", lo=2000, hi=2100),
                        "file": F("file", allowed=lambda w: {sha(_table().content)}),
                        "title": text(300, required=False), "replace": F("free")},
             lambda w: {"unit": [str(w["import_unit"].pk)], "year": ["2019"], "file": [_table()], "title": [""]}),
    Endpoint("admin:actionplan_plan_import_confirm", "admin", lambda w: [],
             lambda w: {"token": F("exact", allowed=lambda w: {w["import_token"]})},
             lambda w: {"token": [w["import_token"]]}, prepare=_import_token),
    # Django's admin reads these fields its own way (the action by `index`); the export saves nothing whatever is
    # sent. `_selected_action` is left out: see test_admin_action_with_a_non_numeric_id_is_refused_without_500.
    Endpoint("admin:actionplan_plan_changelist", "admin", lambda w: [],
             lambda w: {"action": F("free"), "index": F("free"), "select_across": F("free")},
             lambda w: {"action": ["export_xlsx"], "_selected_action": [str(w["plan_2020"].pk)], "index": ["0"],
                        "select_across": ["0"]}, saves=False),
    Endpoint("admin:monev_unitcertificate_add", "admin", lambda w: [],
             lambda w: {"unit": F("model", allowed=lambda w: {str(w["import_unit"].pk), str(w["unit"].pk)}),
                        "p12_file": F("file", allowed=lambda w: {sha(w["certificate"]["p12"])}),
                        "passphrase": F("exact", required=False, allowed=lambda w: {w["certificate"]["passphrase"]})},
             lambda w: {"unit": [str(w["import_unit"].pk)], "p12_file": [_p12(w)],
                        "passphrase": [w["certificate"]["passphrase"]]}),
]

def _lke_sheet(world) -> Upload:
    return Upload("lke.xlsx", world["lke_sheet"],
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _eligibility_fields(world) -> dict[str, F]:
    fields = {}
    for item, _label in ELIGIBILITY_ITEMS:
        fields[item] = F("choice", allowed=tuple(EligibilityStatus.values))
        fields[f"{item}_note"] = text(500, required=False)
    return fields


def _indicators(world) -> set:
    return {str(pk) for pk in Indicator.objects.filter(subcomponent__component__plan=world["plan"])
            .values_list("pk", flat=True)}


LKE_FUZZ = [
    Endpoint("lke:start", "ketua", lambda w: [w["unit"].pk, 2021], lambda w: {}, lambda w: {}),
    Endpoint("lke:answer_save", "ketua", lambda w: [w["lke"].pk, "A.I.1.i.b", "unit"],
             lambda w: {"unit-choice": F("choice", required=False, allowed=("", "A", "B", "C")),
                        "unit-note": text(4000, required=False)},
             lambda w: {"unit-choice": ["B"], "unit-note": ["Sebagian anggota tim dipilih dengan prosedur."]}),
    Endpoint("lke:evidence_link", "ketua", lambda w: [w["lke"].pk, "A.I.1.i.a", "unit"],
             lambda w: {"revision": F("model", allowed=lambda w: {str(w["lke_accepted"].pk)})},
             lambda w: {"revision": [str(w["lke_accepted"].pk)]}),
    Endpoint("lke:document_upload", "ketua", lambda w: [w["lke"].pk, "A.I.1.i.b", "unit"],
             lambda w: {"file": F("file", allowed=lambda w: {sha(_pdf().content), sha(_pdf().content[:60])}),
                        "description": text(500, required=False)},
             lambda w: {"file": [_pdf()], "description": ["Notulen penetapan tim"]}),
    Endpoint("lke:evidence_unlink", "ketua", lambda w: [w["lke"].pk, w["lke_link"].pk],
             lambda w: {"code": F("free")}, lambda w: {"code": ["A.I.1.i.a"]}),
    Endpoint("lke:submit", "ketua", lambda w: [w["lke"].pk], lambda w: {}, lambda w: {}),
    Endpoint("lke:reopen", "ketua", lambda w: [w["lke_submitted"].pk], lambda w: {}, lambda w: {}),
    Endpoint("lke:tpi_finalise", "tpi", lambda w: [w["lke"].pk], lambda w: {}, lambda w: {}),
    Endpoint("lke:eligibility", "ketua", lambda w: [w["lke"].pk], _eligibility_fields,
             lambda w: {**{item: ["met"] for item, _l in ELIGIBILITY_ITEMS},
                        **{f"{item}_note": ["Sesuai LHP 2019"] for item, _l in ELIGIBILITY_ITEMS}}),
    Endpoint("lke:import", "ketua", lambda w: [w["lke"].pk, "unit"],
             lambda w: {"file": F("file", allowed=lambda w: {sha(w["lke_sheet"])})},
             lambda w: {"file": [_lke_sheet(w)]}),
    Endpoint("lke:links_propose", "ketua", lambda w: [w["lke"].pk], lambda w: {}, lambda w: {}),
    Endpoint("lke:links_set", "ketua", lambda w: [w["lke"].pk, "A.I.1.i.a"],
             lambda w: {"indicators": F("ids", required=False, allowed=_indicators)},
             lambda w: {"indicators": sorted(_indicators(w))[:1]}),
    Endpoint("lke:make_step", "ketua", lambda w: [w["lke"].pk, "A.I.1.i.b"],
             lambda w: {"description": text(2000), "evidence_required": text(2000),
                        "due_date": F("date", allowed=())},
             lambda w: {"description": ["Seleksi anggota tim dengan prosedur"], "evidence_required": ["SK tim"],
                        "due_date": ["2019-10-31"]},
             # the target date must fall in the assessment's year
             rule=lambda post: not (post.get("due_date") or "").strip().startswith("2019-")),
]
FUZZ_TABLE += LKE_FUZZ

INT_JUNK = ["0", "9" * 25, "abc", "-1", "1e3", "%00", "%D9%A1"]       # the last: an Arabic-Indic digit one
STR_JUNK = ["%00", "A" * 5000, "%FF%FE", "'%20OR%201=1--", "ABCD-EFGH%00", "..%2F..%2Fetc"]
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def bad_urls(path: str) -> list[tuple[str, str]]:
    """The endpoint's URL with each argument replaced by junk of the wrong shape or an id that does not exist."""
    match = resolve(path)
    out = []
    for conv, arg in _CONVERTER.findall(match.route):
        for junk in INT_JUNK if conv == "int" else STR_JUNK:
            url = "/" + _CONVERTER.sub(lambda m, a=arg, j=junk: j if m.group(2) == a else str(match.kwargs[m.group(2)]),
                                       match.route)
            out.append((f"URL {arg}={junk[:24]}", url))
    return out


def fuzz_payloads(endpoint: Endpoint, world: dict, path: str) -> list[Payload]:
    rng = random.Random(f"{SEED}:{endpoint.name}")
    valid = endpoint.valid(world)
    fields = endpoint.fields(world)
    out: list[Payload] = []
    for name, rule in fields.items():
        if rule.kind in ("files", "file", "any_file"):
            good = valid[name][0]
            out += [Payload(f"{name}: {label}", form={**valid, name: value})
                    for label, value in junk_files(rng, good)]
        else:
            values = junk_values(rng)
            if rule.kind == "free":         # nothing to refuse: a few values to show nothing breaks
                values = [v for v in values if v[0] in ("random bytes", "1 MB string", "NUL and control characters")]
            elif rule.kind == "text":       # wrong types and impossible dates are only plain text here
                values = [v for v in values if v[0] not in TYPED_ONLY]
            out += [Payload(f"{name}: {label}", form={**valid, name: [value]}) for label, value in values]
            if rule.max_length:
                out.append(Payload(f"{name}: {rule.max_length} characters", form={**valid,
                                                                                  name: ["Ω" * rule.max_length]}))
                out.append(Payload(f"{name}: {rule.max_length + 1} characters",
                                   form={**valid, name: ["Ω" * (rule.max_length + 1)]}))
            out.append(Payload(f"{name}: duplicated, NUL last", form={**valid, name: [*valid.get(name, []),
                                                                                      "x\x00"]}))
        out.append(Payload(f"{name}: missing", form={k: v for k, v in valid.items() if k != name}))
    names = list(fields) or ["catatan"]
    plain = {k: [v for v in values if isinstance(v, str)] for k, values in valid.items()}
    out += [
        Payload("empty body", form={}),
        Payload("every field random bytes", form={n: [rng.randbytes(32)] for n in names}),
        Payload("unknown extra fields", form={**valid, "tak_dikenal": [rng.randbytes(16)],
                                              "csrfmiddlewaretoken": ["x" * 64]}),
        Payload("raw body: invalid UTF-8 in names and values",
                raw=b"&".join(n.encode() + b"=\xff\xfe\xc3\x28" for n in names) + b"&\xff\xfe=\xc0\xaf"),
        Payload("raw body: percent-encoded invalid UTF-8",
                raw="&".join(f"{n}=%FF%FE%C3%28%ED%A0%80" for n in names).encode()),
        Payload("raw body: NUL in names and values", raw=b"%00=%00&" + b"&".join(n.encode() + b"=a%00b"
                                                                                  for n in names)),
        Payload("raw body: random bytes", raw=rng.randbytes(2048)),
        Payload("raw body: random bytes as multipart", raw=rng.randbytes(2048),
                content_type="multipart/form-data; boundary=zzz"),
        Payload("raw body: multipart without boundary", raw=b"--zzz\r\n\r\n", content_type="multipart/form-data"),
        Payload("raw body: the valid form as JSON", raw=json.dumps(plain).encode(), content_type="application/json"),
        Payload("raw body: 3 MB", raw=b"x=" + b"a" * 3_000_000),
        Payload("raw body: 2,000 fields", raw="&".join(f"f{i}=1" for i in range(2000)).encode()),
    ]
    for label, url in [*bad_urls(path), *endpoint.extra_paths(world)]:
        out.append(Payload(label, form=valid, path=url, refused=True))
    return out


# -- judging one payload ---------------------------------------------------------------------------------------------

@dataclass
class Outcome:
    response: object
    shape: dict | None            # what changed (None after a 500: nothing can be read then)
    problems: list[str]


def attempt(client: Client, path: str, p: Payload) -> Outcome:
    client.cookies.pop("messages", None)        # only this request's messages count
    files = media_files()
    before = fingerprint(files)
    marks = pk_marks()
    with transaction.atomic():
        response = send(client, path, p)
        shape, problems = None, []
        if response.status_code < 500:     # after a database error the transaction can only be rolled back
            shape = changes(before, fingerprint(media_files()))
            problems = invalid_rows(marks, shape) if shape else []
        transaction.set_rollback(True)
    restore_media(files)
    return Outcome(response, shape, problems)


def explains_refusal(response) -> bool:
    if 400 <= response.status_code < 500:
        return True
    if response.status_code == 302:
        return any(m.level >= messages.WARNING for m in response.wsgi_request._messages)
    # 200: the form again, with its errors, or unbound (these views treat a POST without data as a GET).
    contexts = response.context if isinstance(response.context, list) else [response.context]
    for context in filter(None, contexts):
        for key, value in context.flatten().items():
            if key == "errors" and value:
                return True
            form = value.form if hasattr(value, "form") and isinstance(value.form, BaseForm) else value  # AdminForm
            if isinstance(form, BaseForm) and (form.errors or not form.is_bound):
                return True
    return False


def judge(outcome: Outcome, refused: bool, reference: dict) -> str | None:
    status = outcome.response.status_code
    if status >= 500:
        exc = getattr(outcome.response, "exc_info", None)
        return f"HTTP {status}: {exc[1]!r}"[:300] if exc else f"HTTP {status}"
    if outcome.problems:
        return f"saved rows that fail validation: {outcome.problems}"
    if refused:
        if outcome.shape:
            return f"refused input changed {outcome.shape}"
        if not explains_refusal(outcome.response):
            return f"refused without saying why (HTTP {status})"
        return None
    extra = outcome.shape.keys() - reference.keys()
    return f"changed more than the valid request: {sorted(extra)}" if extra else None


def client_as(world: dict, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if world["people"][role] is not None:
        client.force_login(world["people"][role])
    return client


@pytest.mark.parametrize("endpoint", FUZZ_TABLE, ids=[e.name for e in FUZZ_TABLE])
def test_malformed_posts_get_no_500_and_a_refused_one_saves_nothing(world, endpoint):
    client = client_as(world, endpoint.role)
    if endpoint.prepare:
        endpoint.prepare(client, world)
    path = reverse(endpoint.name, args=endpoint.args(world))

    reference = attempt(client, path, Payload("valid", form=endpoint.valid(world)))
    # The world is right only if the valid request succeeds: otherwise every payload would be refused for nothing.
    assert reference.response.status_code < 400, judge(reference, False, {})
    assert bool(reference.shape) is endpoint.saves, reference.shape
    assert not reference.problems

    payloads = fuzz_payloads(endpoint, world, path)
    assert len(payloads) >= 12
    failures = []
    for p in payloads:
        if endpoint.relogin:
            client.force_login(world["people"][endpoint.role])
        url = p.path or path
        refused = p.refused if p.refused is not None else _must_refuse(endpoint, world, url, p)
        problem = judge(attempt(client, url, p), refused, reference.shape)
        if problem:
            failures.append(f"{p.label!r} ({'refuse' if refused else 'may accept'}): {problem}")
    assert not failures, f"{endpoint.name}: {len(failures)} of {len(payloads)} payloads\n" + "\n".join(failures)


def _must_refuse(endpoint: Endpoint, world: dict, path: str, p: Payload) -> bool:
    data = parsed(path, p)
    if data is None:        # Django cannot decode the body: a 400 where the view reads it; ignored where it does not
        return bool(endpoint.fields(world))
    post, files = data
    if any(rule.refuses(name, post, files, world) for name, rule in endpoint.fields(world).items()):
        return True
    return endpoint.rule is not None and endpoint.rule(post)


@pytest.mark.parametrize("changelist", ["admin:actionplan_plan_changelist", "admin:auth_user_changelist",
                                        "admin:notifications_notification_changelist"])
@pytest.mark.parametrize("selected", [["abc"], ["1", "1 OR 1=1"], ["9" * 40], ["-1"]])
def test_admin_action_with_a_non_numeric_id_is_refused_without_500(world, changelist, selected):
    # Django passes the posted ids unchecked to filter(pk__in=…); zi_portal/admin.py checks them for every admin.
    client = client_as(world, "admin")
    response = client.post(reverse(changelist), {"action": "delete_selected", "_selected_action": selected,
                                                 "index": "0"}, follow=True)
    assert response.status_code == 200
    assert "Pilihan baris tidak sah" in response.content.decode()
    assert "Are you sure" not in response.content.decode() and "Anda yakin" not in response.content.decode()


# -- the table is complete -------------------------------------------------------------------------------------------

# Pages that only read: a POST is answered like a GET (or 405). test_get_only_pages_ignore_a_posted_body proves it.
GET_ONLY = {
    # a page of an import preview; without a preview of this session under the token: back to the upload form
    "admin:actionplan_plan_import_preview": ("admin", lambda w: ["t" * 32]),
    "home": ("anggota", lambda w: []),
    "healthz": ("anonymous", lambda w: []),
    "actionplan:plan_detail": ("ketua", lambda w: [w["plan"].pk]),
    "evidence:my_tasks": ("anggota", lambda w: []),
    "evidence:review_queue": ("ketua", lambda w: []),
    "evidence:target": ("anggota", lambda w: [w["target"].pk]),
    "evidence:download": ("anggota", lambda w: [w["file"].pk]),
    "evidence:bundle_list": ("tpi", lambda w: [w["plan"].pk]),
    "evidence:bundle_download": ("tpi", lambda w: [w["bundle"].pk]),
    "evidence:bundle_status": ("tpi", lambda w: [w["plan"].pk]),
    "actionplan:team": ("ketua", lambda w: [w["unit"].pk]),
    "monev:dashboard": ("ketua", lambda w: [w["plan"].pk]),
    "monev:status_export": ("ketua", lambda w: [w["plan"].pk]),
    "monev:units_summary": ("ketua", lambda w: []),
    "monev:report_page": ("ketua", lambda w: [w["plan"].pk, 1]),
    "monev:report_download": ("ketua", lambda w: [w["signed"].pk]),
    "monev:report_preview": ("kepala", lambda w: [w["submitted"].pk]),
    "notifications:list": ("anggota", lambda w: []),
    "monev:report_render_status": ("kepala", lambda w: [w["submitted"].pk]),
    "lke:assessment": ("ketua", lambda w: [w["unit"].pk, 2019]),
    "lke:question": ("ketua", lambda w: [w["lke"].pk, "A.I.1.i.a"]),
    "lke:document_download": ("ketua", lambda w: [w["lke"].pk, w["lke_link"].document_id]),
    "lke:export": ("ketua", lambda w: [w["lke"].pk]),
    "lke:history": ("ketua", lambda w: [w["lke"].pk]),
    "lke:points": ("ketua", lambda w: [w["lke"].pk]),
    "lke:units": ("tpi", lambda w: [2019]),
    "programme:teams": ("ketua", lambda w: [w["unit"].pk]),
    "programme:team_file": ("ketua", lambda w: [w["team"].pk]),
    "programme:priorities": ("ketua", lambda w: [w["plan"].pk]),
    "programme:register": ("ketua", lambda w: [w["unit"].pk]),
    "programme:pakta_file": ("ketua", lambda w: [w["pakta"].pk]),
    "public:units": ("anonymous", lambda w: []),
    "public:unit": ("anonymous", lambda w: ["lumajang"]),
    "public:unit_data": ("anonymous", lambda w: ["lumajang", "json"]),
    "public:report_pdf": ("anonymous", lambda w: ["lumajang", "ABCD-EFGH"]),
    "password_reset_done": ("anonymous", lambda w: []),
    "password_reset_complete": ("anonymous", lambda w: []),
    "password_change_done": ("anggota", lambda w: []),
}
# Django's own admin pages (model changelists, add/change/delete forms, login …) are Django's; the portal's own
# admin URLs (anything else under admin:) must be in the tables like every other page.
_DJANGO_ADMIN = re.compile(r"^admin:(index|login|logout|password_change|password_change_done|autocomplete|jsi18n|"
                           r"view_on_site|app_list|\w+_(changelist|add|change|delete|history))$")


def url_views() -> dict[str, Callable]:
    found = {}

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{prefix}{p.namespace}:" if p.namespace else prefix)
            elif p.name:
                found.setdefault(prefix + p.name, p.callback)
    walk(get_resolver().url_patterns, "")
    return found


def test_every_post_url_is_fuzzed():
    views = url_views()
    portal = {n for n in views if not _DJANGO_ADMIN.match(n)}
    fuzzed = {e.name for e in FUZZ_TABLE}

    assert portal - fuzzed - set(GET_ONLY) == set(), "add the new URL to FUZZ_TABLE (POST) or GET_ONLY"
    assert fuzzed & set(GET_ONLY) == set()
    assert (fuzzed | set(GET_ONLY)) - set(views) == set(), "stale entries"
    assert len(fuzzed) == len(FUZZ_TABLE)


def test_get_only_views_do_not_read_a_posted_body():
    views = url_views()
    for name in GET_ONLY:
        source = inspect.getsource(inspect.unwrap(views[name]))
        assert not re.search(r"request\.(POST|FILES|method|body)", source), f"{name} reads a POST: fuzz it"


@pytest.mark.parametrize("name", list(GET_ONLY))
def test_get_only_pages_ignore_a_posted_body(world, name):
    role, args = GET_ONLY[name]
    client = client_as(world, role)
    path = reverse(name, args=args(world))
    rng = random.Random(f"{SEED}:{name}")
    reference = attempt(client, path, Payload("GET", method="GET"))
    assert reference.response.status_code < 400
    payloads = [
        Payload("POST random fields and a junk file", form={"x": [rng.randbytes(64)], "people": ["abc"],
                                                            "berkas": [Upload("a.pdf", rng.randbytes(512))]}),
        Payload("POST invalid UTF-8", raw=b"\xff\xfe=\xc3\x28&semester=%00"),
        Payload("GET junk query", method="GET", path=path + "?semester=%00&per=2019-02-30&komponen=%FF"
                                                            "&page=-1&berkas=draf%00"),
        Payload("GET huge page", method="GET", path=path + "?page=" + "9" * 30 + "&per=" + "9" * 30),
        *[Payload(label, method="GET", path=url, refused=True) for label, url in bad_urls(path)],
    ]
    failures = []
    for p in payloads:
        outcome = attempt(client, p.path or path, p)
        problem = judge(outcome, bool(p.refused), reference.shape)
        if problem:
            failures.append(f"{p.label}: {problem}")
    assert not failures, "\n".join(failures)


# -- plan import: malformed files ------------------------------------------------------------------------------------

def tree_counts() -> dict:
    return {m.__name__: m.objects.count() for m in TREE}


def _truncated_xlsx() -> bytes:
    data = xlsx_bytes(small_rows(2019))
    return data[: len(data) // 2]


def _patched_xlsx(cells: dict[str, bytes]) -> bytes:
    """An xlsx written by openpyxl whose cell texts are then replaced in the sheet XML: openpyxl itself refuses NUL
    and cuts text at 32,767 characters, other programs do neither."""
    row = ["1", "Tim Kerja", "INDIKATOR_X", "LANGKAH_X", "BUKTI_X", "Januari 2019", ""]
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([small_rows(2019)[0], row])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            for placeholder, value in cells.items():
                data = data.replace(placeholder.encode(), value)
            target.writestr(item, data)
    return out.getvalue()


def _xlsx_with_real_formulas() -> bytes:
    """Cells holding formulas (not text): the importer reads values only, and openpyxl stores no cached value."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["I", "MANAJEMEN PERUBAHAN"])
    sheet.append(["1", "Tim Kerja", "Indikator", '=HYPERLINK("http://x","klik")', "=1+1", "Januari 2019"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _long_cells(length: int) -> list[list[str]]:
    return [small_rows(2019)[0], ["1", "Tim Kerja", "i" * length, "a" * length, "b" * length, "Januari 2019", ""]]


_RNG = random.Random(SEED)
_RANDOM = _RNG.randbytes(4096)
_RANDOM_WITHOUT_NUL = bytes(b or 1 for b in _RNG.randbytes(4096))

# label, file name, bytes, a fragment of the Indonesian report
REFUSED_FILES = [
    ("random bytes named .xlsx", "rencana.xlsx", _RANDOM, "bukan berkas .xlsx yang sah"),
    ("random bytes behind a zip signature", "rencana.xlsx", b"PK\x03\x04" + _RANDOM, "tidak dapat dibaca"),
    ("random bytes named .csv", "rencana.csv", _RANDOM, "bukan tabel teks"),
    ("random bytes without NUL named .tsv", "rencana.tsv", _RANDOM_WITHOUT_NUL, "pengodean karakternya"),
    ("truncated xlsx", "rencana.xlsx", _truncated_xlsx(), "tidak dapat dibaca"),
    ("xlsx with a NUL inside a cell", "rencana.xlsx", _patched_xlsx({"INDIKATOR_X": b"indi\x00kator"}),
     "tidak dapat dibaca"),
    ("xlsx whose cells hold formulas", "rencana.xlsx", _xlsx_with_real_formulas(),
     "setiap indikator perlu langkah aksi"),
    ("xlsx with 50,000-character cells", "rencana.xlsx",
     _patched_xlsx({"INDIKATOR_X": b"i" * 50_000, "LANGKAH_X": b"a" * 50_000, "BUKTI_X": b"b" * 50_000}),
     "batas satu sel Excel"),
    ("xlsx with a 50,000-character component name", "rencana.xlsx",
     xlsx_bytes([["I", "K" * 50_000, "", "", "", "", ""], small_rows(2019)[1]]), "nama komponen terlalu panjang"),
    ("csv with a 200,000-character field", "rencana.csv", csv_bytes([["I", "x" * 200_000, "", "", "", "", ""]]),
     "tidak dapat dibaca"),
    ("UTF-16 without BOM", "rencana.csv", csv_bytes(small_rows(2019), encoding="utf-16-le"), "bukan tabel teks"),
    ("Latin-1 bytes Windows-1252 leaves undefined", "rencana.csv",
     csv_bytes(small_rows(2019)).replace(b"Tim Kerja", b"Tim \x81\x8d\x90 Kerja"), "pengodean karakternya"),
    ("old .xls", "rencana.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + _RANDOM, "Format Excel lama"),
    ("empty file", "rencana.csv", b"", "Berkas kosong"),
    ("header only", "rencana.csv", csv_bytes([]), "tidak ada baris komponen"),
    ("NUL bytes only", "rencana.csv", b"\x00" * 64, "bukan tabel teks"),
]


@pytest.mark.parametrize("label, filename, data, fragment", REFUSED_FILES, ids=[c[0] for c in REFUSED_FILES])
def test_import_refuses_a_malformed_file_with_an_indonesian_report_and_saves_nothing(unit, tmp_path, label,
                                                                                     filename, data, fragment):
    before = tree_counts()
    with pytest.raises(PlanImportError) as refused:
        plan_import(source=data, filename=filename, unit=unit, year=2019)
    report = refused.value.report()
    assert fragment in report and "KESALAHAN" in report, report
    assert tree_counts() == before

    path = tmp_path / filename
    path.write_bytes(data)
    err = io.StringIO()
    with pytest.raises(CommandError) as failed:       # a CommandError, never a traceback
        call_command("import_plan", str(path), unit=unit.name, year=2019, stdout=io.StringIO(), stderr=err)
    assert "Tidak ada yang disimpan" in str(failed.value)
    assert fragment in err.getvalue()
    assert tree_counts() == before


def _texts(plan) -> list[str]:
    return [t for step in ActionStep.objects.filter(indicator__subcomponent__component__plan=plan).order_by("pk")
            for t in (step.indicator.text, step.description, step.evidence_required, step.responsible_text)]


# Decided: what Excel and LibreOffice write is read, whatever the encoding they chose, and characters a plan never
# means (NUL and other controls inside cells) are dropped. A NUL in the first 4 KB still marks a binary file.
ACCEPTED_FILES = [
    ("UTF-16 with BOM (Excel 'Unicode text')", "rencana.txt",
     csv_bytes(small_rows(2019), delimiter="\t", encoding="utf-16"), None),
    ("UTF-8 with BOM", "rencana.csv", csv_bytes(small_rows(2019), encoding="utf-8-sig"), None),
    ("Latin-1 (read as Windows-1252, with a warning)", "rencana.csv",
     csv_bytes([*small_rows(2019), ["", "", "Pelayanan café", "Menata ruang", "Foto", "Juni 2019", ""]],
               encoding="latin-1"), "Windows-1252"),
    ("NUL and control characters inside cells after the first 4 KB", "rencana.csv",
     csv_bytes([*small_rows(2019), *[["", "", f"Indikator {i}", "Aksi", "Bukti", "Juni 2019", ""]
                                     for i in range(120)], ["", "", "Indi\x00ka\x01tor", "Ak\x0bsi", "Bukti",
                                                            "Juni 2019", ""]]), None),
    ("cells at Excel's limit of 32,767 characters", "rencana.xlsx", xlsx_bytes(_long_cells(32_767)), None),
]


@pytest.mark.parametrize("label, filename, data, warning", ACCEPTED_FILES, ids=[c[0] for c in ACCEPTED_FILES])
def test_import_accepts_a_valid_file_in_another_encoding_cleanly(unit, other_unit, label, filename, data, warning):
    result = plan_import(source=data, filename=filename, unit=unit, year=2019)

    texts = _texts(result.plan)
    assert "SK Tim Kerja ZI ditetapkan" in texts or "i" * 32_767 in texts
    assert not any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]", t) for t in texts)
    if warning:
        assert warning in result.report()
        assert "Pelayanan café" in texts
    if "NUL" in label:
        assert "Indikator" in texts and "Aksi" in texts
    # … and what was accepted leaves through the xlsx export unchanged (Excel would cut a longer cell).
    _name, content, _type = plan_export_file(plan=result.plan, file_format="xlsx")
    copy = plan_import(source=content, filename="salinan.xlsx", unit=other_unit, year=2019).plan
    assert _texts(copy) == texts


# -- formula injection: import then export ---------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x","klik")', "+cmd|' /C calc'!A0", "@SUM(1)", "-1+1", "=1+1", "+62 812 3456",
            "-5", "@Kasubag Umum", "=cmd|' /C notepad'!A0"]
FORMULA_ROWS = [
    ["I", '=HYPERLINK("http://x","klik")', "", "", "", "", ""],
    ["1", "+cmd|' /C calc'!A0", "@SUM(1)", "-1+1", '=HYPERLINK("http://x","klik")', "Januari 2022", "@Kasubag Umum"],
    ["", "", "=1+1", "- butir daftar", "-", "Februari 2022", "-5"],
    ["2", "Sub biasa", "\t=cmd|' /C notepad'!A0", "+62 812 3456", "Notulen", "Maret 2022", ""],
]


def executes(value) -> bool:
    """Would a spreadsheet run this text typed into a cell (OWASP CSV injection: = + - @ tab CR)? The portal keeps
    a lone "-" and dash lists ("- butir") as text, as actionplan.importing.looks_like_formula promises."""
    if not isinstance(value, str) or not value:
        return False
    if value[0] in "=+@\t\r":
        return True
    return value[0] == "-" and len(value) > 1 and not value[1].isspace()


def xlsx_cells(content: bytes) -> list:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "formula cells in the export"
    return [c.value for c in cells]


def text_cells(content: bytes, delimiter: str) -> list[str]:
    return [v for row in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=delimiter)
            for v in row]


@pytest.fixture
def formula_plan(world):
    """A plan of the world's unit whose texts start with = + - @ (valid otherwise), with a person responsible whose
    name is a formula too (names come from the admin's user form)."""
    plan = plan_import(source=csv_bytes(FORMULA_ROWS), filename="rumus.csv", unit=world["unit"], year=2022).plan
    person = world["people"]["anggota_other"]
    User.objects.filter(pk=person.pk).update(first_name='=HYPERLINK("http://x","klik")', last_name="")
    step = ActionStep.objects.filter(indicator__subcomponent__component__plan=plan).order_by("pk").first()
    assignments_set(step=step, users=[person], actor=world["people"]["ketua"])
    return plan


def _check_export(values, *, expect: list[str]) -> None:
    strings = [v for v in values if isinstance(v, str)]
    assert not [v for v in strings if executes(v)], "cells a spreadsheet would run"
    for original in expect:                                   # still readable: the text behind an apostrophe
        assert "'" + original in strings, original
    assert "- butir daftar" in strings and "-" in strings


def test_plan_exports_neutralise_formulas_and_stay_readable(formula_plan, other_unit, admin_client, tmp_path):
    assert "=1+1" in _texts(formula_plan)                    # the import keeps the text as written
    expect = FORMULAS
    exports = {}
    for fmt in ("xlsx", "csv", "tsv"):
        _name, content, _type = plan_export_file(plan=formula_plan, file_format=fmt)
        exports[fmt] = content
        values = xlsx_cells(content) if fmt == "xlsx" else text_cells(content, "," if fmt == "csv" else "\t")
        _check_export(values, expect=expect)
    for suffix in ("xlsx", "csv"):
        output = tmp_path / f"ekspor.{suffix}"
        call_command("export_plan", plan=formula_plan.pk, output=str(output), stdout=io.StringIO())
        content = output.read_bytes()
        _check_export(xlsx_cells(content) if suffix == "xlsx" else text_cells(content, ","), expect=expect)
    response = admin_client.post(reverse("admin:actionplan_plan_changelist"),
                                 {"action": "export_xlsx", "_selected_action": [formula_plan.pk], "index": "0"})
    assert response.status_code == 200
    _check_export(xlsx_cells(response.content), expect=expect)

    # Re-importing an export gives back the texts as written, without the apostrophes.
    for year, (fmt, content) in enumerate(exports.items(), start=2030):
        copy = plan_import(source=content, filename=f"salinan.{fmt}", unit=other_unit, year=year).plan
        assert _texts(copy) == _texts(formula_plan)


def test_status_table_export_neutralises_formulas_including_names_of_people(formula_plan, world):
    client = client_as(world, "ketua")
    response = client.get(reverse("monev:status_export", args=[formula_plan.pk]))

    assert response.status_code == 200
    values = xlsx_cells(response.content)
    strings = [v for v in values if isinstance(v, str)]
    assert not [v for v in strings if executes(v)]
    assert "'" + '=HYPERLINK("http://x","klik")' in strings          # the person responsible, readable
    assert "'@SUM(1)" in strings and "'-1+1" in strings               # indicator and action step


def test_exports_drop_control_characters_that_xlsx_cannot_store(world, admin_client):
    """The admin's text fields accept them (Word writes \\x0b for a manual line break); the export must not fail."""
    plan, step = world["plan"], world["step"]
    ActionStep.objects.filter(pk=step.pk).update(description="Menyusun\x0b SK\x01 Tim")
    Indicator.objects.filter(pk=step.indicator_id).update(text="SK\x0c Tim")
    SubComponent.objects.filter(pk=step.indicator.subcomponent_id).update(name="Tim\x1f Kerja")
    User.objects.filter(pk=world["people"]["anggota"].pk).update(first_name="Ang\x0bgota")

    for fmt in ("xlsx", "csv", "tsv"):
        _name, content, _type = plan_export_file(plan=plan, file_format=fmt)
        body = "\n".join(map(str, xlsx_cells(content))) if fmt == "xlsx" else content.decode("utf-8-sig")
        assert "Menyusun SK Tim" in body and not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", body)
    response = admin_client.post(reverse("admin:actionplan_plan_changelist"),
                                 {"action": "export_xlsx", "_selected_action": [plan.pk], "index": "0"})
    assert response.status_code == 200
    response = client_as(world, "ketua").get(reverse("monev:status_export", args=[plan.pk]))
    assert response.status_code == 200
    values = [str(v) for v in xlsx_cells(response.content)]
    assert "Menyusun SK Tim" in values and "Anggota" in ", ".join(values)


# -- the bugs this file found, one line each -------------------------------------------------------------------------

def test_signing_without_any_certificate_is_refused_with_a_message(world, settings, tmp_path):
    settings.MONEV_SIGNING_P12_PATH = str(tmp_path / "tidak-ada.p12")
    client = client_as(world, "kepala")

    response = client.post(reverse("monev:report_sign", args=[world["submitted"].pk]), {"password": PASSWORD})

    assert response.status_code == 302
    assert "Sertifikat tanda tangan unit belum tersedia" in [str(m) for m in response.wsgi_request._messages][-1]
    assert Report.objects.get(pk=world["submitted"].pk).sign_requested_by is None
