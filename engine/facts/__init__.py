"""Request facts of each disputed item, with the letter words that support them."""

from engine.facts.extract import extract_facts
from engine.facts.model import Evidence, Facts

__all__ = ["Evidence", "Facts", "extract_facts"]
