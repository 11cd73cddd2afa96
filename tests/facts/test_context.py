"""ConText: the algorithm's semantics on small rule sets, and the project's rules on sentences."""

from __future__ import annotations

import pytest

from engine.facts.context import ConText, ContextRule, Direction, Target, default_context


def categories(context: ConText, sentence: str, target: str) -> set[str]:
    start = sentence.index(target)
    (assertion,) = context(sentence, [Target("T", start, start + len(target))])
    return set(assertion.categories)


def rule(literal: str, category: str, direction: Direction, **kw: object) -> ContextRule:
    return ContextRule(literal=literal, category=category, direction=direction, **kw)  # type: ignore[arg-type]


# --- the algorithm -----------------------------------------------------------------------------

NEG = rule("no", "NEGATED_EXISTENCE", Direction.FORWARD)
BUT = rule("but", "CONJ", Direction.TERMINATE)


def test_forward_scope_runs_to_the_end_of_the_sentence() -> None:
    context = ConText([NEG])
    assert categories(context, "no evidence of pain or swelling", "swelling") == {
        "NEGATED_EXISTENCE"
    }
    assert categories(context, "swelling but no pain", "swelling") == set()


def test_backward_scope() -> None:
    context = ConText([rule("was ruled out", "NEGATED_EXISTENCE", Direction.BACKWARD)])
    assert categories(context, "a fracture was ruled out today", "fracture") == {
        "NEGATED_EXISTENCE"
    }
    assert categories(context, "it was ruled out: fracture", "fracture") == set()


def test_terminate_ends_the_scope() -> None:
    context = ConText([NEG, BUT])
    assert categories(context, "no pain but swelling", "pain") == {"NEGATED_EXISTENCE"}
    assert categories(context, "no pain but swelling", "swelling") == set()


def test_max_scope_counts_tokens() -> None:
    context = ConText([rule("no", "NEGATED_EXISTENCE", Direction.FORWARD, max_scope=2)])
    assert categories(context, "no new acute pain", "new") == {"NEGATED_EXISTENCE"}
    assert categories(context, "no new acute pain", "pain") == set()


def test_max_targets_keeps_the_nearest() -> None:
    context = ConText(
        [rule("no evidence of", "NEGATED_EXISTENCE", Direction.FORWARD, max_targets=1)]
    )
    sentence = "no evidence of improvement from the chiropractic visits"
    i, j = sentence.index("improvement"), sentence.index("chiropractic")
    first, second = context(sentence, [Target("FI", i, i + 11), Target("SVC", j, j + 12)])
    assert first.categories == {"NEGATED_EXISTENCE"}
    assert second.categories == frozenset()


def test_pseudo_trigger_hides_the_shorter_rule_inside_it() -> None:
    context = ConText([NEG, rule("no increase", "NEGATED_EXISTENCE", Direction.PSEUDO)])
    assert categories(context, "no increase in pain", "pain") == set()


def test_same_category_limits_scope() -> None:
    context = ConText(
        [
            rule("if", "HYPOTHETICAL", Direction.FORWARD),
            rule("should", "HYPOTHETICAL", Direction.FORWARD),
        ]
    )
    (a,) = context("if pain should return", [Target("T", 3, 7)])
    assert [m.rule.literal for m in a.modifiers] == ["if"]


def test_terminated_by_category() -> None:
    neg = rule(
        "no", "NEGATED_EXISTENCE", Direction.FORWARD, terminated_by=frozenset({"PRIOR_COURSE"})
    )
    prior = rule("from the previous", "PRIOR_COURSE", Direction.FORWARD)
    context = ConText([neg, prior])
    sentence = "no improvement from the previous chiropractic visits"
    assert categories(context, sentence, "improvement") == {"NEGATED_EXISTENCE"}
    assert categories(context, sentence, "chiropractic") == {"PRIOR_COURSE"}


def test_a_modifier_never_modifies_a_target_it_overlaps() -> None:
    context = ConText([rule("not beneficial", "NEGATED_EXISTENCE", Direction.BACKWARD)])
    assert categories(context, "therapy was not beneficial", "not beneficial") == set()


def test_exact_mode_reproduces_medspacy_overlap_quirk() -> None:
    """Once "In this case," narrows the negation's scope, medspaCy's tuple_overlaps no longer sees
    the TERMINATE "which" (whose scope is the whole sentence) as overlapping it, so the negation
    reaches back past it. The default mode ends the scope at "which"."""
    rules = [
        rule("in this case", "CONJ", Direction.TERMINATE),
        rule("which", "CONJ", Direction.TERMINATE),
        rule("were not beneficial", "NEGATED_EXISTENCE", Direction.BACKWARD),
    ]
    sentence = "In this case, he had physical therapy which were not beneficial."
    assert categories(ConText(rules, exact=True), sentence, "physical therapy") == {
        "NEGATED_EXISTENCE"
    }
    assert categories(ConText(rules), sentence, "physical therapy") == set()


def test_whole_words_only() -> None:
    context = ConText([NEG])
    assert categories(context, "we know the pain", "pain") == set()


def test_rules_load_from_yaml() -> None:
    context = ConText.from_yaml(
        "defaults: {NEGATED_EXISTENCE: {max_scope: 3}}\n"
        "rules:\n  - {literal: denies, category: negated_existence, direction: forward}\n"
    )
    (r,) = context.rules
    assert (r.category, r.direction, r.max_scope) == ("NEGATED_EXISTENCE", Direction.FORWARD, 3)


# --- the project's rules on the sentences the brief names ----------------------------------------

CASES = [
    # negations of a finding
    (
        "There is no documentation of objective functional improvement.",
        "functional improvement",
        "NEGATED_EXISTENCE",
    ),
    (
        "The patient has not experienced significant objective functional improvement.",
        "functional improvement",
        "NEGATED_EXISTENCE",
    ),
    (
        "The reports do not discuss how the patient responded in terms of functional improvement.",
        "functional improvement",
        "NEGATED_EXISTENCE",
    ),
    (
        "Objective functional improvement with the medication is not documented.",
        "functional improvement",
        "NEGATED_EXISTENCE",
    ),
    (
        "There was a lack of evidence that the patient has already tried chiropractic.",
        "chiropractic",
        "NEGATED_EXISTENCE",
    ),
    (
        "Treatment to date has included no prior chiropractic therapy.",
        "chiropractic",
        "NEGATED_HISTORY",
    ),
    ("She denied numbness or weakness.", "weakness", "NEGATED_EXISTENCE"),
    # hypotheticals
    (
        "If the patient has not tried chiropractic in the past, 6 sessions may be tried.",
        "chiropractic",
        "HYPOTHETICAL",
    ),
    (
        "Additional visits are not supported unless functional improvement is demonstrated.",
        "functional improvement",
        "HYPOTHETICAL",
    ),
    # the guideline speaking
    (
        "MTUS recommends a trial of 6 visits with evidence of objective functional improvement.",
        "functional improvement",
        "GUIDELINE",
    ),
    ("ODG allows 9 visits over 8 weeks for regional neck pain.", "neck pain", "GUIDELINE"),
    (
        "Guidelines state acupuncture may be extended if functional improvement is documented.",
        "acupuncture",
        "GUIDELINE",
    ),
    (
        "Imaging should be reserved for cases in which surgery is considered.",
        "surgery is considered",
        "HYPOTHETICAL",
    ),
    # history
    (
        "The patient had 5 sessions of acupuncture between March and April.",
        "acupuncture",
        "HISTORICAL",
    ),
    (
        "Treatment to date has included medications, massage, and chiropractic care.",
        "chiropractic",
        "HISTORICAL",
    ),
    ("He has been taking the medication consistently since then.", "the medication", "HISTORICAL"),
    (
        "There was no improvement from the previous chiropractic visits.",
        "chiropractic",
        "PRIOR_COURSE",
    ),
    (
        "The treater is requesting additional chiropractic treatments.",
        "chiropractic",
        "CONTINUATION",
    ),
    # the prior review's reasons
    (
        "Utilization review non-certified the request, noting the lack of functional improvement.",
        "functional improvement",
        "UTILIZATION_REVIEW",
    ),
]


@pytest.mark.parametrize(("sentence", "target", "category"), CASES)
def test_project_rules(sentence: str, target: str, category: str) -> None:
    assert category in categories(default_context(), sentence, target)


NOT_CASES = [
    # the reviewer applying the guideline is not the guideline speaking
    (
        "The patient has not experienced objective functional improvement, as required by MTUS.",
        "functional improvement",
        "GUIDELINE",
    ),
    # a negation about the improvement says nothing against the visits having happened
    (
        "There was no evidence of functional improvement from the previous chiropractic visits.",
        "chiropractic",
        "NEGATED_EXISTENCE",
    ),
    # "which" ends the backward negation: the therapy happened, it did not help
    (
        "In this case, he attended 8 sessions of therapy which were not beneficial.",
        "therapy",
        "NEGATED_EXISTENCE",
    ),
    # "an unknown amount of" does not deny the therapy
    (
        "Treatment has included an unknown number of physical therapy visits.",
        "physical therapy",
        "NEGATED_EXISTENCE",
    ),
    # "prior to" is not history
    (
        "He failed conservative treatment prior to the requested injections.",
        "injections",
        "HISTORICAL",
    ),
    ("The patient remains off work.", "off work", "NEGATED_EXISTENCE"),
]


@pytest.mark.parametrize(("sentence", "target", "category"), NOT_CASES)
def test_project_rules_do_not(sentence: str, target: str, category: str) -> None:
    assert category not in categories(default_context(), sentence, target)
