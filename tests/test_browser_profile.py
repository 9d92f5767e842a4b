"""The profile page in a real browser on a desktop (1366x768) and a phone (390x844): reached from the navbar's user
menu, a wrong NIP answered in Indonesian, the name, NIP and e-mail saved, the e-mail switches on the same page,
nothing wider than the screen, no serious axe-core finding. And the Berkas untuk TPI list that updates itself
when the bundle it shows as queued is built. Screenshots in tests/artifacts/."""
import pytest

from actionplan.models import Profile
from evidence.models import EvidenceBundle
from evidence.services import bundle_build
from notifications.models import EmailOptOut

from .factories import PASSWORD
from .test_browser_evidence import log_in
from .test_browser_home import DEVICES, _fits, _no_serious, _page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("device, viewport", DEVICES)
def test_a_person_edits_their_profile_from_the_user_menu(live_server, browser, anggota, artifacts, device,
                                                         viewport):
    context, page = _page(browser, device, viewport)
    log_in(page, live_server, "anggota")
    if device == "phone":
        page.click(".navbar-toggler")
    page.click("#nav-profile")
    page.wait_for_url(f"{live_server.url}/profil/")
    assert page.locator("h1").inner_text() == "Profil saya"
    assert "Anggota Tim ZI" in page.locator("#profile-memberships").inner_text()

    page.fill("#id_first_name", "Sri")
    page.fill("#id_last_name", "Wahyuni")
    page.fill("#id_email", "sri.wahyuni@example.go.id")       # required: the browser asks for it first
    page.fill("#id_current_password", PASSWORD)
    page.fill("#id_nip", "12345")
    with page.expect_navigation():
        page.click("#profile-form [type=submit]")
    assert "NIP harus terdiri dari 18 angka." in page.locator("#profile-form").inner_text()
    _fits(page, "profile with an error", device)
    page.screenshot(path=str(artifacts / f"profile-error-{device}.png"), full_page=True)
    _no_serious(page, "profile with an error", device)

    assert page.input_value("#id_email") == "sri.wahyuni@example.go.id"   # kept; the password is typed again
    page.fill("#id_nip", "19800512 200501 2 003")
    page.fill("#id_current_password", PASSWORD)
    with page.expect_navigation():
        page.click("#profile-form [type=submit]")
    assert page.get_by_role("alert").inner_text() == "Profil disimpan."
    assert "Sri Wahyuni" in page.locator("#nav-profile").inner_text()
    anggota.refresh_from_db()
    assert (anggota.get_full_name(), anggota.email) == ("Sri Wahyuni", "sri.wahyuni@example.go.id")
    assert Profile.objects.get(user=anggota).nip == "198005122005012003"

    page.uncheck("#email-reminder")
    with page.expect_navigation():
        page.click("#preferences-form [type=submit]")
    assert page.url == f"{live_server.url}/profil/#notifikasi"
    assert not page.is_checked("#email-reminder")
    assert list(EmailOptOut.objects.filter(user=anggota).values_list("kind", flat=True)) == ["reminder"]
    _fits(page, "profile", device)
    page.screenshot(path=str(artifacts / f"profile-{device}.png"), full_page=True)
    _no_serious(page, "profile", device)
    context.close()


def test_the_bundle_list_updates_itself_when_the_bundle_is_built(live_server, browser, plan, ketua, artifacts):
    bundle = EvidenceBundle.objects.create(plan=plan, requested_by=ketua)
    context, page = _page(browser, "desktop", DEVICES[0][1])
    log_in(page, live_server, "ketua")
    page.goto(f"{live_server.url}/bukti/rencana/{plan.pk}/berkas-tpi/")
    row = page.locator(f'tr[data-bundle-id="{bundle.pk}"]')
    assert "Menunggu diproses" in row.inner_text()
    assert row.get_by_role("link", name="Unduh ZIP").count() == 0
    _no_serious(page, "bundle list while building", "desktop")
    page.screenshot(path=str(artifacts / "bundle-list-building.png"), full_page=True)

    assert bundle_build(bundle_id=bundle.pk)             # as the Celery worker would
    page.get_by_role("link", name="Unduh ZIP").wait_for(timeout=20_000)
    assert "Siap diunduh" in page.locator(f'tr[data-bundle-id="{bundle.pk}"]').inner_text()
    assert page.locator("#bundle-building").count() == 0 and page.locator("[data-bundle-status-url]").count() == 0
    page.screenshot(path=str(artifacts / "bundle-list-ready.png"), full_page=True)
    context.close()
