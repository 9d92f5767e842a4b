"""Content checks for evidence uploads (bukti fisik): what a file *is*, decided from its bytes, never from its name.

`check_upload` reads the file once, in chunks, computing the SHA-256 in the same pass, so a 100 MB upload never
sits in memory, and recognises the kind from the first bytes. Then each kind is opened by a kept library:

- PDF: qpdf (pikepdf) opens it, repairing a damaged cross-reference table the way readers do, and every object
  is walked with its direct children, objects inside object streams included (also those the cross-reference
  table does not list). Refused: JavaScript anywhere (/JS, /JavaScript name trees and actions, scripts in XFA
  forms), Launch actions, embedded and attached files (/EmbeddedFile, /EF, FileAttachment and rich-media
  annotations, GoToE), actions that run by themselves when the file opens (/OpenAction and /AA with URI,
  SubmitForm, ImportData, GoToR), PDFs that need a password, and PDFs qpdf cannot read or that hold more than
  PDF_MAX_OBJECTS objects (they cannot be checked).
- ZIP-based Office documents: `zipfile` reads the central directory and the small parts asked for;
  [Content_Types].xml and every .rels part are parsed by lxml (any declared encoding, character references
  decoded, no DTD or network). Refused: any VBA project or Excel 4 macro sheet whatever its name or declared
  type (every member that is an OLE compound file is opened with olefile), OLE objects and packages, ActiveX,
  attached templates, relationships to anything outside the package except http(s)/mailto hyperlinks, and
  embedded Office documents that fail the same check; in OpenDocument also event listeners (macros) and
  `xlink:href` links that load something from outside the package.
- JPEG/PNG: Pillow reads the header; more than EVIDENCE_MAX_IMAGE_PIXELS pixels is refused.

Accepted: PDF, JPEG, PNG, DOCX, XLSX, PPTX, ODT, ODS. Everything else is refused with an Indonesian message that
says what the content looks like (program, web page, SVG, archive, old Office format, ...) and what to upload
instead. Each refusal is a `ValidationError` with a stable `code` (see REFUSAL_CODES). These checks refuse what
is known to run or fetch something; they are not a sanitizer, so stored files are served with `nosniff` and a
Content-Disposition all the same.
"""
from __future__ import annotations

import hashlib
import io
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALLOWED_KINDS: dict[str, tuple[str, str]] = {
    "pdf": ("pdf", "application/pdf"),
    "jpeg": ("jpg", "image/jpeg"),
    "png": ("png", "image/png"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "odt": ("odt", "application/vnd.oasis.opendocument.text"),
    "ods": ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
}

# Every `code` a refusal can carry (documentation and tests; the messages are built in the functions below).
REFUSAL_CODES = (
    "berkas_kosong", "berkas_terlalu_besar", "berkas_program", "berkas_skrip", "berkas_html", "berkas_svg",
    "office_lama", "arsip_tidak_didukung", "gambar_tidak_didukung", "jenis_tidak_didukung", "jenis_tidak_dikenal",
    "pdf_tidak_sah", "pdf_berisi_perintah", "pdf_berisi_skrip", "pdf_berisi_lampiran", "pdf_terenkripsi",
    "pdf_tidak_dapat_diperiksa", "office_makro", "office_tidak_sah", "zip_rusak", "zip_bom", "zip_jalur_berbahaya",
    "zip_terlalu_banyak_isi", "ekstensi_tidak_sesuai", "pdf_aksi_otomatis", "office_objek_tersemat",
    "office_tautan_luar", "gambar_terlalu_besar",
)

CHUNK_SIZE = 256 * 1024
HEAD_SIZE = 8192
MAX_NAME_LENGTH = 150
FALLBACK_NAME = "berkas"

ZIP_BOMB_RATIO = 200
ZIP_BOMB_MIN_BYTES = 100 * 1024 * 1024
ZIP_MAX_ENTRIES = 20_000
ZIP_SMALL_MEMBER_CAP = 1024 * 1024  # [Content_Types].xml, `mimetype` and .rels parts are read up to this many bytes
ZIP_OLE_CAP = 32 * 1024 * 1024  # an OLE member is opened (to tell a VBA project from an OLE object) up to this size
ZIP_INSPECT_BUDGET = 64 * 1024 * 1024  # bytes of relationship parts and embedded documents read per upload


# Extensions that name a file type. Only these count as "the extension" of an upload name; anything else after the
# last dot ("Rapat 12.03.2024", "Notulen v1.2 final") is part of the name and the right extension is appended.
_KIND_EXTENSIONS = {
    "pdf": {"pdf"}, "jpeg": {"jpg", "jpeg", "jpe", "jfif"}, "png": {"png"}, "docx": {"docx"}, "xlsx": {"xlsx"},
    "pptx": {"pptx"}, "odt": {"odt"}, "ods": {"ods"},
}
_KEPT_EXTENSIONS = {"jpg", "jpeg"}  # kept as the user wrote them (lower-cased); other aliases become canonical
_OTHER_EXTENSIONS = {
    "doc", "dot", "docm", "dotx", "dotm", "xls", "xlt", "xlsm", "xlsb", "xltx", "xltm", "ppt", "pps", "pot", "pptm",
    "ppsx", "ppsm", "potx", "potm", "odp", "odg", "odf", "ott", "ots", "rtf", "txt", "csv", "tsv", "htm", "html",
    "xhtml", "mht", "mhtml", "svg", "svgz", "xml", "json", "js", "exe", "dll", "com", "scr", "msi", "bat", "cmd",
    "ps1", "vbs", "sh", "py", "php", "jar", "apk", "app", "bin", "elf", "zip", "rar", "7z", "gz", "tgz", "tar", "bz2",
    "xz", "cab", "gif", "bmp", "tif", "tiff", "webp", "heic", "heif", "avif", "ico", "mp3", "mp4", "m4a", "mov", "avi",
    "mkv", "wav", "lnk", "iso", "img", "eml", "msg",
}
_KNOWN_EXTENSIONS = set().union(*_KIND_EXTENSIONS.values(), _OTHER_EXTENSIONS)

# What a refused upload claims to be, from its extension ("bukan PDF yang sah").
_CLAIMED = {
    "pdf": "PDF", "jpg": "gambar JPEG", "jpeg": "gambar JPEG", "jpe": "gambar JPEG", "jfif": "gambar JPEG",
    "png": "gambar PNG", "docx": "dokumen DOCX", "xlsx": "dokumen XLSX", "pptx": "dokumen PPTX",
    "odt": "dokumen ODT", "ods": "dokumen ODS",
}
_KIND_LABEL = {
    "pdf": "PDF", "jpeg": "gambar JPEG", "png": "gambar PNG", "docx": "dokumen Word (DOCX)",
    "xlsx": "lembar kerja Excel (XLSX)", "pptx": "presentasi PowerPoint (PPTX)", "odt": "dokumen OpenDocument (ODT)",
    "ods": "lembar kerja OpenDocument (ODS)",
}


def _accepted_hint() -> str:
    return _("Unggah dokumen PDF, gambar JPEG/PNG, atau dokumen Office (DOCX, XLSX, PPTX, ODT, ODS).")


@dataclass(frozen=True)
class CheckedUpload:
    kind: str  # "pdf", "jpeg", ...: a key of ALLOWED_KINDS
    content_type: str  # MIME type to serve it with
    safe_name: str  # cleaned original name whose extension agrees with `kind`
    size: int  # bytes actually read
    sha256: str  # hex digest computed while reading


@dataclass(frozen=True)
class Sniff:
    """What the first bytes of a file say. `family` is "pdf", "jpeg", "png", "zip" or "refuse" (then `code` and
    `what`, a description of the content in Indonesian, say why)."""

    family: str
    code: str = ""
    what: str = ""


# --------------------------------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------------------------------

_REMOVED_CATEGORIES = {"Cc", "Cf", "Cs"}  # control, format (bidi overrides, zero-width) and surrogate code points


def _split_extension(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    if dot and stem and 0 < len(ext) <= 10 and ext.isalnum():
        return stem, ext
    return name, ""


def _fit(stem: str, ext: str) -> str:
    """`stem.ext` cut to MAX_NAME_LENGTH characters, keeping the extension."""
    if not ext:
        return stem[:MAX_NAME_LENGTH].rstrip(" .") or FALLBACK_NAME
    stem = stem[:MAX_NAME_LENGTH - len(ext) - 1].rstrip(" .") or FALLBACK_NAME
    return f"{stem}.{ext}"


def clean_filename(name: str) -> str:
    """The last path part of `name` (both / and \\ separate parts), NFC-normalised, without control or format
    characters, with whitespace collapsed to single spaces, without leading dots and trailing dots/spaces, at most
    150 characters (the extension is kept), never empty ("berkas")."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(" " if ch.isspace() else ch for ch in name
                   if ch.isspace() or unicodedata.category(ch) not in _REMOVED_CATEGORIES)
    name = re.sub(r" {2,}", " ", name).strip()
    name = name.lstrip(". ").rstrip(" .")
    name = unicodedata.normalize("NFC", name)
    if not name:
        return FALLBACK_NAME
    if len(name) > MAX_NAME_LENGTH:
        name = _fit(*_split_extension(name))
    return name


def _known_extension(name: str) -> tuple[str, str]:
    """(stem, extension) when the name ends in an extension that names a file type, else (name, "")."""
    stem, ext = _split_extension(name)
    if ext and ext.lower() in _KNOWN_EXTENSIONS:
        return stem, ext
    return name, ""


def _claimed(name: str) -> str:
    return _CLAIMED.get(_known_extension(name)[1].lower(), _("dokumen"))


def _safe_name(name: str, kind: str) -> str:
    stem, ext = _known_extension(name)
    lower = ext.lower()
    if ext and lower not in _KIND_EXTENSIONS[kind]:
        canonical = ALLOWED_KINDS[kind][0]
        raise ValidationError(
            _("Nama berkas «%(name)s» berakhiran .%(ext)s, tetapi isinya %(label)s. Periksa apakah berkas yang "
              "dipilih sudah benar; bila sudah, ganti akhiran namanya menjadi .%(canonical)s lalu unggah kembali.")
            % {"name": name, "ext": lower, "label": _KIND_LABEL[kind], "canonical": canonical},
            code="ekstensi_tidak_sesuai")
    final_ext = lower if lower in _KEPT_EXTENSIONS else ALLOWED_KINDS[kind][0]
    return _fit(stem, final_ext)


# --------------------------------------------------------------------------------------------------------------------
# Refusals
# --------------------------------------------------------------------------------------------------------------------

def _mb(n: int) -> str:
    value = round(n / (1024 * 1024), 1)
    if value.is_integer():
        return str(int(value))
    return f"{value:.1f}".replace(".", ",")


def _refuse(code: str, message: str) -> ValidationError:
    return ValidationError(message, code=code)


def _refuse_content(name: str, sniff: Sniff) -> ValidationError:
    """The refusal for content recognised (or not) from its first bytes."""
    params = {"name": name, "claimed": _claimed(name), "what": sniff.what, "hint": _accepted_hint()}
    if sniff.code == "office_lama":
        message = _("Berkas «%(name)s» adalah dokumen Office format lama (DOC/XLS/PPT) atau dokumen Office yang "
                    "dilindungi kata sandi. Buka di Word, Excel, atau PowerPoint, simpan sebagai DOCX, XLSX, atau "
                    "PPTX tanpa kata sandi, lalu unggah kembali.")
    elif sniff.code == "gambar_tidak_didukung":
        message = _("Berkas «%(name)s» berisi %(what)s, yang tidak diterima. Ubah gambarnya ke JPEG atau PNG "
                    "lalu unggah kembali.")
    elif sniff.code == "berkas_svg":
        message = _("Berkas «%(name)s» bukan %(claimed)s yang sah: isinya gambar vektor SVG, yang dapat memuat "
                    "skrip. Ubah gambarnya ke PNG atau JPEG lalu unggah kembali.")
    elif sniff.code == "arsip_tidak_didukung":
        message = _("Berkas «%(name)s» bukan %(claimed)s yang sah: isinya %(what)s. Arsip tidak diterima; "
                    "keluarkan (ekstrak) dokumennya dan unggah satu per satu. %(hint)s")
    elif sniff.code == "pdf_tidak_sah":
        message = _("Berkas «%(name)s» bukan PDF yang sah: ada data lain sebelum tanda awal PDF (%%PDF-). "
                    "Simpan ulang dokumennya sebagai PDF dari aplikasi asalnya lalu unggah kembali.")
    elif sniff.code == "jenis_tidak_dikenal":
        if sniff.what:
            message = _("Jenis isi berkas «%(name)s» tidak diterima: isinya tampak seperti %(what)s. %(hint)s")
        else:
            message = _("Jenis isi berkas «%(name)s» tidak dikenali. %(hint)s")
    else:  # berkas_program, berkas_skrip, berkas_html, jenis_tidak_didukung
        message = _("Berkas «%(name)s» bukan %(claimed)s yang sah: isinya %(what)s. %(hint)s")
    return _refuse(sniff.code, message % params)


# --------------------------------------------------------------------------------------------------------------------
# First bytes
# --------------------------------------------------------------------------------------------------------------------

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF8_BOM = b"\xef\xbb\xbf"
_WHITESPACE = b" \t\r\n\x0c"
_MACHO = (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")
_HTML_START = (b"<!doctype html", b"<html", b"<script", b"<head", b"<body", b"<iframe", b"<meta", b"<frameset",
               b"<object", b"<embed", b"<form", b"<a ", b"<div", b"<style", b"<title")
_HTML_ANYWHERE = re.compile(rb"<(?:!doctype\s+html|html|head|body|script|iframe|frameset)[\s>/]")
_TEXT_BYTES = re.compile(rb"[^\x00-\x08\x0b\x0e-\x1f]*")
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}


def _text_view(head: bytes) -> bytes:
    """The start of `head` as lower-case ASCII-compatible text, without BOM and leading whitespace."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head[:2048].decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
    elif head.startswith(_UTF8_BOM):
        head = head[3:]
    return head.lstrip(_WHITESPACE).lower()


def _looks_like_text(head: bytes) -> bool:
    sample = head[:4096]
    return bool(sample) and _TEXT_BYTES.fullmatch(sample) is not None


def inspect_bytes(head: bytes) -> Sniff:
    """Classify a file from its first bytes (HEAD_SIZE of them, or the whole file when smaller)."""
    b = head
    if b.startswith(b"\xff\xd8\xff"):
        return Sniff("jpeg")
    if b.startswith(_PNG_SIGNATURE):
        return Sniff("png")
    pdf_view = b[3:] if b.startswith(_UTF8_BOM) else b
    if pdf_view.lstrip(_WHITESPACE).startswith(b"%PDF-"):
        return Sniff("pdf")
    if b.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return Sniff("zip")

    # Programs
    if b.startswith(b"MZ"):
        return Sniff("refuse", "berkas_program", _("berkas program Windows (executable EXE/DLL)"))
    if b.startswith(b"\x7fELF"):
        return Sniff("refuse", "berkas_program", _("berkas program Linux (executable ELF)"))
    if b.startswith(_MACHO):
        return Sniff("refuse", "berkas_program", _("berkas program macOS (executable Mach-O)"))
    if b.startswith(b"\xca\xfe\xba\xbe"):
        return Sniff("refuse", "berkas_program", _("berkas program (executable macOS atau kelas Java)"))
    if b.startswith(b"#!"):
        return Sniff("refuse", "berkas_skrip", _("skrip perintah program (diawali «#!»)"))

    if b.startswith(_OLE_SIGNATURE):
        return Sniff("refuse", "office_lama", _("dokumen Office format lama"))

    # Archives
    archives = ((b"Rar!\x1a\x07", "RAR"), (b"7z\xbc\xaf\x27\x1c", "7z"), (b"\x1f\x8b", "gzip"),
                (b"\xfd7zXZ\x00", "xz"), (b"MSCF", "CAB"))
    for magic, label in archives:
        if b.startswith(magic):
            return Sniff("refuse", "arsip_tidak_didukung", _("arsip %(label)s") % {"label": label})
    if len(b) >= 4 and b.startswith(b"BZh") and b[3:4].isdigit():
        return Sniff("refuse", "arsip_tidak_didukung", _("arsip bzip2"))
    if b[257:262] == b"ustar":
        return Sniff("refuse", "arsip_tidak_didukung", _("arsip tar"))

    # Other images and media
    if b.startswith((b"GIF87a", b"GIF89a")):
        return Sniff("refuse", "gambar_tidak_didukung", _("gambar GIF"))
    if b.startswith((b"II*\x00", b"MM\x00*")):
        return Sniff("refuse", "gambar_tidak_didukung", _("gambar TIFF"))
    if b.startswith(b"RIFF") and b[8:12] == b"WEBP":
        return Sniff("refuse", "gambar_tidak_didukung", _("gambar WebP"))
    if b.startswith(b"BM") and len(b) >= 18 and int.from_bytes(b[14:18], "little") in (12, 40, 52, 56, 64, 108, 124):
        return Sniff("refuse", "gambar_tidak_didukung", _("gambar BMP"))
    if b[4:8] == b"ftyp":
        if b[8:12] in _HEIF_BRANDS:
            return Sniff("refuse", "gambar_tidak_didukung", _("gambar HEIC/HEIF (format foto iPhone)"))
        return Sniff("refuse", "jenis_tidak_dikenal", _("berkas video atau audio"))
    if b.startswith(b"{\\rtf"):
        return Sniff("refuse", "jenis_tidak_didukung", _("dokumen RTF"))

    # Text formats
    text = _text_view(b)
    if text.startswith(b"<svg") or (text.startswith((b"<?xml", b"<!--", b"<!doctype svg")) and b"<svg" in text):
        return Sniff("refuse", "berkas_svg", _("gambar vektor SVG"))
    if text.startswith(_HTML_START) or (_looks_like_text(b) and _HTML_ANYWHERE.search(text[:1024])):
        return Sniff("refuse", "berkas_html", _("halaman web (HTML), yang dapat memuat skrip"))
    if text.startswith((b"@echo off", b"@echo on")):
        return Sniff("refuse", "berkas_skrip", _("skrip perintah Windows (batch)"))
    if b"%PDF-" in b[:1024]:
        return Sniff("refuse", "pdf_tidak_sah", _("PDF dengan data lain di depannya"))
    if _looks_like_text(b):
        if text.startswith(b"<?xml"):
            return Sniff("refuse", "jenis_tidak_dikenal", _("dokumen teks XML"))
        return Sniff("refuse", "jenis_tidak_dikenal", _("berkas teks biasa (mis. TXT atau CSV)"))
    return Sniff("refuse", "jenis_tidak_dikenal", "")


# --------------------------------------------------------------------------------------------------------------------
# PDF: every object, parsed by qpdf (pikepdf)
# --------------------------------------------------------------------------------------------------------------------

PDF_MAX_OBJECTS = 300_000  # objects (direct ones included) walked before the PDF counts as uncheckable
PDF_XFA_CAP = 16 * 1024 * 1024  # decoded bytes of XFA form data read to look for scripts
PDF_OBJSTM_CAP = 64 * 1024 * 1024  # decoded bytes of object streams re-read for objects the xref does not list

# Actions that run or fetch something by themselves when they sit in /OpenAction or an /AA (additional actions)
# entry, i.e. without the reader clicking anything.
_PDF_AUTO_ACTIONS = {"/URI", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE", "/Launch", "/JavaScript"}
_PDF_SCRIPT = re.compile(rb"<(?:[A-Za-z0-9_]+:)?script\b|javascript|formcalc", re.IGNORECASE)
_PDF_REF = re.compile(rb"\b\d{1,10}\s+\d{1,5}\s+R\b")


class _PdfTooComplex(Exception):
    pass


class PdfFindings:
    """What `inspect_pdf` found: `found` holds "javascript", "launch", "embedded" and/or "auto_action";
    `auto_targets` the kinds of automatic actions (URI, SubmitForm, ...)."""

    def __init__(self):
        self.found: set[str] = set()
        self.auto_targets: set[str] = set()
        self._seen = 0

    def count(self) -> None:
        self._seen += 1
        if self._seen > PDF_MAX_OBJECTS:
            raise _PdfTooComplex()


def _pdf_actions(action, findings: PdfFindings) -> None:
    """Record an automatic action and the ones chained after it (/Next), whatever their nesting."""
    import pikepdf

    stack, seen = [action], 0
    while stack and seen < 1000:
        seen += 1
        item = stack.pop()
        if isinstance(item, pikepdf.Array):
            stack.extend(item)
            continue
        if not isinstance(item, pikepdf.Dictionary):
            continue
        kind = str(item.get("/S", ""))
        if kind in _PDF_AUTO_ACTIONS:
            findings.found.add("auto_action")
            findings.auto_targets.add(kind.lstrip("/"))
        nxt = item.get("/Next")
        if nxt is not None:
            stack.append(nxt)


def _pdf_xfa(xfa, findings: PdfFindings) -> None:
    """An XFA form is XML in one stream or in an array of (name, stream) pairs; scripts in it are JavaScript or
    FormCalc, which run when the form opens."""
    import pikepdf

    streams = [xfa] if isinstance(xfa, pikepdf.Stream) else [x for x in xfa if isinstance(x, pikepdf.Stream)] \
        if isinstance(xfa, pikepdf.Array) else []
    budget = PDF_XFA_CAP
    for stream in streams:
        data = stream.read_bytes()[:budget]
        budget -= len(data)
        if _PDF_SCRIPT.search(data):
            findings.found.add("javascript")
        if budget <= 0:
            break


def _pdf_walk(root, findings: PdfFindings) -> None:
    """Walk one object and its direct children (indirect ones are walked on their own), recording what it holds."""
    import pikepdf

    _containers = (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)
    stack = [root]
    while stack:
        obj = stack.pop()
        findings.count()
        if isinstance(obj, pikepdf.Array):
            stack.extend(x for x in obj if isinstance(x, _containers) and not x.is_indirect)
            continue
        if isinstance(obj, pikepdf.Stream):
            obj = obj.stream_dict
        elif not isinstance(obj, pikepdf.Dictionary):
            continue
        keys = set(obj.keys())
        kind, subtype, typ = str(obj.get("/S", "")), str(obj.get("/Subtype", "")), str(obj.get("/Type", ""))
        if "/JS" in keys or "/JavaScript" in keys or kind == "/JavaScript":
            findings.found.add("javascript")
        if kind == "/Launch":
            findings.found.add("launch")
        if ({"/EmbeddedFile", "/EmbeddedFiles", "/EF"} & keys or typ == "/EmbeddedFile" or kind == "/GoToE"
                or subtype in ("/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen")):
            findings.found.add("embedded")
        for key in ("/OpenAction", "/AA"):
            if key in keys:
                value = obj[key]
                if key == "/AA" and isinstance(value, pikepdf.Dictionary):
                    for trigger in value.keys():
                        _pdf_actions(value[trigger], findings)
                else:
                    _pdf_actions(value, findings)
        if "/XFA" in keys:
            _pdf_xfa(obj["/XFA"], findings)
        for key in keys:
            value = obj[key]
            if isinstance(value, _containers) and not value.is_indirect:
                stack.append(value)


def _pdf_object_stream_members(stream, findings: PdfFindings, budget: list[int]) -> None:
    """The objects an object stream holds, each parsed on its own: also those the cross-reference table does not
    list, which a reader repairing the file may still find. References become null (each parse stands alone)."""
    import pikepdf

    data = stream.read_bytes()
    budget[0] -= len(data)
    if budget[0] < 0:
        raise _PdfTooComplex()
    try:
        count, first = int(stream.get("/N", 0)), int(stream.get("/First", 0))
    except (TypeError, ValueError):
        raise _PdfTooComplex() from None
    header = data[:first].split()
    offsets = [int(x) for x in header[1::2][:count] if x.isdigit()]
    ends = offsets[1:] + [len(data) - first]
    for start, end in zip(offsets, ends, strict=False):
        body = _PDF_REF.sub(b"null", data[first + start:first + end])
        try:
            member = pikepdf.Object.parse(body)
        except Exception:  # noqa: BLE001 - qpdf's own parse errors; the member is simply not an object
            continue
        _pdf_walk(member, findings)


def inspect_pdf(source) -> PdfFindings:
    """Open a PDF with qpdf (a path or a seekable binary stream) and walk every object it holds, those inside
    object streams included, recording JavaScript (actions, name trees, XFA scripts), launch actions, embedded
    and attached files, and actions that run by themselves on opening (/OpenAction, /AA: URI, SubmitForm, ...).

    Raises pikepdf.PasswordError for a PDF that cannot be opened without a password, pikepdf.PdfError for one
    qpdf cannot read, and _PdfTooComplex past PDF_MAX_OBJECTS objects."""
    import pikepdf

    findings = PdfFindings()
    budget = [PDF_OBJSTM_CAP]
    with pikepdf.open(source) as pdf:
        _pdf_walk(pdf.trailer, findings)
        for obj in pdf.objects:
            _pdf_walk(obj, findings)
            if isinstance(obj, pikepdf.Stream) and str(obj.stream_dict.get("/Type", "")) == "/ObjStm":
                _pdf_object_stream_members(obj, findings, budget)
    return findings


def _pdf_source(uploaded):
    path = getattr(uploaded, "temporary_file_path", None)
    if path is not None:
        return path()
    uploaded.seek(0)
    return io.BytesIO(uploaded.read())


def _check_pdf(uploaded, name: str) -> None:
    import pikepdf

    try:
        findings = inspect_pdf(_pdf_source(uploaded))
    except pikepdf.PasswordError:
        raise _refuse("pdf_terenkripsi", _(
            "PDF «%(name)s» dilindungi (terenkripsi) sehingga isinya tidak dapat diperiksa. Simpan ulang tanpa "
            "kata sandi atau proteksi (mis. cetak ke PDF dengan «Microsoft Print to PDF») lalu unggah kembali.")
            % {"name": name}) from None
    except (pikepdf.PdfError, _PdfTooComplex, RecursionError, ValueError, TypeError) as exc:
        raise _refuse("pdf_tidak_dapat_diperiksa", _(
            "PDF «%(name)s» tidak dapat diperiksa karena sebagian isinya rusak, terlalu rumit, atau memakai "
            "pemadatan yang tidak didukung. Simpan ulang dokumennya sebagai PDF lalu unggah kembali.")
            % {"name": name}) from exc
    found = findings.found
    if not found:
        return
    parts = []
    if "launch" in found:
        parts.append(_("perintah untuk menjalankan program lain (aksi Launch)"))
    if "javascript" in found:
        parts.append(_("skrip JavaScript yang dapat berjalan saat berkas dibuka"))
    if "embedded" in found:
        parts.append(_("berkas lain yang disematkan atau dilampirkan di dalamnya (lampiran tersembunyi)"))
    if "auto_action" in found:
        parts.append(_("perintah yang berjalan sendiri saat berkas dibuka (membuka alamat internet, mengirim "
                       "formulir, atau membuka berkas lain: %(kinds)s)")
                     % {"kinds": ", ".join(sorted(findings.auto_targets))})
    code = ("pdf_berisi_perintah" if "launch" in found else
            "pdf_berisi_skrip" if "javascript" in found else
            "pdf_berisi_lampiran" if "embedded" in found else "pdf_aksi_otomatis")
    message = _("PDF «%(name)s» ditolak karena berisi %(what)s. Buat ulang PDF-nya tanpa isi tersebut, mis. "
                "dengan mencetaknya ke PDF («Microsoft Print to PDF» atau «Simpan sebagai PDF»).")
    if "embedded" in found:
        message += " " + _("Lampiran yang memang diperlukan unggah sebagai berkas bukti terpisah.")
    raise _refuse(code, message % {"name": name, "what": _(" dan ").join(parts)})


# --------------------------------------------------------------------------------------------------------------------
# ZIP-based documents
# --------------------------------------------------------------------------------------------------------------------

_OOXML_MAIN_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
_ODF_MIMETYPES = {b"application/vnd.oasis.opendocument.text": "odt",
                  b"application/vnd.oasis.opendocument.spreadsheet": "ods"}


class _RandomAccess:
    """seek/tell/read over an upload for `zipfile`, needing only .seek(pos) and .read(n) from it."""

    def __init__(self, f, size: int):
        self._f, self._size, self._pos = f, size, 0
        f.seek(0)

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self._size}[whence]
        self._pos = max(0, base + offset)
        self._f.seek(self._pos)
        return self._pos

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = max(0, self._size - self._pos)
        data = self._f.read(n)
        self._pos += len(data)
        return data


def _zip_entry_count(f: _RandomAccess, size: int) -> int | None:
    """The number of entries the end-of-central-directory record announces (ZIP64 included), before `zipfile`
    builds one object per entry."""
    tail_len = min(size, 22 + 0xFFFF + 20)
    f.seek(size - tail_len)
    tail = f.read(tail_len)
    i = tail.rfind(b"PK\x05\x06")
    if i < 0 or len(tail) - i < 22:
        return None
    total = struct.unpack("<H", tail[i + 10:i + 12])[0]
    if total != 0xFFFF:
        return total
    j = i - 20
    if j >= 0 and tail[j:j + 4] == b"PK\x06\x07":
        (offset,) = struct.unpack("<Q", tail[j + 8:j + 16])
        f.seek(offset)
        record = f.read(56)
        if record[:4] == b"PK\x06\x06" and len(record) == 56:
            return struct.unpack("<Q", record[32:40])[0]
    return None


def _unsafe_member(filename: str) -> bool:
    if filename.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", filename):
        return True
    return any(part == ".." for part in re.split(r"[\\/]", filename))


def _printable(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch) not in _REMOVED_CATEGORIES)


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with zf.open(info) as member:
        return member.read(ZIP_SMALL_MEMBER_CAP)


def _inspect_zip(uploaded, size: int, name: str) -> str:
    """The kind of a ZIP-based upload (docx, xlsx, pptx, odt, ods), or a ValidationError."""
    params = {"name": name, "claimed": _claimed(name), "hint": _accepted_hint()}
    return _inspect_package(_RandomAccess(uploaded, size), size, params, budget=[ZIP_INSPECT_BUDGET], depth=0)


def _inspect_package(view, size: int, params: dict, *, budget: list[int], depth: int) -> str:
    broken = _refuse("zip_rusak", _(
        "Berkas «%(name)s» tampak seperti dokumen Office atau arsip ZIP, tetapi rusak atau tidak lengkap sehingga "
        "tidak dapat dibaca. Simpan ulang dokumennya lalu unggah kembali.") % params)
    count = _zip_entry_count(view, size)
    if count is not None and count > ZIP_MAX_ENTRIES:
        raise _refuse("zip_terlalu_banyak_isi", _(
            "Berkas «%(name)s» ditolak: di dalamnya ada %(count)s bagian, melebihi batas %(max)s. Dokumen biasa "
            "tidak sebanyak itu; periksa kembali berkasnya.") % {**params, "count": count, "max": ZIP_MAX_ENTRIES})
    try:
        zf = zipfile.ZipFile(view)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, struct.error) as exc:
        raise broken from exc
    with zf:
        infos = zf.infolist()
        unsafe = next((i.filename for i in infos if _unsafe_member(i.filename)), None)
        if unsafe is not None:
            raise _refuse("zip_jalur_berbahaya", _(
                "Berkas «%(name)s» ditolak: di dalamnya ada bagian bernama «%(member)s» yang mencoba keluar dari "
                "foldernya (jalur berbahaya). Simpan ulang dokumennya dari aplikasi asalnya lalu unggah kembali.")
                % {**params, "member": _printable(unsafe)[:80]})
        unpacked = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos)
        if unpacked > ZIP_BOMB_MIN_BYTES and unpacked > ZIP_BOMB_RATIO * max(packed, 1):
            raise _refuse("zip_bom", _(
                "Berkas «%(name)s» ditolak: isinya dipadatkan secara tidak wajar (%(packed)s MB menjadi %(unpacked)s "
                "MB bila dibuka), ciri arsip berbahaya (zip bomb).")
                % {**params, "packed": _mb(packed), "unpacked": _mb(unpacked)})
        by_lower = {i.filename.lower(): i for i in infos}
        try:
            kind = _zip_kind(zf, infos, by_lower, params)
            _zip_active_content(zf, infos, kind, params, budget=budget, depth=depth)
            return kind
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError,
                zlib.error) as exc:
            raise broken from exc


def _macro(params: dict) -> ValidationError:
    return _refuse("office_makro", _(
        "Dokumen «%(name)s» ditolak karena berisi makro (VBA atau skrip) yang dapat menjalankan program. Simpan "
        "ulang sebagai dokumen biasa tanpa makro (DOCX, XLSX, PPTX, ODT, atau ODS) lalu unggah kembali.") % params)


def _zip_kind(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], by_lower: dict[str, zipfile.ZipInfo],
              params: dict) -> str:
    macro = _macro(params)

    def unsupported(what: str, code: str = "jenis_tidak_didukung") -> ValidationError:
        return _refuse(code, _("Berkas «%(name)s» bukan %(claimed)s yang sah: isinya %(what)s. %(hint)s")
                       % {**params, "what": what})

    if not infos:
        raise unsupported(_("arsip ZIP kosong"), "arsip_tidak_didukung")
    if "classes.dex" in by_lower or "androidmanifest.xml" in by_lower:
        raise unsupported(_("berkas program (aplikasi Android APK)"), "berkas_program")
    if "meta-inf/manifest.mf" in by_lower and any(n.endswith(".class") for n in by_lower):
        raise unsupported(_("berkas program (Java JAR)"), "berkas_program")

    # OpenDocument: the first member is `mimetype`, holding the document's MIME type.
    if infos[0].filename == "mimetype":
        mimetype = _read_member(zf, infos[0]).strip()
        if any(n.startswith(("basic/", "scripts/")) for n in by_lower):
            raise macro
        kind = _ODF_MIMETYPES.get(mimetype)
        if kind is None:
            label = mimetype.decode("ascii", errors="replace")[:80] or "?"
            raise unsupported(_("dokumen OpenDocument jenis lain (%(type)s)") % {"type": label})
        return kind

    # Office Open XML: [Content_Types].xml and one main part; macro-enabled files refused whatever their name.
    if "[content_types].xml" in by_lower:
        if any("vbaproject" in n.rsplit("/", 1)[-1] or n.startswith("xl/macrosheets/") for n in by_lower):
            raise macro
        types = _ooxml_xml(zf, by_lower["[content_types].xml"], params)
        for element in types.iter("{*}Default", "{*}Override"):
            content_type = (element.get("ContentType") or "").lower()
            if "macro" in content_type or "vba" in content_type:
                raise macro
        kinds = [kind for kind, part in _OOXML_MAIN_PARTS.items() if part in by_lower]
        if len(kinds) == 1:
            return kinds[0]
        if len(kinds) > 1:
            raise _refuse("office_tidak_sah", _(
                "Berkas «%(name)s» bukan dokumen Office yang sah: isinya sekaligus memuat bagian Word, Excel, atau "
                "PowerPoint. Simpan ulang dokumennya dari aplikasi asalnya lalu unggah kembali.") % params)
        raise unsupported(_("dokumen Office jenis lain (mis. XLSB atau templat)"))
    raise unsupported(_("arsip ZIP biasa, bukan dokumen Office"), "arsip_tidak_didukung")


# Relationship types (the last part of the Type URI, lower-case) that load a program or another document into
# this one: macros, OLE objects and ActiveX controls, templates. Refused wherever they point.
_ACTIVE_RELATIONSHIPS = {
    "vbaproject": "makro", "wordvbadata": "makro", "vbaprojectsignature": "makro", "xlmacrosheet": "makro",
    "xlintlmacrosheet": "makro", "oleobject": "ole", "activex": "ole", "activexcontrolbinary": "ole",
    "control": "ole", "attachedtemplate": "template",
}
_SAFE_LINK_SCHEMES = ("http://", "https://", "mailto:")
_XML_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}


def _ooxml_xml(zf: zipfile.ZipFile, info: zipfile.ZipInfo, params: dict):
    """A package XML part parsed by lxml (any encoding it declares, UTF-16 included; character references
    decoded; no external entity, no network; libxml2 stops entity amplification, and a part with a DTD at all is
    refused)."""
    from lxml import etree

    damaged = _refuse("office_tidak_sah", _(
        "Berkas «%(name)s» bukan dokumen Office yang sah: bagian «%(part)s» di dalamnya rusak. Simpan ulang "
        "dokumennya dari aplikasi asalnya lalu unggah kembali.") % {**params, "part": _printable(info.filename)[:80]})
    data = _read_member(zf, info)
    try:
        root = etree.fromstring(data, etree.XMLParser(**_XML_PARSER_OPTIONS))
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise damaged from exc
    if root.getroottree().docinfo.internalDTD is not None:
        raise damaged  # Office never writes a DTD; entity tricks are all that one could add here
    return root


def _refuse_ole(params: dict, what: str) -> ValidationError:
    return _refuse("office_objek_tersemat", _(
        "Dokumen «%(name)s» ditolak karena berisi %(what)s, yang dapat menjalankan program saat dokumen dibuka. "
        "Hapus objek tersebut (sisipkan sebagai gambar bila perlu) lalu simpan ulang dan unggah kembali.")
        % {**params, "what": what})


def _ole_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, params: dict) -> ValidationError:
    """The refusal for a member that is an OLE compound file: a VBA project (macros, whatever the member is
    called), an OLE Package (a file, often a program, wrapped for double-clicking), or another OLE object."""
    import olefile

    with zf.open(info) as member:
        data = member.read(ZIP_OLE_CAP + 1)
    if len(data) > ZIP_OLE_CAP:
        return _refuse_ole(params, _("objek OLE tersemat"))
    try:
        ole = olefile.OleFileIO(data)
    except (OSError, ValueError, IndexError, struct.error):
        return _refuse_ole(params, _("objek OLE tersemat"))
    with ole:
        streams = ["/".join(entry).lower() for entry in ole.listdir(streams=True, storages=True)]
    if any(s == "vba" or s.startswith("vba/") or s.endswith("_vba_project") or "/vba/" in s for s in streams):
        return _macro(params)
    if any(s.endswith("\x01ole10native") for s in streams):
        return _refuse_ole(params, _("paket OLE berisi berkas lain (sering kali program)"))
    return _refuse_ole(params, _("objek OLE tersemat"))


_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_ODF_HYPERLINK = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}a"
_ODF_SCRIPT_NS = "urn:oasis:names:tc:opendocument:xmlns:script:1.0"


def _odf_links(zf: zipfile.ZipFile, params: dict, *, budget: list[int]) -> None:
    """OpenDocument: refuse event listeners (they run macros, also ones installed on the reader's computer) and
    any `xlink:href` that loads something from outside the package (a linked image, object or section) — only a
    hyperlink (`text:a`) may point to an http(s)/mailto address or inside the document."""
    names = {i.filename: i for i in zf.infolist()}
    for part in ("content.xml", "styles.xml"):
        info = names.get(part)
        if info is None:
            continue
        budget[0] -= min(info.file_size, ZIP_SMALL_MEMBER_CAP)
        if budget[0] < 0 or info.file_size > ZIP_SMALL_MEMBER_CAP * 32:
            return  # a huge text part: its links are not read (macros and OLE members are already refused)
        with zf.open(info) as member:
            data = member.read()
        from lxml import etree

        try:
            root = etree.fromstring(data, etree.XMLParser(**_XML_PARSER_OPTIONS))
        except (etree.XMLSyntaxError, ValueError):
            continue  # not well-formed XML: no reader loads anything from it either
        for element in root.iter():
            tag = element.tag if isinstance(element.tag, str) else ""
            if tag.startswith("{" + _ODF_SCRIPT_NS + "}"):
                raise _macro(params)
            href = (element.get(_XLINK_HREF) or "").strip()
            if not href:
                continue
            lower = href.lower()
            if tag == _ODF_HYPERLINK:
                if lower.startswith(_SAFE_LINK_SCHEMES) or lower.startswith("#"):
                    continue
            elif ":" not in lower.split("/", 1)[0] and not lower.startswith(("/", "\\", "../")):
                continue  # a part of this package ("Pictures/1.png", "./Object 1")
            raise _refuse("office_tautan_luar", _(
                "Dokumen «%(name)s» ditolak karena memuat sesuatu dari luar dokumen saat dibuka (templat, "
                "gambar, atau objek dari alamat «%(target)s»). Simpan ulang dokumennya tanpa tautan tersebut "
                "(mis. «Simpan sebagai» DOCX baru dengan templat Normal) lalu unggah kembali.")
                % {**params, "target": _printable(href)[:80]})


def _zip_active_content(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], kind: str, params: dict, *,
                        budget: list[int], depth: int) -> None:
    """Refuse what runs or fetches something when the document opens: members that are OLE files (VBA projects,
    OLE objects and packages, ActiveX, whatever they are called), relationships to macros, OLE objects or
    templates, and relationships that point outside the package (remote templates, linked images, `mhtml:`
    objects) other than plain web and e-mail hyperlinks. Embedded Office documents (a chart's workbook) get the
    same check, one level deep."""
    for info in infos:
        if info.is_dir() or info.file_size == 0:
            continue
        with zf.open(info) as member:
            head = member.read(8)
        if head == _OLE_SIGNATURE:
            raise _ole_member(zf, info, params)
        if head.startswith(b"PK\x03\x04"):
            if depth >= 1 or info.file_size > budget[0]:
                raise _refuse_ole(params, _("dokumen lain yang tersemat berlapis-lapis"))
            budget[0] -= info.file_size
            with zf.open(info) as member:
                data = member.read()
            _inspect_package(io.BytesIO(data), len(data), params, budget=budget, depth=depth + 1)
    if kind not in _OOXML_MAIN_PARTS:
        _odf_links(zf, params, budget=budget)
        return
    for info in infos:
        if not info.filename.lower().endswith(".rels"):
            continue
        budget[0] -= min(info.file_size, ZIP_SMALL_MEMBER_CAP)
        if budget[0] < 0:
            raise _refuse("office_tidak_sah", _(
                "Berkas «%(name)s» tidak dapat diperiksa karena terlalu banyak bagian di dalamnya. Simpan ulang "
                "dokumennya dari aplikasi asalnya lalu unggah kembali.") % params)
        for rel in _ooxml_xml(zf, info, params).iter("{*}Relationship"):
            rel_type = (rel.get("Type") or "").rstrip("/").rsplit("/", 1)[-1].lower()
            target = (rel.get("Target") or "").strip()
            active = _ACTIVE_RELATIONSHIPS.get(rel_type)
            if active == "makro":
                raise _macro(params)
            if active == "ole":
                raise _refuse_ole(params, _("objek OLE atau kontrol ActiveX"))
            external = (rel.get("TargetMode") or "").strip().lower() == "external"
            if active == "template" or (external and not (
                    rel_type == "hyperlink" and target.lower().startswith(_SAFE_LINK_SCHEMES))):
                raise _refuse("office_tautan_luar", _(
                    "Dokumen «%(name)s» ditolak karena memuat sesuatu dari luar dokumen saat dibuka (templat, "
                    "gambar, atau objek dari alamat «%(target)s»). Simpan ulang dokumennya tanpa tautan tersebut "
                    "(mis. «Simpan sebagai» DOCX baru dengan templat Normal) lalu unggah kembali.")
                    % {**params, "target": _printable(target)[:80] or "?"})


# --------------------------------------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------------------------------------

def _check_image(uploaded, name: str, kind: str) -> None:
    """Refuse an image whose header announces more than EVIDENCE_MAX_IMAGE_PIXELS pixels: a few kilobytes can
    announce 65535 × 65535 pixels (16 GB once a browser or a thumbnailer decodes them). Pillow reads the header
    only; an image whose header it cannot read is left to the content check above (it is served as a file)."""
    import warnings

    from django.conf import settings
    from PIL import Image

    limit = settings.EVIDENCE_MAX_IMAGE_PIXELS
    uploaded.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(uploaded, formats=[kind.upper()]) as image:
                width, height = image.size
    except Image.DecompressionBombError:
        width = height = None
    except (OSError, ValueError, SyntaxError, struct.error, EOFError):
        return
    if width is None or width * height > limit:
        size = _("%(w)s × %(h)s piksel") % {"w": width, "h": height} if width else _("sangat besar")
        raise _refuse("gambar_terlalu_besar", _(
            "Gambar «%(name)s» ditolak karena ukurannya %(size)s, melebihi batas %(limit)s juta piksel. Perkecil "
            "gambarnya (mis. kirim ulang dari ponsel dengan ukuran sedang) lalu unggah kembali.")
            % {"name": name, "size": size, "limit": _mb_pixels(limit)})


def _mb_pixels(n: int) -> str:
    value = round(n / 1_000_000, 1)
    return str(int(value)) if value.is_integer() else f"{value:.1f}".replace(".", ",")


# --------------------------------------------------------------------------------------------------------------------
# The check
# --------------------------------------------------------------------------------------------------------------------

def _chunks(uploaded):
    uploaded.seek(0)
    chunks = getattr(uploaded, "chunks", None)
    if chunks is not None:
        yield from chunks(CHUNK_SIZE)
        return
    while data := uploaded.read(CHUNK_SIZE):
        yield data


def _declared_size(uploaded) -> int | None:
    size = getattr(uploaded, "size", None)
    if size is not None:
        return int(size)
    try:
        uploaded.seek(0, 2)
        return uploaded.tell()
    except (AttributeError, OSError, TypeError, ValueError):
        return None


def too_large(name: str, size: int | None, max_bytes: int) -> ValidationError:
    params = {"name": name, "limit": _mb(max_bytes), "size": _mb(size or 0)}
    if size is None:
        message = _("Berkas «%(name)s» melebihi batas %(limit)s MB. Perkecil berkasnya (mis. kompres PDF atau pecah "
                    "menjadi beberapa berkas) lalu unggah kembali.")
    else:
        message = _("Berkas «%(name)s» berukuran %(size)s MB, melebihi batas %(limit)s MB. Perkecil berkasnya (mis. "
                    "kompres PDF atau pecah menjadi beberapa berkas) lalu unggah kembali.")
    return _refuse("berkas_terlalu_besar", message % params)


def _empty(name: str) -> ValidationError:
    return _refuse("berkas_kosong", _("Berkas «%(name)s» kosong (0 byte). Pilih kembali berkasnya lalu unggah ulang.")
                   % {"name": name})


def check_upload(uploaded, *, max_bytes: int) -> CheckedUpload:
    """Check an upload by its content. `uploaded` is a Django UploadedFile or any object with .name, .size,
    .chunks(chunk_size) (optional) and .seek/.read. Returns what was found; raises ValidationError (Indonesian
    message, a `code` from REFUSAL_CODES) when refused. Reads the file once in chunks, hashing as it goes, and
    leaves the position at 0."""
    name = clean_filename(getattr(uploaded, "name", "") or "")
    try:
        return _check(uploaded, name, max_bytes)
    finally:
        try:
            uploaded.seek(0)
        except (AttributeError, OSError, ValueError):
            pass


def _check(uploaded, name: str, max_bytes: int) -> CheckedUpload:
    declared = _declared_size(uploaded)
    if declared == 0:
        raise _empty(name)
    if declared is not None and declared > max_bytes:
        raise too_large(name, declared, max_bytes)

    digest = hashlib.sha256()
    total = 0
    head = b""
    sniff: Sniff | None = None
    for chunk in _chunks(uploaded):
        if not chunk:
            continue
        total += len(chunk)
        if total > max_bytes:
            raise too_large(name, None, max_bytes)
        digest.update(chunk)
        if sniff is None:
            head += chunk[:HEAD_SIZE - len(head)]
            if len(head) < HEAD_SIZE:
                continue
            sniff = inspect_bytes(head)
            if sniff.family == "refuse":
                raise _refuse_content(name, sniff)
    if total == 0:
        raise _empty(name)
    if sniff is None:
        sniff = inspect_bytes(head)
        if sniff.family == "refuse":
            raise _refuse_content(name, sniff)

    if sniff.family == "pdf":
        _check_pdf(uploaded, name)
        kind = "pdf"
    elif sniff.family == "zip":
        kind = _inspect_zip(uploaded, total, name)
    else:
        kind = sniff.family  # jpeg, png
        _check_image(uploaded, name, kind)
    return CheckedUpload(kind=kind, content_type=ALLOWED_KINDS[kind][1], safe_name=_safe_name(name, kind),
                         size=total, sha256=digest.hexdigest())
