"""REFI-QDA codebook exchange (.qdc, QDA-XML codebook 1.0) with NVivo, ATLAS.ti, MAXQDA, QualCoder.

Export: codes nest as in the hierarchy; folders are `isCodable="false"`; each code's GUID is
a UUID5 of the codebook and code id, so the same code gets the same GUID in every export.
The definition fields REFI has no place for (include, exclude, examples, keywords,
survey_spor, attributes) are written into `Description` under Danish headings, so coders in
other tools see the rules too, and a trailing "frisat-qual id:" line carries the id back.

Import: reads any .qdc; descriptions written by us are split back into their fields; codes
from other tools get ids made from their names along the hierarchy (unique, stable).

The `<Code>` tree is the same in a .qdpx project's CodeBook, so `add_code_tree` and
`parse_code_tree` are shared with `frisat_qual.exchange.qdpx_export` and `qdpx_import`.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from frisat_qual.errors import CodebookError
from frisat_qual.models import DEFAULT_COLOR, Codebook, CodeSpec, Keyword

NS = "urn:QDA-XML:codebook:1.0"
_GUID_NS = uuid.UUID("6f1c1f47-5d0e-4a53-9a57-3f1b2c6f0a11")
_HEADINGS = {
    "Medtag:": "include",
    "Udelad:": "exclude",
    "Eksempler:": "examples",
    "Nøgleord:": "keywords",
    "Spor:": "survey_spor",
    "Attributter:": "attributes",
    "frisat-qual id:": "id",
}
_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


def code_guid(codebook_id: str, code_id: str) -> str:
    return str(uuid.uuid5(_GUID_NS, f"{codebook_id}:{code_id}"))


def _keyword_text(k: Keyword) -> str:
    text = k.phrase
    if k.context:
        text += f" {{kontekst: {', '.join(k.context)}}}"
    if k.negation:
        text += " {negation}"
    return text


def _parse_keyword(text: str) -> Keyword:
    context: tuple[str, ...] = ()
    if m := re.search(r"\{kontekst:([^}]*)\}", text):
        context = tuple(c.strip() for c in m.group(1).split(",") if c.strip())
    negation = "{negation}" in text
    phrase = re.sub(r"\{[^}]*\}", "", text).strip()
    return Keyword(phrase, context, negation)


def describe(code: CodeSpec) -> str:
    """The Description text of a code: definition, then the rules under headings."""
    parts = [code.description] if code.description else []
    if code.include:
        parts.append(f"Medtag: {code.include}")
    if code.exclude:
        parts.append(f"Udelad: {code.exclude}")
    if code.examples:
        parts.append("Eksempler:\n" + "\n".join(f"- {e}" for e in code.examples))
    if code.keywords:
        parts.append("Nøgleord: " + "; ".join(_keyword_text(k) for k in code.keywords))
    if code.survey_spor:
        parts.append(f"Spor: {code.survey_spor}")
    if code.attributes:
        parts.append("Attributter: " + json.dumps(code.attributes, ensure_ascii=False))
    parts.append(f"frisat-qual id: {code.id}")
    return "\n\n".join(parts)


def add_code_tree(
    parent: ET.Element,
    codebook_id: str,
    codes: Sequence[CodeSpec],
    *,
    ns: str = NS,
    note_refs: Callable[[CodeSpec], Sequence[str]] | None = None,
) -> None:
    """Append `codes` to `parent` as nested `<Code>` elements in namespace `ns`.

    Shared by the .qdc codebook and the .qdpx project (whose Code may also carry `NoteRef`s,
    given by `note_refs(code)` as note GUIDs, between its Description and its children).
    A code whose parent is not among `codes` is placed at the top.
    """
    known = {c.id for c in codes}
    children: dict[str | None, list[CodeSpec]] = {}
    for code in codes:
        children.setdefault(code.parent if code.parent in known else None, []).append(code)

    def add(parent_el: ET.Element, code: CodeSpec) -> None:
        el = ET.SubElement(
            parent_el,
            f"{{{ns}}}Code",
            {
                "guid": code_guid(codebook_id, code.id),
                "name": code.label,
                "isCodable": "true" if code.codable else "false",
                "color": code.color.upper(),
            },
        )
        ET.SubElement(el, f"{{{ns}}}Description").text = describe(code)
        for note in note_refs(code) if note_refs else ():
            ET.SubElement(el, f"{{{ns}}}NoteRef", {"targetGUID": note})
        for child in children.get(code.id, []):
            add(el, child)

    for top in children.get(None, []):
        add(parent, top)


def export_qdc(codebook: Codebook) -> bytes:
    """The codebook as a .qdc document (UTF-8, no BOM)."""
    ET.register_namespace("", NS)
    # `origin` names the producing tool; ours also carries the codebook's id and name back
    origin = f"frisat-qual | {codebook.id} | {codebook.name}"
    root = ET.Element(f"{{{NS}}}CodeBook", {"origin": origin})
    codes_el = ET.SubElement(root, f"{{{NS}}}Codes")
    add_code_tree(codes_el, codebook.id, codebook.codes)
    sets = [
        (name, [c for c in codebook.codes if c.attributes.get("side") == side])
        for name, side in (
            ("Forside (styring nedad)", "forside"),
            ("Bagside (feedback opad)", "bagside"),
        )
    ]
    sets = [(n, members) for n, members in sets if members]
    if sets:
        sets_el = ET.SubElement(root, f"{{{NS}}}Sets")
        for name, members in sets:
            set_el = ET.SubElement(
                sets_el,
                f"{{{NS}}}Set",
                {"guid": str(uuid.uuid5(_GUID_NS, f"{codebook.id}:set:{name}")), "name": name},
            )
            for member in members:
                ET.SubElement(
                    set_el, f"{{{NS}}}MemberCode", {"guid": code_guid(codebook.id, member.id)}
                )
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")


def _split_description(text: str) -> dict[str, object]:
    fields: dict[str, object] = {}
    free: list[str] = []
    # blocks are split at blank lines; the free text keeps the separators it had (a
    # description written with Windows line endings keeps them)
    parts = re.split(r"(\r?\n\s*\n)", text.strip()) if text.strip() else []
    separators = ["", *parts[1::2]] if parts else []
    for block, before in zip(parts[::2], separators, strict=True):
        for heading, key in _HEADINGS.items():
            if block.startswith(heading):
                value = block[len(heading) :].strip()
                if key == "examples":
                    fields[key] = tuple(
                        line[2:].strip() if line.startswith("- ") else line.strip()
                        for line in value.splitlines()
                        if line.strip()
                    )
                elif key == "keywords":
                    fields[key] = tuple(_parse_keyword(k) for k in value.split(";") if k.strip())
                elif key == "attributes":
                    try:
                        fields[key] = json.loads(value)
                    except json.JSONDecodeError:
                        free.append((before or "\n\n") + block if free else block)
                else:
                    fields[key] = value
                break
        else:
            free.append((before or "\n\n") + block if free else block)
    fields["description"] = "".join(free)
    return fields


def slug(text: str) -> str:
    """An id-safe form of a name: lower case ASCII, æøå spelt out, words joined by _."""
    text = unicodedata.normalize(
        "NFKD", text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    )
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    slug = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    if not slug or not slug[0].isalpha():
        slug = "kode_" + slug
    return slug


def normalise_color(value: str | None) -> str | None:
    """A REFI colour (`#RRGGBB` or `#RGB`) as lower-case `#rrggbb`; None when invalid
    (some tools write rgb() or 8-digit colours with alpha)."""
    color = (value or "").strip()
    if not _COLOR.match(color):
        return None
    if len(color) == 4:
        color = "#" + "".join(ch * 2 for ch in color[1:])
    return color.lower()


def parse_code_tree(codes_el: Any, *, ns: str = NS) -> list[tuple[Any, CodeSpec]]:
    """The `<Code>` elements under `codes_el` (ElementTree or lxml), each with its CodeSpec,
    parents before children.

    Descriptions written by us are split back into their fields and keep their ids; codes
    from other tools get ids made from their names along the hierarchy (unique, stable).
    Shared by the .qdc codebook and the .qdpx project import.
    """
    out: list[tuple[Any, CodeSpec]] = []
    used: set[str] = set()

    def walk(el: Any, parent: CodeSpec | None) -> None:
        name = (el.get("name") or "").strip()
        desc_el = el.find(f"{{{ns}}}Description")
        fields = _split_description(desc_el.text or "" if desc_el is not None else "")
        code_id = str(fields.pop("id", "") or "")
        if not code_id:
            base = slug(name or "kode")
            code_id = f"{parent.id}.{base}" if parent else base
        unique, n = code_id, 2
        while unique in used:
            unique, n = f"{code_id}_{n}", n + 1
        used.add(unique)
        code = CodeSpec(
            id=unique,
            label=name or unique,
            parent=parent.id if parent else None,
            description=str(fields.get("description", "")),
            include=str(fields.get("include", "")),
            exclude=str(fields.get("exclude", "")),
            examples=tuple(fields.get("examples", ())),
            keywords=tuple(fields.get("keywords", ())),
            color=normalise_color(el.get("color")) or DEFAULT_COLOR,
            survey_spor=str(fields["survey_spor"]) if fields.get("survey_spor") else None,
            attributes=dict(fields.get("attributes", {})),
            codable=(el.get("isCodable", "true").strip().lower() in ("true", "1")),
        )
        out.append((el, code))
        for child in el.findall(f"{{{ns}}}Code"):
            walk(child, code)

    for top in codes_el.findall(f"{{{ns}}}Code"):
        walk(top, None)
    return out


def parse_qdc(data: bytes, source: str = "<qdc>") -> Codebook:
    """Read a .qdc codebook from any REFI-QDA tool."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise CodebookError(f"{source}: not valid XML ({exc})") from None
    if root.tag != f"{{{NS}}}CodeBook":
        raise CodebookError(
            f"{source}: not a REFI-QDA codebook (root {root.tag!r}, expected CodeBook in {NS})"
        )
    codes_el = root.find(f"{{{NS}}}Codes")
    if codes_el is None or not len(codes_el):
        raise CodebookError(f"{source}: the codebook has no codes")
    codes = [code for _, code in parse_code_tree(codes_el)]
    cb_id, cb_name = slug(Path(source).stem) or "refi", Path(source).stem
    origin = [p.strip() for p in (root.get("origin") or "").split("|")]
    if len(origin) == 3 and origin[0] == "frisat-qual" and re.match(r"^[a-z0-9_]+$", origin[1]):
        cb_id, cb_name = origin[1], origin[2]
    return Codebook(id=cb_id, name=cb_name, codes=tuple(codes), source=source)


def load_qdc(path: str | Path) -> Codebook:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CodebookError(f"{path}: cannot read ({exc})") from None
    return parse_qdc(data, source=path.name)
