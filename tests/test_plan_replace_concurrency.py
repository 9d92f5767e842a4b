"""Replacing a plan in the admin while people upload (issue 13): on PostgreSQL the replacement and the uploads
lock in one order (the plan row first), so neither side gets a 500 and the data stays consistent; a preview
survives a database failure of its confirmation."""
import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.urls import reverse

from actionplan.models import ActionStep, Membership, Plan, Target
from actionplan.services import assignments_set, plan_import
from evidence.models import Revision
from evidence.services import evidence_submit

from .factories import pdf_bytes
from .test_faults import database_fails_on
from .test_plan_import import SMALL, text_table, upload

ROUNDS = 6
UPLOADERS = 4


def _fresh_plan(unit, year, anggota, ketua):
    content = text_table(SMALL).encode()
    plan = plan_import(source=content, filename="kecil.csv", unit=unit, year=year).plan
    targets = []
    for step in ActionStep.objects.filter(indicator__subcomponent__component__plan=plan).order_by("pk"):
        assignments_set(step=step, users=[anggota], actor=ketua)
        targets.append(Target.objects.filter(step=step).order_by("pk").first())
    return plan, content, targets[:UPLOADERS]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_replacing_a_plan_while_four_people_upload_never_fails_and_stays_consistent(admin_client, unit, anggota,
                                                                                   ketua, caplog):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row locks and deadlocks are what is tested (CI runs the suite again with "
                    "DATABASE_URL=postgres://…)")
    membership = Membership.objects.get(user=anggota, unit=unit)
    outcomes = {"replaced": 0, "refused": 0}
    for round_number in range(ROUNDS):
        year = 2030 + round_number
        plan, content, targets = _fresh_plan(unit, year, anggota, ketua)
        file = SimpleUploadedFile("kecil.csv", content)
        preview = admin_client.post(reverse("admin:actionplan_plan_import"),
                                    {"unit": unit.pk, "year": year, "file": file, "title": "", "replace": "on"})
        token = preview.context["token"]
        barrier = threading.Barrier(UPLOADERS + 1)
        results: list = [None] * UPLOADERS

        def upload_one(index: int, target_pk: int, barrier=barrier, results=results) -> None:
            try:
                target = Target.objects.select_related("step__indicator__subcomponent__component").get(pk=target_pk)
                barrier.wait(10)
                results[index] = evidence_submit(
                    target=target, user=anggota, membership=membership, description="Bukti",
                    files=[SimpleUploadedFile(f"bukti-{index}.pdf", pdf_bytes(f"Bukti {index}"))],
                    document_date=datetime.date(2019, 2, 20))
            except (ValidationError, PermissionDenied, Target.DoesNotExist) as exc:
                results[index] = exc  # a clear refusal: the plan was replaced first
            except BaseException as exc:  # noqa: BLE001 - anything else is what the test is about
                results[index] = ("crash", repr(exc))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=upload_one, args=(i, t.pk)) for i, t in enumerate(targets)]
        for thread in threads:
            thread.start()
        barrier.wait(10)
        response = admin_client.post(reverse("admin:actionplan_plan_import_confirm"), {"token": token})
        for thread in threads:
            thread.join(60)

        crashes = [r for r in results if isinstance(r, tuple)]
        assert crashes == [], f"round {round_number}: {crashes}"
        assert response.status_code in (200, 302), response.status_code
        revisions = Revision.objects.filter(target__step__indicator__subcomponent__component__plan=plan).count()
        uploaded = sum(isinstance(r, Revision) for r in results)
        assert revisions == uploaded
        if response.status_code == 302:  # replaced: no upload got in before it, every later one was refused
            outcomes["replaced"] += 1
            assert uploaded == 0
            assert all("diganti" in " ".join(getattr(r, "messages", [str(r)])) or isinstance(r, PermissionDenied)
                       or isinstance(r, Target.DoesNotExist) for r in results)
        else:  # refused cleanly: an upload was saved first, so the plan's data is in use
            outcomes["refused"] += 1
            assert uploaded >= 1
            assert "tidak dapat diganti karena datanya sudah dipakai" in response.content.decode()
    assert sum(outcomes.values()) == ROUNDS
    # The lock order is the fix; the one retry (zi_portal/lib/db.py) is only the safety net. Without the shared
    # plan lock this test logs deadlocks in most runs and fails when one strikes twice.
    assert [r.getMessage() for r in caplog.records if "deadlock" in r.getMessage()] == []
    print(f"outcomes over {ROUNDS} rounds: {outcomes}")


@pytest.mark.django_db
def test_a_preview_whose_confirmation_fails_in_the_database_can_be_confirmed_again(admin_client, unit):
    content = text_table(SMALL).encode()
    preview = upload(admin_client, content, "kecil.csv", unit)
    token = preview.context["token"]
    with database_fails_on("actionplan_component"):
        failed = admin_client.post(reverse("admin:actionplan_plan_import_confirm"), {"token": token})
    assert failed.status_code == 200
    page = failed.content.decode()
    assert "Pratinjau masih berlaku" in page and f'value="{token}"' in page
    assert not Plan.objects.filter(unit=unit, year=2019).exists()
    again = admin_client.post(reverse("admin:actionplan_plan_import_confirm"), {"token": token})
    assert again.status_code == 302 and Plan.objects.filter(unit=unit, year=2019).exists()
    spent = admin_client.post(reverse("admin:actionplan_plan_import_confirm"), {"token": token}, follow=True)
    assert "sudah dipakai" in spent.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_transaction_picked_as_deadlock_victim_is_run_once_more_and_succeeds(unit, other_unit):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: a real deadlock between two connections")
    from django.db import transaction

    from actionplan.models import Unit
    from zi_portal.lib.db import retry_once_on_deadlock

    barrier = threading.Barrier(2)
    attempts: dict[str, int] = {}
    results: dict[str, object] = {}

    def locker(name: str, first: int, second: int) -> None:
        @retry_once_on_deadlock
        def work():
            attempts[name] = attempts.get(name, 0) + 1
            with transaction.atomic():
                Unit.objects.select_for_update().get(pk=first)
                if attempts[name] == 1:
                    barrier.wait(10)  # both hold their first row: the second lock closes the cycle
                Unit.objects.select_for_update().get(pk=second)
                Unit.objects.filter(pk=first).update(city=f"oleh {name}")
            return "ok"

        try:
            results[name] = work()
        except BaseException as exc:  # noqa: BLE001 - reported below
            results[name] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=locker, args=("a", unit.pk, other_unit.pk)),
               threading.Thread(target=locker, args=("b", other_unit.pk, unit.pk))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results == {"a": "ok", "b": "ok"}
    assert sorted(attempts.values()) == [1, 2]  # PostgreSQL broke the cycle by failing one; it ran again
