"""The ConText algorithm (Chapman et al. 2007) with medspaCy's ConTextRule semantics, without spaCy.

A modifier (a rule match: "no evidence of", "if", "MTUS recommends") has a category and a
direction; its scope runs from the modifier to the end (FORWARD) or start (BACKWARD) of the
sentence, or both (BIDIRECTIONAL), cut to `max_scope` tokens. Scopes are then limited the way
medspaCy's ConTextGraph does it: a TERMINATE modifier, a modifier of the same category, or one of a
category in the rule's `terminated_by` ends a scope where it starts. A target inside a modifier's
scope (and not overlapping it) is modified; `max_targets` keeps the nearest. PSEUDO rules match,
win over shorter overlapping matches, and modify nothing.

Everything runs on one sentence string with character offsets; tokens exist only to measure
`max_scope`. Rules are indexed by the words they can start with (matcher.py), so a sentence is
tokenised once and only plausible rules are tried, which is what makes this fast enough to run on
every candidate sentence of every letter.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from engine.facts.matcher import Matcher, tokens
from engine.yamlio import safe_load


class Direction(StrEnum):
    FORWARD = "FORWARD"
    BACKWARD = "BACKWARD"
    BIDIRECTIONAL = "BIDIRECTIONAL"
    TERMINATE = "TERMINATE"
    PSEUDO = "PSEUDO"


@dataclass(frozen=True, slots=True)
class ContextRule:
    """One modifier rule. `pattern` (a regex) replaces `literal` for matching when given."""

    literal: str
    category: str
    direction: Direction = Direction.BIDIRECTIONAL
    pattern: str | None = None
    max_scope: int | None = None  # tokens
    max_targets: int | None = None
    terminated_by: frozenset[str] = frozenset()

    def regex(self) -> str:
        """The rule as a regex that ends at a token boundary, as a token matcher would."""
        if self.pattern is None:
            body = r"\s+".join(re.escape(w) for w in self.literal.split())
        else:  # a space in a rule stands for any whitespace: letters wrap lines anywhere
            body = _SPACE.sub(r"\\s+", self.pattern)
        return f"(?:{body}){_END}"


# A match ends at a token boundary: never inside a word ("no" in "not"), but a rule may end with
# punctuation (";"). Matches start at token starts (see matcher.py).
_END = r"(?:(?!\w)|(?<=\W))"
_SPACE = re.compile(r"(?<!\\) +")


@dataclass(frozen=True, slots=True)
class Target:
    """A concept in the sentence: label and [start, end) character offsets."""

    label: str
    start: int
    end: int


@dataclass(slots=True)
class Modifier:
    """A rule match in a sentence. Spans are token indices, [start, end)."""

    rule: ContextRule
    start: int
    end: int
    char_start: int
    char_end: int
    scope_start: int = 0
    scope_end: int = 0
    targets: list[int] = field(default_factory=list)  # indices into the target list

    @property
    def category(self) -> str:
        return self.rule.category

    def limit_scope(self, other: Modifier, overlaps: OverlapTest) -> None:
        """medspaCy ConTextModifier.limit_scope: `other` may end this modifier's scope."""
        if not overlaps((self.scope_start, self.scope_end), (other.scope_start, other.scope_end)):
            return
        if self.rule.direction is Direction.TERMINATE:
            return
        if (
            other.rule.direction is not Direction.TERMINATE
            and other.category not in self.rule.terminated_by
            and other.category != self.category
        ):
            return
        direction = self.rule.direction
        if direction in (Direction.FORWARD, Direction.BIDIRECTIONAL) and other.start > self.start:
            self.scope_end = min(self.scope_end, other.start)
        if direction in (Direction.BACKWARD, Direction.BIDIRECTIONAL) and other.end < self.end:
            self.scope_start = max(self.scope_start, other.end)

    def modifies(self, target: tuple[int, int], overlaps: OverlapTest) -> bool:
        if overlaps((self.start, self.end), target):
            return False  # a word is never both a modifier and the concept it modifies
        if self.rule.direction in (Direction.TERMINATE, Direction.PSEUDO):
            return False
        return overlaps((self.scope_start, self.scope_end), target)


OverlapTest = Callable[[tuple[int, int], tuple[int, int]], bool]


def medspacy_overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """medspaCy's tuple_overlaps. It misses b strictly containing a, so once a modifier's scope
    has been narrowed (by "In this case,"), a TERMINATE modifier, whose scope is the whole
    sentence, no longer "overlaps" it and cannot end it: in "has undergone 8 sessions of physical
    therapy which were not beneficial" the negation then reaches back past "which"."""
    return a[0] <= b[0] < a[1] or a[0] < b[1] <= a[1]


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Spans share at least one token (what tuple_overlaps is meant to test)."""
    return a[0] < b[1] and b[0] < a[1]


@dataclass(frozen=True, slots=True)
class Assertion:
    """A target with the modifiers that apply to it."""

    target: Target
    modifiers: tuple[Modifier, ...]
    # Computed once: every Hit of a (cached) sentence analysis reads it.
    categories: frozenset[str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "categories", frozenset(m.category for m in self.modifiers))

    def span(self, categories: Iterable[str] = ()) -> tuple[int, int]:
        """Characters from the first to the last of the target and its modifiers of `categories`
        (all modifiers when empty): the words a finding rests on."""
        if not self.modifiers:  # most targets: nothing to widen to
            return self.target.start, self.target.end
        wanted = set(categories)
        mods = [m for m in self.modifiers if not wanted or m.category in wanted]
        start = min([self.target.start, *(m.char_start for m in mods)])
        end = max([self.target.end, *(m.char_end for m in mods)])
        return start, end


class ConText:
    """Runs a set of ContextRules over single sentences.

    `exact=True` reproduces medspaCy 1.3.1 exactly, its span-overlap quirk included (see
    medspacy_overlaps); the default corrects it. bench/context_vs_medspacy.py measures both.
    """

    def __init__(self, rules: Sequence[ContextRule], *, exact: bool = False) -> None:
        self.rules = tuple(rules)
        self._overlaps: OverlapTest = medspacy_overlaps if exact else overlaps
        # Every match of every rule at every token start, as medspaCy's matchers report them
        # before pruning to the longest.
        self._matcher = Matcher((i, rule.regex()) for i, rule in enumerate(self.rules))

    @classmethod
    def from_yaml(cls, text: str, *, exact: bool = False) -> ConText:
        return cls(parse_rules(safe_load(text)), exact=exact)

    def matches(
        self, sentence: str, words: Sequence[tuple[int, int, str]] | None = None
    ) -> list[tuple[int, int, ContextRule]]:
        """Rule matches as (char start, char end, rule), overlaps pruned to the longest."""
        words = tokens(sentence) if words is None else words
        return self.prune([(s, e, key) for key, s, e in self._matcher.find(sentence, words)])

    def prune(self, found: list[tuple[int, int, int]]) -> list[tuple[int, int, ContextRule]]:
        """(start, end, rule index) matches -> pruned (start, end, rule). On equal spans the rule
        listed first wins, as in medspaCy, whose matcher reports matches in rule order."""
        found.sort()
        # medspaCy runs each rule's regex with finditer: one rule's matches never overlap.
        last_end: dict[int, int] = {}
        kept = []
        for s, e, i in found:
            if s >= last_end.get(i, -1):
                kept.append((s, e, i))
                last_end[i] = e
        return [(s, e, self.rules[i]) for s, e, i in prune(kept)]

    def __call__(
        self,
        sentence: str,
        targets: Sequence[Target],
        words: Sequence[tuple[int, int, str]] | None = None,
    ) -> list[Assertion]:
        """Each target with the modifiers that apply to it, in target order. `words`: the
        sentence's tokens (matcher.tokens), when the caller has them already."""
        words = tokens(sentence) if words is None else words
        return self.apply(targets, self.matches(sentence, words), words)

    def apply(
        self,
        targets: Sequence[Target],
        matches: list[tuple[int, int, ContextRule]],
        words: Sequence[tuple[int, int, str]],
    ) -> list[Assertion]:
        """The ConText graph of one sentence from its pruned rule matches and its tokens."""
        if not matches or not targets:
            return [Assertion(t, ()) for t in targets]
        starts = [w[0] for w in words]
        n_tokens = len(starts)

        def token_span(s: int, e: int) -> tuple[int, int]:
            first = bisect.bisect_right(starts, s) - 1
            last = bisect.bisect_left(starts, e)
            return max(first, 0), max(last, first + 1)

        modifiers = []
        for s, e, rule in matches:
            ts, te = token_span(s, e)
            modifiers.append(_scoped(Modifier(rule, ts, te, s, e), n_tokens))
        for i in range(len(modifiers) - 1):
            for j in range(i + 1, len(modifiers)):
                modifiers[i].limit_scope(modifiers[j], self._overlaps)
                modifiers[j].limit_scope(modifiers[i], self._overlaps)
        spans = [token_span(t.start, t.end) for t in targets]
        for mod in modifiers:
            mod.targets = [k for k, span in enumerate(spans) if mod.modifies(span, self._overlaps)]
            limit = mod.rule.max_targets
            if limit is not None and len(mod.targets) > limit:
                # medspaCy's reduce_targets: keep the nearest targets.
                mod.targets = sorted(
                    mod.targets,
                    key=lambda k: min(abs(mod.start - spans[k][1]), abs(spans[k][0] - mod.end)),
                )[:limit]
        applied: list[list[Modifier]] = [[] for _ in targets]
        for mod in modifiers:
            for k in mod.targets:
                applied[k].append(mod)
        return [Assertion(t, tuple(a)) for t, a in zip(targets, applied, strict=True)]


def _scoped(mod: Modifier, n_tokens: int) -> Modifier:
    """medspaCy ConTextModifier.__set_scope with the sentence as the full scope."""
    limit = mod.rule.max_scope
    direction = mod.rule.direction
    if direction is Direction.FORWARD:
        mod.scope_start, mod.scope_end = mod.end, n_tokens
        if limit is not None and mod.scope_end - mod.scope_start > limit:
            mod.scope_end = mod.end + limit
    elif direction is Direction.BACKWARD:
        mod.scope_start, mod.scope_end = 0, mod.start
        if limit is not None and mod.scope_end - mod.scope_start > limit:
            mod.scope_start = mod.start - limit
    else:
        mod.scope_start, mod.scope_end = 0, n_tokens
        if limit is not None and mod.start - mod.scope_start > limit:
            mod.scope_start = mod.start - limit
        if limit is not None and mod.scope_end - mod.end > limit:
            mod.scope_end = mod.end + limit
    return mod


def prune(matches: list[tuple[int, int, Any]]) -> list[tuple[int, int, Any]]:
    """medspaCy's prune_overlapping_matches ("longest"), repeated until stable as it does."""
    while True:
        if not matches:
            return matches
        pending = sorted(matches, key=lambda m: (m[0], m[1]))
        pruned = []
        current = pending.pop(0)
        while True:
            if not pending:
                pruned.append(current)
                break
            nxt = pending.pop(0)
            if medspacy_overlaps((current[0], current[1]), (nxt[0], nxt[1])):
                pruned.append(max(current, nxt, key=lambda m: m[1] - m[0]))
                if not pending:
                    break
                current = pending.pop(0)
            else:
                pruned.append(current)
                current = nxt
        if len(pruned) == len(matches):
            return pruned
        matches = pruned


def parse_rules(data: dict[str, Any]) -> list[ContextRule]:
    """Rules from the YAML shape: {defaults: {CATEGORY: {...}}, rules: [{literal|pattern, ...}]}."""
    defaults = data.get("defaults") or {}
    rules = []
    for entry in data["rules"]:
        category = str(entry["category"]).upper()
        base = defaults.get(category, {})
        terminated = entry.get("terminated_by", base.get("terminated_by", ()))
        rules.append(
            ContextRule(
                literal=str(entry.get("literal") or entry.get("pattern")),
                category=category,
                direction=Direction(str(entry.get("direction", "BIDIRECTIONAL")).upper()),
                pattern=entry.get("pattern"),
                max_scope=entry.get("max_scope", base.get("max_scope")),
                max_targets=entry.get("max_targets", base.get("max_targets")),
                terminated_by=frozenset(str(c).upper() for c in terminated),
            )
        )
    return rules


def rules_text() -> str:
    """The project's rules as YAML (engine/facts/data/context.yaml)."""
    return resources.files("engine.facts").joinpath("data/context.yaml").read_text("utf-8")


@cache
def default_context() -> ConText:
    return ConText.from_yaml(rules_text())
