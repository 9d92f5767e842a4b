"""The dashboard in a real browser: the figures on screen are the database's figures."""
import datetime

import pytest

from monev import selectors

from .test_browser_evidence import log_in
from .test_dashboard import states  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
AS_OF = datetime.date(2019, 7, 1)


def test_dashboard_numbers_match_the_database(live_server, browser, plan, states, ketua, artifacts):  # noqa: F811
    page = browser.new_page(viewport={"width": 1366, "height": 1000})
    log_in(page, live_server, "ketua")
    page.goto(f"{live_server.url}/monev/rencana/{plan.pk}/dashboard/?per={AS_OF}")
    data = selectors.dashboard_data(plan=plan, as_of=AS_OF)
    shown = {el.get_attribute("data-figure"): el.inner_text() for el in page.query_selector_all("[data-figure]")}
    assert shown["percent"] == f"{data['total'].percent:.1f}%".replace(".", ",")
    assert shown["weighted"] == f"{data['weighted']:.1f}%".replace(".", ",")
    for status in ["terlambat", "menunggu_review", "perlu_perbaikan", "belum_jatuh_tempo", "perlu_ditinjau"]:
        assert int(shown[status]) == data["total"].counts[status], status
    assert int(shown["queue"]) == data["review_queue"] == 1
    for component, progress in data["components"]:
        row = page.query_selector(f'#component-table tr[data-component="{component.code}"]')
        assert int(row.query_selector('[data-status="selesai"]').inner_text()) == progress.done
        assert int(row.query_selector('[data-status="terlambat"]').inner_text()) == progress.counts["terlambat"]
    assert page.locator("#overdue tbody tr").count() == min(data["total"].counts["terlambat"], data["list_limit"])
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)

    page.get_by_role("link", name="Semester II", exact=True).click()
    page.wait_for_url("**semester=2**")
    s2 = selectors.dashboard_data(plan=plan, as_of=AS_OF, semester=2)
    assert page.inner_text('[data-figure="terlambat"]') == str(s2["total"].counts["terlambat"])
