"""The `frisat-qual` command line: thin click commands over the core use cases.

Plain `frisat-qual` opens the TUI on the demo project, `frisat-qual PROJECT` on that
project. Core errors (FrisatError) become one-line click errors with exit code 1.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from frisat_qual import __version__
from frisat_qual.errors import FrisatError

#: Imports of more files than this show a progress bar.
PROGRESS_MIN_FILES = 3


class _OpenByDefault(click.Group):
    """A group whose first argument, when not a command, is a project to open."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and not args[0].startswith("-")):
            args = ["open", *args]
        return super().parse_args(ctx, args)


def _core_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except FrisatError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


@contextmanager
def _progress(label: str, enabled: bool) -> Iterator[Callable[[int, int, str], None] | None]:
    """A rich progress bar on stderr, as a core `progress(done, total, name)` callback."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[name]}"),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None, name="")

        def update(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, name=name)

        yield update


def _coder(name: str | None) -> str:
    from frisat_qual.resources import default_coder

    return name.strip() if name and name.strip() else default_coder()


def _open(path: str):
    from frisat_qual.store import open_project

    return open_project(path)


@click.group(cls=_OpenByDefault, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="frisat-qual")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """frisat-qual: code Danish interview transcripts on frisættelse.

    Run without arguments to open the demo project in the terminal UI, or give a project
    file to open it.
    """
    if ctx.invoked_subcommand != "open":
        # a killed command (kill, a closed terminal) cleans up its half-written files as
        # on an error; the TUI keeps Textual's own handling
        from frisat_qual.tempfiles import raise_on_termination

        raise_on_termination()


@cli.command("open")
@click.argument("project", required=False, type=click.Path(dir_okay=False))
@click.option("--home", is_flag=True, help="Start on the home screen (recent projects, import).")
@click.option("--coder", help="Code as NAME (default: your saved name; asked on first start).")
@_core_errors
def open_cmd(project: str | None, home: bool, coder: str | None) -> None:
    """Open PROJECT (default: the demo project) in the terminal UI."""
    if project is None and not home:
        from frisat_qual.demo import default_demo_path, ensure_demo_project

        fresh = not default_demo_path().exists()
        with _progress("Creating the demo project", fresh) as progress:
            project = str(ensure_demo_project(progress=progress))
    elif project is not None and not Path(project).exists():
        raise click.ClickException(
            f"{project}: no such project file (make one with `frisat-qual new`)"
        )
    from frisat_qual.tui.app import make_app

    make_app(Path(project) if project else None, coder=coder).run()


@cli.command()
@click.argument("project", type=click.Path(dir_okay=False))
@click.option(
    "--codebook",
    "codebook_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Codebook (.yaml or .qdc) to start with (default: styringstrappe).",
)
@click.option("--no-codebook", is_flag=True, help="Start without a codebook.")
@_core_errors
def new(project: str, codebook_file: str | None, no_codebook: bool) -> None:
    """Create a new PROJECT file with the default (or given) codebook."""
    from frisat_qual.codebook.manage import default_codebook, load_into_project, read_codebook
    from frisat_qual.store import create_project

    with create_project(project) as proj:
        if not no_codebook:
            book = read_codebook(codebook_file) if codebook_file else default_codebook()
            load_into_project(proj, book, coder=_coder(None))
            click.echo(f"Created {project} with codebook {book.id} ({len(book.codes)} codes)")
        else:
            click.echo(f"Created {project}")


@cli.command("import")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=False))
@click.option(
    "--manifest",
    type=click.Path(exists=True, dir_okay=False),
    help="CSV mapping file names to rolle, kommune, omraade and other attributes.",
)
@click.option(
    "--pseudonymise",
    "keyfile",
    type=click.Path(dir_okay=False),
    help="Replace audit findings by placeholders; the key goes to this file (0600).",
)
@click.option("--quiet", "-q", is_flag=True, help="Do not list audit findings.")
@_core_errors
def import_cmd(
    project: str, files: tuple[str, ...], manifest: str | None, keyfile: str | None, quiet: bool
) -> None:
    """Import transcript FILES or folders (.docx .odt .txt .md .vtt .srt) into PROJECT."""
    from frisat_qual.corpus.importer import collect_files, import_transcripts
    from frisat_qual.corpus.pseudonymise import PseudonymKey

    missing = [f for f in files if not Path(f).exists()]
    key = PseudonymKey.load(Path(keyfile)) if keyfile else None
    found, _ = collect_files([Path(f) for f in files if Path(f).exists()])
    with (
        _open(project) as proj,
        _progress("Importing", len(found) > PROGRESS_MIN_FILES) as progress,
    ):
        report = import_transcripts(
            proj,
            [f for f in files if Path(f).exists()],
            manifest=manifest,
            key=key,
            progress=progress,
        )
    if key is not None:
        key.save(Path(keyfile))
    for name in report.imported:
        click.echo(f"imported   {name}")
    for name in report.new_versions:
        click.echo(f"new version {name}")
    for name in report.unchanged:
        click.echo(f"unchanged  {name}")
    if report.findings and not quiet:
        verb = "replaced" if key else "found"
        click.echo(
            f"audit: {len(report.findings)} likely identifiers {verb}"
            f"{'' if key else ' (run `frisat-qual audit` for the list)'}",
            err=True,
        )
    failures = [(m, "no such file or folder") for m in missing] + report.failed
    for name, why in failures:
        line = why if why.startswith(name) else f"{name}: {why}"
        click.echo(f"error: {line}", err=True)
    if failures:
        sys.exit(1)


@cli.command()
@click.argument("targets", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print findings as JSON.")
@click.option("--allow", multiple=True, help="A word or phrase never to flag (repeatable).")
@click.option("--remember", is_flag=True, help="Add the --allow terms to the project's allow-list.")
@_core_errors
def audit(targets: tuple[str, ...], as_json: bool, allow: tuple[str, ...], remember: bool) -> None:
    """Check transcript FILES, folders or a PROJECT for leftover personal data."""
    from frisat_qual.corpus.auditing import audit_targets

    findings, failures = audit_targets(
        [Path(t) for t in targets], allow=list(allow), remember=remember
    )
    if as_json:
        click.echo(json.dumps([f.__dict__ for f in findings], ensure_ascii=False, indent=2))
    else:
        for f in findings:
            click.echo(f"{f.document}:{f.start}-{f.end}\t{f.kind}\t{f.text!r}\t{f.reason}")
        click.echo(f"{len(findings)} finding(s)", err=True)
    for _name, why in failures:
        click.echo(f"error: {why}", err=True)
    if failures:
        sys.exit(1)


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
@_core_errors
def info(project: str, as_json: bool) -> None:
    """Summarise PROJECT: documents, words, turns, segments, cases."""
    from frisat_qual.store.stats import project_stats

    with _open(project) as proj:
        stats = project_stats(proj)
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    for key in ("documents", "words", "turns", "segments", "cases", "codes", "codings", "memos"):
        click.echo(f"{key:<10} {stats[key]:>9,}")
    if stats["old_versions"]:
        click.echo(f"{'old versions':<10} {stats['old_versions']:>7,}")


@cli.command()
@click.option("--path", type=click.Path(), help="Where to create the demo project.")
@click.option(
    "--second-coder",
    is_flag=True,
    help="The second coder's copy instead: same documents, codebook and survey, coded by"
    ' coder "second" (interviews of kommune 1 and 2); default file demo-second.frisat.',
)
@_core_errors
def demo(path: str | None, second_coder: bool) -> None:
    """Create (or find) the demo project and print its path."""
    from frisat_qual.demo import default_demo_path, ensure_demo_project

    variant = "second" if second_coder else "reference"
    default = default_demo_path(variant)
    target = Path(path) if path else default
    fresh = not (target / default.name if target.is_dir() else target).exists()
    with _progress("Creating the demo project", fresh) as progress:
        click.echo(ensure_demo_project(path, variant=variant, progress=progress))


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("document")
@click.option("--interviewer", help="Speaker label who is the interviewer.")
@_core_errors
def speakers(project: str, document: str, interviewer: str | None) -> None:
    """List the speakers of DOCUMENT, or set which one is the interviewer."""
    from frisat_qual.store.documents import get_document, set_interviewer, speakers_of

    with _open(project) as proj:
        doc = get_document(proj, document)
        if interviewer:
            set_interviewer(proj, doc.id, interviewer)
        for speaker, role in sorted(speakers_of(proj, doc.id).items()):
            click.echo(f"{speaker}\t{role or ''}")


# -- codebooks -------------------------------------------------------------------------------

CODER_OPTION = click.option("--coder", help="Coder name (default: your saved name or login).")


@cli.group()
def codebook() -> None:
    """Show, validate, compare, convert and change codebooks."""


@codebook.command("show")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--retired", is_flag=True, help="Also show retired codes (projects).")
@_core_errors
def codebook_show(source: str, retired: bool) -> None:
    """Print the code tree of a codebook file or of a PROJECT (with coding counts)."""
    from frisat_qual.codebook.manage import codebook_of, project_codebook
    from frisat_qual.store import PROJECT_SUFFIX

    counts: dict[str, int] | None = None
    if Path(source).suffix == PROJECT_SUFFIX:
        from frisat_qual.store.codings import coding_counts

        with _open(source) as proj:
            book = project_codebook(proj, include_retired=retired)
            counts = coding_counts(proj)
    else:
        book = codebook_of(source)
    click.echo(f"{book.name} ({book.id}), {len(book.codes)} codes")
    depth: dict[str | None, int] = {None: -1}
    for code in book.codes:
        depth[code.id] = depth.get(code.parent, -1) + 1
        n = f"  [{counts.get(code.id, 0)}]" if counts is not None else ""
        folder = "/" if not code.codable else ""
        spor = f"  (spor: {code.survey_spor})" if code.survey_spor else ""
        click.echo(f"{'  ' * depth[code.id]}{code.id}{folder}  {code.label}{spor}{n}")


@codebook.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def codebook_validate(files: tuple[str, ...]) -> None:
    """Check codebook FILES; print every problem with file, line and code id."""
    from frisat_qual.codebook.manage import read_codebook
    from frisat_qual.errors import CodebookError

    bad = 0
    for name in files:
        try:
            book = read_codebook(name)
        except CodebookError as exc:
            bad += 1
            for line in str(exc).splitlines():
                click.echo(line, err=True)
        else:
            click.echo(f"{name}: ok ({len(book.codes)} codes)")
    if bad:
        sys.exit(1)


@codebook.command("diff")
@click.argument("old", type=click.Path(exists=True, dir_okay=False))
@click.argument("new_", metavar="NEW", type=click.Path(exists=True, dir_okay=False))
@_core_errors
def codebook_diff(old: str, new_: str) -> None:
    """What changed from OLD to NEW (codebook files or projects): + added, - removed, ~ changed."""
    from frisat_qual.codebook.manage import codebook_of, diff_codebooks

    lines = diff_codebooks(codebook_of(old), codebook_of(new_))
    for line in lines:
        click.echo(line)
    if not lines:
        click.echo("no differences", err=True)


@codebook.command("import")
@click.argument("qdc", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="YAML file to write.")
@_core_errors
def codebook_import(qdc: str, output: str | None) -> None:
    """Convert a REFI-QDA codebook (.qdc from NVivo, ATLAS.ti, MAXQDA...) to YAML."""
    from frisat_qual.codebook.format import dump_codebook
    from frisat_qual.codebook.manage import export_codebook, read_codebook

    book = read_codebook(qdc)
    if output:
        export_codebook(book, output)
        click.echo(f"Wrote {output} ({len(book.codes)} codes)")
    else:
        click.echo(dump_codebook(book), nl=False)


@codebook.command("load")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@CODER_OPTION
@_core_errors
def codebook_load(project: str, file: str, coder: str | None) -> None:
    """Make FILE (.yaml or .qdc) the PROJECT's codebook; codes in use are kept."""
    from frisat_qual.codebook.manage import load_into_project, read_codebook

    book = read_codebook(file)
    with _open(project) as proj:
        counts = load_into_project(proj, book, coder=_coder(coder))
    click.echo(
        f"Loaded {book.id}: {counts['added']} added, {counts['updated']} updated,"
        f" {counts['retired']} retired"
    )


@codebook.command("export")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="FILE.yaml or FILE.qdc"
)
@_core_errors
def codebook_export(source: str, output: str) -> None:
    """Write the codebook of a codebook file or PROJECT as YAML or REFI-QDA .qdc."""
    from frisat_qual.codebook.manage import codebook_of, export_codebook

    book = codebook_of(source)
    export_codebook(book, output)
    click.echo(f"Wrote {output} ({len(book.codes)} codes)")


@codebook.command("history")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@_core_errors
def codebook_history(project: str) -> None:
    """The PROJECT's codebook changes, newest first."""
    from frisat_qual.store.journal import history

    with _open(project) as proj:
        for action in history(proj, kind="codebook"):
            undone = "  (undone)" if action.undone else ""
            click.echo(f"{action.created}  {action.coder}  {action.label}{undone}")


@codebook.command("add")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("code_id")
@click.argument("label")
@click.option("--parent")
@click.option("--color", default="#888888")
@click.option("--description", default="")
@CODER_OPTION
@_core_errors
def codebook_add(
    project: str,
    code_id: str,
    label: str,
    parent: str | None,
    color: str,
    description: str,
    coder: str | None,
) -> None:
    """Add a code to the PROJECT's codebook."""
    from frisat_qual.codebook.manage import add_code
    from frisat_qual.models import CodeSpec

    with _open(project) as proj:
        add_code(
            proj,
            CodeSpec(id=code_id, label=label, parent=parent, color=color, description=description),
            coder=_coder(coder),
        )
    click.echo(f"Added {code_id}")


@codebook.command("rename")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("code_id")
@click.argument("label")
@CODER_OPTION
@_core_errors
def codebook_rename(project: str, code_id: str, label: str, coder: str | None) -> None:
    """Give a code a new label (its id and codings stay)."""
    from frisat_qual.codebook.manage import rename_code

    with _open(project) as proj:
        rename_code(proj, code_id, label, coder=_coder(coder))
    click.echo(f"Renamed {code_id}")


@codebook.command("move")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("code_id")
@click.argument("parent")
@CODER_OPTION
@_core_errors
def codebook_move(project: str, code_id: str, parent: str, coder: str | None) -> None:
    """Put a code under PARENT ("-" for the top level)."""
    from frisat_qual.codebook.manage import move_code

    with _open(project) as proj:
        move_code(proj, code_id, None if parent == "-" else parent, coder=_coder(coder))
    click.echo(f"Moved {code_id}")


@codebook.command("merge")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("source")
@click.argument("target")
@CODER_OPTION
@_core_errors
def codebook_merge(project: str, source: str, target: str, coder: str | None) -> None:
    """Move SOURCE's codings to TARGET and retire SOURCE."""
    from frisat_qual.codebook.manage import merge_codes

    with _open(project) as proj:
        moved = merge_codes(proj, source, target, coder=_coder(coder))
    click.echo(f"Merged {source} into {target}: {moved} codings moved")


@codebook.command("split")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("code_id")
@click.argument("parts", nargs=-1, required=True)
@CODER_OPTION
@_core_errors
def codebook_split(project: str, code_id: str, parts: tuple[str, ...], coder: str | None) -> None:
    """Create new codes ID=LABEL beside CODE_ID; its codings stay until recoded."""
    from frisat_qual.codebook.manage import split_code

    pairs = []
    for part in parts:
        new_id, sep, label = part.partition("=")
        if not sep or not new_id.strip() or not label.strip():
            raise click.ClickException(f"{part!r}: write each new code as ID=LABEL")
        pairs.append((new_id.strip(), label.strip()))
    with _open(project) as proj:
        made = split_code(proj, code_id, pairs, coder=_coder(coder))
    click.echo(f"Split {code_id} into {', '.join(c.id for c in made)}")


@codebook.command("retire")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("code_id")
@click.option("--restore", is_flag=True, help="Bring a retired code back.")
@CODER_OPTION
@_core_errors
def codebook_retire(project: str, code_id: str, restore: bool, coder: str | None) -> None:
    """Hide a code from coding; its codings are kept."""
    from frisat_qual.codebook.manage import retire_code

    with _open(project) as proj:
        retire_code(proj, code_id, coder=_coder(coder), retired=not restore)
    click.echo(f"{'Restored' if restore else 'Retired'} {code_id}")


# -- coding ----------------------------------------------------------------------------------


def _attributes(attrs: tuple[str, ...]) -> dict[str, str]:
    """--attr NAME=VALUE options as a dict."""
    out = {}
    for item in attrs:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.ClickException(f"--attr {item!r}: write NAME=VALUE")
        out[name.strip()] = value.strip()
    return out


def _span(value: str) -> tuple[int, int]:
    start, sep, end = value.partition(":")
    if not sep or not start.strip().isdigit() or not end.strip().isdigit():
        raise click.BadParameter(f"{value!r}: write the span as START:END (character offsets)")
    return int(start), int(end)


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("document")
@click.option("--span", required=True, help="START:END character offsets in the document text.")
@click.option("--code", "code_id", required=True)
@CODER_OPTION
@_core_errors
def code(project: str, document: str, span: str, code_id: str, coder: str | None) -> None:
    """Code a span of DOCUMENT with a code."""
    from frisat_qual.store.codings import apply_code
    from frisat_qual.store.documents import document_text, get_document

    start, end = _span(span)
    with _open(project) as proj:
        doc = get_document(proj, document)
        coding = apply_code(proj, doc.id, start, end, code_id, _coder(coder))
        text = document_text(proj, doc.id)[start:end]
    click.echo(f"coding {coding.id}: {code_id} on {doc.name} {start}:{end} {text[:60]!r}")


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("coding_id", type=int)
@CODER_OPTION
@_core_errors
def uncode(project: str, coding_id: int, coder: str | None) -> None:
    """Remove a coding (undoable)."""
    from frisat_qual.store.codings import remove_coding

    with _open(project) as proj:
        coding = remove_coding(proj, coding_id, _coder(coder))
    click.echo(f"removed coding {coding_id} ({coding.code_id})")


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--code", "code_ids", multiple=True, help="Only this code (repeatable).")
@click.option("--children", is_flag=True, help="Include the sub-codes of --code.")
@click.option("--coder", "coders", multiple=True, help="Only this coder (repeatable).")
@click.option("--document")
@click.option("--attr", "attrs", multiple=True, help="Case attribute NAME=VALUE (repeatable).")
@click.option(
    "--csv",
    "as_csv",
    is_flag=True,
    help="CSV: document,start,end,code,coder,origin,text (import-codings reads it back).",
)
@click.option("--ids", is_flag=True, help="With --csv, an id column first (the ID uncode takes).")
@_core_errors
def codings(
    project: str,
    code_ids: tuple[str, ...],
    children: bool,
    coders: tuple[str, ...],
    document: str | None,
    attrs: tuple[str, ...],
    as_csv: bool,
    ids: bool,
) -> None:
    """List codings, filtered by code, coder, document and case attributes: one a line,
    its id first (the ID `uncode` takes), then document, span, code, coder, origin and
    the start of the text."""
    from frisat_qual.reports.tables import check_filters
    from frisat_qual.reports.writers import coding_list, render
    from frisat_qual.store.codings import query_codings
    from frisat_qual.store.documents import get_document

    attributes = _attributes(attrs)
    with _open(project) as proj:
        check_filters(proj, coders=coders, attributes=attributes)
        doc_id = get_document(proj, document).id if document else None
        found = query_codings(
            proj,
            code=list(code_ids) or None,
            coder=list(coders) or None,
            document_id=doc_id,
            attributes=attributes,
            include_children=children,
        )
        table = coding_list(proj, found, ids=ids or not as_csv)
    if as_csv:
        click.echo(render(table, "csv"), nl=False)
        return
    for coding_id, doc, start, end, code_id, who, origin, text in table.rows:
        snippet = " ".join(text.split())
        snippet = snippet if len(snippet) <= 70 else snippet[:67] + "..."
        click.echo(f"{coding_id}\t{doc}\t{start}:{end}\t{code_id}\t{who}\t{origin}\t{snippet}")
    click.echo(f"{len(table.rows)} coding(s)", err=True)


@cli.command("import-codings")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@CODER_OPTION
@_core_errors
def import_codings(project: str, csv_file: str, coder: str | None) -> None:
    """Add codings from a CSV (document,start,end,code[,coder]); all or nothing."""
    from frisat_qual.exchange.codings_csv import import_codings_csv

    with _open(project) as proj:
        added = import_codings_csv(proj, csv_file, coder=_coder(coder))
    click.echo(f"added {added} coding(s)")


def _journal_command(name: str, past: str, doc: str) -> None:
    """Register `undo` or `redo`: the same command over the journal in two directions."""

    @cli.command(name, help=doc)
    @click.argument("project", type=click.Path(exists=True, dir_okay=False))
    @CODER_OPTION
    @_core_errors
    def command(project: str, coder: str | None) -> None:
        from frisat_qual.store import journal

        with _open(project) as proj:
            action = getattr(journal, name)(proj, _coder(coder))
        click.echo(f"{past}: {action.label}" if action else f"nothing to {name}")


_journal_command(
    "undo",
    "undid",
    "Undo your last action in PROJECT: a coding, memo, codebook change, suggestion decision,"
    " decision on a disagreement (`resolve`) or adoption (`consensus`). Yours means made"
    " under --coder (default: your saved name), the name you gave the action, not the"
    " consensus coder it wrote to.",
)
_journal_command(
    "redo", "redid", "Redo the action you (--coder, as for undo) undid last in PROJECT."
)


# -- suggestions and evaluation ---------------------------------------------------------------


class _RunByDefault(click.Group):
    """`suggest PROJECT ...` runs the suggester; `suggest accept|reject|pending ...` review."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


def _evidence_text(evidence: dict) -> str:
    parts = []
    if words := evidence.get("keywords"):
        found = [
            w.get("words", w.get("keyword", "")) if isinstance(w, dict) else str(w) for w in words
        ]
        parts.append("keywords: " + ", ".join(found)[:60])
    if feats := evidence.get("features"):
        parts.append("features: " + ", ".join(map(str, feats[:4])))
    if level := evidence.get("level_from"):
        parts.append(f"step from {level}")
    return "; ".join(parts)


@cli.group(cls=_RunByDefault)
def suggest() -> None:
    """Code suggestions: `suggest PROJECT` to see or store them, then accept or reject."""


@suggest.command("run")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--document", help="Only this document (name or id).")
@click.option("--min-score", type=float, help="Only suggestions scoring at least this (0-1).")
@click.option("--top", type=int, default=3, show_default=True, help="Per segment at most.")
@click.option("--store", is_flag=True, help="Store them as pending suggestions to review.")
@click.option("--json", "as_json", is_flag=True)
@_core_errors
def suggest_run(
    project: str,
    document: str | None,
    min_score: float | None,
    top: int,
    store: bool,
    as_json: bool,
) -> None:
    """Suggest codes for every segment (or one document's), trained on the project's codings."""
    from frisat_qual.store.suggestions import save_suggestions
    from frisat_qual.suggest.ensemble import Suggester
    from frisat_qual.suggest.service import suggest_document

    with _open(project) as proj, _progress("Training", True) as progress:
        if progress:
            progress(0, 1, "the suggester")
        suggester = Suggester.train(proj)
        if progress:
            progress(1, 1, "done")
        pairs = suggest_document(proj, suggester, document, min_score=min_score, top=top)
        stored = 0
        if store:
            stored = save_suggestions(
                proj,
                [s for _, found in pairs for s in found],
                segment_ids=[seg.id for seg, _ in pairs],
            )
        names = {}
        from frisat_qual.store.documents import list_documents

        names = {d.id: d.name for d in list_documents(proj)}
    rows = [
        {
            "document": names.get(seg.document_id, seg.document_id),
            "segment": seg.id,
            "start": seg.start,
            "end": seg.end,
            "text": seg.text,
            "code": s.code_id,
            "score": round(s.score, 4),
            "threshold": round(s.threshold, 4),
            "evidence": s.evidence,
        }
        for seg, found in pairs
        for s in found
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for r in rows:
            text = " ".join(r["text"].split())
            click.echo(
                f"{r['document']}\t{r['start']}:{r['end']}\t{r['code']}\t{r['score']:.2f}"
                f"\t{text[:60]}\t{_evidence_text(r['evidence'])}"
            )
        click.echo(
            f"{len(rows)} suggestion(s)"
            + (
                f", {stored} stored as pending"
                if store
                else " (not stored; add --store to review them)"
            ),
            err=True,
        )


@suggest.command("pending")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--document", help="Only this document (name or id).")
@click.option("--json", "as_json", is_flag=True)
@_core_errors
def suggest_pending(project: str, document: str | None, as_json: bool) -> None:
    """List the pending suggestions with their ids, to accept or reject."""
    from frisat_qual.store.documents import get_document
    from frisat_qual.store.suggestions import pending_suggestions

    with _open(project) as proj:
        doc_id = get_document(proj, document).id if document else None
        found = pending_suggestions(proj, document_id=doc_id)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "id": s.id,
                        "segment": s.segment_id,
                        "document": s.document_id,
                        "start": s.start,
                        "end": s.end,
                        "code": s.code_id,
                        "score": s.score,
                    }
                    for s in found
                ],
                indent=2,
            )
        )
        return
    for s in found:
        click.echo(f"{s.id}\t{s.document_id}\t{s.start}:{s.end}\t{s.code_id}\t{s.score:.2f}")
    click.echo(f"{len(found)} pending", err=True)


def _review_command(name: str, verb: str) -> None:
    """Register `suggest accept` / `suggest reject`: the same shape, two decisions."""

    @suggest.command(name, help=f"{verb.capitalize()} pending suggestions by id.")
    @click.argument("project", type=click.Path(exists=True, dir_okay=False))
    @click.argument("ids", nargs=-1, type=int, required=True)
    @CODER_OPTION
    @_core_errors
    def command(project: str, ids: tuple[int, ...], coder: str | None) -> None:
        from frisat_qual.store import suggestions

        decide = getattr(suggestions, f"{name}_suggestion")
        with _open(project) as proj:
            for suggestion_id in ids:
                decide(proj, suggestion_id, _coder(coder))
        click.echo(f"{verb} {len(ids)} suggestion(s)")


_review_command("accept", "accepted")
_review_command("reject", "rejected")


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--coder", "coders", multiple=True, required=True, help="Whose coding (repeatable).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@_core_errors
def gold(project: str, coders: tuple[str, ...], output: str) -> None:
    """Write a coder's coding as a GOLD.csv (one row per segment) for `evaluate`."""
    from frisat_qual.suggest.evaluate import gold_from_project, write_gold_csv

    with _open(project) as proj:
        rows = gold_from_project(proj, list(coders))
    write_gold_csv(rows, output)
    click.echo(f"Wrote {output} ({len(rows)} rows)")


@cli.command()
@click.argument("gold_csv", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--codebook",
    "codebook_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Codebook (.yaml/.qdc) or project.",
)
@click.option(
    "--project",
    type=click.Path(exists=True, dir_okay=False),
    help="Also learn from this project's codings (zero-shot mode).",
)
@click.option(
    "--mode", type=click.Choice(["zero-shot", "cv"]), default="zero-shot", show_default=True
)
@click.option("--folds", type=int, default=5, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.option(
    "--predictions",
    type=click.Path(dir_okay=False),
    help="Write one row per gold row: text, gold, predicted, scores.",
)
@_core_errors
def evaluate(
    gold_csv: str,
    codebook_file: str,
    project: str | None,
    mode: str,
    folds: int,
    as_json: bool,
    predictions: str | None,
) -> None:
    """Measure suggestions against a gold coding, beside a keyword-only baseline."""
    from frisat_qual.codebook.manage import codebook_of
    from frisat_qual.suggest.evaluate import evaluate as run_evaluation

    book = codebook_of(codebook_file)
    if project:
        with _open(project) as proj:
            result = run_evaluation(
                gold_csv, book, proj, mode=mode, folds=folds, predictions_out=predictions
            )
    else:
        result = run_evaluation(
            gold_csv, book, None, mode=mode, folds=folds, predictions_out=predictions
        )
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    base = result["baseline"]
    click.echo(f"mode {result['mode']}, {result['n']} gold rows")
    click.echo(f"{'figure':<28}{'suggester':>10}{'keywords':>10}")
    for key in (
        "micro_f1",
        "macro_f1",
        "staircase_level_accuracy",
        "side_macro_f1",
        "spor_micro_f1",
    ):
        mine, theirs = result.get(key), base.get(key)
        fmt = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
        click.echo(f"{key:<28}{fmt(mine):>10}{fmt(theirs):>10}")
    click.echo(f"{'code':<24}{'P':>7}{'R':>7}{'F1':>7}{'kappa':>7}{'n':>6}{'kw F1':>7}")
    for code_id, fig in result["per_code"].items():
        kw = base["per_code"].get(code_id, {}).get("f1")
        kappa = fig.get("kappa")
        click.echo(
            f"{code_id:<24}{fig['precision']:>7.2f}{fig['recall']:>7.2f}{fig['f1']:>7.2f}"
            f"{(kappa if kappa is not None else float('nan')):>7.2f}{fig['support']:>6}"
            f"{(kw if kw is not None else float('nan')):>7.2f}"
        )


# -- reports -----------------------------------------------------------------------------------


def _pooled_note(note: str) -> None:
    """Tell the researcher on stderr (stdout stays data) that coders were counted together."""
    if note:
        click.echo(f"{note} (choose with --coder)", err=True)


#: A report's format when -o names a file and --format is not given.
_REPORT_SUFFIXES = {
    ".html": "html",
    ".htm": "html",
    ".xlsx": "xlsx",
    ".csv": "csv",
    ".md": "md",
    ".json": "json",
}


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument(
    "kind",
    type=click.Choice(["frequencies", "crosstab", "cooccurrence", "staircase", "quotes", "all"]),
)
@click.option(
    "--by",
    help="Case attribute to break down by (rolle, kommune, omraade, ...); with `all`, the one"
    " attribute to break down by instead of rolle, kommune and omraade.",
)
@click.option("--code", "code_id", help="The code whose quotes to list.")
@click.option("--coder", "coders", multiple=True, help="Only this coder's codings (repeatable).")
@click.option("--attr", "attrs", multiple=True, help="Only cases with NAME=VALUE (repeatable).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "md", "json", "xlsx", "html"]),
    default=None,
    help="Output format [default: from the -o file's suffix, else table]",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
@_core_errors
def report(
    project: str,
    kind: str,
    by: str | None,
    code_id: str | None,
    coders: tuple[str, ...],
    attrs: tuple[str, ...],
    fmt: str | None,
    output: str | None,
) -> None:
    """Theme frequencies, cross-tabs, co-occurrence, the staircase and quotes; `all` gives
    every report at once, e.g. `report PROJECT all -o report.html` (the format follows the
    file's suffix: .html .xlsx .csv .md .json). Without --coder every coder's codings count
    together (a note on stderr names them)."""
    from frisat_qual.reports.writers import (
        DEFAULT_BY,
        build_all,
        build_report,
        render,
        render_all,
        write_xlsx,
    )

    if fmt is None:
        suffix = Path(output).suffix.lower() if output else ""
        fmt = _REPORT_SUFFIXES.get(suffix, "table")
    if fmt == "xlsx" and not output:
        raise click.ClickException("--format xlsx needs -o FILE.xlsx")
    if kind == "all" and fmt == "csv":
        raise click.ClickException("the full report comes as html, xlsx, md, json or table")
    if kind == "all" and code_id:
        raise click.ClickException("`all` quotes every code in use; --code is for `quotes`")

    attributes = _attributes(attrs)
    with _open(project) as proj:
        if kind == "all":
            tables = build_all(
                proj, by=(by,) if by else DEFAULT_BY, coders=coders, attributes=attributes
            )
        else:
            tables = [
                build_report(proj, kind, by=by, code=code_id, coders=coders, attributes=attributes)
            ]
    _pooled_note(next((t.note for t in tables if t.note), ""))
    if fmt == "table" and not output:
        from rich.console import Console
        from rich.table import Table

        console = Console()
        for table in tables:
            shown = Table(title=table.title)
            for header in table.headers:
                shown.add_column(header)
            for row in table.rows:
                shown.add_row(*(str(v) for v in row))
            console.print(shown)
        return
    if fmt == "xlsx":
        write_xlsx(tables if kind == "all" else tables[0], output)
        click.echo(f"Wrote {output}")
        return
    if kind == "all":
        text = render_all(tables, "md" if fmt == "table" else fmt)
    else:
        text = render(tables[0], "csv" if fmt == "table" else fmt)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}")
    else:
        click.echo(text, nl=False)


# -- survey ------------------------------------------------------------------------------------


@cli.group()
def survey() -> None:
    """The leaders' survey: import its waves, and read it beside the interviews."""


@survey.command("import")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--wave", help="Name of the wave (default: 1 for the project's first survey).")
@click.option("--date", help="Date of the wave, YYYY-MM-DD (default: today).")
@click.option("--skip-bad-rows", is_flag=True, help="Import the good rows and list the bad ones.")
@click.option("--replace", is_flag=True, help="Replace the wave's earlier answers.")
@click.option("--json", "as_json", is_flag=True, help="Print what was imported as JSON.")
@_core_errors
def survey_import(
    project: str,
    file: str,
    wave: str | None,
    date: str | None,
    skip_bad_rows: bool,
    replace: bool,
    as_json: bool,
) -> None:
    """Import a survey FILE (.csv or .xlsx, one row per respondent) into PROJECT.

    Each respondent becomes a case, each open comment a document to code. Nothing is
    imported while the file has problems; every problem is listed with its line, column
    and value.
    """
    from frisat_qual.errors import SurveyFileError
    from frisat_qual.survey.importer import import_survey

    try:
        with (
            _open(project) as proj,
            _progress("Importing the survey", sys.stderr.isatty()) as progress,
        ):
            report = import_survey(
                proj,
                file,
                wave=wave,
                date=date,
                skip_bad_rows=skip_bad_rows,
                replace=replace,
                progress=progress,
            )
    except SurveyFileError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        if exc.rows_only:
            click.echo(
                f"{Path(file).name}: nothing was imported; correct these rows, or give"
                " --skip-bad-rows to import the others",
                err=True,
            )
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    if report.status == "unchanged":
        click.echo(
            f"unchanged: wave {report.wave} already holds these answers"
            f" ({report.respondents} respondents); nothing was imported"
        )
        return
    unanswered = f" ({report.unanswered:,} unanswered)" if report.unanswered else ""
    click.echo(
        f"{report.status} wave {report.wave} ({report.date}) from {report.source_name}:"
        f" {report.respondents:,} respondents, {report.ratings:,} ratings{unanswered},"
        f" {report.comment_documents:,} comments as documents"
    )
    if report.old_documents:
        click.echo(
            f"{report.old_documents} comment document(s) of the replaced answers kept as old"
            " versions, with any codings on them"
        )
    for row in report.skipped:
        for problem in row.problems:
            click.echo(f"skipped: {problem}")
    if report.findings:
        click.echo(
            f"audit: {len(report.findings)} likely identifiers found in the comments"
            " (run `frisat-qual audit PROJECT` for the list)",
            err=True,
        )


@survey.command("waves")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
@_core_errors
def survey_waves(project: str, as_json: bool) -> None:
    """List the survey waves of PROJECT, oldest first; the last is analysed by default."""
    from frisat_qual.store.survey import list_waves

    with _open(project) as proj:
        waves = list_waves(proj)
    if as_json:
        click.echo(json.dumps([w.__dict__ for w in waves], ensure_ascii=False, indent=2))
        return
    for w in waves:
        click.echo(f"{w.name}\t{w.date}\t{w.respondents} respondents\t{w.source_name}")
    if not waves:
        click.echo("no survey waves (import one with `frisat-qual survey import`)", err=True)


#: Width of rich tables written to a file or a pipe.
TABLE_WIDTH = 160
WAVE_OPTION = click.option("--wave", help="Survey wave to analyse (default: the latest).")
SPOR_OPTION = click.option(
    "--spor", required=True, help="The spor: regler, maal, dokumentation, tillid, eksperiment."
)


def _by_option(default: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--by",
        default=default,
        show_default=default is not None,
        help="Case attribute to group respondents by (omraade, kommune, rolle, ...)"
        + ("." if default else "; default: all respondents as one group."),
    )


def _print_table(title: str | None, headers: list[str], rows: list[list[Any]], **kw: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for header in headers:
        table.add_column(header)
    for row in rows:
        table.add_row(*("–" if v is None else str(v) for v in row))
    console = Console(**kw)
    if not console.is_terminal:
        console.width = max(console.width, TABLE_WIDTH)  # a file or pipe: no wrapped cells
    console.print(table)


def _fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


@survey.command("summary")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@_by_option()
@WAVE_OPTION
@click.option("--json", "as_json", is_flag=True)
@_core_errors
def survey_summary(project: str, by: str | None, wave: str | None, as_json: bool) -> None:
    """Per group and spor: n, means, SDs, quadrant, Cronbach's alpha and ceiling shares."""
    from dataclasses import asdict

    from frisat_qual.reports.joint import mean_sd
    from frisat_qual.survey import QUADRANTS
    from frisat_qual.survey.analysis import summary
    from frisat_qual.survey.link import survey_respondents

    with _open(project) as proj:
        found = summary(survey_respondents(proj, wave), by=by)
    if as_json:
        data = [
            {
                **asdict(s),
                "warnings": list(s.warnings),
                "quadrant_label": QUADRANTS.get(s.quadrant_abs or ""),
            }
            for s in found
        ]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    headers = ["group", "spor", "n", "impl (SD)", "vigt (SD)", "quadrant", "α impl", "α vigt"]
    headers += ["10s vigt", "derived"]
    rows = [
        [
            s.group,
            s.spor,
            s.n,
            mean_sd(s.impl_mean, s.impl_sd),
            mean_sd(s.vigt_mean, s.vigt_sd),
            QUADRANTS.get(s.quadrant_abs or "", "–"),
            _fmt(s.alpha_impl),
            _fmt(s.alpha_vigt),
            "–" if s.ceiling_vigt is None else f"{s.ceiling_vigt:.0%}",
            _fmt(s.derived_vigt),
        ]
        for s in found
    ]
    _print_table("Survey summary" + (f" by {by}" if by else ""), headers, rows)
    for s in found:
        for warning in s.warnings:
            click.echo(f"{s.group} / {s.spor}: {warning}")


@survey.command("points")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@SPOR_OPTION
@_by_option()
@WAVE_OPTION
@click.option("--json", "as_json", is_flag=True)
@_core_errors
def survey_points(project: str, spor: str, by: str | None, wave: str | None, as_json: bool) -> None:
    """Each respondent's point for a spor: importance, implementation and both quadrants
    (absolute at 5.5, relative at the group's means)."""
    from frisat_qual.survey import QUADRANTS
    from frisat_qual.survey.analysis import points
    from frisat_qual.survey.link import survey_respondents

    with _open(project) as proj:
        found = points(survey_respondents(proj, wave), spor, by=by)
    if as_json:
        keys = ("respondent_id", "group", "impl", "vigt", "quadrant_abs", "quadrant_rel")
        keys += ("group_impl_mean", "group_vigt_mean")
        data = [{k: getattr(p, k) for k in keys} for p in found]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    rows = [
        [
            p.respondent_id,
            p.group,
            _fmt(p.vigt),
            _fmt(p.impl),
            QUADRANTS[p.quadrant_abs],
            QUADRANTS[p.quadrant_rel],
        ]
        for p in found
    ]
    headers = ["respondent", "group", "vigt", "impl", "quadrant (5.5)", "quadrant (group means)"]
    _print_table(f"{spor}: respondents' points", headers, rows)


@survey.command("plot")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@SPOR_OPTION
@_by_option()
@WAVE_OPTION
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="FILE.svg or FILE.png"
)
@click.option("--title", help="Figure title (default: the spor's Danish name).")
@_core_errors
def survey_plot(
    project: str, spor: str, by: str | None, wave: str | None, output: str, title: str | None
) -> None:
    """Draw the quadrant figure of a spor (importance x implementation), a panel per group."""
    from frisat_qual.survey.analysis import points
    from frisat_qual.survey.link import survey_respondents
    from frisat_qual.survey.plot import plot_quadrants

    with _open(project) as proj:
        found = points(survey_respondents(proj, wave), spor, by=by)
    path = plot_quadrants(found, spor, output, title=title)
    groups = len({p.group for p in found})
    click.echo(f"Wrote {path} ({len(found)} respondents, {groups} panel{'s' * (groups != 1)})")


@survey.command("derived")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@SPOR_OPTION
@_by_option()
@WAVE_OPTION
@click.option("--json", "as_json", is_flag=True)
@_core_errors
def survey_derived(
    project: str, spor: str, by: str | None, wave: str | None, as_json: bool
) -> None:
    """Derived importance (how strongly items a, b, c go with the overall item d) per group,
    beside each item's stated importance."""
    from frisat_qual.survey.analysis import derived_importance, indicator_points
    from frisat_qual.survey.link import survey_respondents

    with _open(project) as proj:
        respondents = survey_respondents(proj, wave)
    derived = derived_importance(respondents, spor, by=by)
    items = indicator_points(respondents, spor, by=by)
    data = [
        {
            "group": group,
            "spor": spor,
            "derived": figures["spor"],
            "indicators": [
                {
                    "indicator": p.indicator,
                    "derived": p.derived,
                    "pairs": p.pairs,
                    "stated_vigt_mean": p.vigt_mean,
                    "n_vigt": p.n_vigt,
                    "impl_mean": p.impl_mean,
                    "n_impl": p.n_impl,
                }
                for p in items
                if p.group == group
            ],
        }
        for group, figures in derived.items()
    ]
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    rows = []
    for g in data:
        for item in g["indicators"]:
            rows.append(
                [
                    g["group"],
                    item["indicator"],
                    f"{_fmt(item['derived'])} ({item['pairs']})",
                    f"{_fmt(item['stated_vigt_mean'])} ({item['n_vigt']})",
                    f"{_fmt(item['impl_mean'])} ({item['n_impl']})",
                ]
            )
        rows.append([g["group"], "a-c", _fmt(g["derived"]), "", ""])
    headers = ["group", "item", "derived r (pairs)", "stated vigt (n)", "impl (n)"]
    _print_table(f"{spor}: derived and stated importance", headers, rows)
    click.echo(
        "derived r: Pearson correlation of the item's implementation with the overall item d;"
        " a-c: their mean. Stated: the mean importance rating of the item."
    )


# -- survey and interviews ---------------------------------------------------------------------


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@_by_option("omraade")
@click.option("--coder", "coders", multiple=True, help="Only this coder's codings (repeatable).")
@WAVE_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "md", "html", "json"]),
    default="table",
    show_default=True,
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
@click.option(
    "--kant-critical",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Share of a spor's codings on the edge of trust from which the talk is critical.",
)
@click.option(
    "--kant-quiet",
    type=click.FloatRange(0, 1),
    default=0.1,
    show_default=True,
    help="Share below which the talk is quiet about the edge of trust.",
)
@_core_errors
def link(
    project: str,
    by: str,
    coders: tuple[str, ...],
    wave: str | None,
    fmt: str,
    output: str | None,
    kant_critical: float,
    kant_quiet: float,
) -> None:
    """The joint display: per spor and group, the survey beside the coded interviews and
    comments, with typical quotes and whether both strands agree."""
    from frisat_qual.reports.joint import joint_display_table, joint_title, render_joint_display
    from frisat_qual.reports.tables import pooled_coders, pooled_note
    from frisat_qual.survey.link import joint_display, survey_respondents

    with _open(project) as proj:
        respondents = survey_respondents(proj, wave)
        rows = joint_display(
            proj,
            respondents,
            by=by,
            coders=list(coders) or None,
            kant_critical=kant_critical,
            kant_quiet=kant_quiet,
        )
        note = pooled_note(pooled_coders(proj, coders))
    _pooled_note(note)
    title = joint_title(by, respondents[0].wave)
    if fmt != "table":
        text = render_joint_display(rows, fmt, title=title, note=note)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            click.echo(f"Wrote {output}")
        else:
            click.echo(text, nl=False)
        return
    table = joint_display_table(rows, title)
    with open(output, "w", encoding="utf-8") if output else contextlib.nullcontext(None) as handle:
        console = {"file": handle, "width": 160} if handle else {}
        _print_table(table.title, table.headers, table.rows, **console)
        lines = []
        for r in rows:
            lines.append(f"{r.spor} / {r.group}: {r.convergence}: {r.reason}")
            lines += [f"    “{' '.join(q.text.split())}” {q.attribution}" for q in r.quotes]
        click.echo("\n".join(lines), file=handle)
    if output:
        click.echo(f"Wrote {output}")


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@SPOR_OPTION
@click.option(
    "--strategy",
    required=True,
    help="typical: nearest the group's mean point; deviant: largest regression residual;"
    " extreme: furthest from the mean on either axis; diverse: one per quadrant.",
)
@click.option("--n", "n", type=int, default=5, show_default=True, help="Picks per group.")
@_by_option()
@click.option("--coder", "coders", multiple=True, help="Count only this coder's codings.")
@WAVE_OPTION
@click.option("--json", "as_json", is_flag=True)
@_core_errors
def cases(
    project: str,
    spor: str,
    strategy: str,
    n: int,
    by: str | None,
    coders: tuple[str, ...],
    wave: str | None,
    as_json: bool,
) -> None:
    """Choose survey respondents to follow up, each with the reason in figures and what to
    read next: their comments and the interviews of their kommune and omraade."""
    from frisat_qual.reports.tables import check_filters, pooled_coders, pooled_note
    from frisat_qual.survey.analysis import select_cases
    from frisat_qual.survey.link import LINK_ATTRIBUTES, linked_documents, survey_respondents

    with _open(project) as proj:
        check_filters(proj, coders=coders)
        _pooled_note(pooled_note(pooled_coders(proj, coders)))
        respondents = survey_respondents(proj, wave)
        picks = select_cases(respondents, spor, strategy, by=by, n=n)
        by_id = {r.id: r for r in respondents}
        reading = [
            linked_documents(proj, by_id[p.respondent], spor=spor, coders=list(coders) or None)
            for p in picks
        ]
    if as_json:
        data = {
            "spor": spor,
            "strategy": strategy,
            "by": by,
            "wave": respondents[0].wave,
            "picks": [
                {
                    "respondent_id": p.respondent_id,
                    "group": p.group,
                    "impl": p.impl,
                    "vigt": p.vigt,
                    "quadrant_abs": p.quadrant_abs,
                    "quadrant_rel": p.quadrant_rel,
                    "reason": p.reason,
                    "figures": p.figures,
                    "read": [
                        {
                            "document": d.name,
                            "kind": d.kind,
                            "attribution": d.attribution,
                            "label": d.label,
                            "spor": d.spor,
                            "codings": d.codings,
                        }
                        for d in docs
                    ],
                }
                for p, docs in zip(picks, reading, strict=True)
            ],
            "notes": picks.notes,
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    from frisat_qual.survey import QUADRANTS

    for number, (p, docs) in enumerate(zip(picks, reading, strict=True), start=1):
        click.echo(
            f"{number}. {p.respondent_id} ({p.group}): vigt {p.vigt:.2f}, impl {p.impl:.2f},"
            f" {QUADRANTS[p.quadrant_abs]}"
        )
        click.echo(f"   why: {p.reason}")
        for d in docs:
            if d.kind == "comment":
                coded = f", {d.codings} coding(s) of spor.{spor}" if d.codings else ""
                click.echo(f"   read: {d.label}, comment on {d.spor}{coded}")
            else:
                click.echo(f"   read: {d.label}, interview, {d.codings} coding(s) of spor.{spor}")
        if not any(d.kind == "interview" for d in docs):
            who = by_id[p.respondent].attributes
            shared = ", ".join(f"{a} {who.get(a) or '?'}" for a in LINK_ATTRIBUTES)
            click.echo(f"   no interviews share the respondent's {shared}")
    for note in picks.notes:
        click.echo(f"note: {note}")


# -- agreement ---------------------------------------------------------------------------------

#: Agreement over more documents than this shows a progress bar on a terminal (the demo's
#: 32 interviews and 150 survey comments take 0.3 s).
AGREEMENT_PROGRESS_MIN_DOCUMENTS = 200
#: `--coders A B C`: click gives A to the option and B, C to the command as extra arguments.
_EXTRA_CODERS = {"allow_extra_args": True}


def _coders(first: str | None, ctx: click.Context) -> list[str] | None:
    """The names given to --coders (also comma-separated); None when there are none."""
    more = list(ctx.args)
    if more and not first:
        raise click.UsageError(f"unexpected argument(s): {' '.join(more)}")
    names = [n.strip() for item in (first, *more) if item for n in item.split(",")]
    return [n for n in names if n] or None


CODERS_OPTION = click.option(
    "--coders",
    "first_coder",
    metavar="A B [C...]",
    help="The coders to compare (default: the project's two coders, if it has two).",
)


CODER_PAIR_OPTION = click.option(
    "--coders",
    "first_coder",
    metavar="A B",
    help="The two coders (default: the project's two coders, if it has two).",
)
CODE_FILTER_OPTION = click.option(
    "--code", "code_ids", multiple=True, help="Only this code and its sub-codes (repeatable)."
)


def _pct(value: float | None) -> str:
    return _fmt(value, 1)


def _agreement_header(report: Any, shown: str) -> None:
    from frisat_qual.agreement import CHARACTER_RULE, RULE

    coders = " × ".join(report.coders)
    skipped = "; ".join(f"{d.name} ({', '.join(who)} only)" for d, who in report.skipped)
    click.echo(
        f"{coders}: {len(report.documents)} document(s) compared"
        + (f"; skipped, not coded by all: {skipped}" if skipped else "")
    )
    if shown == "characters":
        click.echo(f"{report.characters.units} characters compared; {CHARACTER_RULE}")
        return
    seg, coded = report.segments, report.coded_only
    which = (
        f"{coded.units} coded segments compared ({coded.dropped} of {seg.units} nobody coded"
        " left out)"
        if shown == "coded_only"
        else f"{seg.units} segments compared (all segments; {coded.units} coded by someone)"
    )
    click.echo(f"{which}; unit: segment; {RULE}")


def _agreement_tables(report: Any, shown: str) -> None:
    from frisat_qual.agreement import VARIANT_TITLES

    variant = report.variant(shown)
    coders = report.coders
    two = len(coders) == 2
    # with three or more coders a unit can be coded by some, neither one nor all
    headers = ["code", "label", *(f"{c} only" for c in coders)]
    headers += ["both"] if two else ["some", "all"]
    headers += ["percent", "kappa", "alpha"]

    def counts(c: Any) -> list[int]:
        return [*(int(n) for n in c.only), *([] if two else [c.some]), c.all_yes]

    rows: list[list[Any]] = []
    for f in variant.per_code:
        rows.append(
            [
                f.code,
                f.label,
                *counts(f.counts),
                _pct(f.percent),
                _fmt(f.kappa, 3),
                _fmt(f.alpha, 3),
            ]
        )
    overall = variant.overall
    rows.append(
        [
            "overall",
            "pooled: every (unit, code) one item",
            *counts(overall.counts),
            _pct(overall.percent),
            _fmt(overall.kappa, 3),
            _fmt(overall.alpha, 3),
        ]
    )
    if two:
        rows.append(
            [
                "mean",
                f"mean of the per-code kappas ({overall.mean_kappa_codes} codes)",
                *([""] * (len(coders) + 2)),
                _fmt(overall.mean_kappa, 3),
                "",
            ]
        )
    _print_table(f"Agreement, {VARIANT_TITLES[shown]}", headers, rows)
    if not two:
        first = variant.per_code[0].pairs if variant.per_code else []
        pairs = [" × ".join(p.coders) for p in first]
        pair_rows = [[f.code, *(_fmt(p.kappa, 3) for p in f.pairs)] for f in variant.per_code]
        pair_rows.append(["overall (pooled)", *(_fmt(p["kappa"], 3) for p in overall.pairs)])
        pair_rows.append(["mean per code", *(_fmt(p["mean_kappa"], 3) for p in overall.pairs)])
        _print_table("Cohen's kappa per pair of coders", ["code", *pairs], pair_rows)
        click.echo(
            f"with {len(coders)} coders: 'some' counts units coded by more than one coder but"
            " not by all; percent is the mean over the pairs of coders of their percent"
            " agreement; kappa is given per pair"
        )


@cli.command(context_settings=_EXTRA_CODERS)
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@CODERS_OPTION
@CODE_FILTER_OPTION
@click.option("--attr", "attrs", multiple=True, help="Only cases with NAME=VALUE (repeatable).")
@click.option("--coded-only", is_flag=True, help="Show the figures without segments nobody coded.")
@click.option("--characters", is_flag=True, help="Show the character-level figures.")
@click.option("--json", "as_json", is_flag=True, help="Print all variants as JSON.")
@click.pass_context
@_core_errors
def agreement(
    ctx: click.Context,
    project: str,
    first_coder: str | None,
    code_ids: tuple[str, ...],
    attrs: tuple[str, ...],
    coded_only: bool,
    characters: bool,
    as_json: bool,
) -> None:
    """Inter-coder agreement per code and overall: percent, Cohen's kappa, Krippendorff's
    alpha, on the documents every coder coded, e.g. `agreement P --coders ann bob`.

    The unit is the segment (a code counts for a segment when a coding of it covers at
    least half of the segment or half of the coding); --coded-only leaves out segments
    nobody coded, --characters compares non-whitespace characters. The JSON holds all
    three variants.
    """
    from frisat_qual.agreement import agreement as compute

    if coded_only and characters:
        raise click.ClickException("choose --coded-only or --characters, not both")
    from frisat_qual.store.documents import list_documents

    coders = _coders(first_coder, ctx)
    with _open(project) as proj:
        many = len(list_documents(proj)) > AGREEMENT_PROGRESS_MIN_DOCUMENTS
        with _progress("Comparing", many and sys.stderr.isatty()) as progress:
            report = compute(
                proj,
                coders,
                codes=list(code_ids) or None,
                attributes=_attributes(attrs),
                progress=progress,
            )
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return
    shown = "characters" if characters else "coded_only" if coded_only else "segments"
    _agreement_header(report, shown)
    _agreement_tables(report, shown)


@cli.command(context_settings=_EXTRA_CODERS)
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@CODER_PAIR_OPTION
@CODE_FILTER_OPTION
@click.option("--attr", "attrs", multiple=True, help="Only cases with NAME=VALUE (repeatable).")
@click.option("--unresolved", is_flag=True, help="Only the disagreements not yet resolved.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@_core_errors
def disagreements(
    ctx: click.Context,
    project: str,
    first_coder: str | None,
    code_ids: tuple[str, ...],
    attrs: tuple[str, ...],
    unresolved: bool,
    as_json: bool,
) -> None:
    """List where two coders differ: one line per (document, segment, code) with its id
    (for `resolve`), who coded it, the decision if resolved, and the segment's text."""
    from frisat_qual.agreement import disagreements as find

    with _open(project) as proj:
        found = find(
            proj,
            _coders(first_coder, ctx),
            codes=list(code_ids) or None,
            attributes=_attributes(attrs),
            unresolved=unresolved,
        )
    if as_json:
        data = [
            {
                "id": d.id,
                "document": d.document,
                "segment": d.segment,
                "start": d.start,
                "end": d.end,
                "code": d.code,
                "label": d.label,
                "has": list(d.has),
                "lacks": list(d.lacks),
                "codings": {c: d.coding_ids(c) for c in d.coders},
                "text": d.text,
                "resolution": None
                if d.resolution is None
                else {
                    "decision": d.resolution.decision,
                    "kept": list(d.resolution.kept),
                    "consensus": d.resolution.consensus,
                    "codings": list(d.resolution.codings),
                    "memo": d.resolution.memo,
                    "resolved_by": d.resolution.resolved_by,
                    "created": d.resolution.created,
                },
            }
            for d in found
        ]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for d in found:
        snippet = " ".join(d.text.split())
        snippet = snippet if len(snippet) <= 70 else snippet[:67] + "..."
        decision = d.resolution.describe() if d.resolution else "unresolved"
        click.echo(f"{d.id}\t{', '.join(d.has)} only\t{decision}\t{snippet}")
    resolved = sum(1 for d in found if d.resolution)
    click.echo(f"{len(found)} disagreement(s), {resolved} resolved", err=True)


@cli.command(context_settings=_EXTRA_CODERS)
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.argument("disagreement_id", metavar="ID")
@click.argument("decision", type=click.Choice(["keep-a", "keep-b", "keep-both", "discuss"]))
@click.option("--memo", help="What to discuss (needed for discuss), or a note on the decision.")
@CODER_PAIR_OPTION
@click.option(
    "--consensus",
    default="consensus",
    show_default=True,
    help="The coder the agreed codings are written under.",
)
@CODER_OPTION
@click.pass_context
@_core_errors
def resolve(
    ctx: click.Context,
    project: str,
    disagreement_id: str,
    decision: str,
    memo: str | None,
    first_coder: str | None,
    consensus: str,
    coder: str | None,
) -> None:
    """Resolve disagreement ID (from `disagreements`): keep-a or keep-b keeps that coder's
    codings, keep-both the union, discuss records a memo; the agreed codings go to the
    consensus coder, the coders' own codings stay as they are. Undo with `undo`."""
    from frisat_qual.agreement import consensus_shared_with
    from frisat_qual.agreement import resolve as decide

    with _open(project) as proj:
        item = decide(
            proj,
            disagreement_id,
            decision,
            resolved_by=_coder(coder),
            coders=_coders(first_coder, ctx),
            memo=memo,
            consensus=consensus,
        )
        shared = consensus_shared_with(proj, item.resolution.consensus, item.coders)
    res = item.resolution
    click.echo(f"{item.id}: {res.describe()} ({_consensus_held(res, item.code)})")
    if res.other:
        ids = ", ".join(str(i) for i in res.other)
        click.echo(
            f"note: {res.consensus} also has coding {ids} of {item.code} here, which no"
            f" decision made (coded by hand or imported); it stays: remove it with"
            f" `frisat-qual uncode {project} ID` if the decision stands",
            err=True,
        )
    _shared_consensus_note(res.consensus, shared)


def _consensus_held(res: Any, code: str) -> str:
    """What a decision left the consensus coder holding, in words."""
    if not res.held:
        return f"{res.consensus} has no coding of {code} from this decision"
    ids = ", ".join(str(i) for i in res.held)
    return f"{res.consensus} codes it here: coding {ids}"


def _shared_consensus_note(consensus: str, shared: Sequence[tuple[str, str]]) -> None:
    if shared:
        pairs = "; ".join(f"{a} × {b}" for a, b in shared)
        click.echo(
            f"note: consensus coder {consensus!r} also holds decisions of {pairs}; where two"
            f" pairs decide one segment it has the code if either decision keeps it"
            " (give each pair its own with --consensus NAME to keep them apart)",
            err=True,
        )


@cli.command(context_settings=_EXTRA_CODERS)
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@CODER_PAIR_OPTION
@click.option(
    "--consensus",
    default="consensus",
    show_default=True,
    help="The coder the agreed codings are written under.",
)
@CODE_FILTER_OPTION
@click.option("--attr", "attrs", multiple=True, help="Only cases with NAME=VALUE (repeatable).")
@CODER_OPTION
@click.pass_context
@_core_errors
def consensus(
    ctx: click.Context,
    project: str,
    first_coder: str | None,
    consensus: str,
    code_ids: tuple[str, ...],
    attrs: tuple[str, ...],
    coder: str | None,
) -> None:
    """Complete the consensus coding with what coders A and B agree on: where both applied
    a code to a segment, A's codings of it (A is the lead coder) go to the consensus coder,
    as `resolve ... keep-a` would. Units settled before are left alone, so running it again
    adds nothing; resolve the disagreements with `resolve`. Undo with `undo`."""
    from frisat_qual.agreement import adopt_agreements
    from frisat_qual.store.documents import list_documents

    with _open(project) as proj:
        many = len(list_documents(proj)) > AGREEMENT_PROGRESS_MIN_DOCUMENTS
        with _progress("Adopting", many and sys.stderr.isatty()) as progress:
            report = adopt_agreements(
                proj,
                _coders(first_coder, ctx),
                consensus=consensus,
                resolved_by=_coder(coder),
                codes=list(code_ids) or None,
                attributes=_attributes(attrs),
                progress=progress,
            )
    a, b = report.coders
    skipped = f", {report.skipped} coded by one of them only (skipped)" if report.skipped else ""
    click.echo(f"{a} × {b} into {report.consensus}: {report.documents} document(s){skipped}")
    click.echo(f"agreed (segment, code) units: {report.agreed}")
    click.echo(
        f"adopted now: {report.adopted} ({report.copied} coding(s) of {a} copied,"
        f" {report.present} already held by {report.consensus})"
    )
    click.echo(f"settled before: {report.settled}")
    click.echo(f"disagreements unresolved: {report.unresolved}")
    _shared_consensus_note(report.consensus, report.shared_with)


# -- merge -----------------------------------------------------------------------------------


@cli.command()
@click.argument("a", type=click.Path(dir_okay=False))
@click.argument("b", type=click.Path(dir_okay=False))
@click.option(
    "-o", "--output", "out", required=True, type=click.Path(dir_okay=False), help="New project."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@_core_errors
def merge(a: str, b: str, out: str, as_json: bool) -> None:
    """Merge two coders' copies A and B of one study into the new project OUT.

    Documents are matched by their text, codes by id (conflicts listed, A's kept, B's in a
    memo), codings keep their coder; A and B are not changed.
    """
    from frisat_qual.exchange.merge import merge_projects

    # a terminal only: rich leaves a blank line behind on a pipe
    with _progress("Merging", sys.stderr.isatty()) as progress:
        report = merge_projects(a, b, out, progress=progress)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"merged {report.a} (A) and {report.b} (B) into {report.out}")
    _print_table(
        "Rows by origin",
        ["", "from A", "from B", "in both", "in OUT"],
        [[name, t.from_a, t.from_b, t.both, t.total] for name, t in report.counts.items()],
    )
    if report.merge_memos:
        click.echo(f"plus {report.merge_memos} memo(s) by 'merge' with B's version of a code")
    _print_table(
        "Codings by coder",
        ["coder", "in A", "in B", "in both", "in OUT"],
        [[coder, c.a, c.b, c.both, c.total] for coder, c in report.coders.items()],
    )
    if report.conflicts:
        _print_table(
            f"Conflicts ({len(report.conflicts)})",
            ["kind", "subject", "field", "A", "B", "resolution"],
            [[c.kind, c.subject, c.field, c.a, c.b, c.resolution] for c in report.conflicts],
        )
    else:
        click.echo("no conflicts")
    if report.overlaps:
        _print_table(
            "Same coder, different codings of a document in A and B (all kept)",
            ["coder", "document", "only in A", "only in B", "in both"],
            [[o.coder, o.document, o.only_a, o.only_b, o.both] for o in report.overlaps],
        )
    for note in report.notes:
        click.echo(f"note: {note}")


# -- backups and checks ----------------------------------------------------------------------

#: Backups, restores and checks of files larger than this show a progress bar.
PROGRESS_MIN_BYTES = 50_000_000


def _size(n: int) -> str:
    if n < 1000:
        return f"{n} bytes"
    for power, unit in ((1, "KB"), (2, "MB"), (3, "GB")):
        if n < 1000 ** (power + 1) or unit == "GB":
            return f"{n / 1000**power:.1f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def _big(path: str) -> bool:
    try:
        return Path(path).stat().st_size > PROGRESS_MIN_BYTES
    except OSError:
        return False


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(dir_okay=False),
    help="Write the backup to FILE (never overwritten) instead of the backup folder.",
)
@click.option(
    "--keep",
    type=click.IntRange(min=0),
    help="Also set how many automatic backups PROJECT keeps (default 5; 0 turns them off).",
)
@_core_errors
def backup(project: str, out: str | None, keep: int | None) -> None:
    """Back PROJECT up into its backup folder (NAME-backups/ beside it) or to FILE.

    Safe while the project is open elsewhere: the backup holds exactly the work saved
    when it started, and is verified before it is reported.
    """
    from frisat_qual.exchange.backup import (
        backup_folder,
        backup_project,
        read_backup,
        set_backup_keep,
    )

    if keep is not None:
        set_backup_keep(project, keep)
    with _progress("Backing up", _big(project)) as progress:
        made = read_backup(backup_project(project, out, progress=progress))
    click.echo(
        f"Backed up {project} to {made.path} ({made.documents} documents,"
        f" {made.codings} codings, {_size(made.size)})"
    )
    if keep is not None:
        click.echo(
            f"Automatic backups in {backup_folder(project)}: the last {keep} are kept"
            if keep
            else "Automatic backups are off for this project"
        )


@cli.command()
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@_core_errors
def backups(project: str) -> None:
    """List the backups of PROJECT, newest first, with what each holds."""
    from frisat_qual.exchange.backup import backup_folder, backup_keep, list_backups

    found = list_backups(project)
    folder = backup_folder(project)
    if not found:
        click.echo(f"No backups of {project} yet (they go in {folder}); make one with")
        click.echo(f"  frisat-qual backup {project}")
    else:
        click.echo(f"Backups of {project} in {folder}, newest first:")
        rows = []
        for b in found:
            held = (
                [str(b.schema_version), str(b.documents), str(b.codings)]
                if b.problem is None
                else ["-", "-", "-"]
            )
            when = b.created.strftime("%Y-%m-%d %H:%M:%S")
            rows.append([when, b.kind, _size(b.size), *held, b.path.name])
        header = ["created (UTC)", "kind", "size", "schema", "documents", "codings", "file"]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        for b in found:
            if b.problem is not None:
                click.echo(f"unreadable: {b.path.name}: {b.problem}")
    keep = backup_keep(project)
    click.echo(
        f"Automatic backups (made when the TUI opens the project): the last {keep} are kept"
        if keep
        else f"Automatic backups are off (`frisat-qual backup {project} --keep 5` turns them on)"
    )


@cli.command()
@click.argument("backup_file", metavar="BACKUP", type=click.Path(exists=True, dir_okay=False))
@click.argument("project", type=click.Path(dir_okay=False))
@click.option(
    "--force",
    is_flag=True,
    help="Replace an existing PROJECT (a copy of it is kept in its backup folder first).",
)
@_core_errors
def restore(backup_file: str, project: str, force: bool) -> None:
    """Restore PROJECT from BACKUP (a backup file of it, or any project file)."""
    from frisat_qual.exchange.backup import read_backup, restore_backup

    existed = Path(project).exists()
    with _progress("Restoring", _big(backup_file)) as progress:
        kept = restore_backup(backup_file, project, force=force, progress=progress)
    now = read_backup(project)
    click.echo(
        f"Restored {project} from {backup_file} ({now.documents} documents, {now.codings} codings)"
    )
    if kept is not None and existed:
        click.echo(f"The project it replaced is kept as {kept}")
    elif kept is not None:
        click.echo(
            f"SQLite's log left beside {project} by an earlier file of that name was not"
            f" applied; it is kept as {kept}"
        )


@cli.command()
@click.argument("project", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@_core_errors
def check(project: str, as_json: bool) -> None:
    """Check PROJECT for damage and broken rules without changing it.

    Exit code 1 when an error is found, 0 otherwise (warnings included).
    """
    from frisat_qual.exchange.backup import check_project

    with _progress("Checking", _big(project) and not as_json) as progress:
        report = check_project(project, progress=progress)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    elif not report.problems:
        passed = ", ".join(f"{name} ok" for name in report.passed if name != "schema")
        click.echo(
            f"No problems found in {project} ({report.documents} documents,"
            f" {report.codings} codings; {report.schema}; {passed})"
        )
    else:
        for problem in report.problems:
            click.echo(f"{problem.severity}: {problem.where}: {problem.message}")
            if problem.fix:
                click.echo(f"  what to do: {problem.fix}")
            if problem.raw:
                lines = problem.raw.splitlines()
                more = f" (and {len(lines) - 3} more lines)" if len(lines) > 3 else ""
                click.echo(f"  SQLite said: {' | '.join(lines[:3])}{more}")
        errors, warnings = len(report.errors), len(report.warnings)
        click.echo(
            f"{errors} error{'s' if errors != 1 else ''}, {warnings}"
            f" warning{'s' if warnings != 1 else ''} in {project}"
            + (f"; passed: {', '.join(report.passed)}" if report.passed else "")
        )
    if not report.ok:
        sys.exit(1)


@cli.group()
def exchange() -> None:
    """Exchange projects with NVivo, ATLAS.ti, MAXQDA, QualCoder (REFI-QDA .qdpx)."""


@exchange.command("export")
@click.argument("project", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="The .qdpx to write."
)
@click.option("--coder", "coders", multiple=True, help="Only this coder's codings (repeatable).")
@click.option("--force", is_flag=True, help="Replace an existing .qdpx file.")
@_core_errors
def exchange_export(project: str, output: str, coders: tuple[str, ...], force: bool) -> None:
    """Export PROJECT as a REFI-QDA project file for other QDA tools; lists what REFI-QDA
    has no place for (the survey, older document versions)."""
    from frisat_qual.exchange.qdpx_export import export_qdpx
    from frisat_qual.resources import configured_coder

    with _open(project) as proj, _progress("Exporting", True) as progress:
        report = export_qdpx(
            proj,
            output,
            coders=list(coders) or None,
            progress=progress,
            # only a name the researcher chose, never the login name of the machine
            exported_by=configured_coder(),
            overwrite=force,
        )
    for line in report.lines():
        click.echo(line)


@exchange.command("import")
@click.argument("qdpx", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="The new project."
)
@click.option(
    "--coder",
    default="imported",
    show_default=True,
    help="Coder of the codings whose user the file does not name.",
)
@_core_errors
def exchange_import(qdpx: str, output: str, coder: str) -> None:
    """Make a new project from a REFI-QDA project file (.qdpx) of another tool, and list
    what did not map (pictures, PDFs, media, sets, selections that do not fit their text)."""
    from frisat_qual.exchange.qdpx_import import import_qdpx

    with _progress("Importing", True) as progress:
        report = import_qdpx(qdpx, output, coder_fallback=coder, progress=progress)
    for line in report.lines():
        click.echo(line)
