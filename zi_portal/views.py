"""Views of the project package: the home page, which reads across the apps (see zi_portal/home.py)."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from actionplan.models import SOON_DAYS, Role
from actionplan.selectors import plans_for_user

from .home import home_panels
from .nav import nav_for


@login_required
def home(request):
    """What needs the user now, per role in each unit (the counts come with the navigation bar), and their plans."""
    nav = nav_for(request)
    return render(request, "actionplan/home.html", {
        "plans": plans_for_user(request.user), "role_choices": Role.choices, "soon_days": SOON_DAYS,
        "panels": home_panels(request.user, memberships=nav["memberships"], today=nav["today"])})
