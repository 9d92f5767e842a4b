"""What the portal's own data says about the answers: suggestions (shown with their source, never applied) and
consistency warnings (shown next to the question and in the summary, never blocking).

The question codes below are those of PermenPAN-RB 90/2021; each rule applies only when its question exists in the
assessment's version, so another version simply gets no suggestion until its rules are written.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, IntegerField, Q, Subquery
from django.utils.translation import gettext as _

from . import scoring
from .signals import signed_semesters

PLAN_EXISTS = "A.I.1.ii.a"          # Terdapat dokumen rencana kerja pembangunan ZI
ACTIVITIES_AS_PLANNED = "A.I.1.iii.a"   # Seluruh kegiatan pembangunan sudah dilaksanakan sesuai rencana
MONEV_WITH_LEADERS = "A.I.1.iii.b"      # Monitoring dan evaluasi melibatkan pimpinan secara berkala
TARGETS_REACHED = "A.II.4.i.a"          # Persentase sasaran dengan capaian 100% atau lebih
BETTER_PERFORMANCE = "B.I.b"            # Capaian kinerja lebih baik
DISCIPLINE = ("A.II.3.iii.a", "A.II.3.iii.a.1", "A.II.3.iii.a.2")   # question, last year, this year
SAME_NUMBER = ("A.II.1.i.a.2", "A.II.1.i.b.1")   # "Jumlah perubahan yang dibuat", asked twice
FULL_COMPLIANCE = ("A.II.5.iii.a", "A.II.5.iii.b")   # LHKPN, LHKASN: Tabel 5 asks 100 %
AGENTS_SET = "A.I.1.iv.b"                # Sudah ditetapkan agen perubahan
AGENTS_COUNT = ("A.II.1.i.a", "A.II.1.i.a.1")   # question, "Jumlah Agen Perubahan"
# register kind → (question, "jumlah yang harus melaporkan", "jumlah yang sudah melaporkan")
ASSET_COUNTS = {"lhkpn": ("A.II.5.iii.a", "A.II.5.iii.a.1", "A.II.5.iii.a.5"),
                "lhkasn": ("A.II.5.iii.b", "A.II.5.iii.b.1", "A.II.5.iii.b.5")}


@dataclass
class Suggestion:
    """`choice` is what the page shows as the suggested answer; for a count question it describes `counts`
    (count code → number), which the warnings compare with the counts entered."""
    code: str
    choice: str
    source: str
    counts: dict | None = None


class _CountOf(Subquery):
    """COUNT(*) of a queryset as a scalar subquery (no GROUP BY), so several counts come in one query."""
    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


def register_figures(unit_id: int, year: int) -> dict:
    """What the programme registers hold for the LKE: the members of the unit's current Agen Perubahan SK, and per
    LHKPN/LHKASN the people who must file for `year` and those who filed. One query."""
    from actionplan.models import Unit
    from programme.models import AssetReport, Team, TeamKind, TeamMember

    agents = {"team__unit_id": unit_id, "team__kind": TeamKind.AGEN_PERUBAHAN, "team__replaced_by__isnull": True}
    counts = {"agents": _CountOf(TeamMember.objects.filter(**agents).values("pk")),
              "agent_teams": _CountOf(Team.objects.filter(unit_id=unit_id, kind=TeamKind.AGEN_PERUBAHAN,
                                                           replaced_by__isnull=True).values("pk"))}
    for kind in ASSET_COUNTS:
        must = AssetReport.objects.filter(staff__unit_id=unit_id, year=year, kind=kind, must_file=True)
        counts[f"{kind}_must"] = _CountOf(must.values("pk"))
        counts[f"{kind}_filed"] = _CountOf(must.filter(filed_on__isnull=False).values("pk"))
    row = Unit.objects.filter(pk=unit_id).annotate(**counts).values(*counts).first()
    return {**(row or dict.fromkeys(counts, 0)), "year": year}


def plan_figures(plan, year: int) -> dict | None:
    """Completion of the plan's dated targets due by the end of `year` (or today, whichever is earlier), and the
    semester reports signed. Two queries."""
    if plan is None:
        return None
    as_of = min(datetime.date(year, 12, 31), datetime.date.today())
    from actionplan.models import Target, counts_on_its_date_q

    # Dates that count only (in the plan year or confirmed): a suspect date is not "due" in another year.
    row = Target.objects.filter(counts_on_its_date_q(plan_year=plan.year),
                                step__indicator__subcomponent__component__plan=plan,
                                due_date__lte=as_of).aggregate(
        due=Count("pk"), done=Count("pk", filter=Q(evidence_status="accepted")))
    signed = set().union(*(semesters for _receiver, semesters in signed_semesters.send(sender=type(plan), plan=plan)))
    return {"due": row["due"], "done": row["done"], "as_of": as_of, "signed": signed,
            "share": (Decimal(row["done"]) / row["due"]) if row["due"] else None}


def suggestions(struct: scoring.Structure, *, plan, figures: dict | None,
                register: dict | None = None) -> dict[str, Suggestion]:
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
    if register:
        out.update(_register_suggestions(struct, register))
    return out


def _register_suggestions(struct: scoring.Structure, register: dict) -> dict[str, Suggestion]:
    out = {}
    if AGENTS_SET in struct.questions and not register["agent_teams"]:
        # with an SK the portal cannot tell whether the agents contribute (A or B): no suggestion then
        out[AGENTS_SET] = Suggestion(AGENTS_SET, "C", _("Belum ada SK Agen Perubahan di portal (Tim dan SK)."))
    question, count_code = AGENTS_COUNT
    if question in struct.questions and count_code in struct.count_codes and register["agents"]:
        out[question] = Suggestion(question, f"{count_code} = {register['agents']}", _(
            "SK Agen Perubahan di portal: %(n)s orang.") % {"n": register["agents"]},
            counts={count_code: register["agents"]})
    for kind, (question, must_code, filed_code) in ASSET_COUNTS.items():
        must, filed = register[f"{kind}_must"], register[f"{kind}_filed"]
        if question in struct.questions and must:
            out[question] = Suggestion(question, f"{must_code} = {must}, {filed_code} = {filed}", _(
                "Register %(k)s tahun %(y)s: %(f)s dari %(m)s pegawai wajib lapor sudah melapor.")
                % {"k": kind.upper(), "y": register["year"], "f": filed, "m": must},
                counts={must_code: must, filed_code: filed})
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
        if s.counts:
            row = answers.get(code)
            for count_code, number in s.counts.items():
                typed = row.counts.get(count_code) if row else None
                if typed is not None and typed != number:
                    add(code, _("%(c)s dijawab %(t)s, data portal menunjukkan %(n)s: %(src)s")
                        % {"c": count_code, "t": typed, "n": number, "src": s.source})
            continue
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
