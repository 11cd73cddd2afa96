"""The engine's two kinds of cache.

- Caches keyed by text a letter contains (sentences, titles, citations), kept in one registry so
  that a benchmark can clear them and measure letters whose text it has never seen: a batch
  replicated from a few letters would otherwise be measured from its caches.
- What is computed once per object (a criterion's compiled check, a guideline's ruleset), keyed
  by the object's identity.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, Generic, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
K = TypeVar("K")
V = TypeVar("V")

_CACHES: list[Any] = []  # the lru_cache wrappers


def text_cache(maxsize: int) -> Callable[[F], F]:
    """`functools.lru_cache(maxsize)`, registered for `clear_text_caches`."""

    def wrap(fn: F) -> F:
        cached = lru_cache(maxsize=maxsize)(fn)
        _CACHES.append(cached)
        return cached  # type: ignore[return-value]

    return wrap


def clear_text_caches() -> None:
    for cached in _CACHES:
        cached.cache_clear()


class ByIdentity(Generic[K, V]):
    """obj -> build(obj), built once per object. Keyed by identity, not equality: the objects are
    pydantic models with list fields (unhashable), and two equal guidelines from two libraries
    (`recheck replay --guidelines`) are still two. Each entry holds its object, so an id is not
    reused while its entry lives. `bound`: at most this many entries (then all are dropped), for
    objects a batch keeps making."""

    def __init__(self, build: Callable[[K], V], bound: int | None = None) -> None:
        self._build, self._bound = build, bound
        self._entries: dict[int, tuple[K, V]] = {}

    def __call__(self, obj: K) -> V:
        known = self._entries.get(id(obj))
        if known is None or known[0] is not obj:
            if self._bound is not None and len(self._entries) >= self._bound:
                self._entries.clear()
            known = self._entries[id(obj)] = (obj, self._build(obj))
        return known[1]
