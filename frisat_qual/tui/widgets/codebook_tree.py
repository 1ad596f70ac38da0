"""CodebookTree: the project's codebook as a tree, with colour swatches and coding counts.

Folders and codes appear in codebook order under their parents. A code shows how many
codings it has; a folder (a code that cannot be applied) shows the total of its sub-codes.
Retired codes are hidden unless `show_retired` is set, and then shown dim. `filter(text)`
narrows the tree to codes whose label or id contains the text, with their ancestors, so a
match is always seen in its place in the hierarchy.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from rich.color import ColorParseError
from rich.style import Style
from rich.text import Text
from textual.message import Message
from textual.reactive import var
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from frisat_qual.models import CodeSpec
from frisat_qual.store import Project
from frisat_qual.store.codes import code_rows, row_to_spec
from frisat_qual.store.codings import coding_counts


@dataclass(frozen=True)
class CodeEntry:
    """One code of the codebook as the tree shows it."""

    spec: CodeSpec
    retired: bool
    count: int


def fold(text: str) -> str:
    """Text for case-insensitive matching. NFC first, so an "å" typed as "a" plus a combining
    ring (as some keyboards and macOS file names give it) matches the stored "å"."""
    return unicodedata.normalize("NFC", text).casefold()


def swatch_style(color: str) -> Style:
    try:
        return Style(color=color)
    except ColorParseError:  # a colour the core never accepts, but never crash the tree on it
        return Style()


class CodebookTree(Tree[str]):
    """Posts `CodeHighlighted` as the cursor moves and `CodeChosen` on enter or click (for
    screens that let the researcher pick a code; the codebook screen edits with `e` instead,
    so that clicking around to read definitions never opens a form)."""

    class CodeHighlighted(Message):
        def __init__(self, code_id: str) -> None:
            super().__init__()
            self.code_id = code_id

    class CodeChosen(Message):
        def __init__(self, code_id: str) -> None:
            super().__init__()
            self.code_id = code_id

    show_retired: var[bool] = var(False, init=False)
    """Show retired codes (dim, marked "(retired)")."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Codebook", id=id)
        self.show_root = False
        self.guide_depth = 3
        self.entries: dict[str, CodeEntry] = {}
        self.filter_text = ""
        self._code_children: dict[str | None, list[str]] = {}
        self._code_nodes: dict[str, TreeNode[str]] = {}
        self._code_matches: list[str] = []
        self._order: dict[str, int] = {}
        self._totals: dict[str, int] = {}

    # -- data ------------------------------------------------------------------------------

    def refresh_codes(self, project: Project, *, select: str | None = None) -> None:
        """Reload the codebook and counts from the project; the cursor stays on the same
        code (or goes to `select`), else on its nearest shown ancestor."""
        keep = select or self.current_code_id
        counts = coding_counts(project)
        self.entries = {}
        for row in code_rows(project, include_retired=True):
            spec = row_to_spec(row)
            self.entries[spec.id] = CodeEntry(spec, bool(row["retired"]), counts.get(spec.id, 0))
        self._order = {code_id: i for i, code_id in enumerate(self.entries)}
        self._code_children = {}
        for code_id, entry in self.entries.items():
            parent = entry.spec.parent if entry.spec.parent in self.entries else None
            self._code_children.setdefault(parent, []).append(code_id)
        self._totals = {}
        for code_id in self.entries:
            self._add_total(code_id, set())
        self._rebuild(keep)

    def _add_total(self, code_id: str, seen: set[str]) -> int:
        if code_id not in self._totals:
            seen.add(code_id)
            kids = [k for k in self._code_children.get(code_id, []) if k not in seen]
            own = self.entries[code_id].count
            self._totals[code_id] = own + sum(self._add_total(k, seen) for k in kids)
        return self._totals[code_id]

    def filter(self, text: str) -> None:
        """Keep only codes whose label or id contains `text` (any case), plus their ancestors."""
        self.filter_text = text
        self._rebuild(self.current_code_id, prefer_match=True)

    def watch_show_retired(self) -> None:
        self._rebuild(self.current_code_id)

    def entry(self, code_id: str | None) -> CodeEntry | None:
        return self.entries.get(code_id) if code_id else None

    def total(self, code_id: str) -> int:
        """Codings of a code and all its sub-codes (retired ones too: their codings are kept)."""
        return self._totals.get(code_id, 0)

    @property
    def current_code_id(self) -> str | None:
        node = self.cursor_node
        if node is None or self.cursor_line < 0:
            return None
        return node.data if node.data in self._code_nodes else None

    @property
    def shown_ids(self) -> list[str]:
        """The ids on display, in display order."""
        return list(self._code_nodes)

    @property
    def matches(self) -> list[str]:
        """With a filter: the ids that match it (not their ancestors)."""
        return list(self._code_matches)

    def select_code(self, code_id: str) -> bool:
        """Move the cursor to a code; False when it is not on display."""
        node = self._code_nodes.get(code_id)
        if node is None:
            return False
        self.move_cursor(node)
        return True

    def update_counts(self, counts: dict[str, int]) -> None:
        """New coding counts, relabelling only the nodes whose figure changed (cheap
        enough to run after every keypress that codes)."""
        changed = [cid for cid, e in self.entries.items() if counts.get(cid, 0) != e.count]
        if not changed:
            return
        for cid in changed:
            entry = self.entries[cid]
            self.entries[cid] = CodeEntry(entry.spec, entry.retired, counts.get(cid, 0))
        touched = set(changed)
        for cid in changed:
            touched.update(self._ancestors(cid))
        for cid in touched:
            self._totals.pop(cid, None)
        for cid in touched:
            self._add_total(cid, set())
        for cid in touched:
            node = self._code_nodes.get(cid)
            if node is not None:
                node.set_label(self._label(self.entries[cid]))

    # -- building --------------------------------------------------------------------------

    def _shown(self) -> set[str]:
        shown = {cid for cid, e in self.entries.items() if self.show_retired or not e.retired}
        needle = fold(self.filter_text.strip())
        self._code_matches = []
        if not needle:
            return shown
        self._code_matches = [
            cid
            for cid in self.entries
            if cid in shown
            and (needle in fold(self.entries[cid].spec.label) or needle in fold(cid))
        ]
        keep: set[str] = set()
        for cid in self._code_matches:
            keep.add(cid)
            keep.update(a for a in self._ancestors(cid) if a in shown)
        return keep

    def _ancestors(self, code_id: str) -> list[str]:
        out: list[str] = []
        parent = self.entries[code_id].spec.parent
        while parent in self.entries and parent not in out and parent != code_id:
            out.append(parent)
            parent = self.entries[parent].spec.parent
        return out

    def _label(self, entry: CodeEntry) -> Text:
        spec = entry.spec
        count = entry.count if spec.codable else self.total(spec.id)
        # the id comes last: in a narrow pane it is the part to lose
        text = Text.assemble(
            ("■ ", swatch_style(spec.color)),
            (spec.label, "" if spec.codable else "bold"),
            " ",
            (f"({count})", "" if count else "dim"),
        )
        if entry.retired:
            text.append(" (retired)", "italic")
            text.stylize("dim", 2)
        text.append(f"  {spec.id}", "dim")
        return text

    def _rebuild(self, keep: str | None, *, prefer_match: bool = False) -> None:
        shown = self._shown()
        self.clear()
        self._code_nodes = {}

        def add(parent: TreeNode[str], code_id: str) -> None:
            # a hidden (retired) code's shown sub-codes move up to its nearest shown ancestor
            kids = self._shown_children(code_id, shown)
            label = self._label(self.entries[code_id])
            if kids:
                node = parent.add(label, data=code_id, expand=True)
            else:
                node = parent.add_leaf(label, data=code_id)
            self._code_nodes[code_id] = node
            for kid in kids:
                add(node, kid)

        for code_id in self._shown_children(None, shown):
            add(self.root, code_id)
        self._place_cursor(keep, prefer_match=prefer_match)

    def _shown_children(self, code_id: str | None, shown: set[str]) -> list[str]:
        out: list[str] = []
        for child in self._code_children.get(code_id, []):
            if child in shown:
                out.append(child)
            else:
                out.extend(self._shown_children(child, shown))
        return sorted(out, key=self._order.__getitem__)

    def _place_cursor(self, keep: str | None, *, prefer_match: bool) -> None:
        node = self._code_nodes.get(keep) if keep else None
        if node is None and prefer_match and self._code_matches:
            node = self._code_nodes.get(self._code_matches[0])
        if node is None and keep in self.entries:
            shown = [a for a in self._ancestors(keep) if a in self._code_nodes]
            node = self._code_nodes[shown[0]] if shown else None
        if node is None and self._code_nodes:
            node = next(iter(self._code_nodes.values()))
        # New nodes learn their line numbers when the tree lays out its lines; do that now
        # so the cursor lands on the right line rather than on line 0.
        _ = self.last_line
        self.move_cursor(node)

    # -- events ----------------------------------------------------------------------------

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.CodeHighlighted(event.node.data))

    def on_tree_node_selected(self, event: Tree.NodeSelected[str]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.CodeChosen(event.node.data))
