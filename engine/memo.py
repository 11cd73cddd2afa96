"""Caches keyed by text a letter contains (sentences, titles, citations), kept in one registry
so that a benchmark can clear them and measure letters whose text it has never seen: a batch
replicated from a few letters would otherwise be measured from its caches."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

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
