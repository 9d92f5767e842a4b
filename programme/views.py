"""Pages of the programme: the unit's teams by SK, the plan's priority targets, the staff register with the
Pakta Integritas and LHKPN/LHKASN. Everyone in the unit reads the teams and priority targets; the register is
for the Ketua Tim, Kepala Dinas and TPI; only the Ketua Tim changes anything (the services check it too)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from actionplan.audit import client_ip
from actionplan.models import ActionStep, Role
from zi_portal.lib.files import protected_file_response

from . import selectors, services
from .forms import (
    AssetReportForm,
    PaktaBulkForm,
    PaktaForm,
    PriorityLinksForm,
    PriorityTitlesForm,
    StaffImportForm,
    TeamForm,
)
from .models import StaffMember, TeamKind

REGISTER_PAGE_SIZE = 100


def _errors(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


def _form_errors(request, form) -> None:
    problems = [f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}".strip(": ")
                for f, e in form.errors.items()]
    messages.error(request, _("Periksa isian: ") + "; ".join(problems))


def _year(request, default: int) -> int:
    value = request.GET.get("tahun", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else default


# -- teams --------------------------------------------------------------------------------------------------------

@login_required
def teams(request, unit_id: int):
    unit, membership = selectors.get_unit_for_user(request.user, unit_id)
    form = TeamForm(initial={"year": timezone.localdate().year, "kind": TeamKind.TIM_ZI}) \
        if membership.role == Role.KETUA else None
    return render(request, "programme/teams.html", {"unit": unit, "membership": membership, "form": form,
                                                    **selectors.team_page_data(unit_id=unit.pk)})


@login_required
@require_POST
def team_create(request, unit_id: int):
    unit, membership = selectors.get_unit_for_user(request.user, unit_id)
    services.require_manager(membership)
    form = TeamForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("programme:teams", unit_id=unit.pk)
    d = form.cleaned_data
    users = {p.nip: p.user for p in _profiles(unit, [m["nip"] for m in d["members"] if m["nip"]])}
    members = [services.MemberInput(user=users.get(m["nip"].replace(" ", "")), **m) for m in d["members"]]
    try:
        services.team_create(unit=unit, kind=d["kind"], name=d["name"], year=d["year"], sk_number=d["sk_number"],
                             sk_date=d["sk_date"], valid_from=d["valid_from"], valid_until=d["valid_until"],
                             members=members, sk_file=d["sk_file"], actor=request.user, membership=membership,
                             ip=client_ip(request))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("SK tim tersimpan; SK sebelumnya disimpan sebagai riwayat."))
    return redirect("programme:teams", unit_id=unit.pk)


def _profiles(unit, nips):
    from actionplan.models import Profile

    return Profile.objects.filter(nip__in=[n.replace(" ", "") for n in nips], user__memberships__unit=unit) \
        .select_related("user")


@login_required
def team_file(request, team_id: int):
    team, _membership = selectors.get_team_for_user(request.user, team_id)
    if not team.file:
        raise Http404(_("SK ini belum dilampiri berkas."))
    return protected_file_response(team.file, filename=team.file_name, content_type=team.file_type,
                                   inline=team.file_kind in {"pdf", "jpeg", "png"})


# -- priority targets ---------------------------------------------------------------------------------------------

@login_required
def priorities(request, plan_id: int):
    plan, membership = selectors.get_plan_for_user(request.user, plan_id)
    rows = selectors.priority_progress(plan=plan, as_of=timezone.localdate())
    form = PriorityTitlesForm(initial={"titles": "\n".join(r["title"] for r in rows)}) \
        if membership.role == Role.KETUA else None
    return render(request, "programme/priorities.html", {"plan": plan, "membership": membership, "rows": rows,
                                                         "form": form})


@login_required
@require_POST
def priorities_set(request, plan_id: int):
    plan, membership = selectors.get_plan_for_user(request.user, plan_id)
    services.require_manager(membership)
    form = PriorityTitlesForm(request.POST)
    if form.is_valid():
        try:
            services.priority_targets_set(plan=plan, titles=form.cleaned_data["titles"], actor=request.user,
                                          membership=membership, ip=client_ip(request))
            messages.success(request, _("Target prioritas tersimpan."))
        except ValidationError as exc:
            _errors(request, exc)
    else:
        _form_errors(request, form)
    return redirect("programme:priorities", plan_id=plan.pk)


@login_required
def priority_links(request, priority_id: int):
    priority, membership = selectors.get_priority_for_user(request.user, priority_id)
    services.require_manager(membership)
    steps = list(ActionStep.objects.filter(indicator__subcomponent__component__plan=priority.plan)
                 .select_related("indicator__subcomponent__component")
                 .order_by("indicator__subcomponent__component__order", "indicator__subcomponent__number",
                           "indicator__order", "order"))
    linked = set(selectors.priority_steps(plan=priority.plan).get(priority.pk, []))
    form = PriorityLinksForm(request.POST or None, step_ids=[s.pk for s in steps])
    if request.method == "POST" and form.is_valid():
        chosen = [s for s in steps if s.pk in set(form.cleaned_data["steps"])]
        try:
            services.priority_links_set(priority=priority, steps=chosen, actor=request.user, membership=membership,
                                        ip=client_ip(request))
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Langkah aksi target prioritas tersimpan."))
            return redirect("programme:priorities", plan_id=priority.plan_id)
    return render(request, "programme/priority_links.html", {"priority": priority, "steps": steps,
                                                             "linked": linked, "form": form},
                  status=400 if form.errors else 200)


# -- register -----------------------------------------------------------------------------------------------------

@login_required
def register(request, unit_id: int):
    unit, membership = selectors.get_unit_for_user(request.user, unit_id, roles=selectors.REGISTER_ROLES)
    year = _year(request, timezone.localdate().year)
    page = Paginator(selectors.register_rows(unit_id=unit.pk, year=year), REGISTER_PAGE_SIZE).get_page(
        request.GET.get("halaman"))
    unsigned = list(selectors.unsigned_staff(unit_id=unit.pk, year=year)[:REGISTER_PAGE_SIZE])
    manage = membership.role == Role.KETUA
    return render(request, "programme/register.html", {
        "unit": unit, "membership": membership, "year": year, "page_obj": page,
        "figures": selectors.register_figures(unit_id=unit.pk, year=year), "unsigned": unsigned,
        "manage": manage, "import_form": StaffImportForm() if manage else None,
        "pakta_form": PaktaForm(initial={"year": year}) if manage else None,
        "bulk_form": PaktaBulkForm(initial={"year": year}) if manage else None,
        "asset_form": AssetReportForm(initial={"year": year, "must_file": True}) if manage else None})


@login_required
@require_POST
def staff_import(request, unit_id: int):
    unit, membership = selectors.get_unit_for_user(request.user, unit_id, roles=selectors.REGISTER_ROLES)
    services.require_manager(membership)
    form = StaffImportForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("programme:register", unit_id=unit.pk)
    upload = form.cleaned_data["file"]
    if upload.size > 5 * 1024 * 1024:
        messages.error(request, _("Daftar pegawai paling besar 5 MB."))
        return redirect("programme:register", unit_id=unit.pk)
    try:
        result = services.staff_import(unit=unit, data=upload.read(), filename=upload.name, actor=request.user,
                                       membership=membership, ip=client_ip(request))
    except services.StaffImportError as exc:
        messages.error(request, _("Impor ditolak, tidak ada yang disimpan.") + "\n" + exc.report())
    else:
        messages.success(request, _("Daftar pegawai diimpor: %(c)s baru, %(u)s diperbarui, %(d)s dinonaktifkan "
                                    "(aktif %(a)s dari %(t)s).")
                         % {"c": result.created, "u": result.updated, "d": result.deactivated,
                            "a": result.active, "t": result.total})
    return redirect("programme:register", unit_id=unit.pk)


def _back_to_register(staff_or_unit_id, year):
    from django.urls import reverse

    return redirect(f"{reverse('programme:register', args=[staff_or_unit_id])}?tahun={year}")


@login_required
@require_POST
def pakta_record(request, staff_id: int):
    staff, membership = selectors.get_staff_for_user(request.user, staff_id)
    services.require_manager(membership)
    form = PaktaForm(request.POST, request.FILES)
    year = timezone.localdate().year
    if form.is_valid():
        year = form.cleaned_data["year"]
        try:
            services.pakta_record(staff=staff, year=year, signed_on=form.cleaned_data["signed_on"],
                                  scan=form.cleaned_data["scan"], actor=request.user, membership=membership,
                                  ip=client_ip(request))
            messages.success(request, _("Pakta integritas %(name)s tercatat.") % {"name": staff.name})
        except ValidationError as exc:
            _errors(request, exc)
    else:
        _form_errors(request, form)
    return _back_to_register(staff.unit_id, year)


@login_required
@require_POST
def pakta_bulk(request, unit_id: int):
    unit, membership = selectors.get_unit_for_user(request.user, unit_id, roles=selectors.REGISTER_ROLES)
    services.require_manager(membership)
    ids = StaffMember.objects.filter(unit=unit, is_active=True).values_list("pk", flat=True)
    form = PaktaBulkForm(request.POST, request.FILES, staff_ids=list(ids))
    year = timezone.localdate().year
    if form.is_valid():
        d = form.cleaned_data
        year = d["year"]
        try:
            batch = services.pakta_bulk_record(unit=unit, year=year, signed_on=d["signed_on"], event=d["event"],
                                               staff_ids=d["staff"], scan=d["scan"], actor=request.user,
                                               membership=membership, ip=client_ip(request))
            messages.success(request, _("Penandatanganan massal tercatat: %(n)s orang.")
                             % {"n": batch.records.count()})
        except ValidationError as exc:
            _errors(request, exc)
    else:
        _form_errors(request, form)
    return _back_to_register(unit.pk, year)


@login_required
@require_POST
def asset_report(request, staff_id: int):
    staff, membership = selectors.get_staff_for_user(request.user, staff_id)
    services.require_manager(membership)
    form = AssetReportForm(request.POST)
    year = timezone.localdate().year
    if form.is_valid():
        d = form.cleaned_data
        year = d["year"]
        try:
            services.asset_report_set(staff=staff, year=year, kind=d["kind"], must_file=d["must_file"],
                                      filed_on=d["filed_on"], actor=request.user, membership=membership,
                                      ip=client_ip(request))
            messages.success(request, _("Status LHKPN/LHKASN %(name)s tersimpan.") % {"name": staff.name})
        except ValidationError as exc:
            _errors(request, exc)
    else:
        _form_errors(request, form)
    return _back_to_register(staff.unit_id, year)


@login_required
def pakta_file(request, pakta_id: int):
    pakta, _membership = selectors.get_pakta_for_user(request.user, pakta_id)
    doc = pakta if pakta.file else pakta.batch
    if doc is None or not doc.file:
        raise Http404(_("Pakta ini belum dilampiri pindaian."))
    return protected_file_response(doc.file, filename=doc.file_name, content_type=doc.file_type,
                                   inline=doc.file_kind in {"pdf", "jpeg", "png"})


