"""Every URL of the portal against every role (STYLE.md §10). A state-changing POST is tried on fresh data for
each role, so one role's success does not change what the next one sees."""
import datetime
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from evidence.models import Revision
from notifications.models import Notification
from public.services import public_page_set

from .factories import PASSWORD, pdf_bytes, submit
from .programme_factories import build_programme, signed_report

ROLES = ["anggota", "anggota_other", "ketua", "kepala", "tpi", "outsider", "anonymous"]
MEMBERS = {"anggota", "anggota_other", "ketua", "kepala", "tpi"}


def _lke(plan, ketua):
    """An LKE assessment of the plan's unit with an uploaded document linked to A.I.1.i.a (unit column)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from actionplan.models import Membership
    from lke import services as lke_services

    from .factories import pdf_bytes

    membership = Membership.objects.get(user=ketua)
    assessment = lke_services.assessment_start(unit=plan.unit, year=plan.year, user=ketua, membership=membership)
    link = lke_services.document_upload(assessment=assessment, code="A.I.1.i.a", column="unit", description="SK",
                                        file=SimpleUploadedFile("sk.pdf", pdf_bytes(), "application/pdf"),
                                        user=ketua, membership=membership)
    return assessment, link


@pytest.fixture
def world(plan, assigned_target, anggota, anggota_other, ketua, kepala, tpi, outsider):
    revision = submit(assigned_target, anggota)
    lke_assessment, lke_link = _lke(plan, ketua)
    notification = Notification.objects.create(
        target=assigned_target, due_date=assigned_target.due_date, recipient=anggota, kind="before_3",
        recipient_role="responsible", notice_date=assigned_target.due_date - datetime.timedelta(days=3),
        run_id=uuid.uuid4(), created_at=timezone.now())
    programme = build_programme(plan.unit, plan, ketua)
    programme["public_report"] = signed_report(plan, ketua, kepala, semester=1, code="PUBL-1111")
    public_page_set(unit=plan.unit, enabled=True, slug="lumajang", published_codes=["PUBL-1111"], actor=ketua,
                    check_role=False)
    report = _submitted_report(plan, ketua)
    bundle = _ready_bundle(plan, ketua)
    return {**programme, "report": report, "bundle": bundle,
            "member": anggota_other.memberships.get(),
            "notification": notification, "plan": plan, "target": assigned_target,
            "step": assigned_target.step, "unit": plan.unit,
            "lke": lke_assessment, "lke_link": lke_link, "lke_document": lke_link.document,
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


def _ready_bundle(plan, ketua):
    """A built Berkas untuk TPI (of no accepted file yet: the index alone)."""
    from evidence.services import bundle_build, bundle_request

    bundle = bundle_request(plan=plan, component_code="", user=ketua, membership=ketua.memberships.get())
    bundle_build(bundle_id=bundle.pk)
    bundle.refresh_from_db()
    return bundle


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

READERS = {**{r: 200 for r in MEMBERS}, "outsider": 404, "anonymous": "login"}
KETUA_ONLY = {**{r: 403 for r in MEMBERS}, "ketua": 302, "outsider": 404, "anonymous": "login"}
TPI_ONLY = {**{r: 403 for r in MEMBERS}, "tpi": 302, "outsider": 404, "anonymous": "login"}
# the anggota is responsible for a step of component I (area 1, where A.I.1.i.a is)
UNIT_COLUMN = {**{r: 403 for r in MEMBERS}, "anggota": 302, "ketua": 302, "outsider": 404, "anonymous": "login"}


def _lke_sheet(w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lke.management.commands.lke_export import export_bytes

    return SimpleUploadedFile("lke.xlsx", export_bytes(w["plan"].unit, 2019))


def _pdf_upload(w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .factories import pdf_bytes

    return SimpleUploadedFile("sk.pdf", pdf_bytes(), "application/pdf")

MEMBERS_READ = {**{r: 200 for r in MEMBERS}, "outsider": 404, "anonymous": "login"}
KETUA_READS = {**{r: 403 for r in MEMBERS}, "ketua": 200, "outsider": 404, "anonymous": "login"}
PUBLISHERS = {**{r: 403 for r in MEMBERS}, "ketua": 200, "kepala": 200, "outsider": 404, "anonymous": "login"}
KETUA_ACTS = {**{r: 403 for r in MEMBERS}, "ketua": 302, "outsider": 404, "anonymous": "login"}
# a report of the unit: only the Ketua Tim acts; the outsider does not see that the report exists
KETUA_REPORT = {**{r: 403 for r in MEMBERS}, "ketua": 302, "outsider": 404, "anonymous": "login"}


# name, url builder, expected status per role ("login" = redirect to the login page)
GET_MATRIX = [
    ("home", lambda w: reverse("home"), {**{r: 200 for r in ROLES}, "anonymous": "login"}),
    ("healthz", lambda w: reverse("healthz"), {r: 200 for r in ROLES}),
    ("login", lambda w: reverse("login"), {**{r: 302 for r in ROLES}, "anonymous": 200}),
    ("plan_detail", lambda w: reverse("actionplan:plan_detail", args=[w["plan"].pk]),
     {**{r: 200 for r in MEMBERS}, "outsider": 404, "anonymous": "login"}),
    ("step_assign", lambda w: reverse("actionplan:step_assign", args=[w["step"].pk]),
     {**{r: 403 for r in MEMBERS}, "ketua": 200, "outsider": 404, "anonymous": "login"}),
    ("target_date", lambda w: reverse("actionplan:target_date", args=[w["target"].pk]), KETUA_READS),
    ("my_tasks", lambda w: reverse("evidence:my_tasks"), {**{r: 200 for r in ROLES}, "anonymous": "login"}),
    ("my_tasks_filtered", lambda w: reverse("evidence:my_tasks") + "?status=terlambat&komponen=I&q=tim",
     {**{r: 200 for r in ROLES}, "anonymous": "login"}),
    ("plan_detail_filtered", lambda w: reverse("actionplan:plan_detail", args=[w["plan"].pk])
     + "?status=terlambat&komponen=I&q=tim", {**{r: 200 for r in MEMBERS}, "outsider": 404, "anonymous": "login"}),
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
    ("plan_import_preview", lambda w: reverse("admin:actionplan_plan_import_preview", args=["t" * 32]),
     {r: "login" for r in ROLES}),
    ("plan_import", lambda w: reverse("admin:actionplan_plan_import"), {r: "login" for r in ROLES}),
    ("dashboard", lambda w: reverse("monev:dashboard", args=[w["plan"].pk]), WATCHERS),
    ("status_export", lambda w: reverse("monev:status_export", args=[w["plan"].pk]), WATCHERS),
    ("report_page", lambda w: reverse("monev:report_page", args=[w["plan"].pk, 1]), WATCHERS),
    ("units_summary", lambda w: reverse("monev:units_summary"), {**{r: 200 for r in ROLES}, "anonymous": "login"}),
    ("notifications", lambda w: reverse("notifications:list"), {**{r: 200 for r in ROLES}, "anonymous": "login"}),
    # the e-mail switches are a section of the profile page: the old address leads there
    ("notification_preferences", lambda w: reverse("notifications:preferences"),
     {**{r: 302 for r in ROLES}, "anonymous": "login"}),
    # one's own profile and password: everyone signed in, always their own account (no id in the address)
    ("profile", lambda w: reverse("profile"), {**{r: 200 for r in ROLES}, "anonymous": "login"}),
    ("password_change", lambda w: reverse("password_change"), {**{r: 200 for r in ROLES}, "anonymous": "login"}),
    ("password_change_done", lambda w: reverse("password_change_done"),
     {**{r: 200 for r in ROLES}, "anonymous": "login"}),
    ("verify_unknown_code", lambda w: reverse("monev:verify", args=["ABCD-2345"]), {r: 404 for r in ROLES}),
    # LKE: every member of the unit reads everything
    ("lke_assessment", lambda w: reverse("lke:assessment", kwargs={"unit_id": w["plan"].unit_id, "year": 2019}),
     READERS),
    ("lke_assessment_no_assessment_yet",
     lambda w: reverse("lke:assessment", kwargs={"unit_id": w["plan"].unit_id, "year": 2030}), READERS),
    ("lke_question", lambda w: reverse("lke:question", kwargs={"assessment_id": w["lke"].pk, "code": "A.I.1.i.a"}),
     READERS),
    ("lke_question_unknown_code", lambda w: reverse("lke:question", args=[w["lke"].pk, "Z.9"]),
     {**{r: 404 for r in ROLES}, "anonymous": "login"}),
    ("lke_document_download", lambda w: reverse("lke:document_download", args=[w["lke"].pk, w["lke_document"].pk]),
     READERS),
    ("lke_export", lambda w: reverse("lke:export", args=[w["lke"].pk]), READERS),
    ("lke_history", lambda w: reverse("lke:history", args=[w["lke"].pk]), READERS),
    ("lke_points", lambda w: reverse("lke:points", args=[w["lke"].pk]), READERS),
    ("lke_units", lambda w: reverse("lke:units", args=[2019]), {**{r: 200 for r in ROLES}, "anonymous": "login"}),
    # programme (issue 11): everyone in the unit reads teams and priority targets; the register (NIPs,
    # signatures) is for Ketua Tim, Kepala Dinas and TPI; only the Ketua Tim edits
    ("teams", lambda w: reverse("programme:teams", args=[w["unit"].pk]), MEMBERS_READ),
    ("team_file", lambda w: reverse("programme:team_file", args=[w["team"].pk]), MEMBERS_READ),
    ("priorities", lambda w: reverse("programme:priorities", args=[w["plan"].pk]), MEMBERS_READ),
    ("priority_links", lambda w: reverse("programme:priority_links", args=[w["priorities"][0].pk]), KETUA_READS),
    ("register", lambda w: reverse("programme:register", args=[w["unit"].pk]), WATCHERS),
    ("pakta_file", lambda w: reverse("programme:pakta_file", args=[w["pakta"].pk]), WATCHERS),
    ("public_settings", lambda w: reverse("public:settings", args=[w["unit"].pk]), PUBLISHERS),
    # the public pages: anyone, logged in or not
    ("public_units", lambda w: reverse("public:units"), {r: 200 for r in ROLES}),
    ("public_unit", lambda w: reverse("public:unit", args=["lumajang"]), {r: 200 for r in ROLES}),
    ("public_csv", lambda w: reverse("public:unit_data", args=["lumajang", "csv"]), {r: 200 for r in ROLES}),
    ("public_json", lambda w: reverse("public:unit_data", args=["lumajang", "json"]), {r: 200 for r in ROLES}),
    ("public_pdf", lambda w: reverse("public:report_pdf", args=["lumajang", "PUBL-1111"]), {r: 200 for r in ROLES}),
    ("public_unknown_unit", lambda w: reverse("public:unit", args=["tidak-ada"]), {r: 404 for r in ROLES}),
    ("public_bad_format", lambda w: reverse("public:unit_data", args=["lumajang", "xml"]), {r: 404 for r in ROLES}),
    # signing: the confirmation page (the PDF to be signed and the password) for the Kepala Dinas only; the
    # framed preview for everyone who reads reports
    ("report_sign", lambda w: reverse("monev:report_sign", args=[w["report"].pk]),
     {**{r: 403 for r in MEMBERS}, "kepala": 200, "outsider": 404, "anonymous": "login"}),
    ("report_preview", lambda w: reverse("monev:report_preview", args=[w["report"].pk]), WATCHERS),
    # the render state polled while a PDF is made: whoever reads the report
    ("report_render_status", lambda w: reverse("monev:report_render_status", args=[w["report"].pk]), WATCHERS),
    # the signed PDF (and the draft) for whoever reads the report; every download is recorded
    ("report_download", lambda w: reverse("monev:report_download", args=[w["public_report"].pk]), WATCHERS),
    ("report_download_draft", lambda w: reverse("monev:report_download", args=[w["report"].pk]) + "?berkas=draf",
     WATCHERS),
    # password reset by e-mail: open to everyone (a signed-in person may have forgotten it too)
    ("password_reset", lambda w: reverse("password_reset"), {r: 200 for r in ROLES}),
    # Berkas untuk TPI: TPI, Ketua Tim and Kepala Dinas of the unit (evidence.models.BUNDLE_ROLES)
    ("bundle_list", lambda w: reverse("evidence:bundle_list", args=[w["plan"].pk]), WATCHERS),
    ("bundle_download", lambda w: reverse("evidence:bundle_download", args=[w["bundle"].pk]), WATCHERS),
    # the list's polling while a bundle is built: the same people as the list
    ("bundle_status", lambda w: reverse("evidence:bundle_status", args=[w["plan"].pk]), WATCHERS),
    # the team: only the unit's Ketua Tim
    ("team", lambda w: reverse("actionplan:team", args=[w["unit"].pk]), KETUA_READS),
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
    ("target_date", lambda w: reverse("actionplan:target_date", args=[w["target"].pk]),
     lambda w: {"due_date": w["target"].due_date.isoformat(), "reason": "Sesuai notulen rapat tim"}, KETUA_ACTS),
    # the notification belongs to the anggota: anyone else gets 404
    ("notification_read", lambda w: reverse("notifications:read", args=[w["notification"].pk]), {},
     {**{r: 404 for r in ROLES}, "anggota": 302, "anonymous": "login"}),
    ("notifications_read_all", lambda w: reverse("notifications:read_all"), {},
     {**{r: 302 for r in ROLES}, "anonymous": "login"}),
    ("notification_preferences_save", lambda w: reverse("notifications:preferences"), {"email": ["reminder"]},
     {**{r: 302 for r in ROLES}, "anonymous": "login"}),
    ("profile_save", lambda w: reverse("profile"),
     {"first_name": "Nama", "last_name": "Baru", "email": "profil@example.go.id", "nip": "",
      "current_password": PASSWORD}, {**{r: 302 for r in ROLES}, "anonymous": "login"}),
    ("password_change", lambda w: reverse("password_change"),
     {"old_password": PASSWORD, "new_password1": "kata-sandi-baru-2026", "new_password2": "kata-sandi-baru-2026"},
     {**{r: 302 for r in ROLES}, "anonymous": "login"}),
    ("lke_start", lambda w: reverse("lke:start", args=[w["plan"].unit_id, 2020]), {},
     {**{r: 302 for r in MEMBERS}, "kepala": 403, "outsider": 404, "anonymous": "login"}),
    ("lke_answer_unit", lambda w: reverse("lke:answer_save", args=[w["lke"].pk, "A.I.1.i.a", "unit"]),
     {"unit-choice": "Ya", "unit-note": "SK tim ada"}, UNIT_COLUMN),
    ("lke_answer_tpi", lambda w: reverse("lke:answer_save", args=[w["lke"].pk, "A.I.1.i.a", "tpi"]),
     {"tpi-choice": "Tidak", "tpi-note": ""}, TPI_ONLY),
    ("lke_evidence_link", lambda w: reverse("lke:evidence_link", args=[w["lke"].pk, "A.I.1.i.a", "unit"]),
     {"revision": "1"}, UNIT_COLUMN),
    ("lke_document_upload", lambda w: reverse("lke:document_upload", args=[w["lke"].pk, "A.I.1.i.a", "unit"]),
     lambda w: {"file": _pdf_upload(w), "description": "Notulen"}, UNIT_COLUMN),
    ("lke_evidence_unlink", lambda w: reverse("lke:evidence_unlink", args=[w["lke"].pk, w["lke_link"].pk]),
     {"code": "A.I.1.i.a"}, UNIT_COLUMN),
    ("lke_submit", lambda w: reverse("lke:submit", args=[w["lke"].pk]), {}, KETUA_ONLY),
    ("lke_reopen", lambda w: reverse("lke:reopen", args=[w["lke"].pk]), {}, KETUA_ONLY),
    ("lke_tpi_finalise", lambda w: reverse("lke:tpi_finalise", args=[w["lke"].pk]), {}, TPI_ONLY),
    ("lke_eligibility", lambda w: reverse("lke:eligibility", args=[w["lke"].pk]), {"bpk_opinion": "met"},
     {**KETUA_ONLY, "tpi": 302}),
    ("lke_import_unit", lambda w: reverse("lke:import", args=[w["lke"].pk, "unit"]),
     lambda w: {"file": _lke_sheet(w)}, KETUA_ONLY),
    ("lke_import_tpi", lambda w: reverse("lke:import", args=[w["lke"].pk, "tpi"]),
     lambda w: {"file": _lke_sheet(w)}, TPI_ONLY),
    ("lke_links_propose", lambda w: reverse("lke:links_propose", args=[w["lke"].pk]), {}, KETUA_ONLY),
    ("lke_links_set", lambda w: reverse("lke:links_set", args=[w["lke"].pk, "A.I.1.i.a"]), {"indicators": []},
     KETUA_ONLY),
    ("lke_make_step", lambda w: reverse("lke:make_step", args=[w["lke"].pk, "A.I.1.i.b"]),
     {"description": "Seleksi anggota tim", "evidence_required": "SK", "due_date": "2019-10-31"}, KETUA_ONLY),
    ("team_create", lambda w: reverse("programme:team_create", args=[w["unit"].pk]),
     {"kind": "agen", "year": "2019", "sk_number": "800/9/2019", "sk_date": "2019-01-28",
      "members": "Ketua; Hari Purnomo; ; Kepala Bidang"}, KETUA_ACTS),
    ("priorities_set", lambda w: reverse("programme:priorities_set", args=[w["plan"].pk]),
     {"titles": "Satu\nDua"}, KETUA_ACTS),
    ("priority_links", lambda w: reverse("programme:priority_links", args=[w["priorities"][1].pk]),
     lambda w: {"steps": [str(w["step"].pk)]}, KETUA_ACTS),
    ("staff_import", lambda w: reverse("programme:staff_import", args=[w["unit"].pk]),
     {"file": lambda: SimpleUploadedFile("p.csv", b"NAMA,NIP\nBudi,196607101992031007\n")}, KETUA_ACTS),
    ("pakta_record", lambda w: reverse("programme:pakta_record", args=[w["staff"][1].pk]),
     {"year": "2019", "signed_on": "2019-01-09"}, KETUA_ACTS),
    ("pakta_bulk", lambda w: reverse("programme:pakta_bulk", args=[w["unit"].pk]),
     lambda w: {"year": "2019", "signed_on": "2019-01-09", "event": "Pelantikan",
                "staff": [str(w["staff"][3].pk)]},
     KETUA_ACTS),
    ("asset_report", lambda w: reverse("programme:asset_report", args=[w["staff"][1].pk]),
     {"year": "2019", "kind": "lhkpn", "must_file": "on", "filed_on": "2019-03-01"}, KETUA_ACTS),
    ("public_settings", lambda w: reverse("public:settings", args=[w["unit"].pk]),
     {"enabled": "on", "slug": "lumajang", "published": []},
     {**KETUA_ACTS, "kepala": 302}),
    ("password_reset", lambda w: reverse("password_reset"), {"email": "siapa@example.go.id"},
     {r: 302 for r in ROLES}),
    ("bundle_create", lambda w: reverse("evidence:bundle_create", args=[w["plan"].pk]), {"component": ""},
     {**WATCHERS, "ketua": 302, "kepala": 302, "tpi": 302}),
    ("team_add", lambda w: reverse("actionplan:team_add", args=[w["unit"].pk]),
     {"identifier": "orang_luar", "role": "tpi"}, KETUA_ACTS),
    ("team_invite", lambda w: reverse("actionplan:team_invite", args=[w["unit"].pk]),
     {"full_name": "Budi Santoso", "username": "budi", "email": "budi@example.go.id", "role": "anggota"},
     KETUA_ACTS),
    ("team_role", lambda w: reverse("actionplan:team_role", args=[w["member"].pk]), {"role": "tpi"}, KETUA_ACTS),
    ("team_remove", lambda w: reverse("actionplan:team_remove", args=[w["member"].pk]), {}, KETUA_ACTS),
    ("report_begin", lambda w: reverse("monev:report_begin", args=[w["plan"].pk, 1]), {},
     {**{r: 403 for r in MEMBERS}, "ketua": 302, "outsider": 404, "anonymous": "login"}),
    # the report's life: the Ketua Tim writes and submits (semester I has no report yet), the Kepala Dinas
    # returns; a correction version of a signed report is the Ketua Tim's
    ("report_edit", lambda w: reverse("monev:report_edit", args=[w["plan"].pk, 1]),
     {"number": "800/1/2019", "conclusions": "Capaian semester I."}, KETUA_REPORT),
    ("report_submit", lambda w: reverse("monev:report_submit", args=[w["plan"].pk, 1]), {}, KETUA_REPORT),
    ("report_draft", lambda w: reverse("monev:report_draft", args=[w["report"].pk]), {},
     {**KETUA_REPORT, "kepala": 302}),
    ("report_return", lambda w: reverse("monev:report_return", args=[w["report"].pk]),
     {"note": "Lengkapi rekomendasi."}, {**KETUA_REPORT, "ketua": 403, "kepala": 302}),
    ("report_correct", lambda w: reverse("monev:report_correct", args=[w["public_report"].pk]), {}, KETUA_REPORT),
    ("plan_import_confirm", lambda w: reverse("admin:actionplan_plan_import_confirm"), {"token": "t" * 32},
     {r: "login" for r in ROLES}),
    ("logout", lambda w: reverse("logout"), {}, {r: 302 for r in ROLES}),
    ("report_sign_wrong_password", lambda w: reverse("monev:report_sign", args=[w["report"].pk]),
     {"password": "bukan-sandinya"},
     {**{r: 403 for r in MEMBERS}, "kepala": 400, "outsider": 404, "anonymous": "login"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name, url, data, expected", POST_MATRIX, ids=[m[0] for m in POST_MATRIX])
def test_post_every_action_as_every_role(client, world, role, name, url, data, expected):
    before = Revision.objects.get(pk=world["revision"].pk).status
    data = data(world) if callable(data) else {k: v() if callable(v) else v for k, v in data.items()}
    response = _client(client, world, role).post(url(world), data)
    if expected[role] == "login":
        _expect_login_redirect(response)
    else:
        assert response.status_code == expected[role], f"{name} as {role}"
    if expected[role] != 302 and name in {"withdraw", "review_accept"}:
        assert Revision.objects.get(pk=world["revision"].pk).status == before  # refused means unchanged


def test_upload_post_by_someone_not_responsible_is_refused_and_stores_nothing(client, world):

    client.force_login(world["people"]["anggota_other"])
    response = client.post(reverse("evidence:upload", args=[world["target"].pk]), {
        "files": [SimpleUploadedFile("a.pdf", pdf_bytes())], "description": "x", "document_date": "2019-02-01"})
    assert response.status_code == 403
    assert Revision.objects.count() == 1


def _url_names(resolver=None, namespace=""):
    """Every named URL of the portal's own apps (the admin's are Django's, walked above only where ours)."""
    from django.urls import URLResolver, get_resolver

    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":
                yield from _url_names(pattern, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
        elif pattern.name:
            yield namespace + pattern.name


def test_every_named_url_is_in_the_walk(world):
    from django.urls import resolve

    walked = {resolve(url(world).split("?")[0]).view_name for _name, url, *_rest in GET_MATRIX + POST_MATRIX}
    missing = sorted(set(_url_names()) - walked)
    assert not missing, f"add these URLs to GET_MATRIX or POST_MATRIX: {missing}"
