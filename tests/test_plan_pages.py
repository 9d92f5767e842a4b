import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionplan.models import ActionStep, Indicator, Plan, Profile, Target, validate_nip


def plan_url(plan, **query):
    url = reverse("actionplan:plan_detail", args=[plan.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_healthz_answers_ok_after_database_check(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_anonymous_user_is_sent_to_login(client, plan):
    response = client.get(plan_url(plan))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("person", ["anggota", "ketua", "kepala", "tpi"])
def test_every_member_of_the_unit_reads_the_plan(request, login, plan, person):
    response = login(request.getfixturevalue(person)).get(plan_url(plan))
    assert response.status_code == 200
    body = response.content.decode()
    for heading in ["MANAJEMEN PERUBAHAN", "PENATAAN TATALAKSANA", "PENATAAN SISTEM MANAJEMEN SDM",
                    "PENGUATAN AKUNTABILITAS", "PENGUATAN PENGAWASAN", "PENINGKATAN KUALITAS PELAYANAN PUBLIK"]:
        assert heading in body


def test_member_of_another_unit_gets_404(login, plan, outsider):
    assert login(outsider).get(plan_url(plan)).status_code == 404


def test_home_lists_only_the_users_own_plans(login, plan, outsider, ketua):
    assert plan.title in login(ketua).get(reverse("home")).content.decode()
    assert plan.title not in login(outsider).get(reverse("home")).content.decode()


def test_plan_page_shows_due_dates_in_indonesian_and_marks_review(login, plan, ketua):
    body = login(ketua).get(plan_url(plan)).content.decode()
    assert "28 Februari 2019" in body            # "Pebruari 2019" → last day of the month
    assert 'datetime="2019-01-02"' in body        # "02 Januari 2019" → exact date
    assert "Dokumen Petunjuk direvisi apabila ada perubahan kebijakan" in body
    assert "target-review" in body                # the event-only target is flagged for a person


def test_filter_by_component_shows_only_that_component(login, plan, ketua):
    body = login(ketua).get(plan_url(plan, komponen="V")).content.decode()
    assert 'id="komponen-V"' in body
    assert 'id="komponen-I"' not in body
    assert "Whistle Blowing System" in body
    assert "Tim Kerja" not in body.split('id="komponen-V"')[1]


def test_unknown_component_filter_shows_everything(login, plan, ketua):
    body = login(ketua).get(plan_url(plan, komponen="XX")).content.decode()
    assert body.count('id="komponen-') == 6


def _grow(plan, factor):
    """Copy every indicator's step `factor` times, with its targets, to make a bigger plan."""
    steps = list(ActionStep.objects.filter(indicator__subcomponent__component__plan=plan).prefetch_related("targets"))
    for _ in range(factor):
        new_inds = Indicator.objects.bulk_create(
            [Indicator(subcomponent_id=s.indicator.subcomponent_id, order=99, text="Tambahan " + s.description[:20])
             for s in steps])
        new_steps = ActionStep.objects.bulk_create(
            [ActionStep(indicator=i, description=s.description, target_text=s.target_text)
             for i, s in zip(new_inds, steps)])
        Target.objects.bulk_create([Target.for_date(ns, t.due_date) for ns, s in zip(new_steps, steps)
                                    for t in s.targets.all()])


def test_plan_page_query_count_does_not_grow_with_the_plan(login, plan, ketua):
    client = login(ketua)
    with CaptureQueriesContext(connection) as small:
        assert client.get(plan_url(plan, halaman="semua")).status_code == 200
    _grow(plan, 5)
    with CaptureQueriesContext(connection) as large:
        response = client.get(plan_url(plan, halaman="semua"))  # the whole plan on one page
    assert response.content.decode().count("Tambahan") >= 5 * 72
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(small.captured_queries) <= 14


@pytest.mark.parametrize("nip", ["196607101992031007", "196508191992031010"])
def test_valid_nip_is_accepted(nip):
    validate_nip(nip)


@pytest.mark.parametrize("nip, why", [
    ("19660710199203100", "17 digits"),
    ("1966071019920310070", "19 digits"),
    ("19660710199203100A", "letter"),
    ("196613101992031007", "month 13 in birth date"),
    ("196607101992131007", "month 13 in appointment"),
    ("196607101992033007", "sex digit 3"),
])
def test_invalid_nip_is_refused_with_indonesian_message(nip, why):
    with pytest.raises(ValidationError) as exc:
        validate_nip(nip)
    assert "NIP" in str(exc.value)


def test_nip_written_with_spaces_is_normalised(db, django_user_model):
    user = django_user_model.objects.create_user("x")
    profile = Profile(user=user, nip="19660710 199203 1 007")
    profile.full_clean()
    assert profile.nip == "196607101992031007"
    assert profile.nip_display == "19660710 199203 1 007"


def test_target_period_follows_its_date(plan):
    step = ActionStep.objects.filter(indicator__subcomponent__component__plan=plan).first()
    assert Target.for_date(step, datetime.date(2019, 6, 30)).semester == 1
    assert Target.for_date(step, datetime.date(2019, 7, 1)).semester == 2
    assert Target.for_date(step, None).needs_review


def test_seed_demo_builds_the_demo_and_is_idempotent(db, settings, client):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    assert Plan.objects.count() == 1
    plan = Plan.objects.get()
    assert plan.components.count() == 6
    assert Indicator.objects.filter(subcomponent__component__plan=plan).count() == 72
    for username in ["anggota1", "anggota2", "ketua", "kepala", "tpi"]:
        assert client.login(username=username, password=settings.DEMO_PASSWORD)
    assert client.get(plan_url(plan)).status_code == 200


def test_seed_demo_refuses_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert Plan.objects.count() == 0


def test_seed_demo_assigns_components_i_to_iii_to_anggota1_and_iv_to_vi_to_anggota2(db, settings):
    from actionplan.models import Assignment

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    owners = {}
    for a in Assignment.objects.select_related("user", "step__indicator__subcomponent__component"):
        owners.setdefault(a.step.indicator.subcomponent.component.code, set()).add(a.user.username)
    assert owners == {"I": {"anggota1"}, "II": {"anggota1"}, "III": {"anggota1"},
                      "IV": {"anggota2"}, "V": {"anggota2"}, "VI": {"anggota2"}}
    assert Assignment.objects.count() == 72
