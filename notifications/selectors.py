"""Reads of the notification pages. Each runs a fixed number of queries."""
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404

from actionplan.models import Membership, Role

from .models import EmailOptOut, EmailStatus, Kind, Notification


def get_notification_for_user(user, notification_id) -> Notification:
    """Only the recipient sees a notification; anyone else gets 404."""
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first() \
        if user.is_authenticated else None
    if notification is None:
        raise Http404("Notifikasi tidak ditemukan.")
    return notification


def notifications_page(*, user, page: str | int | None = None, per_page: int = 50) -> dict:
    """The user's notifications, newest first, with the target path the list shows, and for a Ketua Tim the
    people responsible in their units who have no e-mail address. A fixed number of queries; the unread count
    comes with the navigation bar (`nav.unread`)."""
    notifications = (Notification.objects.filter(recipient=user)
                     .select_related("target__step__indicator__subcomponent__component__plan__unit")
                     .order_by("-created_at", "-id"))
    page_obj = Paginator(notifications, per_page).get_page(page)
    return {"page_obj": page_obj, "notifications": page_obj.object_list,
            "without_email": responsible_without_email(user)}


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def responsible_without_email(user) -> list:
    """People responsible for a step in the units where `user` is Ketua Tim who have no e-mail address (they get
    their reminders in the portal only), with how many steps they hold and how many notices were not mailed.
    Empty for everyone else."""
    if not user.is_authenticated:
        return []
    ketua_units = Membership.objects.filter(user=user, role=Role.KETUA).values("unit_id")
    # Filtering before annotating makes the step count follow the same join: steps in those units only.
    return list(get_user_model().objects
                .filter(email="", is_active=True,
                        assignments__step__indicator__subcomponent__component__plan__unit_id__in=ketua_units)
                .annotate(step_count=Count("assignments", distinct=True),
                          unmailed=Count("notifications", distinct=True,
                                         filter=Q(notifications__email_status=EmailStatus.NO_EMAIL)))
                .order_by("first_name", "last_name", "username"))


def email_preferences(user) -> list[dict]:
    """Every kind a person can switch e-mail off for, with whether e-mail is on."""
    off = set(EmailOptOut.objects.filter(user=user).values_list("kind", flat=True))
    return [{"kind": kind, "label": label, "email": kind not in off} for kind, label in Kind.preference_choices()]
