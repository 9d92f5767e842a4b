"""Reads of the LKE pages. The version's tree is read once per process (seven queries) and kept in memory under
(version id, SHA-256 of its data file): it never changes while assessments use it (`lke.loading`). A page then
needs one query for both columns' answers, whatever the number of questions answered."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch
from django.http import Http404

from actionplan.models import Membership, Plan, Unit
from actionplan.selectors import membership_for

from . import scoring
from .models import (
    ELIGIBILITY_ITEMS,
    Answer,
    AnswerEvidence,
    Assessment,
    Column,
    Eligibility,
    EligibilityStatus,
    LkeArea,
    LkeChoice,
    LkeCount,
    LkeCriterion,
    LkeNode,
    LkePredicate,
    LkeQuestion,
    LkeVersion,
    QuestionLink,
    UnitStanding,
)

_STRUCTURES: dict[tuple[int, str], scoring.Structure] = {}


def current_version() -> LkeVersion:
    """The newest loaded LKE version (new assessments are made on it)."""
    version = LkeVersion.objects.order_by("-id").first()
    if version is None:
        raise Http404("LKE belum dimuat (manage.py lke_load).")
    return version


def structure(version: LkeVersion) -> scoring.Structure:
    """The version's tree as plain objects for scoring and display."""
    key = (version.pk, version.data_sha256)
    found = _STRUCTURES.get(key)
    if found is not None:
        return found
    nodes = list(LkeNode.objects.filter(version=version).order_by("order"))
    questions = list(LkeQuestion.objects.filter(version=version).order_by("order")
                     .select_related("node").only("pk", "code", "text", "explanation", "answer_type", "weight",
                                                   "formula", "order", "node__code"))
    choices, counts = defaultdict(list), defaultdict(list)
    for c in LkeChoice.objects.filter(question__version=version).order_by("question_id", "order"):
        choices[c.question_id].append((c.key, c.text, c.value))
    for c in LkeCount.objects.filter(question__version=version).order_by("question_id", "order"):
        counts[c.question_id].append((c.code, c.text))
    areas = tuple((a.number, a.name, a.weight) for a in LkeArea.objects.filter(version=version).order_by("number"))
    predicates = tuple(
        scoring.Predicate(p.code, p.name, p.requires, tuple(
            scoring.Criterion(c.code, c.label, c.node_code or None, c.minimum, c.min_share)
            for c in p.criteria.all()))
        for p in LkePredicate.objects.filter(version=version).order_by("order")
        .prefetch_related(Prefetch("criteria", queryset=LkeCriterion.objects.order_by("order"))))
    by_pk = {n.pk: n for n in nodes}
    children, node_questions = defaultdict(list), defaultdict(list)
    for n in nodes:
        if n.parent_id:
            children[n.parent_id].append(n.code)
    for q in questions:
        node_questions[q.node_id].append(q.code)

    def depth(n):
        d = 0
        while n.parent_id:
            n, d = by_pk[n.parent_id], d + 1
        return d

    built = scoring.Structure(
        version_id=version.pk, sha=version.data_sha256, name=version.name,
        nodes={n.code: scoring.Node(n.pk, n.code, n.kind, n.title, n.weight, n.area_number,
                                    by_pk[n.parent_id].code if n.parent_id else None, depth(n),
                                    tuple(children[n.pk]), tuple(node_questions[n.pk])) for n in nodes},
        questions={q.code: scoring.Question(q.pk, q.code, q.node.code, q.text, q.explanation, q.answer_type, q.weight,
                                            tuple(choices[q.pk]), tuple(counts[q.pk]), q.formula)
                   for q in questions},
        roots=tuple(n.code for n in nodes if n.parent_id is None),
        areas=areas, predicates=predicates)
    built.count_codes = {code: q.code for q in built.questions.values() for code, _t in q.counts}
    _STRUCTURES.clear()  # one or two versions in use: keep only the newest one asked for
    _STRUCTURES[key] = built
    return built


# -- access ---------------------------------------------------------------------------------------------------------

def get_unit_for_user(user, unit_id) -> tuple[Unit, Membership]:
    membership = membership_for(user, unit_id) if 0 < int(unit_id) < 2**63 else None
    if membership is None:
        raise Http404("Unit tidak ditemukan.")
    return membership.unit, membership


def get_assessment_for_user(user, assessment_id) -> tuple[Assessment, Membership]:
    assessment = (Assessment.objects.select_related("unit", "version", "plan").filter(pk=assessment_id).first()
                  if str(assessment_id).isdigit() else None)
    membership = membership_for(user, assessment.unit_id) if assessment else None
    if membership is None:
        raise Http404("Penilaian tidak ditemukan.")
    return assessment, membership


def find_assessment(unit, year) -> Assessment | None:
    return Assessment.objects.select_related("version", "plan").filter(unit=unit, year=year).first()


def holds_for(unit_id) -> set:
    standing = UnitStanding.objects.filter(unit_id=unit_id).first()
    return {"WBK"} if standing and standing.holds_wbk else set()


# -- answers and scores ---------------------------------------------------------------------------------------------

@dataclass
class AnswerRow:
    pk: int
    column: str
    choice: str
    value: Decimal | None
    counts: dict
    note: str
    state: str
    evidence_count: int
    updated_by: str

    @property
    def data(self) -> scoring.AnswerData:
        return scoring.AnswerData(self.choice, self.value, self.counts or {})


def answers(assessment: Assessment | None) -> dict[str, dict[str, AnswerRow]]:
    """column → question code → AnswerRow (with its number of evidence links). One query."""
    out = {Column.UNIT: {}, Column.TPI: {}}
    if assessment is None:
        return out
    rows = (Answer.objects.filter(assessment=assessment)
            .annotate(evidence_count=Count("evidence"))
            .values_list("pk", "column", "question__code", "choice", "value", "counts", "note", "state",
                         "evidence_count", "updated_by__username"))
    for pk, column, code, choice, value, counts, note, state, n, who in rows:
        out[column][code] = AnswerRow(pk, column, choice, value, counts or {}, note, state, n, who or "")
    return out


def column_score(struct: scoring.Structure, rows: dict[str, AnswerRow], holds: set) -> scoring.Score:
    return scoring.score(struct, {code: row.data for code, row in rows.items()}, holds=holds)


def eligibility(assessment: Assessment | None) -> list[tuple[str, str, str, str]]:
    """(item, label, status, note) for every Tabel 5 item; unknown until recorded."""
    found = {}
    if assessment is not None:
        found = {e.item: e for e in Eligibility.objects.filter(assessment=assessment)}
    return [(item, label, found[item].status if item in found else EligibilityStatus.UNKNOWN,
             found[item].note if item in found else "") for item, label in ELIGIBILITY_ITEMS]


def score_summary(result: scoring.Score, struct: scoring.Structure) -> dict:
    """The figures of one column as plain strings and numbers (the frozen snapshots, the Monev section)."""
    return {
        "version": struct.name,
        "total": str(scoring.r2(result.total)),
        "nodes": {code: str(scoring.r2(v)) for code, v in result.nodes.items()},
        "areas": {str(n): str(scoring.r2(v)) for n, v in result.areas.items()},
        "prediction": result.prediction,
        "provisional": result.provisional,
        "answered": result.answered,
        "questions": result.question_count,
        "failed": [{"predicate": c.predicate, "label": c.label, "figure": str(c.figure), "limit": str(c.limit),
                    "unit": c.unit} for p in result.predicates for c in p.failed],
    }


# -- the multi-unit table --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ColumnSummary:
    total: Decimal
    prediction: str
    provisional: bool


@dataclass
class UnitRow:
    unit: Unit
    assessment: Assessment | None
    unit_score: ColumnSummary | None
    tpi_score: ColumnSummary | None


def units_table(user, year: int) -> list[UnitRow]:
    """Every unit of the user (a TPI of several units sees them all) with both columns' totals and predictions
    for `year`. Each assessment's figures are cached under its `revision` (bumped by every write to it) and the
    unit's standing, so a page of 100 units reads answers only for the assessments that changed. Four queries at
    most whatever the number of units (plus the tree once per process)."""
    from django.conf import settings
    from django.core.cache import cache

    units = list(Unit.objects.filter(memberships__user=user).order_by("name").distinct())
    assessments = {a.unit_id: a for a in Assessment.objects.filter(unit__in=units, year=year)
                   .select_related("version", "unit__lke_standing")}
    keys = {a.pk: f"lke:columns:{a.pk}:{a.revision}:{a.version.data_sha256[:12]}:{int(bool(_holds(a)))}"
            for a in assessments.values()}
    found = cache.get_many(list(keys.values())) if keys else {}
    missing = [a for a in assessments.values() if keys[a.pk] not in found]
    if missing:
        by_assessment: dict[int, dict] = defaultdict(lambda: {Column.UNIT: {}, Column.TPI: {}})
        for aid, column, code, choice, value, counts in (
                Answer.objects.filter(assessment__in=missing)
                .values_list("assessment_id", "column", "question__code", "choice", "value", "counts")):
            by_assessment[aid][column][code] = scoring.AnswerData(choice, value, counts or {})
        fresh = {}
        for a in missing:
            struct = structure(a.version)
            pair = []
            for column in (Column.UNIT, Column.TPI):
                result = scoring.score(struct, by_assessment[a.pk][column], holds=_holds(a))
                pair.append(ColumnSummary(scoring.r2(result.total), result.prediction, result.provisional))
            fresh[keys[a.pk]] = tuple(pair)
        cache.set_many(fresh, settings.DASHBOARD_CACHE_SECONDS)
        found.update(fresh)
    rows = []
    for unit in units:
        a = assessments.get(unit.pk)
        if a is None:
            rows.append(UnitRow(unit, None, None, None))
        else:
            unit_col, tpi_col = found[keys[a.pk]]
            rows.append(UnitRow(unit, a, unit_col, tpi_col))
    return rows


# -- the plan ------------------------------------------------------------------------------------------------------

def plan_for(unit, year) -> Plan | None:
    return Plan.objects.filter(unit=unit, year=year).first()


def question_links(plan: Plan | None, code: str):
    """The plan's indicators that serve the question, with their steps and targets' evidence status."""
    if plan is None:
        return []
    from actionplan.models import Indicator
    return list(Indicator.objects.filter(subcomponent__component__plan=plan, lke_links__question_code=code)
                .select_related("subcomponent__component")
                .prefetch_related("steps__targets").order_by("subcomponent__component__order",
                                                             "subcomponent__number", "order"))


def accepted_revisions(plan: Plan | None):
    """Accepted bukti fisik of the plan, to link an answer to."""
    if plan is None:
        return []
    from evidence.models import Revision, RevisionStatus
    return list(Revision.objects.filter(target__step__indicator__subcomponent__component__plan=plan,
                                        status=RevisionStatus.ACCEPTED)
                .select_related("target__step").order_by("target__step__indicator__subcomponent__component__order",
                                                         "target__due_date", "pk"))


def answer_evidence(answer_ids) -> dict[int, list[AnswerEvidence]]:
    out = defaultdict(list)
    for link in (AnswerEvidence.objects.filter(answer_id__in=list(answer_ids))
                 .select_related("revision__target__step", "document").prefetch_related("revision__files")):
        out[link.answer_id].append(link)
    return out


def indicator_questions(plan: Plan) -> dict[int, list[str]]:
    """indicator id → codes of the LKE questions it serves (the plan page). One query."""
    out = defaultdict(list)
    for indicator_id, code in (QuestionLink.objects.filter(indicator__subcomponent__component__plan=plan)
                               .order_by("question_code").values_list("indicator_id", "question_code")):
        out[indicator_id].append(code)
    return out


def questions_without_evidence(struct, rows: dict[str, AnswerRow]) -> list[str]:
    return [code for code in struct.questions if code in rows and not rows[code].data.is_empty
            and rows[code].evidence_count == 0]





# -- the assessment page ---------------------------------------------------------------------------------------------

def get_page_assessment(user, unit_id, year) -> tuple[Unit, Membership, Assessment | None]:
    """The unit (404 outside the user's units), the membership and the year's assessment if it exists, with the
    unit's standing (holds Menuju WBK) in the same query."""
    # an id beyond the database's integers (a hand-made URL) is simply not a unit
    membership = membership_for(user, unit_id) if 0 < int(unit_id) < 2**63 else None
    if membership is None or not 2000 <= int(year) <= 2100:
        raise Http404("Unit tidak ditemukan.")
    assessment = (Assessment.objects.select_related("version", "plan", "unit__lke_standing")
                  .filter(unit_id=unit_id, year=year).first())
    return membership.unit, membership, assessment


def _holds(assessment: Assessment) -> set:
    standing = getattr(assessment.unit, "lke_standing", None) if assessment else None
    return {"WBK"} if standing and standing.holds_wbk else set()


def answer_display(question: scoring.Question, row: AnswerRow | None) -> str:
    if row is None:
        return ""
    if question.answer_type in scoring.CHOICE_TYPES:
        return row.choice
    if question.answer_type == "percent" and row.counts:
        return " · ".join(f"{code.rsplit('.', 1)[1]}: {v}" for code, v in row.counts.items())
    return "" if row.value is None else str(row.value).replace(".", ",")


def page_data(assessment: Assessment | None, unit: Unit, year: int) -> dict:
    """Everything the assessment page shows that is the same for every reader: both columns' scores, the tree
    with points and shares, differences, the predicate checks, suggestions and warnings. A fixed number of
    queries whatever the number of questions answered."""
    from . import charts, insights

    version = assessment.version if assessment else current_version()
    struct = structure(version)
    rows = answers(assessment)
    holds = _holds(assessment)
    scores = {c: column_score(struct, rows[c], holds) for c in Column.values}
    plan = assessment.plan if assessment else plan_for(unit, year)
    figures = insights.plan_figures(plan, year)
    sugg = insights.suggestions(struct, plan=plan, figures=figures,
                                register=insights.register_figures(unit.pk, year))
    previous = None
    if assessment is not None:
        previous = {Column.UNIT: {}, Column.TPI: {}}
        for column, code, counts in (Answer.objects.filter(assessment__unit=unit, assessment__year=year - 1)
                                     .values_list("column", "question__code", "counts")):
            previous[column][code] = AnswerRow(0, column, "", None, counts or {}, "", "", 0, "")
    warn = {c: insights.warnings(struct, result=scores[c], answers=rows[c], sugg=sugg,
                                 previous_year=previous[c] if previous else None) for c in Column.values}
    tree = []
    for code, node in struct.nodes.items():
        u, t = scores[Column.UNIT].nodes[code], scores[Column.TPI].nodes[code]
        tree.append({"kind": node.kind, "code": code, "title": node.title, "weight": node.weight,
                     "depth": node.depth, "unit": scoring.r2(u), "tpi": scoring.r2(t),
                     "unit_pct": scoring.r2(u / node.weight * 100) if node.weight else None,
                     "tpi_pct": scoring.r2(t / node.weight * 100) if node.weight else None,
                     "differs": scoring.r2(u) != scoring.r2(t)})
        for qcode in node.questions:
            q = struct.questions[qcode]
            ur, tr = rows[Column.UNIT].get(qcode), rows[Column.TPI].get(qcode)
            uv, tv = scores[Column.UNIT].values[qcode], scores[Column.TPI].values[qcode]
            tree.append({"kind": "question", "code": qcode, "title": q.text, "weight": q.weight,
                         "depth": node.depth + 1, "answer_type": q.get_answer_type_display()
                         if hasattr(q, "get_answer_type_display") else q.answer_type,
                         "unit_answer": answer_display(q, ur), "tpi_answer": answer_display(q, tr),
                         "unit_value": None if uv is None else scoring.r2(uv),
                         "tpi_value": None if tv is None else scoring.r2(tv),
                         "proposed": bool(ur and ur.state == "proposed"),
                         "unit_evidence": ur.evidence_count if ur else 0,
                         "tpi_evidence": tr.evidence_count if tr else 0,
                         "differs": uv != tv and (ur is not None or tr is not None),
                         "warnings": warn[Column.UNIT].get(qcode, []) + warn[Column.TPI].get(qcode, []),
                         "suggestion": sugg.get(qcode)})
    limits = []
    for p in struct.predicates:
        for c in p.criteria:
            if c.min_share is not None:
                limits.append((p.code, c.min_share))
    chart = charts.area_chart(areas=struct.areas, unit_score=scores[Column.UNIT],
                              tpi_score=scores[Column.TPI] if rows[Column.TPI] else None, limits=limits)
    area_rows = [{"number": n, "name": name, "weight": w, "unit": scoring.r2(scores[Column.UNIT].areas[n]),
                  "tpi": scoring.r2(scores[Column.TPI].areas[n])} for n, name, w in struct.areas]
    return {"struct_name": struct.name, "tree": tree, "scores": scores, "chart": chart, "areas": area_rows,
            "eligibility": eligibility(assessment), "holds_wbk": bool(holds),
            "suggestions": sugg, "figures": figures, "plan": plan,
            "warnings": [(code, msg) for c in Column.values for code, msgs in warn[c].items() for msg in msgs],
            "without_evidence": questions_without_evidence(struct, rows[Column.UNIT]),
            "hasil": {c: scoring.r2(sum((scores[c].nodes[r] for r in struct.roots if r != "A"), scoring.ZERO))
                      for c in Column.values}}


def plan_indicators(plan: Plan | None) -> list:
    if plan is None:
        return []
    from actionplan.models import Indicator
    return list(Indicator.objects.filter(subcomponent__component__plan=plan).select_related("subcomponent__component")
                .order_by("subcomponent__component__order", "subcomponent__number", "order"))


# -- other apps' pages (plan page, dashboard, Monev report) --------------------------------------------------------

def score_card(plan: Plan) -> dict | None:
    """The dashboard's LKE card: both columns' totals and predictions of the plan's year. Two queries."""
    found = (Assessment.objects.select_related("version", "unit__lke_standing")
             .filter(unit_id=plan.unit_id, year=plan.year).first())
    if found is None:
        return {"assessment": None, "unit_id": plan.unit_id, "year": plan.year}
    struct = structure(found.version)
    rows = answers(found)
    holds = _holds(found)
    return {"assessment": found, "unit_id": plan.unit_id, "year": plan.year,
            "unit": column_score(struct, rows[Column.UNIT], holds),
            "tpi": column_score(struct, rows[Column.TPI], holds) if rows[Column.TPI] else None}


def monev_section(plan: Plan) -> dict | None:
    """The LKE section of the semester Monev report, frozen with its snapshot: the latest submitted
    self-assessment (and the TPI's, if final) with the failing criteria; None when nothing was submitted."""
    found = Assessment.objects.filter(unit_id=plan.unit_id, year=plan.year).first()
    if found is None or found.unit_status != Assessment.UnitStatus.SUBMITTED:
        return None
    from types import SimpleNamespace

    from . import charts

    struct = structure(found.version)
    tpi = found.tpi_snapshot if found.tpi_status == Assessment.TpiStatus.FINAL else None

    def figures(snapshot):     # the chart reads `.areas` (number → points) from the frozen figures
        return None if snapshot is None else SimpleNamespace(
            areas={int(n): Decimal(v) for n, v in snapshot["areas"].items()})
    limits = [(p.code, c.min_share) for p in struct.predicates for c in p.criteria if c.min_share is not None]
    return {"unit": found.unit_snapshot | {"answers": None}, "tpi": (tpi | {"answers": None}) if tpi else None,
            "submitted_at": found.unit_submitted_at.isoformat() if found.unit_submitted_at else None,
            "chart_svg": charts.area_chart(areas=struct.areas, unit_score=figures(found.unit_snapshot),
                                           tpi_score=figures(tpi), limits=limits)}
