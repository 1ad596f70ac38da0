"""The codebook screen, driven with Pilot: tree, filter, details and every codebook change."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.notifications import Notify
from textual.widgets import Input, TextArea

from frisat_qual.codebook.manage import default_codebook, load_into_project
from frisat_qual.corpus.importer import import_transcripts
from frisat_qual.store import create_project
from frisat_qual.store.codes import code_row, code_rows
from frisat_qual.store.codings import apply_code, query_codings
from frisat_qual.store.documents import list_documents, segments_of
from frisat_qual.store.journal import history
from frisat_qual.tui.app import make_app
from frisat_qual.tui.screens.codebook import CodebookScreen, parse_split_lines
from frisat_qual.tui.screens.dialogs import ConfirmDialog, FormDialog
from frisat_qual.tui.screens.help import HelpScreen
from frisat_qual.tui.widgets.codebook_tree import CodebookTree

SIZE = (120, 40)
INTERVIEW = (
    "I: Hvordan har frisættelsen ændret jeres hverdag?\n\n"
    "R: Vi har fået mere tillid. Men der er en kant, når noget går galt.\n\n"
    "I: Kan du give et eksempel?\n\n"
    "R: Vi er frie til at prøve nyt. Og fri for skemaerne.\n"
)
#: codings made by another coder, so the app's undo (per coder) never touches them
CODINGS = [(1, "tema.kant"), (2, "tema.kant"), (1, "spor.tillid"), (4, "tema.frihed")]


@pytest.fixture
def project_path(tmp_path) -> Path:
    path = tmp_path / "kodebog.frisat"
    project = create_project(path)
    load_into_project(project, default_codebook())
    src = tmp_path / "k1_leder.txt"
    src.write_text(INTERVIEW, encoding="utf-8")
    assert import_transcripts(project, [src]).ok
    doc = list_documents(project)[0]
    segments = segments_of(project, doc.id)
    for index, code_id in CODINGS:
        seg = segments[index]
        apply_code(project, doc.id, seg.start, seg.end, code_id, "anna")
    project.close()
    return path


def notes_hook(notes: list[Notify]):
    def hook(message) -> None:
        if isinstance(message, Notify):
            notes.append(message)

    return hook


def errors(notes: list[Notify]) -> list[str]:
    return [n.notification.message for n in notes if n.notification.severity == "error"]


async def open_codebook(pilot) -> CodebookTree:
    await pilot.press("c")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CodebookScreen)
    tree = pilot.app.screen.query_one(CodebookTree)
    assert tree.has_focus
    return tree


async def type_text(pilot, text: str) -> None:
    for char in text:
        await pilot.press("enter" if char == "\n" else char)


async def go_to(pilot, tree: CodebookTree, code_id: str) -> None:
    assert tree.select_code(code_id)
    await pilot.pause()
    assert tree.current_code_id == code_id


def label_of(tree: CodebookTree, code_id: str) -> str:
    stack = list(tree.root.children)
    while stack:
        node = stack.pop(0)
        if node.data == code_id:
            return str(node.label)
        stack.extend(node.children)
    raise AssertionError(f"{code_id} is not in the tree")


def detail(app, name: str) -> str:
    return str(app.screen.query_one(f"#detail-{name}").render())


def test_parse_split_lines():
    assert parse_split_lines("a.x: Første\n\n a.y :  Anden \n") == [
        ("a.x", "Første"),
        ("a.y", "Anden"),
    ]
    with pytest.raises(ValueError, match="Line 2"):
        parse_split_lines("a.x: Første\nbare tekst")
    with pytest.raises(ValueError, match="at least two"):
        parse_split_lines("a.x: Første")


async def test_tree_shows_codebook_in_order_with_counts_and_details(project_path):
    app = make_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = await open_codebook(pilot)
        assert len(tree.shown_ids) == 27
        folders = [str(n.data) for n in tree.root.children]
        assert folders == [
            "politiker",
            "forvaltning",
            "leder",
            "medarbejder",
            "borger",
            "spor",
            "tema",
        ]
        assert tree.shown_ids == [c.id for c in default_codebook().codes]
        assert label_of(tree, "tema.kant") == "■ Tillidens kant (2)  tema.kant"
        assert label_of(tree, "tema.frihed") == "■ Frihed til – frihed fra (1)  tema.frihed"
        assert label_of(tree, "tema.ledernetvaerk") == "■ Ledernetværk (0)  tema.ledernetvaerk"
        assert label_of(tree, "tema") == "■ Tema (3)  tema", "a folder counts its sub-codes"
        assert label_of(tree, "spor") == "■ Spor (1)  spor"
        # the swatch carries the code's colour
        node = tree._code_nodes["tema.kant"]
        assert node.label.spans[0].style.color.name == "#db3731"
        # details follow the cursor
        await go_to(pilot, tree, "tema.kant")
        assert "Tillidens kant" in detail(app, "title")
        meta = detail(app, "meta")
        assert "tema.kant" in meta and "tema  Tema" in meta and "#db3731" in meta
        assert "codings     2" in meta
        assert "tillid" in detail(app, "description").lower()
        assert app.screen.query_one("#detail-examples-box").display
        await pilot.press("down")
        await pilot.pause()
        assert "Frihed til" in detail(app, "title")
        status = str(app.screen.query_one("#codebook-status").render())
        assert "20 codes in 7 folders" in status and "coder researcher" in status
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CodebookScreen)


async def test_filter_narrows_to_matches_and_their_ancestors(project_path):
    app = make_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = await open_codebook(pilot)
        await pilot.press("slash")
        await pilot.pause()
        assert app.screen.query_one("#codebook-filter", Input).has_focus
        await type_text(pilot, "kant")
        await pilot.pause()
        assert tree.shown_ids == ["tema", "tema.kant"]
        assert tree.current_code_id == "tema.kant"
        assert "Tillidens kant" in detail(app, "title")
        # case-insensitive, Danish letters
        app.screen.query_one("#codebook-filter", Input).value = ""
        await pilot.pause()
        assert len(tree.shown_ids) == 27
        await type_text(pilot, "AMBASSADØR")
        await pilot.pause()
        assert tree.shown_ids == ["tema", "tema.ambassadoer"]
        # "Å" typed as A plus a combining ring matches the stored "å"
        app.screen.query_one("#codebook-filter", Input).value = "FORMA\u030aL"
        await pilot.pause()
        assert tree.matches == ["spor.maal"]
        # ids match too; a match keeps all its ancestors
        app.screen.query_one("#codebook-filter", Input).value = "forside"
        await pilot.pause()
        assert tree.matches == [
            "politiker.forside",
            "forvaltning.forside",
            "leder.forside",
            "medarbejder.forside",
            "borger.forside",
        ]
        assert len(tree.shown_ids) == 10
        app.screen.query_one("#codebook-filter", Input).value = "zzz"
        await pilot.pause()
        assert tree.shown_ids == [] and tree.current_code_id is None
        assert "No code matches" in detail(app, "title")
        app.screen.query_one("#codebook-filter", Input).value = ""
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert tree.has_focus and len(tree.shown_ids) == 27


async def test_add_code_through_the_form(project_path):
    app = make_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = await open_codebook(pilot)
        await go_to(pilot, tree, "tema.kant")
        await pilot.press("a")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        assert dialog.query_one("#field-parent", Input).value == "tema", (
            "the selected code's parent"
        )
        await type_text(pilot, "tema.graense")
        await pilot.press("tab")
        await type_text(pilot, "Grænser for tilliden")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        row = code_row(app.project, "tema.graense")
        assert row["label"] == "Grænser for tilliden" and row["parent"] == "tema"
        assert tree.current_code_id == "tema.graense"
        assert tree.shown_ids[-1] == "tema.graense"
        assert label_of(tree, "tema.graense") == "■ Grænser for tilliden (0)  tema.graense"
        assert "Grænser for tilliden" in detail(app, "title")
        # on a folder, the new code goes into the folder itself
        await go_to(pilot, tree, "spor")
        await pilot.press("a")
        await pilot.pause()
        assert app.screen.query_one("#field-parent", Input).value == "spor"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        assert len(code_rows(app.project)) == 28


async def test_edit_label_then_undo_and_redo(project_path):
    app = make_app(project_path, coder="karen")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = await open_codebook(pilot)
        await go_to(pilot, tree, "tema.kant")
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        assert isinstance(dialog.query_one("#field-description"), TextArea)
        assert dialog.query_one("#field-color", Input).value == "#db3731"
        dialog.query_one("#field-label", Input).value = ""
        await type_text(pilot, "Tillidens grænse")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        assert code_row(app.project, "tema.kant")["label"] == "Tillidens grænse"
        assert label_of(tree, "tema.kant").startswith("■ Tillidens grænse")
        assert "Tillidens grænse" in detail(app, "title")
        last = history(app.project, limit=1)[0]
        assert last.coder == "karen" and last.label == "rename code tema.kant"

        await pilot.press("ctrl+z")
        await pilot.pause()
        assert code_row(app.project, "tema.kant")["label"] == "Tillidens kant"
        assert label_of(tree, "tema.kant").startswith("■ Tillidens kant")
        assert tree.current_code_id == "tema.kant"
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert code_row(app.project, "tema.kant")["label"] == "Tillidens grænse"
        assert "Tillidens grænse" in detail(app, "title")


async def test_merge_moves_codings_after_confirmation_and_undoes(project_path):
    notes: list[Notify] = []
    app = make_app(project_path)
    async with app.run_test(size=SIZE, message_hook=notes_hook(notes)) as pilot:
        await pilot.pause()
        tree = await open_codebook(pilot)
        await go_to(pilot, tree, "tema.frihed")
        await pilot.press("M")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        await type_text(pilot, "tema.kant")
        await pilot.press("enter")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ConfirmDialog)
        message = str(confirm.query_one("#confirm-message").render())
        assert "1 coding will move from tema.frihed to tema.kant" in message
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        assert len(query_codings(app.project, code="tema.kant")) == 3
        assert query_codings(app.project, code="tema.frihed") == []
        assert "tema.frihed" not in tree.shown_ids, "the merged code is retired"
        assert tree.current_code_id == "tema.kant"
        assert "(3)" in label_of(tree, "tema.kant")
        assert any("1 coding moved" in n.notification.message for n in notes)

        await pilot.press("ctrl+z")
        await pilot.pause()
        assert len(query_codings(app.project, code="tema.kant")) == 2
        assert len(query_codings(app.project, code="tema.frihed")) == 1
        assert "(1)" in label_of(tree, "tema.frihed")
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert len(query_codings(app.project, code="tema.kant")) == 3
        assert "tema.frihed" not in tree.shown_ids
        assert errors(notes) == []


async def test_merge_cancelled_at_confirmation_changes_nothing(project_path):
    app = make_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = await open_codebook(pilot)
        await go_to(pilot, tree, "tema.frihed")
        await pilot.press("M")
        await pilot.pause()
        await type_text(pilot, "tema.kant")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        assert len(query_codings(app.project, code="tema.frihed")) == 1
        assert history(app.project, kind="codebook", limit=1)[0].label.startswith("load codebook")


async def test_retire_keeps_codings_and_restore_brings_it_back(project_path):
    app = make_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = await open_codebook(pilot)
        await go_to(pilot, tree, "tema.kant")
        await pilot.press("r")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ConfirmDialog)
        assert "2 codings are kept" in str(confirm.query_one("#confirm-message").render())
        await pilot.press("y")
        await pilot.pause()
        assert code_row(app.project, "tema.kant")["retired"] == 1
        assert len(query_codings(app.project, code="tema.kant")) == 2
        assert "tema.kant" not in tree.shown_ids and len(tree.shown_ids) == 26
        assert tree.current_code_id == "tema", "the cursor falls back to the parent"
        assert "1 retired (hidden)" in str(app.screen.query_one("#codebook-status").render())

        await pilot.press("h")
        await pilot.pause()
        assert tree.show_retired and "tema.kant" in tree.shown_ids
        assert label_of(tree, "tema.kant") == "■ Tillidens kant (2) (retired)  tema.kant"
        await go_to(pilot, tree, "tema.kant")
        assert "(retired)" in detail(app, "title")
        await pilot.press("r")  # restoring needs no confirmation
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        assert code_row(app.project, "tema.kant")["retired"] == 0
        assert "(retired)" not in label_of(tree, "tema.kant")
        await pilot.press("h")
        await pilot.pause()
        assert not tree.show_retired and len(tree.shown_ids) == 27
        assert tree.current_code_id == "tema.kant"


async def test_move_validates_the_parent_and_moves(project_path):
    notes: list[Notify] = []
    app = make_app(project_path)
    async with app.run_test(size=SIZE, message_hook=notes_hook(notes)) as pilot:
        await pilot.pause()
        tree = await open_codebook(pilot)
        await go_to(pilot, tree, "tema.kant")
        await pilot.press("m")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        field = dialog.query_one("#field-parent", Input)
        assert field.value == "tema"
        field.value = ""
        await type_text(pilot, "nowhere")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog, "an unknown parent keeps the dialog open"
        assert "no code 'nowhere'" in str(dialog.query_one("#form-error").render())
        field.value = "spor"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        assert code_row(app.project, "tema.kant")["parent"] == "spor"
        assert tree.current_code_id == "tema.kant"
        assert tree._code_nodes["tema.kant"].parent.data == "spor"
        assert "(3)" in label_of(tree, "spor") and "(1)" in label_of(tree, "tema")
        # the core refuses a cycle: an error notification, nothing changed
        await go_to(pilot, tree, "spor")
        await pilot.press("m")
        await pilot.pause()
        app.screen.query_one("#field-parent", Input).value = "tema.kant"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        assert any("descendant" in e for e in errors(notes))
        assert code_row(app.project, "spor")["parent"] is None


async def test_split_adds_new_codes_beside_the_old_one(project_path):
    app = make_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = await open_codebook(pilot)
        await go_to(pilot, tree, "tema.kant")
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        await type_text(pilot, "tema.kant_fejl: Fejl og sager")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        assert "at least two" in str(dialog.query_one("#form-error").render())
        await type_text(pilot, "\ntema.kant_medier: Medierne")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        assert tree.shown_ids[-2:] == ["tema.kant_fejl", "tema.kant_medier"]
        assert code_row(app.project, "tema.kant_medier")["parent"] == "tema"
        assert len(query_codings(app.project, code="tema.kant")) == 2, "codings stay until recoded"
        assert "split into" in detail(app, "meta")


async def test_errors_are_notified_and_change_nothing(project_path):
    notes: list[Notify] = []
    app = make_app(project_path)
    async with app.run_test(size=SIZE, message_hook=notes_hook(notes)) as pilot:
        await pilot.pause()
        tree = await open_codebook(pilot)
        before = code_rows(app.project)
        journal = history(app.project)
        await go_to(pilot, tree, "tema.kant")
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, "tema.frihed")
        app.screen.query_one("#field-label", Input).value = "Dublet"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        assert errors(notes) == ["code 'tema.frihed' exists already"]
        # a bad colour in the edit form
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#field-color", Input).value = "rødlig"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        assert len(errors(notes)) == 2
        # merging a folder that has sub-codes
        await go_to(pilot, tree, "tema")
        await pilot.press("M")
        await pilot.pause()
        app.screen.query_one("#field-target", Input).value = "spor.tillid"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert len(errors(notes)) == 3 and "sub-codes" in errors(notes)[-1]
        assert code_rows(app.project) == before
        assert history(app.project) == journal
        assert len(tree.shown_ids) == 27
        # nothing of the app's coder to undo: a warning, not an error
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert len(errors(notes)) == 3
        assert notes[-1].notification.message == "Nothing to undo."
        assert len(query_codings(app.project)) == len(CODINGS), "another coder's work untouched"


async def test_small_terminal_composes_screen_and_dialogs(project_path):
    app = make_app(project_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        tree = await open_codebook(pilot)
        assert tree.size.height > 5 and tree.size.width >= 30
        details = app.screen.query_one("#code-details")
        assert details.size.width > 20
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        box = app.screen.query_one("#form-box")
        assert box.size.height <= 24
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)


async def test_help_lists_codebook_keys_and_c_is_ignored_on_the_screen(project_path):
    app = make_app(project_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_codebook(pilot)
        await pilot.press("c")
        await pilot.pause()
        assert len([s for s in app.screen_stack if isinstance(s, CodebookScreen)]) == 1
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#help-table")
        rows = [tuple(map(str, table.get_row_at(i))) for i in range(table.row_count)]
        codebook = {action for where, _key, action in rows if where == "Codebook"}
        assert {
            "Add",
            "Edit",
            "Move",
            "Merge",
            "Split",
            "Retire/restore",
            "Undo",
            "Redo",
        } <= codebook
        assert ("Everywhere", "c", "Codebook") in rows
