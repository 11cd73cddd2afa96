"""Letters per second for fact extraction alone (parsing excluded), one core.

    python bench/facts_speed.py [--rounds N] [--profile]

Letters are parsed once up front; each round extracts the facts of every item of every corpus and
seed letter with the per-letter caches cleared, so every round pays the full cost.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from pathlib import Path

from engine.facts import extract_facts
from engine.facts.analysis import _analyse_text, analyse
from engine.facts.text import _view
from engine.letters.parse import load_letter

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--warm",
        action="store_true",
        help="keep the per-sentence cache between rounds (repeated sentences)",
    )
    args = parser.parse_args()
    paths = sorted((SHARED / "corpus" / "letters").glob("*.txt")) + sorted(
        (SHARED / "seeds").glob("*.txt")
    )
    if not paths:
        raise SystemExit(f"no letters under {SHARED}")
    letters = [load_letter(p) for p in paths]
    items = sum(len(letter.items) for letter in letters)

    cold = not args.warm

    def run() -> None:
        for letter in letters:
            for item in letter.items:
                extract_facts(letter, item)
        _view.cache_clear()
        analyse.cache_clear()
        if cold:  # no sentence seen before: the worst case for the per-sentence cache
            _analyse_text.cache_clear()

    run()  # warm up: compile the vocabularies once, as a long-running process would
    if args.profile:
        run()
        cProfile.runctx("run()", globals(), locals(), "/tmp/facts.prof")
        pstats.Stats("/tmp/facts.prof").sort_stats("cumulative").print_stats(25)
        return
    best = float("inf")
    for _ in range(args.rounds):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    print(
        f"{len(letters)} letters, {items} items: best of {args.rounds} rounds {best * 1000:.1f} ms"
    )
    print(
        f"{len(letters) / best:.0f} letters/s, {items / best:.0f} items/s "
        "(one core, extraction only)"
    )


if __name__ == "__main__":
    main()
