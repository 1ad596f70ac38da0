"""Running core work from a Textual thread worker on the worker's own project connection.

sqlite3 connections belong to the thread that made them, so a worker reopens the project,
runs the core function, closes the connection and reports back by message: only message
handlers touch widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from textual.message import Message
from textual.screen import Screen
from textual.worker import get_current_worker

from frisat_qual.errors import FrisatError
from frisat_qual.store.project import Project

T = TypeVar("T")


def run_in_worker(
    screen: Screen,
    compute: Callable[[Project], T],
    done: Callable[[T], Message],
    failed: Callable[[str], Message],
) -> None:
    """Call inside a thread worker: `compute(project)` on a fresh connection, then post
    `done(result)` (unless the worker was cancelled) or `failed(message)` for a
    FrisatError."""
    worker = get_current_worker()
    project = screen.app.project.reopen()
    try:
        result = compute(project)
    except FrisatError as exc:
        screen.post_message(failed(str(exc)))
        return
    finally:
        project.close()
    if not worker.is_cancelled:
        screen.post_message(done(result))
