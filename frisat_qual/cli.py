"""The `frisat-qual` command line: thin click commands over the core use cases.

Plain `frisat-qual` opens the TUI on the demo project, `frisat-qual PROJECT` on that
project. Core errors (FrisatError) become one-line click errors with exit code 1.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
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


def _open(path: str):
    from frisat_qual.store import open_project

    return open_project(path)


@click.group(cls=_OpenByDefault, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="frisat-qual")
def cli() -> None:
    """frisat-qual: code Danish interview transcripts on frisættelse.

    Run without arguments to open the demo project in the terminal UI, or give a project
    file to open it.
    """


@cli.command("open")
@click.argument("project", required=False, type=click.Path(dir_okay=False))
@_core_errors
def open_cmd(project: str | None) -> None:
    """Open PROJECT (default: the demo project) in the terminal UI."""
    if project is None:
        from frisat_qual.demo import default_demo_path, ensure_demo_project

        fresh = not default_demo_path().exists()
        with _progress("Creating the demo project", fresh) as progress:
            project = str(ensure_demo_project(progress=progress))
    elif not Path(project).exists():
        raise click.ClickException(
            f"{project}: no such project file (make one with `frisat-qual new`)"
        )
    from frisat_qual.tui.app import make_app

    make_app(Path(project)).run()


@cli.command()
@click.argument("project", type=click.Path(dir_okay=False))
@_core_errors
def new(project: str) -> None:
    """Create an empty PROJECT file."""
    from frisat_qual.store import create_project

    create_project(project).close()
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
@_core_errors
def demo(path: str | None) -> None:
    """Create (or find) the demo project and print its path."""
    from frisat_qual.demo import default_demo_path, ensure_demo_project

    target = Path(path) if path else default_demo_path()
    fresh = not (target / "demo.frisat" if target.is_dir() else target).exists()
    with _progress("Creating the demo project", fresh) as progress:
        click.echo(ensure_demo_project(path, progress=progress))


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
