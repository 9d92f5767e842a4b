"""Every URL of the portal against every role (STYLE.md §10). A state-changing POST is tried on fresh data for
each role, so one role's success does not change what the next one sees."""
import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from evidence.models import Revision
from monev.models import Notification

from .factories import submit

ROLES = ["anggota", "anggota_other", "ketua", "kepala", "tpi", "outsider", "anonymous"]
MEMBERS = {"anggota", "anggota_other", "ketua", "kepala", "tpi"}


@pytest.fixture
def world(plan, assigned_target, anggota, anggota_other, ketua, kepala, tpi, outsider):
    revision = submit(assigned_target, anggota)
    notification = Notification.objects.create(
        target=assigned_target, due_date=assigned_target.due_date, recipient=anggota, kind="before_3",
        recipient_role="responsible", notice_date=assigned_target.due_date - datetime.timedelta(days=3),
        run_id=uuid.uuid4(), created_at=timezone.now())
    report = _submitted_report(plan, ketua)
    return {"notification": notification, "plan": plan, "target": assigned_target, "step": assigned_target.step,
            "report": report,
            "revision": revision, "file": revision.files.get(),
            "people": {"anggota": anggota, "anggota_other": anggota_other, "ketua": ketua, "kepala": kepala,
                       "tpi": tpi, "outsider": outsider, "anonymous": None}}


def _submitted_report(plan, ketua):
    """Semester II 2019, submitted, with its draft PDF as the submission's render leaves it."""
    from django.core.files.base import ContentFile

    from monev import services as monev_services
    from monev.models import Report

    from .factories import pdf_bytes

    membership = ketua.memberships.get()
    report = monev_services.report_start(plan=plan, semester=2, user=ketua, membership=membership)
    monev_services.report_save(report=report, user=ketua, membership=membership, number="800/2/2019",
                               conclusions="Capaian semester II.", recommendations=[], followups={})
    monev_services.report_submit(report=report, user=ketua, membership=membership)
    report.refresh_from_db()
    report.draft_pdf.save("draf.pdf", ContentFile(pdf_bytes("Draf")), save=False)
    Report.objects.filter(pk=report.pk).update(draft_pdf=report.draft_pdf.name,
                                               render_state=Report.RenderState.READY, render_kind="draft")
    return report


def _client(client, world, role):
    person = world["people"][role]
    if person is not None:
        client.force_login(person)
    return client


def _expect_login_redirect(response):
    assert response.status_code == 302
    assert reverse("login") in response.url or "/admin/login/" in response.url


# progress and reports: Ketua Tim, Kepala Dinas and TPI of the unit
WATCHERS = {"anggota": 403, "anggota_other": 403, "ketua": 200, "kepala": 200, "tpi": 200, "outsider": 404,
            "anonymous": "login"}

# name, url builder, expected status per role ("login" = redirect to the login page)
GET_MATRIX = [
    ("home", lambda w: reverse("home"), {**{r: 200 for r in ROLES}, "anonymous": "login"}),
    ("healthz", lambda w: reverse("healthz"), {r: 200 for r in ROLES}),
    ("login", lambda w: reverse("login"), {**{r: 302 for r in ROLES}, "anonymous": 200}),
    ("plan_detail", lambda w: reverse("actionplan:plan_detail", args=[w["plan"].pk]),
     {**{r: 200 for r in MEMBERS}, "outsider": 404, "anonymous": "login"}),
    ("step_assign", lambda w: reverse("actionplan:step_assign", args=[w["step"].pk]),
     {**{r: 403 for r in MEMBERS}, "ketua": 200, "outsider": 404, "anonymous": "login"}),
    ("my_tasks", lambda w: reverse("evidence:my_tasks"), {**{r: 200 for r in ROLES}, "anonymous": "login"}),
    # the outsider is Ketua Tim of another unit: their own (empty) queue
    ("review_queue", lambda w: reverse("evidence:review_queue"),
     {**{r: 403 for r in MEMBERS}, "ketua": 200, "outsider": 200, "anonymous": "login"}),
    ("target", lambda w: reverse("evidence:target", args=[w["target"].pk]),
     {**{r: 200 for r in MEMBERS}, "outsider": 404, "anonymous": "login"}),
    # a revision waits for review: the owner is sent back to the target page with a message
    ("upload", lambda w: reverse("evidence:upload", args=[w["target"].pk]),
     {**{r: 403 for r in MEMBERS}, "anggota": 302, "outsider": 404, "anonymous": "login"}),
    ("review", lambda w: reverse("evidence:review", args=[w["revision"].pk]),
     {**{r: 403 for r in MEMBERS}, "ketua": 200, "outsider": 404, "anonymous": "login"}),
    ("download", lambda w: reverse("evidence:download", args=[w["file"].pk]),
     {**{r: 200 for r in MEMBERS}, "outsider": 404, "anonymous": "login"}),
    ("admin", lambda w: reverse("admin:index"), {r: "login" for r in ROLES}),
    ("dashboard", lambda w: reverse("monev:dashboard", args=[w["plan"].pk]), WATCHERS),
    ("status_export", lambda w: reverse("monev:status_export", args=[w["plan"].pk]), WATCHERS),
    ("report_page", lambda w: reverse("monev:report_page", args=[w["plan"].pk, 1]), WATCHERS),
    ("units_summary", lambda w: reverse("monev:units_summary"), {**{r: 200 for r in ROLES}, "anonymous": "login"}),
    ("notifications", lambda w: reverse("monev:notifications"), {**{r: 200 for r in ROLES}, "anonymous": "login"}),
    ("verify_unknown_code", lambda w: reverse("monev:verify", args=["ABCD-2345"]), {r: 404 for r in ROLES}),
    # signing: the confirmation page (the PDF to be signed and the password) for the Kepala Dinas only; the
    # framed preview for everyone who reads reports
    ("report_sign", lambda w: reverse("monev:report_sign", args=[w["report"].pk]),
     {**{r: 403 for r in MEMBERS}, "kepala": 200, "outsider": 404, "anonymous": "login"}),
    ("report_preview", lambda w: reverse("monev:report_preview", args=[w["report"].pk]), WATCHERS),
    # password reset by e-mail: open to everyone (a signed-in person may have forgotten it too)
    ("password_reset", lambda w: reverse("password_reset"), {r: 200 for r in ROLES}),
    ("password_reset_done", lambda w: reverse("password_reset_done"), {r: 200 for r in ROLES}),
    ("password_reset_complete", lambda w: reverse("password_reset_complete"), {r: 200 for r in ROLES}),
    ("password_reset_confirm_bad_link", lambda w: reverse("password_reset_confirm", args=["MQ", "bukan-token"]),
     {r: 400 for r in ROLES}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name, url, expected", GET_MATRIX, ids=[m[0] for m in GET_MATRIX])
def test_get_every_url_as_every_role(client, world, role, name, url, expected):
    response = _client(client, world, role).get(url(world))
    if expected[role] == "login":
        _expect_login_redirect(response)
    else:
        assert response.status_code == expected[role], f"{name} as {role}"


POST_MATRIX = [
    ("withdraw", lambda w: reverse("evidence:withdraw", args=[w["revision"].pk]), {"reason": "Salah berkas."},
     {**{r: 403 for r in MEMBERS}, "anggota": 302, "outsider": 404, "anonymous": "login"}),
    ("review_accept", lambda w: reverse("evidence:review", args=[w["revision"].pk]),
     {"decision": "accept", "note": ""},
     {**{r: 403 for r in MEMBERS}, "ketua": 302, "outsider": 404, "anonymous": "login"}),
    ("comment", lambda w: reverse("evidence:comment", args=[w["target"].pk]), {"body": "Sudah dicek."},
     {**{r: 302 for r in MEMBERS}, "kepala": 403, "tpi": 403, "outsider": 404, "anonymous": "login"}),
    ("step_assign", lambda w: reverse("actionplan:step_assign", args=[w["step"].pk]), {"people": []},
     {**{r: 403 for r in MEMBERS}, "ketua": 302, "outsider": 404, "anonymous": "login"}),
    # the notification belongs to the anggota: anyone else gets 404
    ("notification_read", lambda w: reverse("monev:notification_read", args=[w["notification"].pk]), {},
     {**{r: 404 for r in ROLES}, "anggota": 302, "anonymous": "login"}),
    ("notifications_read_all", lambda w: reverse("monev:notifications_read_all"), {},
     {**{r: 302 for r in ROLES}, "anonymous": "login"}),
    ("password_reset", lambda w: reverse("password_reset"), {"email": "siapa@example.go.id"},
     {r: 302 for r in ROLES}),
    ("report_begin", lambda w: reverse("monev:report_begin", args=[w["plan"].pk, 1]), {},
     {**{r: 403 for r in MEMBERS}, "ketua": 302, "outsider": 404, "anonymous": "login"}),
    ("report_sign_wrong_password", lambda w: reverse("monev:report_sign", args=[w["report"].pk]),
     {"password": "bukan-sandinya"},
     {**{r: 403 for r in MEMBERS}, "kepala": 400, "outsider": 404, "anonymous": "login"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name, url, data, expected", POST_MATRIX, ids=[m[0] for m in POST_MATRIX])
def test_post_every_action_as_every_role(client, world, role, name, url, data, expected):
    before = Revision.objects.get(pk=world["revision"].pk).status
    response = _client(client, world, role).post(url(world), data)
    if expected[role] == "login":
        _expect_login_redirect(response)
    else:
        assert response.status_code == expected[role], f"{name} as {role}"
    if expected[role] != 302 and name in {"withdraw", "review_accept"}:
        assert Revision.objects.get(pk=world["revision"].pk).status == before  # refused means unchanged


def test_upload_post_by_someone_not_responsible_is_refused_and_stores_nothing(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .factories import pdf_bytes

    client.force_login(world["people"]["anggota_other"])
    response = client.post(reverse("evidence:upload", args=[world["target"].pk]), {
        "files": [SimpleUploadedFile("a.pdf", pdf_bytes())], "description": "x", "document_date": "2019-02-01"})
    assert response.status_code == 403
    assert Revision.objects.count() == 1
