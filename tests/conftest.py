"""Shared fixtures: temporary projects, the demo corpus, an isolated user data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from frisat_qual.resources import demo_corpus_dir
from frisat_qual.store import create_project

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    """Never touch the real user's demo project or settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("FRISAT_QUAL_HOME", str(home))
    return home


@pytest.fixture
def project(tmp_path):
    proj = create_project(tmp_path / "test.frisat")
    yield proj
    proj.close()


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    return demo_corpus_dir()


@pytest.fixture(scope="session")
def demo_project_path(tmp_path_factory) -> Path:
    """The demo project, built once per test session (read-only use, please)."""
    from frisat_qual.demo import ensure_demo_project

    return ensure_demo_project(tmp_path_factory.mktemp("demo") / "demo.frisat")


@pytest.fixture(scope="module")
def handmade_project(tmp_path_factory):
    """The hand-made project of tests/handmade.py, open, one per test module."""
    from handmade import build_handmade

    folder = tmp_path_factory.mktemp("handmade")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FRISAT_QUAL_HOME", str(folder / "home"))
        project = build_handmade(folder)
        yield project
        project.close()


@pytest.fixture(scope="module")
def agreement_file(tmp_path_factory) -> Path:
    """The hand-made two-coder project of test_agreement.py, built once per module; tests
    copy it before writing."""
    from test_agreement import build_agreement_project

    folder = tmp_path_factory.mktemp("agreement")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FRISAT_QUAL_HOME", str(folder / "home"))
        build_agreement_project(folder).close()
    return folder / "agreement.frisat"
