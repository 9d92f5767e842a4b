"""The home page answers "what needs me now" for each role in each unit, with counts in the navigation bar, in a
fixed number of queries whatever the size of the plan."""
import pytest
from django.urls import reverse

from actionplan.models import Target

from .home_factories import SENT_BACK_NOTE, home_scenario
from .test_page_queries import grow

# session, user, nav (one statement), the plans table, then each role's panels
QUERIES = {"anggota": 7, "ketua": 8, "kepala": 6, "tpi": 6}


@pytest.fixture
def scenario(plan, anggota, ketua, kepala, tpi):
    return home_scenario(plan, anggota=anggota, ketua=ketua, kepala=kepala)


def _panel(response, name: str) -> str:
    html = response.content.decode()
    start = html.index(f'data-panel="{name}"')
    return html[start:html.index("</section>", start)]


def _count(panel: str) -> int:
    start = panel.index("data-count>") + len("data-count>")
    return int(panel[start:panel.index("<", start)])


def test_anggota_home_shows_overdue_due_soon_and_sent_back_with_the_note(scenario, login, anggota):
    response = login(anggota).get(reverse("home"))
    overdue, soon, sent_back = (_panel(response, n) for n in ("overdue", "soon", "sent_back"))
    # the late target and the sent-back one (its date has passed too), with the other dates of their steps; the
    # one waiting for review is not open
    today = response.context["nav"]["today"]
    expected = Target.objects.filter(step__assignments__user=anggota).overdue(today)
    assert _count(overdue) == expected.count() >= 2
    assert reverse("evidence:target", args=[scenario["sent_back"].pk]) in overdue
    assert reverse("evidence:target", args=[scenario["late"].pk]) in overdue
    assert reverse("evidence:target", args=[scenario["waiting"].pk]) not in overdue
    assert _count(soon) == 1 and reverse("evidence:target", args=[scenario["soon"].pk]) in soon
    assert _count(sent_back) == 1 and SENT_BACK_NOTE in sent_back
    assert reverse("evidence:target", args=[scenario["sent_back"].pk]) in sent_back
    assert 'data-panel="queue"' not in response.content.decode()


def test_ketua_home_shows_queue_overdue_undated_targets_and_this_semesters_report(scenario, plan, login, ketua):
    response = login(ketua).get(reverse("home"))
    queue = _panel(response, "queue")
    assert _count(queue) == 1 and reverse("evidence:review", args=[scenario["queued"].pk]) in queue
    in_plan = Target.objects.filter(step__indicator__subcomponent__component__plan=plan)
    undated = in_plan.filter(due_date__isnull=True)
    # the seed's dates outside 2019 ("Feb-17") wait for the Ketua Tim too, until confirmed
    out_of_year = in_plan.filter(due_date__isnull=False, date_confirmed_at__isnull=True).exclude(year=plan.year)
    assert undated.exists() and out_of_year.exists()
    assert _count(_panel(response, "undated")) == undated.count() + out_of_year.count()
    first_undated = in_plan.needs_date().order_by("step_id", "id").first()
    assert reverse("evidence:target", args=[first_undated.pk]) in _panel(response, "undated")
    assert reverse("actionplan:target_date", args=[first_undated.pk]) in _panel(response, "undated")
    open_late = in_plan.filter(due_date__lt=response.context["nav"]["today"], year=plan.year).exclude(
        evidence_status__in=["accepted", "submitted"])
    assert _count(_panel(response, "unit_overdue")) == open_late.count()
    # the seed plan is of 2019: today's semester has no plan of its own year, and the panel says so
    assert "Tidak ada rencana kerja tahun ini" in _panel(response, "semester_report")
    html = response.content.decode()
    assert 'id="nav-queue"' in html and ">1</span></a>" in html[html.index('id="nav-queue"'):][:400]


def test_ketua_sees_the_report_due_this_semester(plan, login, ketua, kepala, anggota):
    import datetime

    from actionplan.models import Plan

    today = datetime.date(2019, 3, 1)
    home_scenario(plan, anggota=anggota, ketua=ketua, kepala=kepala, today=today)
    from zi_portal.home import home_panels
    from zi_portal.nav import _load

    nav = _load(ketua, today)
    (panel,) = home_panels(ketua, memberships=nav["memberships"], today=today)
    (row,) = panel["semester_reports"]
    assert row["plan"] == Plan.objects.get(pk=plan.pk) and row["semester"] == 1
    assert row["status_label"] == "Diajukan ke Kepala Dinas" and row["version"] == 1
    assert nav["memberships"][0].counts["queue"] == 1


def test_kepala_home_shows_reports_waiting_for_the_signature_and_escalations(scenario, login, kepala):
    response = login(kepala).get(reverse("home"))
    waiting = _panel(response, "awaiting_signature")
    assert _count(waiting) == 1
    assert reverse("monev:report_page", args=[scenario["report"].plan_id, 1]) in waiting
    escalations = _panel(response, "escalations")
    assert _count(escalations) == 1 and reverse("evidence:target", args=[scenario["late"].pk]) in escalations
    assert response.context["nav"]["awaiting_signature"] == 1


def test_tpi_home_shows_the_units_they_assess_with_progress(scenario, plan, login, tpi):
    response = login(tpi).get(reverse("home"))
    assessed = _panel(response, "assessed")
    total = Target.objects.filter(step__indicator__subcomponent__component__plan=plan).count()
    assert f"0 dari {total} target selesai" in assessed
    assert reverse("monev:dashboard", args=[plan.pk]) in assessed


def test_a_person_without_a_unit_sees_the_notice_and_no_panels(login, db, django_user_model):
    user = django_user_model.objects.create_user("tanpa_unit", password="x")
    response = login(user).get(reverse("home"))
    assert response.status_code == 200
    assert "data-panel" not in response.content.decode()


@pytest.mark.parametrize("role", ["anggota", "ketua", "kepala", "tpi"])
def test_home_queries_do_not_grow_with_the_plan(scenario, plan, login, request, django_assert_num_queries, role):
    client = login(request.getfixturevalue(role))
    with django_assert_num_queries(QUERIES[role]):
        small = client.get(reverse("home"))
    assert small.status_code == 200
    grow(plan, 49)  # a plan 50 times the seed plan, the assignments copied with the steps
    with django_assert_num_queries(QUERIES[role]):
        large = client.get(reverse("home"))
    assert large.status_code == 200
    if role == "anggota":  # the copies of the steps are assigned but have no evidence: all of them open
        copies = Target.objects.filter(step__assignments__user=request.getfixturevalue("anggota"),
                                       due_date__lt=small.context["nav"]["today"]).exclude(
            evidence_status__in=["accepted", "submitted"]).count()
        assert _count(_panel(large, "overdue")) == copies > 50


def test_navigation_counts_are_kept_until_an_audited_change_or_a_new_or_read_notice(
        scenario, plan, ketua, kepala, anggota, settings, django_assert_num_queries):
    """The bar's counts are cached per user and day with the head they were counted under (zi_portal.nav._rows):
    while nothing audited happens in the unit they are reused for the price of the head's lookups; an upload, or
    a notice that arrives or is read, shows on the next page."""
    import datetime
    import uuid

    from django.utils import timezone

    from actionplan.services import assignments_set
    from notifications.models import Kind, Notification, RecipientRole
    from zi_portal.nav import _load

    from .factories import submit

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "nav-counts"}}
    today = timezone.localdate()
    with django_assert_num_queries(1):  # nothing cached yet: the one full statement
        assert _load(ketua, today)["queue"] == 1
    # A change made around the audit trail (as a raw UPDATE is) is not seen while the entry holds: the counts
    # really come from the cache, and are not counted again.
    unaudited, uploaded = (Target.objects.filter(step__indicator__subcomponent__component__plan=plan,
                                                 due_date__isnull=False, evidence_status="")
                           .exclude(step=scenario["late"].step).order_by("pk")[:2])
    Target.objects.filter(pk=unaudited.pk).update(evidence_status="submitted")
    with django_assert_num_queries(1):  # the head only
        assert _load(ketua, today)["queue"] == 1
    # An upload is audited in the unit: the head differs, the counts are taken again (both new targets counted).
    assignments_set(step=uploaded.step, users=[anggota], actor=ketua)
    submit(uploaded, anggota)
    with django_assert_num_queries(2):
        assert _load(ketua, today)["queue"] == 3
    assert _load(ketua, today)["queue"] == 3
    # The Kepala Dinas's escalations: a new one shows at once, and so does reading them.
    assert _load(kepala, today)["escalations"] == 1
    late = scenario["late"]
    Notification.objects.create(
        target=uploaded, due_date=uploaded.due_date, recipient=kepala, kind=Kind.ESCALATION,
        recipient_role=RecipientRole.KEPALA, notice_date=today, run_id=uuid.uuid4(),
        created_at=timezone.now() + datetime.timedelta(seconds=1))
    nav = _load(kepala, today)
    assert nav["escalations"] == 2 and nav["unread"] == 2
    Notification.objects.filter(recipient=kepala, target=late).update(read_at=timezone.now())
    nav = _load(kepala, today)
    assert nav["escalations"] == 1 and nav["unread"] == 1
    # Another day is another entry: the dates that fall due are counted for that day.
    assert _load(ketua, today + datetime.timedelta(days=1))["queue"] == 3
