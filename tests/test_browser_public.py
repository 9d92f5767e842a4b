"""The public transparency page in a real browser, as an anonymous visitor: desktop and phone, with and without
JavaScript, and axe-core's accessibility rules (no serious or critical finding). Screenshots in tests/artifacts/."""
from pathlib import Path

import pytest
from django.conf import settings

from actionplan.models import Membership
from public.services import public_page_set

from .factories import submit
from .programme_factories import build_programme, signed_report

pytestmark = pytest.mark.browser
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = {"serious", "critical"}


@pytest.fixture
def public_unit(plan, unit, ketua, kepala, anggota, assigned_target):
    build_programme(unit, plan, ketua)
    submit(assigned_target, anggota)
    signed_report(plan, ketua, kepala, semester=1, code="PUBL-1111")
    public_page_set(unit=unit, enabled=True, slug="lumajang", published_codes=["PUBL-1111"], actor=kepala,
                    membership=Membership.objects.get(user=kepala))
    return unit


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


@pytest.mark.parametrize("device, viewport", [("desktop", {"width": 1366, "height": 900}),
                                              ("phone", {"width": 390, "height": 844})])
def test_the_public_page_reads_well_for_an_anonymous_visitor(live_server, browser, public_unit, artifacts,
                                                             device, viewport):
    assert AXE.exists(), "npm ci installs axe-core (package.json devDependencies)"
    # bypass_csp only so that axe-core can be injected; the CSP itself is tested in test_public.py.
    context = browser.new_context(viewport=viewport, bypass_csp=True, is_mobile=device == "phone")
    page = context.new_page()
    for path, name in [("/publik/lumajang/", "unit"), ("/publik/", "units")]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200
        assert page.locator("h1").count() == 1
        if name == "unit":
            assert page.get_by_role("heading", name="Tim Zona Integritas").is_visible()
            assert page.locator("svg[role=img]").count() == 1
            assert page.get_by_role("link", name="unduh PDF").count() == 1
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{name} scrolls sideways on {device}: {width}"
        page.screenshot(path=str(artifacts / f"public-{name}-{device}.png"), full_page=name == "units")
        serious = [v for v in _axe(page) if v["impact"] in SERIOUS]
        assert not serious, f"{name} on {device}: {serious}"
    context.close()


def test_the_public_page_works_without_javascript(live_server, browser, public_unit, artifacts):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/publik/lumajang/")
    assert page.get_by_role("heading", name="Target prioritas").is_visible()
    page.get_by_role("link", name="Target prioritas").first.click()  # the in-page table of contents
    assert page.url.endswith("#prioritas")
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh CSV").click()
    assert download.value.suggested_filename == "zi-lumajang.csv"
    context.close()


def test_the_ketua_tim_reads_the_team_and_register_pages_on_a_phone(live_server, browser, public_unit, plan,
                                                                     artifacts):
    from .test_browser_evidence import log_in

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    log_in(page, live_server, "ketua")
    for path, name in [(f"/program/unit/{public_unit.pk}/tim/", "teams"),
                       (f"/program/unit/{public_unit.pk}/pakta/?tahun=2019", "register"),
                       (f"/program/rencana/{plan.pk}/prioritas/", "priorities")]:
        assert page.goto(f"{live_server.url}{path}").status == 200
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{name} scrolls sideways: {width}"
        page.screenshot(path=str(artifacts / f"programme-{name}-phone.png"), full_page=True)
    context.close()
