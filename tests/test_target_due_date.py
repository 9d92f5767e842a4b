"""The Ketua Tim sets, corrects or confirms a target's due date in the portal (issue 14): audited with the reason,
the date's period follows it, a date taken by another target of the step is refused in words, the change is
announced by a signal after the commit, and an unconfirmed date outside the plan year is never counted late."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from actionplan.models import AuditEvent, Membership, Target
from actionplan.services import target_due_date_set
from actionplan.signals import target_due_date_changed
from monev.selectors import LATE, REVIEW_NEEDED, targets_with_status

AS_OF = datetime.date(2019, 7, 1)


@pytest.fixture
def typo_target(plan):
    """The seed's "Feb-17": read as 28 Februari 2017 in the 2019 plan, with the parser's warning."""
    return Target.objects.get(step__indicator__subcomponent__component__plan=plan, due_date=datetime.date(2017, 2, 28))


@pytest.fixture
def undated_target(plan):
    return Target.objects.filter(step__indicator__subcomponent__component__plan=plan, due_date__isnull=True).first()


def _status(target) -> str:
    return targets_with_status(as_of=AS_OF).get(pk=target.pk).status


def _membership(user):
    return Membership.objects.get(user=user)


def test_seed_typo_date_is_perlu_ditinjau_not_late_before_anyone_confirms_it(typo_target):
    assert "mungkin salah ketik" in typo_target.warning
    assert _status(typo_target) == REVIEW_NEEDED


def test_ketua_confirming_an_out_of_year_date_makes_it_count_as_late(typo_target, ketua):
    target_due_date_set(target=typo_target, user=ketua, membership=_membership(ketua), due_date=typo_target.due_date,
                        reason="Memang tahun 2017, kegiatan lanjutan")
    typo_target.refresh_from_db()
    assert typo_target.date_confirmed_by == ketua and typo_target.date_confirmed_at is not None
    assert typo_target.warning == ""
    assert _status(typo_target) == LATE
    event = AuditEvent.objects.get(action="target.due_date_confirm", object_id=str(typo_target.pk))
    assert event.data["old"] == event.data["new"] == "2017-02-28"
    assert "mungkin salah ketik" in event.data["old_warning"]


def test_ketua_corrects_a_typo_date_through_the_form_with_old_and_new_value_audited(client, login, typo_target,
                                                                                   ketua):
    url = reverse("actionplan:target_date", args=[typo_target.pk])
    page = login(ketua).get(url)
    assert page.status_code == 200
    assert "Konfirmasi tanggal" in page.content.decode() and 'id="out-of-year"' in page.content.decode()
    response = client.post(url + "?kembali=rencana", {"due_date": "2019-02-28", "reason": "Salah ketik di rencana"})
    assert response.status_code == 302 and reverse("actionplan:plan_detail", args=[typo_target.step.indicator
                                                                                    .subcomponent.component.plan_id]) \
        in response["Location"]
    typo_target.refresh_from_db()
    assert (typo_target.due_date, typo_target.year, typo_target.semester) == (datetime.date(2019, 2, 28), 2019, 1)
    event = AuditEvent.objects.get(action="target.due_date_set", object_id=str(typo_target.pk))
    assert (event.actor, event.data["old"], event.data["new"], event.data["reason"]) == (
        ketua, "2017-02-28", "2019-02-28", "Salah ketik di rencana")
    history = client.get(url).content.decode()
    assert "Salah ketik di rencana" in history and "2017-02-28 → 2019-02-28" in history


def test_undated_target_gets_its_year_and_semester_from_the_new_date(undated_target, ketua):
    assert _status(undated_target) == REVIEW_NEEDED
    target_due_date_set(target=undated_target, user=ketua, membership=_membership(ketua),
                        due_date=datetime.date(2019, 9, 30), reason="Disepakati rapat tim")
    undated_target.refresh_from_db()
    assert (undated_target.year, undated_target.semester) == (2019, 2)
    assert _status(undated_target) != REVIEW_NEEDED


def test_reason_is_required_and_nothing_changes_without_it(client, login, typo_target, ketua):
    response = login(ketua).post(reverse("actionplan:target_date", args=[typo_target.pk]),
                                 {"due_date": "2019-02-28", "reason": "   "})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    with pytest.raises(ValidationError) as caught:
        target_due_date_set(target=typo_target, user=ketua, membership=_membership(ketua),
                            due_date=datetime.date(2019, 2, 28), reason="")
    assert "alasan" in str(caught.value.message_dict["reason"]).lower()
    typo_target.refresh_from_db()
    assert typo_target.due_date == datetime.date(2017, 2, 28)


def test_form_refuses_a_year_far_from_the_plan_year(client, login, typo_target, ketua):
    response = login(ketua).post(reverse("actionplan:target_date", args=[typo_target.pk]),
                                 {"due_date": "2091-02-28", "reason": "Coba"})
    assert "Tanggal harus di tahun 2018–2020" in response.content.decode()


def test_a_date_another_target_of_the_step_has_is_refused_in_indonesian(client, login, plan, ketua):
    step_targets = None
    for target in Target.objects.filter(step__indicator__subcomponent__component__plan=plan,
                                        due_date__isnull=False).order_by("pk"):
        others = list(target.step.targets.exclude(pk=target.pk).exclude(due_date__isnull=True))
        if others:
            step_targets = (target, others[0])
            break
    target, other = step_targets
    response = login(ketua).post(reverse("actionplan:target_date", args=[target.pk]),
                                 {"due_date": other.due_date.isoformat(), "reason": "Digabung"})
    assert response.status_code == 200
    assert "sudah punya target bertanggal" in " ".join(response.context["form"].errors["due_date"])
    assert Target.objects.get(pk=target.pk).due_date == target.due_date


def test_date_change_sends_the_signal_once_after_commit_and_a_confirmation_sends_none(
        typo_target, ketua, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    target_due_date_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            target_due_date_set(target=typo_target, user=ketua, membership=_membership(ketua),
                                due_date=datetime.date(2019, 2, 28), reason="Salah ketik")
        assert received == []                      # nothing before the commit
        for callback in callbacks:
            callback()
        assert len(received) == 1
        sent = received[0]
        assert (sent["target"].pk, sent["old_date"], sent["new_date"], sent["user"], sent["reason"]) == (
            typo_target.pk, datetime.date(2017, 2, 28), datetime.date(2019, 2, 28), ketua, "Salah ketik")
        with django_capture_on_commit_callbacks(execute=True):
            target_due_date_set(target=typo_target, user=ketua, membership=_membership(ketua),
                                due_date=datetime.date(2019, 2, 28), reason="Sudah benar")
        assert len(received) == 1
    finally:
        target_due_date_changed.disconnect(receiver)


def test_only_the_ketua_of_the_unit_sets_dates(typo_target, anggota, outsider):
    for user in (anggota, outsider):
        with pytest.raises(PermissionDenied):
            target_due_date_set(target=typo_target, user=user, membership=Membership.objects.get(user=user),
                                due_date=datetime.date(2019, 2, 28), reason="Coba")


def test_plan_and_target_pages_link_the_ketua_to_the_date_form_only(client, login, plan, typo_target, ketua, anggota):
    plan_url = reverse("actionplan:plan_detail", args=[plan.pk]) + "?halaman=semua"
    date_url = reverse("actionplan:target_date", args=[typo_target.pk])
    target_url = reverse("evidence:target", args=[typo_target.pk])
    as_ketua = login(ketua).get(plan_url).content.decode()
    assert f'href="{date_url}?kembali=rencana"' in as_ketua
    assert "di luar tahun rencana, belum dikonfirmasi" in as_ketua
    assert date_url in client.get(target_url).content.decode()
    client.logout()
    login(anggota)
    assert date_url not in client.get(plan_url).content.decode()
    assert date_url not in client.get(target_url).content.decode()


def test_signed_pdf_shows_no_internal_data_notes(plan, ketua):
    from monev.pdf import render_report_pdf
    from monev.selectors import report_snapshot

    from .test_report_pdf import pdf_text

    snapshot = report_snapshot(plan=plan, semester=1, as_of=datetime.date(2019, 6, 30))
    rows = [r for c in snapshot["components"] for r in c["rows"]]
    assert any(r["due_date"] == "2017-02-28" for r in rows)            # the typo target is in the report …
    _name, pdf = render_report_pdf(snapshot=snapshot, number="800/1/2019", issued_on=datetime.date(2019, 6, 30),
                                   conclusions="", recommendations=[], previous_followups=[], draft=False)
    text = pdf_text(pdf)
    assert "salah ketik" not in text and "di luar tahun rencana" not in text   # … without the parser's note
    assert "perlu ditinjau karena" not in text.lower()
