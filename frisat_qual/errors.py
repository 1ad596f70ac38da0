"""The few error types the core raises.

Every message is written for a researcher: one line that names the file, line, field or
value at fault. The CLI turns a FrisatError into a one-line error and exit code 1; the TUI
shows it as an error notification. Anything else escaping is a bug.
"""


class FrisatError(Exception):
    """Base class: bad input or a request the project cannot honour."""


class ProjectError(FrisatError):
    """The project file is missing, locked, corrupt or of a newer schema."""


class ImportError_(FrisatError):  # noqa: N801 - trailing underscore avoids the builtin
    """A source file or manifest could not be imported."""


class ManifestError(ImportError_):
    """The case manifest CSV is malformed."""


class SurveyFileError(ImportError_):
    """A survey file has problems; `problems` holds one line for each (file, line or row,
    column and value). `rows_only` says that every problem is in a respondent's row, so
    the good rows could be imported on their own."""

    def __init__(self, problems: list[str], *, rows_only: bool = False):
        super().__init__("\n".join(problems))
        self.problems = list(problems)
        self.rows_only = rows_only


class CodebookError(FrisatError):
    """A codebook file or a codebook change is invalid."""


class NotFound(FrisatError):
    """A document, code, coding or case named by the user does not exist."""
