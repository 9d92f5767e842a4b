from django.apps import apps
from django.utils.functional import SimpleLazyObject

from .models import Membership, Role, Unit


def _nav_sql() -> str:
    # Looked up by name: the notifications app builds on this one, so this one does not import it.
    Notification = apps.get_model("notifications", "Notification")
    member, unit, notification = (m._meta.db_table for m in (Membership, Unit, Notification))
    return (f'SELECT m.id, m.unit_id, m.role, u.name, '
            f'(SELECT COUNT(*) FROM "{notification}" n WHERE n.recipient_id = %s AND n.read_at IS NULL) '
            f'FROM (SELECT 1) one LEFT OUTER JOIN "{member}" m ON m.user_id = %s '
            f'LEFT OUTER JOIN "{unit}" u ON u.id = m.unit_id ORDER BY m.id')


def memberships(request):
    """The user's units and roles and their unread notifications for the navigation bar: one statement, only when
    a page renders the bar. Written as SQL because the bar is on every page: compiling two ORM queries cost more
    than the rest of a cached page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def load():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(_nav_sql(), [user.pk, user.pk])
            rows = cursor.fetchall()
        memberships = []
        for member_id, unit_id, role, unit_name, _unread in rows:
            if member_id is None:  # a user without a unit: the one row only carries the count
                continue
            m = Membership.from_db(connection.alias, ["id", "user_id", "unit_id", "role"],
                                   (member_id, user.pk, unit_id, role))
            m.user, m.unit = user, Unit.from_db(connection.alias, ["id", "name"], (unit_id, unit_name))
            memberships.append(m)
        return {"memberships": memberships, "is_ketua": any(m.role == Role.KETUA for m in memberships),
                "watches": any(m.role in (Role.KETUA, Role.KEPALA, Role.TPI) for m in memberships),
                "unread": rows[0][4] if rows else 0}

    return {"nav": SimpleLazyObject(load)}
