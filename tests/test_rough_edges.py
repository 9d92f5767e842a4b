"""Defects a new user hit: the comment button's label, starting a report, the report form's style, the withdraw
reason, the history of return notes, and the same file submitted again."""
import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actionplan.models import AuditEvent, Target
from actionplan.services import assignments_set
from evidence.models import RevisionStatus
from evidence.services import revision_review
from monev import services as monev_services
from monev.models import Report, ReportReturn

from .factories import pdf_bytes, submit

pytestmark = pytest.mark.django_db
BUTTON = re.compile(r'<(?:input|button)[^>]*class="([^"]*)"[^>]*>', re.S)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# -- the comment button --------------------------------------------------------------------------------------------

def test_the_comment_button_is_an_outline_button_with_a_readable_label(login, assigned_target, anggota, ketua):
    submit(assigned_target, anggota)
    html = login(ketua).get(reverse("evidence:target", args=[assigned_target.pk])).content.decode()
    comment = re.search(r'<input[^>]*value="Kirim komentar"[^>]*>', html).group(0)
    classes = re.search(r'class="([^"]*)"', comment).group(1).split()
    assert "btn-outline-primary" in classes and "btn-primary" not in classes


def test_no_button_mixes_a_solid_and_an_outline_colour(login, assigned_target, anggota, ketua):
    revision = submit(assigned_target, anggota)
    client = login(ketua)
    for url in (reverse("evidence:target", args=[assigned_target.pk]), reverse("evidence:review", args=[revision.pk]),
                reverse("actionplan:step_assign", args=[assigned_target.step_id])):
        for match in BUTTON.finditer(client.get(url).content.decode()):
            classes = match.group(1).split()
            solid = [c for c in classes if re.fullmatch(r"btn-(primary|secondary|success|danger|warning|info)", c)]
            outline = [c for c in classes if c.startswith("btn-outline-")]
            assert not (solid and outline), f"{url}: {match.group(0)}"


# -- starting a report; its form -----------------------------------------------------------------------------------

def test_starting_a_report_creates_the_draft_without_an_error(login, plan, ketua):
    client = login(ketua)
    page = client.get(reverse("monev:report_page", args=[plan.pk, 1])).content.decode()
    assert reverse("monev:report_begin", args=[plan.pk, 1]) in page and "Mulai menyusun laporan" in page

    response = client.post(reverse("monev:report_begin", args=[plan.pk, 1]))
    assert response.status_code == 302
    assert _messages(response) == ["Laporan dimulai. Lengkapi nomor, simpulan dan rekomendasi, lalu simpan."]
    report = Report.objects.get(plan=plan, semester=1)
    assert report.number == "MONEV-ZI/2019/SEM-I/V1"
    html = client.get(response.url).content.decode()
    assert "tidak boleh kosong" not in html and "alert-danger" not in html


def test_the_report_form_is_styled_like_every_other_form(login, plan, ketua):
    client = login(ketua)
    client.post(reverse("monev:report_begin", args=[plan.pk, 1]))
    html = client.get(reverse("monev:report_page", args=[plan.pk, 1])).content.decode()
    form = html[html.index('id="report-form"'):]
    form = form[:form.index("</form>")]
    for name in ("number", "conclusions", "recommendations"):
        field = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', form).group(0)
        assert "form-control" in field, field
    assert form.count('class="form-label') >= 3 and 'value="MONEV-ZI/2019/SEM-I/V1"' in form


# -- withdrawing asks the reason -------------------------------------------------------------------------------------

def test_withdraw_asks_for_the_reason_and_refuses_without_it(login, assigned_target, anggota):
    revision = submit(assigned_target, anggota)
    client = login(anggota)
    html = client.get(reverse("evidence:target", args=[assigned_target.pk])).content.decode()
    form = html[html.index('id="withdraw-form"'):]
    form = form[:form.index("</form>")]
    assert re.search(r'<textarea[^>]*name="reason"[^>]*required', form) and "Alasan penarikan" in form
    assert 'data-bs-target="#withdraw-panel"' in html      # the button opens the form, it does not post

    url = reverse("evidence:withdraw", args=[revision.pk])
    refused = client.post(url, {"reason": "  "})
    assert _messages(refused) == ["Revisi tidak ditarik. Alasan penarikan: tuliskan alasannya."]
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.SUBMITTED

    client.post(url, {"reason": "Salah berkas, yang benar versi bertanda tangan."})
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.WITHDRAWN
    event = AuditEvent.objects.get(action="evidence.withdraw")
    assert event.data["reason"] == "Salah berkas, yang benar versi bertanda tangan."


# -- the history of return notes -------------------------------------------------------------------------------------

def test_every_return_note_and_its_answer_stay_on_the_report_page(login, plan, ketua, kepala):
    km, pm = ketua.memberships.get(), kepala.memberships.get()
    report = monev_services.report_start(plan=plan, semester=1, user=ketua, membership=km)
    monev_services.report_save(report=report, user=ketua, membership=km, number="800/1/2019",
                               conclusions="Capaian rendah.", recommendations=[], followups={})
    monev_services.report_submit(report=report, user=ketua, membership=km)
    monev_services.report_return(report=report, user=kepala, membership=pm, note="Tambahkan analisis komponen V.")
    client = login(ketua)
    page = client.get(reverse("monev:report_page", args=[plan.pk, 1])).content.decode()
    assert 'name="answer"' in page and "Belum diajukan ulang." in page

    client.post(reverse("monev:report_submit", args=[plan.pk, 1]),
                {"answer": "Analisis komponen V ditambahkan di bab 3."})
    monev_services.report_return(report=report, user=kepala, membership=pm, note="Lampirkan notulen rapat.")
    monev_services.report_submit(report=report, user=ketua, membership=km)

    assert list(ReportReturn.objects.of_semester(plan, 1).values_list("note", "answer")) == [
        ("Tambahkan analisis komponen V.", "Analisis komponen V ditambahkan di bab 3."),
        ("Lampirkan notulen rapat.", "")]
    for person in (ketua, kepala):
        html = login(person).get(reverse("monev:report_page", args=[plan.pk, 1])).content.decode()
        history = html[html.index('id="return-history"'):]
        assert history.index("Tambahkan analisis komponen V.") < history.index("Analisis komponen V ditambahkan") \
            < history.index("Lampirkan notulen rapat.") < history.index("(tanpa tanggapan)")
    assert AuditEvent.objects.filter(action="report.submit", data__answer__isnull=False).count() == 1


def test_an_answer_with_a_nul_or_too_long_is_refused_and_nothing_is_submitted(login, plan, ketua, kepala):
    km = ketua.memberships.get()
    report = monev_services.report_start(plan=plan, semester=1, user=ketua, membership=km)
    monev_services.report_save(report=report, user=ketua, membership=km, number="1", conclusions="Ada.",
                               recommendations=[], followups={})
    client = login(ketua)
    for answer in ("a\x00b", "x" * 4001):
        response = client.post(reverse("monev:report_submit", args=[plan.pk, 1]), {"answer": answer})
        assert response.status_code == 302 and _messages(response)
        report.refresh_from_db()
        assert report.status == Report.Status.DRAFT


# -- the same file again ----------------------------------------------------------------------------------------------

def _upload(client, target, content: bytes, name="bukti.pdf"):
    return client.post(reverse("evidence:upload", args=[target.pk]), {
        "files": [SimpleUploadedFile(name, content, content_type="application/pdf")], "description": "Bukti",
        "document_date": "2019-02-20"})


def test_the_same_file_after_it_was_sent_back_warns_the_uploader_and_shows_the_reviewer(
        login, assigned_target, anggota, ketua):
    content = pdf_bytes("SK Tim tanpa tanda tangan")
    client = login(anggota)
    first = _upload(client, assigned_target, content)
    assert not [m for m in _messages(first) if "sama persis" in m]
    revision = assigned_target.revisions.get()
    revision_review(revision=revision, user=ketua, membership=ketua.memberships.get(), decision="revise",
                    note="Tanda tangan Kepala Dinas belum ada.")

    again = _upload(client, assigned_target, content, name="sk-lagi.pdf")
    assert again.status_code == 302                                   # never blocked
    assert assigned_target.revisions.count() == 2
    warnings = [m for m in _messages(again) if "sama persis" in m]
    assert len(warnings) == 1
    assert "«sk-lagi.pdf»" in warnings[0] and "target ini, revisi 1" in warnings[0]
    assert "Perlu perbaikan: «Tanda tangan Kepala Dinas belum ada.»" in warnings[0]

    second = assigned_target.revisions.get(number=2)
    html = login(ketua).get(reverse("evidence:review", args=[second.pk])).content.decode()
    box = html[html.index("earlier-copies"):]
    box = box[:box.index("</div>")]
    assert "target ini" in box and "revisi 1" in box and "Tanda tangan Kepala Dinas belum ada." in box


def test_the_same_file_for_another_target_is_named_with_that_target(login, plan, assigned_target, anggota, ketua):
    other = (Target.objects.filter(step__indicator__subcomponent__component__plan=plan, due_date__isnull=False)
             .exclude(step=assigned_target.step).order_by("pk").first())
    assignments_set(step=other.step, users=[anggota], actor=ketua)
    content = pdf_bytes("Notulen rapat")
    client = login(anggota)
    _upload(client, assigned_target, content)
    response = _upload(client, other, content)
    [warning] = [m for m in _messages(response) if "sama persis" in m]
    assert f"target lain (komponen {assigned_target.step.indicator.subcomponent.component.code}" in warning
    assert "Menunggu review" in warning
    html = client.get(reverse("evidence:target", args=[other.pk])).content.decode()
    assert reverse("evidence:target", args=[assigned_target.pk]) in html


def test_a_copy_in_another_unit_is_neither_shown_nor_mentioned(login, assigned_target, anggota, outsider):
    from actionplan.services import plan_import

    from .factories import SEED_FILE

    unit = outsider.memberships.get().unit
    foreign = plan_import(source=SEED_FILE, filename=SEED_FILE.name, unit=unit, year=2019).plan
    target = Target.objects.filter(step__indicator__subcomponent__component__plan=foreign,
                                   due_date__isnull=False).order_by("pk").first()
    assignments_set(step=target.step, users=[outsider], actor=outsider)
    content = pdf_bytes("Berkas bersama")
    submit(target, outsider, files=[SimpleUploadedFile("a.pdf", content, content_type="application/pdf")])

    response = _upload(login(anggota), assigned_target, content)
    assert not [m for m in _messages(response) if "sama persis" in m]


def test_the_target_page_reads_earlier_copies_in_constant_queries(login, plan, anggota, ketua):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    targets = list(Target.objects.filter(step__indicator__subcomponent__component__plan=plan, due_date__isnull=False)
                   .order_by("pk")[:8])
    steps = {t.step_id: t.step for t in targets}
    for step in steps.values():
        assignments_set(step=step, users=[anggota], actor=ketua)

    def upload(target, content):
        submit(target, anggota, files=[SimpleUploadedFile("a.pdf", content, content_type="application/pdf")])

    one, many = pdf_bytes("Sekali"), pdf_bytes("Berulang")
    upload(targets[0], one)
    upload(targets[1], one)                                 # one earlier copy
    for target in targets[2:7]:
        upload(target, many)
    upload(targets[7], many)                                # five earlier copies
    client = login(ketua)

    def page(target):
        url = reverse("evidence:target", args=[target.pk])
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url).content.decode()
        return len(queries.captured_queries), html.count('class="earlier-copy"')

    assert page(targets[1]) == (page(targets[1])[0], 1)
    small, large = page(targets[1]), page(targets[7])
    assert large[1] == 5 and small[0] == large[0]
