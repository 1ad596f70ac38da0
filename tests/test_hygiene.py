"""House rules that keep the core usable without the UI and safe with research data."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "frisat_qual"


def test_core_does_not_import_textual_or_rich():
    code = (
        "import sys\n"
        "import frisat_qual.store, frisat_qual.corpus.importer, frisat_qual.corpus.auditing,"
        " frisat_qual.nlp, frisat_qual.demo, frisat_qual.codebook.manage,"
        " frisat_qual.codebook.picking, frisat_qual.exchange.codings_csv,"
        " frisat_qual.suggest.service, frisat_qual.suggest.evaluate, frisat_qual.recent,"
        " frisat_qual.store.survey, frisat_qual.survey.importer, frisat_qual.survey.analysis,"
        " frisat_qual.survey.link, frisat_qual.survey.plot, frisat_qual.reports.joint,"
        " frisat_qual.reports.html, frisat_qual.agreement, frisat_qual.exchange.merge,"
        " frisat_qual.exchange.qdpx_export, frisat_qual.exchange.qdpx_import,"
        " frisat_qual.exchange.backup, frisat_qual.store.integrity\n"
        "bad = [m for m in ('textual', 'rich') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_textual_only_inside_tui():
    pattern = re.compile(r"^\s*(from|import) textual", re.M)
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if "tui" not in p.relative_to(PACKAGE).parts and pattern.search(p.read_text("utf-8"))
    ]
    assert offenders == []


def test_no_pickle_loading_or_network_code():
    pattern = re.compile(
        r"pickle\.loads?\(|joblib\.load\(|urllib\.request|requests\.|httpx\.|spacy\.cli\.download"
    )
    offenders = [str(p) for p in PACKAGE.rglob("*.py") if pattern.search(p.read_text("utf-8"))]
    assert offenders == []
