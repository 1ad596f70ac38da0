"""The home screen, the import screen and the coder question, driven with Pilot.

The import screen's DirectoryTrees keep a loader worker running while they are mounted, so
these tests wait for the other workers only (`settle`), never for all of them.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.notifications import Notify
from textual.widgets import DataTable, Input

from frisat_qual.codebook.manage import default_codebook, load_into_project
from frisat_qual.recent import recent_projects, remember_project
from frisat_qual.resources import save_coder, user_config
from frisat_qual.store import create_project, open_project
from frisat_qual.store.codes import code_rows
from frisat_qual.store.documents import documents_with_attributes, list_documents
from frisat_qual.tui.app import make_app
from frisat_qual.tui.screens.coder import CoderScreen
from frisat_qual.tui.screens.dialogs import FormDialog
from frisat_qual.tui.screens.home import HomeScreen, check_new_project, project_file_of
from frisat_qual.tui.screens.import_screen import (
    ImportScreen,
    ManifestTree,
    TranscriptTree,
    without_nested,
)
from frisat_qual.tui.screens.workspace import WorkspaceScreen
from frisat_qual.tui.widgets.document_tree import DocumentTree

SIZE = (110, 34)
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
PLANTED = "I: Hvem arbejder du sammen med?\n\nR: Jeg hedder Birgitte Kjærsgaard og er leder.\n"
PLAIN = "I: Hvordan går det med tilliden?\n\nR: Vi har fået mere tillid og færre skemaer.\n"


def notes_hook(notes: list[Notify]):
    def hook(message) -> None:
        if isinstance(message, Notify):
            notes.append(message)

    return hook


def severities(notes: list[Notify], severity: str) -> list[str]:
    return [n.notification.message for n in notes if n.notification.severity == severity]


async def settle(pilot) -> None:
    """Wait for the app's workers except the directory trees' loaders, which never end."""
    app = pilot.app
    for _ in range(20):
        busy = [w for w in app.workers if w.group != "_loader" and not w.is_finished]
        if not busy:
            break
        await app.workers.wait_for_complete(busy)
        await pilot.pause()
    await pilot.pause()


async def loaded(pilot, tree) -> None:
    for _ in range(200):
        if tree.root.children:
            return
        await pilot.pause(0.01)
    raise AssertionError(f"{tree} did not load")


def make_project(path: Path, *, codebook: bool = True) -> Path:
    project = create_project(path)
    if codebook:
        load_into_project(project, default_codebook())
    project.close()
    return path


@pytest.fixture(autouse=True)
def no_coder_env(monkeypatch):
    monkeypatch.delenv("FRISAT_QUAL_CODER", raising=False)


@pytest.fixture
def two_projects(tmp_path) -> tuple[Path, Path]:
    older = make_project(tmp_path / "pilotstudie.frisat")
    newer = make_project(tmp_path / "hovedstudie.frisat")
    remember_project(older, when=T0)
    remember_project(newer, when=T0 + timedelta(hours=1))
    return older, newer


@pytest.fixture
def transcripts(tmp_path, monkeypatch) -> Path:
    """A home folder with two transcripts, a manifest and files the picker hides."""
    home = tmp_path / "hjem"
    home.mkdir()
    (home / "k9_borger.txt").write_text(PLAIN, encoding="utf-8")
    (home / "k9_leder.txt").write_text(PLANTED, encoding="utf-8")
    (home / "noter.pdf").write_text("not a transcript", encoding="utf-8")
    (home / ".skjult.txt").write_text(PLAIN, encoding="utf-8")
    (home / "manifest.csv").write_text(
        "file,rolle,kommune,omraade\n"
        "k9_borger.txt,borger,kommune 9,skole\n"
        "k9_leder.txt,leder,kommune 9,skole\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("HOME", str(home))
    return home


# -- helpers below the UI ------------------------------------------------------------------


def test_new_project_file_names_and_checks(tmp_path):
    assert project_file_of(f"{tmp_path}/studie") == tmp_path / "studie.frisat"
    assert project_file_of(f" {tmp_path}/studie.frisat ") == tmp_path / "studie.frisat"
    assert check_new_project({"path": f"{tmp_path}/ny"}) is None
    (tmp_path / "ny.frisat").write_bytes(b"")
    assert "exists already" in check_new_project({"path": f"{tmp_path}/ny"})
    assert "does not exist" in check_new_project({"path": f"{tmp_path}/mangler/ny"})
    assert "name" in check_new_project({"path": f"{tmp_path}/"})


def test_chosen_folder_covers_its_files(tmp_path):
    a, sub = tmp_path / "a.txt", tmp_path / "sub"
    assert without_nested([sub / "b.txt", a, sub]) == [a, sub]


# -- home screen ---------------------------------------------------------------------------


async def test_home_lists_recent_projects_and_enter_opens_one(two_projects):
    older, newer = two_projects
    app = make_app(coder="anna")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one("#home-recent", DataTable)
        assert table.has_focus
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [r[0] for r in rows] == ["hovedstudie", "pilotstudie"], "most recent first"
        assert rows[0][1] == str(newer.parent)
        local = (T0 + timedelta(hours=1)).astimezone().strftime("%Y-%m-%d %H:%M")
        assert rows[0][2] == local
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        assert app.project.path == older and app.sub_title == "pilotstudie"
    assert recent_projects() == [older, newer], "opening moved it to the top"


async def test_home_without_recent_projects_says_what_to_do():
    notes: list[Notify] = []
    app = make_app(coder="anna")
    async with app.run_test(size=(80, 24), message_hook=notes_hook(notes)) as pilot:
        await pilot.pause()
        assert not app.screen.query_one("#home-recent").display
        assert "press o for the demo" in str(app.screen.query_one("#home-empty").render())
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen), "nothing to import into yet"
        assert any("Open or create a project" in m for m in severities(notes, "warning"))
        await pilot.press("c", "escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen), "no codebook and no workspace without a project"


async def test_opening_a_broken_project_shows_an_error(tmp_path):
    broken = tmp_path / "broken.frisat"
    broken.write_text("this is not a database", encoding="utf-8")
    remember_project(broken)
    notes: list[Notify] = []
    app = make_app(coder="anna")
    async with app.run_test(size=SIZE, message_hook=notes_hook(notes)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.project is None
        assert any("not a frisat-qual project" in m for m in severities(notes, "error"))


async def test_new_project_through_the_form(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path / "findes.frisat", codebook=False)
    app = make_app(coder="anna")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        field = app.screen.query_one("#field-path", Input)
        assert field.value == f"{tmp_path}/", "starts in the current folder"
        field.value = str(tmp_path / "findes")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog), "an existing file is refused in the form"
        assert "exists already" in str(app.screen.query_one("#form-error").render())
        field.value = str(tmp_path / "ny undersøgelse")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, WorkspaceScreen)
        created = tmp_path / "ny undersøgelse.frisat"
        assert app.project.path == created
        assert len(code_rows(app.project)) == len(default_codebook().codes)
    assert recent_projects() == [created]


async def test_demo_is_built_with_progress_and_opened(tmp_path, monkeypatch, isolated_home):
    corpus = tmp_path / "minidemo"
    corpus.mkdir()
    (corpus / "k1_borger.txt").write_text(PLAIN, encoding="utf-8")
    (corpus / "k1_leder.txt").write_text(PLAIN.replace("tillid", "frihed"), encoding="utf-8")
    (corpus / "manifest.csv").write_text(
        "file,rolle,kommune,omraade\n"
        "k1_borger.txt,borger,kommune 1,dagtilbud\n"
        "k1_leder.txt,leder,kommune 1,dagtilbud\n",
        encoding="utf-8",
    )
    monkeypatch.setattr("frisat_qual.demo.demo_corpus_dir", lambda: corpus)
    progress: list[tuple[int, int]] = []

    def hook(message) -> None:
        if isinstance(message, HomeScreen.DemoProgressed):
            progress.append((message.done, message.total))

    app = make_app(coder="anna")
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await pilot.pause()
        home = app.screen
        await pilot.press("o")
        await pilot.pause()
        await settle(pilot)
        assert progress == [(1, 2), (2, 2)]
        assert isinstance(app.screen, WorkspaceScreen)
        demo = isolated_home / "demo.frisat"
        assert app.project.path == demo
        assert len(list_documents(app.project)) == 2
        assert not home.query_one("#home-progress-box").display, "the bar goes when done"
        # a second time the demo is simply opened
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.screen is home
        assert "demo.frisat" in str(home.query_one("#home-current").render())
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, WorkspaceScreen) and app.project.path == demo
        assert progress == [(1, 2), (2, 2)]
    assert recent_projects() == [demo]


async def test_ctrl_o_shows_home_esc_returns_and_opening_another_closes_the_first(two_projects):
    older, newer = two_projects
    app = make_app(older, coder="anna")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first_workspace, first_project = app.screen, app.project
        assert isinstance(first_workspace, WorkspaceScreen)
        assert recent_projects()[0] == older, "a project given at start is remembered too"
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert str(older) in str(app.screen.query_one("#home-current").render())
        await pilot.press("i")  # importing works from home too while a project is open
        await pilot.pause()
        assert isinstance(app.screen, ImportScreen) and app.screen.project is first_project
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is first_workspace, "the workspace kept its place"
        await pilot.press("ctrl+o")
        await pilot.pause()
        table = app.screen.query_one("#home-recent", DataTable)
        assert str(table.get_row_at(1)[0]) == "hovedstudie"
        table.move_cursor(row=1)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen) and app.screen is not first_workspace
        assert app.project.path == newer
        with pytest.raises(sqlite3.ProgrammingError):
            first_project.conn.execute("select 1")
        # opening the open project again just shows its workspace as it was
        workspace, project = app.screen, app.project
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.open_project_path(newer)
        await pilot.pause()
        assert app.screen is workspace and app.project is project


# -- import screen -------------------------------------------------------------------------


async def choose_files(pilot, names: list[str]) -> TranscriptTree:
    tree = pilot.app.screen.query_one(TranscriptTree)
    await loaded(pilot, tree)
    shown = [str(n.label) for n in tree.root.children]
    for name in names:
        index = shown.index(name)
        tree.move_cursor(tree.root.children[index])
        await pilot.press("space")
    await pilot.pause()
    return tree


async def test_import_with_manifest_shows_audit_first_then_imports(tmp_path, transcripts):
    path = make_project(tmp_path / "studie.frisat")
    app = make_app(path, coder="anna")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        tree = screen.query_one(TranscriptTree)
        await loaded(pilot, tree)
        assert [str(n.label) for n in tree.root.children] == ["k9_borger.txt", "k9_leder.txt"]
        assert tree.path == transcripts, "rooted at the user's home folder"
        # the manifest: its own picker of folders and .csv files
        await pilot.press("m")
        await pilot.pause()
        assert screen.step == "manifest"
        manifest_tree = screen.query_one(ManifestTree)
        await loaded(pilot, manifest_tree)
        assert [str(n.label) for n in manifest_tree.root.children] == ["manifest.csv"]
        manifest_tree.move_cursor(manifest_tree.root.children[0])
        await pilot.press("enter")
        await pilot.pause()
        assert screen.step == "files" and screen.manifest == transcripts / "manifest.csv"
        # two files chosen with space, shown with a check mark
        await choose_files(pilot, ["k9_borger.txt", "k9_leder.txt"])
        assert screen.chosen() == [transcripts / "k9_borger.txt", transcripts / "k9_leder.txt"]
        assert "Chosen: k9_borger.txt, k9_leder.txt" in str(
            screen.query_one("#import-chosen").render()
        )
        assert "✓" in tree.render_line(1).text
        # the audit comes before anything is written
        await pilot.press("a")
        await settle(pilot)
        assert screen.step == "audit"
        table = screen.query_one("#import-findings", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert ["k9_leder.txt", "person", "Birgitte Kjærsgaard"] in [r[:3] for r in rows]
        with open_project(path) as check:
            assert list_documents(check) == []
        await pilot.press("y")
        await settle(pilot)
        assert screen.step == "summary"
        summary = str(screen.query_one("#import-summary").render())
        assert "imported 2 · new versions 0 · unchanged 0 · failed 0" in summary
        assert screen.query_one("#import-progress").percentage == 1
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        groups = [str(n.label) for n in app.screen.query_one(DocumentTree).root.children]
        assert any(g.startswith("kommune 9") for g in groups), "the new documents are listed"
    with open_project(path) as check:
        docs = {d.name: attrs for d, attrs in documents_with_attributes(check)}
    assert set(docs) == {"k9_borger", "k9_leder"}
    assert docs["k9_leder"]["rolle"] == "leder" and docs["k9_leder"]["kommune"] == "kommune 9"


async def test_import_again_reports_unchanged_and_failures(tmp_path, transcripts):
    path = make_project(tmp_path / "studie.frisat")
    (transcripts / "mappe").mkdir()
    (transcripts / "mappe" / "k9_borger.txt").write_text(PLAIN, encoding="utf-8")
    (transcripts / "mappe" / "tom.docx").write_bytes(b"not a zip file")
    app = make_app(path, coder="anna")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        await choose_files(pilot, ["mappe"])
        await pilot.press("a")
        await settle(pilot)
        table = screen.query_one("#import-findings", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [r[:2] for r in rows] == [["tom.docx", "cannot import"]]
        await pilot.press("y")
        await settle(pilot)
        failed = screen.query_one("#import-failed", DataTable)
        assert "imported 1" in str(screen.query_one("#import-summary").render())
        assert str(failed.get_row_at(0)[0]) == "tom.docx" and failed.display
        await pilot.press("escape")
        await pilot.pause()
        # the same file again: unchanged
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        await choose_files(pilot, ["k9_borger.txt"])
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "imported 0 · new versions 0 · unchanged 1 · failed 0" in str(
            screen.query_one("#import-summary").render()
        )


async def test_cancel_before_import_leaves_project_untouched(tmp_path, transcripts):
    path = make_project(tmp_path / "studie.frisat")
    results: list[object] = []
    app = make_app(path, coder="anna")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # cancel in the file step
        app.push_screen(ImportScreen(app.project, root=transcripts), results.append)
        await pilot.pause()
        await choose_files(pilot, ["k9_leder.txt"])
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        # back from the audit keeps the choice; cancel there too
        app.push_screen(ImportScreen(app.project, root=transcripts), results.append)
        await pilot.pause()
        screen = app.screen
        await choose_files(pilot, ["k9_leder.txt", "k9_borger.txt"])
        await pilot.press("a")
        await settle(pilot)
        assert screen.step == "audit"
        await pilot.press("b")
        await pilot.pause()
        assert screen.step == "files" and len(screen.chosen()) == 2
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        assert results == [None, None]
        assert list_documents(app.project) == []


# -- coder identity ------------------------------------------------------------------------


async def test_coder_question_on_first_start_saves_the_name(tmp_path):
    path = make_project(tmp_path / "studie.frisat")
    app = make_app(path, coder=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CoderScreen)
        field = app.screen.query_one("#coder-name", Input)
        assert field.value == app.coder, "suggests the login name"
        field.value = ""
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CoderScreen), "an empty name is refused"
        assert app.screen.query_one("#coder-error").has_class("-shown")
        field.value = "Anna Holm"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        assert app.coder == "Anna Holm"
    assert user_config()["coder"] == "Anna Holm"


async def test_coder_question_skipped_keeps_suggestion_unsaved():
    app = make_app(coder=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CoderScreen)
        suggestion = app.screen.query_one("#coder-name", Input).value
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen) and app.coder == suggestion
    assert "coder" not in user_config()


async def test_no_coder_question_when_configured_or_given(tmp_path):
    path = make_project(tmp_path / "studie.frisat")
    app = make_app(path, coder="Bo")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen) and app.coder == "Bo"
    save_coder("Cecilie")
    app = make_app(path, coder=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen) and app.coder == "Cecilie"
