from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import Area, Role
from .selectors import get_plan_for_user, plan_tree, plans_for_user


@require_GET
@never_cache
def healthz(request):
    """200 'ok' once the database answers; used by load balancers and the set-up check."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


@login_required
def home(request):
    return render(request, "actionplan/home.html", {"plans": plans_for_user(request.user),
                                                   "role_choices": Role.choices})


@login_required
def plan_detail(request, plan_id: int):
    plan, membership = get_plan_for_user(request.user, plan_id)
    code = request.GET.get("komponen") or None
    if code not in Area.values:
        code = None
    return render(request, "actionplan/plan_detail.html", {
        "plan": plan,
        "membership": membership,
        "components": plan_tree(plan, code),
        "all_components": plan.components.only("code", "name").order_by("order"),
        "selected_code": code,
    })
