"""The semester Monev report PDF: what a reader finds in it, read back from the PDF itself."""
import datetime
import io
import re
import shutil
import socket
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.template.defaultfilters import floatformat
from django.utils import translation
from pypdf import PdfReader

from actionplan.models import Membership
from evidence.services import revision_review
from monev.pdf import (
    REPORT_UA,
    STAMP_ID,
    chart_for_pdf,
    local_only_fetcher,
    page_count,
    render_report_pdf,
    report_html,
    signature_box,
)
from monev.selectors import dashboard_data, report_snapshot

from .conftest import need
from .factories import backdate_evidence, pdf_bytes, submit

AS_OF = datetime.date(2019, 6, 30)
VERIFICATION = {"code": "ABCD-1234", "url": "https://zi.lumajangkab.go.id/verifikasi/ABCD-1234/"}
KEPALA_NAME, KETUA_NAME = "Akhmad Taufik Hidayat, SH.M.Hum", "Agus Warsito Utomo, SPd"


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _one_row(snapshot: dict) -> dict:
    """The snapshot cut down to its first target: quick to render where the test is not about the content."""
    first = snapshot["components"][0]
    return {**snapshot, "components": [{**first, "rows": first["rows"][:1]}]}


def embedded_fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def dashboard_percent(value) -> str:
    """As the dashboard renders it: `{{ value|floatformat:1 }}%` under the Indonesian locale, "—" for None."""
    if value is None:
        return "—"
    with translation.override("id"):
        return f"{floatformat(value, 1)}%"


@pytest.fixture
def named_people(kepala, ketua):
    for user, name in ((kepala, KEPALA_NAME), (ketua, KETUA_NAME)):
        user.first_name, user.last_name = name, ""
        user.save()
    return kepala, ketua


@pytest.fixture
def accepted_evidence(assigned_target, anggota, named_people):
    _kepala, ketua = named_people
    revision = submit(assigned_target, anggota)
    revision_review(revision=revision, user=ketua, membership=Membership.objects.get(user=ketua), decision="accept",
                    note="Lengkap")
    return revision


@pytest.fixture
def snapshot(plan, accepted_evidence):
    backdate_evidence(plan)  # accepted within Semester I, as the report states it
    return report_snapshot(plan=plan, semester=1, as_of=AS_OF)


def render(snapshot, **overrides):
    kwargs = dict(snapshot=snapshot, number="DRAF", issued_on=AS_OF, conclusions="Capaian semester I masih rendah.",
                  recommendations=[{"text": "Percepat unggahan bukti fisik komponen IV."}], previous_followups=[],
                  draft=True)
    return render_report_pdf(**{**kwargs, **overrides})


def test_draft_report_shows_the_dashboard_figures_evidence_and_signatures(plan, snapshot, artifacts):
    filename, pdf = render(snapshot)
    text = pdf_text(pdf)
    one_line = flat(text)
    pages = page_count(pdf)

    assert filename.endswith("-draf.pdf")
    assert ("LAPORAN MONITORING DAN EVALUASI PEMBANGUNAN ZONA INTEGRITAS DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL "
            "KABUPATEN LUMAJANG SEMESTER I TAHUN 2019") in one_line
    assert "PEMERINTAH KABUPATEN LUMAJANG" in text
    assert "SEMESTER I TAHUN 2019" in text
    assert "Nomor: DRAF" in text
    assert "Lumajang, 30 Juni 2019" in text
    assert "1 Januari 2019 s/d 30 Juni 2019" in text
    assert f"Halaman 1 dari {pages}" in text and f"Halaman {pages} dari {pages}" in text

    # The same figures as the dashboard for the same semester and date, formatted as the dashboard shows them.
    data = dashboard_data(plan=plan, as_of=AS_OF, semester=1)
    total = data["total"]
    assert total.done == 1
    figures = [str(total.total), str(total.counts["selesai"]), str(total.counts["menunggu_review"]),
               str(total.counts["perlu_perbaikan"]), str(total.counts["terlambat"]),
               str(total.counts["belum_jatuh_tempo"]), str(total.counts["perlu_ditinjau"]),
               dashboard_percent(total.percent), dashboard_percent(data["weighted"])]
    assert re.search(r"\s+".join(map(re.escape, figures)), text), figures
    assert dashboard_percent(total.percent) == "1,4%"

    for component, progress in data["components"]:
        assert f"{component.code}. {component.get_code_display()}" in text  # the detail section's heading
        with translation.override("id"):
            row = [component.code, component.get_code_display(), floatformat(component.weight, "-2"),
                   str(progress.total), str(progress.done), str(progress.counts["terlambat"]),
                   floatformat(progress.percent, 1)]
        assert re.search(r"\s+".join(map(re.escape, row)), text), row  # Tabel 2
    assert "SK Tim Kerja ZI telah dibuat sesuai prosedur yang telah ditetapkan" in one_line
    assert "sk-tim.pdf" in text
    assert "Revisi 1 · Diterima" in one_line
    assert "Lengkap" in text  # the review note

    assert "Capaian semester I masih rendah." in text
    assert "1. Percepat unggahan bukti fisik komponen IV." in one_line
    assert "Belum ada rekomendasi semester sebelumnya." in text

    last_page = PdfReader(io.BytesIO(pdf)).pages[-1].extract_text()
    assert "Mengetahui," in last_page and "Kepala Dinas Kependudukan" in last_page
    assert "Ketua Tim Pembangunan ZI" in last_page
    assert KEPALA_NAME in last_page and "NIP. 19660710 199203 1 007" in last_page
    assert KETUA_NAME in last_page and "NIP. 19650819 199203 1 010" in last_page

    assert "DRAF" in PdfReader(io.BytesIO(pdf)).pages[1].extract_text()  # watermark and footer on every page
    assert "DRAF — belum ditandatangani" in text

    need("pdftoppm", shutil.which("pdftoppm") is not None, "apt-get install poppler-utils")
    source = artifacts / "report-draft.pdf"
    source.write_bytes(pdf)
    for old in artifacts.glob("report-draft-page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(source),
                    str(artifacts / "report-draft-page")], check=True)
    assert len(list(artifacts.glob("report-draft-page-*.png"))) == 2


def test_final_report_carries_verification_logo_and_follow_ups_but_no_draft_marks(snapshot, tmp_path):
    from PIL import Image

    logo = tmp_path / "logo-lumajang.png"
    Image.new("RGB", (120, 150), "#1b5e20").save(logo)
    filename, pdf = render(snapshot, draft=False, number="700/123/427.75/2019", verification=VERIFICATION,
                           logo_path=str(logo), previous_followups=[
                               {"text": "Lengkapi SK Tim Kerja ZI.", "status_label": "Selesai ditindaklanjuti",
                                "note": "SK terbit Februari 2019"}])
    text = pdf_text(pdf)

    assert not filename.endswith("-draf.pdf")
    assert "DRAF" not in text
    assert "Nomor: 700/123/427.75/2019" in text
    assert VERIFICATION["code"] in text
    assert VERIFICATION["url"] in text
    assert "ditandatangani secara elektronik" in flat(text)
    assert "Lengkapi SK Tim Kerja ZI." in text and "Selesai ditindaklanjuti" in text
    # "No." is the column of numbers (Django's own catalogue would turn a bare "No" into "Tidak").
    assert re.search(r"No\.\s+Rekomendasi\s+Status tindak lanjut\s+Keterangan", text)
    assert "Belum ada rekomendasi semester sebelumnya." not in text
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 1  # the logo in the letterhead


def test_signature_box_is_the_empty_area_under_the_kepala_dinas_on_the_last_page(snapshot, tmp_path):
    _name, pdf = render(snapshot, draft=False, verification=VERIFICATION)
    page_index, (x1, y1, x2, y2) = signature_box(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    assert page_index == len(reader.pages) - 1
    media = reader.pages[page_index].mediabox
    assert 0 <= x1 < x2 <= float(media.width) and 0 <= y1 < y2 <= float(media.height)
    assert x2 - x1 == pytest.approx(6 / 2.54 * 72, abs=1)  # 6 cm × 3 cm
    assert y2 - y1 == pytest.approx(3 / 2.54 * 72, abs=1)

    # Where the words are on that page (poppler's bounding boxes, origin top-left): nothing inside the area, the
    # Kepala Dinas's title above it and his name right under it, in the same (left) column.
    need("pdftotext", shutil.which("pdftotext") is not None, "apt-get install poppler-utils")
    source = tmp_path / "final.pdf"
    source.write_bytes(pdf)
    n = page_index + 1
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(n), "-l", str(n), str(source), "-"], check=True,
                          capture_output=True, text=True).stdout
    height = float(media.height)
    words = [(w, float(a), height - float(d), float(c), height - float(b)) for a, b, c, d, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)]
    assert words
    for word, wx1, wy1, wx2, wy2 in words:
        assert wx2 <= x1 or wx1 >= x2 or wy2 <= y1 or wy1 >= y2, f"{word!r} is inside the signature area"
    mengetahui = next(w for w in words if w[0] == "Mengetahui,")
    akhmad = next(w for w in words if w[0] == "Akhmad")
    assert mengetahui[2] > y2 and akhmad[4] < y1  # title above, name below
    assert akhmad[4] > y1 - 20
    assert x1 < (mengetahui[1] + mengetahui[3]) / 2 < x2


def test_signature_box_refuses_a_pdf_that_is_not_a_report():
    with pytest.raises(ValueError):
        signature_box(pdf_bytes())


def test_report_text_is_escaped_and_nothing_is_fetched_from_the_network(snapshot, monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    hostile = '<img src="http://example.com/x.png"><link rel="stylesheet" href="https://example.com/a.css">'
    first = _one_row(snapshot)["components"][0]
    small = {**snapshot, "components": [{**first, "rows": [{**first["rows"][0], "indicator": hostile}]}]}
    small["unit"] = {**small["unit"], "address": '</style><img src="http://example.com/y.png">'}

    html = report_html(snapshot=small, number="DRAF", issued_on=AS_OF, conclusions=hostile, recommendations=[],
                       previous_followups=[], draft=True)
    assert "http://example.com/x.png" in html and '<img src="http://example.com' not in html
    _name, pdf = render(small, conclusions=hostile)
    assert '<img src="http://example.com/x.png">' in pdf_text(pdf)  # printed as text, not loaded
    assert attempts == []


def test_the_fetcher_allows_only_local_fonts_and_data_uris(tmp_path, monkeypatch):
    from weasyprint import HTML

    monkeypatch.setattr(socket.socket, "connect", lambda *a: pytest.fail("network access attempted"))
    fetcher = local_only_fetcher([tmp_path])
    allowed = tmp_path / "logo.svg"
    allowed.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    HTML(string=f'<img src="http://example.com/x.png"><img src="https://example.com/y.png">'
                f'<img src="file:///etc/hostname"><img src="{allowed.as_uri()}">'
                f'<img src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E">',
         url_fetcher=fetcher).write_pdf()
    assert fetcher.refused == ["http://example.com/x.png", "https://example.com/y.png", "file:///etc/hostname"]


def test_report_uses_the_npm_fonts_and_falls_back_to_system_fonts_without_node_modules(snapshot, tmp_path,
                                                                                      monkeypatch):
    import monev.pdf

    _name, pdf = render(_one_row(snapshot))
    assert {"Arimo", "Arimo-Bold", "Tinos-Bold"} <= embedded_fonts(pdf)

    monkeypatch.setattr(monev.pdf, "FONT_ROOT", tmp_path / "node_modules-missing")
    assert monev.pdf.font_face_css() == ""
    _name, pdf = render(_one_row(snapshot))
    fonts = embedded_fonts(pdf)
    assert fonts and not any(name.startswith(("Arimo", "Tinos")) for name in fonts)
    assert "SEMESTER I TAHUN 2019" in pdf_text(pdf)


def test_semester_two_and_missing_signatories_read_correctly(snapshot):
    second = {**snapshot, "semester": 2, "period_start": "2019-07-01", "period_end": "2019-12-31",
              "as_of": "2019-12-31", "kepala": None, "ketua": None}
    html = flat(report_html(snapshot=second, number="", issued_on=datetime.date(2020, 1, 6), conclusions="",
                            recommendations=[], previous_followups=[], draft=True))
    assert "SEMESTER II TAHUN 2019" in html
    assert "1 Juli 2019 s/d 31 Desember 2019" in html
    assert "Lumajang, 6 Januari 2020" in html
    assert html.count("(.........................................)") == 2  # room for wet signatures
    assert html.count("NIP. ..................................") == 2
    assert "Simpulan belum diisi Ketua Tim." in html and "Belum ada rekomendasi." in html


def test_the_report_needs_none_of_the_html_stylesheet_rules_the_pdf_leaves_out(snapshot):
    """The report is cascaded without WeasyPrint's footnote, note and `[dir]` rules and with `::marker` for list
    items only (monev.pdf.REPORT_UA): they never apply to it, so they must stay out of its HTML and stylesheet."""
    from weasyprint.html import UA

    assert "::footnote-call" in UA and "[dir=rtl i]" in UA and "\n::marker" in UA
    assert "::footnote" not in REPORT_UA and "::note" not in REPORT_UA and "[dir" not in REPORT_UA
    assert "\nli::marker {" in REPORT_UA and "\n::marker" not in REPORT_UA
    assert set(UA.splitlines()) - set(REPORT_UA.splitlines()) == {
        line for line in UA.splitlines() if "::footnote" in line or "::note" in line or "[dir" in line
        or line.startswith("::marker")}
    for draft, verification in ((True, None), (False, VERIFICATION)):
        html = report_html(snapshot=snapshot, number="1", issued_on=AS_OF, conclusions="Simpulan.",
                           recommendations=[{"text": "Satu."}], previous_followups=[], draft=draft,
                           verification=verification)
        assert not re.search(r"\sdir=", html)
        assert not re.search(r"footnote|note-call|float:\s*note|<(?:details|summary)\b", html)
        # list items are the only elements shown as list items, so `li::marker` covers every marker
        assert not re.search(r"display:\s*list-item", html)


def test_the_cycle_collector_is_paused_only_while_a_report_renders(snapshot, monkeypatch):
    import gc

    import monev.pdf

    seen = []
    real = monev.pdf._render

    def spy(*args):
        seen.append(gc.isenabled())
        return real(*args)

    monkeypatch.setattr(monev.pdf, "_render", spy)
    assert gc.isenabled()
    render(_one_row(snapshot))
    assert seen == [False] and gc.isenabled()

    def broken(*args):
        raise RuntimeError("layout failed")

    monkeypatch.setattr(monev.pdf, "_render", broken)
    with pytest.raises(RuntimeError):
        render(_one_row(snapshot))
    assert gc.isenabled()


def test_the_pdf_chart_is_the_dashboard_chart_without_what_weasyprint_cannot_paint(snapshot):
    chart = chart_for_pdf(snapshot["chart_svg"])
    assert "paint-order" in snapshot["chart_svg"] and "paint-order" not in chart
    assert chart.count("<pattern") == snapshot["chart_svg"].count("<pattern") == 4
    assert f'id="{STAMP_ID}"' in report_html(snapshot=snapshot, number="1", issued_on=AS_OF, conclusions="",
                                              recommendations=[], previous_followups=[], draft=False)


def test_monev_report_command_writes_a_draft_and_ends_with_the_contract_line(plan, named_people, tmp_path,
                                                                               monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    call_command("monev_report", "--plan", str(plan.pk), "--semester", "1", "--as-of", "2019-06-30", stdout=out)
    lines = out.getvalue().strip().splitlines()
    match = re.fullmatch(r"pdf=(\S+) pages=(\d+)", lines[-1])
    assert match, lines[-1]
    path = tmp_path / f"monev-{plan.pk}-s1-draf.pdf"
    assert match[1] == str(path) and path.exists()
    pdf = path.read_bytes()
    assert page_count(pdf) == int(match[2])
    text = pdf_text(pdf)
    assert "DRAF" in text and "Simpulan belum diisi Ketua Tim." in text
    assert "70 target" in lines[-2] and "capaian 0,0%" in lines[-2]


def test_monev_report_command_refuses_an_unknown_plan(db):
    with pytest.raises(CommandError):
        call_command("monev_report", "--plan", "999", "--semester", "1", stdout=io.StringIO())


ROW_MARK = re.compile(r"Belum ada unggahan|Revisi \d+ ·")  # the evidence cell: exactly one per detail-table row


def page_bodies(pdf: bytes) -> list[list[str]]:
    """Each page's lines without the running header, the footer and the draft watermark."""
    bodies = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        lines = [line.strip() for line in (page.extract_text() or "").splitlines()]
        bodies.append([line for line in lines if line and line != "DRAF" and "Halaman" not in line
                       and not line.startswith("Laporan Monitoring dan Evaluasi Pembangunan Zona Integritas ·")])
    return bodies


@pytest.mark.parametrize("copies", [1, 2, 3])
def test_no_page_ends_with_a_component_heading_or_holds_a_lone_table_row(snapshot, copies):
    # the rows repeated 1-3 times move every page break to a different place in the tables
    components = [{**c, "rows": c["rows"] * copies} for c in snapshot["components"]]
    assert all(len(c["rows"]) >= 3 for c in components)
    _name, pdf = render({**snapshot, "components": components})
    bodies = page_bodies(pdf)
    headings = [f"{c['code']}. {c['name']}" for c in components]
    for number, body in enumerate(bodies, start=1):
        last = body[-1] if body else ""
        assert last not in headings and not last.startswith("Bobot "), (number, body[-3:])
        rows = sum(len(ROW_MARK.findall(line)) for line in body)
        assert rows != 1, (number, body)
    assert sum(len(ROW_MARK.findall(line)) for body in bodies for line in body) == sum(len(c["rows"])
                                                                                        for c in components)
