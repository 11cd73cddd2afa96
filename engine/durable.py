"""The only module that imports durable-rules: guideline criteria compiled to rulesets as data.

Each criterion becomes up to two rules over one item fact: `met` (scope and test hold) and
`not_met` (scope holds, test fails); each distinct scope term of a guideline one rule that fires
when the term fails, and a criterion one of whose scope terms failed is not applicable. Nothing
firing means unknown, which is exactly the three-valued reading, because durable-rules never
matches a missing field. Negations are pushed down to the comparisons so that this holds.

Sharp edges handled here (see durable-rules-notes): rulesets registered once per process under
content-hashed names (no reload API), one reused session id with retraction (1024-sid cap), a
`kind` discriminator in every rule (the `$nex` infinite loop), the no-match result read as
"unknown", a sequence number making every fact distinct (a repeated fact is refused), lists
flattened to booleans. The engine is driven through its C interface (see `DurableEngine`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import durable_rules_engine as _dr  # durable-rules' C engine (the `durable` package wraps it)
from pydantic_core import to_json

from engine.criteria.evaluate import comparisons
from engine.criteria.schema import AnyOf, Comparison, Criterion, Guideline, Op, Term
from engine.facts.derive import Kind, fact_kinds
from engine.findings import Status
from engine.memo import ByIdentity

_SID = "item"
_KIND = {"kind": "item"}
_HANDLED, _NOT_HANDLED = 0, 1  # assert_fact's codes: matched some rule, matched none
_DR_OP = {Op.NE: "$neq", Op.LT: "$lt", Op.LE: "$lte", Op.GT: "$gt", Op.GE: "$gte"}
_NEGATE = {
    Op.EQ: Op.NE,
    Op.NE: Op.EQ,
    Op.LT: Op.GE,
    Op.GE: Op.LT,
    Op.LE: Op.GT,
    Op.GT: Op.LE,
    Op.IN: Op.NOT_IN,
    Op.NOT_IN: Op.IN,
    Op.CONTAINS_ANY: Op.CONTAINS_NONE,
    Op.CONTAINS_NONE: Op.CONTAINS_ANY,
}


def _flag(fact: str, value: Any) -> str:
    return f"{fact}__{value}"


def _cmp(fact: str, op: Op, value: Any) -> dict[str, Any]:
    if op is Op.EQ:
        return {fact: value}
    return {_DR_OP[op]: {fact: value}}


def _and(exprs: list[dict[str, Any]]) -> dict[str, Any]:
    return exprs[0] if len(exprs) == 1 else {"$and": exprs}


def _or(exprs: list[dict[str, Any]]) -> dict[str, Any]:
    return exprs[0] if len(exprs) == 1 else {"$or": exprs}


def _comparison(c: Comparison, negate: bool) -> dict[str, Any]:
    op = c.op
    if op is Op.CONTAINS:  # a one-value contains_any
        op, value = Op.CONTAINS_ANY, [c.value]
    else:
        value = c.value
    if negate:
        op = _NEGATE[op]
    if op is Op.CONTAINS_ANY:
        return _or([{_flag(c.fact, v): True} for v in value])
    if op is Op.CONTAINS_NONE:
        return _and([{_flag(c.fact, v): False} for v in value])
    if op is Op.IN:
        return _or([{c.fact: v} for v in value])
    if op is Op.NOT_IN:
        return _and([{"$neq": {c.fact: v}} for v in value])
    return _cmp(c.fact, op, value)


def _term(t: Term, negate: bool) -> dict[str, Any]:
    if isinstance(t, AnyOf):
        parts = [_comparison(c, negate) for c in t.any]
        return _and(parts) if negate else _or(parts)
    return _comparison(t, negate)


def _rule(expr: list[dict[str, Any]]) -> dict[str, Any]:
    return {"all": [{"m": _and([_KIND, *expr])}]}


_FAILS = "fails"  # status suffix of a scope-term rule


def compile_criterion(c: Criterion) -> dict[str, dict[str, Any]]:
    """The `met` and `not_met` rules of one criterion, keyed by rule name `<criterion>|<status>`
    (its scope's failure is a shared scope-term rule: see `compile_guideline`)."""
    scope = [_term(t, False) for t in c.when]
    rules = {f"{c.id}|{Status.MET}": _rule([*scope] + [_term(t, False) for t in c.condition])}
    if c.condition:
        fails = _or([_term(t, True) for t in c.condition])
        rules[f"{c.id}|{Status.NOT_MET}"] = _rule([*scope, fails])
    return rules


def scope_terms(g: Guideline) -> tuple[dict[str, dict[str, Any]], dict[str, frozenset[str]]]:
    """The rules that fire when a distinct `when` term of a guideline fails (rule name ->
    expression), and each criterion's rule names. A criterion is not applicable exactly when one
    of its scope terms fails, and the criteria of a guideline share their scope terms (a body
    region, postsurgical or not): one rule per term fires far fewer actions than one per
    criterion, each a message the engine builds and hands out."""
    names: dict[str, str] = {}  # the failure expression as JSON -> its rule name
    rules: dict[str, dict[str, Any]] = {}
    of_criterion: dict[str, frozenset[str]] = {}
    for c in g.criteria:
        mine = []
        for t in c.when:
            fails = _term(t, True)
            key = json.dumps(fails, sort_keys=True)
            if key not in names:
                names[key] = f"scope{len(names)}|{_FAILS}"
                rules[names[key]] = _rule([fails])
            mine.append(names[key])
        of_criterion[c.id] = frozenset(mine)
    return rules, of_criterion


def compile_guideline(g: Guideline) -> tuple[dict[str, dict[str, Any]], dict[str, frozenset[str]]]:
    """A guideline's ruleset, and the scope-term rules of each criterion."""
    ruleset: dict[str, dict[str, Any]] = {}
    for c in g.criteria:
        ruleset.update(compile_criterion(c))
    scope_rules, scopes = scope_terms(g)
    return ruleset | scope_rules, scopes


def referenced(g: Guideline) -> tuple[tuple[str, ...], dict[str, tuple[Any, ...]]]:
    """The facts a guideline's criteria read: scalar facts, and for each set fact the values
    they name (only those become flags: a fact holds at most 255 properties in durable-rules,
    fewer than the flags of every vocabulary value; the drug vocabulary alone has hundreds)."""
    kinds = fact_kinds()
    scalars: dict[str, None] = {}
    sets: dict[str, dict[Any, None]] = {}
    for c in g.criteria:
        for cmp in comparisons([*c.when, *c.condition]):
            if kinds.get(cmp.fact) is Kind.SET:
                named = cmp.value if isinstance(cmp.value, list) else [cmp.value]
                sets.setdefault(cmp.fact, {}).update(dict.fromkeys(named))
            else:
                scalars[cmp.fact] = None
    return tuple(scalars), {name: tuple(named) for name, named in sets.items()}


@dataclass(frozen=True)
class _Ruleset:
    """A registered ruleset: its handle in the engine and what its rules read."""

    handle: int
    scalars: tuple[str, ...]
    flags: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]  # set fact -> (flag, value)s
    criteria: tuple[str, ...]
    # a scope-term rule's name -> the criteria its failure leaves not applicable
    scoped: dict[str, tuple[str, ...]]
    # a criterion's rule name -> (criterion, its status); a scope-term rule's -> None
    rules: dict[str, tuple[str, Status] | None]

    def fact(self, values: Mapping[str, Any], seq: int) -> str:
        """An item record as the rules read it, as JSON: only the facts they name, nulls
        dropped (never matched: unknown), sets as flags (an empty set is unknown: no flags)."""
        fact: dict[str, Any] = {"kind": "item", "sid": _SID, "seq": seq}
        for name in self.scalars:
            if (value := values.get(name)) is not None:
                fact[name] = value
        for name, flags in self.flags:
            if present := values.get(name):
                for flag, v in flags:
                    fact[flag] = v in present
        # pydantic-core's encoder, not json's (whose Python wrapper builds an encoder per call): a
        # fact is encoded for every governing guideline of every item. The same JSON values
        # (NaN and infinities included), only without spaces.
        return to_json(fact).decode()


class DurableEngine:
    """durable-rules' Rete core (its C engine), driven directly: a ruleset per guideline,
    registered once. The Python `Host` is not used: its action protocol costs a JSON round trip
    of the session state per fired rule and swallows action errors into that state. Here a fired
    rule's action is only its name, read off the message the engine hands out."""

    def __init__(self) -> None:
        self._rulesets: dict[str, _Ruleset] = {}  # registered name -> ruleset
        # Guideline object -> its ruleset. By object, not guideline id: one process may judge with
        # two libraries whose guidelines share ids (`recheck replay --guidelines`, tests).
        self._of = ByIdentity(lambda g: self._ruleset(g)[1])
        self._seq = itertools.count()  # every fact distinct: a repeated fact is an error

    def register(self, g: Guideline) -> str:
        """Register a guideline's ruleset (idempotent for identical content)."""
        return self._ruleset(g)[0]

    def _ruleset(self, g: Guideline) -> tuple[str, _Ruleset]:
        rules, scopes = compile_guideline(g)
        definition = json.dumps(rules, sort_keys=True, ensure_ascii=False)
        name = f"{g.id}.{hashlib.sha256(definition.encode()).hexdigest()[:12]}"
        known = self._rulesets.get(name)
        if known is None:
            scalars, sets = referenced(g)
            known = self._rulesets[name] = _Ruleset(
                handle=_dr.create_ruleset(name, definition),
                scalars=scalars,
                flags=tuple(
                    (name, tuple((_flag(name, v), v) for v in named))
                    for name, named in sets.items()
                ),
                criteria=tuple(c.id for c in g.criteria),
                scoped={
                    rule: tuple(c for c, scope in scopes.items() if rule in scope)
                    for rule in set().union(*scopes.values())
                },
                rules={rule: _action(rule) for rule in rules},
            )
        return name, known

    def evaluate(self, g: Guideline, values: Mapping[str, Any]) -> dict[str, Status]:
        """Status of every criterion of `g` for one item's fact values."""
        rs = self._of(g)
        fact = rs.fact(values, next(self._seq))
        statuses = dict.fromkeys(rs.criteria, Status.UNKNOWN)
        code, state = _dr.assert_fact(rs.handle, fact)
        if code == _NOT_HANDLED:  # no rule matched: every criterion unknown, nothing stored
            return statuses
        if code != _HANDLED:  # 2: the same fact twice (the sequence number rules it out)
            raise RuntimeError(f"durable-rules refused a fact of {g.id} (code {code})")
        try:
            fired = _fired(rs.handle, state)
        finally:  # one session, its fact retracted after each item: durable-rules caps sessions
            _dr.retract_fact(rs.handle, fact)
        failed = []
        for rule in fired:
            if (action := rs.rules[rule]) is None:
                failed.append(rule)
            else:
                statuses[action[0]] = action[1]
        for rule in failed:  # after the criteria's own rules: a failed scope term overrides them
            for criterion in rs.scoped[rule]:
                statuses[criterion] = Status.NOT_APPLICABLE
        return statuses


def _action(rule: str) -> tuple[str, Status] | None:
    """What a fired rule says: a criterion's status, or (None) that a scope term failed."""
    subject, _, st = rule.rpartition("|")
    return None if st == _FAILS else (subject, Status(st))


def _fired(handle: int, state: int) -> list[str]:
    """The names of the rules an asserted fact fired: each action the engine hands out is
    completed at once, its message read for the rule's name only."""
    fired = []
    action = _dr.start_action_for_state(handle, state)
    message = action[1] if action else None
    while message:
        fired.append(message[2 : message.index('"', 2)])  # '{"<rule name>":{...}}'
        message = _dr.complete_and_start_action(handle, state)
    return fired


_ENGINE: DurableEngine | None = None


def get_engine() -> DurableEngine:
    """The process's engine, built on first use (inside each worker process)."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = DurableEngine()
    return _ENGINE
