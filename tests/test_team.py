"""Team self-service: the Ketua Tim adds people to the unit (existing accounts, or new ones with a one-time
password-set link), changes their roles and removes them; audited; only the unit's Ketua Tim."""
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from actionplan.models import Assignment, AuditEvent, Membership, Role
from actionplan.services import person_ensure

from .factories import PASSWORD

User = get_user_model()


@pytest.fixture
def stranger(other_unit):
    user, _ = person_ensure(username="sari", full_name="Sari Wulandari", nip="", position="", unit=other_unit,
                            role=Role.ANGGOTA, password=PASSWORD)
    user.email = "sari@example.go.id"
    user.save()
    return user


def _post(client, user, name, arg, data, capture=None):
    client.force_login(user)
    if capture is None:
        return client.post(reverse(name, args=[arg]), data)
    with capture(execute=True):
        return client.post(reverse(name, args=[arg]), data)


def test_team_page_lists_members_with_roles(client, ketua, anggota, kepala, tpi, unit):
    client.force_login(ketua)
    page = client.get(reverse("actionplan:team", args=[unit.pk])).content.decode()
    for person in (ketua, anggota, kepala, tpi):
        assert person.username in page
    assert "Kepala Dinas" in page and "Tim Penilai Internal" in page


@pytest.mark.parametrize("identifier", ["sari", "SARI@example.go.id"])
def test_ketua_adds_an_existing_account_by_username_or_email(client, ketua, unit, stranger, identifier,
                                                             django_capture_on_commit_callbacks):
    response = _post(client, ketua, "actionplan:team_add", unit.pk, {"identifier": identifier, "role": "tpi"},
                     django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Membership.objects.get(user=stranger, unit=unit).role == Role.TPI
    event = AuditEvent.objects.get(action="membership.add")
    assert event.actor == ketua and event.unit == unit and "sari" in event.summary
    assert [m.to for m in mail.outbox] == [["sari@example.go.id"]] and unit.name in mail.outbox[0].body


def test_adding_an_unknown_account_or_a_member_again_is_refused(client, ketua, anggota, unit):
    assert _post(client, ketua, "actionplan:team_add", unit.pk,
                 {"identifier": "tidak-ada", "role": "anggota"}).status_code == 400
    response = _post(client, ketua, "actionplan:team_add", unit.pk, {"identifier": "anggota", "role": "tpi"})
    assert response.status_code == 400 and "sudah menjadi anggota" in response.content.decode()
    assert Membership.objects.get(user=anggota).role == Role.ANGGOTA
    assert not AuditEvent.objects.filter(action="membership.add").exists()


def test_new_account_gets_a_one_time_link_that_sets_the_password_and_logs_in(client, ketua, unit,
                                                                           django_capture_on_commit_callbacks):
    response = _post(client, ketua, "actionplan:team_invite", unit.pk,
                     {"full_name": "Budi Santoso", "username": "budi", "email": "budi@example.go.id",
                      "role": "anggota"}, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    budi = User.objects.get(username="budi")
    assert not budi.has_usable_password() and budi.first_name == "Budi"
    assert Membership.objects.get(user=budi, unit=unit).role == Role.ANGGOTA
    assert AuditEvent.objects.filter(action="membership.invite", actor=ketua).exists()
    (message,) = mail.outbox
    assert message.to == ["budi@example.go.id"] and "budi" in message.body
    (link,) = [line.strip() for line in message.body.splitlines() if "://" in line and "/atur-sandi/" in line]
    path = "/" + link.split("/", 3)[3]

    client.logout()
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    done = client.post(set_url, {"new_password1": "sandi-baru-budi-2026", "new_password2": "sandi-baru-budi-2026"})
    assert done.status_code == 302
    assert client.login(username="budi", password="sandi-baru-budi-2026")
    client.logout()
    assert client.get(path, follow=True).status_code == 400       # the link is used up


def test_new_account_with_a_taken_username_or_email_is_refused(client, ketua, unit, stranger):
    for data in ({"username": "sari", "email": "baru@example.go.id"}, {"username": "baru", "email": stranger.email}):
        response = _post(client, ketua, "actionplan:team_invite", unit.pk,
                         {"full_name": "Orang Baru", "role": "anggota", **data})
        assert response.status_code == 400
    assert not User.objects.filter(username="baru").exists() and not mail.outbox


def test_ketua_changes_a_role_and_it_is_audited(client, ketua, anggota, unit):
    member = Membership.objects.get(user=anggota)
    assert _post(client, ketua, "actionplan:team_role", member.pk, {"role": "ketua"}).status_code == 302
    assert Membership.objects.get(pk=member.pk).role == Role.KETUA
    event = AuditEvent.objects.get(action="membership.role")
    assert event.data == {"user": anggota.pk, "from": "anggota", "to": "ketua"} and event.actor == ketua


def test_the_last_ketua_cannot_be_demoted_or_removed(client, ketua, anggota, unit):
    own = Membership.objects.get(user=ketua)
    _post(client, ketua, "actionplan:team_role", own.pk, {"role": "anggota"})
    _post(client, ketua, "actionplan:team_remove", own.pk, {})
    assert Membership.objects.get(pk=own.pk).role == Role.KETUA
    # with a second Ketua Tim, the first may step down
    Membership.objects.filter(user=anggota).update(role=Role.KETUA)
    _post(client, ketua, "actionplan:team_role", own.pk, {"role": "anggota"})
    assert Membership.objects.get(pk=own.pk).role == Role.ANGGOTA


def test_removing_a_member_releases_their_steps_and_is_audited(client, ketua, anggota, unit, assigned_target):
    member = Membership.objects.get(user=anggota)
    assert Assignment.objects.filter(user=anggota).exists()
    assert _post(client, ketua, "actionplan:team_remove", member.pk, {}).status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()
    assert not Assignment.objects.filter(user=anggota).exists()
    assert User.objects.filter(pk=anggota.pk).exists()
    event = AuditEvent.objects.get(action="membership.remove")
    assert event.data["steps"] == [assigned_target.step_id] and event.actor == ketua


@pytest.mark.parametrize("role", ["anggota", "kepala", "tpi"])
def test_only_the_ketua_manages_the_team(client, request, role, unit, ketua, anggota, stranger):
    person = request.getfixturevalue(role)
    member = Membership.objects.get(user=anggota)
    client.force_login(person)
    assert client.get(reverse("actionplan:team", args=[unit.pk])).status_code == 403
    assert client.post(reverse("actionplan:team_add", args=[unit.pk]),
                       {"identifier": "sari", "role": "ketua"}).status_code == 403
    assert client.post(reverse("actionplan:team_role", args=[member.pk]), {"role": "ketua"}).status_code == 403
    assert client.post(reverse("actionplan:team_remove", args=[member.pk])).status_code == 403
    assert not Membership.objects.filter(user=stranger, unit=unit).exists()
    assert Membership.objects.get(pk=member.pk).role == Role.ANGGOTA


def test_a_ketua_of_another_unit_gets_404(client, unit, anggota, outsider):
    Membership.objects.filter(user=outsider).update(role=Role.KETUA)
    member = Membership.objects.get(user=anggota)
    client.force_login(outsider)
    assert client.get(reverse("actionplan:team", args=[unit.pk])).status_code == 404
    assert client.post(reverse("actionplan:team_remove", args=[member.pk])).status_code == 404
    assert Membership.objects.filter(pk=member.pk).exists()



def test_team_page_makes_the_same_queries_for_four_people_and_for_forty(client, ketua, anggota, kepala, tpi, unit,
                                                                       django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(ketua)
    url = reverse("actionplan:team", args=[unit.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(36):
        person_ensure(username=f"staf{i}", full_name=f"Staf {i}", nip="", position="", unit=unit,
                      role=Role.ANGGOTA, password=PASSWORD)
    with django_assert_num_queries(len(few)):
        assert client.get(url).status_code == 200
