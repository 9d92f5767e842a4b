"""One's own profile (/profil/): name, e-mail and NIP saved all or nothing and audited, the e-mail unique among
accounts ignoring case and changed only with the current password, mail delivery resumed for the new address,
units and roles shown read-only, the e-mail switches per kind on the same page, the password changed in
Indonesian."""
import datetime
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from actionplan.models import AuditEvent, Profile
from notifications.models import EmailStatus, Notification

from .factories import PASSWORD
from .test_production import _assert_csp_clean

NEW_PASSWORD = "kata-sandi-baru-2026"


def _form(user, **changes):
    profile = Profile.objects.filter(user=user).first()
    data = {"first_name": user.first_name, "last_name": user.last_name, "email": user.email,
            "nip": profile.nip if profile else "", "current_password": ""}
    return {**data, **changes}


@pytest.fixture
def anggota_mail(anggota):
    anggota.email = "anggota@dispendukcapil.example.go.id"
    anggota.save(update_fields=["email"])
    return anggota


@pytest.mark.django_db
def test_a_person_changes_name_and_nip_and_the_change_is_audited(client, anggota_mail):
    client.force_login(anggota_mail)
    response = client.post(reverse("profile"), _form(anggota_mail, first_name="  Sri ", last_name="Wahyuni",
                                                     nip="19800512 200501 2 003"))
    assert response.status_code == 302 and response.url == reverse("profile")

    anggota_mail.refresh_from_db()
    assert (anggota_mail.first_name, anggota_mail.last_name) == ("Sri", "Wahyuni")
    assert anggota_mail.profile.nip == "198005122005012003"           # printed form accepted, stored as digits
    [event] = AuditEvent.objects.filter(action="account.profile", actor=anggota_mail)
    assert event.data["last_name"] == {"old": "", "new": "Wahyuni"}
    assert event.data["nip"]["new"] == "198005122005012003" and "email" not in event.data
    assert "Profil disimpan." in client.get(reverse("profile")).content.decode()


@pytest.mark.django_db
def test_saving_an_unchanged_profile_writes_nothing(client, anggota_mail):
    client.force_login(anggota_mail)
    response = client.post(reverse("profile"), _form(anggota_mail), follow=True)
    assert "Tidak ada yang berubah." in response.content.decode()
    assert not AuditEvent.objects.filter(action__startswith="account.").exists()


@pytest.mark.django_db
def test_the_profile_row_is_created_when_missing(client, anggota_mail):
    Profile.objects.filter(user=anggota_mail).delete()
    client.force_login(anggota_mail)
    assert client.get(reverse("profile")).status_code == 200
    client.post(reverse("profile"), _form(anggota_mail, nip="196607101992031007"))
    assert Profile.objects.get(user=anggota_mail).nip == "196607101992031007"


@pytest.mark.django_db
@pytest.mark.parametrize("nip, message", [
    ("12345", "NIP harus terdiri dari 18 angka."),
    ("196613401992031007", "8 angka pertama NIP harus tanggal lahir yang sah (TTTTBBHH)."),
    ("196607101992033007", "Angka ke-15 NIP (jenis kelamin) harus 1 atau 2."),
])
def test_an_invalid_nip_is_refused_in_indonesian_and_nothing_is_saved(client, anggota_mail, nip, message):
    client.force_login(anggota_mail)
    response = client.post(reverse("profile"), _form(anggota_mail, first_name="Berubah", nip=nip))
    assert response.status_code == 400
    assert message in response.content.decode()
    anggota_mail.refresh_from_db()
    assert anggota_mail.first_name == "Anggota"                        # the valid name was not saved either
    assert not AuditEvent.objects.filter(action__startswith="account.").exists()


@pytest.mark.django_db
def test_an_email_used_by_another_account_is_refused_whatever_its_case(client, anggota_mail, ketua):
    ketua.email = "ketua@dispendukcapil.example.go.id"
    ketua.save(update_fields=["email"])
    client.force_login(anggota_mail)
    response = client.post(reverse("profile"), _form(anggota_mail, first_name="Berubah",
                                                     email="KETUA@Dispendukcapil.example.go.id",
                                                     current_password=PASSWORD))
    assert response.status_code == 400
    assert "E-mail itu sudah dipakai akun lain." in response.content.decode()
    anggota_mail.refresh_from_db()
    assert anggota_mail.email == "anggota@dispendukcapil.example.go.id" and anggota_mail.first_name == "Anggota"


@pytest.mark.django_db
@pytest.mark.parametrize("email, message", [("", "Bidang ini tidak boleh kosong."),
                                            ("bukan-alamat", "Masukkan alamat email yang valid.")])
def test_an_empty_or_malformed_email_is_refused(client, anggota_mail, email, message):
    client.force_login(anggota_mail)
    response = client.post(reverse("profile"), _form(anggota_mail, email=email, current_password=PASSWORD))
    assert response.status_code == 400 and message in response.content.decode()
    anggota_mail.refresh_from_db()
    assert anggota_mail.email == "anggota@dispendukcapil.example.go.id"


@pytest.mark.django_db
def test_changing_the_email_needs_the_current_password(client, anggota_mail):
    client.force_login(anggota_mail)
    for password in ("", "salah-sekali"):
        response = client.post(reverse("profile"), _form(anggota_mail, email="baru@example.go.id",
                                                         current_password=password))
        assert response.status_code == 400
        assert "Masukkan kata sandi Anda yang benar untuk mengubah alamat e-mail." in response.content.decode()
    anggota_mail.refresh_from_db()
    assert anggota_mail.email == "anggota@dispendukcapil.example.go.id"
    # only the case of the address: the same mailbox, no password asked
    response = client.post(reverse("profile"), _form(anggota_mail, email="Anggota@dispendukcapil.example.go.id"))
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_changed_email_is_audited_with_old_and_new_address(client, anggota_mail):
    client.force_login(anggota_mail)
    response = client.post(reverse("profile"), _form(anggota_mail, email="sri.wahyuni@EXAMPLE.go.id",
                                                     current_password=PASSWORD))
    assert response.status_code == 302
    anggota_mail.refresh_from_db()
    assert anggota_mail.email == "sri.wahyuni@example.go.id"           # the domain in lower case, as Django keeps it
    [event] = AuditEvent.objects.filter(action="account.email")
    assert event.actor == anggota_mail and event.object_id == str(anggota_mail.pk)
    assert event.data == {"old": "anggota@dispendukcapil.example.go.id", "new": "sri.wahyuni@example.go.id"}
    assert event.action_label == "Alamat e-mail akun diubah"
    assert not AuditEvent.objects.filter(action="account.profile").exists()


def _notice(user, *, status, days_ago=0, read=False, key="a"):
    now = timezone.now() - datetime.timedelta(days=days_ago)
    return Notification.objects.create(
        recipient=user, kind="review_decision", event_key=f"decision:{key}", message="Bukti fisik diterima",
        recipient_role="uploader", notice_date=now.date(), run_id=uuid.uuid4(), created_at=now,
        email_status=status, read_at=now if read else None)


@pytest.mark.django_db
def test_a_new_address_gets_the_recent_unread_mails_that_never_went_out(client, anggota,
                                                                       django_capture_on_commit_callbacks):
    assert anggota.email == ""
    waiting = _notice(anggota, status=EmailStatus.NO_EMAIL, key="baru")
    failed = _notice(anggota, status=EmailStatus.FAILED, key="gagal")
    old = _notice(anggota, status=EmailStatus.NO_EMAIL, days_ago=30, key="lama")
    read = _notice(anggota, status=EmailStatus.NO_EMAIL, read=True, key="dibaca")
    opted_out = _notice(anggota, status=EmailStatus.OPTED_OUT, key="dimatikan")
    client.force_login(anggota)
    assert "belum memiliki alamat e-mail" in client.get(reverse("profile")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("profile"), _form(anggota, email="anggota@example.go.id", current_password=PASSWORD))

    statuses = dict(Notification.objects.values_list("pk", "email_status"))
    assert statuses[waiting.pk] == statuses[failed.pk] == EmailStatus.SENT
    assert statuses[old.pk] == statuses[read.pk] == EmailStatus.NO_EMAIL
    assert statuses[opted_out.pk] == EmailStatus.OPTED_OUT
    assert [m.to for m in mail.outbox] == [["anggota@example.go.id"]] * 2


@pytest.mark.django_db
def test_the_page_shows_units_and_roles_and_the_email_switches(client, anggota_mail, unit):
    client.force_login(anggota_mail)
    html = client.get(reverse("profile")).content.decode()
    assert unit.name in html and "Anggota Tim ZI" in html
    assert f'action="{reverse("notifications:preferences")}"' in html
    assert 'value="review_decision" id="email-review_decision" checked>' in html
    assert f'href="{reverse("password_change")}"' in html
    assert f'href="{reverse("profile")}"' in html and 'id="nav-profile"' in html     # the navbar's user menu
    assert 'name="username"' not in html                                           # the username stays
    _assert_csp_clean(client, reverse("profile"))


@pytest.mark.django_db
def test_the_page_is_always_ones_own(client, anggota_mail, ketua):
    """There is no id in the address: whoever posts changes their own account, never another one."""
    ketua.email = "ketua@example.go.id"
    ketua.save(update_fields=["email"])
    client.force_login(ketua)
    response = client.post(reverse("profile") + f"?user={anggota_mail.pk}",
                           {**_form(ketua, first_name="Disusupi"), "user": anggota_mail.pk, "id": anggota_mail.pk})
    assert response.status_code == 302
    ketua.refresh_from_db()
    anggota_mail.refresh_from_db()
    assert ketua.first_name == "Disusupi" and anggota_mail.first_name == "Anggota"


@pytest.mark.django_db
def test_anonymous_visitors_go_to_the_login_page(client):
    for url in (reverse("profile"), reverse("password_change")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_a_person_changes_the_password_in_indonesian_and_it_is_audited(client, anggota_mail):
    client.force_login(anggota_mail)
    page = client.get(reverse("password_change")).content.decode()
    assert "Ganti kata sandi" in page and "Sandi lama" in page
    wrong = client.post(reverse("password_change"), {"old_password": "salah", "new_password1": NEW_PASSWORD,
                                                     "new_password2": NEW_PASSWORD})
    assert wrong.status_code == 200 and "Sandi lama Anda" in wrong.content.decode()
    done = client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                                    "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done.url == reverse("password_change_done")
    assert "Kata sandi Anda sudah diganti." in client.get(done.url).content.decode()      # still signed in
    assert get_user_model().objects.get(pk=anggota_mail.pk).check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="account.password_change", actor=anggota_mail).count() == 1
    _assert_csp_clean(client, reverse("password_change"))


@pytest.mark.django_db
def test_the_page_makes_the_same_queries_for_one_unit_and_for_five(client, anggota_mail,
                                                                   django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from actionplan.models import Membership, Role, Unit

    client.force_login(anggota_mail)
    client.get(reverse("profile"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("profile"))
    for n in range(4):
        Membership.objects.create(user=anggota_mail, unit=Unit.objects.create(name=f"Unit {n}"), role=Role.TPI)
    with django_assert_num_queries(len(one)):
        assert client.get(reverse("profile")).content.decode().count("Tim Penilai Internal") >= 4
