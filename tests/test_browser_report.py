"""The semester report in a real browser: ketua submits, kepala signs and downloads; the file validates."""
import hashlib
import shutil
import subprocess

import pytest

from monev.models import Report
from monev.signing import verify_pdf

from .conftest import need
from .factories import PASSWORD
from .test_browser_evidence import log_in
from .test_report_workflow import demo_cert, signing_settings  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_ketua_submits_kepala_signs_and_downloads_a_valid_pdf(live_server, browser, plan, ketua, kepala,
                                                             demo_cert, artifacts, tmp_path):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, live_server, "ketua")
    page.goto(f"{live_server.url}/monev/rencana/{plan.pk}/laporan/1/")
    page.get_by_role("button", name="Mulai menyusun laporan").click()
    page.fill("textarea[name=conclusions]", "Capaian Semester I belum memenuhi target; komponen III tertinggal.")
    page.fill("textarea[name=recommendations]", "Percepat bukti fisik komponen III\nRapat evaluasi bulanan")
    page.get_by_role("button", name="Simpan", exact=True).click()
    page.get_by_role("button", name="Ajukan ke Kepala Dinas").click()
    page.wait_for_selector("text=Data laporan dibekukan")
    page.wait_for_selector("#render-state >> text=Siap", timeout=60_000)

    log_in(page, live_server, "kepala")
    page.goto(f"{live_server.url}/monev/rencana/{plan.pk}/laporan/1/")
    page.get_by_role("link", name="Setujui dan tandatangani…").click()
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Setujui dan tandatangani").click()
    page.wait_for_selector("#report-status >> text=Disetujui dan ditandatangani", timeout=60_000)
    page.screenshot(path=str(artifacts / "report-page.png"), full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Unduh PDF bertanda tangan").click()
    path = tmp_path / "laporan.pdf"
    download_info.value.save_as(path)
    signed = path.read_bytes()
    report = Report.objects.get(plan=plan, semester=1)
    result = verify_pdf(signed, trust_roots=[demo_cert["ca"].read_bytes()])
    assert result.intact, result.problems
    assert report.signed_sha256 and hashlib.sha256(signed).hexdigest() == report.signed_sha256

    need("pdftoppm", shutil.which("pdftoppm") is not None, "apt-get install poppler-utils")
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(path),
                    str(artifacts / "signed-report")], check=True)
    last = report.pages
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", str(last), "-l", str(last), str(path),
                    str(artifacts / "signed-report-last")], check=True)

    # the QR code's address: the public verification page confirms the report
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/monev/verifikasi/{report.verification_code}/")
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="Periksa").click()
    result = page.inner_text("#verify-result")
    assert "identik" in result and "utuh" in result
    page.screenshot(path=str(artifacts / "verify-page.png"), full_page=True)


def test_a_long_action_shows_its_progress_and_a_second_click_sends_nothing(live_server, browser, plan, ketua,
                                                                          artifacts):
    """Without a Celery worker (`make run`) submitting renders the PDF in the request: the button says so."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    log_in(page, live_server, "ketua")
    page.goto(f"{live_server.url}/monev/rencana/{plan.pk}/laporan/1/")
    page.get_by_role("button", name="Mulai menyusun laporan").click()
    page.fill("textarea[name=conclusions]", "Capaian Semester I.")
    page.get_by_role("button", name="Simpan", exact=True).click()
    held, posts = [], []
    page.route("**/ajukan/", lambda route: (posts.append(route.request.method), held.append(route)))
    # clicked, looked at and clicked again from the page itself: Playwright's own calls would wait for the
    # navigation this test holds back
    state = page.get_by_role("button", name="Ajukan ke Kepala Dinas").evaluate("""button => {
        const form = button.form;
        button.click();
        return new Promise(resolve => setTimeout(() => {
            const seen = {busy: form.getAttribute("aria-busy"), disabled: button.disabled,
                          text: button.textContent.trim(), spinner: !!button.querySelector(".spinner-border")};
            button.click();  // a second click
            form.requestSubmit();  // and a second submit
            resolve(seen);
        }, 100));
    }""")
    assert state == {"busy": "true", "disabled": True, "text": "Mengajukan dan membuat PDF…", "spinner": True}
    page.wait_for_timeout(300)
    assert posts == ["POST"]
    assert Report.objects.get(plan=plan, semester=1).status == Report.Status.DRAFT  # held: nothing sent yet
    held[0].continue_()
    page.wait_for_selector("text=Data laporan dibekukan", timeout=60_000)
    assert Report.objects.get(plan=plan, semester=1).status == Report.Status.SUBMITTED
