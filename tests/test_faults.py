"""Data-integrity faults: the database fails in the middle of a write and nothing is left half-saved.

The fault is injected at the database, not in our code: a `connection.execute_wrapper` sends the n-th INSERT into
a chosen table with a syntax error appended, so the server itself rejects the statement (on PostgreSQL that also
aborts the transaction, as a real failure does). Everything above the cursor — services, atomic blocks, storage —
runs for real.
"""
import datetime
import hashlib
import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError
from django.db import DatabaseError, IntegrityError, connection

from actionplan.models import ActionStep, AuditEvent, Component, Indicator, Plan, SubComponent, Target
from actionplan.services import plan_import
from evidence.models import EvidenceFile, ReviewDecision, Revision, RevisionStatus
from evidence.services import revision_review
from zi_portal.lib.backup import ROLLED_BACK

from .factories import SEED_FILE, pdf_bytes, submit
from .test_backup import build_evidence, empty_the_instance, run, tables_with_rows

PLAN_MODELS = [Plan, Component, SubComponent, Indicator, ActionStep, Target, AuditEvent]


@dataclass
class Fault:
    """What the injected fault saw: how many matching INSERTs ran, and the files on storage when it struck."""

    inserts: int = 0
    struck: bool = False
    files_when_struck: list[str] = field(default_factory=list)


@contextmanager
def database_fails_on(table: str, *, nth: int = 1, error: type[DatabaseError] | None = None):
    """The n-th INSERT into `table` fails in the database. With `error`, that exception is raised instead of
    sending the statement (for a specific class such as IntegrityError)."""
    fault = Fault()

    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(f'INSERT INTO "{table.upper()}"'):
            fault.inserts += 1
            if fault.inserts == nth:
                fault.struck = True
                fault.files_when_struck = media_files()
                if error is not None:
                    raise error(f"fault injected: INSERT #{nth} into {table}")
                sql = sql + " FAULT INJECTED"  # a syntax error: the server refuses the statement
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield fault
    assert fault.struck, f"the fault never struck: {fault.inserts} INSERT(s) into {table}"


def media_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.exists() else []


def rows(*models) -> dict[str, list[dict]]:
    return {m._meta.label: list(m._base_manager.order_by("pk").values()) for m in models}


def upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


# -------------------------------------------------------------------------------------------------------------------
# plan import
# -------------------------------------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("table", ["actionplan_indicator", "actionplan_target", "actionplan_auditevent"])
def test_database_failing_in_the_middle_of_a_plan_import_saves_no_plan_row_and_no_audit_event(unit, table):
    before = rows(*PLAN_MODELS)
    with database_fails_on(table), pytest.raises(DatabaseError):
        plan_import(source=SEED_FILE, filename=SEED_FILE.name, unit=unit, year=2019)
    assert rows(*PLAN_MODELS) == before
    assert not Plan.objects.exists() and not Component.objects.exists() and not Target.objects.exists()

    # the instance is not left in a broken state: the same import succeeds right after
    result = plan_import(source=SEED_FILE, filename=SEED_FILE.name, unit=unit, year=2019)
    assert Target.objects.filter(step__indicator__subcomponent__component__plan=result.plan).count() == 125


@pytest.mark.django_db
def test_database_failing_in_the_middle_of_a_replace_keeps_the_old_plan_tree_as_it_was(plan, unit):
    before = rows(*PLAN_MODELS)
    with database_fails_on("actionplan_target"), pytest.raises(DatabaseError):
        plan_import(source=SEED_FILE, filename=SEED_FILE.name, unit=unit, year=2019, replace=True,
                    title="Rencana Kerja ZI 2019 (revisi)")
    assert rows(*PLAN_MODELS) == before  # same rows, same primary keys, same title


# -------------------------------------------------------------------------------------------------------------------
# review
# -------------------------------------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("decision, note", [("accept", ""), ("revise", "Lampirkan daftar hadir")])
@pytest.mark.parametrize("table", ["evidence_reviewdecision", "actionplan_auditevent"])
def test_database_failing_in_the_middle_of_a_review_leaves_status_target_and_audit_trail_unchanged(
        assigned_target, anggota, ketua, table, decision, note):
    revision = submit(assigned_target, anggota)
    before = rows(Revision, Target, ReviewDecision, AuditEvent)
    assert Target.objects.get(pk=assigned_target.pk).evidence_status == RevisionStatus.SUBMITTED

    # the revision's status and the target's mirror are UPDATEd before the failing INSERT
    with database_fails_on(table), pytest.raises(DatabaseError):
        revision_review(revision=revision, user=ketua, membership=ketua.memberships.get(), decision=decision,
                        note=note)
    assert rows(Revision, Target, ReviewDecision, AuditEvent) == before
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.SUBMITTED
    assert Target.objects.get(pk=assigned_target.pk).evidence_status == RevisionStatus.SUBMITTED

    # and the revision can still be reviewed
    revision_review(revision=revision, user=ketua, membership=ketua.memberships.get(), decision=decision, note=note)
    assert Target.objects.get(pk=assigned_target.pk).evidence_status == {"accept": RevisionStatus.ACCEPTED,
                                                                         "revise": RevisionStatus.REVISE}[decision]


# -------------------------------------------------------------------------------------------------------------------
# upload
# -------------------------------------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("table, nth, files_on_storage", [
    ("evidence_evidencefile", 2, 2),  # the second file is on storage, its row fails
    ("actionplan_auditevent", 1, 3),  # every file is on storage, the audit record fails
])
def test_database_failing_in_the_middle_of_an_upload_leaves_no_revision_no_file_row_and_no_orphan_file(
        assigned_target, anggota, table, nth, files_on_storage):
    before = rows(Revision, EvidenceFile, Target, AuditEvent)
    files = [upload("sk-tim.pdf", "SK Tim"), upload("daftar-hadir.pdf", "Daftar hadir"),
             upload("notulen.pdf", "Notulen rapat")]
    with database_fails_on(table, nth=nth) as fault, pytest.raises(DatabaseError):
        submit(assigned_target, anggota, files=files)
    assert len(fault.files_when_struck) == files_on_storage
    assert rows(Revision, EvidenceFile, Target, AuditEvent) == before
    assert media_files() == []

    # the member simply uploads again
    revision = submit(assigned_target, anggota, files=[upload("sk-tim.pdf", "SK Tim")])
    assert revision.number == 1 and media_files() == [revision.files.get().file.name]


@pytest.mark.django_db
def test_upload_racing_another_upload_is_refused_with_a_message_and_leaves_no_orphan_file(assigned_target, anggota):
    before = rows(Revision, EvidenceFile, Target, AuditEvent)
    files = [upload("sk-tim.pdf", "SK Tim"), upload("daftar-hadir.pdf", "Daftar hadir")]
    # As when a concurrent upload of the same target committed first (unique revision number / one pending).
    with database_fails_on("evidence_evidencefile", nth=2, error=IntegrityError) as fault, \
            pytest.raises(ValidationError) as refused:
        submit(assigned_target, anggota, files=files, document_date=datetime.date(2019, 2, 21))
    assert "Unggahan bersamaan terdeteksi" in refused.value.messages[0]
    assert len(fault.files_when_struck) == 2
    assert rows(Revision, EvidenceFile, Target, AuditEvent) == before and media_files() == []


# -------------------------------------------------------------------------------------------------------------------
# restore
# -------------------------------------------------------------------------------------------------------------------

@pytest.fixture
def backup_folder(tmp_path, plan, anggota, ketua, assigned_target):
    """A backup of a portal with plan, people and reviewed evidence (four files)."""
    build_evidence(plan=plan, anggota=anggota, ketua=ketua, target=assigned_target)
    folder = tmp_path / "cadangan"
    run("backup", output=str(folder))
    return folder


def assert_instance_empty(*, except_files: tuple[str, ...] = ()) -> None:
    assert tables_with_rows() == []
    assert media_files() == sorted(except_files)


@pytest.mark.django_db
def test_database_failing_in_the_middle_of_a_restore_leaves_the_instance_empty(backup_folder):
    empty_the_instance()
    with database_fails_on("evidence_revision", nth=2), pytest.raises(CommandError) as refused:
        run("restore", str(backup_folder))
    assert str(refused.value).startswith(ROLLED_BACK)
    assert_instance_empty()


@pytest.mark.django_db
def test_storage_failing_in_the_middle_of_a_restore_removes_the_files_already_written(backup_folder):
    names = [item["path"] for item in json.loads((backup_folder / "manifest.json").read_text())["files"]]
    folders = [PurePosixPath(n).parent for n in names]
    # the last file (in restore order) whose folder no earlier file needs: the ones before it are written first
    victim = next(n for i, n in reversed(list(enumerate(names))) if i and folders[i] not in folders[:i])
    empty_the_instance()
    blocker = Path(settings.MEDIA_ROOT) / PurePosixPath(victim).parent  # a file where the folder has to go
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_bytes(b"bukan folder")

    with pytest.raises(CommandError) as refused:
        run("restore", str(backup_folder))
    message = str(refused.value)
    assert message.startswith(ROLLED_BACK) and f"{victim}: tidak dapat ditulis ke penyimpanan" in message
    assert_instance_empty(except_files=(PurePosixPath(victim).parent.as_posix(),))


# Transactional: the failure comes at COMMIT, when the database checks its deferred foreign keys, after every
# file is already on storage. A test transaction never commits.
@pytest.mark.django_db(transaction=True)
def test_database_refusing_the_restore_at_commit_removes_every_file_written(backup_folder):
    # db.json of an inconsistent database (a file row whose revision does not exist), its sum made to match
    db = backup_folder / "db.json"
    objects = json.loads(db.read_text())
    next(o for o in objects if o["model"] == "evidence.evidencefile")["fields"]["revision"] = 999_999
    db.write_text(json.dumps(objects))
    manifest = json.loads((backup_folder / "manifest.json").read_text())
    manifest["db"].update(size=db.stat().st_size, sha256=hashlib.sha256(db.read_bytes()).hexdigest())
    (backup_folder / "manifest.json").write_text(json.dumps(manifest))
    # signed again with the installation's key, as by a backup of such a database (the fault is the point here)
    from zi_portal.lib.backup import _signature

    (backup_folder / "manifest.sig").write_text(_signature((backup_folder / "manifest.json").read_bytes()))
    empty_the_instance()

    with pytest.raises(CommandError) as refused:
        run("restore", str(backup_folder))
    assert str(refused.value).startswith(ROLLED_BACK) and "IntegrityError" in str(refused.value)
    assert_instance_empty()
