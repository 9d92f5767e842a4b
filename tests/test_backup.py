"""`manage.py backup` and `manage.py restore`: a consistent copy of the database and every file, restored byte
for byte onto an empty instance, and refused (with nothing written) whenever it cannot be trusted."""
import datetime
import hashlib
import io
import json
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from actionplan.models import AuditEvent, Role, Target
from actionplan.services import assignments_set, person_ensure
from evidence.models import EvidenceFile, Revision
from evidence.services import comment_add, revision_review
from monev.models import Report
from monev.services import report_save, report_sign, report_start, report_submit, signing_material
from monev.signing import demo_certificate, verify_pdf
from zi_portal.lib.backup import backup_models

from .factories import PASSWORD, pdf_bytes, submit


@pytest.fixture(scope="module")
def demo_cert():
    p12, ca_pem, passphrase = demo_certificate(common_name="Akhmad Taufik Hidayat", organisation="Dispendukcapil")
    return {"p12": p12, "ca": ca_pem, "passphrase": passphrase}


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    """A small valid RGB PNG (a unit logo, a photo of a meeting)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"".join(b"\x00" + b"".join(bytes(((x * 40) % 256, (y * 60) % 256, 200)) for x in range(width))
                   for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def member(user):
    return user.memberships.get()


def build_evidence(*, plan, anggota, ketua, target) -> Revision:
    """A revision sent back with a note, a second one with three files accepted, a comment: real services."""
    assignments_set(step=target.step, users=[anggota], actor=ketua)
    first = submit(target, anggota, files=[upload("sk-tim.pdf", pdf_bytes("SK Tim versi 1"))])
    revision_review(revision=first, user=ketua, membership=member(ketua), decision="revise",
                    note="Lampirkan daftar hadir")
    second = submit(target, anggota, files=[
        upload("sk-tim.pdf", pdf_bytes("SK Tim versi 2")),
        upload("daftar-hadir.pdf", pdf_bytes("Daftar hadir rapat")),
        upload("foto-rapat.png", png_bytes(), "image/png")])
    revision_review(revision=second, user=ketua, membership=member(ketua), decision="accept", note="")
    comment_add(target=target, user=ketua, membership=member(ketua), body="Terima kasih, sudah lengkap.")
    return second


def build_signed_report(*, plan, ketua, kepala, capture) -> Report:
    """Semester I 2019 report written and submitted by ketua, signed by kepala (render + PAdES in the task)."""
    report = report_start(plan=plan, semester=1, user=ketua, membership=member(ketua))
    report_save(report=report, user=ketua, membership=member(ketua), number="800/123/427.53/2019",
                conclusions="Capaian semester I masih rendah.",
                recommendations=["Percepat unggah bukti fisik komponen III", "Rapat evaluasi bulanan"], followups={})
    with capture(execute=True):
        report_submit(report=report, user=ketua, membership=member(ketua), today=datetime.date(2019, 7, 10))
    with capture(execute=True):
        report_sign(report=report, user=kepala, membership=member(kepala))
    report.refresh_from_db()
    assert report.status == Report.Status.SIGNED, report.render_error
    return report


def upload_unit_certificate(unit, demo_cert, admin_user) -> None:
    """The unit's certificate as the admin stores it (encrypted in a BinaryField): the report is signed with it."""
    from monev.admin import UnitCertificateForm

    form = UnitCertificateForm(data={"unit": unit.pk, "passphrase": demo_cert["passphrase"]},
                               files={"p12_file": SimpleUploadedFile("unit.p12", demo_cert["p12"])})
    assert form.is_valid(), form.errors
    cert = form.save(commit=False)
    cert.uploaded_by = admin_user
    cert.save()


def all_rows() -> dict[str, list[dict]]:
    """Every row of every backed-up model, by primary key: what "the same data" means."""
    return {m._meta.label: [{k: bytes(v) if isinstance(v, memoryview) else v for k, v in row.items()}
                            for row in m._base_manager.order_by("pk").values()]
            for m in backup_models()}


def tables_with_rows() -> list[str]:
    return [m._meta.label for m in backup_models() if m._base_manager.exists()]


def media_files() -> dict[str, bytes]:
    root = Path(settings.MEDIA_ROOT)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()} \
        if root.exists() else {}


def empty_the_instance() -> None:
    """What a fresh, migrated instance looks like: no rows (content types and permissions recreated by
    post_migrate, with new ids) and an empty MEDIA_ROOT."""
    # Inside a test transaction PostgreSQL refuses to TRUNCATE tables with deferred foreign-key checks pending:
    # run those checks now, flush, and defer again.
    deferred = connection.vendor == "postgresql" and connection.in_atomic_block
    if deferred:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if deferred:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    Path(settings.MEDIA_ROOT).mkdir(parents=True)
    assert tables_with_rows() == [] and media_files() == {}


def run(command: str, *args, **options) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -------------------------------------------------------------------------------------------------------------------
# the round trip
# -------------------------------------------------------------------------------------------------------------------

# Transactional: the restore commits for real, so the database checks its deferred foreign keys at COMMIT (a
# test transaction would never commit), and on PostgreSQL the backup runs in its own REPEATABLE READ snapshot.
@pytest.mark.django_db(transaction=True)
def test_restore_onto_an_empty_instance_gives_back_every_row_and_every_file_byte_for_byte(
        tmp_path, plan, unit, anggota, ketua, kepala, tpi, assigned_target, demo_cert,
        django_capture_on_commit_callbacks):
    admin_user = get_user_model().objects.create_superuser("admin", "admin@example.go.id", PASSWORD)
    unit.logo.save("logo-lumajang.png", ContentFile(png_bytes(8, 8)))
    upload_unit_certificate(unit, demo_cert, admin_user)
    # many-to-many rows, and foreign keys to permissions that a fresh `migrate` recreates under new ids
    auditors = Group.objects.create(name="Pemeriksa internal")
    auditors.permissions.set(Permission.objects.filter(codename__in=["view_revision", "view_evidencefile"]))
    tpi.groups.add(auditors)
    tpi.user_permissions.add(Permission.objects.get(codename="view_report"))
    permissions_before = get_user_model().objects.get(pk=tpi.pk).get_all_permissions()
    assert len(permissions_before) == 3
    build_evidence(plan=plan, anggota=anggota, ketua=ketua, target=assigned_target)
    report = build_signed_report(plan=plan, ketua=ketua, kepala=kepala, capture=django_capture_on_commit_callbacks)

    evidence_before = {f.pk: (f.file.name, f.sha256, f.file.open("rb").read()) for f in EvidenceFile.objects.all()}
    signed_before = report.signed_pdf.open("rb").read()
    rows_before, files_before = all_rows(), media_files()
    assert all(rows_before[label] for label in [
        "actionplan.Plan", "actionplan.Target", "actionplan.AuditEvent", "evidence.Revision", "evidence.ReviewDecision",
        "evidence.Comment", "monev.Report", "monev.Recommendation", "monev.UnitCertificate", "auth.Group"])
    assert len(evidence_before) == 4 and sha256(signed_before) == report.signed_sha256
    assert report.draft_pdf and unit.logo.name in files_before

    folder = tmp_path / "cadangan-2019-07-10"
    out = run("backup", output=str(folder))
    assert "Cadangan selesai" in out and "evidence.EvidenceFile: 4" in out
    assert sorted(p.name for p in folder.iterdir()) == ["db.json", "files", "manifest.json", "manifest.sig"]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["files"] == [{"path": name, "size": len(data), "sha256": sha256(data)}
                                 for name, data in sorted(files_before.items())]
    assert manifest["db"]["sha256"] == sha256((folder / "db.json").read_bytes()) and manifest["missing_files"] == []

    empty_the_instance()
    # another instance numbers its permissions differently: the backup names them by natural key, not by id
    moved = Permission.objects.get(codename="view_report")
    moved_id, content_type, moved_name = moved.pk, moved.content_type, moved.name
    moved.delete()
    assert Permission.objects.create(codename="view_report", name=moved_name, content_type=content_type).pk != moved_id
    out = run("restore", str(folder))
    assert f"semua checksum cocok ({len(files_before) + 1} diperiksa)" in out

    # every row back with its primary key and every field as it was; the same files under the same names
    rows_after = all_rows()
    assert {label: len(r) for label, r in rows_after.items()} == {label: len(r) for label, r in rows_before.items()}
    assert rows_after == rows_before
    assert media_files() == files_before
    for f in EvidenceFile.objects.all():
        name, digest, data = evidence_before[f.pk]
        restored = f.file.open("rb").read()
        assert f.file.name == name and restored == data and sha256(restored) == digest == f.sha256
    report = Report.objects.get(pk=report.pk)
    restored_pdf = report.signed_pdf.open("rb").read()
    assert restored_pdf == signed_before and sha256(restored_pdf) == report.signed_sha256

    # the signed report still validates, and the stored certificate still opens (same SECRET_KEY)
    result = verify_pdf(restored_pdf, trust_roots=[demo_cert["ca"]])
    assert result.signed and result.intact and result.trusted, result.problems
    assert signing_material(report.plan.unit) == (demo_cert["p12"], demo_cert["passphrase"])
    assert get_user_model().objects.get(username="anggota").check_password(PASSWORD)
    restored_tpi = get_user_model().objects.get(pk=tpi.pk)
    assert restored_tpi.get_all_permissions() == permissions_before
    assert list(restored_tpi.groups.values_list("name", flat=True)) == ["Pemeriksa internal"]

    # the instance lives on: new rows get fresh ids (PostgreSQL sequences were moved past the restored ids)
    ketua = get_user_model().objects.get(username="ketua")
    anggota = get_user_model().objects.get(username="anggota")
    newcomer, _created = person_ensure(username="anggota_baru", full_name="Anggota Baru", nip="", position="",
                                       unit=unit, role=Role.ANGGOTA, password=PASSWORD)
    other = Target.objects.filter(step__indicator__subcomponent__component__plan=plan).exclude(
        step=assigned_target.step).order_by("pk").first()
    assignments_set(step=other.step, users=[anggota, newcomer], actor=ketua)
    revision = submit(other, newcomer, files=[upload("notulen.pdf", pdf_bytes("Notulen"))])
    comment = comment_add(target=other, user=ketua, membership=member(ketua), body="Diterima untuk review.")
    for obj, label in [(newcomer, "auth.User"), (revision, "evidence.Revision"), (comment, "evidence.Comment"),
                       (revision.files.get(), "evidence.EvidenceFile"),
                       (AuditEvent.objects.order_by("-pk").first(), "actionplan.AuditEvent")]:
        assert obj.pk > max(row["id"] for row in rows_before[label]), label


# -------------------------------------------------------------------------------------------------------------------
# refusals: each with its message, and nothing written
# -------------------------------------------------------------------------------------------------------------------

@pytest.fixture
def evidence_backup(tmp_path, plan, anggota, ketua, assigned_target):
    """A backup of a portal with plan, people and reviewed evidence (no signed report: fast)."""
    build_evidence(plan=plan, anggota=anggota, ketua=ketua, target=assigned_target)
    folder = tmp_path / "cadangan"
    run("backup", output=str(folder))
    return folder


@pytest.mark.django_db
@pytest.mark.parametrize("what", ["evidence file", "database"])
def test_restore_refuses_a_backup_with_one_byte_changed_and_the_instance_stays_empty(evidence_backup, what):
    name = EvidenceFile.objects.order_by("pk").first().file.name
    tampered = evidence_backup / ("files/" + name if what == "evidence file" else "db.json")
    data = bytearray(tampered.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    empty_the_instance()

    with pytest.raises(CommandError) as refused:
        run("restore", str(evidence_backup))
    message = str(refused.value)
    assert message.startswith("Cadangan tidak utuh; tidak ada yang dipulihkan.")
    assert f"{name if what == 'evidence file' else 'db.json'}: checksum tidak cocok" in message
    assert tables_with_rows() == [] and media_files() == {}


@pytest.mark.django_db
def test_restore_refuses_an_instance_that_already_has_data_and_changes_nothing(evidence_backup):
    rows, files = all_rows(), media_files()
    with pytest.raises(CommandError) as refused:
        run("restore", str(evidence_backup))
    message = str(refused.value)
    assert message.startswith("Pemulihan hanya ke instans kosong (sudah di-migrate, tanpa data).")
    assert f"evidence.EvidenceFile: {EvidenceFile.objects.count()} baris" in message
    assert all_rows() == rows and media_files() == files


@pytest.mark.django_db
def test_restore_refuses_when_a_file_name_is_already_taken_on_storage(evidence_backup):
    name = EvidenceFile.objects.order_by("pk").first().file.name
    empty_the_instance()
    stray = Path(settings.MEDIA_ROOT) / name
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"another file under the same name")
    with pytest.raises(CommandError) as refused:
        run("restore", str(evidence_backup))
    assert "Nama berkas sudah dipakai di penyimpanan:" in str(refused.value) and name in str(refused.value)
    assert tables_with_rows() == []
    assert media_files() == {name: b"another file under the same name"}


@pytest.mark.django_db
def test_backup_refuses_a_folder_that_is_not_empty(tmp_path, plan, anggota):
    folder = tmp_path / "cadangan"
    folder.mkdir()
    (folder / "catatan.txt").write_text("jangan ditimpa")
    with pytest.raises(CommandError) as refused:
        run("backup", output=str(folder))
    assert "sudah ada dan tidak kosong; pilih folder baru" in str(refused.value)
    assert [p.name for p in folder.iterdir()] == ["catatan.txt"]
    assert not [p for p in tmp_path.iterdir() if "partial" in p.name]  # nor a half-written folder beside it


@pytest.mark.django_db
def test_backup_into_an_existing_empty_folder_is_allowed(tmp_path, plan):
    folder = tmp_path / "cadangan"
    folder.mkdir()
    assert "Cadangan selesai" in run("backup", output=str(folder))
    # no file referenced yet
    assert sorted(p.name for p in folder.iterdir()) == ["db.json", "manifest.json", "manifest.sig"]


@pytest.mark.django_db
def test_backup_names_a_referenced_file_missing_from_storage_and_restore_refuses_that_backup(
        tmp_path, plan, anggota, ketua, assigned_target):
    revision = build_evidence(plan=plan, anggota=anggota, ketua=ketua, target=assigned_target)
    lost = revision.files.order_by("pk").last()
    (Path(settings.MEDIA_ROOT) / lost.file.name).unlink()
    folder = tmp_path / "cadangan"

    with pytest.raises(CommandError) as refused:
        run("backup", output=str(folder))
    message = str(refused.value)
    assert message.startswith("Cadangan TIDAK LENGKAP: berkas yang dirujuk tidak ada di penyimpanan:")
    assert f"{lost.file.name} (evidence.EvidenceFile.file#{lost.pk})" in message

    empty_the_instance()
    with pytest.raises(CommandError) as refused:
        run("restore", str(folder))
    assert f"{lost.file.name}: tidak ada di penyimpanan saat pencadangan" in str(refused.value)
    assert tables_with_rows() == [] and media_files() == {}


# --- authenticity (issue 13) ------------------------------------------------------------------------------------

def make_anggota_superuser_and_fix_the_sums(folder: Path, username: str) -> None:
    """The attack of issue 13: edit db.json so an Anggota becomes a superuser, then write the new size and
    SHA-256 into manifest.json, so every integrity check passes."""
    rows = json.loads((folder / "db.json").read_text(encoding="utf-8"))
    user = next(r for r in rows if r["model"] == "auth.user" and r["fields"]["username"] == username)
    user["fields"]["is_superuser"] = user["fields"]["is_staff"] = True
    edited = json.dumps(rows).encode("utf-8")
    (folder / "db.json").write_bytes(edited)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["db"]["size"], manifest["db"]["sha256"] = len(edited), sha256(edited)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                          encoding="utf-8")


@pytest.mark.django_db
def test_a_backup_is_signed_and_the_issues_superuser_edit_with_updated_sums_is_refused(evidence_backup, anggota):
    assert (evidence_backup / "manifest.sig").read_text().startswith("hmac-sha256:")
    make_anggota_superuser_and_fix_the_sums(evidence_backup, anggota.username)
    from zi_portal.lib.backup import backup_verify

    assert backup_verify(source=evidence_backup) == []  # integrity alone is satisfied: that was the hole
    empty_the_instance()
    with pytest.raises(CommandError) as refused:
        run("restore", str(evidence_backup))
    message = str(refused.value)
    assert message.startswith("Cadangan tidak dapat dipastikan keasliannya; tidak ada yang dipulihkan.")
    assert "Tanda tangan manifest tidak cocok" in message and "--accept-unsigned" in message
    assert tables_with_rows() == [] and media_files() == {}


@pytest.mark.django_db
def test_the_operator_can_restore_an_unverified_backup_only_by_saying_so(evidence_backup, anggota):
    make_anggota_superuser_and_fix_the_sums(evidence_backup, anggota.username)
    empty_the_instance()
    run("restore", str(evidence_backup), accept_unsigned=True)
    assert get_user_model().objects.get(username=anggota.username).is_superuser


@pytest.mark.django_db
def test_an_unsigned_backup_and_a_restore_without_the_key_are_refused(tmp_path, plan, settings):
    settings.BACKUP_KEY = ""
    folder = tmp_path / "tanpa-kunci"
    call_command("backup", output=str(folder), stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert not (folder / "manifest.sig").exists() and "BACKUP_KEY tidak diatur" in err.getvalue()
    empty_the_instance()
    with pytest.raises(CommandError) as no_key:
        run("restore", str(folder))
    assert "BACKUP_KEY tidak diatur" in str(no_key.value)
    settings.BACKUP_KEY = "kunci-cadangan-uji"
    with pytest.raises(CommandError) as unsigned:
        run("restore", str(folder))
    assert "Cadangan tidak bertanda tangan" in str(unsigned.value)
    assert tables_with_rows() == []


@pytest.mark.django_db
def test_a_backup_signed_with_another_key_is_refused(evidence_backup, settings):
    settings.BACKUP_KEY = "kunci-instansi-lain"
    empty_the_instance()
    with pytest.raises(CommandError) as refused:
        run("restore", str(evidence_backup))
    assert "BACKUP_KEY lain" in str(refused.value)
