"""The public verification page under attack (issue 13): bounded work, rate limits per client, and a forged
certificate named like the demo CA shown as what it is."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from monev.models import Report
from monev.services import verification_check
from monev.signing import DEMO_CA_NAME, demo_certificate, run_with_cpu_budget, sign_pdf, verify_pdf_bounded

from .factories import PASSWORD
from .test_report_workflow import evidence_done, post, write_and_submit  # noqa: F401 - fixtures

SIGNER = "Akhmad Taufik Hidayat"
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit-test"}}


@pytest.fixture(scope="module")
def installation_ca(tmp_path_factory):
    """The installation's own CA (not the demo one) and a signer certificate from it."""
    folder = tmp_path_factory.mktemp("ca")
    p12, ca_pem, passphrase = demo_certificate(common_name=SIGNER, organisation="Dispendukcapil",
                                               ca_name="CA Pemerintah Kabupaten Lumajang")
    (folder / "signer.p12").write_bytes(p12)
    (folder / "ca.pem").write_bytes(ca_pem)
    return {"p12": folder / "signer.p12", "ca": folder / "ca.pem", "passphrase": passphrase}


@pytest.fixture(autouse=True)
def signing_settings(settings, installation_ca):
    settings.MONEV_SIGNING_P12_PATH = str(installation_ca["p12"])
    settings.MONEV_SIGNING_P12_PASSPHRASE = installation_ca["passphrase"]
    settings.MONEV_SIGNING_TRUST_ROOTS = [str(installation_ca["ca"])]


@pytest.fixture
def signed_report(post, plan, ketua, kepala, evidence_done):  # noqa: F811 - pytest fixtures
    report = write_and_submit(post, plan, ketua)
    post(kepala, reverse("monev:report_sign", args=[report.pk]), {"password": PASSWORD})
    report = Report.objects.get(pk=report.pk)
    assert report.status == Report.Status.SIGNED
    return report


def check(client, report, data: bytes, **extra):
    response = client.post(reverse("monev:verify", args=[report.verification_code]),
                           {"file": SimpleUploadedFile("laporan.pdf", data)}, **extra)
    return response, response.content.decode()


def with_copies_of_its_signature(signed: bytes, copies: int) -> bytes:
    """The attack of issue 13: the report with its last incremental update (the signature) appended again and
    again."""
    previous_eof = signed.rfind(b"%%EOF", 0, len(signed) - 8)
    update = signed[previous_eof + len(b"%%EOF"):]
    return signed + update * copies


# --- the signer and the trust root ------------------------------------------------------------------------------

def test_the_signed_report_is_shown_intact_and_trusted_with_the_signers_name(client, signed_report):
    response, page = check(client, signed_report, signed_report.signed_pdf.read())
    assert response.status_code == 200
    assert "identik" in page and "Tanda tangan elektronik utuh dan sah" in page
    assert SIGNER in page and "CA Pemerintah Kabupaten Lumajang" in page


def test_a_forged_self_signed_ca_with_the_demo_ca_name_is_not_shown_as_a_valid_signature(client, signed_report,
                                                                                        settings, tmp_path):
    forged_p12, forged_ca, forged_passphrase = demo_certificate(common_name=SIGNER, organisation="Dispendukcapil")
    # The operator even lists a demo CA among the trust roots: the page still never trusts that name.
    (tmp_path / "demo-ca.pem").write_bytes(forged_ca)
    settings.MONEV_SIGNING_TRUST_ROOTS = [*settings.MONEV_SIGNING_TRUST_ROOTS, str(tmp_path / "demo-ca.pem")]
    pages = _unsigned_copy(signed_report)
    forged = sign_pdf(pdf=pages, p12=forged_p12, passphrase=forged_passphrase, reason="Disetujui",
                      location="Lumajang", page=0, box=(40, 40, 240, 110))
    response, page = check(client, signed_report, forged)
    assert response.status_code == 200
    result = response.context["result"]
    assert (result["same"], result["signed"], result["intact"], result["trusted"]) == (False, True, True, False)
    assert "Tanda tangan elektronik utuh dan sah" not in page
    assert "penanda tangannya TIDAK dapat dipastikan" in page
    assert SIGNER in page and f"«{DEMO_CA_NAME}»" in page
    assert "tidak diterbitkan oleh otoritas sertifikat tepercaya" in page
    assert "BUKAN laporan" in page


def _unsigned_copy(report) -> bytes:
    """The report's pages before the signature revision (the draft-like bytes a forger starts from)."""
    signed = report.signed_pdf.read()
    previous_eof = signed.rfind(b"%%EOF", 0, len(signed) - 8)
    return signed[:previous_eof + len(b"%%EOF")] + b"\n"


def test_a_report_signed_with_the_demo_certificate_is_never_trusted_by_the_page(client, signed_report, settings,
                                                                               tmp_path):
    demo_p12, demo_ca, passphrase = demo_certificate(common_name=SIGNER, organisation="Dispendukcapil")
    (tmp_path / "demo.pem").write_bytes(demo_ca)
    settings.MONEV_SIGNING_TRUST_ROOTS = [str(tmp_path / "demo.pem")]
    signed = sign_pdf(pdf=_unsigned_copy(signed_report), p12=demo_p12, passphrase=passphrase, reason="Uji",
                      location="Lumajang", page=0, box=(40, 40, 240, 110))
    result = check(client, signed_report, signed)[0].context["result"]
    assert result["intact"] and not result["trusted"]
    assert any("SERTIFIKAT DEMO" in p for p in result["problems"])


# --- bounded work ---------------------------------------------------------------------------------------------------

def test_1500_copies_of_the_signature_are_refused_by_content_length_unread(client, signed_report):
    hostile = with_copies_of_its_signature(signed_report.signed_pdf.read(), 1500)
    assert len(hostile) > 5 * 1024 * 1024
    response, page = check(client, signed_report, hostile)
    assert response.status_code == 413
    assert "Kiriman terlalu besar" in page and "melebihi batas 5 MB" in page


def test_copies_past_twice_the_report_size_are_not_examined_and_the_page_says_why(client, signed_report):
    signed = signed_report.signed_pdf.read()
    copies = (2 * len(signed) + 1024 * 1024) // (len(signed) - signed.rfind(b"%%EOF", 0, len(signed) - 8)) + 10
    hostile = with_copies_of_its_signature(signed, copies)
    assert 2 * len(signed) + 1024 * 1024 < len(hostile) < 5 * 1024 * 1024
    response, page = check(client, signed_report, hostile)
    assert response.status_code == 200
    result = response.context["result"]
    assert (result["same"], result["examined"], result["signed"]) == (False, False, False)
    assert "melebihi batas pemeriksaan" in page and "tidak diperiksa" in page


def test_only_one_check_runs_at_a_time_and_the_next_is_told_to_wait(signed_report, settings):
    settings.CACHES = LOCMEM
    from django.core.cache import cache

    cache.clear()
    other = _unsigned_copy(signed_report)
    assert cache.add("monev:verify-slot:0", 1, 30)  # a check in progress elsewhere
    busy = verification_check(report=signed_report, uploaded=io.BytesIO(other))
    assert busy["examined"] is False and "sedang memeriksa berkas lain" in busy["problems"][0]
    cache.delete("monev:verify-slot:0")
    free = verification_check(report=signed_report, uploaded=io.BytesIO(other))
    assert free["examined"] is True and cache.get("monev:verify-slot:0") is None
    cache.clear()


def test_a_few_copies_within_the_size_bound_are_still_refused_by_the_signature_count(signed_report):
    hostile = with_copies_of_its_signature(signed_report.signed_pdf.read(), 5)
    assert len(hostile) < 2 * signed_report.signed_pdf.size + 1024 * 1024
    result = verification_check(report=signed_report, uploaded=io.BytesIO(hostile))
    assert result["examined"] is False


def spin(seconds_of_work: float) -> str:
    """Pure CPU work, as pyHanko does on a hostile PDF: no system call the budget could wait on."""
    import time

    end = time.process_time() + seconds_of_work
    while time.process_time() < end:
        sum(range(1000))
    return "done"


def test_work_past_the_cpu_budget_is_stopped_and_the_real_check_fits_in_it(signed_report):
    import time

    start = time.monotonic()
    assert run_with_cpu_budget(spin, 30, cpu_seconds=1) is None
    assert time.monotonic() - start < 10  # stopped after its second of CPU, not after 30
    assert run_with_cpu_budget(spin, 0.1, cpu_seconds=2) == "done"
    result = verify_pdf_bounded(signed_report.signed_pdf.read(), trust_roots=[], cpu_seconds=5)
    assert result is not None and result.signed and result.intact


def test_the_signed_report_itself_is_compared_by_sha256_and_its_check_cached(signed_report, settings):
    settings.CACHES = LOCMEM
    from django.core.cache import cache

    cache.clear()
    data = signed_report.signed_pdf.read()
    first = verification_check(report=signed_report, uploaded=io.BytesIO(data))
    assert first["same"] and first["trusted"]
    assert cache.get(f"monev:verify:{signed_report.pk}:{signed_report.signed_sha256}") is not None


# --- rate limits -----------------------------------------------------------------------------------------------------

@pytest.fixture
def counting_cache(settings):
    settings.CACHES = LOCMEM
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_random_code_lookups_get_429_after_the_limit_with_an_indonesian_page(client, db, counting_cache,
                                                                           settings):
    settings.RATE_LIMITS = {"monev:verify": {"GET": (30, 60), "POST": (6, 60)}}
    statuses = [client.get(reverse("monev:verify", args=[f"ZZZZ-{i:04d}"])).status_code for i in range(40)]
    assert statuses[:30] == [404] * 30 and statuses[30:] == [429] * 10
    response = client.get(reverse("monev:verify", args=["ZZZZ-9999"]))
    assert response.status_code == 429 and 1 <= int(response["Retry-After"]) <= 60
    page = response.content.decode()
    assert "Terlalu banyak permintaan" in page and "detik lalu coba lagi" in page
    # another client is not affected
    assert client.get(reverse("monev:verify", args=["ZZZZ-0000"]), REMOTE_ADDR="198.51.100.9").status_code == 404


def test_checks_past_the_limit_are_refused_before_the_upload_is_read(client, signed_report, counting_cache,
                                                                     settings):
    settings.RATE_LIMITS = {"monev:verify": {"GET": (30, 60), "POST": (2, 60)}}
    data = signed_report.signed_pdf.read()
    assert [check(client, signed_report, data)[0].status_code for _ in range(2)] == [200, 200]

    class Unread(io.BytesIO):
        taken = 0

        def read(self, *args):
            Unread.taken += 1
            return super().read(*args)

    body = Unread(b"x" * 1000)
    response = client.generic("POST", reverse("monev:verify", args=[signed_report.verification_code]), b"",
                              content_type="multipart/form-data; boundary=x", **{"wsgi.input": body,
                                                                                 "CONTENT_LENGTH": "1000"})
    assert response.status_code == 429 and Unread.taken == 0
