def memberships(request):
    """The user's units and roles, for the navigation bar (one query, only for signed-in users)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_memberships": lambda: list(user.memberships.select_related("unit"))}
