"""The only module that imports durable-rules: guideline criteria compiled to rulesets as data.

Each criterion becomes up to two rules over one item fact: `met` (scope and test hold) and
`not_met` (scope holds, test fails); each distinct scope term of a guideline one rule that fires
when the term fails, and a criterion one of whose scope terms failed is not applicable. Nothing
firing means unknown, which is exactly the three-valued reading, because durable-rules never
matches a missing field. Negations are pushed down to the comparisons so that this holds.

Sharp edges handled here (see durable-rules-notes): one Host per process, rulesets registered
under content-hashed names (no reload API), one reused session id with retraction (1024-sid cap),
a `kind` discriminator in every rule (the `$nex` infinite loop), no-match and duplicate-fact
exceptions caught, action errors read back from the session state, lists flattened to booleans.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from collections.abc import Mapping
from typing import Any

from durable import engine as _dr

from engine.criteria.schema import AnyOf, Comparison, Criterion, Guideline, Op, Term
from engine.facts.derive import Kind, fact_kinds, vocabulary
from engine.findings import Status

_SID = "item"
_KIND = {"kind": "item"}
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


def _rule(name: str, expr: list[dict[str, Any]]) -> dict[str, Any]:
    return {"all": [{"m": _and([_KIND, *expr])}], "run": name}


_FAILS = "fails"  # status suffix of a scope-term rule


def compile_criterion(c: Criterion) -> dict[str, dict[str, Any]]:
    """The `met` and `not_met` rules of one criterion, keyed by rule name `<criterion>|<status>`
    (its scope's failure is a shared scope-term rule: see `compile_guideline`)."""
    scope = [_term(t, False) for t in c.when]
    rules = {
        f"{c.id}|{Status.MET}": _rule(
            f"{c.id}|{Status.MET}", [*scope] + [_term(t, False) for t in c.condition]
        )
    }
    if c.condition:
        fails = _or([_term(t, True) for t in c.condition])
        rules[f"{c.id}|{Status.NOT_MET}"] = _rule(f"{c.id}|{Status.NOT_MET}", [*scope, fails])
    return rules


def scope_terms(g: Guideline) -> tuple[dict[str, dict[str, Any]], dict[str, frozenset[str]]]:
    """The rules that fire when a distinct `when` term of a guideline fails (rule name ->
    expression), and each criterion's rule names. A criterion is not applicable exactly when one
    of its scope terms fails, and the criteria of a guideline share their scope terms (a body
    region, postsurgical or not): one rule per term fires far fewer actions than one per
    criterion, each action being a JSON round trip inside durable-rules."""
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
                rules[names[key]] = _rule(names[key], [fails])
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


def to_fact(
    values: Mapping[str, Any], members: Mapping[str, frozenset[Any]] | None = None
) -> dict[str, Any]:
    """An item record as durable-rules should see it: nulls dropped, sets as boolean flags.

    `members`: for each set fact, the values a ruleset's criteria name (see `referenced`); only
    those become flags. A fact holds at most 255 properties in durable-rules, fewer than the flags
    of every vocabulary value (the drug vocabulary alone has hundreds).
    """
    kinds = fact_kinds()
    fact: dict[str, Any] = {}
    for name, value in values.items():
        kind = kinds.get(name)
        if value is None or kind is None:
            continue
        if kind is Kind.SET:
            if value:  # an empty set is unknown: no flags at all
                present = set(value)
                names = (vocabulary(name) or ()) if members is None else members.get(name, ())
                fact.update({_flag(name, v): v in present for v in names})
        else:
            fact[name] = value
    return fact


def referenced(g: Guideline) -> dict[str, frozenset[Any]]:
    """Set fact -> the values the guideline's criteria compare it with."""
    kinds = fact_kinds()
    out: dict[str, set[Any]] = {}
    for c in g.criteria:
        for t in (*c.when, *c.condition):
            for cmp in t.any if isinstance(t, AnyOf) else [t]:
                if kinds.get(cmp.fact) is Kind.SET:
                    vs = cmp.value if isinstance(cmp.value, list) else [cmp.value]
                    out.setdefault(cmp.fact, set()).update(vs)
    return {name: frozenset(vs) for name, vs in out.items()}


class DurableEngine:
    """One durable-rules Host for the process; a ruleset per guideline, registered once."""

    def __init__(self) -> None:
        fired = self._fired = []  # rule names fired by the current assertion

        class _Host(_dr.Host):
            def get_action(self, name: str) -> Any:
                def act(c: Any) -> None:  # exactly one parameter: two would make it async
                    fired.append(name)

                return act

        self._host = _Host()
        self._names: dict[str, str] = {}  # guideline id -> registered ruleset name
        # Guideline object -> its ruleset name. Keyed by object, not id: one process may judge
        # with two libraries whose guidelines share ids (`recheck replay --guidelines`, tests).
        self._rulesets: dict[int, tuple[Guideline, str]] = {}
        self._members: dict[str, dict[str, frozenset[Any]]] = {}  # ruleset name -> set values
        # ruleset name -> criterion id -> the names of its scope-term rules (`<term>|fails`)
        self._scopes: dict[str, dict[str, frozenset[str]]] = {}
        self._seq = itertools.count()

    def register(self, g: Guideline) -> str:
        """Register a guideline's ruleset (idempotent for identical content)."""
        ruleset, scopes = compile_guideline(g)
        digest = hashlib.sha256(json.dumps(ruleset, sort_keys=True).encode()).hexdigest()[:12]
        name = f"{g.id}.{digest}"
        if self._names.get(g.id) != name:
            try:
                # registration mutates its input (pops "run"): give it a copy
                self._host.set_rulesets({name: copy.deepcopy(ruleset)})
            except Exception as exc:  # an earlier bundle in this process registered it
                if "already registered" not in str(exc):
                    raise
            self._names[g.id] = name
            self._members[name] = referenced(g)
            self._scopes[name] = scopes
        return name

    def evaluate(self, g: Guideline, values: Mapping[str, Any]) -> dict[str, Status]:
        """Status of every criterion of `g` for one item's fact values."""
        known = self._rulesets.get(id(g))
        if known is None or known[0] is not g:
            known = self._rulesets[id(g)] = (g, self.register(g))
        name = known[1]
        fact = to_fact(values, self._members[name])
        fact.update(_KIND, seq=next(self._seq), sid=_SID)
        self._fired.clear()
        try:
            self._host.assert_fact(name, fact)
        except _dr.MessageNotHandledException:
            pass  # no rule matched: every criterion is unknown; the fact was not stored
        else:
            self._host.retract_fact(name, fact)
        state = self._host.get_state(name, _SID)
        if state.get("exception"):
            self._host.delete_state(name, _SID)  # or every later item would look failed
            raise RuntimeError(f"durable-rules action failed in {name}: {state['exception']}")
        statuses = dict.fromkeys((c.id for c in g.criteria), Status.UNKNOWN)
        failed: set[str] = set()
        for rule in self._fired:
            subject, _, st = rule.rpartition("|")
            if st == _FAILS:
                failed.add(rule)
            else:
                statuses[subject] = Status(st)
        if failed:
            for criterion, scope in self._scopes[name].items():
                if scope & failed:
                    statuses[criterion] = Status.NOT_APPLICABLE
        return statuses


_ENGINE: DurableEngine | None = None


def get_engine() -> DurableEngine:
    """The process's engine, built on first use (inside each worker process)."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = DurableEngine()
    return _ENGINE
