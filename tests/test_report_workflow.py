"""The semester report workflow: ketua writes and submits, kepala returns or signs, anyone verifies."""
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from actionplan.models import AuditEvent
from evidence.services import revision_review
from monev import selectors
from monev.models import Report, ReportDownload
from monev.signing import demo_certificate, verify_pdf

from .factories import PASSWORD, backdate_evidence, submit

# Semester I 2019 is long over: its report states the situation on 30 June 2019.


@pytest.fixture(scope="session")
def demo_cert(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cert")
    p12, ca_pem, passphrase = demo_certificate(common_name="Akhmad Taufik Hidayat", organisation="Dispendukcapil")
    (folder / "demo.p12").write_bytes(p12)
    (folder / "ca.pem").write_bytes(ca_pem)
    return {"p12": folder / "demo.p12", "ca": folder / "ca.pem", "passphrase": passphrase}


@pytest.fixture(autouse=True)
def signing_settings(settings, demo_cert):
    settings.MONEV_SIGNING_P12_PATH = str(demo_cert["p12"])
    settings.MONEV_SIGNING_P12_PASSPHRASE = demo_cert["passphrase"]
    settings.MONEV_SIGNING_TRUST_ROOTS = [str(demo_cert["ca"])]


@pytest.fixture
def evidence_done(assigned_target, plan, anggota, ketua):
    revision = submit(assigned_target, anggota)
    revision_review(revision=revision, user=ketua, membership=ketua.memberships.get(), decision="accept", note="")
    backdate_evidence(plan)  # accepted in the semester the report is about
    return assigned_target


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST as `user`, running the tasks queued on commit (Celery is eager without Redis)."""
    def _post(user, url, data=None):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})
    return _post


def page_url(plan, semester=1):
    return reverse("monev:report_page", args=[plan.pk, semester])


def write_and_submit(post, plan, ketua):
    post(ketua, reverse("monev:report_edit", args=[plan.pk, 1]),
         {"number": "800/123/427.53/2019", "conclusions": "Capaian semester I masih rendah.",
          "recommendations": "Percepat unggah bukti fisik komponen III\nRapat evaluasi bulanan"})
    response = post(ketua, reverse("monev:report_submit", args=[plan.pk, 1]))
    assert response.status_code == 302
    return Report.objects.get(plan=plan, semester=1)


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages)


def test_submission_freezes_the_data_and_a_later_upload_changes_nothing(post, plan, ketua, kepala, anggota,
                                                                       evidence_done):
    report = write_and_submit(post, plan, ketua)
    assert report.status == Report.Status.SUBMITTED and report.as_of == datetime.date(2019, 6, 30)
    expected = selectors.dashboard_data(plan=plan, as_of=report.as_of, semester=1)
    assert report.snapshot["summary"]["selesai"] == expected["total"].done == 1
    assert report.render_state == Report.RenderState.READY and report.draft_pdf
    draft = report.draft_pdf.read()
    text = pdf_text(draft)
    assert "DRAF" in text and "SEMESTER I TAHUN 2019" in text
    assert f"{expected['total'].percent:.1f}%".replace(".", ",") in text
    frozen = report.snapshot

    # a new upload after submission: the submitted report keeps its data
    from actionplan.models import Target
    other = Target.objects.filter(semester=1, step=evidence_done.step).exclude(pk=evidence_done.pk).first() or \
        Target.objects.filter(semester=1, step__indicator__subcomponent__component__code="I").exclude(
            pk=evidence_done.pk).first()
    from actionplan.services import assignments_set
    assignments_set(step=other.step, users=[anggota], actor=ketua)
    later = submit(other, anggota)
    revision_review(revision=later, user=ketua, membership=ketua.memberships.get(), decision="accept", note="")
    report.refresh_from_db()
    assert report.snapshot == frozen
    post(ketua, reverse("monev:report_draft", args=[report.pk]))
    report.refresh_from_db()
    assert pdf_text(report.draft_pdf.read()).count("Revisi") == pdf_text(draft).count("Revisi")


def test_kepala_signs_and_the_signed_pdf_validates(post, client, plan, ketua, kepala, evidence_done,
                                                   demo_cert):
    report = write_and_submit(post, plan, ketua)
    response = post(kepala, reverse("monev:report_sign", args=[report.pk]), {"password": PASSWORD})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.SIGNED, [str(m) for m in response.wsgi_request._messages]
    assert report.signed_by == kepala and report.verification_code
    signed = report.signed_pdf.read()
    result = verify_pdf(signed, trust_roots=[demo_cert["ca"].read_bytes()])
    assert result.signed and result.intact and result.trusted
    text = pdf_text(signed)
    assert report.verification_code in text and "DRAF" not in text.split("Halaman")[0]
    assert AuditEvent.objects.filter(action="report.sign", actor=kepala).exists()

    client.force_login(kepala)
    response = client.get(reverse("monev:report_download", args=[report.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == signed
    assert ReportDownload.objects.filter(report=report, user=kepala, kind="signed").count() == 1

    # the public verification page: identity only, no login
    client.logout()
    page = client.get(reverse("monev:verify", args=[report.verification_code]))
    assert page.status_code == 200
    body = page.content.decode()
    assert report.signed_sha256 in body and "Semester I" in body and plan.unit.name in body
    assert "Capaian semester I masih rendah" not in body  # no internal content beyond the report's identity
    good = client.post(reverse("monev:verify", args=[report.verification_code]),
                       {"file": SimpleUploadedFile("laporan.pdf", signed)})
    assert good.context["result"]["same"] and good.context["result"]["intact"]
    tampered = bytearray(signed)
    tampered[len(tampered) // 3] ^= 0x01
    bad = client.post(reverse("monev:verify", args=[report.verification_code]),
                      {"file": SimpleUploadedFile("laporan.pdf", bytes(tampered))})
    assert not bad.context["result"]["same"]


def test_signed_report_is_immutable_and_a_correction_is_a_new_version(post, plan, ketua, kepala, evidence_done):
    report = write_and_submit(post, plan, ketua)
    post(kepala, reverse("monev:report_sign", args=[report.pk]), {"password": PASSWORD})
    report.refresh_from_db()
    sha = report.signed_sha256
    response = post(ketua, reverse("monev:report_edit", args=[plan.pk, 1]), {"number": "x", "conclusions": "y"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.conclusions == "Capaian semester I masih rendah." and report.signed_sha256 == sha
    post(ketua, reverse("monev:report_correct", args=[report.pk]))
    new = Report.objects.get(plan=plan, semester=1, version=2)
    assert new.replaces == report and new.status == Report.Status.DRAFT
    assert list(new.recommendations.values_list("text", flat=True)) == [
        "Percepat unggah bukti fisik komponen III", "Rapat evaluasi bulanan"]


def test_kepala_returns_with_a_note_and_ketua_resubmits(post, plan, ketua, kepala):
    report = write_and_submit(post, plan, ketua)
    assert post(kepala, reverse("monev:report_return", args=[report.pk]), {"note": ""}).status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED  # a note is required
    post(kepala, reverse("monev:report_return", args=[report.pk]), {"note": "Tambahkan analisis komponen V"})
    report.refresh_from_db()
    assert report.status == Report.Status.RETURNED and report.returned_note == "Tambahkan analisis komponen V"
    post(ketua, reverse("monev:report_submit", args=[plan.pk, 1]))
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED


def test_submit_without_conclusions_is_refused(post, plan, ketua):
    post(ketua, reverse("monev:report_edit", args=[plan.pk, 1]), {"number": "1", "conclusions": ""})
    response = post(ketua, reverse("monev:report_submit", args=[plan.pk, 1]))
    assert response.status_code == 302
    assert Report.objects.get().status == Report.Status.DRAFT


@pytest.mark.parametrize("person, submit_status, sign_status", [
    ("anggota", 403, 403), ("kepala", 403, 302), ("tpi", 403, 403), ("outsider", 404, 404)])
def test_only_ketua_submits_and_only_kepala_signs(request, post, plan, ketua,  person, submit_status,
                                                   sign_status):
    report = write_and_submit(post, plan, ketua)
    report.status = Report.Status.DRAFT
    report.save()
    user = request.getfixturevalue(person)
    assert post(user, reverse("monev:report_submit", args=[plan.pk, 1])).status_code == submit_status
    report.status = Report.Status.SUBMITTED
    report.save()
    assert post(user, reverse("monev:report_sign", args=[report.pk]), {"password": PASSWORD}).status_code == sign_status
    report.refresh_from_db()
    assert (report.status == Report.Status.SIGNED) == (person == "kepala")


@pytest.mark.parametrize("case", ["corrupt", "wrong passphrase", "expired"])
def test_bad_certificate_gives_a_clear_message_and_the_report_stays_unsigned(post, client, plan, ketua, kepala,
                                                                               settings, tmp_path, case):
    report = write_and_submit(post, plan, ketua)
    p12_path = tmp_path / "unit.p12"
    if case == "corrupt":
        p12_path.write_bytes(b"\x30\x82garbage" * 10)
    elif case == "wrong passphrase":
        p12, _ca, _pw = demo_certificate(common_name="Kepala", organisation="Dinas")
        p12_path.write_bytes(p12)
        settings.MONEV_SIGNING_P12_PASSPHRASE = "salah"
    else:
        p12, _ca, pw = demo_certificate(common_name="Kepala", organisation="Dinas", valid_days=365,
                                        not_before=datetime.datetime(2010, 1, 1, tzinfo=datetime.timezone.utc))
        p12_path.write_bytes(p12)
        settings.MONEV_SIGNING_P12_PASSPHRASE = pw
    settings.MONEV_SIGNING_P12_PATH = str(p12_path)
    response = post(kepala, reverse("monev:report_sign", args=[report.pk]), {"password": PASSWORD})
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED and not report.signed_pdf and not report.verification_code
    last = [str(m) for m in response.wsgi_request._messages][-1]
    assert {"corrupt": "rusak", "wrong passphrase": "sandi", "expired": "kedaluwarsa"}[case] in last


def test_report_pages_are_for_ketua_kepala_and_tpi(client, plan, anggota, tpi, outsider):
    for user, status in [(tpi, 200), (anggota, 403), (outsider, 404)]:
        client.force_login(user)
        assert client.get(page_url(plan)).status_code == status
    client.logout()
    assert client.get(reverse("monev:verify", args=["ZZZZ-ZZZZ"])).status_code == 404


@pytest.fixture
def worker_configured(settings):
    """As with REDIS_URL set: tasks go to a broker (here Celery's in-memory one, which nothing consumes) instead of
    running in the request."""
    from zi_portal.celery import app as celery_app

    keys = ("broker_url", "task_always_eager")
    before = {k: celery_app.conf[k] for k in keys}
    celery_app.conf.update(broker_url="memory://", task_always_eager=False)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    yield
    celery_app.conf.update(before)


def render_state(client, user, report) -> dict:
    client.force_login(user)
    response = client.get(reverse("monev:report_render_status", args=[report.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    return response.json()


def test_with_a_worker_configured_submit_and_sign_only_queue_the_render_and_the_page_polls_its_state(
        worker_configured, post, client, plan, ketua, kepala, evidence_done):
    from monev.rendering import report_render

    report = write_and_submit(post, plan, ketua)
    report.refresh_from_db()
    # the request returned without rendering: the draft waits for a worker
    assert report.render_state == Report.RenderState.QUEUED and not report.draft_pdf
    assert render_state(client, ketua, report) == {"state": "queued", "label": "Dalam antrean", "busy": True,
                                                   "error": "", "pages": None}
    page = client.get(page_url(plan)).content.decode()
    assert 'data-render-status-url="%s"' % reverse("monev:report_render_status", args=[report.pk]) in page
    assert "js/render-status.js" in page and '<noscript><meta http-equiv="refresh"' in page
    assert 'id="render-state-reload"' in page and 'aria-live="polite"' in page

    report_render(report_id=report.pk)  # what the worker does
    ready = render_state(client, kepala, report)
    assert ready["state"] == "ready" and not ready["busy"] and ready["pages"] >= 1
    assert "render-status.js" not in client.get(page_url(plan)).content.decode()

    response = post(kepala, reverse("monev:report_sign", args=[report.pk]), {"password": PASSWORD})
    assert response.status_code == 302
    report.refresh_from_db()
    # approving queues the final render and the signature; the request signs nothing itself
    assert report.render_state == Report.RenderState.QUEUED and report.render_kind == "final"
    assert report.status == Report.Status.SUBMITTED and not report.signed_pdf
    assert render_state(client, kepala, report)["busy"]
    report_render(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.SIGNED and report.signed_pdf
    assert render_state(client, kepala, report)["state"] == "ready"


def test_render_status_reports_a_failure_with_its_reason(post, client, plan, ketua):
    report = write_and_submit(post, plan, ketua)
    Report.objects.filter(pk=report.pk).update(render_state=Report.RenderState.FAILED, render_error="Font hilang.")
    state = render_state(client, ketua, report)
    assert state["state"] == "failed" and not state["busy"] and state["error"] == "Font hilang."
