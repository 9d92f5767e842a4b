from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from actionplan.audit import client_ip

from .forms import AssignForm, MemberAddForm, MemberInviteForm, MemberRoleForm, TargetDateForm
from .models import Area, Plan, Role
from .selectors import (
    assignable_people,
    get_member_for_user,
    get_plan_for_user,
    get_step_for_user,
    get_target_for_user,
    get_unit_team_for_user,
    plan_page,
    target_date_history,
    unit_team,
)
from .services import (
    assignments_set,
    member_add,
    member_invite,
    membership_remove,
    membership_role_set,
    target_due_date_set,
)
from .signals import plan_page_indicator_notes


@require_GET
@never_cache
def healthz(request):
    """200 'ok' once the database answers; used by load balancers and the set-up check."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


@login_required
def plan_detail(request, plan_id: int):
    """One page of the plan's action steps (?halaman=N), of every component or one (?komponen=I); the whole plan
    on one page with ?halaman=semua; filtered by ?status= and a search ?q= (as "Tugas saya")."""
    plan, membership = get_plan_for_user(request.user, plan_id)
    code = request.GET.get("komponen") or None
    if code not in Area.values:
        code = None
    everything = request.GET.get("halaman") == "semua"
    notes: dict[int, list[str]] = {}  # under each indicator: the LKE questions it serves (lke answers the signal)
    for _receiver, texts in plan_page_indicator_notes.send(sender=Plan, plan=plan):
        for indicator_id, text in texts.items():
            notes.setdefault(indicator_id, []).append(text)
    data = plan_page(plan, component_code=code, page=request.GET.get("halaman"), everything=everything,
                     date_links=membership.role == Role.KETUA, status=request.GET.get("status"),
                     search=request.GET.get("q"), indicator_notes={k: " · ".join(v) for k, v in notes.items()})
    return render(request, "actionplan/plan_detail.html", {
        "plan": plan, "membership": membership, "selected_code": code, **data,
        "is_ketua": membership.role == Role.KETUA})


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


# -- the team (only the unit's Ketua Tim) ------------------------------------------------------------------------

def _team_page(request, unit, *, add_form=None, invite_form=None, status=200):
    return render(request, "actionplan/team.html", {
        "unit": unit, "members": unit_team(unit.pk), "role_choices": Role.choices,
        "add_form": add_form or MemberAddForm(), "invite_form": invite_form or MemberInviteForm()}, status=status)


@login_required
def team(request, unit_id: int):
    unit, _membership = get_unit_team_for_user(request.user, unit_id)
    return _team_page(request, unit)


@login_required
@require_POST
def team_add(request, unit_id: int):
    unit, _membership = get_unit_team_for_user(request.user, unit_id)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            member = member_add(unit=unit, identifier=form.cleaned_data["identifier"], role=form.cleaned_data["role"],
                                actor=request.user, ip=client_ip(request))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(p)s ditambahkan sebagai %(r)s.") % {
                "p": member.user.get_full_name() or member.user.username, "r": member.get_role_display()})
            return redirect("actionplan:team", unit_id=unit.pk)
    return _team_page(request, unit, add_form=form, status=400)


@login_required
@require_POST
def team_invite(request, unit_id: int):
    unit, _membership = get_unit_team_for_user(request.user, unit_id)
    form = MemberInviteForm(request.POST)
    if form.is_valid():
        try:
            member = member_invite(unit=unit, actor=request.user, ip=client_ip(request), **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Akun %(u)s dibuat; tautan untuk membuat kata sandi dikirim ke %(e)s.")
                             % {"u": member.user.username, "e": member.user.email})
            return redirect("actionplan:team", unit_id=unit.pk)
    return _team_page(request, unit, invite_form=form, status=400)


@login_required
@require_POST
def team_role(request, membership_id: int):
    member = get_member_for_user(request.user, membership_id)
    form = MemberRoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Pilih peran yang tersedia."))
        member = membership_role_set(membership=member, role=form.cleaned_data["role"], actor=request.user,
                                     ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, _("Peran tidak diubah: %(e)s") % {"e": " ".join(exc.messages)})
    else:
        messages.success(request, _("Peran %(p)s sekarang %(r)s.")
                         % {"p": member.user.get_full_name() or member.user.username, "r": member.get_role_display()})
    return redirect("actionplan:team", unit_id=member.unit_id)


@login_required
@require_POST
def team_remove(request, membership_id: int):
    member = get_member_for_user(request.user, membership_id)
    try:
        membership_remove(membership=member, actor=request.user, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(p)s dikeluarkan dari unit.")
                         % {"p": member.user.get_full_name() or member.user.username})
    return redirect("actionplan:team", unit_id=member.unit_id)


@login_required
def target_date(request, target_id: int):
    """The Ketua Tim sets, corrects or confirms a target's due date, with the reason (from the plan page and the
    target page; ?kembali=rencana returns to the plan page)."""
    target, membership = get_target_for_user(request.user, target_id)
    if membership.role != Role.KETUA:
        raise PermissionDenied(_("Hanya Ketua Tim yang mengatur tanggal target."))
    plan = target.step.indicator.subcomponent.component.plan
    form = TargetDateForm(request.POST if request.method == "POST" else None, plan_year=plan.year,
                          confirming=target.is_out_of_year(plan.year), initial={"due_date": target.due_date})
    if request.method == "POST" and form.is_valid():
        try:
            target_due_date_set(target=target, user=request.user, membership=membership, ip=client_ip(request),
                                **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)       # per field: the date already taken, the reason
        else:
            messages.success(request, _("Tanggal target tersimpan."))
            if request.GET.get("kembali") == "rencana":
                component = target.step.indicator.subcomponent.component
                return redirect(f"{reverse('actionplan:plan_detail', args=[plan.pk])}?komponen={component.code}")
            return redirect("evidence:target", target_id=target.pk)
    return render(request, "actionplan/target_date.html", {
        "target": target, "plan": plan, "form": form, "out_of_year": target.is_out_of_year(plan.year),
        "history": target_date_history(target)})
