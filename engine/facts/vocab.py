"""The extraction vocabularies, loaded once from the YAML files in engine/facts/data/.

Everything a letter is matched against lives in those files, so a reviewer can extend a word list
without reading Python. This module only compiles them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from engine.facts.model import Diagnosis, Region, Service
from engine.facts.prefilter import Prefiltered
from engine.memo import text_cache
from engine.yamlio import safe_load

FLAGS = re.IGNORECASE


def load_data(name: str) -> Any:
    """A YAML file of engine/facts/data (package data, safe loading only)."""
    text = resources.files("engine.facts").joinpath(f"data/{name}").read_text("utf-8")
    return safe_load(text)


def words(patterns: list[str] | str) -> str:
    """Regex alternatives as one group matching whole words only."""
    if isinstance(patterns, str):
        patterns = [patterns]
    return r"(?<!\w)(?:" + "|".join(f"(?:{p})" for p in patterns) + r")(?!\w)"


@dataclass(frozen=True)
class ServiceVocab:
    service: Service
    history: re.Pattern[str]  # title words plus narrative-only words
    history_patterns: tuple[str, ...]


@dataclass(frozen=True)
class Services:
    entries: tuple[ServiceVocab, ...]
    # Every entry's title words in one regex, entry i's in group "s<i>": its first match is the
    # first service a title names (ties to the entry listed first), in one scan, not one per entry.
    first_title: re.Pattern[str]
    history_services: frozenset[Service]
    subtypes: dict[Service, tuple[tuple[str, re.Pattern[str]], ...]]
    evaluation: re.Pattern[str]
    postsurgical_prefix: re.Pattern[str]
    postsurgical: re.Pattern[str]
    regional: frozenset[Service]
    medication_hint: re.Pattern[str]
    medication_anaphora: re.Pattern[str]
    medication_anaphora_patterns: tuple[str, ...]

    def history(self, service: Service) -> re.Pattern[str] | None:
        return next((e.history for e in self.entries if e.service is service), None)

    def subtype(
        self, service: Service | None, text: str, start: int = 0, end: int | None = None
    ) -> str | None:
        """The kind of `service` named in text[start:end] (imaging: mri, ct, xray...)."""
        end = len(text) if end is None else end
        for name, pattern in self.subtypes.get(service, ()):  # type: ignore[call-overload]
            if pattern.search(text, start, end):
                return name
        return None


@cache
def services() -> Services:
    data = load_data("services.yaml")
    entries = []
    groups = []
    for i, entry in enumerate(data["services"]):
        title = list(entry["title"])
        in_titles = title + list(entry.get("title_only", []))
        groups.append(f"(?P<s{i}>(?:" + "|".join(f"(?:{p})" for p in in_titles) + r")(?!\w))")
        entries.append(
            ServiceVocab(
                service=Service(entry["service"]),
                history=re.compile(words(title + list(entry.get("history", []))), FLAGS),
                history_patterns=tuple(title + list(entry.get("history", []))),
            )
        )
    return Services(
        entries=tuple(entries),
        first_title=re.compile(r"(?<!\w)(?:" + "|".join(groups) + ")", FLAGS),
        history_services=frozenset(Service(s) for s in data["history_services"]),
        subtypes={
            Service(service): tuple(
                (name, re.compile(words(p), FLAGS)) for name, p in kinds.items()
            )
            for service, kinds in data["subtypes"].items()
        },
        evaluation=re.compile(words(data["evaluation"]), FLAGS),
        postsurgical_prefix=re.compile(data["postsurgical_prefix"], FLAGS),
        postsurgical=re.compile(words(data["postsurgical"]), FLAGS),
        regional=frozenset(Service(s) for s in data["regional_services"]),
        medication_hint=re.compile(data["medication_hint"], FLAGS),
        medication_anaphora=re.compile(words(data["medication_anaphora"]), FLAGS),
        medication_anaphora_patterns=tuple(data["medication_anaphora"]),
    )


@dataclass(frozen=True)
class Regions:
    pattern: re.Pattern[str]  # one named group per entry: g0, g1, ...
    regions: tuple[tuple[Region, ...], ...]
    not_region: re.Pattern[str]

    def find(
        self, text: str, start: int = 0, end: int | None = None
    ) -> list[tuple[int, int, tuple[Region, ...]]]:
        """Region words in text[start:end] as (start, end, regions), offsets into `text`."""
        end = len(text) if end is None else end
        blocked = [m.span() for m in self.not_region.finditer(text, start, end)]
        found = []
        for m in self.pattern.finditer(text, start, end):
            if any(bs <= m.start() < be for bs, be in blocked):
                continue
            found.append((m.start(), m.end(), self.regions[int(m.lastgroup[1:])]))  # type: ignore[index]
        return found


@cache
def regions() -> Regions:
    data = load_data("regions.yaml")
    groups = [
        f"(?P<g{i}>(?:" + "|".join(_case_aware(p) for p in e["patterns"]) + r")(?!\w))"
        for i, e in enumerate(data["regions"])
    ]
    return Regions(
        # The look-behind once, before the groups: in each group, every position of the text
        # (most are inside words) failed it once per group, three times the whole cost.
        pattern=re.compile(r"(?<!\w)(?:" + "|".join(groups) + ")"),
        regions=tuple(tuple(Region(r) for r in e["regions"]) for e in data["regions"]),
        not_region=re.compile(words(data["not_region"]), FLAGS),
    )


def sentence_regions(text: str, start: int, end: int) -> list[tuple[int, int, tuple[Region, ...]]]:
    """regions().find(text, start, end) for a sentence, read once per sentence text: the same
    sentences are searched for every item, and letters repeat stock sentences."""
    lead = min(start, 1)  # the character before the sentence, which the look-behinds read
    at = start - lead
    return [(at + s, at + e, found) for s, e, found in _regions_in(text[at:end], lead)]


@text_cache(maxsize=8192)
def _regions_in(chunk: str, pos: int) -> tuple[tuple[int, int, tuple[Region, ...]], ...]:
    return tuple(regions().find(chunk, pos))


def _case_aware(pattern: str) -> str:
    """Short uppercase codes (C5, L4-5, UE, ACL) stay case-sensitive: "le" or "ue" in prose are
    not regions. Any pattern with a lower-case letter is matched case-insensitively."""
    letters = re.sub(r"\\[a-zA-Z]|\[[^\]]*\]|\(\?[:!=<]+", "", pattern)
    if any(c.isalpha() for c in letters) and letters.upper() == letters:
        return f"(?:{pattern})"
    return f"(?i:{pattern})"


@dataclass(frozen=True)
class Drug:
    generic: str
    classes: tuple[str, ...]


@dataclass(frozen=True)
class Drugs:
    pattern: re.Pattern[str]  # every generic and brand name, longest first
    by_name: dict[str, Drug]  # lower-case name as written -> drug
    topical: re.Pattern[str]
    class_patterns: dict[str, tuple[str, ...]]  # class -> its words in narrative text

    def lookup(self, name: str) -> Drug | None:
        return self.by_name.get(re.sub(r"\s+", " ", name.lower()))

    def names(self, generic: str) -> list[str]:
        """Every name of a drug, and of each part of a combination (for history search)."""
        parts = set(generic.split("/")) | {generic}
        return sorted(
            {n for n, d in self.by_name.items() if d.generic in parts or n in parts},
            key=len,
            reverse=True,
        )


@cache
def drugs() -> Drugs:
    data = load_data("drugs.yaml")
    by_name: dict[str, Drug] = {}
    for generic, entry in data["drugs"].items():
        drug = Drug(generic=generic, classes=tuple(entry.get("classes", ())))
        by_name.setdefault(generic, drug)
        for brand in entry.get("brands", ()):
            by_name.setdefault(brand.lower(), drug)
    names = sorted(by_name, key=len, reverse=True)
    alternatives = [r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", n)) for n in names]
    return Drugs(
        pattern=re.compile(words(_by_first_character(alternatives)), FLAGS),
        by_name=by_name,
        topical=re.compile(words(data["topical"]), FLAGS),
        class_patterns={c: tuple(p) for c, p in data["class_words"].items()},
    )


def _by_first_character(alternatives: list[str]) -> list[str]:
    """The same alternation with the alternatives that open with the same letter or digit
    grouped under it, in their order: `re` enters every alternative of a case-insensitive
    alternation at every word start (hundreds of drug names), grouped only those under the
    character found there. Alternatives under different characters cannot match at the same
    place, so the same alternative wins everywhere. Unchanged unless all open with one."""
    if not all(a[:1].isascii() and a[:1].isalnum() for a in alternatives):
        return alternatives
    groups: dict[str, list[str]] = {}
    for a in alternatives:
        groups.setdefault(a[0].lower(), []).append(a[1:])
    return [first + "(?:" + "|".join(rests) + ")" for first, rests in groups.items()]


@dataclass(frozen=True)
class FindingTarget:
    patterns: tuple[str, ...]
    weight: int
    value: Any


@dataclass(frozen=True)
class Finding:
    name: str
    kind: str  # "bool" or "set"
    services: frozenset[Service] | None  # read only for items of these services
    scope: str | None
    exclude: frozenset[str]
    negate: frozenset[str]
    tie: bool
    targets: tuple[FindingTarget, ...]


@cache
def findings() -> tuple[Finding, ...]:
    data = load_data("findings.yaml")["findings"]
    out = []
    for name, entry in data.items():
        kind = entry.get("kind", "bool")
        targets = []
        for t in entry["targets"]:
            value = t.get("value", True)
            if kind == "set":
                value = Diagnosis(value)
            targets.append(FindingTarget(tuple(t["patterns"]), int(t.get("weight", 1)), value))
        out.append(
            Finding(
                name=name,
                kind=kind,
                services=frozenset(Service(s) for s in entry["services"])
                if "services" in entry
                else None,
                scope=entry.get("scope"),
                exclude=frozenset(entry.get("exclude", ())),
                negate=frozenset(entry.get("negate", ())),
                tie=bool(entry.get("tie", False)),
                targets=tuple(targets),
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class Conclusion:
    needs: tuple[str, ...]
    pattern: re.Pattern[str]
    # Anchored at the sentence start ("^Therefore ..."): the regex fails at once, so it is tried
    # before the needs (a dozen substring tests), not after.
    anchored: bool


@dataclass(frozen=True)
class Mask:
    conclusion: tuple[Conclusion, ...]
    outcome_words: Prefiltered
    quote_attribution: Prefiltered

    def is_conclusion(self, sentence: str) -> bool:
        """Whether a sentence states the reviewer's conclusion: one of a pattern's needs (plain
        substrings: cheaper than any regex) is in the sentence and the pattern matches."""
        low = sentence.lower()
        for c in self.conclusion:
            if c.anchored:
                if c.pattern.search(sentence) and any(need in low for need in c.needs):
                    return True
                continue
            for need in c.needs:
                if need in low:
                    if c.pattern.search(sentence):
                        return True
                    break
        return False


@cache
def mask() -> Mask:
    data = load_data("mask.yaml")
    return Mask(
        conclusion=tuple(
            Conclusion(
                tuple(c["needs"]),
                re.compile(c["pattern"], FLAGS),
                anchored=c["pattern"].startswith("^"),
            )
            for c in data["conclusion"]
        ),
        outcome_words=Prefiltered.compile(data["outcome_words"], FLAGS),
        quote_attribution=Prefiltered.compile(data["quote_attribution"], FLAGS),
    )
