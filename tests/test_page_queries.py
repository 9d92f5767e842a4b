"""The pages whose cost grows with the plan run the same, pinned number of queries on the seed plan (72 indicators,
125 targets) and on a plan 17 times larger (1,224 indicators, 2,125 targets, one Anggota responsible for 527
steps), so a query that grows with the plan fails here. Times are measured by benchmarks/pages.py, never here."""
import datetime
import re

import pytest
from django.urls import reverse

from actionplan.models import ActionStep, Assignment, Indicator, Plan, Target
from actionplan.services import assignments_set
from evidence.models import Revision, RevisionStatus
from monev import services

from .factories import EARLY_2019, backdate_evidence, submit

AS_OF = datetime.date(2019, 7, 1)
# Each count includes the framework's own: the session and the user (2), then the page's.
QUERIES = {
    "plan": 10,            # plan, membership, components with step counts, steps, targets, people, nav, LKE links
    "plan_everything": 10,
    # … plan, nav, components, sub-components, target rows, people, listed texts, queue; the LKE score card (2) and
    # the priority targets with the Pakta/LHKPN figures (2); the progress over time (1)
    "dashboard_cold": 15,
    "dashboard_cached": 4,  # session, user, plan with membership and version (one statement), nav (one statement)
    "status_xlsx": 7,       # … plan with membership, unit name, targets, people, revisions, files
    "my_tasks": 4,          # … the tasks (one query), nav
    # lock, the figures (six), people, the four queries of status_rows, save, audit, …, the LKE section and the
    # programme section (five together)
    "report_submit": 25,
}


def grow(plan: Plan, factor: int) -> None:
    """Copy every step `factor` times under a new indicator, with its targets and people, in bulk."""
    steps = list(ActionStep.objects.filter(indicator__subcomponent__component__plan=plan)
                 .select_related("indicator").prefetch_related("targets", "assignments"))
    for _ in range(factor):
        indicators = Indicator.objects.bulk_create([Indicator(subcomponent_id=s.indicator.subcomponent_id, order=50,
                                                              text=s.indicator.text) for s in steps])
        copies = ActionStep.objects.bulk_create([ActionStep(indicator=i, description=s.description,
                                                            target_text=s.target_text)
                                                 for i, s in zip(indicators, steps, strict=True)])
        Target.objects.bulk_create([Target.for_date(c, t.due_date) for c, s in zip(copies, steps, strict=True)
                                    for t in s.targets.all()], batch_size=500)
        Assignment.objects.bulk_create([Assignment(step=c, user_id=a.user_id)
                                        for c, s in zip(copies, steps, strict=True) for a in s.assignments.all()],
                                       batch_size=500)


@pytest.fixture
def busy_plan(plan, anggota, ketua):
    """The seed plan with components I–III assigned to `anggota`, one upload with its file and review, and a third
    of the other dated targets accepted or waiting for review (bulk revisions, as the evidence services leave
    them)."""
    for step in ActionStep.objects.filter(indicator__subcomponent__component__plan=plan,
                                          indicator__subcomponent__component__code__in=["I", "II", "III"]):
        assignments_set(step=step, users=[anggota], actor=ketua)
    first = Target.objects.filter(step__assignments__user=anggota, due_date__isnull=False).order_by("due_date").first()
    submit(first, anggota)
    backdate_evidence(plan)
    return plan


def add_revisions(plan, user):
    targets = Target.objects.filter(step__indicator__subcomponent__component__plan=plan, due_date__isnull=False,
                                    revisions__isnull=True).order_by("pk")
    revisions = [Revision(target=t, number=1, submitted_by=user, description="x",
                          document_date=datetime.date(2019, 1, 1), submitted_at=EARLY_2019,
                          status_changed_at=EARLY_2019,
                          status=RevisionStatus.ACCEPTED if i % 6 < 2 else RevisionStatus.SUBMITTED)
                 for i, t in enumerate(targets) if i % 6 < 3]
    Revision.objects.bulk_create(revisions, batch_size=500)
    for status in (RevisionStatus.ACCEPTED, RevisionStatus.SUBMITTED):
        Target.objects.filter(revisions__status=status).update(evidence_status=status)


def both_sizes(plan, user, django_assert_num_queries, expected, request_page):
    add_revisions(plan, user)
    with django_assert_num_queries(expected):
        request_page()
    grow(plan, 16)
    add_revisions(plan, user)
    assert Indicator.objects.filter(subcomponent__component__plan=plan).count() == 17 * 72
    with django_assert_num_queries(expected):
        return request_page()


def get_ok(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response


@pytest.mark.parametrize("page, query", [("plan", ""), ("plan_everything", "?halaman=semua"),
                                         ("plan", "?q=tim&status=terlambat"),
                                         ("plan", "?status=perlu_ditinjau&q=a&halaman=2"),
                                         ("plan_everything", "?status=menunggu_review&halaman=semua")])
def test_plan_page_queries_do_not_grow_with_the_plan(busy_plan, login, ketua, anggota, django_assert_num_queries,
                                                     page, query):
    client = login(ketua)
    url = reverse("actionplan:plan_detail", args=[busy_plan.pk]) + query
    response = both_sizes(busy_plan, anggota, django_assert_num_queries, QUERIES[page], lambda: get_ok(client, url))
    if "q=" in query or "status=" in query:     # the filters keep some of the steps, with the same queries
        assert 0 < response.context["step_total"] < 17 * 72
    else:
        assert response.context["step_total"] == 17 * 72


def test_dashboard_queries_do_not_grow_with_the_plan_cold_or_cached(busy_plan, login, ketua, anggota, settings,
                                                                     django_assert_num_queries):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "page-queries"}}
    from django.core.cache import cache

    client = login(ketua)
    url = reverse("monev:dashboard", args=[busy_plan.pk]) + f"?per={AS_OF}"

    def cold_then_cached():
        cache.clear()
        with django_assert_num_queries(QUERIES["dashboard_cold"]):
            get_ok(client, url)
        with django_assert_num_queries(QUERIES["dashboard_cached"]):
            return get_ok(client, url)

    add_revisions(busy_plan, anggota)
    cold_then_cached()
    grow(busy_plan, 16)
    add_revisions(busy_plan, anggota)
    assert re.search(rb"/2\.?125 target", cold_then_cached().content)  # every target of the large plan counted


def test_status_export_queries_do_not_grow_with_the_plan(busy_plan, login, ketua, anggota, django_assert_num_queries):
    import io

    import openpyxl

    client = login(ketua)
    url = reverse("monev:status_export", args=[busy_plan.pk]) + f"?per={AS_OF}"
    response = both_sizes(busy_plan, anggota, django_assert_num_queries, QUERIES["status_xlsx"],
                          lambda: get_ok(client, url))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row - 3 == Target.objects.filter(step__indicator__subcomponent__component__plan=busy_plan).count()


def test_my_tasks_queries_do_not_grow_with_the_plan(busy_plan, login, anggota, django_assert_num_queries):
    client = login(anggota)
    response = both_sizes(busy_plan, anggota, django_assert_num_queries, QUERIES["my_tasks"],
                          lambda: get_ok(client, reverse("evidence:my_tasks")))
    steps = Assignment.objects.filter(user=anggota).count()
    assert response.context["open_count"] + response.context["done_count"] == steps == 17 * 31


@pytest.mark.parametrize("query", ["?status=terlambat&komponen=II", "?q=tim&halaman=2", "?selesai=1&q=a&komponen=I"])
def test_filtered_my_tasks_queries_do_not_grow_with_the_plan(busy_plan, login, anggota, django_assert_num_queries,
                                                             query):
    client = login(anggota)
    response = both_sizes(busy_plan, anggota, django_assert_num_queries, QUERIES["my_tasks"],
                          lambda: get_ok(client, reverse("evidence:my_tasks") + query))
    assert response.context["rows"]


def test_report_snapshot_queries_do_not_grow_with_the_plan(busy_plan, ketua, anggota, django_assert_num_queries):
    from django.db import transaction

    membership = ketua.memberships.get()
    report = services.report_start(plan=busy_plan, semester=1, user=ketua, membership=membership)
    report.conclusions = "Simpulan."
    report.save(update_fields=["conclusions"])

    class Undo(Exception):
        pass

    def submit_and_undo():
        try:
            with transaction.atomic():
                submitted = services.report_submit(report=report, user=ketua, membership=membership, today=AS_OF)
                rows = sum(len(c["rows"]) for c in submitted.snapshot["components"])
                raise Undo(rows)
        except Undo as undo:
            return undo.args[0]

    rows = both_sizes(busy_plan, anggota, django_assert_num_queries, QUERIES["report_submit"], submit_and_undo)
    assert rows == Target.objects.filter(step__indicator__subcomponent__component__plan=busy_plan,
                                         semester=1).count()
