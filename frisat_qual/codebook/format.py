"""The YAML codebook format: load, validate (with file and line for every problem), dump.

A codebook file has a `codebook:` header and a flat `codes:` list; the hierarchy is given by
each code's `parent`. See README "Codebook format". Validation collects every problem
before it fails, so a researcher fixes a file in one pass.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from frisat_qual.errors import CodebookError
from frisat_qual.models import DEFAULT_COLOR, Codebook, CodeSpec, Keyword

SPOR = ("regler", "maal", "dokumentation", "tillid", "eksperiment")
ID_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
COLOR_RE = re.compile(r"^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
CODE_FIELDS = {
    "id",
    "label",
    "parent",
    "description",
    "include",
    "exclude",
    "examples",
    "keywords",
    "color",
    "survey_spor",
    "attributes",
    "codable",
}
KEYWORD_FIELDS = {"phrase", "context", "negation"}


class _Problems:
    def __init__(self, source: str):
        self.source = source
        self.lines: list[str] = []

    def add(self, line: int, message: str, code: str | None = None) -> None:
        where = f"{self.source}:{line}" if line else self.source
        self.lines.append(f"{where}: {f'code {code!r}: ' if code else ''}{message}")


def _node_value(node: yaml.Node) -> Any:
    return yaml.SafeLoader(yaml.serialize(node)).get_single_data() if node is not None else None


def _mapping(node: yaml.Node) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    return {k.value: (k, v) for k, v in node.value} if isinstance(node, yaml.MappingNode) else {}


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _keywords(value: Any, line: int, code_id: str, problems: _Problems) -> tuple[Keyword, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.add(line, "keywords must be a list", code_id)
        return ()
    out = []
    for item in value:
        if isinstance(item, str) and item.strip():
            out.append(Keyword(" ".join(item.lower().split())))
        elif isinstance(item, dict):
            unknown = set(item) - KEYWORD_FIELDS
            phrase = _text(item.get("phrase"))
            context = item.get("context") or []
            if unknown:
                problems.add(
                    line, f"keyword has unknown field(s) {', '.join(sorted(unknown))}", code_id
                )
            if not phrase:
                problems.add(line, "keyword without a phrase", code_id)
                continue
            if not isinstance(context, list) or not all(isinstance(c, str) for c in context):
                problems.add(line, f"keyword {phrase!r}: context must be a list of words", code_id)
                context = []
            if not isinstance(item.get("negation", False), bool):
                problems.add(line, f"keyword {phrase!r}: negation must be true or false", code_id)
            out.append(
                Keyword(
                    " ".join(phrase.lower().split()),
                    tuple(c.lower().strip() for c in context if c.strip()),
                    item.get("negation") is True,
                )
            )
        else:
            problems.add(
                line, f"keyword {item!r} is neither text nor a phrase/context/negation map", code_id
            )
    return tuple(out)


def parse_codebook(text: str, source: str = "<codebook>") -> Codebook:
    """Parse and validate codebook YAML; raise CodebookError listing every problem."""
    problems = _Problems(source)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        problems.add(line, f"not valid YAML ({getattr(exc, 'problem', exc)})")
        raise CodebookError("\n".join(problems.lines)) from None
    top = _mapping(root)
    if not top:
        problems.add(1, "expected a mapping with 'codebook' and 'codes'")
        raise CodebookError("\n".join(problems.lines))
    header_node = top.get("codebook", (None, None))[1]
    header = _node_value(header_node) if header_node is not None else {}
    if not isinstance(header, dict):
        problems.add(header_node.start_mark.line + 1, "'codebook' must be a mapping")
        header = {}
    cb_id = _text(header.get("id"))
    if header_node is None:
        problems.add(1, "missing 'codebook:' header (id and name)")
    elif not cb_id or not re.match(r"^[a-z0-9_]+$", cb_id):
        problems.add(
            header_node.start_mark.line + 1,
            f"codebook id {cb_id!r} must be lower-case letters, digits or _",
        )
    codes_node = top.get("codes", (None, None))[1]
    if not isinstance(codes_node, yaml.SequenceNode) or not codes_node.value:
        line = codes_node.start_mark.line + 1 if codes_node is not None else 1
        problems.add(line, "'codes' must be a non-empty list")
        raise CodebookError("\n".join(problems.lines))

    codes: list[CodeSpec] = []
    first_line: dict[str, int] = {}
    for node in codes_node.value:
        line = node.start_mark.line + 1
        fields = _mapping(node)
        if not fields:
            problems.add(line, "each code must be a mapping with at least id and label")
            continue
        data = {k: _node_value(v) for k, (_, v) in fields.items()}
        line_of = {k: kn.start_mark.line + 1 for k, (kn, _) in fields.items()}
        code_id = _text(data.get("id"))
        if not code_id:
            problems.add(line, "code without an id")
            continue
        if not ID_RE.match(code_id):
            problems.add(
                line, "id must be lower-case words joined by '.' (e.g. spor.regler)", code_id
            )
        if code_id in first_line:
            problems.add(
                line, f"duplicate id (first defined on line {first_line[code_id]})", code_id
            )
        else:
            first_line[code_id] = line
        for unknown in sorted(set(data) - CODE_FIELDS):
            problems.add(line_of[unknown], f"unknown field {unknown!r}", code_id)
        label = _text(data.get("label"))
        if not label:
            problems.add(line_of.get("label", line), "empty label", code_id)
        color = _text(data.get("color")) or DEFAULT_COLOR
        if not COLOR_RE.match(color):
            problems.add(line_of.get("color", line), f"bad colour {color!r} (use #RRGGBB)", code_id)
        if len(color) == 4 and COLOR_RE.match(color):
            color = "#" + "".join(ch * 2 for ch in color[1:])
        spor = _text(data.get("survey_spor")) or None
        if spor is not None and spor not in SPOR:
            problems.add(
                line_of["survey_spor"],
                f"unknown survey_spor {spor!r} (one of {', '.join(SPOR)})",
                code_id,
            )
        examples = data.get("examples") or []
        if isinstance(examples, str):
            examples = [examples]
        if not isinstance(examples, list):
            problems.add(line_of["examples"], "examples must be a list of passages", code_id)
            examples = []
        attributes = data.get("attributes") or {}
        if not isinstance(attributes, dict):
            problems.add(line_of["attributes"], "attributes must be a mapping", code_id)
            attributes = {}
        codable = data.get("codable", True)
        if not isinstance(codable, bool):
            problems.add(line_of["codable"], "codable must be true or false", code_id)
            codable = True
        codes.append(
            CodeSpec(
                id=code_id,
                label=label,
                parent=_text(data.get("parent")) or None,
                description=_text(data.get("description")),
                include=_text(data.get("include")),
                exclude=_text(data.get("exclude")),
                examples=tuple(_text(e) for e in examples if _text(e)),
                keywords=_keywords(
                    data.get("keywords"), line_of.get("keywords", line), code_id, problems
                ),
                color=color.lower(),
                survey_spor=spor,
                attributes=attributes,
                codable=codable,
                line=line,
            )
        )
    ids = {c.id for c in codes}
    for code in codes:
        if code.parent and code.parent not in ids:
            problems.add(code.line, f"unknown parent {code.parent!r}", code.id)
        elif code.parent == code.id:
            problems.add(code.line, "a code cannot be its own parent", code.id)
    parents = {c.id: c.parent for c in codes}
    for code in codes:
        seen, cur = set(), code.id
        while cur in parents and parents[cur]:
            if cur in seen:
                problems.add(code.line, "parents form a cycle", code.id)
                break
            seen.add(cur)
            cur = parents[cur]
    if problems.lines:
        raise CodebookError("\n".join(problems.lines))
    return Codebook(
        id=cb_id,
        name=_text(header.get("name")) or cb_id,
        codes=tuple(codes),
        version=_text(header.get("version")) or "1",
        language=_text(header.get("language")) or "da",
        description=_text(header.get("description")),
        source=source,
    )


def load_codebook(path: str | Path) -> Codebook:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CodebookError(f"{path}: cannot read ({exc})") from None
    return parse_codebook(text, source=path.name)


def dump_codebook(codebook: Codebook) -> str:
    """The codebook as YAML in the format `parse_codebook` reads."""
    header: dict[str, Any] = {
        "id": codebook.id,
        "name": codebook.name,
        "version": codebook.version,
        "language": codebook.language,
    }
    if codebook.description:
        header["description"] = codebook.description
    data = {"codebook": header, "codes": [c.to_dict() for c in codebook.codes]}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
