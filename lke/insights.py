"""What the portal's own data says about the answers: suggestions (shown with their source, never applied) and
consistency warnings (shown next to the question and in the summary, never blocking).

The question codes below are those of PermenPAN-RB 90/2021; each rule applies only when its question exists in the
assessment's version, so another version simply gets no suggestion until its rules are written.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from . import scoring

PLAN_EXISTS = "A.I.1.ii.a"          # Terdapat dokumen rencana kerja pembangunan ZI
ACTIVITIES_AS_PLANNED = "A.I.1.iii.a"   # Seluruh kegiatan pembangunan sudah dilaksanakan sesuai rencana
MONEV_WITH_LEADERS = "A.I.1.iii.b"      # Monitoring dan evaluasi melibatkan pimpinan secara berkala
TARGETS_REACHED = "A.II.4.i.a"          # Persentase sasaran dengan capaian 100% atau lebih
BETTER_PERFORMANCE = "B.I.b"            # Capaian kinerja lebih baik
DISCIPLINE = ("A.II.3.iii.a", "A.II.3.iii.a.1", "A.II.3.iii.a.2")   # question, last year, this year
SAME_NUMBER = ("A.II.1.i.a.2", "A.II.1.i.b.1")   # "Jumlah perubahan yang dibuat", asked twice
FULL_COMPLIANCE = ("A.II.5.iii.a", "A.II.5.iii.b")   # LHKPN, LHKASN: Tabel 5 asks 100 %


@dataclass
class Suggestion:
    code: str
    choice: str
    source: str


def plan_figures(plan, year: int) -> dict | None:
    """Completion of the plan's dated targets due by the end of `year` (or today, whichever is earlier), and the
    semester reports signed. Two queries."""
    if plan is None:
        return None
    from monev.models import Report

    as_of = min(datetime.date(year, 12, 31), datetime.date.today())
    from actionplan.models import Target

    row = Target.objects.filter(step__indicator__subcomponent__component__plan=plan, due_date__isnull=False,
                                due_date__lte=as_of).aggregate(
        due=Count("pk"), done=Count("pk", filter=Q(evidence_status="accepted")))
    signed = set(Report.objects.filter(plan=plan, status=Report.Status.SIGNED).values_list("semester", flat=True))
    return {"due": row["due"], "done": row["done"], "as_of": as_of, "signed": signed,
            "share": (Decimal(row["done"]) / row["due"]) if row["due"] else None}


def suggestions(struct: scoring.Structure, *, plan, figures: dict | None) -> dict[str, Suggestion]:
    out = {}
    if PLAN_EXISTS in struct.questions:
        if plan is not None:
            out[PLAN_EXISTS] = Suggestion(PLAN_EXISTS, "Ya",
                                          _("Rencana kerja ada di portal: %(t)s") % {"t": plan.title})
        else:
            out[PLAN_EXISTS] = Suggestion(PLAN_EXISTS, "Tidak", _("Belum ada rencana kerja tahun ini di portal."))
    if figures and ACTIVITIES_AS_PLANNED in struct.questions and figures["share"] is not None:
        share = figures["share"]
        choice = "A" if share >= 1 else "B" if share >= Decimal("0.5") else "C" if share > 0 else "D"
        out[ACTIVITIES_AS_PLANNED] = Suggestion(ACTIVITIES_AS_PLANNED, choice, _(
            "Rencana kerja: %(d)s dari %(n)s target yang jatuh tempo s/d %(t)s selesai (%(p)s%%).") % {
            "d": figures["done"], "n": figures["due"], "t": figures["as_of"].strftime("%d-%m-%Y"),
            "p": scoring.r2(share * 100)})
    if figures and MONEV_WITH_LEADERS in struct.questions:
        n = len(figures["signed"])
        choice = {2: "A", 1: "B"}.get(n, "D")
        out[MONEV_WITH_LEADERS] = Suggestion(MONEV_WITH_LEADERS, choice, _(
            "Laporan Monev semester yang ditandatangani Kepala Dinas: %(n)s dari 2.") % {"n": n})
    return out


def warnings(struct: scoring.Structure, *, result: scoring.Score, answers: dict, sugg: dict,
             previous_year: dict | None) -> dict[str, list[str]]:
    """question code → messages. `answers`: code → AnswerRow of the column; `previous_year`: code → AnswerRow of
    last year's same column (or None)."""
    out: dict[str, list[str]] = {code: list(msgs) for code, msgs in result.warnings.items()}

    def add(code, message):
        out.setdefault(code, []).append(message)

    def choice(code):
        row = answers.get(code)
        return row.choice if row else ""

    if BETTER_PERFORMANCE in struct.questions and TARGETS_REACHED in struct.questions:
        reached = result.values.get(TARGETS_REACHED)
        if choice(BETTER_PERFORMANCE) == "A" and reached is not None and reached < Decimal("0.5"):
            add(BETTER_PERFORMANCE, _("Dijawab A, padahal sasaran yang tercapai 100%% (%(q)s) hanya %(p)s%%.")
                % {"q": TARGETS_REACHED, "p": scoring.r2(reached * 100)})
    for code, s in sugg.items():
        given = choice(code)
        if given and given != s.choice:
            add(code, _("Dijawab %(g)s, data portal menunjukkan %(s)s: %(src)s") % {"g": given, "s": s.choice,
                                                                                  "src": s.source})
    q, last_code, this_code = DISCIPLINE
    if q in struct.questions and previous_year is not None:
        now = answers.get(q)
        before = previous_year.get(q)
        if now and before and now.counts.get(last_code) is not None and before.counts.get(this_code) is not None \
                and now.counts[last_code] != before.counts[this_code]:
            add(q, _("Pelanggaran \"tahun sebelumnya\" %(a)s tidak sama dengan \"tahun ini\" pada LKE tahun "
                     "lalu (%(b)s).")
                % {"a": now.counts[last_code], "b": before.counts[this_code]})
    a_code, b_code = SAME_NUMBER
    if a_code in struct.count_codes and b_code in struct.count_codes:
        a = (answers.get(struct.count_codes[a_code]) or _Empty).counts.get(a_code)
        b = (answers.get(struct.count_codes[b_code]) or _Empty).counts.get(b_code)
        if a is not None and b is not None and a != b:
            add(struct.count_codes[b_code], _("Jumlah perubahan yang dibuat: %(a)s di %(ac)s, %(b)s di %(bc)s.")
                % {"a": a, "ac": a_code, "b": b, "bc": b_code})
    for code in FULL_COMPLIANCE:
        value = result.values.get(code)
        if code in struct.questions and value is not None and value < 1:
            add(code, _("Di bawah 100%% (%(p)s%%): syarat pengusulan (Tabel 5) meminta kepatuhan 100%%.")
                % {"p": scoring.r2(value * 100)})
    return out


class _Empty:
    counts: dict = {}
