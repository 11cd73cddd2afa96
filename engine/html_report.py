"""`recheck report AUDIT.jsonl -o report.html`: one self-contained page (inline SVG, CSS and JS;
nothing fetched) for an audit of any size.

Two streaming passes over the JSONL keep memory flat: the first counts (charts, batch analytics),
the second writes the inconsistent items one by one. Rows are read as plain JSON (not AuditRow):
faster, and a report of an older audit still renders.

Batch analytics: items whose deciding facts are the same (same guidelines evaluated, same value of
every fact their criteria read) must get the same expected outcome; groups of such items whose
*recorded* outcomes differ are decisions the guidelines cannot tell apart, decided differently.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any, TextIO

from engine import __version__
from engine.criteria.schema import GuidelineCitation
from engine.explain import cite, show_value
from engine.report import CONSISTENCY, iter_records

COLORS = {"consistent": "#1b9e77", "inconsistent": "#d95f02", "indeterminate": "#b8b8b8"}
TOP = 20  # categories per chart; the rest are summed as "(other)"
EXAMPLES_PER_GROUP = 8
NONE = "(not stated)"
_EXAMPLE_FIELDS = ("source", "case_number", "item", "title", "outcome")


Row = dict[str, Any]


def iter_rows(path: Path) -> Iterator[Row]:
    return (row for _, row in iter_records(path))


def service(row: Row) -> str:
    return str((row.get("facts") or {}).get("service") or "unrecognised")


def specialty(row: Row) -> str:
    """The primary (first listed) specialty: full lists make too many categories to compare."""
    text = row.get("reviewer_specialty") or ""
    return text.split(",")[0].strip() or NONE


def month(row: Row) -> str:
    return (row.get("decision_date") or "")[:7] or NONE


def sections(row: Row) -> list[str]:
    uses = row.get("guidelines") or []
    return [f"{g['source']} {g['section']}" for g in uses] or ["(no encoded guideline)"]


def deciding_facts(row: Row) -> dict[str, Any]:
    """Every fact the evaluated criteria read, with its value."""
    values: dict[str, Any] = {}
    for f in row.get("findings") or []:
        values.update(f.get("values") or {})
    return dict(sorted(values.items()))


def group_key(row: Row) -> str | None:
    """Service, evaluated guidelines and deciding facts as one string (None: nothing to group:
    an error, no criterion evaluated, or no recorded outcome)."""
    facts = deciding_facts(row)
    if row.get("error") or not facts or row.get("outcome") is None:
        return None
    ids = sorted(g["id"] for g in row.get("guidelines") or [])
    return json.dumps([service(row), ids, facts], sort_keys=True, default=str)


@dataclass
class Group:
    service: str
    guidelines: list[str]
    facts: dict[str, Any]
    outcomes: Counter[str]
    expected: Counter[str]
    examples: list[Row] = field(default_factory=list)


@dataclass
class Stats:
    rows: int = 0
    errors: int = 0
    inputs: int = 0
    consistency: Counter[str] = field(default_factory=Counter)
    bundles: Counter[str] = field(default_factory=Counter)
    by: dict[str, dict[str, Counter[str]]] = field(default_factory=dict)
    # group key -> (recorded outcomes, expected outcomes); details are read again for the
    # groups that split, so memory holds one short key and two counters per fact pattern
    groups: dict[str, tuple[Counter[str], Counter[str]]] = field(default_factory=dict)
    _last_input: str | None = None

    def count(self, chart: str, key: str, consistency: str) -> None:
        self.by.setdefault(chart, {}).setdefault(key, Counter())[consistency] += 1

    def add(self, row: Row) -> None:
        self.rows += 1
        ident = row.get("input_sha256") or row["source"]
        if ident != self._last_input:
            self.inputs += 1
            self._last_input = ident
        if row.get("error"):
            self.errors += 1
            return
        c = row.get("consistency") or "indeterminate"
        self.consistency[c] += 1
        self.bundles[row.get("bundle") or "?"] += 1
        self.count("service", service(row), c)
        for s in sections(row):
            self.count("section", s, c)
        self.count("specialty", specialty(row), c)
        self.count("month", month(row), c)
        key = group_key(row)
        if key is not None:
            outcomes, expected = self.groups.setdefault(key, (Counter(), Counter()))
            outcomes[row["outcome"]] += 1
            expected[row.get("expected") or "?"] += 1

    def split_groups(self) -> dict[str, Group]:
        """Groups with the same deciding facts and different recorded outcomes, largest first."""
        split = []
        for key, (outcomes, expected) in self.groups.items():
            if len(outcomes) > 1:
                svc, ids, facts = json.loads(key)
                split.append((key, Group(svc, ids, facts, outcomes, expected)))
        # Groups the guidelines decide (expected upheld or overturned) first, then by size.
        split.sort(
            key=lambda kv: (
                kv[1].expected.get("indeterminate", 0) == sum(kv[1].expected.values()),
                -sum(kv[1].outcomes.values()),
                kv[0],
            )
        )
        return dict(split)


# --- charts (inline SVG) ------------------------------------------------------------------------


def _top(data: dict[str, Counter[str]], ordered: bool) -> list[tuple[str, Counter[str]]]:
    if ordered:  # months: chronological, all of them
        return sorted(data.items(), key=lambda kv: (kv[0] == NONE, kv[0]))
    ranked = sorted(data.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    if len(ranked) <= TOP:
        return ranked
    other: Counter[str] = Counter()
    for _, c in ranked[TOP - 1 :]:
        other.update(c)
    return [*ranked[: TOP - 1], (f"(other: {len(ranked) - TOP + 1})", other)]


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:.0f}%" if d else "-"


def bar_chart(chart_id: str, title: str, data: dict[str, Counter[str]]) -> str:
    """Horizontal stacked bars: items per category, split by consistency."""
    rows = _top(data, ordered=False)
    if not rows:
        return ""
    width, label_w, bar_w, row_h = 900, 330, 440, 22
    height = 30 + row_h * len(rows)
    most = max(sum(c.values()) for _, c in rows) or 1
    out = [
        f'<figure class="chart" id="{chart_id}"><figcaption>{escape(title)}</figcaption>'
        f'<svg role="img" viewBox="0 0 {width} {height}" width="100%"'
        f' preserveAspectRatio="xMinYMin meet">'
        f'<text x="{label_w + bar_w + 10}" y="14" class="head">items · inconsistent</text>'
    ]
    for i, (label, counts) in enumerate(rows):
        y = 24 + i * row_h
        total = sum(counts.values())
        short = label if len(label) <= 48 else label[:46] + "…"
        out.append(
            f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end"><title>{escape(label)}'
            f"</title>{escape(short)}</text>"
        )
        x = float(label_w)
        for c in CONSISTENCY:
            n = counts[c]
            if not n:
                continue
            w = bar_w * n / most
            out.append(
                f'<rect class="{c}" x="{x:.1f}" y="{y + 2}" width="{max(w, 1):.1f}"'
                f' height="{row_h - 6}" fill="{COLORS[c]}"><title>{escape(label)}: {n} {c}'
                "</title></rect>"
            )
            x += w
        assessed = counts["consistent"] + counts["inconsistent"]
        out.append(
            f'<text x="{label_w + bar_w + 10}" y="{y + 14}">{total} ·'
            f" {_pct(counts['inconsistent'], assessed)}</text>"
        )
    out.append("</svg></figure>")
    return "".join(out)


def column_chart(chart_id: str, title: str, data: dict[str, Counter[str]]) -> str:
    """Stacked columns over time (decision month)."""
    cols = _top(data, ordered=True)
    if not cols:
        return ""
    width, height, left, bottom = 900, 260, 40, 60
    plot_h = height - bottom - 20
    step = (width - left - 10) / len(cols)
    col_w = max(2.0, min(40.0, step * 0.7))
    most = max(sum(c.values()) for _, c in cols) or 1
    out = [
        f'<figure class="chart" id="{chart_id}"><figcaption>{escape(title)}</figcaption>'
        f'<svg role="img" viewBox="0 0 {width} {height}" width="100%">'
        f'<line x1="{left}" y1="{20 + plot_h}" x2="{width - 10}" y2="{20 + plot_h}"'
        ' stroke="#888"/>'
        f'<text x="{left - 4}" y="24" text-anchor="end">{most}</text>'
    ]
    label_every = max(1, len(cols) // 24)
    for i, (label, counts) in enumerate(cols):
        x = left + i * step + (step - col_w) / 2
        y = 20.0 + plot_h
        for c in CONSISTENCY:
            n = counts[c]
            if not n:
                continue
            h = plot_h * n / most
            y -= h
            out.append(
                f'<rect class="{c}" x="{x:.1f}" y="{y:.1f}" width="{col_w:.1f}"'
                f' height="{max(h, 1):.1f}" fill="{COLORS[c]}"><title>{escape(label)}: {n} {c}'
                "</title></rect>"
            )
        if i % label_every == 0:
            tx, ty = x + col_w / 2, 20 + plot_h + 12
            out.append(
                f'<text x="{tx:.1f}" y="{ty}" text-anchor="end"'
                f' transform="rotate(-45 {tx:.1f} {ty})">{escape(label)}</text>'
            )
    out.append("</svg></figure>")
    return "".join(out)


def legend() -> str:
    return "".join(
        f'<span class="key"><svg width="12" height="12"><rect width="12" height="12"'
        f' fill="{COLORS[c]}"/></svg> {c}</span>'
        for c in CONSISTENCY
    )


# --- items and groups ---------------------------------------------------------------------------


def _who(row: Row) -> str:
    return f"{row.get('case_number') or row.get('source')} item {row.get('item')}"


def _citation(raw: dict[str, Any]) -> str:
    try:
        return cite(GuidelineCitation.model_validate(raw))
    except ValueError:  # a row from another version of the schema: show what it says
        return ", ".join(str(v) for v in raw.values() if v)


def finding_html(f: Row) -> str:
    tests = "; ".join([*f.get("when", []), *f.get("condition", [])])
    values = ", ".join(f"{k.replace('_', ' ')} = {show_value(v)}" for k, v in f["values"].items())
    parts = [
        f'<div class="finding"><b>{escape(f["paraphrase"])}</b>'
        f' <span class="status {escape(f["status"])}">{escape(f["status"].replace("_", " "))}'
        "</span>",
        f"<div>Guideline: {escape(_citation(f['citation']))}</div>",
    ]
    if f.get("quote"):
        parts.append(f"<blockquote>{escape(f['quote'])}</blockquote>")
    if tests:
        parts.append(f"<div>Test: <code>{escape(tests)}</code></div>")
    if values:
        parts.append(f"<div>Facts: {escape(values)}</div>")
    for fact, quotes in (f.get("evidence") or {}).items():
        for e in quotes[:2]:
            parts.append(
                f'<div class="evidence">Letter ({escape(fact.replace("_", " "))}, chars'
                f" {e['start']}-{e['end']}): <q>{escape(' '.join(e['quote'].split()))}</q></div>"
            )
    if f.get("missing"):
        parts.append(f"<div>Not stated: {escape(', '.join(f['missing']))}</div>")
    parts.append("</div>")
    return "".join(parts)


def item_html(row: Row) -> str:
    deciding = {c for r in row.get("reasons") or [] for c in r.get("criteria", [])}
    findings = [
        f for f in row.get("findings") or [] if f"{f['guideline']}/{f['criterion']}" in deciding
    ]
    reasons = "".join(
        f"<li><code>{escape(r['code'])}</code> {escape(r['message'])}</li>"
        for r in row.get("reasons") or []
    )
    return (
        f'<details class="item"><summary><b>{escape(_who(row))}</b>:'
        f" {escape(row.get('title') or '')}"
        f" — recorded <b>{escape(str(row.get('outcome')))}</b>, expected"
        f" <b>{escape(str(row.get('expected')))}</b>"
        f' <span class="muted">{escape(row.get("decision_date") or "")} ·'
        f" {escape(service(row))} · {escape(specialty(row))}</span></summary>"
        f"<div class=body><div>Source: {escape(row['source'])}</div>"
        f"<h4>Reasons</h4><ul>{reasons}</ul>"
        f"<h4>Deciding criteria</h4>{''.join(map(finding_html, findings)) or '<p>none</p>'}"
        "</div></details>"
    )


def group_html(g: Group) -> str:
    outcomes = ", ".join(f"{n} {o}" for o, n in g.outcomes.most_common())
    expected = ", ".join(f"{n} {e}" for e, n in g.expected.most_common())
    facts = ", ".join(f"{k.replace('_', ' ')} = {show_value(v)}" for k, v in g.facts.items())
    examples = "".join(
        f"<li>{escape(_who(e))} ({escape(str(e.get('outcome')))}):"
        f" {escape(e.get('title') or '')}</li>"
        for e in g.examples
    )
    return (
        f"<tr><td>{escape(g.service)}</td><td>{escape(', '.join(g.guidelines))}</td>"
        f"<td>{escape(facts)}</td><td>{escape(outcomes)}</td><td>{escape(expected)}</td>"
        f"<td><details><summary>{len(g.examples)} shown</summary><ul>{examples}</ul>"
        "</details></td></tr>"
    )


# --- page ---------------------------------------------------------------------------------------

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;
background:#fafafa}
header,main{max-width:1100px;margin:0 auto;padding:12px 24px}
header{border-bottom:1px solid #ddd;background:#fff;max-width:none}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:28px 0 8px}h4{margin:10px 0 4px}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:120px}
.card b{display:block;font-size:20px}
.chart{background:#fff;border:1px solid #ddd;border-radius:6px;margin:12px 0;padding:8px}
.chart figcaption{font-weight:600;margin-bottom:4px}
.chart svg text{font-size:12px;fill:#333}.chart svg text.head{fill:#777}
.key{margin-right:14px}.muted{color:#777}
table{border-collapse:collapse;background:#fff;width:100%}
td,th{border:1px solid #ddd;padding:4px 6px;vertical-align:top;text-align:left}
.item{background:#fff;border:1px solid #ddd;border-radius:6px;margin:6px 0;padding:6px 10px}
.item summary{cursor:pointer}.body{padding:4px 0 4px 12px}
.finding{border-left:3px solid #d95f02;padding:4px 10px;margin:8px 0}
blockquote{margin:4px 0;padding:2px 8px;color:#555;border-left:3px solid #ccc}
.evidence q{background:#fff3cd}.status{font-size:12px;padding:0 4px;border-radius:3px;
background:#eee}.status.not_met{background:#fbe3d3}.status.met{background:#d8f0e7}
#filter{padding:4px 8px;width:320px}
"""

JS = """
(function(){
  var box=document.getElementById('filter'), count=document.getElementById('shown');
  var items=Array.prototype.slice.call(document.querySelectorAll('#items details.item'));
  function apply(){
    var q=box.value.toLowerCase(), n=0;
    items.forEach(function(d){
      var hit=!q||d.textContent.toLowerCase().indexOf(q)>=0;
      d.style.display=hit?'':'none'; if(hit){n++;}
    });
    count.textContent=n+' shown';
  }
  box.addEventListener('input',apply);
  document.getElementById('expand').addEventListener('click',function(){
    items.forEach(function(d){ if(d.style.display!=='none'){d.open=!d.open;} });
  });
  apply();
  document.body.setAttribute('data-ready','1');
})();
"""


def render(audit: Path, out: TextIO, max_items: int | None = 1000) -> Stats:
    """Write the page for the audit in `audit` to `out`; returns the counts it drew."""
    stats = Stats()
    for row in iter_rows(audit):
        stats.add(row)
    c = stats.consistency
    assessed = c["consistent"] + c["inconsistent"]
    items = sum(c.values())
    cards = [
        ("inputs", stats.inputs),
        ("items", items),
        ("assessed", f"{assessed} ({_pct(assessed, items)})"),
        ("consistent", f"{c['consistent']} ({_pct(c['consistent'], assessed)})"),
        ("inconsistent", f"{c['inconsistent']} ({_pct(c['inconsistent'], assessed)})"),
        ("indeterminate", c["indeterminate"]),
        ("errors", stats.errors),
    ]
    split = stats.split_groups()
    if split:  # second pass: a few example items of each split group
        for row in iter_rows(audit):
            g = split.get(group_key(row) or "")
            if g is not None and (
                len(g.examples) < EXAMPLES_PER_GROUP
                or row["outcome"] not in {e["outcome"] for e in g.examples}
            ):  # a few of each group, and one of every recorded outcome at least
                g.examples.append({k: row.get(k) for k in _EXAMPLE_FIELDS})
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    w = out.write
    w(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>recheck audit report: {escape(audit.name)}</title><style>{CSS}</style></head>"
        f"<body><header><h1>recheck audit report</h1><div class=muted>{escape(str(audit))} ·"
        f" generated {generated} by recheck {__version__} · guideline bundle"
        f" {escape(', '.join(stats.bundles) or '-')}</div></header><main>"
        '<div class="cards">'
        + "".join(f"<div class=card>{escape(k)}<b>{escape(str(v))}</b></div>" for k, v in cards)
        + "</div>"
        f'<h2>Consistency</h2><div class="legend">{legend()}</div>'
        "<p class=muted>Consistent: the recorded outcome is the one the guideline criteria give;"
        " indeterminate: no encoded guideline governs the item, or the letter lacks a fact a"
        " criterion needs. Beside each bar: items, and the share of inconsistent among the"
        " assessed (consistent + inconsistent).</p>"
    )
    by = stats.by
    w(bar_chart("by-service", "By service", by.get("service", {})))
    w(bar_chart("by-section", "By guideline section evaluated", by.get("section", {})))
    w(bar_chart("by-specialty", "By reviewer specialty (first listed)", by.get("specialty", {})))
    w(column_chart("by-month", "By decision month", by.get("month", {})))
    w(
        "<h2>Same deciding facts, different recorded outcomes</h2>"
        f"<p>{len(split)} group{'' if len(split) == 1 else 's'} of items whose evaluated"
        " guidelines and every fact their criteria"
        " read are identical, yet whose recorded outcomes differ.</p>"
    )
    if split:
        w(
            "<table><tr><th>service</th><th>guidelines</th><th>deciding facts</th>"
            "<th>recorded</th><th>expected</th><th>items</th></tr>"
        )
        for g in split.values():
            w(group_html(g))
        w("</table>")
    w(
        f"<h2>Inconsistent items ({c['inconsistent']})</h2>"
        '<p><input id="filter" type="search" placeholder="filter: case, service, words…">'
        ' <button id="expand" type="button">expand / collapse</button>'
        ' <span id="shown" class="muted"></span></p><div id="items">'
    )
    shown = 0
    for row in iter_rows(audit):
        if row.get("consistency") != "inconsistent" or row.get("error"):
            continue
        if max_items is not None and shown >= max_items:
            w(
                f"<p class=muted>{c['inconsistent'] - shown} more not shown (--max-items);"
                " every row is in the audit file.</p>"
            )
            break
        w(item_html(row))
        shown += 1
    w(f"</div></main><script>{JS}</script></body></html>\n")
    return stats


def write_report(audit: Path, output: Path, max_items: int | None = 1000) -> Stats:
    tmp = output.with_name(output.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        stats = render(audit, out, max_items)
    tmp.replace(output)  # never leave a half-written page behind
    return stats
