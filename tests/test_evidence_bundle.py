"""Berkas untuk TPI: the ZIP of a plan's accepted bukti fisik, its index, who may build and download it."""
import hashlib
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actionplan.models import AuditEvent, Membership, Target
from actionplan.services import assignments_set
from evidence.models import BundleDownload, EvidenceBundle, EvidenceFile
from evidence.services import bundle_build, revision_review

from .factories import pdf_bytes, submit


def _decide(revision, ketua, decision, note=""):
    revision_review(revision=revision, user=ketua, membership=Membership.objects.get(user=ketua),
                    decision=decision, note=note)


@pytest.fixture
def accepted(plan, assigned_target, anggota, ketua):
    """Target 1: revision 1 sent back, revision 2 (two files) accepted. Target 2 (component II): accepted.
    Target 3: waiting for review (not in the bundle)."""
    first = submit(assigned_target, anggota, files=[SimpleUploadedFile("sk-lama.pdf", pdf_bytes("lama"))])
    _decide(first, ketua, "revise", "Tanda tangan belum ada.")
    second = submit(assigned_target, anggota, files=[SimpleUploadedFile("sk-tim.pdf", pdf_bytes("baru")),
                                                     SimpleUploadedFile("=lampiran.pdf", pdf_bytes("lampiran"))])
    _decide(second, ketua, "accept")
    other = (Target.objects.filter(step__indicator__subcomponent__component__plan=plan,
                                   step__indicator__subcomponent__component__code="II").order_by("pk").first())
    assignments_set(step=other.step, users=[anggota], actor=ketua)
    third = submit(other, anggota, files=[SimpleUploadedFile("sop.pdf", pdf_bytes("sop"))])
    _decide(third, ketua, "accept")
    pending_target = (Target.objects.filter(step__indicator__subcomponent__component__plan=plan)
                      .exclude(pk__in=[assigned_target.pk, other.pk]).order_by("pk").first())
    assignments_set(step=pending_target.step, users=[anggota], actor=ketua)
    pending = submit(pending_target, anggota, files=[SimpleUploadedFile("menunggu.pdf", pdf_bytes("x"))])
    return {"sent_back": first, "accepted": second, "other": third, "pending": pending}


@pytest.fixture
def _create(client, django_capture_on_commit_callbacks):
    """Ask for a bundle as `user`; the build queued on commit runs (eager Celery, as in the default setup)."""
    def create(client, user, plan, component=""):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("evidence:bundle_create", args=[plan.pk]), {"component": component})
    return create


def _zip(bundle) -> zipfile.ZipFile:
    with bundle.file.open("rb") as f:
        return zipfile.ZipFile(io.BytesIO(f.read()))


def test_bundle_holds_only_the_accepted_revisions_and_its_index_matches_the_files(_create, client, plan, accepted, tpi):
    response = _create(client, tpi, plan)
    assert response.status_code == 302
    bundle = EvidenceBundle.objects.get()
    assert bundle.status == EvidenceBundle.Status.READY
    archive = _zip(bundle)
    names = [n for n in archive.namelist() if n != "indeks.xlsx"]
    expected = EvidenceFile.objects.filter(revision__in=[accepted["accepted"], accepted["other"]])
    assert len(names) == 3 == bundle.file_count
    assert {f.sha256 for f in expected} == {hashlib.sha256(archive.read(n)).hexdigest() for n in names}
    assert all(n.split("/")[-1].startswith("r2-") or n.startswith("II/") for n in names)

    sheet = openpyxl.load_workbook(io.BytesIO(archive.read("indeks.xlsx"))).active
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header[4] == "Berkas dalam ZIP" and header[-1] == "SHA-256"
    assert sorted(r[4] for r in rows) == sorted(names)
    for row in rows:
        assert hashlib.sha256(archive.read(row[4])).hexdigest() == row[-1]
        assert row[8] == "Ketua" and row[7] == "Anggota"     # reviewer, uploader
    assert {r[0] for r in rows} == {"I", "II"}
    assert any(r[5] == "'=lampiran.pdf" for r in rows)      # a formula-looking name stays text
    assert not any("lama" in r[5] or "menunggu" in r[5] for r in rows)
    with bundle.file.open("rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == bundle.sha256
    assert AuditEvent.objects.filter(action="evidence.bundle.build", object_id=str(bundle.pk)).exists()


def test_bundle_of_one_component_holds_only_that_component(_create, client, plan, accepted, ketua):
    _create(client, ketua, plan, "II")
    names = [n for n in _zip(EvidenceBundle.objects.get()).namelist() if n != "indeks.xlsx"]
    assert len(names) == 1 and names[0].startswith("II/") and names[0].endswith("sop.pdf")


def test_download_is_recorded_with_who_and_ip(_create, client, plan, accepted, kepala):
    _create(client, kepala, plan)
    bundle = EvidenceBundle.objects.get()
    response = client.get(reverse("evidence:bundle_download", args=[bundle.pk]), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"] and response["Cache-Control"] == "private, no-store"
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == bundle.sha256
    row = BundleDownload.objects.get()
    assert (row.user, row.ip) == (kepala, "10.1.2.3")
    assert AuditEvent.objects.filter(action="evidence.bundle.download", actor=kepala, ip="10.1.2.3").exists()


@pytest.mark.parametrize("role, status", [("anggota", 403), ("outsider", 404)])
def test_anggota_is_refused_and_outsider_does_not_see_the_plan(_create, client, plan, accepted, ketua, request,
                                                                role, status):
    _create(client, ketua, plan)
    bundle = EvidenceBundle.objects.get()
    person = request.getfixturevalue(role)
    client.force_login(person)
    assert client.get(reverse("evidence:bundle_list", args=[plan.pk])).status_code == status
    assert client.get(reverse("evidence:bundle_download", args=[bundle.pk])).status_code == status
    assert client.post(reverse("evidence:bundle_create", args=[plan.pk]), {"component": ""}).status_code == status
    assert EvidenceBundle.objects.count() == 1 and not BundleDownload.objects.exists()


def test_a_second_delivery_of_the_build_task_does_nothing(_create, client, plan, accepted, tpi):
    _create(client, tpi, plan)
    bundle = EvidenceBundle.objects.get()
    assert bundle_build(bundle_id=bundle.pk) is False
    assert EvidenceBundle.objects.get().file.name == bundle.file.name


def test_a_file_whose_bytes_changed_fails_the_bundle_with_the_reason(_create, client, plan, accepted, tpi):
    stored = EvidenceFile.objects.filter(revision=accepted["other"]).get()
    with open(stored.file.path, "ab") as f:
        f.write(b"tampered")
    _create(client, tpi, plan)
    bundle = EvidenceBundle.objects.get()
    assert bundle.status == EvidenceBundle.Status.FAILED and "sop.pdf" in bundle.error
    client.force_login(tpi)
    assert client.get(reverse("evidence:bundle_download", args=[bundle.pk])).status_code == 404
    page = client.get(reverse("evidence:bundle_list", args=[plan.pk])).content.decode()
    assert "Gagal" in page and "sop.pdf" in page


def test_bundle_page_lists_past_bundles_with_their_status(_create, client, plan, accepted, ketua):
    _create(client, ketua, plan)
    EvidenceBundle.objects.create(plan=plan, requested_by=ketua, status=EvidenceBundle.Status.QUEUED)
    page = client.get(reverse("evidence:bundle_list", args=[plan.pk])).content.decode()
    assert "Siap diunduh" in page and "Menunggu diproses" in page
    assert reverse("evidence:bundle_download", args=[EvidenceBundle.objects.order_by("pk").first().pk]) in page


def test_unknown_component_is_refused_and_nothing_queued(_create, client, plan, accepted, ketua):
    response = _create(client, ketua, plan, "IX")
    assert response.status_code == 302 and not EvidenceBundle.objects.exists()


def test_bundle_page_makes_the_same_queries_for_one_bundle_and_for_thirty(client, plan, ketua,
                                                                         django_assert_num_queries):
    client.force_login(ketua)
    url = reverse("evidence:bundle_list", args=[plan.pk])
    EvidenceBundle.objects.create(plan=plan, requested_by=ketua)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    EvidenceBundle.objects.bulk_create([EvidenceBundle(plan=plan, requested_by=ketua) for _ in range(29)])
    with django_assert_num_queries(len(one)):
        assert client.get(url).status_code == 200


# -- the list refreshes itself while a bundle is built (evidence:bundle_status, static/js/bundle-status.js) -------

def _bundle(plan, ketua, status):
    return EvidenceBundle.objects.create(plan=plan, requested_by=ketua, status=status)


def test_status_names_the_bundles_still_being_built_until_none_is_left(client, plan, ketua, tpi):
    queued = _bundle(plan, ketua, EvidenceBundle.Status.QUEUED)
    building = _bundle(plan, ketua, EvidenceBundle.Status.BUILDING)
    _bundle(plan, ketua, EvidenceBundle.Status.READY)
    _bundle(plan, ketua, EvidenceBundle.Status.FAILED)
    client.force_login(tpi)
    url = reverse("evidence:bundle_status", args=[plan.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response.json() == {"busy": True, "bundles": [
        {"id": building.pk, "status": "building", "label": "Sedang disusun"},
        {"id": queued.pk, "status": "queued", "label": "Menunggu diproses"}]}
    EvidenceBundle.objects.filter(pk__in=[queued.pk, building.pk]).update(status=EvidenceBundle.Status.READY)
    assert client.get(url).json() == {"busy": False, "bundles": []}


def test_status_shows_only_this_plans_bundles(client, plan, ketua, tpi, unit):
    from actionplan.models import Plan

    other_plan = Plan.objects.create(unit=unit, year=2020, title="Rencana kerja 2020")
    _bundle(other_plan, ketua, EvidenceBundle.Status.QUEUED)
    client.force_login(tpi)
    assert client.get(reverse("evidence:bundle_status", args=[plan.pk])).json() == {"busy": False, "bundles": []}


@pytest.mark.parametrize("role, status", [("anggota", 403), ("outsider", 404), ("ketua", 200), ("kepala", 200)])
def test_status_answers_the_people_of_the_bundle_list_only(client, plan, ketua, request, role, status):
    _bundle(plan, ketua, EvidenceBundle.Status.QUEUED)
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("evidence:bundle_status", args=[plan.pk]))
    assert response.status_code == status
    assert ("Menunggu diproses" in response.content.decode()) == (status == 200)


def test_status_of_anonymous_goes_to_the_login_page(client, plan):
    response = client.get(reverse("evidence:bundle_status", args=[plan.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_list_polls_only_while_a_bundle_is_being_built(client, plan, ketua):
    client.force_login(ketua)
    url = reverse("evidence:bundle_list", args=[plan.pk])
    bundle = _bundle(plan, ketua, EvidenceBundle.Status.READY)
    quiet = client.get(url).content.decode()
    assert "bundle-status.js" not in quiet and "data-bundle-status-url" not in quiet
    EvidenceBundle.objects.filter(pk=bundle.pk).update(status=EvidenceBundle.Status.QUEUED)
    busy = client.get(url).content.decode()
    assert '<script src="/static/js/bundle-status.js" defer></script>' in busy
    assert f'data-bundle-status-url="{reverse("evidence:bundle_status", args=[plan.pk])}"' in busy
    assert f'<tr data-bundle-id="{bundle.pk}" data-busy>' in busy
    assert '<noscript><meta http-equiv="refresh" content="10"></noscript>' in busy   # without JavaScript


def test_status_makes_the_same_queries_for_one_busy_bundle_and_for_thirty(client, plan, ketua,
                                                                         django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(ketua)
    url = reverse("evidence:bundle_status", args=[plan.pk])
    _bundle(plan, ketua, EvidenceBundle.Status.QUEUED)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    EvidenceBundle.objects.bulk_create([EvidenceBundle(plan=plan, requested_by=ketua) for _ in range(29)])
    with django_assert_num_queries(len(one)):
        assert len(client.get(url).json()["bundles"]) == 30
