"""Smaller hardening of issue 13: who sees IP addresses in a target's history, and request bodies refused before
(or while) they are read instead of after they landed in the temporary folder."""
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from actionplan.models import Role
from actionplan.services import person_ensure
from evidence.models import Revision

from .factories import PASSWORD, pdf_bytes, submit

MB = 1024 * 1024


# --- IP addresses in the history ----------------------------------------------------------------------------------

@pytest.fixture
def history_with_ip(assigned_target, anggota):
    from actionplan.models import AuditEvent

    submit(assigned_target, anggota)
    AuditEvent.objects.filter(object_type="actionplan.target").update(ip="203.0.113.77")
    return assigned_target


@pytest.mark.parametrize(("role", "sees"), [(Role.ANGGOTA, False), (Role.TPI, False), (Role.KETUA, True),
                                            (Role.KEPALA, True)])
def test_history_shows_ip_addresses_only_to_the_ketua_tim_and_kepala_dinas(history_with_ip, unit, client, role,
                                                                           sees):
    viewer, _ = person_ensure(username=f"lihat_{role}", full_name="Pelihat", nip="", position="", unit=unit,
                              role=role, password=PASSWORD)
    client.force_login(viewer)
    page = client.get(reverse("evidence:target", args=[history_with_ip.pk])).content.decode()
    assert "evidence.submit" in page or "Riwayat" in page
    assert ("203.0.113.77" in page) is sees


def test_review_page_history_shows_ip_addresses_to_the_ketua(history_with_ip, ketua, client):
    client.force_login(ketua)
    page = client.get(reverse("evidence:review", args=[Revision.objects.get().pk])).content.decode()
    assert "203.0.113.77" in page


def test_history_for_a_member_does_not_load_ip_addresses(history_with_ip, anggota):
    from evidence.selectors import target_thread

    thread = target_thread(history_with_ip, anggota, role=Role.ANGGOTA)
    assert thread["show_ip"] is False
    assert all("ip" in e.get_deferred_fields() for e in thread["history"])


# --- request bodies ------------------------------------------------------------------------------------------------

class CountingInput(io.BytesIO):
    """wsgi.input that records how many bytes the server side read."""

    def read(self, *args):
        data = super().read(*args)
        self.taken = getattr(self, "taken", 0) + len(data)
        return data

    def readline(self, *args):
        data = super().readline(*args)
        self.taken = getattr(self, "taken", 0) + len(data)
        return data


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_a_200_mb_body_is_refused_by_its_content_length_before_a_byte_is_read(login, assigned_target, anggota,
                                                                              settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    client = login(anggota)
    body = CountingInput(b"--" + BOUNDARY.encode() + b"\r\n" + bytes(4096))
    response = client.generic("POST", reverse("evidence:upload", args=[assigned_target.pk]), b"",
                              content_type=MULTIPART_CONTENT, CONTENT_LENGTH=str(200 * MB), **{"wsgi.input": body})
    assert response.status_code == 413
    page = response.content.decode()
    assert "Kiriman terlalu besar" in page and "melebihi batas 100 MB" in page and "paling besar 25 MB" in page
    assert getattr(body, "taken", 0) == 0
    assert temp_files(tmp_path) == [] and not Revision.objects.exists()


def test_one_file_past_the_limit_stops_being_read_at_the_limit_and_nothing_is_kept(login, assigned_target,
                                                                                  anggota, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.EVIDENCE_MAX_UPLOAD_MB = 2
    client = login(anggota)
    big = pdf_bytes(size_kb=6 * 1024)  # 6 MB: within the request limit (8 MB), past the file limit (2 MB)
    payload = encode_multipart(BOUNDARY, {"description": "Notulen", "document_date": "2019-02-20",
                                          "files": SimpleUploadedFile("notulen besar.pdf", big)})
    body = CountingInput(payload)
    response = client.generic("POST", reverse("evidence:upload", args=[assigned_target.pk]), payload,
                              content_type=MULTIPART_CONTENT, **{"wsgi.input": body})
    assert response.status_code == 400
    page = response.content.decode()
    assert "«notulen besar.pdf» melebihi batas 2 MB" in page
    assert body.taken < 3 * MB, f"read {body.taken / MB:.1f} MB of a {len(payload) / MB:.1f} MB body"
    assert temp_files(tmp_path) == [] and not Revision.objects.exists()


def test_an_upload_within_the_limits_goes_through_the_limited_handler(login, assigned_target, anggota, settings,
                                                                     tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    client = login(anggota)
    pdf = pdf_bytes(size_kb=3 * 1024)  # past FILE_UPLOAD_MAX_MEMORY_SIZE: streamed to a temporary file
    response = client.post(reverse("evidence:upload", args=[assigned_target.pk]), {
        "files": [SimpleUploadedFile("sk.pdf", pdf)], "description": "SK", "document_date": "2019-02-20"})
    assert response.status_code == 302
    assert Revision.objects.get().files.get().size == len(pdf)
