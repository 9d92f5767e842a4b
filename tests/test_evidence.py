import datetime
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionplan.models import AuditEvent, Role, Target
from actionplan.services import assignments_set, person_ensure
from evidence.models import Comment, EvidenceFile, ReviewDecision, Revision, RevisionStatus
from evidence.services import revision_review

from .factories import pdf_bytes, submit


def upload_url(target):
    return reverse("evidence:upload", args=[target.pk])


def post_upload(client, target, files, description="SK Tim ZI", document_date="2019-02-20"):
    return client.post(upload_url(target), {"files": files, "description": description,
                                            "document_date": document_date})


def media_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def review(client, revision, decision, note=""):
    return client.post(reverse("evidence:review", args=[revision.pk]), {"decision": decision, "note": note})


def test_member_uploads_evidence_with_several_files(login, assigned_target, anggota, settings):
    client = login(anggota)
    pdf = pdf_bytes("SK Tim Kerja")
    png = (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15"
           b"\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
    response = post_upload(client, assigned_target, [SimpleUploadedFile("SK Tim.pdf", pdf),
                                                     SimpleUploadedFile("foto rapat.png", png)])
    assert response.status_code == 302
    revision = Revision.objects.get()
    assert (revision.number, revision.status, revision.submitted_by) == (1, RevisionStatus.SUBMITTED, anggota)
    assert revision.document_date == datetime.date(2019, 2, 20)
    files = {f.original_name: f for f in revision.files.all()}
    assert set(files) == {"SK Tim.pdf", "foto rapat.png"}
    assert files["SK Tim.pdf"].sha256 == hashlib.sha256(pdf).hexdigest()
    assert "SK Tim" not in files["SK Tim.pdf"].file.name  # the stored path is random, not the user's name
    assert Path(files["SK Tim.pdf"].file.path).read_bytes() == pdf
    event = AuditEvent.objects.get(action="evidence.submit")
    assert event.actor == anggota and event.ip == "127.0.0.1"
    assert {f["sha256"] for f in event.data["files"]} == {f.sha256 for f in files.values()}


def _docm_bytes():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<Types><Override PartName="/word/document.xml" ContentType='
                   '"application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>')
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    return buf.getvalue()


BAD_UPLOADS = [
    ("exe renamed pdf", "laporan.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),
    ("html renamed docx", "notulen.docx", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("svg with script", "logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("macro-enabled office", "sk.docm", _docm_bytes()),
    ("zero bytes", "kosong.pdf", b""),
]


@pytest.mark.parametrize("label, name, content", BAD_UPLOADS, ids=[b[0] for b in BAD_UPLOADS])
def test_bad_upload_is_refused_with_a_message_and_nothing_is_stored(login, assigned_target, anggota, settings,
                                                                    label, name, content):
    response = post_upload(login(anggota), assigned_target, [SimpleUploadedFile(name, content)])
    assert response.status_code == 400
    errors = " ".join(str(e) for e in response.context["form"].errors.values())
    assert name.rsplit(".", 1)[0] in errors or "kosong" in errors
    assert Revision.objects.count() == 0 and EvidenceFile.objects.count() == 0
    assert not AuditEvent.objects.filter(action="evidence.submit").exists()
    assert media_files(settings) == []


def test_over_limit_upload_is_refused_naming_the_limit(login, assigned_target, anggota, settings):
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    big = pdf_bytes() + b"%" + b"0" * (1024 * 1024)
    response = post_upload(login(anggota), assigned_target, [SimpleUploadedFile("besar.pdf", big)])
    assert response.status_code == 400
    assert "1 MB" in str(response.context["form"].errors)
    assert Revision.objects.count() == 0 and media_files(settings) == []


def test_path_in_file_name_is_cleaned(login, assigned_target, anggota):
    response = post_upload(login(anggota), assigned_target, [SimpleUploadedFile("../../etc/passwd.pdf", pdf_bytes())])
    assert response.status_code == 302
    stored = EvidenceFile.objects.get()
    assert stored.original_name == "passwd.pdf"
    assert ".." not in stored.file.name and "etc" not in stored.file.name


def test_one_bad_file_among_good_ones_refuses_the_whole_upload(login, assigned_target, anggota, settings):
    response = post_upload(login(anggota), assigned_target, [SimpleUploadedFile("ok.pdf", pdf_bytes()),
                                                             SimpleUploadedFile("virus.pdf", b"MZ" + b"\0" * 64)])
    assert response.status_code == 400
    assert Revision.objects.count() == 0 and media_files(settings) == []


def test_storage_failure_midway_leaves_no_record_and_no_orphan_file(assigned_target, anggota, settings, monkeypatch):
    calls = {"n": 0}
    real_save = EvidenceFile.save

    def flaky_save(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk penuh")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(EvidenceFile, "save", flaky_save)
    with pytest.raises(OSError):
        submit(assigned_target, anggota, files=[SimpleUploadedFile("a.pdf", pdf_bytes("a")),
                                                SimpleUploadedFile("b.pdf", pdf_bytes("b"))])
    assert Revision.objects.count() == 0 and EvidenceFile.objects.count() == 0
    assert media_files(settings) == []


def test_future_document_date_is_refused(login, assigned_target, anggota):
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    response = post_upload(login(anggota), assigned_target, [SimpleUploadedFile("a.pdf", pdf_bytes())],
                           document_date=tomorrow)
    assert response.status_code == 400
    assert "document_date" in response.context["form"].errors


def test_revision_cycle_keeps_every_revision_readable(login, assigned_target, anggota, ketua, client):
    first = submit(assigned_target, anggota, description="Versi pertama")
    client.force_login(ketua)
    assert review(client, first, "revise", "Belum ditandatangani Kepala Dinas").status_code == 302
    second = submit(assigned_target, anggota, description="Versi kedua, sudah ditandatangani")
    assert second.number == 2
    assert review(client, second, "accept").status_code == 302
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == (RevisionStatus.REVISE, RevisionStatus.ACCEPTED)
    assert first.decision.note == "Belum ditandatangani Kepala Dinas"
    # the first revision's file is still served
    client.force_login(anggota)
    assert client.get(reverse("evidence:download", args=[first.files.get().pk])).status_code == 200
    page = client.get(reverse("evidence:target", args=[assigned_target.pk])).content.decode()
    assert "Versi pertama" in page and "Versi kedua" in page and "Belum ditandatangani Kepala Dinas" in page
    history = [e.action for e in AuditEvent.objects.filter(
        object_type="actionplan.target", object_id=str(assigned_target.pk)).order_by("id")]
    assert history == ["evidence.submit", "evidence.review.revise", "evidence.submit", "evidence.review.accept"]


def test_accepted_target_takes_no_more_uploads(assigned_target, anggota, ketua):
    revision = submit(assigned_target, anggota)
    revision_review(revision=revision, user=ketua, membership=ketua.memberships.get(), decision="accept", note="")
    with pytest.raises(ValidationError, match="sudah diterima"):
        submit(assigned_target, anggota)


def test_second_upload_waits_for_the_review_of_the_first(assigned_target, anggota):
    submit(assigned_target, anggota)
    with pytest.raises(ValidationError, match="menunggu review"):
        submit(assigned_target, anggota)


def test_sending_back_requires_a_note(login, assigned_target, anggota, ketua):
    revision = submit(assigned_target, anggota)
    response = review(login(ketua), revision, "revise", "  ")
    assert response.status_code == 400
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.SUBMITTED and not ReviewDecision.objects.exists()


def test_ketua_cannot_review_own_upload(assigned_target, ketua, anggota):
    assignments_set(step=assigned_target.step, users=[anggota, ketua], actor=ketua)
    revision = submit(assigned_target, ketua)
    with pytest.raises(PermissionDenied, match="sendiri"):
        revision_review(revision=revision, user=ketua, membership=ketua.memberships.get(), decision="accept",
                        note="")
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.SUBMITTED


def test_second_ketua_reviews_the_first_ketuas_upload(assigned_target, ketua, unit):
    wakil, _ = person_ensure(username="wakil", full_name="Wakil Ketua", nip="", position="", unit=unit,
                             role=Role.KETUA, password="x-zi-2019-x")
    assignments_set(step=assigned_target.step, users=[ketua], actor=ketua)
    revision = submit(assigned_target, ketua)
    revision_review(revision=revision, user=wakil, membership=wakil.memberships.get(), decision="accept", note="")
    assert Revision.objects.get().status == RevisionStatus.ACCEPTED


def test_withdrawal_is_recorded_and_opens_the_target_again(login, assigned_target, anggota):
    revision = submit(assigned_target, anggota)
    client = login(anggota)
    assert client.post(reverse("evidence:withdraw", args=[revision.pk]), {"reason": "Salah berkas."}).status_code == 302
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.WITHDRAWN and revision.files.count() == 1
    assert submit(assigned_target, anggota).number == 2
    assert AuditEvent.objects.filter(action="evidence.withdraw", actor=anggota).exists()


def test_download_headers_protect_the_browser(login, assigned_target, anggota, kepala):
    revision = submit(assigned_target, anggota)
    response = login(kepala).get(reverse("evidence:download", args=[revision.files.get().pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline") and "sk-tim.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_comments_are_shown_to_the_unit_with_author_and_time(login, assigned_target, anggota, tpi):
    login(anggota).post(reverse("evidence:comment", args=[assigned_target.pk]), {"body": "Mohon dicek lampiran 2"})
    comment = Comment.objects.get()
    assert comment.author == anggota
    page = login(tpi).get(reverse("evidence:target", args=[assigned_target.pk])).content.decode()
    assert "Mohon dicek lampiran 2" in page and "Anggota" in page
    assert AuditEvent.objects.filter(action="evidence.comment").count() == 1


def test_assignment_changes_are_recorded_and_shown_in_my_tasks(login, first_target, anggota, anggota_other, ketua):
    client = login(ketua)
    url = reverse("actionplan:step_assign", args=[first_target.step_id])
    assert client.post(url, {"people": [anggota.pk, anggota_other.pk]}).status_code == 302
    assert client.post(url, {"people": [anggota_other.pk]}).status_code == 302
    events = list(AuditEvent.objects.filter(action="step.assign").order_by("id"))
    assert events[0].data == {"added": ["anggota", "anggota_lain"], "removed": []}
    assert events[1].data == {"added": [], "removed": ["anggota"]}
    page = login(anggota_other).get(reverse("evidence:my_tasks")).content.decode()
    assert reverse("evidence:upload", args=[first_target.pk]) in page
    assert reverse("evidence:upload", args=[first_target.pk]) not in login(anggota).get(
        reverse("evidence:my_tasks")).content.decode()


def test_review_queue_links_to_each_waiting_revision(login, assigned_target, anggota, ketua):
    revision = submit(assigned_target, anggota)
    page = login(ketua).get(reverse("evidence:review_queue")).content.decode()
    assert reverse("evidence:review", args=[revision.pk]) in page


def _grow_targets(plan, count):
    """Add dated targets to the plan's first steps until it has `count` more."""
    from actionplan.models import ActionStep

    steps = list(ActionStep.objects.filter(indicator__subcomponent__component__plan=plan)[:10])
    day = datetime.date(2020, 1, 1)  # clear of the seed's 2019 dates
    Target.objects.bulk_create([Target.for_date(steps[i % len(steps)], day + datetime.timedelta(days=i // 10))
                                for i in range(count)])


@pytest.mark.parametrize("page", ["evidence:my_tasks", "evidence:review_queue"])
def test_task_and_review_pages_use_the_same_queries_for_10_and_500_targets(login, plan, anggota, anggota_other,
                                                                           ketua, page):
    from actionplan.models import ActionStep

    steps = list(ActionStep.objects.filter(indicator__subcomponent__component__plan=plan).order_by("id")[:10])
    for step in steps:
        assignments_set(step=step, users=[anggota, anggota_other], actor=ketua)

    def load():
        client = login(ketua if page == "evidence:review_queue" else anggota)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(page)).status_code == 200
        return len(ctx.captured_queries)

    def fill(people):
        """Give every target of the steps a revision waiting for review (bulk: the page is measured, not this)."""
        targets = Target.objects.filter(step__in=steps, revisions__isnull=True)
        Revision.objects.bulk_create([Revision(target=t, number=1, submitted_by=people[i % 2], description="x",
                                               document_date=datetime.date(2019, 1, 1))
                                      for i, t in enumerate(targets)])

    count = Target.objects.filter(step__in=steps).count()
    assert count <= 30
    fill([anggota, anggota_other])
    small = load()
    _grow_targets(plan, 500 - count)
    assert Target.objects.filter(step__in=steps).count() >= 500
    fill([anggota, anggota_other])
    assert Revision.objects.count() >= 500
    assert load() == small
