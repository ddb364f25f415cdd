"""One exception family. Library code raises these; only the CLI turns them into `Error: ...` and an exit code."""

from __future__ import annotations


class AnnotateError(Exception):
    """Base of every error the toolkit reports to a user."""


class RecordError(AnnotateError):
    """A record in a JSONL file is malformed. Carries where it is and which field is wrong."""

    def __init__(self, path: str, line: int | None, field: str | None, problem: str, fix: str = "") -> None:
        self.path = path
        self.line = line
        self.field = field
        self.problem = problem
        self.fix = fix
        where = f"{path}:{line}" if line is not None else path
        what = f'field "{field}": {problem}' if field else problem
        super().__init__(f"{where}: {what}" + (f". {fix}" if fix else ""))

    def __reduce__(self) -> tuple:  # pickle by the fields: a Dask worker's error reaches the client intact
        return type(self), (self.path, self.line, self.field, self.problem, self.fix)


class SchemaError(AnnotateError):
    """A label, relation or attribute that the schema does not define, or a broken schema file."""


class ConfigError(AnnotateError):
    """A missing or invalid configuration file, model name or option."""


class ServerError(AnnotateError):
    """Label Studio could not be started, reached or used."""


class ExecutorError(AnnotateError):
    """A Dask scheduler that cannot be reached, has no workers, or lost a partition for good."""


class OutputError(AnnotateError):
    """An output that cannot or must not be written: names the path, the problem and the fix."""

    def __init__(self, path: object, problem: str, fix: str = "") -> None:
        self.path = str(path)
        self.problem = problem
        self.fix = fix
        super().__init__(f"{path}: {problem}" + (f"; {fix}" if fix else ""))

    def __reduce__(self) -> tuple:
        return type(self), (self.path, self.problem, self.fix)
