"""Reads that pages need. Each access helper answers 404 for objects outside the user's units."""
from html import escape

from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.http import Http404
from django.utils.safestring import mark_safe

from .models import (
    ActionStep,
    Assignment,
    AuditEvent,
    Membership,
    Plan,
    Role,
    Target,
    counts_on_its_date_q,
    needs_date_q,
    open_q,
    overdue_q,
    suspect_date_q,
)


def membership_for(user, unit_id) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, unit_id=unit_id).select_related("unit").first()


def plans_for_user(user):
    """Plans of every unit the user belongs to, with the user's role there and the count of targets to review."""
    return (
        Plan.objects.filter(unit__memberships__user=user)
        .select_related("unit")
        .annotate(
            role=Subquery(Membership.objects.filter(user=user, unit=OuterRef("unit")).values("role")[:1]),
            target_count=Count("components__subcomponents__indicators__steps__targets", distinct=True),
            # Targets needing a date: none could be read, or one outside the plan year nobody confirmed.
            review_count=Count(
                "components__subcomponents__indicators__steps__targets",
                filter=needs_date_q("components__subcomponents__indicators__steps__targets__", plan_year=F("year")),
                distinct=True,
            ),
        )
        .order_by("-year", "unit__name")
    )


def get_plan_for_user(user, plan_id) -> tuple[Plan, Membership]:
    """The plan and the user's membership in its unit; 404 when the user is not a member of that unit."""
    plan = Plan.objects.select_related("unit").filter(pk=plan_id).first()
    membership = membership_for(user, plan.unit_id) if plan else None
    if plan is None or membership is None:
        raise Http404("Rencana kerja tidak ditemukan.")
    return plan, membership


def get_step_for_user(user, step_id) -> tuple[ActionStep, Membership]:
    step = (ActionStep.objects.select_related("indicator__subcomponent__component__plan__unit")
            .filter(pk=step_id).first())
    membership = membership_for(user, step.indicator.subcomponent.component.plan.unit_id) if step else None
    if membership is None:
        raise Http404("Langkah aksi tidak ditemukan.")
    return step, membership


def get_target_for_user(user, target_id) -> tuple[Target, Membership]:
    """The target with its step, plan and unit, and the user's membership there; 404 outside the user's units."""
    target = (Target.objects.select_related("step__indicator__subcomponent__component__plan__unit",
                                            "date_confirmed_by")
              .filter(pk=target_id).first())
    membership = membership_for(user, target.step.indicator.subcomponent.component.plan.unit_id) if target else None
    if membership is None:
        raise Http404("Target tidak ditemukan.")
    return target, membership


def unit_version(unit_id: int) -> int:
    """A number that grows with every audited change in the unit (evidence, reviews, assignments, imports): part
    of the cache keys of the pages that read across the unit (the LKE page; the dashboard reads it in its own
    statement)."""
    return AuditEvent.objects.filter(unit_id=unit_id).aggregate(v=Max("id"))["v"] or 0


def target_date_history(target: Target) -> list[AuditEvent]:
    """The audited changes and confirmations of the target's due date, newest first."""
    return list(AuditEvent.objects.filter(object_type="actionplan.target", object_id=str(target.pk),
                                          action__in=["target.due_date_set", "target.due_date_confirm"])
                .select_related("actor").order_by("-at", "-id"))


def assignable_people(unit_id):
    """Members of the unit who can be responsible for an action step (Anggota Tim and Ketua Tim)."""
    from django.contrib.auth import get_user_model

    return (get_user_model().objects.filter(memberships__unit_id=unit_id,
                                            memberships__role__in=[Role.ANGGOTA, Role.KETUA])
            .order_by("first_name", "username"))


# The status filter of "Tugas saya" and of the plan page: the statuses of the dashboard (monev.selectors), decided
# from the target row alone (its date, the latest evidence status the evidence services keep on it, whether a date
# outside the plan year was confirmed). Codes as the dashboard's, so one word means one thing across the portal.
STATUS_FILTERS = [("terlambat", "Terlambat"), ("perlu_perbaikan", "Perlu perbaikan"),
                  ("menunggu_review", "Menunggu review"), ("belum_jatuh_tempo", "Belum jatuh tempo"),
                  ("perlu_ditinjau", "Perlu ditinjau"), ("selesai", "Selesai")]


def target_status(*, due_date, evidence_status: str, year, plan_year: int, confirmed: bool, today) -> str:
    """One target's status code (see STATUS_FILTERS), in the order the dashboard decides it."""
    if evidence_status == "accepted":
        return "selesai"
    if due_date is None:
        return "perlu_ditinjau"
    if evidence_status == "submitted":
        return "menunggu_review"
    if year != plan_year and not confirmed:
        return "perlu_ditinjau"
    if due_date < today:
        return "terlambat"
    return "perlu_perbaikan" if evidence_status == "revise" else "belum_jatuh_tempo"


def target_status_q(code: str, *, today) -> Q:
    """A filter on Target: those whose status (target_status) is `code`; an unknown code filters nothing."""
    suspect = suspect_date_q()
    open_dated = open_q() & counts_on_its_date_q()
    return {
        "selesai": Q(evidence_status="accepted"),
        "perlu_ditinjau": ~Q(evidence_status="accepted") & (Q(due_date__isnull=True)
                                                          | (~Q(evidence_status="submitted") & suspect)),
        "menunggu_review": Q(evidence_status="submitted", due_date__isnull=False),
        "terlambat": overdue_q(today),
        "perlu_perbaikan": open_dated & Q(due_date__gte=today, evidence_status="revise"),
        "belum_jatuh_tempo": open_dated & Q(due_date__gte=today) & ~Q(evidence_status="revise"),
    }.get(code, Q())


def search_q(text: str, *, prefix: str = "") -> Q:
    """Action steps (from `prefix`) whose indicator, step or bukti fisik text contains `text`, any case."""
    return (Q(**{prefix + "description__icontains": text}) | Q(**{prefix + "indicator__text__icontains": text})
            | Q(**{prefix + "evidence_required__icontains": text}))


PLAN_PAGE_STEPS = 100  # action steps per page of the plan page; the whole plan is one click away (?halaman=semua)
STEP_ORDER = ("indicator__subcomponent__component__order", "indicator__subcomponent__number", "indicator__order",
              "order", "id")


def url_maker(name: str):
    """pk → the URL of `name` with that pk, reversed once (reverse() per row is most of a long page's time)."""
    from django.urls import reverse

    prefix, suffix = reverse(name, args=[987654321]).split("987654321")
    return lambda pk: f"{prefix}{pk}{suffix}"


def _page_number(value, pages: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), max(pages, 1))


def _target_cell(step: dict, review: str, warning_label: str) -> str:
    """The inside of the plan page's "Target waktu" cell: the text as written and what the date parser said.
    HTML written with the standard library's escape (what Django's `escape` calls): format_html per piece was a
    sixth of the page's time."""
    cell = f'<span class="fst-italic">{escape(step["target_text"] or "—")}</span>'
    if step["review_reason"]:
        cell += (f'<div><span class="badge text-bg-danger">{escape(review)}</span> '
                 f'<small>{escape(step["review_reason"])}</small></div>')
    for w in step["parse_warnings"] or ():
        cell += (f'<div><span class="badge text-bg-warning">{escape(warning_label)}</span> '
                 f'<small>{escape(str(w))}</small></div>')
    for n in step["parse_notes"] or ():
        cell += f'<div><small class="text-body-secondary">{escape(str(n))}</small></div>'
    return mark_safe(cell)  # noqa: S308 - every value above is escaped


def plan_page(plan: Plan, *, component_code: str | None = None, page=None, everything: bool = False,
              date_links: bool = False, status: str | None = None, search: str | None = None, today=None,
              indicator_notes: dict[int, str] | None = None) -> dict:
    """What the plan page shows: the plan's components (with their step counts, for the navigation) and one page
    of PLAN_PAGE_STEPS action steps in plan order — of the whole plan or of one component; `everything` gives
    every step on one page; `date_links` adds the Ketua Tim's link to set each target's date. The rows are plain
    values computed here once (texts, dates in words, period labels,
    people, links), grouped component → sub-component → rows, so the template only prints them. `search` keeps the
    steps whose indicator, step or bukti fisik text contains it, `status` those with a target in that status
    (STATUS_FILTERS, as of `today`); the component counts follow the filters. `indicator_notes` (indicator id →
    plain text) is shown under each indicator (the LKE questions it serves).
    Six queries whatever the size of the plan."""
    from django.utils import formats, timezone
    from django.utils.translation import gettext

    search = (search or "").strip()[:100] or None
    status = status if status in dict(STATUS_FILTERS) else None
    step_q, count_q = Q(), Q()
    if search:
        step_q &= search_q(search)
        count_q &= search_q(search, prefix="subcomponents__indicators__steps__")
    if status:
        with_status = (Target.objects.filter(step__indicator__subcomponent__component__plan=plan)
                       .filter(target_status_q(status, today=today or timezone.localdate())).values("step_id"))
        step_q &= Q(pk__in=with_status)
        count_q &= Q(subcomponents__indicators__steps__in=with_status)
    components = list(plan.components.annotate(step_count=Count("subcomponents__indicators__steps",
                                                                filter=count_q or None, distinct=bool(count_q)))
                      .order_by("order"))
    shown = [c for c in components if c.code == component_code] if component_code else components
    total = sum(c.step_count for c in shown)
    pages = 1 if everything else max(1, -(-total // PLAN_PAGE_STEPS))
    number = 1 if everything else _page_number(page, pages)
    steps = ActionStep.objects.filter(step_q, indicator__subcomponent__component__in=[c.pk for c in shown])
    steps = steps.order_by(*STEP_ORDER).values(
        "pk", "indicator_id", "description", "evidence_required", "target_text", "responsible_text",
        "review_reason", "parse_warnings", "parse_notes",
        component_id=F("indicator__subcomponent__component_id"), sub_id=F("indicator__subcomponent_id"),
        sub_number=F("indicator__subcomponent__number"), sub_name=F("indicator__subcomponent__name"),
        indicator_text=F("indicator__text"))
    if not everything:
        start = (number - 1) * PLAN_PAGE_STEPS
        steps = steps[start:start + PLAN_PAGE_STEPS]
    steps = list(steps)
    # The page's steps by their ids: at most PLAN_PAGE_STEPS ids, or the plan itself for the whole plan (an IN list
    # of thousands of ids would pass SQLite's parameter limit).
    by_step = ({"step__indicator__subcomponent__component__in": [c.pk for c in shown]} if everything
               else {"step_id__in": [s["pk"] for s in steps]})
    target_url, assign_url = url_maker("evidence:target"), url_maker("actionplan:step_assign")
    date_url = url_maker("actionplan:target_date") if date_links else None
    dates: dict = {}

    def in_words(day):
        if day not in dates:
            dates[day] = formats.date_format(day, "j F Y")
        return dates[day]

    # The due dates of each step as its list items, written here: the template engine would spend a third of the
    # page's time on these few tags per target.
    review, warning_label = gettext("Perlu ditinjau"), gettext("Peringatan")
    unconfirmed_label = escape(gettext("di luar tahun rencana, belum dikonfirmasi"))
    unconfirmed = f' <span class="badge text-bg-warning">{unconfirmed_label}</span>'
    set_label, fix_label = escape(gettext("Tetapkan tanggal")), escape(gettext("Ubah tanggal"))
    targets: dict[int, list] = {}
    for t in (Target.objects.filter(**by_step).order_by("step_id", "due_date", "id")
              .values("pk", "step_id", "due_date", "year", "semester", "warning", "date_confirmed_at")):
        due = t["due_date"]
        link = (f' <a class="small target-date-link" href="{escape(date_url(t["pk"]))}?kembali=rencana">'
                f'{fix_label if due else set_label}</a>' if date_url else "")
        if due is None:
            item = (f'<li><a href="{escape(target_url(t["pk"]))}" class="badge text-bg-danger">{escape(review)}</a>'
                    f'{link}</li>')
        else:
            warning = (f' <span class="badge text-bg-warning" title="{escape(t["warning"])}">!</span>'
                       if t["warning"] else "")
            item = (f'<li><a href="{escape(target_url(t["pk"]))}"><time datetime="{due.isoformat()}">'
                    f'{escape(in_words(due))}</time></a> <small class="text-body-secondary">(Semester '
                    f'{"I" if t["semester"] == 1 else "II"} {t["year"]})</small>{warning}'
                    f'{unconfirmed if t["year"] != plan.year and t["date_confirmed_at"] is None else ""}{link}</li>')
        targets.setdefault(t["step_id"], []).append(item)
    people: dict[int, list] = {}
    for step_id, first, last, username in (
            Assignment.objects.filter(**by_step).order_by("step_id", "user__first_name", "user__username")
            .values_list("step_id", "user__first_name", "user__last_name", "user__username")):
        people.setdefault(step_id, []).append(f"{first} {last}".strip() or username)
    sections: list[dict] = []
    by_id = {c.pk: c for c in components}
    last_indicator = None
    for s in steps:
        if not sections or sections[-1]["component"].pk != s["component_id"]:
            sections.append({"component": by_id[s["component_id"]], "groups": []})
            last_indicator = None
        groups = sections[-1]["groups"]
        if not groups or groups[-1]["id"] != s["sub_id"]:
            groups.append({"id": s["sub_id"], "title": f"{s['sub_number']}. {s['sub_name']}", "rows": []})
        names = people.get(s["pk"])
        groups[-1]["rows"].append({
            **s, "show_indicator": s["indicator_id"] != last_indicator,
            "target_cell": _target_cell(s, review, warning_label),
            "indicator_note": (indicator_notes or {}).get(s["indicator_id"], ""),
            "due_list": mark_safe("\n".join(targets.get(s["pk"], []))),  # noqa: S308 - items escaped above
            "people": ", ".join(names) if names else (s["responsible_text"] or "—"),
            "assign_url": assign_url(s["pk"])})
        last_indicator = s["indicator_id"]
    first = 0 if not steps else (1 if everything else (number - 1) * PLAN_PAGE_STEPS + 1)
    from django.utils.http import urlencode

    filters = {k: v for k, v in (("status", status), ("q", search)) if v}
    return {"components": components, "sections": sections, "page": number, "pages": pages,
            "filters": {**filters, **({"komponen": component_code} if component_code else {})},
            "search_query": urlencode(filters),
            "filter_query": urlencode({**({"komponen": component_code} if component_code else {}), **filters}),
            "status_choices": STATUS_FILTERS, "component_choices": [(c.code, c.name) for c in components],
            "page_numbers": range(1, pages + 1), "step_total": total, "first": first,
            "last": first + len(steps) - 1 if steps else 0, "everything": everything}


def get_unit_team_for_user(user, unit_id):
    """(unit, membership) for the team pages: 404 outside the unit, 403 for anyone but its Ketua Tim."""
    from django.core.exceptions import PermissionDenied

    membership = membership_for(user, unit_id) if 0 < int(unit_id) < 2**63 else None
    if membership is None:
        raise Http404("Unit kerja tidak ditemukan.")
    if membership.role != Role.KETUA:
        raise PermissionDenied("Hanya Ketua Tim yang mengatur anggota tim unit ini.")
    return membership.unit, membership


def get_member_for_user(user, membership_id) -> Membership:
    """Another person's membership, for the Ketua Tim of its unit (404 outside it, 403 for other roles)."""
    member = Membership.objects.select_related("user", "unit").filter(pk=membership_id).first()
    if member is None:
        raise Http404("Anggota tidak ditemukan.")
    get_unit_team_for_user(user, member.unit_id)
    return member


def unit_team(unit_id):
    """The unit's people with their role and profile, Ketua Tim first (one query)."""
    from django.db.models import Case, IntegerField, Value, When

    order = Case(*[When(role=r, then=Value(i)) for i, r in enumerate([Role.KETUA, Role.KEPALA, Role.ANGGOTA,
                                                                       Role.TPI])], output_field=IntegerField())
    return (Membership.objects.filter(unit_id=unit_id).select_related("user__profile")
            .annotate(role_order=order).order_by("role_order", "user__first_name", "user__username"))
