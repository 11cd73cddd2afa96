"""engine.memo.ByIdentity: built once per object, equal objects kept apart, bounded when asked."""

from __future__ import annotations

from engine.memo import ByIdentity


def test_built_once_per_object_and_equal_objects_apart() -> None:
    built: list[list[int]] = []

    def build(obj: list[int]) -> int:
        built.append(obj)
        return len(built)

    cache = ByIdentity(build)
    a, b = [1], [1]  # equal, unhashable
    assert (cache(a), cache(a), cache(b), cache(a)) == (1, 1, 2, 1)
    assert built == [a, b]


def test_bound_drops_the_entries() -> None:
    calls: list[int] = []
    cache = ByIdentity(lambda obj: calls.append(1) or len(calls), bound=2)
    objs = [[n] for n in range(3)]
    for obj in objs:
        cache(obj)
    assert cache(objs[2]) == 3  # kept after the drop that made room for it
    assert cache(objs[0]) == 4  # dropped: built again
