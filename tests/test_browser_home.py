"""Each role's home page in a real browser, on a desktop (1366x768) and a phone (390x844): the panels show what
waits for that person, nothing widens the page past the screen, the skip link comes first, and axe-core finds no
serious or critical problem on the home page and the main pages. Screenshots in tests/artifacts/."""
import pytest

from .home_factories import SENT_BACK_NOTE, home_scenario
from .test_browser_evidence import log_in
from .test_browser_public import AXE, SERIOUS, _axe

pytestmark = pytest.mark.browser
DEVICES = [("desktop", {"width": 1366, "height": 768}), ("phone", {"width": 390, "height": 844})]


@pytest.fixture
def scenario(plan, anggota, ketua, kepala, tpi):
    return home_scenario(plan, anggota=anggota, ketua=ketua, kepala=kepala)


def _page(browser, device, viewport):
    # bypass_csp only so that axe-core can be injected; the CSP itself is tested elsewhere.
    context = browser.new_context(viewport=viewport, bypass_csp=True, is_mobile=device == "phone")
    return context, context.new_page()


def _fits(page, name, device):
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{name} scrolls sideways on {device}: {width}"


def _no_serious(page, name, device):
    assert AXE.exists(), "npm ci installs axe-core (package.json devDependencies)"
    serious = [v for v in _axe(page) if v["impact"] in SERIOUS]
    assert not serious, f"{name} on {device}: {serious}"


def _panel_text(page, name):
    panel = page.locator(f'[data-panel="{name}"]')
    assert panel.is_visible(), name
    return panel.inner_text()


EXPECT = {
    "anggota": lambda page, s: (
        SENT_BACK_NOTE in _panel_text(page, "sent_back"),
        page.locator('[data-panel="overdue"] a[href$="/target/%d/"]' % s["late"].pk).count() == 1,
        page.locator('[data-panel="soon"] a[href$="/target/%d/"]' % s["soon"].pk).count() == 1,
        page.locator("#nav-tasks .badge").count() == 2),
    "ketua": lambda page, s: (
        page.locator('[data-panel="queue"] a[href$="/revisi/%d/review/"]' % s["queued"].pk).count() == 1,
        page.locator('[data-panel="undated"] li').count() > 0,
        page.locator('[data-panel="unit_overdue"] li').count() > 0,
        "Tidak ada rencana kerja tahun ini" in _panel_text(page, "semester_report"),
        page.locator("#nav-queue .badge").inner_text().strip().endswith("1")),
    "kepala": lambda page, s: (
        "Laporan Semester I 2019" in _panel_text(page, "awaiting_signature"),
        page.locator('[data-panel="escalations"] a[href$="/target/%d/"]' % s["late"].pk).count() == 1),
    "tpi": lambda page, s: (
        "target selesai" in _panel_text(page, "assessed"),
        page.locator('[data-panel="assessed"] progress').count() == 1),
}


@pytest.mark.parametrize("device, viewport", DEVICES)
@pytest.mark.parametrize("role", ["anggota", "ketua", "kepala", "tpi"])
def test_each_role_sees_what_needs_them_on_the_home_page(live_server, browser, scenario, artifacts, role, device,
                                                        viewport):
    context, page = _page(browser, device, viewport)
    log_in(page, live_server, role)
    page.goto(f"{live_server.url}/")
    checks = EXPECT[role](page, scenario)
    assert all(checks), checks
    # the plans table: role, status and (for those who watch progress) the dashboard button are on screen
    row = page.locator("#plans tbody tr").first
    row.scroll_into_view_if_needed()
    for cell in ("role", "status"):
        box = row.locator(f'[data-cell="{cell}"]').bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (cell, box)
    if role != "anggota":
        button = row.get_by_role("link", name="Dasbor")
        box = button.bounding_box()
        assert button.is_visible() and box["x"] + box["width"] <= viewport["width"], box
    _fits(page, f"home of {role}", device)
    page.screenshot(path=str(artifacts / f"home-{role}-{device}.png"), full_page=True)
    _no_serious(page, f"home of {role}", device)
    # keyboard: the first Tab reaches the skip link, which takes the focus to the main content
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Langsung ke isi utama"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "isi-utama"
    context.close()


def test_the_navbar_focus_ring_is_strong_on_the_dark_green(live_server, browser, scenario, artifacts):
    context, page = _page(browser, "desktop", DEVICES[0][1])
    log_in(page, live_server, "ketua")
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the brand link on the navbar
    style = page.evaluate("() => { const s = getComputedStyle(document.activeElement); "
                          "return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }")
    assert style[0] == "solid" and float(style[1].removesuffix("px")) >= 3, style
    assert style[2] == "rgb(255, 218, 106)", style  # light amber: about 9:1 against #0f5132
    page.screenshot(path=str(artifacts / "home-navbar-focus.png"), clip={"x": 0, "y": 0, "width": 700, "height": 80})
    context.close()


@pytest.mark.parametrize("device, viewport", DEVICES)
def test_main_pages_have_no_serious_accessibility_problem(live_server, browser, scenario, plan, artifacts, device,
                                                          viewport):
    context, page = _page(browser, device, viewport)
    late, report = scenario["late"], scenario["report"]
    pages = {
        None: [("/masuk/", "login")],
        "anggota": [("/bukti/tugas-saya/", "tasks"), (f"/rencana/{plan.pk}/", "plan"),
                    (f"/bukti/target/{late.pk}/", "target"), (f"/bukti/target/{late.pk}/unggah/", "upload")],
        "ketua": [("/bukti/review/", "review-queue"), (f"/monev/rencana/{plan.pk}/dashboard/?per=2019-07-01",
                                                        "dashboard"),
                  (f"/bukti/revisi/{scenario['queued'].pk}/review/", "review"),
                  (f"/monev/rencana/{plan.pk}/laporan/1/", "report"), ("/notifikasi/", "notifications")],
        "kepala": [(f"/monev/rencana/{plan.pk}/laporan/1/", "report-kepala"),
                   (f"/monev/laporan/{report.pk}/tandatangani/", "sign")],
    }
    for role, paths in pages.items():
        if role is None:
            context.clear_cookies()
        else:
            log_in(page, live_server, role)
        for path, name in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, (name, response.status)
            _fits(page, name, device)
            if name == "dashboard":
                wide, narrow = page.locator(".chart-wide svg"), page.locator(".chart-narrow svg")
                assert (wide if device == "desktop" else narrow).is_visible()
                assert not (narrow if device == "desktop" else wide).is_visible()
                # legible: the component names are drawn at 11 px or more on screen
                size = page.evaluate("""() => { const svg = document.querySelector(
                    getComputedStyle(document.querySelector('.chart-wide')).display === 'none'
                    ? '.chart-narrow svg' : '.chart-wide svg');
                    const t = svg.querySelector('.component-row text'); return t.getBoundingClientRect().height; }""")
                assert size >= 11, size
                for table in ("#component-table", "#workload"):
                    box = page.locator(table).locator("xpath=..")
                    assert box.get_attribute("tabindex") == "0" and box.get_attribute("aria-label")
            page.screenshot(path=str(artifacts / f"page-{name}-{device}.png"), full_page=name == "dashboard")
            _no_serious(page, name, device)
    context.close()
