"""The embedded demo with DEBUG off (`make run`): the explicit DEMO_MODE flag lets seed_demo and the demo
certificate work, signs with the demo certificate, and `check --deploy` warns while it is on. `.ci/check-make-run`
starts `make run` itself from a clean clone; these are the settings it relies on."""
import io

import pytest
from django.core.management import CommandError, call_command

from actionplan.models import Plan

from .test_production import PRODUCTION_ENV, _manage

DEMO_ENV = {"DEMO_MODE": "true", "DEBUG": "false", "SECRET_KEY": "uji-" + "y" * 60}


def test_seed_demo_runs_with_debug_off_under_the_demo_flag(db, settings, client):
    settings.DEBUG, settings.DEMO_MODE = False, True
    call_command("seed_demo", stdout=io.StringIO())
    assert Plan.objects.count() == 1
    assert client.login(username="ketua", password=settings.DEMO_PASSWORD)


def test_seed_demo_and_the_demo_certificate_refuse_without_debug_or_the_demo_flag(db, settings, tmp_path):
    settings.DEBUG, settings.DEMO_MODE = False, False
    settings.MONEV_SIGNING_DIR = tmp_path / "signing"
    with pytest.raises(CommandError, match="DEMO_MODE"):
        call_command("seed_demo", stdout=io.StringIO())
    with pytest.raises(CommandError, match="DEMO_MODE"):
        call_command("make_demo_certificate", stdout=io.StringIO())
    assert Plan.objects.count() == 0 and not (tmp_path / "signing").exists()


def test_the_demo_flag_signs_with_the_demo_certificate_and_debug_stays_off():
    code = "from django.conf import settings as s; print(s.DEBUG, s.MONEV_SIGNING_P12_PATH)"
    done = _manage("shell", "-c", code, env_extra=DEMO_ENV)
    assert done.returncode == 0, done.stderr
    debug, p12 = done.stdout.strip().splitlines()[-1].split()
    assert debug == "False" and p12.endswith("var/signing/demo-signing.p12")

    done = _manage("shell", "-c", code, env_extra=PRODUCTION_ENV)
    assert done.stdout.strip().splitlines()[-1].split() == ["False"]        # no demo certificate in production


def test_check_deploy_warns_while_the_demo_flag_is_on():
    done = _manage("check", "--deploy", "--fail-level", "WARNING", env_extra={**PRODUCTION_ENV, "DEMO_MODE": "true"})
    assert done.returncode != 0
    assert "zi_portal.W001" in done.stdout + done.stderr
