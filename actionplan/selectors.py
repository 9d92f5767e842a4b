"""Reads that pages need. Each access helper answers 404 for objects outside the user's units."""
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import Http404

from .models import ActionStep, Indicator, Membership, Plan, Role, SubComponent, Target


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
            review_count=Count(
                "components__subcomponents__indicators__steps__targets",
                filter=Q(components__subcomponents__indicators__steps__targets__due_date__isnull=True),
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


def plan_tree(plan: Plan, component_code: str | None = None):
    """The plan's components with sub-components → indicators → steps → targets and people, in a fixed
    number of queries whatever the size of the plan."""
    components = plan.components.all()
    if component_code:
        components = components.filter(code=component_code)
    return components.prefetch_related(
        Prefetch("subcomponents", queryset=SubComponent.objects.order_by("number")),
        Prefetch("subcomponents__indicators", queryset=Indicator.objects.order_by("order")),
        Prefetch("subcomponents__indicators__steps", queryset=ActionStep.objects.order_by("order")),
        Prefetch("subcomponents__indicators__steps__targets",
                 queryset=Target.objects.order_by("due_date")),
        "subcomponents__indicators__steps__responsible",
    )


def get_step_for_user(user, step_id) -> tuple[ActionStep, Membership]:
    step = (ActionStep.objects.select_related("indicator__subcomponent__component__plan__unit")
            .filter(pk=step_id).first())
    membership = membership_for(user, step.indicator.subcomponent.component.plan.unit_id) if step else None
    if membership is None:
        raise Http404("Langkah aksi tidak ditemukan.")
    return step, membership


def assignable_people(unit_id):
    """Members of the unit who can be responsible for an action step (Anggota Tim and Ketua Tim)."""
    from django.contrib.auth import get_user_model

    return (get_user_model().objects.filter(memberships__unit_id=unit_id,
                                            memberships__role__in=[Role.ANGGOTA, Role.KETUA])
            .order_by("first_name", "username"))
