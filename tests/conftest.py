"""Named people for each role, in a unit built from the seed plan (STYLE.md §10)."""
import os
from pathlib import Path

import pytest

from actionplan.models import Role, Unit

from .factories import PASSWORD, SEED_FILE

IN_CI = os.environ.get("CI", "").lower() == "true"


def need(what: str, available: bool, why: str) -> None:
    """Skip a test on a laptop without `what`; on CI (CI=true) a missing tool fails the run loudly."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required on CI: {why}", pytrace=False)
    pytest.skip(f"{what} not available here: {why}")


@pytest.fixture(autouse=True)
def _test_settings(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Real hashing costs half a second per user; tests check permissions, not PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Pages compute what they show; the dashboard cache has a test of its own.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    # Backups are signed (zi_portal/lib/backup.py); tests of unsigned ones clear it.
    settings.BACKUP_KEY = "kunci-cadangan-uji"


@pytest.fixture
def unit(db):
    return Unit.objects.create(name="Dinas Kependudukan dan Pencatatan Sipil Kabupaten Lumajang",
                               pemda="Pemerintah Kabupaten Lumajang", city="Lumajang",
                               address="Kabupaten Lumajang, Jawa Timur")


@pytest.fixture
def other_unit(db):
    return Unit.objects.create(name="Dinas Kesehatan Kabupaten Lumajang", pemda="Pemerintah Kabupaten Lumajang")


@pytest.fixture
def plan(unit):
    from actionplan.services import plan_import

    return plan_import(source=SEED_FILE, filename=SEED_FILE.name, unit=unit, year=2019).plan


def _person(username, unit, role, nip=""):
    from actionplan.services import person_ensure

    user, _ = person_ensure(username=username, full_name=username.title(), nip=nip, position="",
                            unit=unit, role=role, password=PASSWORD)
    return user


@pytest.fixture
def anggota(unit):
    return _person("anggota", unit, Role.ANGGOTA)


@pytest.fixture
def anggota_other(unit):
    return _person("anggota_lain", unit, Role.ANGGOTA)


@pytest.fixture
def ketua(unit):
    return _person("ketua", unit, Role.KETUA, nip="196508191992031010")


@pytest.fixture
def kepala(unit):
    return _person("kepala", unit, Role.KEPALA, nip="196607101992031007")


@pytest.fixture
def tpi(unit):
    return _person("tpi", unit, Role.TPI)


@pytest.fixture
def outsider(other_unit):
    return _person("orang_luar", other_unit, Role.KETUA)


@pytest.fixture
def login(client):
    """login(user) → the test client signed in as that user."""
    def _login(user):
        client.force_login(user)
        return client
    return _login


@pytest.fixture
def first_target(plan):
    """The first dated target of component I (Tim Kerja, due 28 Februari 2019)."""
    from actionplan.models import Target

    return (Target.objects.filter(step__indicator__subcomponent__component__plan=plan, due_date__isnull=False)
            .order_by("step__indicator__subcomponent__component__order", "step__indicator__subcomponent__number",
                      "step__indicator__order", "due_date").first())


@pytest.fixture
def assigned_target(first_target, anggota, ketua):
    from actionplan.services import assignments_set

    assignments_set(step=first_target.step, users=[anggota], actor=ketua)
    return first_target


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser). Module-scoped: Playwright's sync API
    keeps an event loop running in this thread while it is open, which other tests must not inherit."""
    need("Chromium", os.path.exists(CHROMIUM), f"{CHROMIUM} is installed by `apt-get install chromium`")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def artifacts():
    path = Path(__file__).parent / "artifacts"
    path.mkdir(exist_ok=True)
    return path
