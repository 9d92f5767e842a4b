"""LKE scoring (lke-90-2021-scoring.md): the loaded version matches its file, every answer type, the count
formulas, rounding, unanswered questions, the thresholds just below / at / above, the prediction and the path."""
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from lke import scoring, selectors
from lke.loading import DEFAULT_FILE, LkeDataError, load, load_file, read
from lke.models import LkeVersion

D = Decimal
MINI = Path(__file__).parent / "data" / "lke-mini.json"


@pytest.fixture
def real(db):
    return selectors.structure(LkeVersion.objects.get(code="permenpanrb-90-2021"))


@pytest.fixture
def mini(db):
    version, _ = load_file(MINI)
    return selectors.structure(version)


def A(choice="", value=None, **counts):
    return scoring.AnswerData(choice=choice, value=None if value is None else D(str(value)),
                              counts={k.replace("_", "."): v for k, v in counts.items()})


def best_answers(struct):
    out = {}
    for code, q in struct.questions.items():
        if q.answer_type in scoring.CHOICE_TYPES:
            out[code] = A(max(q.choices, key=lambda c: c[2])[0])
        else:
            out[code] = A(value=4 if q.answer_type == "survey" else 100)
    return out


def worst_answers(struct):
    out = {}
    for code, q in struct.questions.items():
        if q.answer_type in scoring.CHOICE_TYPES:
            out[code] = A(min(q.choices, key=lambda c: c[2])[0])
        else:
            out[code] = A(value=0)
    return out


# -- the loaded version is the file ------------------------------------------------------------------------------

def test_migration_loads_the_lke_file_with_its_counts_per_type(real):
    data, sha = read(DEFAULT_FILE)
    assert LkeVersion.objects.get(code=data["code"]).data_sha256 == sha

    def walk(items):
        for item in items:
            yield item
            yield from walk(item.get("children", []))
    in_file = [i for i in walk(data["tree"])]
    file_types = Counter(i["answer_type"] for i in in_file if i["kind"] == "question")
    assert Counter(q.answer_type for q in real.questions.values()) == file_types
    assert file_types == {"ya_tidak": 17, "abc": 36, "abcd": 33, "abcde": 17, "percent": 8, "survey": 2}
    assert sum(len(q.counts) for q in real.questions.values()) == 24
    subareas = [n for n in real.nodes.values() if n.kind == "subarea"]
    assert len(subareas) == 42
    assert Counter(n.code.split(".")[1] for n in subareas) == {"I": 25, "II": 17}
    weights = {i["code"]: D(str(i["weight"])) for i in in_file if i["kind"] != "question"}
    assert {c: n.weight for c, n in real.nodes.items()} == weights


def test_loaded_weights_add_up_to_the_annex_totals(real):
    n = real.nodes
    assert (n["A"].weight, n["A.I"].weight, n["A.II"].weight, n["B"].weight) == (60, 30, 30, 40)
    assert [w for _n, _name, w in real.areas] == [8, 7, 10, 10, 15, 10]
    for code, node in n.items():
        if node.children:
            assert sum(n[c].weight for c in node.children) == node.weight, code
        weighted = [real.questions[q].weight for q in node.questions if real.questions[q].weight is not None]
        if weighted:
            assert sum(weighted) == node.weight, code


def test_best_answers_score_100_and_worst_answers_0_with_the_portal_scoring(real):
    best = scoring.score(real, best_answers(real), holds={"WBK"})
    assert (best.points("ROOT"), best.points("A"), best.points("B")) == (D("100.00"), D("60.00"), D("40.00"))
    assert best.prediction == "WBBM" and not best.provisional
    worst = scoring.score(real, worst_answers(real))
    assert worst.points("ROOT") == D("0.00") and worst.prediction == "-"
    assert worst.answered == 113 and not worst.provisional


def test_loading_the_same_file_twice_changes_nothing_and_a_broken_file_is_refused(real):
    version, outcome = load_file(DEFAULT_FILE)
    assert outcome == "unchanged"
    data, _sha = read(DEFAULT_FILE)
    data["tree"][0]["children"][0]["children"][0]["children"][0]["children"][0]["answer_type"] = "bintang"
    with pytest.raises(LkeDataError, match="unknown answer_type"):
        load(data, "x" * 64)


def test_a_second_version_loads_beside_the_first_without_code(mini, real):
    assert LkeVersion.objects.count() == 2
    assert set(mini.questions) & set(real.questions)      # same codes, separate rows
    assert mini.version_id != real.version_id


# -- answer types ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("code, answer, value", [
    ("A.I.1.i.a", A("Ya"), D("1")), ("A.I.1.i.a", A("Tidak"), D("0")),
    ("A.I.1.i.b", A("B"), D("0.5")), ("A.I.1.i.c", A("B"), D("0.67")), ("A.I.1.i.c", A("C"), D("0.33")),
    ("A.I.2.i.a", A("B"), D("0.75")), ("A.I.2.i.a", A("D"), D("0.25")), ("A.I.2.i.a", A("E"), D("0")),
    ("B.I.a", A(value="3.6"), D("0.9")), ("B.II.a", A(value="4"), D("1")),
    ("A.I.1.i.a", A(""), None), ("A.I.1.i.a", A("Z"), None),
])
def test_every_answer_type_has_the_value_of_the_scoring_file(mini, code, answer, value):
    assert scoring.question_value(mini.questions[code], answer) == value


@pytest.mark.parametrize("counts, typed, value", [
    ({"A.II.1.i.a.1": 10, "A.II.1.i.a.2": 4}, None, D("0.4")),
    ({"A.II.1.i.a.1": 10, "A.II.1.i.a.2": 14}, None, D("1")),           # capped
    ({"A.II.1.i.a.1": 0, "A.II.1.i.a.2": 0}, None, D("0")),             # when_zero 0
    ({}, "55", D("0.55")),                                              # typed percentage without counts
    ({"A.II.1.i.a.1": 4, "A.II.1.i.a.2": 1}, "90", D("0.25")),          # the counts decide
])
def test_ratio_questions_take_their_value_from_the_counts(mini, counts, typed, value):
    answer = scoring.AnswerData(value=None if typed is None else D(typed), counts=counts)
    assert scoring.question_value(mini.questions["A.II.1.i.a"], answer) == value


@pytest.mark.parametrize("previous, current, value", [(10, 4, D("0.6")), (0, 0, D("1")), (0, 3, D("0")),
                                                      (4, 9, D("0")), (5, 5, D("0"))])
def test_the_decrease_of_discipline_violations_follows_its_zero_rules(mini, previous, current, value):
    answer = scoring.AnswerData(counts={"A.II.1.i.b.1": previous, "A.II.1.i.b.2": current, "A.II.1.i.b.3": 99})
    assert scoring.question_value(mini.questions["A.II.1.i.b"], answer) == value


def test_lhkpn_uses_its_parts_falls_back_to_the_typed_total_and_warns_when_they_disagree(mini):
    q = mini.questions["A.II.2.i.a"]
    parts = {"A.II.2.i.a.1": 12, "A.II.2.i.a.2": 1, "A.II.2.i.a.3": 9, "A.II.2.i.a.4": 5}
    assert scoring.question_value(q, scoring.AnswerData(counts=parts)) == D(5) / D(10)
    assert "tidak sama" in scoring.count_warnings(q, parts)[0]
    only_total = {"A.II.2.i.a.1": 8, "A.II.2.i.a.4": 8}
    assert scoring.question_value(q, scoring.AnswerData(counts=only_total)) == 1
    assert scoring.count_warnings(q, only_total) == []
    nobody = {"A.II.2.i.a.2": 0, "A.II.2.i.a.3": 0, "A.II.2.i.a.4": 0}
    assert scoring.question_value(q, scoring.AnswerData(counts=nobody)) == 1      # nobody obliged: 100 %


def test_unanswered_questions_count_zero_in_the_sub_area_mean_and_make_the_prediction_provisional(mini):
    result = scoring.score(mini, {"A.I.1.i.a": A("Ya")})
    assert result.nodes["A.I.1.i"] == D(15) / 3                # 15 × mean(1, 0, 0)
    assert result.points("A.I.1.i") == D("5.00")
    assert result.provisional and result.answered == 1


def test_figures_round_half_up_to_two_decimals(mini):
    # A.I.1.i: 15 × mean(1, 0.5, 0.67) = 10.85; A.I.2.ii: 5 × mean(1, 0) = 2.5; B.I.a 3.33/4 × 17.5 = 14.56875
    result = scoring.score(mini, {"A.I.1.i.a": A("Ya"), "A.I.1.i.b": A("B"), "A.I.1.i.c": A("B"),
                                  "A.I.2.ii.a": A("Ya"), "B.I.a": A(value="3.33")})
    assert result.points("A.I.1.i") == D("10.85")
    assert result.points("B.I.a") == D("14.57")
    assert scoring.r2(D("2.345")) == D("2.35") and scoring.r2(D("2.344999")) == D("2.34")


def test_both_columns_score_independently(mini):
    unit = scoring.score(mini, best_answers(mini))
    tpi = scoring.score(mini, worst_answers(mini))
    assert unit.points("ROOT") == D("100.00") and tpi.points("ROOT") == D("0.00")


# -- thresholds ------------------------------------------------------------------------------------------------------

def _figures(struct, **override):
    """Node points that pass every WBBM criterion, with some set to other values."""
    points = {code: D(0) for code in struct.nodes}
    points.update({"A": D(50), "B.I": D(20), "B.I.a": D(16), "B.I.b": D(4), "B.II.a": D(16)})
    areas = {number: weight * D("0.8") for number, _n, weight in struct.areas}
    total = D(90)
    for key, value in override.items():
        if key == "total":
            total = D(value)
        elif key.startswith("area"):
            areas[int(key[4:])] = D(value)
        else:
            points[key.replace("_", ".")] = D(value)
    return points, areas, total


@pytest.mark.parametrize("criterion, node, limit", [
    ("total", "total", "75.00"), ("pengungkit", "A", "40.00"), ("bersih", "B_I", "18.25"),
    ("ipak", "B_I_a", "15.75"), ("capaian", "B_I_b", "2.50"), ("ipkp", "B_II_a", "14.00"),
    ("area_share", "area1", "4.80"),   # 60 % of area 1's weight 8
])
def test_wbk_thresholds_just_below_at_and_above(real, criterion, node, limit):
    for delta, passes in ((D("-0.01"), False), (D("0"), True), (D("0.01"), True)):
        points, areas, total = _figures(real, **{node: D(limit) + delta})
        results, prediction = scoring.check_predicates(real, points, areas, total, holds=set())
        wbk = results[0]
        failed = [c for c in wbk.failed if c.code == criterion]
        assert bool(failed) is not passes, (criterion, delta)
        assert prediction == ("WBK" if passes else "-")
        if failed:
            # area share: 4.79 / 8 = 59.875 % → 59.88 %, 0.12 short of 60 %
            assert failed[0].shortfall == (D("0.01") if criterion != "area_share" else D("0.12"))


@pytest.mark.parametrize("criterion, node, limit", [
    ("total", "total", "85.00"), ("pengungkit", "A", "48.00"), ("bersih", "B_I", "19.50"),
    ("capaian", "B_I_b", "3.75"), ("ipkp", "B_II_a", "15.75"), ("area_share", "area5", "11.25"),
])
def test_wbbm_thresholds_just_below_at_and_above(real, criterion, node, limit):
    for delta, passes in ((D("-0.01"), False), (D("0"), True), (D("0.01"), True)):
        points, areas, total = _figures(real, **{node: D(limit) + delta})
        results, prediction = scoring.check_predicates(real, points, areas, total, holds={"WBK"})
        assert bool([c for c in results[1].failed if c.code == criterion]) is not passes
        assert prediction == ("WBBM" if passes else "WBK")


def test_wbbm_is_predicted_only_for_a_unit_that_holds_menuju_wbk(real):
    points, areas, total = _figures(real)
    assert scoring.check_predicates(real, points, areas, total, holds=set())[1] == "WBK"
    assert scoring.check_predicates(real, points, areas, total, holds={"WBK"})[1] == "WBBM"


def test_the_failed_criteria_are_all_listed_with_figure_and_limit(real):
    result = scoring.score(real, {})
    labels = [(c.code, c.figure, c.limit) for c in result.predicates[0].failed]
    assert ("total", D("0.00"), D("75.00")) in labels
    assert sum(1 for c in result.predicates[0].failed if c.code == "area_share") == 6


# -- where the points are ---------------------------------------------------------------------------------------

def test_one_step_gains_are_sorted_by_their_gain_to_the_total(real):
    steps = scoring.one_step_gains(real, scoring.score(real, {}))
    assert steps[0].gain >= steps[-1].gain > 0
    assert len(steps) == 113


def test_the_shortest_path_reaches_wbk_when_applied(real):
    answers = worst_answers(real)
    start = scoring.score(real, answers)
    path = scoring.shortest_path(real, start, "WBK")
    assert path and len(path) < 250
    values = dict(start.values)
    for step in path:
        values[step.code] = step.after
    points, areas, total = scoring.node_points(real, values)
    for code, q in real.questions.items():
        if q.weight is not None:
            points[code] = q.weight * (values[code] or 0)
    assert scoring.check_predicates(real, points, areas, total, holds=set())[1] == "WBK"
    assert scoring.shortest_path(real, start, "WBBM") is None          # does not hold WBK
    assert scoring.shortest_path(real, scoring.score(real, best_answers(real)), "WBK") == []


def test_mini_fixture_is_valid_json_of_the_schema():
    data = json.loads(MINI.read_text())
    assert data["code"] == "uji-mini" and len(data["predicates"]) == 2
