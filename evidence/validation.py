"""Content checks for evidence uploads (bukti fisik): what a file *is*, decided from its bytes, never from its name.

Only the Python standard library and Django are used (no libmagic). `check_upload` reads the file once, in chunks,
computing the SHA-256 in the same pass, so a 100 MB upload never sits in memory; ZIP-based documents are then
inspected through `zipfile`, which only reads the central directory and the few small members asked for.

Accepted: PDF, JPEG, PNG, DOCX, XLSX, PPTX, ODT, ODS. Everything else is refused with an Indonesian message that
says what the content looks like (program, web page, SVG, archive, old Office format, ...) and what to upload
instead. Each refusal is a `ValidationError` with a stable `code` (see REFUSAL_CODES).

The PDF check is a streaming heuristic, not a sanitizer: it refuses PDFs that name JavaScript (/JavaScript,
/JS), a Launch action or embedded files, including inside compressed object streams (/ObjStm, FlateDecode),
and refuses PDFs whose object streams cannot be read (encrypted, unusual filters) because they cannot be checked.
Serve stored files as downloads all the same.
"""
from __future__ import annotations

import hashlib
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
    "zip_terlalu_banyak_isi", "ekstensi_tidak_sesuai",
)

CHUNK_SIZE = 256 * 1024
HEAD_SIZE = 8192
MAX_NAME_LENGTH = 150
FALLBACK_NAME = "berkas"

ZIP_BOMB_RATIO = 200
ZIP_BOMB_MIN_BYTES = 100 * 1024 * 1024
ZIP_MAX_ENTRIES = 20_000
ZIP_SMALL_MEMBER_CAP = 1024 * 1024  # [Content_Types].xml and `mimetype` are read up to this many bytes

PDF_INFLATE_CAP = 256 * 1024 * 1024  # total bytes inflated from object streams before giving up

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
# PDF: streaming scan for active content
# --------------------------------------------------------------------------------------------------------------------

# A name token that may decode to a watched name (/JavaScript /JS /Launch /EmbeddedFile(s)), to one describing a
# stream (/ObjStm, a filter, /Predictor) or to /Encrypt; or one written with #xx escapes (/J#61vaScript).
_PDF_NAME = re.compile(rb"/(?=[JLEOAFRCDP#])[^\x00\t\n\x0c\r /<>\[\](){}%]*")
_PDF_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# /JS followed by its value (a string or an indirect reference), so "/JS" as a bare token in other text is ignored.
_PDF_JS_VALUE = re.compile(
    rb"[\x00\t\n\x0c\r ]{0,32}(?:\(|<(?!<)|\d{1,10}[\x00\t\n\x0c\r ]+\d{1,5}[\x00\t\n\x0c\r ]+R(?![A-Za-z0-9]))")
_PDF_STREAM_EOL = re.compile(rb"[ \t]{0,16}(?:\r\n|\n|\r)")
_PDF_BINARY = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")
_PDF_OBJSTM_HEAD = re.compile(rb"[\x00\t\n\x0c\r ]*\d+[\x00\t\n\x0c\r ]+\d+[\x00\t\n\x0c\r ]")
_PDF_PREDICTOR_VALUE = re.compile(rb"[\x00\t\n\x0c\r ]*(\d{1,3})")
_PDF_FINDINGS = {b"JavaScript": "javascript", b"Launch": "launch", b"EmbeddedFile": "embedded",
                 b"EmbeddedFiles": "embedded"}
_PDF_FLATE = {b"FlateDecode", b"Fl"}
_PDF_FILTERS = _PDF_FLATE | {b"ASCIIHexDecode", b"AHx", b"ASCII85Decode", b"A85", b"LZWDecode", b"LZW",
                             b"RunLengthDecode", b"RL", b"CCITTFaxDecode", b"CCF", b"DCTDecode", b"DCT",
                             b"JBIG2Decode", b"JPXDecode", b"Crypt"}
_PDF_CARRY = 256  # bytes kept back between chunks so no token or keyword is cut in two
_PDF_PROBE_BYTES = 64
_PDF_INFLATE_PIECE = 1024 * 1024


def _pdf_name(raw: bytes) -> bytes:
    if b"#" in raw:
        return _PDF_ESCAPE.sub(lambda m: bytes((int(m.group(1), 16),)), raw)
    return raw


def _find_stream_keyword(buf: bytes, start: int, end: int) -> tuple[int, int] | None:
    """(keyword position, data start) of the first `stream` keyword starting in [start, end)."""
    i = start
    while True:
        i = buf.find(b"stream", i, end + 6)
        if i < 0 or i >= end:
            return None
        if not buf[i - 1:i].isalpha():  # not the end of `endstream` (feed keeps a byte before `start`)
            m = _PDF_STREAM_EOL.match(buf, i + 6)
            if m:
                return i, m.end()
        i += 6


_PDF_OBJ_HEADER_TAIL = re.compile(rb"\d{1,10}[\x00\t\n\x0c\r ]+\d{1,5}[\x00\t\n\x0c\r ]+\Z")


def _find_object_keyword(buf: bytes, start: int, end: int) -> int | None:
    """Position of the first `N G obj` or `endobj` starting in [start, end). Stream data holds no such PDF object
    syntax, so when it shows up the `stream` keyword before it was no real one (it sat in a string or comment)."""
    i = start
    while True:
        i = buf.find(b"obj", i, end + 23)
        if i < 0:
            return None
        if not buf[i + 3:i + 4].isalnum():
            found = None
            if i - 3 >= start and buf[i - 3:i] == b"end" and not buf[i - 4:i - 3].isalnum():
                found = i - 3
            else:
                window_start = max(start, i - 20)
                m = _PDF_OBJ_HEADER_TAIL.search(buf[window_start:i])
                if m:
                    found = window_start + m.start()
            if found is not None:
                return found if found < end else None
        i += 3


def _looks_like_zlib(two: bytes) -> bool:
    return len(two) == 2 and two[0] & 0x0F == 8 and two[0] >> 4 <= 7 and (two[0] << 8 | two[1]) % 31 == 0


class _PdfStream:
    __slots__ = ("named", "strict", "binary", "pending_js", "text", "inflater", "full", "probe", "carry")

    def __init__(self, named: set[bytes]):
        self.named = named  # /ObjStm, filter names and /Predictor seen since the previous stream
        self.strict = b"ObjStm" in named  # its dictionary named /ObjStm: it must be readable
        self.binary = False  # binary data seen: /JS found in the raw bytes no longer counts...
        self.pending_js = False  # ...unless the stream turns out not to be one (then this says whether there was)
        self.text = False  # an uncompressed object stream: always scanned as text
        self.inflater = None
        self.full = False  # inflating everything (an object stream) rather than probing the first bytes
        self.probe = bytearray()
        self.carry = b""  # unscanned end of the inflated output


class PdfScanner:
    """Feed a PDF's bytes in order (`feed`, then `finish`); `findings` then holds "javascript", "launch" and/or
    "embedded", `uninspectable` says an object stream could not be read, and `encrypted` whether /Encrypt occurs.

    Watched names are looked for everywhere in the raw bytes (with #xx escapes decoded). /JS, a short name, is
    only counted when followed by a value and outside binary stream data. Streams that inflate to something that
    starts like an object stream (pairs of integers), and any stream after an /ObjStm name, are inflated and the
    output scanned the same way."""

    def __init__(self):
        self.findings: set[str] = set()
        self.uninspectable = False
        self.encrypted = False
        self._buf = b""
        self._behind = 0  # bytes at the start of _buf already processed, kept as context
        self._stream: _PdfStream | None = None
        self._named: set[bytes] = set()
        self._inflated = 0

    # names ---------------------------------------------------------------------------------------------------------
    def _scan_names(self, buf: bytes, start: int, end: int, *, js: bool, structural: bool = True) -> bool:
        """Record the watched names starting in [start, end); return whether a /JS left uncounted (js=False)
        was seen."""
        uncounted_js = False
        for m in _PDF_NAME.finditer(buf, start):
            if m.start() >= end:
                break
            name = _pdf_name(m.group()[1:])
            finding = _PDF_FINDINGS.get(name)
            if finding:
                self.findings.add(finding)
            elif name == b"JS":
                if _PDF_JS_VALUE.match(buf, m.end()):
                    if js:
                        self.findings.add("javascript")
                    else:
                        uncounted_js = True
            elif not structural:
                continue
            elif name == b"ObjStm" or name in _PDF_FILTERS:
                self._named.add(name)
            elif name == b"Predictor":
                value = _PDF_PREDICTOR_VALUE.match(buf, m.end())
                if value and int(value.group(1)) > 1:
                    self._named.add(name)
            elif name == b"Encrypt":
                self.encrypted = True
        return uncounted_js

    def _scan_inflated(self, st: _PdfStream, data: bytes, final: bool = False) -> None:
        buf = st.carry + data
        limit = len(buf) if final else max(0, len(buf) - _PDF_CARRY)
        self._scan_names(buf, 0, limit, js=True, structural=False)
        st.carry = b"" if final else buf[limit:]

    # streams -------------------------------------------------------------------------------------------------------
    def _start_stream(self, buf: bytes, data_start: int) -> None:
        st = _PdfStream(self._named)
        self._named = set()
        self._stream = st
        zlib_data = _looks_like_zlib(buf[data_start:data_start + 2])
        if st.strict:
            filters = st.named & _PDF_FILTERS
            if b"Predictor" in st.named or filters - _PDF_FLATE or (filters and not zlib_data):
                self.uninspectable = True  # encrypted, or encoded in a way not decoded here
            elif not filters and _PDF_OBJSTM_HEAD.match(buf, data_start):
                st.text = True  # an uncompressed object stream
                return
            elif not zlib_data:
                self.uninspectable = True
                return
        if zlib_data:
            st.inflater = zlib.decompressobj()
            st.full = st.strict

    def _end_stream(self) -> None:
        st = self._stream
        if st is not None:
            if st.inflater is not None and st.strict:
                self.uninspectable = True  # an object stream that never finished inflating
            self._stop_inflating(st)
        self._stream = None
        self._named = set()

    def _take_output(self, st: _PdfStream, out: bytes, eof: bool) -> None:
        if not st.full:
            st.probe += out
            if len(st.probe) < _PDF_PROBE_BYTES and not eof:
                return
            out, st.probe = bytes(st.probe), bytearray()
            if not _PDF_OBJSTM_HEAD.match(out):
                st.inflater = None  # an image, a font, page content...: not looked into
                return
            st.full = True
        self._inflated += len(out)
        if self._inflated > PDF_INFLATE_CAP:
            self.uninspectable = True
            st.inflater = None
            return
        self._scan_inflated(st, out)

    def _inflate(self, st: _PdfStream, data: bytes) -> int:
        """Feed `data` to the stream's inflater; return how many bytes belonged to the compressed stream."""
        d = st.inflater
        try:
            out = d.decompress(data, _PDF_INFLATE_PIECE)
            self._take_output(st, out, d.eof)
            while st.inflater is not None and d.unconsumed_tail and not d.eof:
                out = d.decompress(d.unconsumed_tail, _PDF_INFLATE_PIECE)
                self._take_output(st, out, d.eof)
        except zlib.error:
            if st.strict:
                self.uninspectable = True
            st.inflater = None
            return len(data)
        if st.inflater is not None and d.eof:
            self._stop_inflating(st)
            return len(data) - len(d.unused_data)
        return len(data)

    def _stop_inflating(self, st: _PdfStream) -> None:
        if st.full:
            self._scan_inflated(st, b"", final=True)
        st.full = False
        st.inflater = None

    def _not_a_stream(self, st: _PdfStream) -> None:
        if st.pending_js:
            self.findings.add("javascript")
        st.inflater = None

    def _scan_stream_bytes(self, st: _PdfStream, buf: bytes, start: int, end: int) -> None:
        if not st.binary and not st.text and _PDF_BINARY.search(buf, start, end):
            st.binary = True
        if self._scan_names(buf, start, end, js=not st.binary):
            st.pending_js = True

    def _step_outside(self, buf: bytes, pos: int, limit: int) -> int:
        kw = _find_stream_keyword(buf, pos, limit)
        end = kw[0] if kw else limit
        self._scan_names(buf, pos, end, js=True)
        if kw is None:
            return limit
        self._start_stream(buf, kw[1])
        return kw[1]

    def _step_stream(self, buf: bytes, pos: int, limit: int) -> int:
        st = self._stream
        if st.inflater is not None:
            # An object stream named as such is inflated to its end whatever bytes it holds; a stream only guessed
            # to be one stops at the next `endstream`, so a broken one cannot swallow the rest of the file.
            stop = limit
            if not st.strict:
                end_kw = buf.find(b"endstream", pos)
                if 0 <= end_kw < limit:
                    stop = end_kw
            used = self._inflate(st, buf[pos:stop]) if stop > pos else 0
            self._scan_stream_bytes(st, buf, pos, pos + used)
            if st.inflater is not None and stop < limit and pos + used >= stop:
                self._stop_inflating(st)
            return pos + used
        end_kw = buf.find(b"endstream", pos)
        end = end_kw if 0 <= end_kw < limit else limit
        nested = _find_stream_keyword(buf, pos, end)
        obj = _find_object_keyword(buf, pos, nested[0] if nested else end)
        if obj is not None:
            # Object syntax inside stream data: the `stream` keyword was not a real one. Back to the body.
            self._scan_stream_bytes(st, buf, pos, obj)
            self._not_a_stream(st)
            self._end_stream()
            return obj
        if nested is not None:
            # A `stream` keyword inside stream data: the previous one was not a real stream start. Start again
            # here, keeping what its dictionary said (/ObjStm, filters).
            self._scan_stream_bytes(st, buf, pos, nested[0])
            self._not_a_stream(st)
            named = self._named | st.named
            self._end_stream()
            self._named = named
            self._start_stream(buf, nested[1])
            return nested[1]
        self._scan_stream_bytes(st, buf, pos, end)
        if end == end_kw:
            self._end_stream()
            return end + len(b"endstream")
        return end

    # public --------------------------------------------------------------------------------------------------------
    def feed(self, data: bytes, *, final: bool = False) -> None:
        buf = self._buf + data if self._buf else data
        limit = len(buf) if final else len(buf) - _PDF_CARRY
        pos = self._behind
        while pos < limit:
            if self._stream is None:
                pos = self._step_outside(buf, pos, limit)
            else:
                pos = self._step_stream(buf, pos, limit)
        if final:
            self._buf, self._behind = b"", 0
            self._end_stream()
        else:
            self._behind = min(pos, 8)
            self._buf = buf[pos - self._behind:]

    def finish(self) -> None:
        self.feed(b"", final=True)


def _refuse_pdf(name: str, scanner: PdfScanner) -> None:
    found = scanner.findings
    if found:
        parts = []
        if "launch" in found:
            parts.append(_("perintah untuk menjalankan program lain (aksi Launch)"))
        if "javascript" in found:
            parts.append(_("skrip JavaScript yang dapat berjalan saat berkas dibuka"))
        if "embedded" in found:
            parts.append(_("berkas lain yang disematkan di dalamnya (lampiran tersembunyi)"))
        code = ("pdf_berisi_perintah" if "launch" in found else
                "pdf_berisi_skrip" if "javascript" in found else "pdf_berisi_lampiran")
        message = _("PDF «%(name)s» ditolak karena berisi %(what)s. Buat ulang PDF-nya tanpa isi tersebut, mis. "
                    "dengan mencetaknya ke PDF («Microsoft Print to PDF» atau «Simpan sebagai PDF»).")
        if "embedded" in found:
            message += " " + _("Lampiran yang memang diperlukan unggah sebagai berkas bukti terpisah.")
        raise _refuse(code, message % {"name": name, "what": _(" dan ").join(parts)})
    if scanner.uninspectable:
        if scanner.encrypted:
            raise _refuse("pdf_terenkripsi", _(
                "PDF «%(name)s» dilindungi (terenkripsi) sehingga isinya tidak dapat diperiksa. Simpan ulang tanpa "
                "kata sandi atau proteksi (mis. cetak ke PDF dengan «Microsoft Print to PDF») lalu unggah kembali.")
                % {"name": name})
        raise _refuse("pdf_tidak_dapat_diperiksa", _(
            "PDF «%(name)s» tidak dapat diperiksa karena sebagian isinya rusak atau memakai pemadatan yang tidak "
            "didukung. Simpan ulang dokumennya sebagai PDF lalu unggah kembali.") % {"name": name})


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
    broken = _refuse("zip_rusak", _(
        "Berkas «%(name)s» tampak seperti dokumen Office atau arsip ZIP, tetapi rusak atau tidak lengkap sehingga "
        "tidak dapat dibaca. Simpan ulang dokumennya lalu unggah kembali.") % params)
    view = _RandomAccess(uploaded, size)
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
            return _zip_kind(zf, infos, by_lower, params)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError,
                zlib.error) as exc:
            raise broken from exc


def _zip_kind(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], by_lower: dict[str, zipfile.ZipInfo],
              params: dict) -> str:
    macro = _refuse("office_makro", _(
        "Dokumen «%(name)s» ditolak karena berisi makro (VBA atau skrip) yang dapat menjalankan program. Simpan "
        "ulang sebagai dokumen biasa tanpa makro (DOCX, XLSX, PPTX, ODT, atau ODS) lalu unggah kembali.") % params)

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
        if any("vbaproject" in n.rsplit("/", 1)[-1] for n in by_lower):
            raise macro
        content_types = _read_member(zf, by_lower["[content_types].xml"]).lower()
        if b"macroenabled" in content_types:
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


def _too_large(name: str, size: int | None, max_bytes: int) -> ValidationError:
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
        raise _too_large(name, declared, max_bytes)

    digest = hashlib.sha256()
    total = 0
    head = b""
    pending: list[bytes] = []  # chunks read before the head was complete
    sniff: Sniff | None = None
    pdf: PdfScanner | None = None
    for chunk in _chunks(uploaded):
        if not chunk:
            continue
        total += len(chunk)
        if total > max_bytes:
            raise _too_large(name, None, max_bytes)
        digest.update(chunk)
        if sniff is None:
            head += chunk[:HEAD_SIZE - len(head)]
            pending.append(chunk)
            if len(head) < HEAD_SIZE:
                continue
            sniff = inspect_bytes(head)
            if sniff.family == "refuse":
                raise _refuse_content(name, sniff)
            if sniff.family == "pdf":
                pdf = PdfScanner()
                for data in pending:
                    pdf.feed(data)
            pending = []
        elif pdf is not None:
            pdf.feed(chunk)
    if total == 0:
        raise _empty(name)
    if sniff is None:
        sniff = inspect_bytes(head)
        if sniff.family == "refuse":
            raise _refuse_content(name, sniff)
        if sniff.family == "pdf":
            pdf = PdfScanner()
            for data in pending:
                pdf.feed(data)

    if sniff.family == "pdf":
        pdf.finish()
        _refuse_pdf(name, pdf)
        kind = "pdf"
    elif sniff.family == "zip":
        kind = _inspect_zip(uploaded, total, name)
    else:
        kind = sniff.family  # jpeg, png
    return CheckedUpload(kind=kind, content_type=ALLOWED_KINDS[kind][1], safe_name=_safe_name(name, kind),
                         size=total, sha256=digest.hexdigest())
