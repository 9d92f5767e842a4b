"""Signing in and a forgotten password: the Indonesian login error without doubled words, password reset by
e-mail with Django's views (through the lockout and the CSP), the link setting a new password once."""
import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse

from actionplan.models import AuditEvent

from .factories import PASSWORD
from .test_production import _assert_csp_clean

NEW_PASSWORD = "kata-sandi-baru-2026"


@pytest.fixture
def ketua_with_email(ketua):
    ketua.email = "ketua@dispendukcapil.example.go.id"
    ketua.save(update_fields=["email"])
    return ketua


@pytest.mark.django_db
def test_a_wrong_password_says_so_without_doubled_words(client, ketua):
    response = client.post(reverse("login"), {"username": "ketua", "password": "salah-sekali"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Masukkan nama pengguna dan sandi yang benar." in html
    assert "nama pengguna nama pengguna" not in html.lower()


@pytest.mark.django_db
def test_the_login_page_links_to_the_password_reset(client):
    html = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in html and "Lupa kata sandi?" in html


def _reset_link(ketua_with_email, client, settings) -> str:
    settings.PORTAL_BASE_URL = "https://portal-zi.example.go.id"
    response = client.post(reverse("password_reset"), {"email": "KETUA@dispendukcapil.example.go.id"})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ketua@dispendukcapil.example.go.id"]
    assert message.subject == "[Portal ZI] Tautan untuk membuat kata sandi baru"
    assert "Yth. Ketua," in message.body and "sekali pakai" in message.body
    html, _type = message.alternatives[0]
    links = re.findall(r"https://portal-zi\.example\.go\.id/atur-sandi/[^/\s]+/[^/\s]+/", message.body)
    assert len(links) == 1 and links[0] in html
    return links[0].removeprefix("https://portal-zi.example.go.id")


@pytest.mark.django_db
def test_the_reset_mail_is_sent_and_its_link_sets_a_new_password_once(client, ketua_with_email, settings):
    link = _reset_link(ketua_with_email, client, settings)

    response = client.get(link)                              # the token moves into the session
    assert response.status_code == 302 and response.url.endswith("/set-password/")
    form_page = client.get(response.url)
    assert form_page.status_code == 200 and "Buat kata sandi baru" in form_page.content.decode()
    too_short = client.post(response.url, {"new_password1": "pendek", "new_password2": "pendek"})
    assert too_short.status_code == 200 and too_short.context["form"].errors
    done = client.post(response.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")

    ketua_with_email.refresh_from_db()
    assert ketua_with_email.check_password(NEW_PASSWORD) and not ketua_with_email.check_password(PASSWORD)
    assert AuditEvent.objects.filter(action="account.password_reset", actor=ketua_with_email).count() == 1
    # a real login through the lockout backend with the new password
    assert client.post(reverse("login"), {"username": "ketua", "password": NEW_PASSWORD}).status_code == 302
    client.logout()
    used = client.get(link)                                  # the link worked once
    assert used.status_code == 400 and "Tautan tidak berlaku" in used.content.decode()


@pytest.mark.django_db
def test_an_unknown_address_gets_the_same_page_and_no_mail(client, ketua_with_email):
    response = client.post(reverse("password_reset"), {"email": "orang-lain@example.go.id"}, follow=True)
    assert response.status_code == 200 and "Periksa e-mail Anda" in response.content.decode()
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_new_password_ends_the_lockout_of_that_username(client, ketua_with_email, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        client.post(reverse("login"), {"username": "ketua", "password": "salah-sekali"})
    locked = client.post(reverse("login"), {"username": "ketua", "password": PASSWORD})
    assert "Akun dikunci sementara" in locked.content.decode()

    link = _reset_link(ketua_with_email, client, settings)
    set_url = client.get(link).url
    client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert not AccessAttempt.objects.filter(username="ketua").exists()
    assert client.post(reverse("login"), {"username": "ketua", "password": NEW_PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_reset_pages_are_indonesian_and_csp_clean(client, ketua_with_email, settings):
    for name in ("password_reset", "password_reset_done", "password_reset_complete"):
        _assert_csp_clean(client, reverse(name))
    html = client.get(reverse("password_reset")).content.decode()
    assert "Alamat e-mail" in html and "Kirim tautan" in html
    link = _reset_link(ketua_with_email, client, settings)
    _assert_csp_clean(client, client.get(link).url)
