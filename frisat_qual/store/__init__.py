"""The project store: one SQLite file per project, the only package that speaks SQL.

Open a project with `open_project(path)` or make one with `create_project(path)`; both
return a `Project` handle that the other store modules take as their first argument.
"""

from frisat_qual.store.project import (
    PROJECT_SUFFIX,
    Project,
    create_project,
    open_project,
)

__all__ = ["PROJECT_SUFFIX", "Project", "create_project", "open_project"]
