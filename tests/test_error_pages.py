"""Error pages with DEBUG off (pytest-django's default): Indonesian, the reason the view raised, a way back, the
one base template; the 500 page needs neither the database nor the request."""
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from zi_portal import errors

from .test_production import INLINE_SCRIPT, INLINE_STYLE


def _page(response) -> str:
    html = response.content.decode()
    assert 'lang="id"' in html and "Portal ZI" in html                  # the base template
    assert 'href="/"' in html and "Kembali ke beranda" in html          # a way back
    assert not INLINE_SCRIPT.search(html) and not INLINE_STYLE.search(html)
    assert "Forbidden" not in html and "Not Found" not in html and "Server Error" not in html
    return html


@pytest.mark.django_db
def test_403_says_in_indonesian_why_the_view_refused(client, login, plan, assigned_target, anggota):
    login(anggota)
    response = client.get(reverse("monev:dashboard", args=[plan.pk]))
    assert response.status_code == 403
    html = _page(response)
    assert "Akses ditolak" in html
    assert "Dasbor kemajuan untuk Ketua Tim, Kepala Dinas dan TPI." in html
    assert "Beranda" in html                # the navigation of a signed-in user is there


@pytest.mark.django_db
def test_404_outside_ones_unit_gives_the_reason(client, login, plan, outsider):
    login(outsider)
    response = client.get(reverse("actionplan:plan_detail", args=[plan.pk]))
    assert response.status_code == 404
    html = _page(response)
    assert "Halaman tidak ditemukan" in html and "Rencana kerja tidak ditemukan." in html


@pytest.mark.django_db
def test_404_for_an_unknown_address_is_indonesian_and_lists_no_urls(client):
    response = client.get("/tidak-ada/sama-sekali/")
    assert response.status_code == 404
    html = _page(response)
    assert "Alamat ini tidak ada di Portal ZI" in html
    assert "masuk/" not in html.replace('href="/masuk/', "")     # no list of the URL patterns tried
    assert "Masuk" in html                                      # anonymous: a link to the login page


@pytest.mark.django_db
def test_a_mistyped_verification_code_is_the_indonesian_404(client):
    response = client.get(reverse("monev:verify", args=["ABCD-2345"]))
    assert response.status_code == 404
    assert "Kode verifikasi tidak dikenal." in _page(response)


@pytest.mark.urls("tests.error_urls")
@pytest.mark.django_db
def test_403_without_a_reason_explains_in_general_terms(client):
    response = client.get("/uji/403/")
    assert response.status_code == 403
    assert "Peran Anda tidak mengizinkan tindakan ini." in _page(response)


@pytest.mark.urls("tests.error_urls")
@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/uji/400/", "/uji/400b/"])
def test_400_is_indonesian_and_hides_the_technical_reason(url):
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == 400
    html = _page(response)
    assert "Permintaan tidak dapat diproses" in html and "HTTP_HOST" not in html


@pytest.mark.urls("tests.error_urls")
@pytest.mark.django_db
def test_500_is_indonesian_and_hides_the_exception(caplog):
    response = Client(raise_request_exception=False).get("/uji/500/")
    assert response.status_code == 500
    html = _page(response)
    assert "Terjadi kesalahan pada server" in html and "database exploded" not in html


def test_500_page_needs_no_database_and_no_request():
    # No database access in this test (no db fixture): a query would raise instead of rendering.
    response = errors.server_error(None)
    assert response.status_code == 500
    _page(response)


def test_500_page_falls_back_to_plain_html_when_its_template_fails(settings, tmp_path):
    # Production static files without `collectstatic`: {% static %} in the base template raises.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    settings.STATIC_ROOT = tmp_path / "kosong"
    response = errors.server_error(None)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Terjadi kesalahan pada server" in html and "Kembali ke beranda" in html
    assert "bootstrap" not in html                            # the plain page, not the failed template


@pytest.mark.django_db
def test_a_form_posted_without_csrf_token_gets_the_indonesian_403(ketua):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "ketua", "password": "x"})
    assert response.status_code == 403
    html = _page(response)
    assert "Formulir ini sudah kedaluwarsa" in html and "CSRF" not in html
    assert connection.vendor                                   # the database is still usable afterwards
