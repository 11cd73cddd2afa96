"""Targets in the readable sentences of a letter, each with its ConText modifiers.

Targets are the words facts are read from: service names (for treatment history), drug names,
and the target phrases of every finding in findings.yaml. Finding them is the prefilter: a
token-indexed matcher (matcher.py) picks the candidate sentences that hold any target, and
ConText runs on those only, once per sentence with all its targets together (so "no evidence of"
modifies only its nearest target, as max_targets says). Results are cached per letter (shared by
its items) and per sentence text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any, NamedTuple

from engine.facts import vocab
from engine.facts.context import Assertion, Target, default_context
from engine.facts.matcher import Matcher, tokens
from engine.facts.text import Part, Sentence, View
from engine.facts.vocab import words
from engine.memo import text_cache

SERVICE = "service"
DRUG = "drug"
DRUG_CLASS = "drug_class"
MEDREF = "medref"


class Hit(NamedTuple):
    """One target occurrence with the categories of the modifiers that apply to it.

    A NamedTuple: immutable, and built several times faster than a frozen dataclass (every
    target of every letter)."""

    kind: str  # SERVICE, DRUG, DRUG_CLASS, MEDREF or a finding name
    key: Any  # the Service, the drug's generic name or class, or the finding target's index
    sentence: Sentence
    start: int  # target offsets in Letter.text
    end: int
    categories: frozenset[str]
    assertion: Assertion  # offsets relative to sentence.start

    def span(self, *categories: str) -> tuple[int, int]:
        """Letter offsets of the target and its modifiers (of `categories`, or all)."""
        s, e = self.assertion.span(categories)
        return self.sentence.start + s, self.sentence.start + e


_RULE = "rule"


@cache
def target_matcher() -> Matcher:
    """One matcher for every target pattern, keyed (kind, key), and every ConText rule, keyed
    (_RULE, rule index): a sentence's tokens are walked once for both."""
    services = vocab.services()
    drugs = vocab.drugs()
    entries: list[tuple[tuple[str, Any], str]] = []
    for entry in services.entries:
        entries += [((SERVICE, entry.service), words(p)) for p in entry.history_patterns]
    for name, drug in drugs.by_name.items():
        entries.append(
            (
                (DRUG, drug.generic),
                words(r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", name))),
            )
        )
    for cls, patterns in drugs.class_patterns.items():
        entries += [((DRUG_CLASS, cls), words(p)) for p in patterns]
    entries += [((MEDREF, None), words(p)) for p in services.medication_anaphora_patterns]
    for finding in vocab.findings():
        for i, target in enumerate(finding.targets):
            entries += [((finding.name, i), words(p)) for p in target.patterns]
    entries += [((_RULE, i), rule.regex()) for i, rule in enumerate(default_context().rules)]
    return Matcher(entries)


@text_cache(maxsize=8192)
def _analyse_text(chunk: str) -> tuple[tuple[str, Any, int, int, Assertion], ...]:
    """Targets of one sentence with their assertions, offsets relative to the sentence.

    Cached by the sentence's text: letters repeat whole sentences (guideline quotations, the
    reviewers' stock phrases), and the result depends on nothing else.
    """
    words_ = tokens(chunk)
    context = default_context()
    found: list[tuple[str, Any, int, int]] = []
    rules: list[tuple[int, int, int]] = []
    for (kind, key), s, e in target_matcher().find(chunk, words_):
        if kind == _RULE:
            rules.append((s, e, key))
        else:
            found.append((kind, key, s, e))
    if not found:
        return ()
    # Of overlapping matches of the same kind and key only the longest ("Voltaren XR", not also
    # "Voltaren").
    found.sort(key=lambda t: (t[0], str(t[1]), t[2], -t[3]))
    targets: list[tuple[str, Any, int, int]] = []
    for t in found:
        if targets and targets[-1][:2] == t[:2] and t[2] < targets[-1][3]:
            continue
        targets.append(t)
    # One ConText target per distinct span: a phrase that is two kinds of target ("therapeutic
    # exercises": physical therapy and active therapy) must count once for max_targets.
    spans = sorted({(s, e) for _, _, s, e in targets})
    assertions = context.apply([Target("T", s, e) for s, e in spans], context.prune(rules), words_)
    by_span = dict(zip(spans, assertions, strict=True))
    return tuple((kind, key, s, e, by_span[(s, e)]) for kind, key, s, e in targets)


# A NamedTuple's __new__ is a Python function; tuple.__new__ makes the same Hit without its frame
# (every target of every sentence, cached analysis or not).
_new = tuple.__new__


def analyse_sentence(text: str, sentence: Sentence) -> list[Hit]:
    """Every target of one sentence (text = the masked letter text) with its modifiers."""
    start = sentence.start
    return [
        _new(Hit, (kind, key, sentence, start + s, start + e, a.categories, a))
        for kind, key, s, e, a in _analyse_text(text[start : sentence.end])
    ]


@text_cache(maxsize=16)
def analyse(view: View) -> tuple[Hit, ...]:
    """The hits of every readable sentence of a letter."""
    hits: list[Hit] = []
    for sentence in view.sentences:  # extending a list: no generator step per hit
        hits += analyse_sentence(view.text, sentence)
    return tuple(hits)


def of_item(hits: Iterable[Hit], index: int) -> list[Hit]:
    """Hits in the case summary and in item `index`'s own rationale (and title)."""
    return [h for h in hits if h.sentence.item is None or h.sentence.item == index]


_PART_RANK = {Part.TITLE: 3, Part.RATIONALE: 2, Part.SUMMARY: 1}


def part_rank(part: Part) -> int:
    """Where a statement stands: the title is the request itself; the reviewer's rationale
    outranks the case summary it was written from."""
    return _PART_RANK[part]
