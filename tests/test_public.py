"""The public transparency page: switched on by the Kepala Dinas or Ketua Tim, anonymous, no personal data
beyond names and roles, no evidence file, no unpublished report, cached, rate limited, CSP-clean, working when
Redis is down; the list of public units; CSV/JSON open data."""
import csv
import io
import json
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from actionplan.models import AuditEvent, Membership, Profile
from public.models import PublicPage, PublishedReport
from public.selectors import CSV_COLUMNS
from public.services import public_page_set

from .factories import free_port, submit
from .programme_factories import STAFF_NIPS, build_programme, signed_report
from .test_production import _assert_csp_clean

SLUG = "dispendukcapil-lumajang"


@pytest.fixture
def published(plan, unit, ketua, kepala, anggota, assigned_target):
    anggota.email, ketua.email = "anggota@example.org", "ketua@example.org"
    anggota.save()
    ketua.save()
    world = build_programme(unit, plan, ketua)
    revision = submit(assigned_target, anggota)
    public_report = signed_report(plan, ketua, kepala, semester=1, code="PUBL-1111")
    private_report = signed_report(plan, ketua, kepala, semester=2, code="PRIV-2222")
    page = public_page_set(unit=unit, enabled=True, slug=SLUG, published_codes=["PUBL-1111"], actor=kepala,
                           membership=Membership.objects.get(user=kepala))
    return {**world, "page": page, "revision": revision, "file": revision.files.get(),
            "public_report": public_report, "private_report": private_report}


def test_the_page_is_off_until_the_kepala_or_ketua_switches_it_on(client, plan, unit, ketua, kepala, anggota):
    url = reverse("public:unit", args=[SLUG])
    assert client.get(url).status_code == 404
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        public_page_set(unit=unit, enabled=True, slug=SLUG, actor=anggota,
                        membership=Membership.objects.get(user=anggota))
    public_page_set(unit=unit, enabled=True, slug=SLUG, actor=ketua, membership=Membership.objects.get(user=ketua))
    assert client.get(url).status_code == 200
    public_page_set(unit=unit, enabled=False, slug=SLUG, actor=kepala, membership=Membership.objects.get(user=kepala))
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(action="public.page").count() == 2


def test_the_page_shows_team_plan_progress_priorities_pakta_and_signed_reports(client, published):
    html = client.get(reverse("public:unit", args=[SLUG])).content.decode()
    assert "Sri Wahyuni" in html and "Koordinator area I" in html and "188.45/012/427.53/2019" in html
    assert "Pembentukan Tim ZI" in html and "belum ditautkan ke langkah aksi" in html  # "Keuangan" has no step
    assert "<svg" in html and 'role="img"' in html
    assert reverse("monev:verify", args=["PUBL-1111"]) in html and reverse("monev:verify", args=["PRIV-2222"]) in html
    assert reverse("public:report_pdf", args=[SLUG, "PUBL-1111"]) in html
    assert reverse("public:report_pdf", args=[SLUG, "PRIV-2222"]) not in html
    assert "2/4" in html  # Pakta: 2 of 4 staff


def _public_urls(client) -> set[str]:
    """Every same-site link reachable from the public pages (and the data files), crawled."""
    start = [reverse("public:units"), reverse("public:unit", args=[SLUG]),
             reverse("public:unit_data", args=[SLUG, "csv"]), reverse("public:unit_data", args=[SLUG, "json"])]
    seen, todo, bodies = set(), list(start), {}
    while todo:
        url = todo.pop()
        if url in seen or url.startswith("/static/"):
            continue
        seen.add(url)
        response = client.get(url)
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode("utf-8", "replace") if response.status_code == 200 else ""
        bodies[url] = (response.status_code, body)
        todo += [u for u in re.findall(r'href="(/[^"#]*)', body) if u not in seen]
    return bodies


def test_no_nip_email_evidence_file_or_unpublished_report_is_reachable_from_a_public_url(client, published):
    bodies = _public_urls(client)
    everything = "\n".join(body for _status, body in bodies.values())
    nips = STAFF_NIPS + ["197511042000032003"] + list(Profile.objects.exclude(nip="").values_list("nip", flat=True))
    for nip in nips:
        for shown in (nip, f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"):
            assert shown not in everything
    assert "@example.org" not in everything and "@" not in re.sub(r"<svg.*?</svg>", "", everything, flags=re.S)
    assert "/bukti/" not in everything and "/program/" not in everything and "/media/" not in everything
    assert published["file"].file.name not in everything and published["team"].file.name not in everything
    # Every signed report is listed with its public verification code; only the published one has its PDF.
    assert reverse("public:report_pdf", args=[SLUG, "PRIV-2222"]) not in bodies
    assert "/monev/laporan/" not in everything and "/monev/rencana/" not in everything
    private_pdf = b"".join(published["private_report"].signed_pdf.open("rb").chunks()).decode("latin-1")
    assert private_pdf not in everything
    pdf_urls = [u for u in bodies if u.endswith(".pdf")]
    assert pdf_urls == [reverse("public:report_pdf", args=[SLUG, "PUBL-1111"])]
    assert set(bodies) >= {reverse("public:report_pdf", args=[SLUG, "PUBL-1111"])}
    assert all(status in (200, 302) for status, _body in bodies.values())
    # And guessed addresses lead nowhere.
    assert client.get(reverse("public:report_pdf", args=[SLUG, "PRIV-2222"])).status_code == 404
    assert client.get(reverse("evidence:download", args=[published["file"].pk])).status_code == 302  # login
    assert client.get(reverse("programme:team_file", args=[published["team"].pk])).status_code == 302
    assert client.get(reverse("programme:pakta_file", args=[published["pakta"].pk])).status_code == 302


def test_the_published_pdf_downloads_as_an_attachment(client, published):
    response = client.get(reverse("public:report_pdf", args=[SLUG, "PUBL-1111"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_json_download_has_the_documented_keys(client, published):
    response = client.get(reverse("public:unit_data", args=[SLUG, "json"]))
    data = json.loads(response.content)
    assert {"unit", "year", "progress", "components", "priority_targets", "pakta_integritas"} <= set(data)
    assert data["year"] == 2019 and isinstance(data["progress"], float)
    assert {"name", "weight", "percent"} <= set(data["components"][0]) and len(data["components"]) == 6
    assert data["priority_targets"][0]["title"] == "Pembentukan Tim ZI" and "percent" in data["priority_targets"][0]
    assert (data["pakta_integritas"]["signed"], data["pakta_integritas"]["total"]) == (2, 4)
    assert "nip" not in response.content.decode().lower().replace("nip_", "")


def test_the_csv_download_has_the_documented_columns_one_row_per_target_date(client, published, plan):
    from actionplan.models import Target

    response = client.get(reverse("public:unit_data", args=[SLUG, "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [name for name, _ in CSV_COLUMNS]
    assert len(rows) - 1 == Target.objects.filter(step__indicator__subcomponent__component__plan=plan).count()
    assert response["Content-Disposition"].startswith("attachment")


def test_the_units_list_shows_each_public_unit_with_its_progress(client, published, other_unit, ketua):
    response = client.get(reverse("public:units"))
    html = response.content.decode()
    assert published["page"].unit.name in html and other_unit.name not in html
    assert reverse("public:unit", args=[SLUG]) in html


def test_public_pages_are_csp_clean_for_an_anonymous_visitor(client, published):
    for url in [reverse("public:units"), reverse("public:unit", args=[SLUG])]:
        _assert_csp_clean(client, url)


def test_a_change_shows_after_the_cache_time_and_switching_off_at_once(client, published, settings, ketua):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "public-test"}}
    cache.clear()
    url = reverse("public:unit", args=[SLUG])
    assert "Sosialisasi" in client.get(url).content.decode()
    from programme.services import priority_targets_set

    priority_targets_set(plan=published["priorities"][0].plan, titles=["Tim ZI baru"], actor=ketua,
                         check_role=False)
    assert "Sosialisasi" in client.get(url).content.decode()  # served from the cache
    cache.delete_many([f"public:page:{SLUG}", f"public:unit:{SLUG}"])  # PUBLIC_CACHE_SECONDS later
    assert "Tim ZI baru" in client.get(url).content.decode()


def test_switching_off_drops_the_cached_page_on_commit(published, ketua, django_capture_on_commit_callbacks,
                                                        settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "public-test-2"}}
    cache.set(f"public:unit:{SLUG}", "old body")
    cache.set(f"public:page:{SLUG}", b"old page")
    with django_capture_on_commit_callbacks(execute=True):
        public_page_set(unit=published["page"].unit, enabled=False, actor=ketua, check_role=False)
    assert cache.get(f"public:unit:{SLUG}") is None and cache.get(f"public:page:{SLUG}") is None


def test_the_page_works_when_redis_is_down(client, published, settings):
    settings.CACHES = {"default": {"BACKEND": "zi_portal.lib.cache.TolerantRedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{free_port()}/7",
                                   "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}
    for url in [reverse("public:unit", args=[SLUG]), reverse("public:units"),
                reverse("public:unit_data", args=[SLUG, "json"])]:
        assert client.get(url).status_code == 200


def test_the_public_pages_are_rate_limited_per_address(client, published, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "public-rate"}}
    settings.PUBLIC_RATE_LIMIT = 3
    cache.clear()
    url = reverse("public:unit", args=[SLUG])
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert client.get(url, REMOTE_ADDR="10.0.0.9").status_code == 200
    refused = client.get(url)
    assert 0 < int(refused["Retry-After"]) <= settings.PUBLIC_RATE_WINDOW
    assert "Terlalu banyak" in refused.content.decode()


def test_the_settings_page_publishes_only_chosen_signed_reports(login, published, kepala, unit):
    url = reverse("public:settings", args=[unit.pk])
    assert login(kepala).get(url).status_code == 200
    response = login(kepala).post(url, {"enabled": "on", "slug": "Dispendukcapil-Lumajang",
                                        "published": ["PRIV-2222"]})
    assert response.status_code == 302
    assert PublishedReport.objects.get(report=published["private_report"]).pdf_public
    assert not PublishedReport.objects.get(report=published["public_report"]).pdf_public
    assert PublicPage.objects.get().slug == "dispendukcapil-lumajang"
    response = login(kepala).post(url, {"enabled": "on", "slug": "--", "published": ["NOPE"]})
    assert response.status_code == 400


def test_a_slug_taken_by_another_unit_is_refused(published, other_unit, ketua):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="sudah dipakai"):
        public_page_set(unit=other_unit, enabled=True, slug=SLUG, actor=ketua, check_role=False)
