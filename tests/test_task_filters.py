"""Tugas saya and the plan page as a person works from them (issue 14): the most urgent task on top and flagged in
words, the reviewer's note in the row, finished steps apart, the unit named once; the same status, component and
text filters on both pages, kept across their pages."""
import datetime
import re

import pytest
from django.urls import reverse

from actionplan.models import ActionStep, Membership, Target
from actionplan.services import assignments_set
from evidence.selectors import my_tasks_page
from evidence.services import revision_review

from .factories import submit

TODAY = datetime.date(2019, 5, 1)
NOTE = "Lampirkan SK yang sudah bertanda tangan"


def _steps(plan, code=None):
    qs = ActionStep.objects.filter(indicator__subcomponent__component__plan=plan)
    if code:
        qs = qs.filter(indicator__subcomponent__component__code=code)
    return list(qs.order_by("indicator__subcomponent__component__order", "indicator__subcomponent__number",
                            "indicator__order", "order"))


def _assign(steps, anggota, ketua):
    for step in steps:
        assignments_set(step=step, users=[anggota], actor=ketua)


def _send_back(target, anggota, ketua, note=NOTE):
    revision = submit(target, anggota)
    revision_review(revision=revision, user=ketua, membership=Membership.objects.get(user=ketua),
                    decision="revise", note=note)


def _accept(target, anggota, ketua):
    revision = submit(target, anggota)
    revision_review(revision=revision, user=ketua, membership=Membership.objects.get(user=ketua),
                    decision="accept", note="Lengkap")


@pytest.fixture
def component_one(plan, anggota, ketua):
    """Anggota answers for the seven steps of component I (due January to December 2019)."""
    steps = _steps(plan, "I")
    _assign(steps, anggota, ketua)
    return steps


def _next_dates(data):
    return [r["next"]["due"] for r in data["rows"]]


def test_overdue_first_then_sent_back_then_by_date(component_one, anggota, ketua):
    later = Target.objects.get(step=component_one[5])            # 31 Oktober 2019: not due on 1 Mei
    _send_back(later, anggota, ketua)
    data = my_tasks_page(anggota, today=TODAY)
    dues = _next_dates(data)
    overdue = [d for d in dues if d < TODAY]
    assert dues[:len(overdue)] == sorted(overdue)                 # every overdue task first, oldest first
    assert dues[len(overdue)] == later.due_date                   # then the one sent back, though due late
    rest = dues[len(overdue) + 1:]
    assert rest == sorted(rest) and all(d >= TODAY for d in rest)
    assert data["rows"][0]["next"]["late"] and "Terlambat" in data["rows"][0]["next"]["late"]
    assert not data["rows"][len(overdue)]["next"]["late"]


def test_overdue_rows_carry_a_badge_in_words_and_the_note_is_in_the_row(client, login, component_one, anggota,
                                                                        ketua):
    _send_back(Target.objects.get(step=component_one[0]), anggota, ketua)
    page = login(anggota).get(reverse("evidence:my_tasks")).content.decode()
    table = page[page.index('id="my-tasks"'):]
    assert re.search(r'class="badge text-bg-danger overdue-badge">⚠ Terlambat \d+ hari<', table)
    assert f"Catatan reviewer:</strong> «{NOTE}»" in table


def test_unit_and_year_head_the_page_once_not_every_row(client, login, plan, component_one, anggota):
    page = login(anggota).get(reverse("evidence:my_tasks")).content.decode()
    assert f'id="tasks-plan">{plan.unit.name} {plan.year}<' in page
    table = page[page.index('id="my-tasks"'):page.index("</table>")]
    assert plan.unit.name not in table
    assert table.count("<tr") == len(component_one) + 1


def test_finished_steps_are_listed_apart(client, login, component_one, anggota, ketua):
    done_step = component_one[0]
    for target in done_step.targets.all():
        _accept(target, anggota, ketua)
    data = my_tasks_page(anggota, today=TODAY)
    assert data["done_count"] == 1 and data["open_count"] == len(component_one) - 1
    done = my_tasks_page(anggota, today=TODAY, done=True)
    assert [r["next"] for r in done["rows"]] == [None] and done["rows"][0]["note"] == "Lengkap"
    page = login(anggota).get(reverse("evidence:my_tasks")).content.decode()
    assert reverse("evidence:target", args=[done_step.targets.get().pk]) not in page


def test_tasks_filter_by_status_component_and_text(plan, anggota, ketua):
    steps = _steps(plan)
    _assign(steps, anggota, ketua)
    sent_back = Target.objects.get(step=_steps(plan, "II")[0])
    _send_back(sent_back, anggota, ketua)
    everything = my_tasks_page(anggota, today=TODAY)
    assert everything["open_count"] == len(steps)
    only_two = my_tasks_page(anggota, today=TODAY, component="II")
    assert only_two["open_count"] == len(_steps(plan, "II"))
    assert all(r["sub"].startswith("II.") for r in only_two["rows"])
    found = my_tasks_page(anggota, today=TODAY, search="agen perubahan")
    assert found["open_count"] >= 1
    assert all("agen perubahan" in (s.description + s.indicator.text + s.evidence_required).lower()
               for s in ActionStep.objects.filter(targets__pk__in=[
                   int(r["next"]["history_url"].rstrip("/").split("/")[-1]) for r in found["rows"]]))
    revise = my_tasks_page(anggota, today=TODAY, status="perlu_perbaikan")
    late = my_tasks_page(anggota, today=TODAY, status="terlambat")
    assert all(r["next"]["late"] for r in late["rows"]) and late["open_count"] >= 1
    assert sent_back.due_date >= TODAY                            # sent back, not yet due
    assert [r["next"]["history_url"] for r in revise["rows"]] == [
            reverse("evidence:target", args=[sent_back.pk])]
    assert my_tasks_page(anggota, today=TODAY, status="bukan-status")["open_count"] == len(steps)
    assert my_tasks_page(anggota, today=TODAY, search="tidak ada teks seperti ini")["rows"] == []


def test_unconfirmed_out_of_year_task_is_perlu_ditinjau_not_overdue(plan, anggota, ketua):
    typo = Target.objects.get(step__indicator__subcomponent__component__plan=plan, due_date=datetime.date(2017, 2, 28))
    _assign([typo.step], anggota, ketua)
    row = next(r for r in my_tasks_page(anggota, today=TODAY)["rows"] if r["next"]["due"] == typo.due_date)
    assert not row["next"]["late"] and row["next"]["unconfirmed"]
    assert my_tasks_page(anggota, today=TODAY, status="perlu_ditinjau")["open_count"] >= 1


def test_pager_and_tabs_keep_the_filters(client, login, plan, anggota, ketua):
    _assign(_steps(plan), anggota, ketua)                       # 72 steps, all overdue today: two pages
    page = login(anggota).get(reverse("evidence:my_tasks") + "?status=terlambat&q=a").content.decode()
    assert 'href="?status=terlambat&amp;q=a&amp;halaman=2"' in page
    assert 'href="?selesai=1&amp;status=terlambat&amp;q=a"' in page
    assert 'value="terlambat" selected' in page and 'name="q" id="filter-q" maxlength="100" value="a"' in page


def test_plan_page_search_and_status_filters_follow_the_tasks(client, login, plan, ketua):
    url = reverse("actionplan:plan_detail", args=[plan.pk])
    client = login(ketua)
    response = client.get(url, {"q": "agen perubahan"})
    rows = [r for s in response.context["sections"] for g in s["groups"] for r in g["rows"]]
    assert rows and all("agen perubahan" in (r["description"] + r["indicator_text"] + r["evidence_required"]).lower()
                        for r in rows)
    assert response.context["step_total"] == len(rows)
    assert sum(c.step_count for c in response.context["components"]) == len(rows)
    review = client.get(url, {"status": "perlu_ditinjau", "halaman": "semua"}).context
    review_steps = {r["pk"] for s in review["sections"] for g in s["groups"] for r in g["rows"]}
    expected = set(Target.objects.filter(step__indicator__subcomponent__component__plan=plan)
                   .filter(due_date__isnull=True).values_list("step_id", flat=True)) | set(
        Target.objects.filter(step__indicator__subcomponent__component__plan=plan).exclude(year=plan.year)
        .exclude(due_date__isnull=True).values_list("step_id", flat=True))
    assert review_steps == expected and expected
    page = client.get(url, {"q": "tim", "status": "terlambat"}).content.decode()
    assert 'href="?komponen=I&amp;status=terlambat&amp;q=tim"' in page
    none = client.get(url, {"q": "tidak ada teks seperti ini"}).content.decode()
    assert 'id="no-match"' in none
