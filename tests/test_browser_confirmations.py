"""In a real browser: signing shows the PDF and asks the password again (a wrong one signs nothing), and
"Tarik revisi" asks the reason before withdrawing. Screenshots in tests/artifacts/."""
import pytest

from evidence.models import RevisionStatus
from monev.models import Report

from .factories import PASSWORD, submit
from .test_browser_evidence import log_in
from .test_report_workflow import demo_cert, signing_settings  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


@pytest.fixture
def submitted_report(plan, ketua, django_capture_on_commit_callbacks):
    from monev import services

    membership = ketua.memberships.get()
    report = services.report_start(plan=plan, semester=1, user=ketua, membership=membership)
    services.report_save(report=report, user=ketua, membership=membership, number="800/123/427.53/2019",
                         conclusions="Capaian semester I masih rendah.", recommendations=["Rapat evaluasi"],
                         followups={})
    with django_capture_on_commit_callbacks(execute=True):       # the draft of the frozen data is rendered
        services.report_submit(report=report, user=ketua, membership=membership)
    report.refresh_from_db()
    assert report.render_state == Report.RenderState.READY
    return report


@pytest.mark.parametrize("width, height, name", [(1366, 768, "desktop"), (390, 844, "phone")])
def test_signing_shows_the_pdf_and_a_wrong_password_signs_nothing(live_server, browser, kepala, submitted_report,
                                                                   demo_cert, artifacts, width, height,  # noqa: F811
                                                                   name):
    page = browser.new_page(viewport={"width": width, "height": height})
    log_in(page, live_server, "kepala")
    page.goto(f"{live_server.url}/monev/rencana/{submitted_report.plan_id}/laporan/1/")
    page.get_by_role("link", name="Setujui dan tandatangani…").click()
    page.wait_for_selector("#sign-preview")
    frame = page.frame_locator("#sign-preview")
    assert page.locator("#sign-preview").get_attribute("src").endswith(f"/laporan/{submitted_report.pk}/pratinjau.pdf")
    assert page.get_by_role("link", name="Buka PDF di tab baru").is_visible()
    assert frame is not None
    page.wait_for_timeout(2500)           # Chromium's PDF viewer draws the pages after the frame has loaded
    page.screenshot(path=str(artifacts / f"sign-confirm-{name}.png"), full_page=True)

    page.fill("input[name=password]", "bukan-sandinya")
    page.get_by_role("button", name="Setujui dan tandatangani").click()
    page.wait_for_selector("text=Kata sandi salah; laporan tidak ditandatangani.")
    page.screenshot(path=str(artifacts / f"sign-wrong-password-{name}.png"), full_page=True)
    submitted_report.refresh_from_db()
    assert submitted_report.status == Report.Status.SUBMITTED

    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Setujui dan tandatangani").click()
    page.wait_for_selector("#report-status >> text=Disetujui dan ditandatangani", timeout=60_000)
    submitted_report.refresh_from_db()
    assert submitted_report.status == Report.Status.SIGNED
    page.close()


def test_withdraw_asks_the_reason_first(live_server, browser, assigned_target, anggota, artifacts):
    revision = submit(assigned_target, anggota)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    log_in(page, live_server, "anggota")
    page.goto(f"{live_server.url}/bukti/target/{assigned_target.pk}/")
    assert not page.locator("#withdraw-panel").is_visible()
    page.get_by_role("button", name="Tarik revisi 1…").click()
    page.wait_for_selector("#withdraw-panel textarea[name=reason]", state="visible")
    page.locator("#withdraw-form").get_by_role("button", name="Tarik revisi").click()   # empty: the browser asks
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.SUBMITTED
    assert page.locator("textarea[name=reason]").evaluate("el => !el.validity.valid")
    page.fill("textarea[name=reason]", "Salah berkas; yang benar versi bertanda tangan.")
    page.screenshot(path=str(artifacts / "withdraw-reason.png"), full_page=True)
    page.locator("#withdraw-form").get_by_role("button", name="Tarik revisi").click()
    page.wait_for_selector("text=Revisi 1 ditarik.")
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.WITHDRAWN
    page.close()
