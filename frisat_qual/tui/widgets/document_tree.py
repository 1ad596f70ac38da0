"""DocumentTree: the project's documents grouped by kommune and rolle, with word counts."""

from __future__ import annotations

from textual.message import Message
from textual.widgets import Tree

from frisat_qual.models import Document

_UNKNOWN = "(no value)"


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
        self._docs: dict[int, tuple[Document, object]] = {}

    def populate(
        self,
        items: list[tuple[Document, dict[str, str]]],
        progress: dict[int, tuple[int, int]] | None = None,
    ) -> None:
        """Fill the tree; `progress` maps a document to (coded segments, segments)."""
        keep = self.cursor_node.data if self.cursor_node is not None else None
        self.clear()
        self._docs = {}
        for outer, inner_groups in group_documents(items).items():
            count = sum(len(docs) for docs in inner_groups.values())
            branch = self.root.add(f"{outer} ({count})", expand=True)
            for inner, docs in inner_groups.items():
                if inner == _UNKNOWN and len(inner_groups) == 1:
                    node = branch
                else:
                    node = branch.add(inner, expand=True)
                for doc in docs:
                    leaf = node.add_leaf(
                        self._leaf_label(doc, (progress or {}).get(doc.id)), data=doc.id
                    )
                    self._docs[doc.id] = (doc, leaf)
        if keep is not None:
            self.select_document(keep)

    @staticmethod
    def _leaf_label(doc: Document, progress: tuple[int, int] | None) -> str:
        done, total = progress or (0, 0)
        share = f"  {100 * done // total:>3}%" if total else ""
        return f"{doc.name}  {doc.words:,} w{share}"

    def update_progress(self, document_id: int, progress: tuple[int, int]) -> None:
        """Relabel one document with its new coding progress."""
        if document_id in self._docs:
            doc, leaf = self._docs[document_id]
            leaf.set_label(self._leaf_label(doc, progress))

    def select_document(self, document_id: int) -> None:
        """Move the cursor to a document's node."""
        stack = list(self.root.children)
        while stack:
            node = stack.pop(0)
            if node.data == document_id:
                _ = self.last_line  # lay out fresh nodes first, else the cursor lands on line 0
                self.move_cursor(node)
                return
            stack.extend(node.children)

    def on_tree_node_selected(self, event: Tree.NodeSelected[int]) -> None:
        if event.node.data is not None:
            event.stop()
            self.post_message(self.Opened(event.node.data))
