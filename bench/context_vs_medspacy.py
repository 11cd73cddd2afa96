"""engine.facts.context against medspaCy 1.3.1's ConText, on the same sentences, targets and rules.

    /work/venv/bin/python bench/context_vs_medspacy.py [--medspacy-python /work/venv-med/bin/python]

Candidate sentences are every readable sentence (conclusions masked) of the corpus and seed letters
that holds a target, with the targets the extractor finds there (made non-overlapping, as spaCy
entities must be). Both implementations get the project's rules (engine/facts/data/context.yaml):
medspaCy as ConTextRule objects with the same regexes, each sentence as one spaCy sentence.

medspaCy lives in its own venv (it pins spaCy/numpy versions the project does not want), so this
script runs it in a subprocess of that interpreter and compares the categories each target gets.
It prints agreement, the disagreements, and sentences/second for:
  - medspaCy (tokenisation + ConText; spacy.blank("en"), no other pipes),
  - ours with exact=True (medspaCy's semantics, its span-overlap quirk included),
  - ours default (the quirk corrected: a narrowed scope still ends at a TERMINATE modifier).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
ROUNDS = 3


def medspacy_worker(inp: Path, out: Path) -> None:
    """Runs inside the medspaCy venv: no project imports."""
    import spacy
    from medspacy.context import ConText, ConTextRule

    data = json.loads(inp.read_text())
    nlp = spacy.blank("en")
    context = ConText(nlp, rules=None)
    context.add(
        [
            ConTextRule(
                literal=r["literal"],
                category=r["category"],
                direction=r["direction"],
                pattern=r["pattern"],
                max_scope=r["max_scope"],
                max_targets=r["max_targets"],
                terminated_by=set(r["terminated_by"]) or None,
            )
            for r in data["rules"]
        ]
    )

    def run() -> list[list[list[str] | None]]:
        results = []
        for sentence in data["sentences"]:
            doc = nlp.make_doc(sentence["text"])
            for i, token in enumerate(doc):
                token.is_sent_start = i == 0
            spans = [
                doc.char_span(s, e, label="T", alignment_mode="expand")
                for s, e in sentence["targets"]
            ]
            # Alignment to spaCy tokens can make two targets overlap: keep what spaCy can hold.
            doc.ents = spacy.util.filter_spans([s for s in spans if s is not None])
            context(doc)
            by_span = {(ent.start_char, ent.end_char): ent for ent in doc.ents}
            row: list[list[str] | None] = []
            for span in spans:
                ent = by_span.get((span.start_char, span.end_char)) if span is not None else None
                row.append(None if ent is None else sorted({m.category for m in ent._.modifiers}))
            results.append(row)
        return results

    results = run()
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    out.write_text(json.dumps({"results": results, "seconds": best}))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--medspacy-python", default="/work/venv-med/bin/python")
    parser.add_argument("--medspacy-worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--show", type=int, default=25, help="disagreements to print")
    args = parser.parse_args()
    if args.medspacy_worker:
        medspacy_worker(*args.medspacy_worker)
        return

    sys.path.insert(0, str(ROOT))
    import yaml

    from engine.facts.analysis import _analyse_text
    from engine.facts.context import _END, ConText, Target, parse_rules, rules_text
    from engine.facts.text import view
    from engine.letters.parse import load_letter

    paths = sorted((SHARED / "corpus" / "letters").glob("*.txt")) + sorted(
        (SHARED / "seeds").glob("*.txt")
    )
    if not paths:
        raise SystemExit(f"no letters under {SHARED}")
    sentences: list[dict] = []
    for path in paths:
        readable = view(load_letter(path))
        for s in readable.sentences:
            text = readable.text[s.start : s.end]
            spans = sorted({(t[2], t[3]) for t in _analyse_text(text)})
            spans = _non_overlapping(spans)
            if spans:
                sentences.append({"text": text, "targets": spans})
    rules = parse_rules(yaml.safe_load(rules_text()))
    # medspaCy's RegexMatcher searches the whole text; ours matches at token starts only. The
    # same start boundary makes the two regexes equivalent.
    start = r"(?:(?<!\w)|(?=\W))"
    rule_json = [
        {
            "literal": r.literal,
            "category": r.category,
            "direction": r.direction.value,
            "pattern": start + r.regex(),
            "max_scope": r.max_scope,
            "max_targets": r.max_targets,
            "terminated_by": sorted(r.terminated_by),
        }
        for r in rules
    ]
    assert _END in rules[0].regex()

    ours: dict[str, tuple[list[list[list[str]]], float]] = {}
    for name, exact in (("ours exact", True), ("ours", False)):
        context = ConText(rules, exact=exact)

        def run(context: ConText = context) -> list[list[list[str]]]:
            return [
                [
                    sorted(a.categories)
                    for a in context(s["text"], [Target("T", b, e) for b, e in s["targets"]])
                ]
                for s in sentences
            ]

        results = run()
        best = float("inf")
        for _ in range(ROUNDS):
            t0 = time.perf_counter()
            run()
            best = min(best, time.perf_counter() - t0)
        ours[name] = (results, best)

    with tempfile.TemporaryDirectory() as tmp:
        inp, out = Path(tmp) / "in.json", Path(tmp) / "out.json"
        inp.write_text(json.dumps({"rules": rule_json, "sentences": sentences}))
        try:
            subprocess.run(
                [args.medspacy_python, __file__, "--medspacy-worker", str(inp), str(out)],
                check=True,
            )
        except (OSError, subprocess.CalledProcessError) as exc:
            raise SystemExit(
                f"medspaCy run failed ({exc}); is medspaCy installed for {args.medspacy_python}?"
            ) from exc
        med = json.loads(out.read_text())

    n_targets = sum(len(s["targets"]) for s in sentences)
    print(
        f"{len(paths)} letters, {len(sentences)} candidate sentences, "
        f"{n_targets} targets, {len(rules)} rules\n"
    )
    print(f"{'implementation':<14} {'sentences/s':>12} {'vs medspaCy':>12}")
    print(f"{'medspaCy':<14} {len(sentences) / med['seconds']:>12.0f} {'1.0x':>12}")
    for name, (_, seconds) in ours.items():
        print(f"{name:<14} {len(sentences) / seconds:>12.0f} {med['seconds'] / seconds:>11.1f}x")
    print()
    for name, (results, _) in ours.items():
        agree = total = 0
        differences = []
        for s, mine, theirs in zip(sentences, results, med["results"], strict=True):
            for (b, e), a, m in zip(s["targets"], mine, theirs, strict=True):
                if m is None:
                    continue  # spaCy could not align the target to tokens
                total += 1
                if a == m:
                    agree += 1
                else:
                    differences.append((s["text"], s["text"][b:e], a, m))
        print(
            f"{name}: {agree}/{total} targets get the same categories as medspaCy "
            f"({agree / total:.2%})"
        )
        for text, target, a, m in differences[: args.show]:
            flat = " ".join(text.split())
            print(f"  target {target!r}: ours {a} medspaCy {m}\n    {flat[:220]}")
        print()
    _quirk_report(sentences, ours["ours exact"][0], ours["ours"][0], args.show)


def _quirk_report(sentences: list[dict], exact: list, fixed: list, show: int) -> None:
    """Where correcting medspaCy's overlap quirk changed a target's categories."""
    changed = [
        (s["text"], s["text"][b:e], a, f)
        for s, ra, rf in zip(sentences, exact, fixed, strict=True)
        for (b, e), a, f in zip(s["targets"], ra, rf, strict=True)
        if a != f
    ]
    print(f"ours vs ours exact: {len(changed)} targets differ (scopes a TERMINATE now ends)")
    for text, target, a, f in changed[:show]:
        print(f"  target {target!r}: exact {a} -> ours {f}\n    {' '.join(text.split())[:220]}")


def _non_overlapping(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest first, then earliest: what spacy.util.filter_spans keeps."""
    kept: list[tuple[int, int]] = []
    for s, e in sorted(spans, key=lambda t: (-(t[1] - t[0]), t[0])):
        if all(e <= ks or s >= ke for ks, ke in kept):
            kept.append((s, e))
    return sorted(kept)


if __name__ == "__main__":
    main()
