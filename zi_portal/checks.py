"""System checks of the portal (registered by actionplan's AppConfig.ready)."""
from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def demo_mode_is_off(app_configs=None, **kwargs):
    """DEMO_MODE lets seed_demo plant users with a published password and signs with the demo certificate: an
    installation checked for deployment (`check --deploy`, `make prod-check`) must not have it."""
    if getattr(settings, "DEMO_MODE", False):
        return [checks.Warning("DEMO_MODE is on: seed_demo may create users with the published demo password and "
                               "reports are signed with the demo certificate.",
                               hint="Unset DEMO_MODE outside the local demo (make run).", id="zi_portal.W001")]
    return []
