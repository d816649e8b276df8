"""The estate report (``certcheck bulk --html FILE``): one self-contained HTML file about a whole run.

An expiry timeline of every certificate (leaves and chain certificates, by week; today and the warning window
marked), counts by algorithm and key size, findings by code (each linked to its documentation), and a sortable
table of the requests with their verdicts and sources. Nothing is loaded from the network (inline CSS, inline
SVG, a few lines of inline JS for sorting and filtering), and nothing of a private key is in it: it is built from
findings, sources, Names and ``Report.certificates`` (dates, algorithms, sizes, fingerprints) only.

Memory: one small row per request and one per distinct certificate (an intermediate shared by a thousand
requests is one certificate), never the reports themselves.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from certcheck.model import Severity
from certcheck.report import Report

__all__ = ["Estate"]

WEEKS_BEFORE = 8  # the timeline shows these weeks before today...
WEEKS_AFTER = 52  # ... and these after; earlier and later certificates gather in two end columns


@dataclass
class _Row:
    source: str
    name: str
    verdict: str  # "fail", "warn", "ok"
    kind: str
    algorithm: str
    expires: datetime | None  # the earliest leaf expiry
    codes: tuple[str, ...]
    unmatched: bool = False  # a file that belongs to no request, not a request


@dataclass
class _Cert:
    subject: str
    not_after: datetime
    leaf: bool
    algorithm: str
    key_size: int | None
    requests: int = 1


def _key_label(algorithm: str | None, size: int | None) -> str:
    if not algorithm:
        return "no certificate"
    if algorithm == "SM2":
        return "SM2"
    if algorithm == "EC" and size:
        return f"EC P-{size}" if size in (256, 384) else ("EC P-521" if size == 521 else f"EC {size}")
    return f"{algorithm} {size}" if size else algorithm


def _doc_url(code: str) -> str:
    from certcheck import codes

    doc_url = getattr(codes, "doc_url", None)  # the documentation's address, when the catalogue knows it
    if callable(doc_url):
        return str(doc_url(code))
    return f"docs/codes.md#{code}"


class Estate:
    """Collects what the report shows, one report at a time (``add``), then writes it (``render``)."""

    def __init__(self) -> None:
        self.rows: list[_Row] = []
        self.certs: dict[str, _Cert] = {}
        self.by_key: Counter[str] = Counter()
        self.by_code: Counter[str] = Counter()
        self.severity: dict[str, str] = {}
        self.unmatched = 0

    def add(self, report: Report) -> None:
        codes = tuple(f.code for f in report.findings)
        self.by_code.update(set(codes))
        for finding in report.findings:
            self.severity.setdefault(finding.code, finding.severity.value)
        if codes == ("source.unmatched",):
            self.unmatched += 1
        leaves = [c for c in report.certificates if c.leaf]
        for cert in report.certificates:
            known = self.certs.get(cert.fingerprint)
            if known is None:
                self.certs[cert.fingerprint] = _Cert(
                    cert.subject, cert.not_after, cert.leaf, cert.algorithm, cert.key_size
                )
            else:
                known.requests += 1
                known.leaf = known.leaf or cert.leaf
        first = leaves[0] if leaves else None
        if codes != ("source.unmatched",):
            self.by_key[_key_label(first.algorithm if first else None, first.key_size if first else None)] += 1
        worst = max((f.severity.rank for f in report.findings), default=-1)
        verdict = "fail" if not report.ok else ("warn" if worst >= Severity.WARNING.rank else "ok")
        name = report.request.get("Name") if report.request is not None else None
        self.rows.append(
            _Row(
                report.source or "",
                name or "",
                verdict,
                report.kind or "",
                _key_label(first.algorithm, first.key_size) if first else (report.algorithm or ""),
                min((c.not_after for c in leaves), default=None),
                tuple(dict.fromkeys(codes)),
                codes == ("source.unmatched",),
            )
        )

    # --- rendering --------------------------------------------------------------------------------------------

    def render(self, at: datetime, warning_days: float, title: str = "certcheck estate report") -> str:
        at = at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)
        counts = Counter(row.verdict for row in self.rows if not row.unmatched)
        requests = len(self.rows) - self.unmatched
        expired = sum(1 for c in self.certs.values() if c.not_after < at)
        soon = sum(1 for c in self.certs.values() if at <= c.not_after < at + timedelta(days=warning_days))
        tiles = [
            ("requests", requests, ""),
            ("passed", counts["ok"] + counts["warn"], "ok"),
            ("with warnings", counts["warn"], "warn"),
            ("failed", counts["fail"], "fail"),
            ("certificates", len(self.certs), ""),
            ("expired", expired, "fail" if expired else ""),
            (f"expiring within {warning_days:g} days", soon, "warn" if soon else ""),
        ]
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            # No network: nothing here may load anything (the CSP says so to the browser, too).
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">",
            f"<title>{_e(title)}</title>",
            f"<style>{_CSS}</style></head><body>",
            f'<header><h1>{_e(title)}</h1><p class="muted">judged at {_e(at.strftime("%Y-%m-%d %H:%M UTC"))}; '
            f"warning window {warning_days:g} days; {len(self.rows)} rows</p></header>",
            '<section class="tiles" id="tiles">',
            *(
                f'<div class="tile {cls}"><div class="num">{value}</div><div class="lbl">{_e(label)}</div></div>'
                for label, value, cls in tiles
            ),
            "</section>",
            '<section id="timeline"><h2>Expiry timeline</h2>',
            '<p class="muted">Every distinct certificate by the week it expires (leaves dark, chain certificates '
            "light); an intermediate shared by many requests counts once.</p>",
            self._timeline(at, warning_days),
            "</section>",
            '<div class="cols">',
            '<section id="algorithms"><h2>Algorithms and key sizes</h2>',
            self._algorithms(),
            "</section>",
            '<section id="findings"><h2>Findings by code</h2>',
            self._findings(),
            "</section>",
            "</div>",
            '<section id="requests"><h2>Requests</h2>',
            '<p><input id="filter" type="search" placeholder="filter by source, name, code..." '
            'aria-label="filter"> <span class="muted" id="shown"></span></p>',
            self._table(),
            "</section>",
            f'<footer class="muted">certcheck {_version()} &middot; no private key material is in this file</footer>',
            f"<script>{_JS}</script>",
            "</body></html>",
        ]
        return "\n".join(parts) + "\n"

    def _timeline(self, at: datetime, warning_days: float) -> str:
        monday = (at - timedelta(days=at.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
        start = monday - timedelta(weeks=WEEKS_BEFORE)
        columns = WEEKS_BEFORE + WEEKS_AFTER + 2  # "earlier", the weeks, "later"
        leaf = [0] * columns
        chain = [0] * columns
        for cert in self.certs.values():
            week = (cert.not_after - start).days // 7
            column = 0 if week < 0 else (columns - 1 if week >= WEEKS_BEFORE + WEEKS_AFTER else week + 1)
            (leaf if cert.leaf else chain)[column] += 1
        tallest = max((a + b for a, b in zip(leaf, chain, strict=False)), default=0) or 1
        bar_w, gap, height, left, top = 13, 3, 180, 36, 24
        width = left + columns * (bar_w + gap) + 10
        svg = [
            f'<svg class="timeline" viewBox="0 0 {width} {height + top + 46}" width="100%" role="img" '
            f'aria-label="certificates expiring per week">'
        ]

        def x_of(column: int) -> float:
            return left + column * (bar_w + gap)

        def x_at(moment: datetime) -> float:
            return x_of(1) + (moment - start).total_seconds() / (7 * 86400) * (bar_w + gap)

        today_x = x_at(at)
        end_x = min(x_at(at + timedelta(days=warning_days)), x_of(columns - 1))
        svg.append(
            f'<rect class="window" x="{today_x:.1f}" y="{top}" width="{max(0.0, end_x - today_x):.1f}" '
            f'height="{height}"><title>warning window: {warning_days:g} days</title></rect>'
        )
        step = max(1, -(-tallest // 4))
        tallest = step * 4
        for tick in range(0, 5):
            value = step * tick
            y = top + height - height * value / tallest
            svg.append(f'<line class="grid" x1="{left - 4}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}"/>')
            svg.append(f'<text class="axis" x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{value}</text>')
        for column in range(columns):
            x = x_of(column)
            week_start = start + timedelta(weeks=column - 1)
            if column == 0:
                label, state = "expired earlier", "expired"
            elif column == columns - 1:
                label, state = f"later than {WEEKS_AFTER} weeks", "later"
            else:
                label = f"week of {week_start:%Y-%m-%d}"
                week_end = week_start + timedelta(weeks=1)
                state = (
                    "expired"
                    if week_end <= at
                    else ("soon" if week_start < at + timedelta(days=warning_days) else "later")
                )
            y = top + height
            for count, kind in ((leaf[column], "leaf"), (chain[column], "chain")):
                if not count:
                    continue
                h = max(2.0, height * count / tallest)
                y -= h
                svg.append(
                    f'<rect class="bar {state} {kind}" x="{x}" y="{y:.1f}" width="{bar_w}" height="{h:.1f}" '
                    f'data-week="{column}"><title>{_e(label)}: {count} {kind} certificate'
                    f"{'s' if count != 1 else ''}</title></rect>"
                )
            if 2 < column < columns - 1 and week_start.day <= 7:
                svg.append(
                    f'<text class="axis" x="{x}" y="{top + height + 14}">{week_start:%b}</text>'
                    + (
                        f'<text class="axis" x="{x}" y="{top + height + 26}">{week_start:%Y}</text>'
                        if week_start.month == 1 or column < 7
                        else ""
                    )
                )
        svg.append(f'<text class="axis" x="{x_of(0)}" y="{top + height + 14}">earlier</text>')
        svg.append(f'<text class="axis" x="{x_of(columns - 1) - 14}" y="{top + height + 14}">later</text>')
        svg.append(
            f'<line class="today" x1="{today_x:.1f}" x2="{today_x:.1f}" y1="{top - 6}" y2="{top + height}"/>'
            f'<text class="today-label" x="{today_x + 3:.1f}" y="{top - 10}">today</text>'
        )
        svg.append(
            f'<text class="window-label" x="{end_x + 3:.1f}" y="{top + 12}">warning window ({warning_days:g} d)</text>'
        )
        legend_y = top + height + 42
        for i, (cls, text) in enumerate(
            (
                ("expired leaf", "expired"),
                ("soon leaf", "in the warning window"),
                ("later leaf", "later"),
                ("later chain", "chain certificate (lighter)"),
            )
        ):
            lx = left + i * 190
            svg.append(f'<rect class="bar {cls}" x="{lx}" y="{legend_y - 9}" width="10" height="10"/>')
            svg.append(f'<text class="axis" x="{lx + 14}" y="{legend_y}">{_e(text)}</text>')
        svg.append("</svg>")
        return "".join(svg)

    def _algorithms(self) -> str:
        if not self.by_key:
            return '<p class="muted">no requests</p>'
        tallest = max(self.by_key.values())
        rows = []
        for label, count in sorted(self.by_key.items(), key=lambda kv: (-kv[1], kv[0])):
            share = 100 * count / tallest
            rows.append(
                f'<tr><td>{_e(label)}</td><td class="n">{count}</td>'
                f'<td class="meter"><span style="width:{share:.0f}%"></span></td></tr>'
            )
        return (
            '<table class="small" id="algorithm-table"><thead><tr><th>leaf key</th><th>requests</th><th></th>'
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )

    def _findings(self) -> str:
        if not self.by_code:
            return '<p class="muted">no findings</p>'
        from certcheck.codes import catalogue

        known = catalogue()
        rows = []
        order = {"error": 0, "warning": 1, "info": 2}
        for code, count in sorted(self.by_code.items(), key=lambda kv: (order[self.severity[kv[0]]], -kv[1], kv[0])):
            summary = known[code].summary if code in known else ""
            severity = self.severity[code]
            rows.append(
                f'<tr><td><a href="{_e(_doc_url(code))}" title="{_e(summary)}">{_e(code)}</a></td>'
                f'<td><span class="sev {severity}">{severity}</span></td><td class="n">{count}</td></tr>'
            )
        return (
            '<table class="small" id="findings-table"><thead><tr><th>code</th><th>severity</th><th>requests</th>'
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )

    def _table(self) -> str:
        rank = {"fail": 0, "warn": 1, "ok": 2}
        rows = []
        for row in self.rows:
            expires = row.expires.strftime("%Y-%m-%d") if row.expires else ""
            codes = " ".join(row.codes)
            rows.append(
                f'<tr class="{row.verdict}"><td data-sort="{rank[row.verdict]}"><span class="verdict {row.verdict}">'
                f"{row.verdict.upper()}</span></td><td>{_e(row.name)}</td><td>{_e(row.kind)}</td>"
                f'<td>{_e(row.algorithm)}</td><td data-sort="{expires or "9999"}">{expires}</td>'
                f'<td class="codes">{_e(codes)}</td><td class="src">{_e(row.source)}</td></tr>'
            )
        head = "".join(
            f'<th data-col="{i}" data-type="{kind}">{label}</th>'
            for i, (label, kind) in enumerate(
                (
                    ("verdict", "n"),
                    ("Name", "s"),
                    ("kind", "s"),
                    ("key", "s"),
                    ("leaf expires", "s"),
                    ("findings", "s"),
                    ("source", "s"),
                )
            )
        )
        return f'<table id="request-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _version() -> str:
    import certcheck

    return _e(certcheck.__version__)


_CSS = """
:root{--fail:#c62828;--warn:#e09b00;--ok:#2e7d32;--later:#1565c0;--ink:#1f2933;--muted:#6b7785;--line:#e3e8ee}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
color:var(--ink);margin:0;padding:24px 32px;background:#f6f8fa}
h1{font-size:22px;margin:0 0 2px}h2{font-size:16px;margin:0 0 8px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 18px;margin:14px 0}
.muted{color:var(--muted);font-size:12.5px;margin:2px 0 10px}
.tiles{display:flex;gap:10px;flex-wrap:wrap;background:none;border:0;padding:0}
.tile{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 14px;min-width:120px}
.tile .num{font-size:24px;font-weight:650}.tile .lbl{color:var(--muted);font-size:12px}
.tile.fail .num{color:var(--fail)}.tile.warn .num{color:var(--warn)}.tile.ok .num{color:var(--ok)}
.cols{display:grid;grid-template-columns:1fr 1.4fr;gap:14px}.cols section{margin:0}
svg.timeline{max-width:1100px;display:block}
.bar.expired{fill:var(--fail)}.bar.soon{fill:var(--warn)}.bar.later{fill:var(--later)}.bar.chain{opacity:.45}
.window{fill:#fff3d6}.grid{stroke:var(--line)}.axis{font-size:10px;fill:var(--muted)}
.today{stroke:var(--ink);stroke-width:1.5;stroke-dasharray:3 2}.today-label{font-size:11px;font-weight:600}
.window-label{font-size:10px;fill:#a06e00}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);
vertical-align:top}th{font-size:12px;color:var(--muted);font-weight:600;background:#fafbfc}
#request-table th{cursor:pointer;user-select:none;position:sticky;top:0}
#request-table th.asc::after{content:" \\25B2"}#request-table th.desc::after{content:" \\25BC"}
td.n{text-align:right;font-variant-numeric:tabular-nums}td.src{font-family:ui-monospace,Menlo,Consolas,monospace;
font-size:12px;word-break:break-all}td.codes{font-size:12px}
.meter{width:45%}.meter span{display:block;height:10px;border-radius:5px;background:var(--later)}
.verdict,.sev{font-size:11px;font-weight:700;padding:1px 7px;border-radius:10px;color:#fff}
.verdict.fail,.sev.error{background:var(--fail)}.verdict.warn,.sev.warning{background:var(--warn)}
.verdict.ok{background:var(--ok)}.sev.info{background:var(--later)}
a{color:#0b57d0;text-decoration:none}a:hover{text-decoration:underline}
input[type=search]{padding:5px 8px;width:320px;border:1px solid var(--line);border-radius:6px}
footer{margin-top:12px}
"""

_JS = """
(function(){
var table=document.getElementById('request-table');var body=table.tBodies[0];
var heads=table.tHead.rows[0].cells;
function key(row,col,type){var cell=row.cells[col];var v=cell.getAttribute('data-sort');if(v===null)v=cell.textContent;
return type==='n'?parseFloat(v):v.toLowerCase();}
function sortBy(col){var th=heads[col];var type=th.getAttribute('data-type');var asc=!th.classList.contains('asc');
for(var i=0;i<heads.length;i++)heads[i].classList.remove('asc','desc');th.classList.add(asc?'asc':'desc');
var rows=Array.prototype.slice.call(body.rows);
rows.sort(function(a,b){var x=key(a,col,type),y=key(b,col,type);return (x<y?-1:x>y?1:0)*(asc?1:-1);});
rows.forEach(function(r){body.appendChild(r);});}
for(var i=0;i<heads.length;i++){(function(c){heads[c].addEventListener('click',function(){sortBy(c);});})(i);}
var filter=document.getElementById('filter');var shown=document.getElementById('shown');
function apply(){var q=filter.value.toLowerCase();var n=0;
Array.prototype.forEach.call(body.rows,function(r){var hit=!q||r.textContent.toLowerCase().indexOf(q)>=0;
r.style.display=hit?'':'none';if(hit)n++;});shown.textContent=n+' of '+body.rows.length+' shown';}
filter.addEventListener('input',apply);sortBy(0);apply();
document.body.setAttribute('data-ready','1');
})();
"""
