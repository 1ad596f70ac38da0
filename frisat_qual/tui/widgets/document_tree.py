"""DocumentTree: the project's documents grouped by kommune and rolle, with word counts.

Survey comments (documents of format "survey-comment", one per respondent and spor) have
a branch of their own after the interviews, by wave and respondent, so the interview tree
looks as it did before the project had a survey.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from frisat_qual.models import Document
from frisat_qual.survey import COMMENT_FORMAT, SPOR

_UNKNOWN = "(no value)"
SURVEY_BRANCH = "Survey comments"


def group_documents(
    items: list[tuple[Document, dict[str, str]]], keys: tuple[str, ...] = ("kommune", "rolle")
) -> dict[str, dict[str, list[Document]]]:
    """{kommune: {rolle: [documents]}} with natural ordering ("kommune 2" before "kommune 10")."""
    groups: dict[str, dict[str, list[Document]]] = {}
    for doc, attrs in items:
        outer = attrs.get(keys[0]) or _UNKNOWN
        inner = attrs.get(keys[1]) or _UNKNOWN
        groups.setdefault(outer, {}).setdefault(inner, []).append(doc)
    return {
        k: dict(sorted(v.items(), key=lambda kv: _natural(kv[0])))
        for k, v in sorted(groups.items(), key=lambda kv: _natural(kv[0]))
    }


def group_comments(
    items: list[tuple[Document, dict[str, str]]],
    refs: Mapping[int, tuple[str, str, str]] | None = None,
) -> dict[str, dict[str, list[tuple[str, Document]]]]:
    """{wave: {respondent_id: [(spor, document)]}} of survey comment documents.

    `refs` (document id -> (wave, respondent_id, spor), as `store.survey.
    comment_document_refs` gives them) sets the order: waves oldest first, respondents in
    the file's order; a comment missing from it goes by its case's respondent_id and the
    end of its name, under "(no value)". Within a respondent the spor come in SPOR order.
    """
    refs = refs or {}
    order = {doc_id: i for i, doc_id in enumerate(refs)}
    found = []
    for doc, attrs in items:
        if doc.id in refs:
            wave, respondent, spor = refs[doc.id]
        else:
            wave = _UNKNOWN
            respondent = attrs.get("respondent_id") or _UNKNOWN
            spor = doc.name.rpartition("-")[2]
        found.append((order.get(doc.id, len(order)), wave, respondent, spor, doc))
    found.sort(key=lambda f: (f[0] == len(order), f[0], _natural(f[2]), f[4].name))
    groups: dict[str, dict[str, list[tuple[str, Document]]]] = {}
    for _, wave, respondent, spor, doc in found:
        groups.setdefault(wave, {}).setdefault(respondent, []).append((spor, doc))
    rank = {s: i for i, s in enumerate(SPOR)}
    for respondents in groups.values():
        for comments in respondents.values():
            comments.sort(key=lambda c: (rank.get(c[0], len(rank)), c[1].name))
    return groups


def _natural(value: str) -> tuple:
    import re

    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", value.lower()))


class DocumentTree(Tree[int]):
    """Posts `DocumentTree.Opened` with a document id when a document is chosen."""

    class Opened(Message):
        def __init__(self, document_id: int) -> None:
            super().__init__()
            self.document_id = document_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Documents", id=id)
        self.show_root = False
        self.guide_depth = 2
        # document id -> (document, its leaf, the leaf's name before the word count)
        self._docs: dict[int, tuple[Document, TreeNode[int], str]] = {}

    def populate(
        self,
        items: list[tuple[Document, dict[str, str]]],
        progress: dict[int, tuple[int, int]] | None = None,
        comments: Mapping[int, tuple[str, str, str]] | None = None,
    ) -> None:
        """Fill the tree; `progress` maps a document to (coded segments, segments),
        `comments` a survey comment's document to (wave, respondent_id, spor)."""
        keep = self.cursor_node.data if self.cursor_node is not None else None
        self.clear()
        self._docs = {}
        progress = progress or {}
        interviews = [(d, a) for d, a in items if d.format != COMMENT_FORMAT]
        survey = [(d, a) for d, a in items if d.format == COMMENT_FORMAT]
        for outer, inner_groups in group_documents(interviews).items():
            count = sum(len(docs) for docs in inner_groups.values())
            branch = self.root.add(f"{outer} ({count})", expand=True)
            for inner, docs in inner_groups.items():
                if inner == _UNKNOWN and len(inner_groups) == 1:
                    node = branch
                else:
                    node = branch.add(inner, expand=True)
                for doc in docs:
                    self._add_leaf(node, doc, doc.name, progress.get(doc.id))
        if survey:
            branch = self.root.add(f"{SURVEY_BRANCH} ({len(survey)})", expand=True)
            for wave, respondents in group_comments(survey, comments).items():
                count = sum(len(c) for c in respondents.values())
                wave_node = branch.add(f"{wave} ({count})", expand=True)
                for respondent, found in respondents.items():
                    # collapsed: 33 leaders' comments would push the interviews away
                    node = wave_node.add(f"{respondent} ({len(found)})", expand=False)
                    for spor, doc in found:
                        self._add_leaf(node, doc, f"{respondent} · {spor}", progress.get(doc.id))
        if keep is not None:
            self.select_document(keep)

    def _add_leaf(
        self, node: TreeNode[int], doc: Document, name: str, progress: tuple[int, int] | None
    ) -> None:
        leaf = node.add_leaf(self._leaf_label(doc, progress, name), data=doc.id)
        self._docs[doc.id] = (doc, leaf, name)

    @staticmethod
    def _leaf_label(doc: Document, progress: tuple[int, int] | None, name: str = "") -> str:
        done, total = progress or (0, 0)
        share = f"  {100 * done // total:>3}%" if total else ""
        return f"{name or doc.name}  {doc.words:,} w{share}"

    def update_progress(self, document_id: int, progress: tuple[int, int]) -> None:
        """Relabel one document with its new coding progress."""
        if document_id in self._docs:
            doc, leaf, name = self._docs[document_id]
            leaf.set_label(self._leaf_label(doc, progress, name))

    def select_document(self, document_id: int) -> None:
        """Move the cursor to a document's node, opening the branches above it."""
        found = self._docs.get(document_id)
        if found is None:
            return
        node = found[1]
        parent = node.parent
        while parent is not None:
            if not parent.is_expanded:
                parent.expand()
            parent = parent.parent
        _ = self.last_line  # lay out fresh nodes first, else the cursor lands on line 0
        self.move_cursor(node)

    def on_tree_node_selected(self, event: Tree.NodeSelected[int]) -> None:
        if event.node.data is not None:
            event.stop()
            self.post_message(self.Opened(event.node.data))
