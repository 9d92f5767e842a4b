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
