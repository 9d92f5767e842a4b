"""Authentication backends of the portal."""
from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check for logins that come through a request (the login page, the admin login).

    A call of `authenticate()` without a request is not a login over the network — a management command, the
    shell, a test client's `login()` — and has no address to lock: it is left to the next backend instead of
    failing, as axes' own backend would. Every web login passes its request (Django's LoginView does), so the
    lockout covers every attempt from outside.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


USERNAME_MAX_LENGTH = 150  # django.contrib.auth's User.username


def lockout_username(request, credentials=None) -> str | None:
    """The username a failed login is counted under (AXES_USERNAME_CALLABLE).

    As axes itself takes it (the credentials, else the posted form), but cut to the longest username that can
    exist and without NUL characters: axes stores it in a 255-character column, and a login form posted with a
    megabyte of username (Django's login form does not enforce the length before authenticating) or a NUL must
    be a failed login, not a database error."""
    from axes.conf import settings as axes_settings

    field = axes_settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        name = credentials.get(field)
    else:
        name = getattr(request, "data", request.POST).get(field)
    return None if name is None else str(name).replace("\x00", "")[:USERNAME_MAX_LENGTH]
