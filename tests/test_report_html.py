"""The HTML reports, read back with the standard library's HTML parser.

The full report is built on the hand-made project of test_reports.py (the same corpus and
codings, so the same hand-computed figures), and through the CLI on the demo project:
tables must hold exactly the report figures, every chart must be a well-formed SVG with a
title, quotes must carry their attribution, and the page must need nothing from outside.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from handmade import import_and_code

from frisat_qual.cli import cli
from frisat_qual.reports.html import full_report_html, table_html
from frisat_qual.reports.tables import quotes, quotes_by_code
from frisat_qual.reports.writers import KINDS, build_report
from frisat_qual.store import open_project
from frisat_qual.store.stats import project_stats

GENERATED = "2025-03-14"


@pytest.fixture(scope="module")
def proj(handmade_project):
    return handmade_project


@pytest.fixture(scope="module")
def page(proj):
    return Page(full_report_html(proj, generated=GENERATED))


class Page(HTMLParser):
    """What the tests look at in an HTML page: tables as rows of cell texts (grouped
    thousands joined), th scopes, SVG sources, links and ids, and quotes with the
    heading they stand under."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.source = source
        self.tables: list[dict] = []
        self.ths: list[tuple[str, str | None]] = []  # (thead/tbody, scope)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.headings: list[str] = []
        self.quotes: list[tuple[str | None, str, str]] = []  # (heading id, text, attribution)
        self._cell: list[str] | None = None
        self._part = "tbody"
        self._caption: list[str] | None = None
        self._svg = 0
        self._heading: tuple[str, list[str]] | None = None
        self._section_heading: str | None = None
        self._quote: list[str] | None = None
        self._cite: list[str] | None = None
        self._last_quote = ""
        self.feed(source)
        self.close()

    @property
    def svgs(self) -> list[str]:
        return re.findall(r"<svg\b.*?</svg>", self.source, re.S)

    def table(self, caption_part: str) -> dict:
        found = [t for t in self.tables if caption_part in t["caption"]]
        assert len(found) == 1, [t["caption"] for t in self.tables]
        return found[0]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "svg":
            self._svg += 1
        if self._svg:
            return
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        if tag == "table":
            self.tables.append({"caption": "", "rows": [], "class": attrs.get("class", "")})
        elif tag == "caption":
            self._caption = []
        elif tag in ("thead", "tbody"):
            self._part = tag
        elif tag == "tr":
            self.tables[-1]["rows"].append([])
        elif tag in ("th", "td"):
            self._cell = []
            if tag == "th":
                self.ths.append((self._part, attrs.get("scope")))
        elif tag in ("h1", "h2", "h3"):
            self._heading = (attrs.get("id", ""), [])
            if tag == "h3":
                self._section_heading = attrs.get("id")
        elif tag == "blockquote":
            self._quote = []
        elif tag == "cite":
            self._cite = []

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg -= 1
            return
        if self._svg:
            return
        if tag in ("th", "td") and self._cell is not None:
            text = " ".join(" ".join(self._cell).split()).replace("\u202f", "")
            self.tables[-1]["rows"][-1].append(text)
            self._cell = None
        elif tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = " ".join(" ".join(self._caption).split())
            self._caption = None
        elif tag in ("h1", "h2", "h3") and self._heading:
            self.headings.append(" ".join(" ".join(self._heading[1]).split()))
            self._heading = None
        elif tag == "blockquote" and self._quote is not None:
            self._last_quote = " ".join(" ".join(self._quote).split())
            self._quote = None
        elif tag == "cite" and self._cite is not None:
            cite = " ".join(self._cite).strip()
            self.quotes.append((self._section_heading, self._last_quote, cite))
            self._cite = None
        elif tag == "thead":
            self._part = "tbody"

    def handle_data(self, data):
        if self._svg:
            return
        for buffer in (self._cell, self._caption, self._quote, self._cite):
            if buffer is not None:
                buffer.append(data)
        if self._heading:
            self._heading[1].append(data)


def rows_by_first(table: dict, column: int = 0) -> dict[str, list[str]]:
    return {row[column]: row for row in table["rows"][1:]}


def assert_self_contained(source: str) -> None:
    assert source.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in source
    lowered = source.lower()
    for banned in ("<script", 'src="http', "src='http", "<link", "@import", "url(", "<iframe"):
        assert banned not in lowered, banned


def assert_svgs_well_formed(page: Page) -> None:
    svg_ns = "{http://www.w3.org/2000/svg}"
    for svg in page.svgs:
        root = ET.fromstring(svg)
        title = root.find(f"{svg_ns}title")
        assert title is not None and title.text and title.text.strip()
        assert root.get("aria-labelledby", "").split()[0] == title.get("id")


# -- the full report on the hand-made project -------------------------------------------------


def test_full_report_is_one_self_contained_page(page):
    assert_self_contained(page.source)
    assert "<title>Report on handmade</title>" in page.source
    assert "@media print" in page.source and "break-inside: avoid" in page.source


def test_contents_link_to_every_section(page):
    internal = [link for link in page.links if link.startswith("#")]
    assert internal and all(link[1:] in page.ids for link in internal)
    assert not [link for link in page.links if not link.startswith("#")]
    assert page.headings[:11] == [
        "Report on handmade",
        "Contents",
        "Overview",
        "The staircase of steering and leadership",
        "Theme frequencies",
        "Frequencies by rolle",
        "Frequencies by kommune",  # no omraade: the cases lack it
        "Co-occurrence of codes",
        "Quotes per code",
        "Politiker – bagside politiker.bagside",  # codes with codings only, codebook order
        "Leder – forside leder.forside",
    ]


def test_tables_have_captions_and_header_scopes(page):
    assert page.tables and all(t["caption"] for t in page.tables)
    assert page.ths and all(
        scope == ("col" if part == "thead" else "row") for part, scope in page.ths
    )


def test_overview_tells_what_the_report_covers(page):
    rows = {row[0]: row[1] for row in page.table("What the report covers")["rows"]}
    assert rows == {
        "Project": "handmade",
        "Codebook": rows["Codebook"],
        "Documents": "3",
        "Cases": "3",
        "Words": "34",
        "Codings": "11",
        "Coders": "ann, bob",
        "Generated": GENERATED,
        "Filters": "none",
    }
    assert "Styrings- og ledelsestrappen" in rows["Codebook"]


def test_staircase_table_holds_the_hand_computed_figures(page):
    table = page.table("Codings per step and side")
    assert table["rows"][0] == [
        "Step",
        "Forside steering down",
        "Bagside feedback up",
        "Tillidens kant tema.kant",
    ]
    cells = {row[0]: row[1:] for row in table["rows"][1:]}
    assert list(cells) == ["Politiker", "Forvaltning", "Leder", "Medarbejder", "Borger"]
    counts = {level: [cell.split()[0] for cell in row] for level, row in cells.items()}
    assert counts == {
        "Politiker": ["0", "2", "0"],
        "Forvaltning": ["0", "0", "0"],
        "Leder": ["3", "1", "2"],
        "Medarbejder": ["0", "0", "0"],
        "Borger": ["0", "0", "0"],
    }
    # the spor overlapping each cell's codings, by their labels without "Spor – "
    assert cells["Leder"][0] == "3 mindre dokumentation 1"
    assert cells["Politiker"][1] == "2 færre regler 1 tillidsbaseret kultur 1"
    assert cells["Leder"][1] == "1"


def test_frequency_table_matches_the_hand_counts(page):
    table = page.table("Codings, documents, cases and words")
    assert table["rows"][0] == [
        "Code",
        "ID",
        "Codings",
        "Documents",
        "Cases",
        "Words",
        "% of words",
    ]
    rows = rows_by_first(table, column=1)
    assert len(rows) == 20  # every codable code, used or not
    got = {code: row[2:6] for code, row in rows.items() if row[2] != "0"}
    assert got == {
        "politiker.bagside": ["2", "1", "1", "13"],
        "leder.forside": ["3", "2", "2", "9"],
        "leder.bagside": ["1", "1", "1", "6"],
        "spor.regler": ["1", "1", "1", "4"],
        "spor.dokumentation": ["1", "1", "1", "4"],
        "spor.tillid": ["1", "1", "1", "3"],
        "tema.kant": ["2", "2", "2", "9"],
    }
    assert rows["leder.forside"][0] == "Leder – forside"
    assert rows["leder.forside"][6] == f"{100 * 9 / 34:.1f}"


def test_breakdowns_by_rolle_and_kommune_show_counts_and_row_shares(page):
    rolle = page.table("Codings per code and rolle")
    assert rolle["rows"][0] == ["Code", "leder", "politiker", "Total"]
    rows = rows_by_first(rolle)
    assert rows["Leder – forside"] == ["Leder – forside", "3 100%", "0 0%", "3"]
    assert rows["Tillidens kant"] == ["Tillidens kant", "2 100%", "0 0%", "2"]
    assert rows["Total"] == ["Total", "7", "4", "11"]
    assert "Borger – forside" not in rows  # codes without codings are left out
    kommune = rows_by_first(page.table("Codings per code and kommune"))
    assert kommune["Leder – forside"] == ["Leder – forside", "2 67%", "1 33%", "3"]
    assert kommune["Total"] == ["Total", "4", "7", "11"]


def test_cooccurrence_pairs_and_matrix(page):
    rows = {(r[0], r[1]): r[2:] for r in page.table("Pairs of codes that meet")["rows"][1:]}
    assert rows[("Leder – forside", "Tillidens kant")] == ["3", "2", "2", "0.67"]
    assert rows[("Politiker – bagside", "Spor – færre regler")] == ["1", "1", "1", "0.33"]
    assert rows[("Spor – færre regler", "Spor – tillidsbaseret kultur")] == ["0", "0", "1", "0.00"]
    assert len(rows) == 8
    matrix = next(svg for svg in page.svgs if "Co-occurrence of codes" in svg)
    assert "Leder – forside × Tillidens kant: 2 shared segments, Jaccard 0.67" in matrix


def test_charts_are_well_formed_svg_with_titles(page):
    titles = [ET.fromstring(svg).findtext("{http://www.w3.org/2000/svg}title") for svg in page.svgs]
    assert titles == ["Spor per step and side", "Codings per code", "Co-occurrence of codes"]
    assert_svgs_well_formed(page)
    assert "Leder – forside" in page.svgs[1]  # Danish letters kept as they are


def test_quotes_per_code_with_attribution(page):
    by_code: dict[str, list[tuple[str, str]]] = {}
    for heading, text, said_by in page.quotes:
        by_code.setdefault(heading, []).append((text, said_by))
    assert list(by_code) == [
        "quotes-politiker-bagside",
        "quotes-leder-forside",
        "quotes-leder-bagside",
        "quotes-spor-regler",
        "quotes-spor-dokumentation",
        "quotes-spor-tillid",
        "quotes-tema-kant",
    ]
    # one quote per document by default, the most typical first: the outlier comes last
    assert by_code["quotes-leder-forside"][-1] == ("slippe kontrollen", "(Leder, kommune 2)")
    assert [who for _, who in by_code["quotes-leder-forside"]] == [
        "(Skoleleder, kommune 1)",
        "(Leder, kommune 2)",
    ]
    assert by_code["quotes-politiker-bagside"][0][1] == "(Udvalgsformand, kommune 2)"
    assert sorted(by_code["quotes-tema-kant"]) == [
        ("Det er svært at slippe kontrollen.", "(Leder, kommune 2)"),
        ("Vi mødes oftere.", "(Skoleleder, kommune 1)"),
    ]


def test_filters_reach_every_part_of_the_report(proj):
    page = Page(
        full_report_html(
            proj, coders=["ann"], attributes={"kommune": "kommune 2"}, generated=GENERATED
        )
    )
    overview = {row[0]: row[1] for row in page.table("What the report covers")["rows"]}
    assert overview["Filters"] == "coder ann, kommune = kommune 2"
    assert (overview["Documents"], overview["Codings"], overview["Coders"]) == ("2", "6", "ann")
    cells = {
        row[0]: [c.split()[0] for c in row[1:]]
        for row in page.table("Codings per step")["rows"][1:]
    }
    assert cells["Leder"] == ["0", "1", "1"]  # 11 is bob's; 10 overlaps 9
    assert cells["Politiker"] == ["0", "2", "0"]
    assert "Frequencies by kommune" in page.headings
    assert all("kommune 1" not in who for _, _, who in page.quotes)


def test_report_breaks_down_only_by_attributes_the_cases_have(proj):
    page = Page(full_report_html(proj, by=("omraade", "titel"), generated=GENERATED))
    assert "Frequencies by titel" in page.headings
    assert not [h for h in page.headings if "omraade" in h]
    titel = rows_by_first(page.table("Codings per code and titel"))
    assert titel["Total"] == ["Total", "4", "4", "3", "11"]  # Skoleleder, Udvalgsformand, ingen


def test_each_report_kind_as_its_own_page(proj):
    extra = {"crosstab": {"by": "rolle"}, "quotes": {"code": "leder.forside"}}
    charts = {"frequencies": 1, "crosstab": 0, "cooccurrence": 1, "staircase": 1, "quotes": 0}
    for kind in KINDS:
        table = build_report(proj, kind, **extra.get(kind, {}))
        page = Page(table_html(table))
        assert_self_contained(page.source)
        assert_svgs_well_formed(page)
        assert len(page.svgs) == charts[kind], kind
        assert page.headings[0] == table.title
        assert all(t["caption"] for t in page.tables)
    quotes_page = Page(table_html(build_report(proj, "quotes", code="leder.forside")))
    assert [who for _, _, who in quotes_page.quotes] == [  # two per document, as `quotes`
        "(Skoleleder, kommune 1)",
        "(Skoleleder, kommune 1)",
        "(Leder, kommune 2)",
    ]
    pairs = Page(table_html(build_report(proj, "cooccurrence")))
    assert len(pairs.table("Pairs of codes")["rows"]) == 1 + 8  # all pairs on its own page


def test_quote_text_and_attributes_are_escaped(project, tmp_path):
    texts = {"k3_leder": "I: Og?\n\nR: Vi skrev <script>alert('x')</script> & <b>fed</b> tekst.\n"}
    manifest = "file,case,rolle,kommune,titel\nk3_leder.txt,D,leder,kommune 3,<i>Leder</i> & co\n"
    codings = [
        ("k3_leder", "Vi skrev <script>alert('x')</script> & <b>fed</b>", "tema.kant", "ann")
    ]
    import_and_code(project, tmp_path, texts, manifest, codings)
    source = full_report_html(project, generated=GENERATED)
    assert "<script" not in source and "<b>" not in source and "<i>" not in source
    assert "Vi skrev &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;fed" in source
    page = Page(source)
    assert page.quotes == [
        (
            "quotes-tema-kant",
            "Vi skrev <script>alert('x')</script> & <b>fed</b>",
            "(<i>Leder</i> & co, kommune 3)",
        )
    ]
    assert_svgs_well_formed(page)


def test_quotes_by_code_gives_what_quotes_gives_code_by_code(proj):
    together = quotes_by_code(proj, per_document=None)
    assert list(together) == [
        "politiker.bagside",
        "leder.forside",
        "leder.bagside",
        "spor.regler",
        "spor.dokumentation",
        "spor.tillid",
        "tema.kant",
    ]
    for code, found in together.items():
        alone = quotes(proj, code, per_document=None)
        assert [q.coding_id for q in found] == [q.coding_id for q in alone]
        assert [q.score for q in found] == pytest.approx([q.score for q in alone])
    assert quotes_by_code(proj, ["borger.forside"]) == {"borger.forside": []}
    short = quotes_by_code(proj, ["leder.forside"], sort="length", limit=2, coders="ann")
    assert [q.text for q in short["leder.forside"]] == [
        "Vi mødes oftere. Vi skriver færre rapporter.",
        "Vi mødes oftere.",
    ]


def test_html_writer_imports_no_ui():
    code = (
        "import sys, frisat_qual.reports.html; "
        "print(any(m in sys.modules for m in ('textual', 'rich', 'sklearn')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- the CLI on the demo project --------------------------------------------------------------


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(cli, list(args))
    if ok:
        assert result.exit_code == 0, result.output
    return result


def test_cli_all_as_html_matches_the_staircase_and_frequency_reports(demo_project_path, tmp_path):
    out = tmp_path / "rapport.html"
    result = run("report", str(demo_project_path), "all", "--format", "html", "-o", str(out))
    assert result.output.strip() == f"Wrote {out}"
    page = Page(out.read_text("utf-8"))
    assert_self_contained(page.source)
    assert_svgs_well_formed(page)
    stair = json.loads(
        run("report", str(demo_project_path), "staircase", "--format", "json").output
    )
    table = page.table("Codings per step and side")
    shown = {row[0].lower(): [c.split()[0] for c in row[1:]] for row in table["rows"][1:]}
    expected = {level: [None, None, str(n)] for level, n in stair["kant"].items()}
    for cell in stair["cells"]:
        expected[cell["level"]][0 if cell["side"] == "forside" else 1] = str(cell["codings"])
    assert shown == expected
    freq = json.loads(
        run("report", str(demo_project_path), "frequencies", "--format", "json").output
    )
    rows = rows_by_first(page.table("Codings, documents, cases and words"), column=1)
    assert {code: row[2:5] for code, row in rows.items()} == {
        r["code"]: [str(r["codings"]), str(r["documents"]), str(r["cases"])] for r in freq
    }
    assert {"Frequencies by rolle", "Frequencies by kommune", "Frequencies by omraade"} <= set(
        page.headings
    )
    assert len({heading for heading, _, _ in page.quotes}) == 20  # every code is in use
    assert all(re.fullmatch(r"\(.+, kommune \d\)", who) for _, _, who in page.quotes)


def test_cli_each_kind_as_html_on_stdout(demo_project_path):
    for kind, extra in (
        ("frequencies", ["--by", "rolle"]),
        ("crosstab", ["--by", "omraade"]),
        ("cooccurrence", []),
        ("staircase", []),
        ("quotes", ["--code", "tema.kant"]),
    ):
        source = run("report", str(demo_project_path), kind, *extra, "--format", "html").output
        assert_self_contained(source)
        page = Page(source)
        assert_svgs_well_formed(page)
        assert page.tables or page.quotes, kind


def test_cli_all_as_xlsx_has_a_sheet_per_report(demo_project_path, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "all.xlsx"
    run("report", str(demo_project_path), "all", "--format", "xlsx", "-o", str(out))
    book = load_workbook(out)
    assert book.sheetnames == [
        "overview",
        "staircase",
        "frequencies",
        "by rolle",
        "by kommune",
        "by omraade",
        "cooccurrence",
        "quotes",
    ]
    kant = next(r for r in book["frequencies"].values if r[0] == "tema.kant")
    assert kant[2] == 119
    by_rolle = list(book["by rolle"].values)
    assert by_rolle[0][7:] == ("borger", "forvaltning", "leder", "medarbejder", "politiker")
    assert sum(next(r for r in by_rolle if r[0] == "tema.kant")[7:]) == 119
    quoted = list(book["quotes"].values)
    assert quoted[0] == ("code", "label", "document", "quote", "attribution", "typicality")
    assert len({r[0] for r in quoted[1:]}) == 20
    assert all(isinstance(r[3], str) and r[3] for r in quoted[1:])


def test_cli_all_as_json_md_and_table(demo_project_path):
    data = json.loads(run("report", str(demo_project_path), "all", "--format", "json").output)
    assert list(data) == [
        "overview",
        "staircase",
        "frequencies",
        "by rolle",
        "by kommune",
        "by omraade",
        "cooccurrence",
        "quotes",
    ]
    kant = next(r for r in data["frequencies"] if r["code"] == "tema.kant")
    assert set(kant) == {"code", "codings", "documents", "cases", "words"}  # shape unchanged
    assert data["overview"]["codings"] == 936
    with open_project(demo_project_path) as project:  # the interviews and survey comments
        documents = project_stats(project)["documents"]
    assert data["overview"]["documents"] == documents > 32
    assert len(data["quotes"]) == 20 and all(data["quotes"].values())
    md = run("report", str(demo_project_path), "all", "--format", "md").output
    assert md.count("\n## ") + md.startswith("## ") == 8
    shown = run("report", str(demo_project_path), "all").output
    assert "Theme frequencies" in shown and "Styrings- og ledelsestrappen" in shown
    only = json.loads(
        run("report", str(demo_project_path), "all", "--by", "kommune", "--format", "json").output
    )
    assert [k for k in only if k.startswith("by ")] == ["by kommune"]


def test_cli_all_errors_are_one_line(demo_project_path):
    for args, message in (
        (["--format", "csv"], "html, xlsx, md, json or table"),
        (["--code", "tema.kant"], "--code"),
        (["--format", "xlsx"], "-o"),
    ):
        result = run("report", str(demo_project_path), "all", *args, ok=False)
        assert result.exit_code == 1 and message in result.output
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
