from django.utils.functional import SimpleLazyObject

from .models import Role


def memberships(request):
    """The user's units and roles and their unread notifications for the navigation bar: two queries, only when a
    page renders the bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def load():
        from monev.reminders import unread_count

        rows = list(user.memberships.select_related("unit"))
        return {"memberships": rows, "is_ketua": any(m.role == Role.KETUA for m in rows),
                "watches": any(m.role in (Role.KETUA, Role.KEPALA, Role.TPI) for m in rows),
                "unread": unread_count(user)}  # the notifications badge: one more query

    return {"nav": SimpleLazyObject(load)}
