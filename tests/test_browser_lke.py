"""The LKE in a real browser: an anggota proposes an answer, the Ketua Tim links accepted bukti fisik, answers and
submits, a TPI fills its column and finalises; the score and prediction shown are those of `lke_score`."""
import io

import pytest
from django.core.management import call_command

from actionplan.models import Membership
from evidence.services import revision_review
from lke.loading import DEFAULT_FILE, load_file
from lke.models import Answer, AnswerEvidence, Assessment

from .factories import submit
from .test_browser_evidence import log_in

pytestmark = pytest.mark.browser


def score_line(unit, column="unit"):
    out = io.StringIO()
    call_command("lke_score", unit=unit.name, year=2019, column=column, stdout=out)
    return dict(part.split("=") for part in out.getvalue().strip().splitlines()[-1].split())


def shown(page, column):
    total = page.inner_text(f"#lke-summary-{column} .lke-total").strip().replace(",", ".")
    badge = page.inner_text(f"#lke-summary-{column} .lke-prediction").strip()
    return total, {"Menuju WBK": "WBK", "Menuju WBBM": "WBBM", "Belum memenuhi": "-"}[badge]


def test_anggota_proposes_ketua_links_and_submits_tpi_finalises(live_server, browser, plan, assigned_target,
                                                                anggota, ketua, tpi, artifacts):
    # A live-server test runs on a flushed database: the data migration's LKE may be gone (the loader is idempotent).
    load_file(DEFAULT_FILE)
    accepted = submit(assigned_target, anggota, description="SK Tim ZI")
    revision_review(revision=accepted, user=ketua, membership=Membership.objects.get(user=ketua),
                    decision="accept", note="")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    base = live_server.url

    log_in(page, live_server, "ketua")
    page.goto(f"{base}/lke/unit/{plan.unit_id}/2019/")
    page.click("#lke-start")
    page.wait_for_selector("#lke-status")
    assessment = Assessment.objects.get()
    question = f"{base}/lke/{assessment.pk}/soal"

    log_in(page, live_server, "anggota")
    page.goto(f"{question}/A.I.1.i.a/")
    page.check("#col-unit input[name='unit-choice'][value='Ya']")
    page.fill("#col-unit input[name='unit-note']", "SK Tim ZI ditetapkan Januari 2019")
    page.get_by_role("button", name="Usulkan jawaban").click()
    page.wait_for_selector("text=Jawaban A.I.1.i.a tersimpan")
    assert Answer.objects.get(column="unit").state == "proposed"

    log_in(page, live_server, "ketua")
    page.goto(f"{question}/A.I.1.i.a/")
    page.select_option("#rev-unit", str(accepted.pk))
    page.get_by_role("button", name="Tautkan").click()
    page.wait_for_selector("text=Bukti fisik ditautkan")
    assert AnswerEvidence.objects.get().revision == accepted
    page.check("#col-unit input[name='unit-choice'][value='Ya']")
    page.get_by_role("button", name="Simpan jawaban").first.click()
    page.wait_for_selector("text=Jawaban A.I.1.i.a tersimpan")
    assert Answer.objects.get(column="unit").state == "set"     # the Ketua Tim confirmed the proposal
    page.goto(f"{question}/A.I.1.i.b/")
    page.check("#col-unit input[name='unit-choice'][value='A']")
    page.get_by_role("button", name="Simpan jawaban").first.click()
    page.wait_for_selector("text=Jawaban A.I.1.i.b tersimpan")
    page.goto(f"{question}/B.I.a/")
    page.fill("#col-unit input[name='unit-value']", "3,6")
    page.get_by_role("button", name="Simpan jawaban").first.click()
    page.wait_for_selector("text=Jawaban B.I.a tersimpan")
    page.goto(f"{base}/lke/unit/{plan.unit_id}/2019/")
    page.click("#lke-submit")
    page.wait_for_selector("text=Penilaian mandiri diajukan")
    assert Assessment.objects.get().unit_status == "submitted"

    log_in(page, live_server, "tpi")
    page.goto(f"{question}/A.I.1.i.a/")
    page.check("#col-tpi input[name='tpi-choice'][value='Tidak']")
    page.fill("#col-tpi input[name='tpi-note']", "SK belum memuat uraian tugas")
    page.get_by_role("button", name="Simpan jawaban").click()
    page.wait_for_selector("text=Jawaban A.I.1.i.a tersimpan")
    page.goto(f"{question}/B.I.a/")
    page.fill("#col-tpi input[name='tpi-value']", "3,2")
    page.get_by_role("button", name="Simpan jawaban").click()
    page.wait_for_selector("text=Jawaban B.I.a tersimpan")
    page.goto(f"{base}/lke/unit/{plan.unit_id}/2019/")
    page.click("#lke-finalise")
    page.wait_for_selector("text=Penilaian TPI difinalkan")

    page.goto(f"{base}/lke/unit/{plan.unit_id}/2019/")
    for column in ("unit", "tpi"):
        expected = score_line(plan.unit, column)
        assert shown(page, column) == (expected["total"], expected["predikat"]), column
    assert "lke-differs" in page.get_attribute("#q-A\\.I\\.1\\.i\\.a", "class")
    page.screenshot(path=str(artifacts / "lke-assessment-desktop.png"), full_page=False)
    page.goto(f"{question}/A.I.1.i.a/")
    page.screenshot(path=str(artifacts / "lke-question-desktop.png"), full_page=True)

    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    log_in(phone, live_server, "ketua")
    phone.goto(f"{base}/lke/unit/{plan.unit_id}/2019/")
    expected = score_line(plan.unit)
    assert shown(phone, "unit") == (expected["total"], expected["predikat"])
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    phone.screenshot(path=str(artifacts / "lke-assessment-phone.png"), full_page=False)
    phone.goto(f"{question}/A.I.1.i.a/")
    phone.screenshot(path=str(artifacts / "lke-question-phone.png"), full_page=True)
