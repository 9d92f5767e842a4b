"""Consistent backups of the portal (database + every referenced file) that restore byte for byte.

A backup is a directory:

    manifest.json   what is inside: versions, database vendor, applied migrations, row counts per model,
                    size + SHA-256 of db.json and of every file, referenced files missing from storage
    manifest.sig    HMAC-SHA256 of manifest.json's exact bytes with BACKUP_KEY (absent when no key was set)
    db.json         every row, written with Django's JSON serializer (primary keys kept; foreign keys to
                    permissions and content types by natural key, so they survive a fresh `migrate`)
    files/<name>    every file a FileField in the database points to, under its exact storage name

The database is portable: a backup taken on SQLite restores onto PostgreSQL and the other way round, because
db.json is plain JSON and not a vendor dump. Rows and the file list come from ONE read transaction
(REPEATABLE READ, read only, on PostgreSQL), so every row that names a file has that file in the backup.
Files are read through `default_storage` in chunks, so the same code works for a local MEDIA_ROOT and S3.

Integrity is not authenticity: anyone who can edit the folder can edit db.json and write its new size and
SHA-256 into the manifest. So the manifest is signed with an HMAC keyed by the BACKUP_KEY environment variable
(kept apart from the backups), and `restore` refuses a backup whose signature is missing or wrong, or when it has
no key to check with, unless the operator says `--accept-unsigned` (after checking where the backup came from).

Not copied: content types and permissions (`migrate` recreates them), sessions and the admin log.
A restore needs an empty, migrated instance with the same migrations applied; it checks every sum before it
touches anything and again after writing each file, and rolls everything back on any failure.
"""
from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import os
import platform
import secrets
import shutil
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "portal-zi-backup/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
DB_FILE = "db.json"
FILES_DIR = "files"
CHUNK = 1024 * 1024
ROLLED_BACK = ("Pemulihan gagal; tidak ada yang dipulihkan (basis data dikembalikan seperti semula, berkas yang "
               "sempat ditulis dihapus).")
# migrate recreates these; sessions and the admin log are not worth restoring.
EXCLUDED_MODELS = {"contenttypes.contenttype", "auth.permission", "sessions.session", "admin.logentry"}


class BackupError(Exception):
    """A backup or restore that cannot go on; `problems` lists every reason found (Indonesian, for operators)."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []

    def report(self) -> str:
        return "\n".join([str(self), *(f"  - {p}" for p in self.problems)])


@dataclass
class Manifest:
    data: dict
    path: Path

    @property
    def complete(self) -> bool:
        return not self.data["missing_files"]


@dataclass
class RestoreSummary:
    counts: dict[str, int]
    files: int
    bytes: int
    checked: list[str] = field(default_factory=list)


# -------------------------------------------------------------------------------------------------------------------
# helpers
# -------------------------------------------------------------------------------------------------------------------

class _ExactJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts datetimes to milliseconds (ECMA-262); a restore must give back the microseconds."""

    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)


def backup_models() -> list[type[models.Model]]:
    """Every concrete model whose rows go into a backup, parents before the models that point at them."""
    app_list = {cfg: None for cfg in apps.get_app_configs() if cfg.models_module is not None}
    ordered = serializers.sort_dependencies(app_list.items(), allow_cycles=True)
    return [m for m in ordered
            if m._meta.label_lower not in EXCLUDED_MODELS and not m._meta.proxy and m._meta.managed]


def _file_fields(model) -> list[models.FileField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def referenced_files() -> dict[str, str]:
    """Storage name → 'app.Model.field#pk' of the first row naming it, for every non-empty FileField."""
    found: dict[str, str] = {}
    for model in backup_models():
        for f in _file_fields(model):
            rows = (model._base_manager.exclude(**{f"{f.attname}__isnull": True}).exclude(**{f.attname: ""})
                    .order_by("pk").values_list("pk", f.attname))
            for pk, name in rows.iterator():
                found.setdefault(name, f"{model._meta.label}.{f.name}#{pk}")
    return found


def _walk_storage(prefix: str = "") -> Iterator[str]:
    """Every file name on default_storage (listdir works for FileSystemStorage and S3 alike)."""
    try:
        dirs, files = default_storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{prefix}{name}"
    for d in dirs:
        yield from _walk_storage(f"{prefix}{d}/")


def _safe_relative(name: str) -> PurePosixPath:
    """A storage name as a path that cannot leave the backup directory."""
    p = PurePosixPath(name)
    if not name or p.is_absolute() or ".." in p.parts or "\\" in name or name != p.as_posix():
        raise BackupError(f"Nama berkas tidak aman: {name!r}")
    return p


def _sha256_stream(fh, out=None) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    while chunk := fh.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if out is not None:
            out.write(chunk)
    return size, digest.hexdigest()


def _sha256_path(path: Path) -> tuple[int, str]:
    with open(path, "rb") as fh:
        return _sha256_stream(fh)


def _portal_version() -> str:
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as fh:
            return tomllib.load(fh)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def _applied_migrations(app_labels: set[str]) -> dict[str, list[str]]:
    applied = MigrationRecorder(connection).applied_migrations()
    out: dict[str, list[str]] = {}
    for app, name in sorted(applied):
        if app in app_labels:
            out.setdefault(app, []).append(name)
    return out


# -------------------------------------------------------------------------------------------------------------------
# backup
# -------------------------------------------------------------------------------------------------------------------

def backup_write(*, output: Path) -> Manifest:
    """Write a complete backup into `output` (which must not exist or be empty).

    Everything is written into a hidden temporary directory beside `output` and renamed at the end, so an
    interrupted backup never looks complete. Referenced files missing from storage are listed in the manifest
    (`missing_files`); the backup is still written so nothing else is lost, but `Manifest.complete` is False and
    `restore` refuses it.
    """
    output = Path(output).resolve()
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise BackupError(f"Folder tujuan {output} sudah ada dan tidak kosong; pilih folder baru.")
    output.parent.mkdir(parents=True, exist_ok=True)
    work = output.parent / f".{output.name}.partial-{secrets.token_hex(4)}"
    work.mkdir()
    try:
        data = _write_into(work)
        if output.exists():
            output.rmdir()  # empty (checked above); rename(2) would replace it anyway, this keeps it explicit
        os.rename(work, output)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return Manifest(data=data, path=output / MANIFEST)


def _write_into(work: Path) -> dict:
    model_list = backup_models()
    counts: dict[str, int] = {m._meta.label: 0 for m in model_list}
    files_out: list[dict] = []
    missing: list[dict] = []

    def rows() -> Iterator[models.Model]:
        for model in model_list:
            for obj in model._base_manager.order_by("pk").iterator(chunk_size=2000):
                counts[model._meta.label] += 1
                yield obj

    # Inside an outer transaction (a test, a caller's atomic) the snapshot is the caller's; SET TRANSACTION is
    # only allowed as the first statement of our own.
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and own_transaction:
            # Must be the transaction's first statement: every later query sees the same snapshot.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        with open(work / DB_FILE, "w", encoding="utf-8") as fh:
            serializers.serialize("json", rows(), stream=fh, indent=None, cls=_ExactJSONEncoder,
                                  use_natural_foreign_keys=True, use_natural_primary_keys=False)
        referenced = referenced_files()
        migrations_applied = _applied_migrations({m._meta.app_label for m in model_list})
        vendor = connection.vendor

    # Names are random and never rewritten (files are PROTECTed up to the target), so copying after the
    # snapshot still copies exactly the bytes the rows describe.
    for name, where in sorted(referenced.items()):
        rel = _safe_relative(name)
        dest = work / FILES_DIR / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            src = default_storage.open(name, "rb")
        except FileNotFoundError:
            missing.append({"path": name, "referenced_by": where})
            continue
        with src, open(dest, "wb") as out:
            size, digest = _sha256_stream(src, out)
        files_out.append({"path": name, "size": size, "sha256": digest})

    unreferenced = sum(1 for n in _walk_storage() if n not in referenced)
    db_size, db_sha = _sha256_path(work / DB_FILE)
    data = {
        "format": FORMAT,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "portal_version": _portal_version(),
        "django_version": django.get_version(),
        "python_version": platform.python_version(),
        "database_vendor": vendor,
        "migrations": migrations_applied,
        "counts": counts,
        "db": {"path": DB_FILE, "size": db_size, "sha256": db_sha},
        "files": files_out,
        "missing_files": missing,
        "unreferenced_files_not_copied": unreferenced,
    }
    with open(work / MANIFEST, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    if _backup_key():
        (work / SIGNATURE).write_text(_signature((work / MANIFEST).read_bytes()) + "\n", encoding="ascii")
    return data


# -------------------------------------------------------------------------------------------------------------------
# authenticity
# -------------------------------------------------------------------------------------------------------------------

def _backup_key() -> bytes:
    return (getattr(settings, "BACKUP_KEY", "") or "").encode("utf-8")


def _signature(manifest: bytes) -> str:
    return "hmac-sha256:" + hmac.new(_backup_key(), manifest, hashlib.sha256).hexdigest()


def backup_is_signed() -> bool:
    """Will backups made now be signed (BACKUP_KEY set)?"""
    return bool(_backup_key())


def backup_authenticate(*, source: Path) -> str | None:
    """Why the manifest in `source` cannot be trusted as written by an installation holding BACKUP_KEY, or None
    when its HMAC matches. Compared in constant time."""
    source = Path(source)
    if not _backup_key():
        return ("BACKUP_KEY tidak diatur, sehingga asal cadangan tidak dapat diperiksa. Atur BACKUP_KEY yang sama "
                "dengan saat pencadangan.")
    try:
        manifest = (source / MANIFEST).read_bytes()
    except OSError:
        return f"{MANIFEST} tidak ada atau tidak dapat dibaca."
    try:
        stored = (source / SIGNATURE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return f"Cadangan tidak bertanda tangan ({SIGNATURE} tidak ada): asalnya tidak dapat dipastikan."
    if not hmac.compare_digest(stored.encode("ascii"), _signature(manifest).encode("ascii")):
        return ("Tanda tangan manifest tidak cocok: manifest atau isinya diubah setelah pencadangan, atau "
                "cadangan dibuat dengan BACKUP_KEY lain.")
    return None


# -------------------------------------------------------------------------------------------------------------------
# verify
# -------------------------------------------------------------------------------------------------------------------

def _load_manifest(source: Path) -> dict:
    try:
        with open(source / MANIFEST, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        raise BackupError(f"{source} bukan cadangan lengkap: {MANIFEST} tidak ada.") from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"{MANIFEST} tidak dapat dibaca: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(f"Format cadangan tidak dikenal (harus {FORMAT}).")
    return data


def backup_verify(*, source: Path) -> list[str]:
    """Every problem found when checking the backup in `source` against its manifest ([] = all sums match).

    Checks db.json and every file (existence, size, SHA-256), files present but not in the manifest, unsafe
    names, and referenced files that were missing when the backup was made."""
    source = Path(source)
    try:
        data = _load_manifest(source)
    except BackupError as exc:
        return [str(exc)]
    problems: list[str] = []
    for item in data.get("missing_files", []):
        problems.append(f"{item['path']}: tidak ada di penyimpanan saat pencadangan ({item['referenced_by']})")
    db = data["db"]
    problems += _check(source / DB_FILE, DB_FILE, db["size"], db["sha256"])
    listed = set()
    for item in data["files"]:
        try:
            rel = _safe_relative(item["path"])
        except BackupError as exc:
            problems.append(str(exc))
            continue
        listed.add(rel.as_posix())
        problems += _check(source / FILES_DIR / rel, item["path"], item["size"], item["sha256"])
    files_root = source / FILES_DIR
    if files_root.is_dir():
        for path in sorted(p for p in files_root.rglob("*") if p.is_file()):
            rel = path.relative_to(files_root).as_posix()
            if rel not in listed:
                problems.append(f"{rel}: ada di folder cadangan tetapi tidak tercatat di manifest")
    return problems


def _check(path: Path, label: str, size: int, sha256: str) -> list[str]:
    if not path.is_file():
        return [f"{label}: berkas tidak ada di cadangan"]
    got_size, got_sha = _sha256_path(path)
    if got_size != size or got_sha != sha256:
        return [f"{label}: checksum tidak cocok (manifest {size} B {sha256[:12]}…, berkas {got_size} B "
                f"{got_sha[:12]}…)"]
    return []


# -------------------------------------------------------------------------------------------------------------------
# restore
# -------------------------------------------------------------------------------------------------------------------

def backup_restore(*, source: Path, accept_unsigned: bool = False) -> RestoreSummary:
    """Bring the backup in `source` back onto this EMPTY, migrated instance, byte for byte.

    Refuses before touching anything when the manifest's HMAC is missing or wrong (unless `accept_unsigned`),
    a sum does not match, the instance has rows, its migrations differ,
    or a file name is already taken on storage. Then loads every row in one transaction (primary keys kept,
    sequences reset on PostgreSQL), writes every file under its exact name and re-reads it to check its sum.
    On any failure the transaction is rolled back and the files written so far are deleted."""
    source = Path(source)
    unsigned = backup_authenticate(source=source)
    if unsigned and not accept_unsigned:
        raise BackupError("Cadangan tidak dapat dipastikan keasliannya; tidak ada yang dipulihkan.", [
            unsigned, "Bila Anda yakin akan asal cadangan ini, jalankan restore dengan --accept-unsigned."])
    problems = backup_verify(source=source)
    if problems:
        raise BackupError("Cadangan tidak utuh; tidak ada yang dipulihkan.", problems)
    data = _load_manifest(source)
    model_list = backup_models()
    _check_target(data, model_list)

    written: list[str] = []
    try:
        with transaction.atomic():
            counts = _load_rows(source, model_list)
            expected = {k: v for k, v in data["counts"].items() if v}
            if counts != expected:
                diff = sorted(set(counts.items()) ^ set(expected.items()))
                raise BackupError("Jumlah baris setelah pemulihan tidak sesuai manifest.",
                                  [f"{label}: {n}" for label, n in diff])
            manifest_names = {item["path"] for item in data["files"]}
            if set(referenced_files()) != manifest_names:
                raise BackupError("Daftar berkas di basis data tidak sama dengan manifest.")
            total = 0
            for item in data["files"]:
                total += _restore_file(source, item, written)
        # Leaving the block commits; the database checks its deferred foreign keys only now, after the files.
    except BaseException as exc:
        for name in written:
            try:
                default_storage.delete(name)
            except OSError:
                pass
        if isinstance(exc, BackupError):
            raise BackupError(ROLLED_BACK, [str(exc), *exc.problems]) from exc
        if isinstance(exc, (DatabaseError, OSError, DeserializationError)):
            raise BackupError(ROLLED_BACK, [f"{type(exc).__name__}: {exc}"]) from exc
        raise
    return RestoreSummary(counts={label: counts.get(label, 0) for label in data["counts"]},
                          files=len(data["files"]), bytes=total,
                          checked=[DB_FILE, *(item["path"] for item in data["files"])])


def _check_target(data: dict, model_list: list) -> None:
    non_empty = [f"{m._meta.label}: {m._base_manager.count()} baris" for m in model_list
                 if m._base_manager.exists()]
    if non_empty:
        raise BackupError("Pemulihan hanya ke instans kosong (sudah di-migrate, tanpa data). Tabel berisi:",
                          non_empty)
    here = _applied_migrations({m._meta.app_label for m in model_list})
    if here != data["migrations"]:
        diff = []
        for app in sorted(set(here) | set(data["migrations"])):
            a, b = set(data["migrations"].get(app, [])), set(here.get(app, []))
            diff += [f"{app}.{n}: hanya di cadangan" for n in sorted(a - b)]
            diff += [f"{app}.{n}: hanya di instans ini" for n in sorted(b - a)]
        raise BackupError("Migrasi instans ini berbeda dengan cadangan; samakan versi portal dahulu.", diff)
    taken = [item["path"] for item in data["files"] if default_storage.exists(item["path"])]
    if taken:
        raise BackupError("Nama berkas sudah dipakai di penyimpanan:", taken)


def _load_rows(source: Path, model_list: list) -> dict[str, int]:
    allowed = {m._meta.label for m in model_list}
    counts: dict[str, int] = {}
    loaded: set[type[models.Model]] = set()
    with open(source / DB_FILE, encoding="utf-8") as fh:
        for item in serializers.deserialize("json", fh, handle_forward_references=False):
            obj = item.object
            label = obj._meta.label
            if label not in allowed:
                raise BackupError(f"db.json berisi model yang tidak dicadangkan: {label}")
            # Raw save, as loaddata does: keeps primary keys and auto_now(_add) values and bypasses model
            # save() overrides (AuditEvent refuses any save with a pk). force_insert: one INSERT, no UPDATE try.
            models.Model.save_base(obj, raw=True, force_insert=True)
            for name, values in (item.m2m_data or {}).items():
                getattr(obj, name).set(values)
            counts[label] = counts.get(label, 0) + 1
            loaded.add(type(obj))
    if loaded:
        # PostgreSQL sequences do not move on inserts with explicit ids; without this the next row collides.
        statements = connection.ops.sequence_reset_sql(no_style(), sorted(loaded, key=lambda m: m._meta.label))
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
    return counts


def _restore_file(source: Path, item: dict, written: list[str]) -> int:
    name = item["path"]
    # `name` was free when the restore began (_check_target): a half-written file under it is ours to remove.
    written.append(name)
    try:
        with open(source / FILES_DIR / _safe_relative(name), "rb") as fh:
            stored = default_storage.save(name, File(fh, name=name))
    except OSError as exc:
        raise BackupError(f"{name}: tidak dapat ditulis ke penyimpanan ({exc})") from exc
    if stored != name:
        written[-1] = stored  # someone else's file took `name` meanwhile: remove only our copy
        raise BackupError(f"{name}: nama sudah dipakai di penyimpanan (tersimpan sebagai {stored}).")
    with default_storage.open(name, "rb") as fh:
        size, digest = _sha256_stream(fh)
    if size != item["size"] or digest != item["sha256"]:
        raise BackupError(f"{name}: checksum berkas yang ditulis ke penyimpanan tidak cocok.")
    return size
