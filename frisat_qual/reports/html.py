"""Reports as HTML: one report as a page of its own (`table_html`) and the full report a
researcher sends to a colleague (`full_report_html`): an overview, the staircase as a heat
map, frequencies with a bar chart, frequencies by rolle, kommune and omraade, the
co-occurrence matrix and the most typical quotes of each code, with a table of contents.

Every page is one file that needs nothing else: the CSS is inline, the charts are SVG
written here (every text escaped), and there is no JavaScript, so it opens offline, goes
by e-mail and prints (tables and figures are not split across pages). The heat maps use
one sequential blue scale whose lightness falls with the value, so they stay readable
printed in grey; figures on dark cells are white. Tables have captions and header scopes,
charts a <title> and <desc>, for screen readers.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from frisat_qual import __version__
from frisat_qual.reports.tables import LEVELS, SIDES, CooccurrenceRow, CrossTab, Quote, Staircase
from frisat_qual.reports.writers import DEFAULT_BY, ReportTable, build_all, sentence
from frisat_qual.store.project import Project
from frisat_qual.survey import SPOR_TITLES, display_group
from frisat_qual.survey.link import JointRow

#: ColorBrewer "Blues": light to dark, lightness falling steadily (prints well in grey).
_BLUES = (
    (247, 251, 255),
    (222, 235, 247),
    (198, 219, 239),
    (158, 202, 225),
    (107, 174, 214),
    (66, 146, 198),
    (33, 113, 181),
    (8, 81, 156),
    (8, 48, 107),
)
#: Okabe-Ito colours for the five spor: told apart with colour-blindness, and by lightness.
_SPOR_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442")
_BAR = "#2171b5"
_FONT = 'font-family="Helvetica, Arial, sans-serif" font-size="12"'
_NUM = ' class="num"'
#: The full report lists this many co-occurring pairs beside the matrix (all in xlsx/json).
PAIRS_SHOWN = 25

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  color: #1b1b1b; background: #fff; line-height: 1.45; max-width: 62rem; margin: 2rem auto;
  padding: 0 1.25rem; }
h1 { font-size: 1.7rem; margin: 0 0 .25rem; }
h2 { font-size: 1.3rem; margin: 2.5rem 0 .5rem; padding-bottom: .2rem;
  border-bottom: 2px solid #c6dbef; }
h3 { font-size: 1.08rem; margin: 1.6rem 0 .4rem; }
p.lede, p.note, figcaption { color: #444; }
p.note, figcaption { font-size: .88rem; }
nav.toc { border: 1px solid #d0d7de; padding: .5rem 1.25rem; margin: 1.25rem 0; }
nav.toc h2 { border: 0; margin: .5rem 0; font-size: 1.05rem; }
nav.toc ol { margin: .25rem 0; padding-left: 1.5rem; }
nav.toc ol ol { columns: 2; font-size: .92rem; }
a { color: #08519c; }
table { border-collapse: collapse; margin: .75rem 0 1.25rem; font-size: .9rem; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border: 1px solid #d0d7de; padding: .25rem .55rem; vertical-align: top; }
thead th { background: #f3f6f9; text-align: left; }
th[scope="row"] { text-align: left; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.heat, th.heat { text-align: center; font-variant-numeric: tabular-nums; }
td.heat { min-width: 3.4rem; }
td.heat .n { font-weight: 600; display: block; }
table.staircase td.heat { min-width: 9rem; }
table.staircase td.heat .n { font-size: 1.15rem; }
td.heat .spor { font-size: .74rem; display: block; line-height: 1.3; }
td.heat small { font-size: .75em; display: block; }
tr.total th, tr.total td { border-top: 2px solid #888; font-weight: 600; }
code, .id { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: .85em;
  color: #555; }
figure { margin: 1rem 0 1.5rem; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
.legend { font-size: .82rem; color: #444; margin: .25rem 0 1rem; }
.legend .swatch { display: inline-block; min-width: 2.6rem; padding: 0 .3rem; text-align: center;
  border: 1px solid #d0d7de; margin-right: .15rem; }
figure.quote { margin: .75rem 0 1rem; }
figure.quote blockquote { margin: 0; padding: .1rem 0 .1rem .9rem; border-left: 4px solid #6baed6; }
figure.quote blockquote p { margin: .3rem 0; }
figure.quote figcaption { margin: .15rem 0 0 1.2rem; }
figure.quote cite { font-style: normal; font-weight: 600; color: #1b1b1b; }
.doc { color: #666; font-size: .85em; margin-left: .4rem; }
table.joint td.reason { font-size: .8rem; color: #444; min-width: 14rem; }
.flag { display: inline-block; padding: 0 .4rem; border: 1px solid #888; border-radius: .2rem;
  font-size: .82rem; font-weight: 600; white-space: nowrap; }
.flag.agree { background: #e5f5e0; border-color: #41ab5d; }
.flag.diverge { background: #fee6ce; border-color: #d94801; }
.flag.too-little-data { background: #f0f0f0; border-color: #969696; font-weight: 400; }
@page { size: A4; margin: 15mm 13mm; }
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
  table { font-size: 8.5pt; }
  th, td { padding: .12rem .3rem; }
  td.heat { min-width: 0; }
  a { color: inherit; text-decoration: none; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  /* short tables and figures stay whole; long tables break between rows only, with
     their header repeated */
  table.staircase, table.overview, table.joint, figure, blockquote, .legend, tr {
    break-inside: avoid; page-break-inside: avoid; }
  caption { break-after: avoid; page-break-after: avoid; }
  thead { display: table-header-group; }
  nav.toc { break-after: page; }
}
"""


def table_html(table: ReportTable) -> str:
    """One report as a complete HTML page, with a chart where one helps."""
    body, _ = _section_body(table, _Ids(), level=2)
    return _page(table.title, f"<h1>{_esc(table.title)}</h1>\n{_note(table.note)}{body}")


def reports_html(reports: Sequence[ReportTable]) -> str:
    """The full report from the tables of `writers.build_all`."""
    ids = _Ids()
    sections: list[str] = []
    toc: list[str] = []
    title = "Report"
    for table in reports:
        if table.kind == "overview":
            title = table.title
        anchor = ids.make(table.name or table.kind or table.title)
        body, entries = _section_body(table, ids, level=3, pairs=PAIRS_SHOWN)
        heading = _heading(table)
        sections.append(f'<section id="{anchor}">\n<h2>{_esc(heading)}</h2>\n{body}</section>')
        sub = "".join(f'<li><a href="#{a}">{text}</a></li>' for a, text in entries)
        toc.append(
            f'<li><a href="#{anchor}">{_esc(heading)}</a>{f"<ol>{sub}</ol>" if sub else ""}</li>'
        )
    lede = (
        "Coded interviews: the staircase of steering and leadership, theme frequencies,"
        " breakdowns by case attributes, co-occurrence and typical quotes."
    )
    body = (
        f'<header><h1>{_esc(title)}</h1>\n<p class="lede">{lede}</p></header>\n'
        f'<nav class="toc" aria-label="Contents"><h2>Contents</h2><ol>{"".join(toc)}</ol></nav>\n'
        "<main>\n" + "\n".join(sections) + "\n</main>"
    )
    return _page(title, body)


def full_report_html(
    project: Project,
    *,
    coders: Sequence[str] | None = None,
    attributes: dict[str, str] | None = None,
    by: Sequence[str] = DEFAULT_BY,
    quotes_per_code: int | None = 5,
    quotes_per_document: int | None = 1,
    generated: str | None = None,
) -> str:
    """The full report of a project as one self-contained HTML page.

    `by` names the case attributes to break frequencies down by (those the cases lack are
    left out); each code in use gets its `quotes_per_code` most typical quotes, at most
    `quotes_per_document` from one interview. `generated` is the date in the overview.
    """
    return reports_html(
        build_all(
            project,
            by=by,
            coders=coders,
            attributes=attributes,
            quotes_per_code=quotes_per_code,
            quotes_per_document=quotes_per_document,
            generated=generated,
        )
    )


# -- page and helpers ---------------------------------------------------------------------------


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="frisat-qual {__version__}">\n'
        f"<title>{_esc(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _num(value: object) -> str:
    """A figure for a table: thousands grouped by a narrow space, which neither Danish
    nor English readers mistake for a decimal mark."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f")
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", "\u202f")
    return str(value)


class _Ids:
    """Unique, readable element ids for one page."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    @staticmethod
    def slug(base: str) -> str:
        """`base` as lower-case letters and digits joined by hyphens ("too little data" ->
        "too-little-data")."""
        return re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-") or "part"

    def make(self, base: str) -> str:
        slug = self.slug(base)
        candidate, n = slug, 1
        while candidate in self.used:
            n += 1
            candidate = f"{slug}-{n}"
        self.used.add(candidate)
        return candidate


def _shade(t: float) -> tuple[str, str]:
    """Background and text colour for a share `t` (0-1) of the scale's maximum."""
    t = min(max(t, 0.0), 1.0)
    x = t * (len(_BLUES) - 1)
    i = min(int(x), len(_BLUES) - 2)
    f = x - i
    rgb = [round(a + (b - a) * f) for a, b in zip(_BLUES[i], _BLUES[i + 1], strict=True)]
    lin = [(c / 255 / 12.92) if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    # white text where it contrasts more than black (WCAG relative luminance)
    text = "#ffffff" if luminance < 0.18 else "#1b1b1b"
    return "#{:02x}{:02x}{:02x}".format(*rgb), text


def _heat_td(inner: str, value: float, top: float, title: str = "") -> str:
    if value <= 0 or top <= 0:
        style = "background:#ffffff;color:#1b1b1b"
    else:
        background, text = _shade(value / top)
        style = f"background:{background};color:{text}"
    tip = f' title="{_esc(title)}"' if title else ""
    return f'<td class="heat" style="{style}"{tip}>{inner}</td>'


def _legend(top: float, what: str, fmt: str = "{:.0f}") -> str:
    """Five swatches of the heat scale, from 0 to `top`."""
    if top <= 0:
        return ""
    parts = []
    for k in range(5):
        value = top * k / 4
        background, text = _shade(k / 4) if k else ("#ffffff", "#1b1b1b")
        parts.append(
            f'<span class="swatch" style="background:{background};color:{text}">'
            f"{_esc(fmt.format(value))}</span>"
        )
    return f'<p class="legend">{_esc(what)}: {"".join(parts)}</p>'


def _text_width(text: str, size: float = 12) -> float:
    """A generous estimate of the width of `text` in a sans-serif font."""
    return len(text) * size * 0.6


def _clip(text: str, width: float, size: float = 12) -> str:
    limit = max(4, int(width / (size * 0.6)))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(width: float, height: float, ids: _Ids, title: str, desc: str, content: str) -> str:
    t, d = ids.make("chart-title"), ids.make("chart-desc")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}"'
        f' width="{width:.0f}" height="{height:.0f}" role="img" aria-labelledby="{t} {d}"'
        f" {_FONT}>"
        f'<title id="{t}">{_esc(title)}</title><desc id="{d}">{_esc(desc)}</desc>'
        f'<rect width="100%" height="100%" fill="#ffffff"/>{content}</svg>'
    )


def _nice_step(top: float, ticks: int = 4) -> float:
    raw = max(top, 1) / ticks
    magnitude = 10 ** len(str(int(raw))) / 10
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _bar_chart(items: list[tuple[str, int]], ids: _Ids, title: str, desc: str) -> str:
    """A horizontal bar chart: one labelled bar per item, its value at the end."""
    row, bar_w = 20, 380
    label_w = min(max((_text_width(label) for label, _ in items), default=40) + 12, 320)
    top = max((v for _, v in items), default=0)
    step = _nice_step(top)
    scale_top = max(step * -(-top // step), 1) if top else 1
    width, height = label_w + bar_w + 60, 10 + row * len(items) + 28
    parts = []
    x0, y_end = label_w, 10 + row * len(items)
    tick = 0.0
    while tick <= scale_top + 1e-9:
        x = x0 + bar_w * tick / scale_top
        parts.append(
            f'<line x1="{x:.1f}" y1="6" x2="{x:.1f}" y2="{y_end}" stroke="#e1e4e8"/>'
            f'<text x="{x:.1f}" y="{y_end + 16}" text-anchor="middle" fill="#555">'
            f"{_num(int(tick))}</text>"
        )
        tick += step
    for i, (label, value) in enumerate(items):
        y = 10 + i * row
        w = bar_w * value / scale_top
        parts.append(
            f"<g><title>{_esc(label)}: {value}</title>"
            f'<text x="{x0 - 8}" y="{y + row / 2}" dy=".35em" text-anchor="end" fill="#1b1b1b">'
            f"{_esc(_clip(label, label_w - 12))}</text>"
            f'<rect x="{x0}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{_BAR}"/>'
            f'<text x="{x0 + w + 4:.1f}" y="{y + row / 2}" dy=".35em" fill="#1b1b1b">'
            f"{_num(value)}</text></g>"
        )
    parts.append(f'<line x1="{x0}" y1="6" x2="{x0}" y2="{y_end}" stroke="#555"/>')
    return _svg(width, height, ids, title, desc, "".join(parts))


def _heading(table: ReportTable) -> str:
    if table.kind == "overview":
        return "Overview"
    if table.kind == "staircase":
        return "The staircase of steering and leadership"
    if table.kind == "frequencies":
        return "Theme frequencies"
    if table.kind == "crosstab" and isinstance(table.source, CrossTab):
        return f"Frequencies by {table.source.by}"
    if table.kind == "cooccurrence":
        return "Co-occurrence of codes"
    if table.kind == "quote lists":
        return "Quotes per code"
    return table.title


def _label(table: ReportTable, code: str) -> str:
    return table.labels.get(code, code)


def _section_body(
    table: ReportTable, ids: _Ids, level: int, pairs: int | None = None
) -> tuple[str, list[tuple[str, str]]]:
    """The HTML of one report (below its heading) and its entries for the contents; the
    co-occurrence table lists the `pairs` pairs sharing most segments (None: all)."""
    source = table.source
    if table.kind == "overview" and isinstance(table.data, dict):
        return _overview(table), []
    if table.kind == "staircase" and isinstance(source, Staircase):
        return _staircase(table, source, ids), []
    if table.kind == "frequencies" and isinstance(source, list):
        return _frequencies(table, source, ids), []
    if table.kind == "crosstab" and isinstance(source, CrossTab):
        return _crosstab(table, source), []
    if table.kind == "cooccurrence" and isinstance(source, list):
        return _cooccurrence(table, source, ids, pairs), []
    if table.kind in ("quotes", "quote lists") and isinstance(source, dict):
        return _quote_lists(table, source, ids, level, contents=table.kind == "quote lists")
    return _plain_table(table), []


def _plain_table(table: ReportTable) -> str:
    """Any report table as it is laid out, for tables without a richer view."""
    head = "".join(f'<th scope="col">{_esc(h)}</th>' for h in table.headers)
    rows = []
    for row in table.rows:
        cells = [
            f'<td class="num">{_num(v)}</td>'
            if isinstance(v, int | float)
            else f"<td>{_esc(v)}</td>"
            for v in row[1:]
        ]
        first = row[0] if row else ""
        rows.append(f'<tr><th scope="row">{_esc(first)}</th>{"".join(cells)}</tr>')
    return (
        f"<table><caption>{_esc(table.title)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>\n"
    )


_OVERVIEW_NAMES = {
    "project": "Project",
    "codebook": "Codebook",
    "documents": "Documents",
    "cases": "Cases",
    "words": "Words",
    "codings": "Codings",
    "coders": "Coders",
    "generated": "Generated",
    "filters": "Filters",
}


def _overview(table: ReportTable) -> str:
    rows = []
    for key, value in table.data.items():
        if value is None:
            continue
        if isinstance(value, list):
            shown = ", ".join(str(v) for v in value) or ("none" if key == "filters" else "–")
        else:
            shown = _num(value)
        name = _OVERVIEW_NAMES.get(key, key.capitalize())
        css = ' class="num"' if isinstance(value, int) else ""
        rows.append(f'<tr><th scope="row">{_esc(name)}</th><td{css}>{_esc(shown)}</td></tr>')
    return (
        '<table class="overview"><caption>What the report covers</caption>'
        f"<tbody>{''.join(rows)}</tbody></table>\n{_note(table.note)}"
    )


def _note(note: str) -> str:
    """A note on how to read the figures, as a paragraph ("" for none)."""
    return f'<p class="note">{_esc(sentence(note))}</p>\n' if note else ""


def _short(label: str) -> str:
    """A spor label without its group prefix ("Spor – færre regler" -> "færre regler")."""
    return label.split(" – ", 1)[-1]


def _staircase(table: ReportTable, stair: Staircase, ids: _Ids) -> str:
    levels = [lv for lv in LEVELS if (lv, SIDES[0]) in stair.cells]
    top = max((c.codings for c in stair.cells.values()), default=0)
    kant_top = max(stair.kant.values(), default=0)
    kant_label = _label(table, "tema.kant")
    rows = []
    for level in levels:
        cells = []
        for side in SIDES:
            cell = stair.cells[(level, side)]
            spor = [(s, n) for s, n in cell.spor.items() if n]
            inner = f'<span class="n">{_num(cell.codings)}</span>' + "".join(
                f'<span class="spor" lang="da">{_esc(_short(_label(table, s)))} {n}</span>'
                for s, n in spor
            )
            tip = f"{_label(table, f'{level}.{side}')}: {cell.codings} codings"
            cells.append(_heat_td(inner, cell.codings, top, tip))
        kant = stair.kant.get(level, 0)
        inner = f'<span class="n">{_num(kant)}</span>'
        cells.append(_heat_td(inner, kant, kant_top, f"{kant_label} at {level}: {kant}"))
        rows.append(
            f'<tr><th scope="row" lang="da">{_esc(_label(table, level).capitalize())}</th>'
            f"{''.join(cells)}</tr>"
        )
    table_html_ = (
        '<table class="staircase">'
        "<caption>Codings per step and side of the staircase, with the spor codings that"
        " overlap them, and the passages on the edge of trust (tema.kant) per step</caption>"
        '<thead><tr><th scope="col">Step</th>'
        '<th scope="col">Forside<br><small>steering down</small></th>'
        '<th scope="col">Bagside<br><small>feedback up</small></th>'
        f'<th scope="col" lang="da">{_esc(kant_label)}<br><small>tema.kant</small></th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>\n"
    )
    note = (
        '<p class="note">Forside: the steering that goes down the staircase. Bagside: the'
        " feedback that goes up. Small text: the spor codings overlapping the cell's codings"
        " (each counted once per cell). Darker cells hold more codings; the two sides share"
        " one scale, the last column has its own.</p>\n"
    )
    legend = _legend(top, "Codings per cell")
    return table_html_ + legend + note + _spor_bars(table, stair, levels, ids)


def _spor_bars(table: ReportTable, stair: Staircase, levels: list[str], ids: _Ids) -> str:
    """Stacked bars: per cell of the staircase, its spor codings by spor."""
    spor_codes = stair.spor_codes
    rows = [
        (
            _label(table, f"{lv}.{side}"),
            [stair.cells[(lv, side)].spor.get(s) or 0 for s in spor_codes],
        )
        for lv in levels
        for side in SIDES
    ]
    top = max((sum(counts) for _, counts in rows), default=0)
    if not spor_codes or top == 0:
        return ""
    colours = {s: _SPOR_COLOURS[i % len(_SPOR_COLOURS)] for i, s in enumerate(spor_codes)}
    row_h, bar_w = 20, 380
    label_w = min(max(_text_width(label) for label, _ in rows) + 12, 300)
    width = label_w + bar_w + 60
    parts = []
    x, y = 0.0, 4
    for s in spor_codes:  # the legend, left to right, wrapped at the chart's width
        name = _short(_label(table, s))
        item_w = 16 + _text_width(name) + 14
        if x and x + item_w > width:
            x, y = 0.0, y + 18
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="12" height="12" fill="{colours[s]}"/>'
            f'<text x="{x + 16:.1f}" y="{y + 6}" dy=".35em" fill="#1b1b1b">{_esc(name)}</text>'
        )
        x += item_w
    legend_h = y + 18
    height = legend_h + 10 + row_h * len(rows) + 6
    for i, (label, counts) in enumerate(rows):
        y = legend_h + 10 + i * row_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y + row_h / 2}" dy=".35em" text-anchor="end"'
            f' fill="#1b1b1b">{_esc(_clip(label, label_w - 12))}</text>'
        )
        x = float(label_w)
        for s, n in zip(spor_codes, counts, strict=True):
            if not n:
                continue
            w = bar_w * n / top
            parts.append(
                f"<g><title>{_esc(label)}, {_esc(_label(table, s))}: {n}</title>"
                f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}"'
                f' fill="{colours[s]}" stroke="#ffffff" stroke-width="0.5"/></g>'
            )
            x += w
        parts.append(
            f'<text x="{x + 4:.1f}" y="{y + row_h / 2}" dy=".35em" fill="#1b1b1b">'
            f"{_num(sum(counts))}</text>"
        )
    y_end = legend_h + 10 + row_h * len(rows)
    parts.append(
        f'<line x1="{label_w}" y1="{legend_h + 6}" x2="{label_w}" y2="{y_end}" stroke="#555"/>'
    )
    svg = _svg(
        width,
        height,
        ids,
        "Spor per step and side",
        "Stacked bars: for each step and side of the staircase, the spor codings overlapping"
        " its codings, by spor.",
        "".join(parts),
    )
    return (
        f'<figure class="chart">{svg}<figcaption>The spor behind each cell of the staircase:'
        " spor codings overlapping the cell's codings.</figcaption></figure>\n"
    )


def _code_cells(table: ReportTable, code: str) -> str:
    return (
        f'<th scope="row" lang="da">{_esc(_label(table, code))}</th>'
        f"<td><code>{_esc(code)}</code></td>"
    )


def _frequencies(table: ReportTable, rows: list[Any], ids: _Ids) -> str:
    values = list(rows[0].by_counts) if rows and rows[0].by_counts else []
    chart = _bar_chart(
        [(r.label, r.codings) for r in rows],
        ids,
        "Codings per code",
        "Horizontal bars: the number of codings of each code, in codebook order.",
    )
    head = "".join(
        f'<th scope="col" class="num">{_esc(h)}</th>'
        for h in ("Codings", "Documents", "Cases", "Words", "% of words")
    ) + "".join(f'<th scope="col" class="heat">{_esc(v)}</th>' for v in values)
    body = []
    for r in rows:
        figures = [r.codings, r.documents, r.cases, r.words, r.word_share]
        cells = "".join(f'<td class="num">{_num(v)}</td>' for v in figures)
        cells += "".join(
            _heat_td(_num(r.by_counts[v]), r.row_pct[v], 100.0, f"{r.row_pct[v]:.0f}% of the code")
            for v in values
        )
        body.append(f"<tr>{_code_cells(table, r.code)}{cells}</tr>")
    caption = (
        "Codings, documents, cases and words coded per code (words in the union of a code's"
        " passages; % of all words in the documents)"
    )
    return (
        f'<figure class="chart">{chart}<figcaption>Codings per code.</figcaption></figure>\n'
        f"<table><caption>{_esc(caption)}</caption><thead><tr>"
        f'<th scope="col">Code</th><th scope="col">ID</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>\n"
    )


def _crosstab(table: ReportTable, tab: CrossTab) -> str:
    shown = [r for r in tab.rows if r.codings]
    head = "".join(f'<th scope="col" class="heat">{_esc(v)}</th>' for v in tab.values)
    body = []
    for r in shown:
        cells = "".join(
            _heat_td(
                f'<span class="n">{_num(r.by_counts[v])}</span><small>{r.row_pct[v]:.0f}%</small>',
                r.row_pct[v],
                100.0,
                f"{_label(table, r.code)}, {v}: {r.by_counts[v]} codings,"
                f" {r.row_pct[v]:.0f}% of the code's, {r.col_pct[v]:.0f}% of {v}'s",
            )
            for v in tab.values
        )
        body.append(
            f'<tr><th scope="row" lang="da" title="{_esc(r.code)}">{_esc(_label(table, r.code))}'
            f'</th>{cells}<td class="num">{_num(r.codings)}</td></tr>'
        )
    totals = "".join(f'<td class="heat">{_num(tab.column_totals[v])}</td>' for v in tab.values)
    body.append(
        f'<tr class="total"><th scope="row">Total</th>{totals}'
        f'<td class="num">{_num(tab.total)}</td></tr>'
    )
    caption = (
        f"Codings per code and {tab.by}: the count and below it the share of the code's"
        " codings (row %), which the colour shows. Codes without codings are left out."
    )
    return (
        f"<table><caption>{_esc(caption)}</caption><thead><tr>"
        f'<th scope="col">Code</th>{head}'
        f'<th scope="col" class="num">Total</th></tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>\n"
        + _legend(100.0, "Share of the code's codings (%)")
    )


def _cooccurrence(
    table: ReportTable, rows: list[CooccurrenceRow], ids: _Ids, shown: int | None
) -> str:
    if not rows:
        return '<p class="note">No two codes meet in the codings covered.</p>\n'
    order = {code: i for i, code in enumerate(table.labels)}
    codes = sorted(
        {r.code_a for r in rows} | {r.code_b for r in rows},
        key=lambda c: (order.get(c, len(order)), c),
    )
    pairs = {}
    for r in rows:
        pairs[(r.code_a, r.code_b)] = pairs[(r.code_b, r.code_a)] = r
    top = max(r.jaccard for r in rows)
    svg = _matrix(table, codes, pairs, top, ids)
    names = ("Code A", "Code B", "Overlaps", "Segments", "Turns", "Jaccard")
    head = "".join(f'<th scope="col"{_NUM if i > 1 else ""}>{h}</th>' for i, h in enumerate(names))
    listed = rows
    caption = (
        "Pairs of codes that meet: overlapping codings, segments and turns coded with both,"
        " and the Jaccard index of their segments"
    )
    if shown is not None and len(rows) > shown:
        listed = sorted(rows, key=lambda r: (-r.segments, -r.jaccard))[:shown]
        caption = (
            f"The {shown} of {len(rows)} pairs of codes sharing the most segments (all pairs"
            " are in the report as xlsx or json): overlapping codings, segments and turns"
            " coded with both, and the Jaccard index of their segments"
        )
    body = "".join(
        f'<tr><th scope="row" lang="da">{_esc(_label(table, r.code_a))}</th>'
        f'<td lang="da">{_esc(_label(table, r.code_b))}</td>'
        f'<td class="num">{_num(r.overlaps)}</td><td class="num">{_num(r.segments)}</td>'
        f'<td class="num">{_num(r.turns)}</td><td class="num">{r.jaccard:.2f}</td></tr>'
        for r in listed
    )
    return (
        f'<figure class="chart">{svg}<figcaption>Segments coded with both codes (figure) and'
        " their Jaccard index: shared segments over the segments coded with either (colour,"
        " darkest at the highest index).</figcaption></figure>\n"
        + _legend(top, "Jaccard index", "{:.2f}")
        + f"<table><caption>{_esc(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>\n"
    )


def _matrix(
    table: ReportTable,
    codes: list[str],
    pairs: dict[tuple[str, str], CooccurrenceRow],
    top: float,
    ids: _Ids,
) -> str:
    """The co-occurrence heat map: codes by codes, shared segments as figures, colour by
    Jaccard index."""
    cell = 30
    labels = [_label(table, c) for c in codes]
    label_w = min(max(_text_width(t) for t in labels) + 12, 260)
    slant = label_w * 0.72  # room for the column labels at 45 degrees
    x0, y0 = label_w, slant + 8
    n = len(codes)
    width, height = x0 + n * cell + slant, y0 + n * cell + 8
    parts = []
    for j, text in enumerate(labels):
        cx = x0 + j * cell + cell / 2
        parts.append(
            f'<text x="{cx:.1f}" y="{y0 - 6:.1f}" transform="rotate(-45 {cx:.1f} {y0 - 6:.1f})"'
            f' fill="#1b1b1b">{_esc(_clip(text, label_w - 12))}</text>'
        )
    for i, (a, text) in enumerate(zip(codes, labels, strict=True)):
        y = y0 + i * cell
        parts.append(
            f'<text x="{x0 - 6}" y="{y + cell / 2:.1f}" dy=".35em" text-anchor="end"'
            f' fill="#1b1b1b">{_esc(_clip(text, label_w - 12))}</text>'
        )
        for j, b in enumerate(codes):
            x = x0 + j * cell
            if a == b:
                parts.append(
                    f'<rect x="{x}" y="{y:.1f}" width="{cell}" height="{cell}" fill="#eeeeee"'
                    ' stroke="#ffffff"/>'
                )
                continue
            r = pairs.get((a, b))
            if r is None:
                parts.append(
                    f'<rect x="{x}" y="{y:.1f}" width="{cell}" height="{cell}" fill="#ffffff"'
                    ' stroke="#e1e4e8"/>'
                )
                continue
            background, colour = ("#ffffff", "#1b1b1b")
            if top and r.jaccard:
                background, colour = _shade(r.jaccard / top)
            tip = (
                f"{_label(table, a)} × {_label(table, b)}: {r.segments} shared segments,"
                f" Jaccard {r.jaccard:.2f}, {r.overlaps} overlapping codings,"
                f" {r.turns} shared turns"
            )
            figure = (
                f'<text x="{x + cell / 2}" y="{y + cell / 2:.1f}" dy=".35em" text-anchor="middle"'
                f' font-size="11" fill="{colour}">{r.segments}</text>'
                if r.segments
                else ""
            )
            parts.append(
                f"<g><title>{_esc(tip)}</title>"
                f'<rect x="{x}" y="{y:.1f}" width="{cell}" height="{cell}" fill="{background}"'
                f' stroke="#e1e4e8"/>{figure}</g>'
            )
    return _svg(
        width,
        height,
        ids,
        "Co-occurrence of codes",
        f"A {n} by {n} matrix of codes: each cell holds the number of segments coded with"
        " both codes, coloured by their Jaccard index.",
        "".join(parts),
    )


def _quote_lists(
    table: ReportTable,
    found: dict[str, list[Quote]],
    ids: _Ids,
    level: int,
    *,
    contents: bool,
) -> tuple[str, list[tuple[str, str]]]:
    parts = [
        '<p class="note">The most typical passages first (closest to the code\'s other'
        " passages in wording), with who said them.</p>\n"
    ]
    entries = []
    for code, quotes in found.items():
        anchor = ids.make(f"quotes-{code}")
        label = _label(table, code)
        heading = (
            f'<h{level} id="{anchor}"><span lang="da">{_esc(label)}</span>'
            f' <span class="id">{_esc(code)}</span></h{level}>\n'
        )
        entries.append((anchor, f'<span lang="da">{_esc(label)}</span>'))
        if contents or len(found) > 1:
            parts.append(heading)
        if not quotes:
            parts.append('<p class="note">No quotes.</p>\n')
        parts += [_quote_figure(q) for q in quotes]
    return "".join(parts), entries if contents else []


def _quote_figure(q: Quote) -> str:
    """A quote as a block quote with its attribution and document name below it."""
    paragraphs = "".join(
        f"<p>{'<br>'.join(_esc(line.strip()) for line in para.splitlines())}</p>"
        for para in re.split(r"\n\s*\n", q.text)
        if para.strip()
    )
    return (
        f'<figure class="quote"><blockquote lang="da">{paragraphs}</blockquote>'
        f'<figcaption><cite lang="da">{_esc(q.attribution)}</cite>'
        f'<span class="doc">{_esc(q.document)}</span></figcaption></figure>\n'
    )


# -- the joint display of survey and interviews ---------------------------------------------


def joint_display_html(rows: Sequence[JointRow], *, title: str, note: str = "") -> str:
    """The joint display (`survey.link.joint_display`) as one self-contained page: per
    spor a table of its groups, the survey side beside the interviews and comments with
    the convergence flag and its reason, then each group's typical quotes; `note` goes
    under the lede."""
    from frisat_qual.reports.joint import mean_sd, percent

    ids = _Ids()
    by_spor: dict[str, list[JointRow]] = {}
    for r in rows:
        by_spor.setdefault(r.spor, []).append(r)
    sections, toc = [], []
    for spor, group_rows in by_spor.items():
        anchor = ids.make(f"spor-{spor}")
        name = SPOR_TITLES.get(spor, spor)
        heading = f'<span lang="da">{_esc(name)}</span> <span class="id">{_esc(spor)}</span>'
        toc.append(f'<li><a href="#{anchor}"><span lang="da">{_esc(name)}</span></a></li>')
        body = []
        for r in group_rows:
            flag = _esc(r.convergence)
            body.append(
                f'<tr><th scope="row">{_esc(display_group(r.group))}</th>'
                f"<td{_NUM}>{_num(r.n)}</td>"
                f"<td{_NUM}>{mean_sd(r.impl_mean, r.impl_sd)}</td>"
                f"<td{_NUM}>{mean_sd(r.vigt_mean, r.vigt_sd)}</td>"
                f'<td lang="da">{_esc(r.quadrant_label or "–")}</td>'
                f"<td{_NUM}>{_num(r.interview_codings)} / {_num(r.comment_codings)}</td>"
                f"<td{_NUM}>{percent(r.forside_share)}</td>"
                f"<td{_NUM}>{percent(r.bagside_share)}</td>"
                f"<td{_NUM}>{percent(r.kant_share)}</td>"
                f'<td><span class="flag {ids.slug(r.convergence)}">{flag}</span></td>'
                f'<td class="reason">{_esc(r.reason)}</td></tr>'
            )
        table = (
            f'<table class="joint"><caption>{_esc(name)}: survey and interviews by group'
            "</caption><thead>"
            '<tr><th scope="col" rowspan="2">Group</th>'
            '<th scope="colgroup" colspan="4">Survey</th>'
            '<th scope="colgroup" colspan="4">Interviews and comments</th>'
            '<th scope="colgroup" colspan="2">Convergence</th></tr><tr>'
            '<th scope="col" class="num">n</th>'
            '<th scope="col" class="num">Implementation mean (SD)</th>'
            '<th scope="col" class="num">Importance mean (SD)</th>'
            '<th scope="col">Quadrant</th>'
            '<th scope="col" class="num">Codings: interviews / comments</th>'
            '<th scope="col" class="num">Forside</th>'
            '<th scope="col" class="num">Bagside</th>'
            '<th scope="col" class="num">Kant</th>'
            '<th scope="col">Flag</th><th scope="col">Reason</th></tr>'
            f"</thead><tbody>{''.join(body)}</tbody></table>\n"
        )
        quotes = ["<h3>Typical quotes</h3>\n"]
        for r in group_rows:
            quotes.append(f"<h4>{_esc(display_group(r.group))}</h4>\n")
            quotes += [_quote_figure(q) for q in r.quotes] or ['<p class="note">No quotes.</p>\n']
        sections.append(
            f'<section id="{anchor}">\n<h2>{heading}</h2>\n{table}{"".join(quotes)}</section>'
        )
    lede = (
        "Each spor of the leaders' survey beside the coded interviews and open comments of"
        " the same groups. Survey: respondents with both indices (n), mean implementation and"
        " importance on the 1-10 scale with their standard deviations, and the quadrant of"
        " the mean point (split at 5.5). Interviews and comments: the codings of the spor and"
        " the shares of them on the front side (forside) and back side (bagside) of the"
        " staircase and on the edge of trust (kant). The flag says whether both strands read"
        " the spor the same way; the reason gives the figures behind it."
    )
    body = (
        f'<header><h1>{_esc(title)}</h1>\n<p class="lede">{_esc(lede)}</p>\n'
        f"{_note(note)}</header>\n"
        f'<nav class="toc" aria-label="Contents"><h2>Contents</h2><ol>{"".join(toc)}</ol></nav>\n'
        "<main>\n" + "\n".join(sections) + "\n</main>"
    )
    return _page(title, body)
