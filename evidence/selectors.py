"""Reads for the evidence pages. Access helpers answer 404 outside the user's units; every list is a fixed
number of queries whatever the number of targets."""

from django.db.models import Count, F, Prefetch, Q
from django.http import Http404
from django.utils.http import urlencode

from actionplan.models import Assignment, AuditEvent, Membership, Role, Target

from .models import Comment, EvidenceFile, Revision, RevisionStatus

TARGET_PATH = "step__indicator__subcomponent__component__plan__unit"
UNIT_FIELD = "step__indicator__subcomponent__component__plan__unit_id"


def _membership(user, unit_id) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, unit_id=unit_id).first()


def get_target_for_user(user, target_id) -> tuple[Target, Membership]:
    target = (Target.objects.select_related(TARGET_PATH, "step__indicator__subcomponent__component")
              .filter(pk=target_id).first())
    membership = _membership(user, target.step.indicator.subcomponent.component.plan.unit_id) if target else None
    if membership is None:
        raise Http404("Target tidak ditemukan.")
    return target, membership


def get_revision_for_user(user, revision_id) -> tuple[Revision, Membership]:
    revision = (Revision.objects.select_related("submitted_by", f"target__{TARGET_PATH}",
                                                "target__step__indicator__subcomponent__component")
                .filter(pk=revision_id).first())
    membership = _membership(user, revision.target.step.indicator.subcomponent.component.plan.unit_id) \
        if revision else None
    if membership is None:
        raise Http404("Revisi tidak ditemukan.")
    return revision, membership


def get_file_for_user(user, file_id) -> EvidenceFile:
    """Any member of the file's unit may read it (Kepala Dinas and TPI included); others get 404."""
    row = (EvidenceFile.objects.select_related("revision__target__step__indicator__subcomponent__component__plan")
           .filter(pk=file_id).first())
    if row is None or _membership(user, row.revision.target.step.indicator.subcomponent.component.plan.unit_id) is None:
        raise Http404("Berkas tidak ditemukan.")
    return row


def review_queue(user):
    """Revisions waiting for review in the units where `user` is Ketua Tim, oldest first."""
    ketua_units = Membership.objects.filter(user=user, role=Role.KETUA).values("unit_id")
    return (Revision.objects.filter(status=RevisionStatus.SUBMITTED,
                                    **{f"target__{UNIT_FIELD}__in": ketua_units})
            .select_related("submitted_by", "target__step__indicator__subcomponent__component__plan__unit")
            .annotate(file_count=Count("files"))
            .order_by("submitted_at", "id"))


# Who sees the IP address each history entry was written from: the people who answer for the unit's evidence.
IP_VISIBLE_ROLES = (Role.KETUA, Role.KEPALA)


def earlier_copies(revisions: list[Revision], unit_id: int) -> dict[int, list[EvidenceFile]]:
    """For each file of `revisions` (pk → list), the same file — same SHA-256 — submitted before in the unit, on
    this target (sent back, then uploaded again unchanged) or on another: where, which revision and with what
    result, oldest first. Sets `file.earlier` on each file too, for the templates. One query whatever the number
    of files; nothing outside the unit is looked at (nor shown)."""
    files = [f for rev in revisions for f in rev.files.all()]
    found: dict[int, list[EvidenceFile]] = {f.pk: [] for f in files}
    if files:
        rows = list(EvidenceFile.objects.filter(sha256__in={f.sha256 for f in files},
                                                **{f"revision__target__{UNIT_FIELD}": unit_id})
                    .select_related("revision__decision", "revision__target__step__indicator__subcomponent__component")
                    .order_by("revision__submitted_at", "id"))
        for rev in revisions:
            for f in rev.files.all():
                found[f.pk] = [r for r in rows if r.sha256 == f.sha256 and r.revision_id != rev.pk
                               and r.revision.submitted_at <= rev.submitted_at]
    for f in files:
        f.earlier = found[f.pk]
    return found


def target_thread(target: Target, user, *, role: str | None = None) -> dict:
    """Everything the target page shows: revisions with files and decisions (and, per file, where the same file
    was submitted before), comments, the history and the people responsible, in a fixed number of queries. The
    history carries IP addresses only for a Ketua Tim or Kepala Dinas (`role`); for anyone else they are not
    even loaded (`show_ip` False)."""
    revisions = list(target.revisions.select_related("submitted_by", "decision__reviewer")
                     .prefetch_related(Prefetch("files", queryset=EvidenceFile.objects.order_by("id")))
                     .order_by("-number"))
    earlier_copies(revisions, target.step.indicator.subcomponent.component.plan.unit_id)
    comments = list(Comment.objects.filter(target=target).select_related("author"))
    show_ip = role in IP_VISIBLE_ROLES
    history = AuditEvent.objects.filter(
        Q(object_type="actionplan.target", object_id=str(target.pk))
        | Q(object_type="actionplan.actionstep", object_id=str(target.step_id))).select_related("actor")
    history = list(history if show_ip else history.defer("ip"))
    assignees = list(Assignment.objects.filter(step_id=target.step_id).select_related("user"))
    return {
        "revisions": revisions,
        "latest": revisions[0] if revisions else None,
        "comments": comments,
        "history": history,
        "show_ip": show_ip,
        "assignees": [a.user for a in assignees],
        "is_assigned": any(a.user_id == user.pk for a in assignees),
    }



TASKS_PER_PAGE = 50  # open action steps per page of "Tugas saya"


def _status_badges() -> dict:
    """The badge of each latest-evidence status (as evidence/_status.html draws it), built once per page."""
    from django.utils.html import format_html
    from django.utils.translation import gettext

    def badge(css, mark, label):
        return format_html('<span class="badge {}">{}{}</span>', css, mark, gettext(label))

    return {
        RevisionStatus.ACCEPTED: badge("text-bg-success", "✔ ", "Diterima"),
        RevisionStatus.SUBMITTED: badge("text-bg-info", "◔ ", "Menunggu review"),
        RevisionStatus.REVISE: badge("text-bg-warning", "✎ ", "Perlu perbaikan"),
        RevisionStatus.WITHDRAWN: badge("text-bg-secondary", "↩ ", "Ditarik"),
        "": badge("text-bg-light border", "○ ", "Belum ada bukti"),
    }


def my_tasks_page(user, *, page=None, done: bool = False, status: str | None = None, component: str | None = None,
                  search: str | None = None, today=None) -> dict:
    """"Tugas saya" as plain rows computed here once: the steps assigned to `user` that still have a target to
    evidence, most urgent first — overdue, then sent back for revision, then by the next open target's date
    (undated ones last) — TASKS_PER_PAGE to a page; the steps whose every target is accepted are counted and
    listed apart (with `done`). Filters: `component` (area code), `search` (text in the indicator, step or bukti
    fisik) and `status` (of the next open target, STATUS_FILTERS). One query whatever the number of steps; each
    row carries its texts (shortened), its next target's date in words, status and overdue badges, the reviewer's
    latest note and links."""
    from django.db.models import Case, OuterRef, Subquery, TextField, When
    from django.urls import reverse
    from django.utils import formats, timezone
    from django.utils.html import format_html
    from django.utils.text import Truncator
    from django.utils.translation import gettext

    from actionplan.models import Area
    from actionplan.selectors import STATUS_FILTERS, search_q, target_status

    today = today or timezone.localdate()
    component = component if component in Area.values else None
    search = (search or "").strip()[:100] or None
    status = status if status in dict(STATUS_FILTERS) else None
    targets = Target.objects.filter(step__assignments__user=user)
    if component:
        targets = targets.filter(step__indicator__subcomponent__component__code=component)
    if search:
        targets = targets.filter(search_q(search, prefix="step__"))
    latest_note = Subquery(Revision.objects.filter(target=OuterRef("pk")).order_by("-number")
                           .values("decision__note")[:1])
    targets = (
        targets.order_by("step__indicator__subcomponent__component__plan__year",
                         "step__indicator__subcomponent__component__order", "step__indicator__subcomponent__number",
                         "step__indicator__order", "step__order", "step_id", "due_date")
        .values("pk", "step_id", "due_date", "year", "evidence_status", "date_confirmed_at",
                description=F("step__description"), evidence_required=F("step__evidence_required"),
                plan_id=F("step__indicator__subcomponent__component__plan_id"),
                unit=F("step__indicator__subcomponent__component__plan__unit__name"),
                plan_year=F("step__indicator__subcomponent__component__plan__year"),
                code=F("step__indicator__subcomponent__component__code"),
                sub_number=F("step__indicator__subcomponent__number"),
                sub_name=F("step__indicator__subcomponent__name"),
                # the latest decision's note, only where the latest revision was decided (sent back or accepted)
                note=Case(When(evidence_status__in=[RevisionStatus.REVISE, RevisionStatus.ACCEPTED],
                               then=latest_note), default=None, output_field=TextField()))
    )
    steps: dict[int, list] = {}
    for t in targets:
        t["status"] = target_status(due_date=t["due_date"], evidence_status=t["evidence_status"], year=t["year"],
                                    plan_year=t["plan_year"], confirmed=t["date_confirmed_at"] is not None,
                                    today=today)
        steps.setdefault(t["step_id"], []).append(t)
    open_steps, done_steps = [], []
    for rows in steps.values():
        rows.sort(key=lambda t: (t["due_date"] is None, t["due_date"]))  # undated (perlu ditinjau) last
        pending = [t for t in rows if t["evidence_status"] != RevisionStatus.ACCEPTED]
        if pending:
            if status is None or pending[0]["status"] == status:
                open_steps.append((rows, pending[0]))
        else:
            done_steps.append((rows, None))

    def urgency(item):
        t = item[1]
        rank = 0 if t["status"] == "terlambat" else 1 if t["evidence_status"] == RevisionStatus.REVISE else 2
        return rank, t["due_date"] is None, t["due_date"] or today

    open_steps.sort(key=urgency)        # stable: plan order within the same urgency and date
    listed = done_steps if done else open_steps
    pages = max(1, -(-len(listed) // TASKS_PER_PAGE))
    try:
        number = min(max(int(page), 1), pages)
    except (TypeError, ValueError):
        number = 1
    badges = _status_badges()
    marker = "987654321"
    target_url, upload_url = (reverse(name, args=[marker]).split(marker)
                              for name in ("evidence:target", "evidence:upload"))
    dates: dict = {}
    out = []
    shown = listed[(number - 1) * TASKS_PER_PAGE:number * TASKS_PER_PAGE]
    plans = {rows[0]["plan_id"] for rows, _next in shown}
    for rows, next_target in shown:
        first = rows[0]
        accepted = [t for t in rows if t["evidence_status"] == RevisionStatus.ACCEPTED]
        row = {
            # the unit and year only where the page mixes plans; otherwise they head the page once
            "where": f"{first['unit']} {first['plan_year']}" if len(plans) > 1 else "",
            "sub": f"{first['code']}.{first['sub_number']} {first['sub_name']}",
            "description": Truncator(first["description"]).words(30),
            "evidence_required": Truncator(first["evidence_required"]).words(20),
            "done_count": len(accepted), "target_count": len(rows), "next": None,
            "note": (accepted[-1]["note"] or "") if accepted and next_target is None else "",
        }
        if next_target is not None:
            due, evidence = next_target["due_date"], next_target["evidence_status"]
            if due is not None and due not in dates:
                dates[due] = formats.date_format(due, "j F Y")
            late = (today - due).days if next_target["status"] == "terlambat" else 0
            row["note"] = next_target["note"] or ""
            row["next"] = {
                "due": due, "iso": due.isoformat() if due else "", "words": dates.get(due, ""),
                "badge": badges.get(evidence, badges[""]),
                "late": format_html('<span class="badge text-bg-danger overdue-badge">⚠ {}</span>',
                                    gettext("Terlambat %(d)s hari") % {"d": late})
                if late else "",
                "unconfirmed": gettext("Tanggal di luar tahun rencana, belum dikonfirmasi")
                if due is not None and next_target["status"] == "perlu_ditinjau" else "",
                "history_url": f"{target_url[0]}{next_target['pk']}{target_url[1]}",
                "upload_url": (f"{upload_url[0]}{next_target['pk']}{upload_url[1]}"
                               if evidence in ("", RevisionStatus.REVISE, RevisionStatus.WITHDRAWN) else ""),
            }
        out.append(row)
    single = shown[0][0][0] if len(plans) == 1 else None
    filters = {k: v for k, v in (("status", status), ("komponen", component), ("q", search)) if v}
    return {"rows": out, "open_count": len(open_steps), "done_count": len(done_steps), "done": done,
            "page": number, "pages": pages, "page_numbers": range(1, pages + 1),
            "first": (number - 1) * TASKS_PER_PAGE + 1 if out else 0,
            "last": (number - 1) * TASKS_PER_PAGE + len(out),
            "plan_heading": f"{single['unit']} {single['plan_year']}" if single else "",
            "filters": filters, "filter_query": urlencode(filters), "status_choices": STATUS_FILTERS[:-1],
            "component_choices": Area.choices, "today": today}


# -- Berkas untuk TPI ---------------------------------------------------------------------------------------------

def _bundle_membership(user, unit_id) -> Membership:
    """404 outside the unit; 403 for a member whose role does not take the bundle (evidence.models.BUNDLE_ROLES)."""
    from django.core.exceptions import PermissionDenied

    from .models import BUNDLE_ROLES

    membership = _membership(user, unit_id)
    if membership is None:
        raise Http404("Rencana kerja tidak ditemukan.")
    if membership.role not in BUNDLE_ROLES:
        raise PermissionDenied("Berkas untuk TPI hanya untuk TPI, Ketua Tim dan Kepala Dinas unit ini.")
    return membership


def get_plan_for_bundles(user, plan_id):
    """(plan, membership) for the bundle pages."""
    from actionplan.models import Plan

    plan = Plan.objects.select_related("unit").filter(pk=plan_id).first()
    if plan is None:
        raise Http404("Rencana kerja tidak ditemukan.")
    return plan, _bundle_membership(user, plan.unit_id)


def get_bundle_for_user(user, bundle_id):
    from .models import EvidenceBundle

    bundle = EvidenceBundle.objects.select_related("plan__unit").filter(pk=bundle_id).first()
    if bundle is None:
        raise Http404("Berkas tidak ditemukan.")
    _bundle_membership(user, bundle.plan.unit_id)
    return bundle


def plan_bundles(plan):
    """The plan's bundles, newest first, with who asked and how often each was downloaded (one query)."""
    from .models import EvidenceBundle

    return (EvidenceBundle.objects.filter(plan=plan).select_related("requested_by")
            .annotate(download_count=Count("downloads")).order_by("-requested_at", "-id")[:50])


def plan_bundle_states(plan) -> dict:
    """The state of the plan's bundles being built (queued or building), for the list page's polling: one query,
    however many bundles the plan has. ``busy`` is False once none is left."""
    from .models import EvidenceBundle

    waiting = [EvidenceBundle.Status.QUEUED, EvidenceBundle.Status.BUILDING]
    rows = list(EvidenceBundle.objects.filter(plan=plan, status__in=waiting).order_by("-requested_at", "-id")
                .values_list("pk", "status")[:50])
    labels = dict(EvidenceBundle.Status.choices)
    return {"busy": bool(rows),
            "bundles": [{"id": pk, "status": status, "label": str(labels[status])} for pk, status in rows]}


def bundle_files(plan, component_code: str = ""):
    """The files of the accepted revisions of the plan (of one component), in plan order. A target has at most one
    accepted revision and no revision follows it (evidence.models.OPEN_FOR_UPLOAD), so accepted is the latest."""
    rows = EvidenceFile.objects.filter(revision__status=RevisionStatus.ACCEPTED,
                                       revision__target__step__indicator__subcomponent__component__plan=plan)
    if component_code:
        rows = rows.filter(revision__target__step__indicator__subcomponent__component__code=component_code)
    return (rows.select_related("revision__submitted_by", "revision__decision__reviewer",
                                "revision__target__step__indicator__subcomponent__component")
            .order_by("revision__target__step__indicator__subcomponent__component__order",
                      "revision__target__step__indicator__subcomponent__number",
                      "revision__target__step__indicator__order", "revision__target__step__order",
                      "revision__target__step_id", "revision__target__due_date", "revision__target_id", "id"))
