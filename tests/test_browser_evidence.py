"""The daily flow in a real browser: anggota uploads, ketua sends back, anggota uploads revision 2, ketua accepts."""
import pytest

from evidence.models import Revision, RevisionStatus

from .factories import PASSWORD, pdf_bytes

pytestmark = pytest.mark.browser


def log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def upload(page, live_server, tmp_path, name, text, description):
    page.goto(f"{live_server.url}/bukti/tugas-saya/")
    page.get_by_role("link", name="Unggah", exact=True).first.click()
    path = tmp_path / name
    path.write_bytes(pdf_bytes(text))
    page.set_input_files("input[name=files]", str(path))
    page.fill("textarea[name=description]", description)
    page.fill("input[name=document_date]", "2019-02-20")
    page.get_by_role("button", name="Unggah", exact=True).click()
    page.wait_for_selector("text=menunggu review Ketua Tim")


def test_upload_revise_reupload_accept_in_the_browser(live_server, browser, assigned_target, anggota, ketua,
                                                      tmp_path, artifacts):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, live_server, "anggota")
    upload(page, live_server, tmp_path, "sk-tim-zi.pdf", "SK Tim ZI draft", "SK Tim ZI (draf)")

    log_in(page, live_server, "ketua")
    page.goto(f"{live_server.url}/bukti/review/")
    page.get_by_role("link", name="Review", exact=True).first.click()
    with page.expect_popup() as popup:  # the file opens in the browser before deciding
        page.get_by_role("link", name="sk-tim-zi.pdf").click()
    assert popup.value.url.startswith(f"{live_server.url}/bukti/berkas/")
    popup.value.close()
    page.check("input[value=revise]")
    page.fill("textarea[name=note]", "Belum ada tanda tangan Kepala Dinas")
    page.get_by_role("button", name="Simpan keputusan").click()
    page.wait_for_selector("text=Keputusan review tersimpan")

    log_in(page, live_server, "anggota")
    upload(page, live_server, tmp_path, "sk-tim-zi-ttd.pdf", "SK Tim ZI signed", "SK Tim ZI sudah ditandatangani")

    log_in(page, live_server, "ketua")
    page.goto(f"{live_server.url}/bukti/review/")
    page.get_by_role("link", name="Review", exact=True).first.click()
    page.check("input[value=accept]")
    page.screenshot(path=str(artifacts / "review-page.png"), full_page=True)
    page.get_by_role("button", name="Simpan keputusan").click()
    page.wait_for_selector("text=Keputusan review tersimpan")

    page.goto(f"{live_server.url}/bukti/target/{assigned_target.pk}/")
    history = page.inner_text("#history")
    assert history.count("Mengunggah revisi") == 2
    assert "Revisi 1: Perlu perbaikan" in history and "Revisi 2: Diterima" in history
    assert "Belum ada tanda tangan Kepala Dinas" in page.inner_text("#revisi-1")
    page.screenshot(path=str(artifacts / "target-history.png"), full_page=True)
    statuses = list(Revision.objects.order_by("number").values_list("status", flat=True))
    assert statuses == [RevisionStatus.REVISE, RevisionStatus.ACCEPTED]
