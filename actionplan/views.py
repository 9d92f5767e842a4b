from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lke import selectors as lke_selectors
from zi_portal.lib.audit import client_ip

from .context_processors import SOON_DAYS, nav_for
from .forms import AssignForm
from .models import Area, Role
from .selectors import assignable_people, get_plan_for_user, get_step_for_user, home_panels, plan_page, plans_for_user
from .services import assignments_set


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
    """What needs the user now, per role in each unit (the counts come with the navigation bar), and their plans."""
    nav = nav_for(request)
    return render(request, "actionplan/home.html", {
        "plans": plans_for_user(request.user), "role_choices": Role.choices, "soon_days": SOON_DAYS,
        "panels": home_panels(request.user, memberships=nav["memberships"], today=nav["today"])})


@login_required
def plan_detail(request, plan_id: int):
    """One page of the plan's action steps (?halaman=N), of every component or one (?komponen=I); the whole plan
    on one page with ?halaman=semua."""
    plan, membership = get_plan_for_user(request.user, plan_id)
    code = request.GET.get("komponen") or None
    if code not in Area.values:
        code = None
    everything = request.GET.get("halaman") == "semua"
    data = plan_page(plan, component_code=code, page=request.GET.get("halaman"), everything=everything)
    return render(request, "actionplan/plan_detail.html", {
        "plan": plan, "membership": membership, "selected_code": code, **data,
        "is_ketua": membership.role == Role.KETUA,
        "lke_questions": lke_selectors.indicator_questions(plan)})


@login_required
def step_assign(request, step_id: int):
    step, membership = get_step_for_user(request.user, step_id)
    if membership.role != Role.KETUA:
        raise PermissionDenied(_("Hanya Ketua Tim yang menetapkan penanggung jawab."))
    people = assignable_people(membership.unit_id)
    form = AssignForm(request.POST if request.method == "POST" else None, people_qs=people,
                      initial={"people": list(step.responsible.all())})
    if request.method == "POST" and form.is_valid():
        assignments_set(step=step, users=form.cleaned_data["people"], actor=request.user, ip=client_ip(request))
        messages.success(request, _("Penanggung jawab tersimpan."))
        plan = step.indicator.subcomponent.component
        return redirect(f"{reverse('actionplan:plan_detail', args=[plan.plan_id])}?komponen={plan.code}")
    return render(request, "actionplan/step_assign.html", {"step": step, "form": form})
