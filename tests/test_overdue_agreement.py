"""Late, due soon and needs a date follow one rule on every page, count and reminder (actionplan.models): a date
outside the plan year that no person confirmed is a probable typo, so it is not late, not due soon and not reminded
of anywhere, and it waits for the Ketua Tim as "needs a date"; once the Ketua Tim confirms it, it counts everywhere.
"""
import datetime

import pytest

from actionplan.models import Membership, Plan, Target
from actionplan.selectors import plans_for_user, target_status_q
from actionplan.services import assignments_set, target_due_date_set
from evidence.selectors import my_tasks_page
from evidence.statuses import LATE, REVIEW_NEEDED, targets_with_status
from lke.insights import plan_figures
from notifications.models import Notification
from notifications.reminders import reminders_sweep
from zi_portal.home import home_panels
from zi_portal.nav import _load

from .home_factories import dated_targets


def _everything(plan, target, *, anggota, ketua, today) -> dict:
    """What each place says about `target` on `today`."""
    nav_anggota, nav_ketua = _load(anggota, today), _load(ketua, today)
    (mine,) = home_panels(anggota, memberships=nav_anggota["memberships"], today=today)
    (unit,) = home_panels(ketua, memberships=nav_ketua["memberships"], today=today)
    tasks = my_tasks_page(anggota, today=today)
    (task,) = [row for row in tasks["rows"] if row["next"] and row["next"]["history_url"].endswith(f"/{target.pk}/")]
    sweep = reminders_sweep(today=today)
    reminded = Notification.objects.filter(target=target).exists()
    Notification.objects.all().delete()  # the next look sweeps afresh
    return {
        "nav": {key: nav_anggota[key] for key in ("overdue", "soon")}
        | {key: nav_ketua[key] for key in ("unit_overdue", "undated")},
        "home_overdue": any(r["pk"] == target.pk for r in mine["overdue"] + unit["unit_overdue"]),
        "home_soon": any(r["pk"] == target.pk for r in mine["soon"]),
        "home_needs_date": any(r["pk"] == target.pk for r in unit["undated"]),
        "dashboard": targets_with_status(as_of=today, plans=[plan.pk]).get(pk=target.pk).status,
        "plan_filter_late": Target.objects.filter(target_status_q("terlambat", today=today), pk=target.pk).exists(),
        "task_late": bool(task["next"]["late"]), "task_unconfirmed": bool(task["next"]["unconfirmed"]),
        "plans_review_count": plans_for_user(ketua).get(pk=plan.pk).review_count,
        "lke_due": plan_figures(plan, plan.year)["due"],
        "reminded": reminded, "swept": sweep.total,
    }


@pytest.fixture
def suspect(plan, anggota, ketua):
    """A target of the 2019 plan, assigned to the Anggota, whose date was written in another year."""
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.ACTIVE)
    (target,) = dated_targets(plan, 1)
    assignments_set(step=target.step, users=[anggota], actor=ketua)

    def dated(day: datetime.date) -> Target:
        Target.objects.filter(pk=target.pk).update(due_date=day, year=day.year, semester=1 if day.month <= 6 else 2,
                                                   date_confirmed_at=None, date_confirmed_by=None)
        return Target.objects.get(pk=target.pk)
    return dated


def _confirm(target, ketua):
    target_due_date_set(target=target, user=ketua, membership=Membership.objects.get(user=ketua),
                        due_date=target.due_date, reason="Tanggal sesuai SK Kepala Dinas, bukan salah ketik.")


def test_a_past_date_outside_the_plan_year_is_late_nowhere_until_the_ketua_confirms_it(plan, suspect, anggota, ketua):
    today = datetime.date(2019, 1, 3)
    target = suspect(datetime.date(2018, 12, 31))  # three days "late" if the typo were believed
    before = _everything(plan, target, anggota=anggota, ketua=ketua, today=today)
    assert (before["home_overdue"], before["plan_filter_late"], before["task_late"], before["reminded"]) == (
        False, False, False, False)
    assert before["dashboard"] == REVIEW_NEEDED and before["task_unconfirmed"] and before["home_needs_date"]

    _confirm(target, ketua)
    after = _everything(plan, target, anggota=anggota, ketua=ketua, today=today)
    assert (after["home_overdue"], after["plan_filter_late"], after["task_late"], after["reminded"]) == (
        True, True, True, True)
    assert after["dashboard"] == LATE and not after["task_unconfirmed"] and not after["home_needs_date"]
    # the navigation bar's counts move by exactly this target
    assert after["nav"]["overdue"] == before["nav"]["overdue"] + 1
    assert after["nav"]["unit_overdue"] == before["nav"]["unit_overdue"] + 1
    assert after["nav"]["undated"] == before["nav"]["undated"] - 1
    assert after["plans_review_count"] == before["plans_review_count"] - 1
    # the LKE suggestion counts the confirmed date among the targets due by the end of the plan year
    assert after["lke_due"] == before["lke_due"] + 1


def test_a_coming_date_outside_the_plan_year_is_not_due_soon_or_reminded_until_confirmed(plan, suspect, anggota,
                                                                                         ketua):
    today = datetime.date(2019, 12, 30)
    target = suspect(datetime.date(2020, 1, 3))  # due in four days if believed: the H-7 reminder would be sent
    before = _everything(plan, target, anggota=anggota, ketua=ketua, today=today)
    assert (before["home_soon"], before["reminded"], before["home_needs_date"]) == (False, False, True)

    _confirm(target, ketua)
    after = _everything(plan, target, anggota=anggota, ketua=ketua, today=today)
    assert (after["home_soon"], after["reminded"], after["home_needs_date"]) == (True, True, False)
    assert after["nav"]["soon"] == before["nav"]["soon"] + 1
    assert after["dashboard"] != REVIEW_NEEDED


def test_the_navigation_counts_equal_the_home_lists_and_the_model_rule_on_the_seed_plan(plan, anggota, ketua):
    """On the seed plan (which has dates outside 2019 and undated targets) every count the bar shows is the
    rule's count, on a day when many targets are late."""
    today = datetime.date(2019, 10, 1)
    for target in dated_targets(plan, 40):
        assignments_set(step=target.step, users=[anggota], actor=ketua)
    in_plan = Target.objects.filter(step__indicator__subcomponent__component__plan=plan)
    mine = in_plan.filter(step__assignments__user=anggota)
    nav_anggota, nav_ketua = _load(anggota, today), _load(ketua, today)
    assert nav_anggota["overdue"] == mine.overdue(today).count() > 0
    assert nav_anggota["soon"] == mine.due_soon(today).count()
    assert nav_ketua["unit_overdue"] == in_plan.overdue(today).count() > nav_anggota["overdue"]
    assert nav_ketua["undated"] == in_plan.needs_date().count() > in_plan.filter(due_date__isnull=True).count()
    assert nav_ketua["unit_overdue"] == targets_with_status(as_of=today, plans=[plan.pk]).filter(status=LATE).count()
    assert plans_for_user(ketua).get(pk=plan.pk).review_count == nav_ketua["undated"]
