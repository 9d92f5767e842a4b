"""'Setujui dan tandatangani' shows the PDF that will be signed and asks the Kepala Dinas's password again; the
re-authentication is in the audit trail, a wrong password signs nothing and counts towards the lockout."""
import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from actionplan.models import AuditEvent
from monev.models import Report

from .factories import PASSWORD
from .test_production import _assert_csp_clean
from .test_report_workflow import demo_cert, evidence_done, post, signing_settings, write_and_submit  # noqa: F401

pytestmark = pytest.mark.django_db
# ruff: noqa: F811 - the fixtures imported above are the arguments of the tests


@pytest.fixture
def submitted(post, plan, ketua, evidence_done):  # noqa: F811
    report = write_and_submit(post, plan, ketua)
    report.refresh_from_db()
    assert report.draft_pdf and report.render_state == Report.RenderState.READY
    return report


def test_the_confirmation_page_shows_the_pdf_to_be_signed_and_asks_the_password(client, kepala, submitted):
    client.force_login(kepala)
    url = reverse("monev:report_sign", args=[submitted.pk])
    response = client.get(url)
    html = response.content.decode()
    preview = reverse("monev:report_preview", args=[submitted.pk])
    assert response.status_code == 200
    assert f'<iframe class="sign-preview w-100 border rounded" src="{preview}"' in html
    assert 'type="password"' in html and 'name="password"' in html
    _assert_csp_clean(client, url)

    pdf = client.get(preview)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("inline")
    assert pdf["X-Frame-Options"] == "SAMEORIGIN" and "frame-ancestors 'self'" in pdf["Content-Security-Policy"]
    assert b"".join(pdf.streaming_content) == submitted.draft_pdf.open("rb").read()
    # every other page still may not be framed
    assert response["X-Frame-Options"] == "DENY"


def test_a_wrong_password_signs_nothing_and_counts_as_a_failed_login(post, kepala, submitted):
    response = post(kepala, reverse("monev:report_sign", args=[submitted.pk]), {"password": "bukan-sandinya"})
    assert response.status_code == 400
    assert "Kata sandi salah; laporan tidak ditandatangani." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Report.Status.SUBMITTED and submitted.sign_requested_by is None
    assert not submitted.signed_pdf
    assert not AuditEvent.objects.filter(action__in=["report.approve", "report.sign_reauth"]).exists()
    assert AccessAttempt.objects.get(username="kepala").failures_since_start == 1


def test_the_right_password_signs_and_the_reauthentication_is_audited(post, kepala, submitted):
    response = post(kepala, reverse("monev:report_sign", args=[submitted.pk]), {"password": PASSWORD})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Report.Status.SIGNED and submitted.signed_by == kepala
    reauth = AuditEvent.objects.get(action="report.sign_reauth")
    assert reauth.actor == kepala and reauth.object_id == str(submitted.pk)
    assert reauth.data["draft_sha256"] == submitted.draft_sha256
    assert AuditEvent.objects.get(action="report.approve").data == {"reauthenticated": True}


def test_too_many_wrong_passwords_lock_the_signing_like_the_login(post, settings, kepala, submitted):
    settings.AXES_FAILURE_LIMIT = 2
    url = reverse("monev:report_sign", args=[submitted.pk])
    for _ in range(2):
        post(kepala, url, {"password": "salah"})
    locked = post(kepala, url, {"password": PASSWORD})
    assert "Akun dikunci sementara" in locked.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Report.Status.SUBMITTED


def test_without_a_ready_preview_nothing_is_signed(post, client, kepala, submitted):
    Report.objects.filter(pk=submitted.pk).update(render_state=Report.RenderState.RENDERING)
    client.force_login(kepala)
    page = client.get(reverse("monev:report_sign", args=[submitted.pk])).content.decode()
    assert "sedang dibuat" in page and "disabled" in page and 'http-equiv="refresh"' in page
    response = post(kepala, reverse("monev:report_sign", args=[submitted.pk]), {"password": PASSWORD})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Report.Status.SUBMITTED and submitted.sign_requested_by is None


def test_the_report_page_leads_to_the_confirmation_instead_of_signing(client, kepala, plan, submitted):
    client.force_login(kepala)
    html = client.get(reverse("monev:report_page", args=[plan.pk, 1])).content.decode()
    assert f'href="{reverse("monev:report_sign", args=[submitted.pk])}">Setujui dan tandatangani' in html
    assert f'action="{reverse("monev:report_sign", args=[submitted.pk])}"' not in html
