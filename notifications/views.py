from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from actionplan.audit import client_ip
from programme.selectors import pakta_notices_for

from . import selectors, services
from .models import Kind


@login_required
def notification_list(request):
    return render(request, "notifications/list.html", {
        **selectors.notifications_page(user=request.user, page=request.GET.get("page")),
        "pakta_notices": pakta_notices_for(request.user)})  # issue 11


@login_required
@require_POST
def notification_read(request, notification_id: int):
    notification = selectors.get_notification_for_user(request.user, notification_id)
    services.notification_mark_read(notification=notification, user=request.user)
    return redirect("notifications:list")


@login_required
@require_POST
def notifications_read_all(request):
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("%(n)s notifikasi ditandai sudah dibaca.") % {"n": count})
    return redirect("notifications:list")


@login_required
def preferences(request):
    """Which notifications also come by e-mail; the portal notification always stays. The switches are a section
    of the profile page (zi_portal/accounts.py): a GET goes there, a POST saves and goes back there."""
    if request.method == "POST":
        known = {kind for kind, _label in Kind.preference_choices()}
        services.email_preferences_set(user=request.user, ip=client_ip(request),
                                       email_on=[k for k in request.POST.getlist("email") if k in known])
        messages.success(request, _("Preferensi e-mail disimpan."))
    return redirect(reverse("profile") + "#notifikasi")
