"""`frisat-qual survey summary|points|plot|derived`, `link` and `cases` on a copy of the demo
project. The survey figures are checked against a computation of their own, straight from
corpora/demo/survey.csv with the csv module: a respondent's index is the mean of the
answered indicators a-d when at least 3 are answered; group figures are means and sample
SDs over the respondents with that index; a mean point's quadrant splits both axes at 5.5,
a value on the line counting as high."""

from __future__ import annotations

import csv
import json
import shutil
import statistics
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from frisat_qual.cli import cli
from frisat_qual.resources import demo_corpus_dir
from frisat_qual.store import open_project
from frisat_qual.store.codings import apply_code, query_codings
from frisat_qual.survey import QUADRANTS, SPOR

SPLIT = 5.5
STRATEGIES = ("typical", "deviant", "extreme", "diverse")


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def demo(demo_project_path, tmp_path_factory):
    """A copy of the demo project (commands open it, which may write)."""
    copy = tmp_path_factory.mktemp("survey_cli") / "demo.frisat"
    shutil.copy(demo_project_path, copy)
    return copy


# -- the independent computation ----------------------------------------------------------


@pytest.fixture(scope="module")
def answers() -> list[dict[str, str]]:
    with (demo_corpus_dir() / "survey.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def index(row: dict[str, str], spor: str, dim: str) -> float | None:
    values = [int(row[f"{spor}_{dim}_{i}"]) for i in "abcd" if row[f"{spor}_{dim}_{i}"].strip()]
    return sum(values) / len(values) if len(values) >= 3 else None


def quadrant(vigt: float, impl: float, x: float = SPLIT, y: float = SPLIT) -> str:
    high_vigt, high_impl = vigt >= x - 1e-9, impl >= y - 1e-9
    if high_vigt:
        return "fortsaet" if high_impl else "fokus"
    return "over_implementering" if high_impl else "lav_prioritet"


def groups(answers, by: str = "omraade") -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for row in answers:
        out.setdefault(row[by], []).append(row)
    return out


def expected_summary(rows: list[dict[str, str]], spor: str) -> dict:
    impl = [v for v in (index(r, spor, "impl") for r in rows) if v is not None]
    vigt = [v for v in (index(r, spor, "vigt") for r in rows) if v is not None]
    both = [
        r for r in rows if index(r, spor, "impl") is not None and index(r, spor, "vigt") is not None
    ]
    items = [int(r[f"{spor}_vigt_{i}"]) for r in rows for i in "abcd" if r[f"{spor}_vigt_{i}"]]
    impl_mean, vigt_mean = sum(impl) / len(impl), sum(vigt) / len(vigt)
    return {
        "n": len(both),
        "n_impl": len(impl),
        "n_vigt": len(vigt),
        "missing_impl": len(rows) - len(impl),
        "impl_mean": impl_mean,
        "vigt_mean": vigt_mean,
        "impl_sd": statistics.stdev(impl),
        "vigt_sd": statistics.stdev(vigt),
        "quadrant_abs": quadrant(vigt_mean, impl_mean),
        "ceiling_vigt": sum(v == 10 for v in items) / len(items),
    }


# -- survey summary, points, plot, derived ---------------------------------------------------


def test_summary_by_omraade_agrees_with_the_csv(demo, answers):
    data = json.loads(run("survey", "summary", demo, "--by", "omraade", "--json").output)
    by_key = {(d["group"], d["spor"]): d for d in data}
    expected_groups = groups(answers)
    assert set(by_key) == {(g, s) for g in expected_groups for s in SPOR}
    for (group, spor), got in by_key.items():
        want = expected_summary(expected_groups[group], spor)
        for key, value in want.items():
            assert got[key] == pytest.approx(value), (group, spor, key)
        assert got["quadrant_label"] == QUADRANTS[want["quadrant_abs"]]
        for key in ("alpha_impl", "alpha_vigt", "ceiling_impl", "derived_vigt", "impl_min"):
            assert key in got
        assert isinstance(got["warnings"], list)
    # the pilot's story: importance at the ceiling for dokumentation in aeldre
    assert by_key["aeldre", "dokumentation"]["quadrant_abs"] == "fokus"
    assert any("ceiling" in w for w in by_key["aeldre", "dokumentation"]["warnings"])
    assert by_key["dagtilbud", "tillid"]["quadrant_abs"] == "fortsaet"


def test_summary_table_and_wave(demo):
    out = run("survey", "summary", demo, "--by", "omraade").output
    assert "Survey summary by omraade" in out and "Vigtigste fokusområde" in out
    assert "3.74 (1.10)" in out  # aeldre dokumentation: impl mean (SD)
    assert "aeldre / dokumentation: over half of the importance answers are 10" in out
    overall = json.loads(run("survey", "summary", demo, "--wave", "pilot", "--json").output)
    assert {d["group"] for d in overall} == {"alle"} and len(overall) == len(SPOR)
    assert overall[0]["n"] + overall[0]["missing_impl"] >= 33


def test_points_agree_with_the_csv(demo, answers):
    data = json.loads(
        run("survey", "points", demo, "--spor", "tillid", "--by", "omraade", "--json").output
    )
    want = {}
    for group, rows in groups(answers).items():
        pts = [
            (r["respondent_id"], index(r, "tillid", "impl"), index(r, "tillid", "vigt"))
            for r in rows
        ]
        pts = [p for p in pts if p[1] is not None and p[2] is not None]
        mean_impl = sum(p[1] for p in pts) / len(pts)
        mean_vigt = sum(p[2] for p in pts) / len(pts)
        for rid, impl, vigt in pts:
            want[rid] = {
                "group": group,
                "impl": impl,
                "vigt": vigt,
                "quadrant_abs": quadrant(vigt, impl),
                "quadrant_rel": quadrant(vigt, impl, mean_vigt, mean_impl),
            }
    assert {d["respondent_id"] for d in data} == set(want) and len(data) == len(want)
    for d in data:
        w = want[d["respondent_id"]]
        assert d["group"] == w["group"]
        assert d["impl"] == pytest.approx(w["impl"]) and d["vigt"] == pytest.approx(w["vigt"])
        assert (d["quadrant_abs"], d["quadrant_rel"]) == (w["quadrant_abs"], w["quadrant_rel"])
    # relative and absolute readings differ somewhere: everyone is crowded top right
    assert any(d["quadrant_abs"] != d["quadrant_rel"] for d in data)
    table = run("survey", "points", demo, "--spor", "tillid").output
    assert "L01" in table and "quadrant (group means)" in table


def test_plot_svg_and_png(demo, tmp_path):
    svg = tmp_path / "tillid.svg"
    out = run("survey", "plot", demo, "--spor", "tillid", "--by", "omraade", "-o", svg).output
    assert out.startswith(f"Wrote {svg} (33 respondents, 3 panels)")
    root = ET.parse(svg).getroot()
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    for label in QUADRANTS.values():
        assert texts.count(label) == 3
    assert [t for t in texts if "(n = " in t] == [
        "Dagtilbud (n = 10)",
        "Skole (n = 11)",
        "Ældre (n = 12)",
    ]
    png = tmp_path / "tillid.png"
    run("survey", "plot", demo, "--spor", "tillid", "-o", png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_derived_importance(demo, answers):
    data = json.loads(
        run("survey", "derived", demo, "--spor", "maal", "--by", "omraade", "--json").output
    )
    assert [d["group"] for d in data] == ["aeldre", "dagtilbud", "skole"]
    for d in data:
        rows = groups(answers)[d["group"]]
        rs = []
        for item in d["indicators"]:
            i = item["indicator"]
            pairs = [
                (int(r[f"maal_impl_{i}"]), int(r["maal_impl_d"]))
                for r in rows
                if r[f"maal_impl_{i}"] and r["maal_impl_d"]
            ]
            r_ = statistics.correlation(*zip(*pairs, strict=True))
            stated = [int(r[f"maal_vigt_{i}"]) for r in rows if r[f"maal_vigt_{i}"]]
            assert item["pairs"] == len(pairs)
            assert item["derived"] == pytest.approx(r_)
            assert item["stated_vigt_mean"] == pytest.approx(sum(stated) / len(stated))
            rs.append(r_)
        assert [item["indicator"] for item in d["indicators"]] == ["a", "b", "c"]
        assert d["derived"] == pytest.approx(sum(rs) / 3)
        # the demo's maal: c (follow-up) goes only weakly with the overall item d
        by_item = {item["indicator"]: item["derived"] for item in d["indicators"]}
        assert by_item["c"] < min(by_item["a"], by_item["b"])
    table = run("survey", "derived", demo, "--spor", "maal").output
    assert "derived r (pairs)" in table and "stated vigt (n)" in table


# -- link ---------------------------------------------------------------------------------


def test_link_json_agrees_with_the_summary_and_the_codings(demo):
    data = json.loads(run("link", demo, "--format", "json").output)
    summary = {
        (d["group"], d["spor"]): d
        for d in json.loads(run("survey", "summary", demo, "--by", "omraade", "--json").output)
    }
    assert [(d["spor"], d["group"]) for d in data] == [
        (s, g) for s in SPOR for g in ("aeldre", "dagtilbud", "skole")
    ]
    for d in data:
        assert set(d) == {
            "spor",
            "group",
            "survey",
            "qualitative",
            "quotes",
            "convergence",
            "reason",
        }
        s = summary[d["group"], d["spor"]]
        assert d["survey"]["n"] == s["n"]
        assert d["survey"]["impl_mean"] == pytest.approx(s["impl_mean"])
        assert d["survey"]["quadrant"] == s["quadrant_abs"]
        q = d["qualitative"]
        assert q["codings"] == q["interview_codings"] + q["comment_codings"]
        assert d["convergence"] in ("agree", "diverge", "too little data") and d["reason"]
        assert len(d["quotes"]) == min(2, q["documents"])
        for quote in d["quotes"]:
            assert quote["attribution"].startswith("(") and quote["text"]
    # the codings counted equal those `codings` lists for the spor and the area
    tillid_skole = next(d for d in data if (d["spor"], d["group"]) == ("tillid", "skole"))
    listed = run(
        "codings", demo, "--code", "spor.tillid", "--attr", "omraade=skole", "--csv"
    ).stdout
    assert tillid_skole["qualitative"]["codings"] == len(listed.strip().splitlines()) - 1
    # the demo's dokumentation in aeldre: "Vigtigste fokusområde", back-side talk
    dok = next(d for d in data if (d["spor"], d["group"]) == ("dokumentation", "aeldre"))
    assert dok["survey"]["quadrant"] == "fokus"
    assert dok["qualitative"]["bagside_share"] > dok["qualitative"]["forside_share"]


def test_link_md_table_and_coder(demo, tmp_path):
    md = run("link", demo, "--format", "md").output
    assert md.startswith("# Survey and interviews by omraade: joint display (survey wave pilot)")
    for title in ("Færre regler (regler)", "Tillidsbaseret kultur (tillid)"):
        assert f"## {title}" in md
    assert md.count("| Ældre | 12 |") == len(SPOR) - 1  # eksperiment: L26 lacks an index
    assert "| Ældre | 11 |" in md
    assert "**Ældre: " in md and "> — (" in md
    table = run("link", demo).output
    assert "codings (int/com)" in table and "too little data" in table
    out = tmp_path / "link.txt"
    run("link", demo, "--by", "kommune", "-o", out)
    assert "kommune 7" in out.read_text("utf-8")
    # a coder the project lacks is an error, not a joint display of zeros
    nobody = run("link", demo, "--coder", "nobody", "--format", "json", ok=False)
    assert nobody.exit_code == 1 and nobody.stdout == ""
    assert nobody.stderr == "Error: demo.frisat: no coder named 'nobody' (coders: reference)\n"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []
        self.rows = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.links += [v or "" for k, v in attrs if k in ("href", "src")]
        if tag == "tr":
            self.rows += 1


def test_link_html_is_one_self_contained_page(demo, tmp_path):
    out = tmp_path / "link.html"
    assert run("link", demo, "--format", "html", "-o", out).output.strip() == f"Wrote {out}"
    page = _Page()
    page.feed(out.read_text("utf-8"))
    page.close()
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    assert all(href.startswith("#") for href in page.links)
    assert page.tags.count("section") == len(SPOR) and page.tags.count("table") == len(SPOR)
    assert page.rows == len(SPOR) * (2 + 3)  # two header rows and three groups per spor
    text = out.read_text("utf-8")
    assert "<style>" in text and "Tillidsbaseret kultur" in text
    assert 'class="flag agree"' in text and 'class="flag diverge"' in text


# -- cases --------------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_cases_give_reasons_and_what_to_read(demo, answers, strategy):
    data = json.loads(
        run(
            "cases", demo, "--spor", "tillid", "--strategy", strategy, "--by", "omraade",
            "--n", "2", "--json",
        ).output
    )  # fmt: skip
    assert (data["spor"], data["strategy"], data["wave"]) == ("tillid", strategy, "pilot")
    picks = data["picks"]
    assert picks and {p["group"] for p in picks} == {"aeldre", "dagtilbud", "skole"}
    per_group = {g: sum(p["group"] == g for p in picks) for g in ("aeldre", "dagtilbud", "skole")}
    assert set(per_group.values()) <= {1, 2}
    by_id = {row["respondent_id"]: row for row in answers}
    for p in picks:
        assert p["reason"] and any(ch.isdigit() for ch in p["reason"]) and p["figures"]
        row = by_id[p["respondent_id"]]
        assert p["impl"] == pytest.approx(index(row, "tillid", "impl"))
        comments = [d for d in p["read"] if d["kind"] == "comment"]
        interviews = [d for d in p["read"] if d["kind"] == "interview"]
        if row["tillid_kommentar"].strip():
            assert comments[0]["spor"] == "tillid"
        assert len(comments) == sum(bool(row[f"{s}_kommentar"].strip()) for s in SPOR)
        for d in interviews:
            # an interview of the respondent's own kommune (and so of its area)
            assert d["label"] == f"{d['document']} {d['attribution']}"
            assert d["attribution"].endswith(f", {row['kommune']})")
            assert d["document"].startswith(f"k{row['kommune'].split()[-1]}_")
    # somebody gets interviews to read
    assert any(d["kind"] == "interview" for p in picks for d in p["read"])
    if strategy == "diverse":
        assert any("quadrants have respondents" in n for n in data["notes"])


def test_cases_text_names_the_documents(demo):
    out = run(
        "cases", demo, "--spor", "tillid", "--strategy", "typical", "--by", "omraade", "--n", "1"
    ).output
    assert out.startswith("1. L05 (aeldre): vigt 9.50, impl 6.00, Fortsæt det gode arbejde")
    assert "   why: 0.18 from the aeldre centroid" in out
    assert "read: survey-pilot-L05-tillid (Plejecenterleder, kommune 1), comment on tillid" in out
    assert "no interviews share the respondent's kommune kommune 1, omraade aeldre" in out
    assert "read: k5_leder (Skoleleder, kommune 5), interview, 1 coding(s) of spor.tillid" in out
    # regler has respondents in all four quadrants: one pick from each, and no note
    out = run("cases", demo, "--spor", "regler", "--strategy", "diverse").output
    heads = [line.split(", ")[-1] for line in out.splitlines() if line[:1].isdigit()]
    assert heads == [QUADRANTS[q] for q in ("fokus", "fortsaet", "over_implementering")] + [
        QUADRANTS["lav_prioritet"]
    ]
    assert "note:" not in out
    out = run("cases", demo, "--spor", "tillid", "--strategy", "diverse", "--by", "omraade").output
    assert "note: group dagtilbud: only 1 of 4 quadrants have respondents" in out


def test_link_and_cases_name_the_coders_they_count_together(demo, tmp_path):
    pooled = tmp_path / "pooled.frisat"
    shutil.copy(demo, pooled)
    with open_project(pooled) as proj:
        first = query_codings(proj, code="spor.tillid", coder="reference")[0]
        apply_code(proj, first.document_id, first.start, first.end, "spor.tillid", "second")
    note = "counting the codings of 2 coders together: reference, second"
    # json on stdout stays data; the note goes to stderr
    data = run("link", pooled, "--format", "json")
    assert data.stderr == f"{note} (choose with --coder)\n"
    alone = run("link", pooled, "--coder", "reference", "--format", "json")
    assert alone.stderr == ""
    counted = {
        (d["spor"], d["group"]): d["qualitative"]["codings"] for d in json.loads(data.stdout)
    }
    single = {
        (d["spor"], d["group"]): d["qualitative"]["codings"] for d in json.loads(alone.stdout)
    }
    assert sum(counted.values()) == sum(single.values()) + 1
    assert "*Counting the codings of 2 coders together: reference, second.*" in (
        run("link", pooled, "--format", "md").stdout
    )
    run("link", pooled, "--format", "html", "-o", tmp_path / "link.html")
    page = (tmp_path / "link.html").read_text("utf-8")
    assert (
        '<p class="note">Counting the codings of 2 coders together: reference, second.</p>' in page
    )
    table = run("link", pooled)
    assert table.stderr.startswith(note) and "convergence" in table.stdout
    picks = run("cases", pooled, "--spor", "tillid", "--strategy", "typical", "--json")
    assert picks.stderr == f"{note} (choose with --coder)\n" and json.loads(picks.stdout)["picks"]
    assert run("link", demo, "--format", "md").stderr == ""


# -- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["survey", "points", "{p}", "--spor", "trust"], "unknown spor 'trust'"),
        (["survey", "plot", "{p}", "--spor", "trust", "-o", "x.svg"], "unknown spor 'trust'"),
        (["survey", "derived", "{p}", "--spor", "trust"], "unknown spor 'trust'"),
        (["cases", "{p}", "--spor", "trust", "--strategy", "typical"], "unknown spor 'trust'"),
        (["cases", "{p}", "--spor", "tillid", "--strategy", "random"], "unknown strategy"),
        (["cases", "{p}", "--spor", "tillid", "--strategy", "typical", "--n", "0"], "at least 1"),
        (
            ["cases", "{p}", "--spor", "tillid", "--strategy", "typical", "--coder", "nobody"],
            "demo.frisat: no coder named 'nobody' (coders: reference)",
        ),
        (["survey", "summary", "{p}", "--wave", "2030"], "no survey wave '2030'"),
        (["survey", "plot", "{p}", "--spor", "tillid", "-o", "x.pdf"], "ending in .svg or .png"),
    ],
)
def test_errors_are_one_line(demo, tmp_path, args, message):
    args = [str(demo) if a == "{p}" else a for a in args]
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    result = run(*args, ok=False)
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1 and message in result.output
    assert result.output.startswith("Error: ")


@pytest.mark.parametrize(
    "args",
    [
        ["survey", "summary", "{p}"],
        ["survey", "points", "{p}", "--spor", "tillid"],
        ["survey", "plot", "{p}", "--spor", "tillid", "-o", "x.svg"],
        ["survey", "derived", "{p}", "--spor", "tillid"],
        ["link", "{p}"],
        ["cases", "{p}", "--spor", "tillid", "--strategy", "typical"],
    ],
)
def test_project_without_survey_is_one_line(tmp_path, args):
    project = tmp_path / "empty.frisat"
    run("new", project)
    args = [str(project) if a == "{p}" else a for a in args]
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    result = run(*args, ok=False)
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert "empty.frisat has no survey to analyse" in result.output
