"""Writing the Berkas untuk TPI ZIP in bounded memory, whatever the size of the evidence.

Each bukti fisik is copied from storage into the archive in 1 MiB chunks (never read whole), hashed on the way, and
stored as is (``ZIP_STORED``): PDFs, JPEGs, PNGs and Office files are compressed already. The archive is written to
a temporary file on local disk, then handed to storage (on a file-system storage it is moved, not copied). The index
(indeks.xlsx) is written by openpyxl in write-only mode, one row per file, and goes last, with the SHA-256 computed
from the bytes that went into the archive; a file whose bytes do not match the digest recorded at upload fails the
build rather than ship a document that is not the one accepted.
"""
import hashlib
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass

from django.utils import timezone

CHUNK = 1024 * 1024
INDEX_NAME = "indeks.xlsx"
INDEX_HEADER = ["Komponen", "Sub-komponen", "Indikator", "Langkah aksi", "Berkas dalam ZIP", "Nama berkas asli",
                "Revisi ke", "Pengunggah", "Reviewer", "Diunggah", "Diterima", "Ukuran (bita)", "SHA-256"]
_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


class BundleIntegrityError(Exception):
    """A stored file's bytes differ from the SHA-256 recorded when it was uploaded."""


@dataclass(frozen=True)
class BundleEntry:
    """One accepted file and what its index row says about it."""

    file: object            # EvidenceFile, with revision, decision and the plan path loaded
    arcname: str


def _safe(name: str, limit: int = 80) -> str:
    cleaned = _UNSAFE.sub("_", name).strip(" ._") or "berkas"
    stem, dot, ext = cleaned.rpartition(".")
    if dot and len(ext) <= 10:
        return f"{stem[:limit]}.{ext}"
    return cleaned[:limit]


def entries_for(files) -> list[BundleEntry]:
    """Archive names: <komponen>/<sub-komponen>/<langkah>-<target>/r<revisi>-<nama berkas>, unique."""
    out, seen = [], set()
    for f in files:
        target = f.revision.target
        step = target.step
        sub = step.indicator.subcomponent
        folder = f"{sub.component.code}/{sub.number:02d}/langkah-{step.pk}-target-{target.pk}"
        name = f"{folder}/r{f.revision.number}-{_safe(f.original_name)}"
        n = 2
        while name.lower() in seen:
            stem, dot, ext = name.rpartition(".")
            name = f"{stem}-{n}.{ext}" if dot else f"{name}-{n}"
            n += 1
        seen.add(name.lower())
        out.append(BundleEntry(f, name))
    return out


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _cell(text: str) -> str:
    """No index cell can run as a formula when the TPI opens the sheet."""
    text = text or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _index_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Indeks")
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJKLM", [10, 30, 40, 50, 50, 30, 9, 18, 18, 18, 18, 14, 66]):
        sheet.column_dimensions[letter].width = width
    sheet.append(INDEX_HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_zip(entries: list[BundleEntry], out) -> None:
    """Write the archive of `entries` and its index into the binary file `out` (seekable)."""
    rows = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for entry in entries:
            f = entry.file
            info = zipfile.ZipInfo(entry.arcname, date_time=_local(f.uploaded_at).timetuple()[:6])
            info.compress_type = zipfile.ZIP_STORED
            info.file_size = f.size          # decides ZIP64 for this member before it is written
            digest = hashlib.sha256()
            with f.file.open("rb") as source, archive.open(info, "w") as target:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    target.write(chunk)
            f.file.close()
            if digest.hexdigest() != f.sha256:
                raise BundleIntegrityError(f"{f.original_name} (revisi {f.revision.number})")
            revision = f.revision
            decision = getattr(revision, "decision", None)
            step = revision.target.step
            sub = step.indicator.subcomponent
            rows.append([
                sub.component.code, _cell(sub.name), _cell(step.indicator.text), _cell(step.description),
                entry.arcname, _cell(f.original_name), revision.number,
                _cell(revision.submitted_by.get_full_name() or revision.submitted_by.username),
                _cell((decision.reviewer.get_full_name() or decision.reviewer.username) if decision else ""),
                _local(revision.submitted_at), _local(decision.decided_at) if decision else None,
                f.size, digest.hexdigest()])
        archive.writestr(zipfile.ZipInfo(INDEX_NAME, date_time=timezone.localtime().timetuple()[:6]),
                         _index_bytes(rows))


def build_to_tempfile(entries: list[BundleEntry]):
    """(temporary file, sha256, size): the archive on local disk, rewound; the caller closes it."""
    tmp = tempfile.NamedTemporaryFile(prefix="berkas-tpi-", suffix=".zip")
    write_zip(entries, tmp)
    tmp.flush()
    tmp.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := tmp.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    tmp.seek(0)
    return tmp, digest.hexdigest(), size
