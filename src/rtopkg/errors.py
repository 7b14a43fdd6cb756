"""Typed errors of rtopkg, each with the exit code the command line reports.

Every error carries a one-line message that names the file, line, parameter or value at fault. The command
line prints ``rtopkg: <message>`` on standard error and exits with :attr:`RtopkgError.exit_code`; it never
prints a traceback for these.

Exit codes (the command line's contract):

* 0 -- success (conforms, rows found, files written);
* 1 -- a negative answer: violations found, no rows where rows were required, no question matched;
* 2 -- usage or input error: bad option, malformed or unreadable file, invalid parameter, unreachable endpoint;
* 3 -- a limit was hit: the wall-clock limit or a size limit.
"""

from __future__ import annotations

__all__ = [
    "EXIT_OK",
    "EXIT_NEGATIVE",
    "EXIT_INPUT",
    "EXIT_LIMIT",
    "RtopkgError",
    "InputError",
    "SyntaxInputError",
    "ParameterError",
    "UnknownQueryError",
    "RefusedError",
    "LimitExceeded",
    "EndpointError",
    "NegativeResult",
]

EXIT_OK = 0
EXIT_NEGATIVE = 1
EXIT_INPUT = 2
EXIT_LIMIT = 3


def one_line(text: object) -> str:
    """Collapse ``text`` to a single line (errors must never span lines)."""
    return " ".join(str(text).split())


class RtopkgError(Exception):
    """Base class: an expected failure with a one-line message and an exit code."""

    exit_code = EXIT_INPUT

    def __init__(self, message: str):
        super().__init__(one_line(message))

    @property
    def message(self) -> str:
        return str(self)


class InputError(RtopkgError):
    """A file, option or value the user gave cannot be used (missing, unreadable, too large, wrong format)."""


class SyntaxInputError(InputError):
    """A file does not parse. The message is ``file:line:col: reason``."""

    def __init__(self, path: str, line: int | None, column: int | None, reason: str):
        self.path, self.line, self.column, self.reason = path, line, column, one_line(reason)
        where = path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {self.reason}")


class ParameterError(InputError):
    """A query parameter is missing, unknown or has a value of the wrong type."""


class UnknownQueryError(InputError):
    """No stored question has this name."""


class RefusedError(InputError):
    """A request was refused for safety (SERVICE, LOAD, FROM, remote contexts, owl:imports...)."""


class EndpointError(InputError):
    """A remote SPARQL endpoint failed, refused, timed out or returned a truncated answer."""

    def __init__(self, message: str, *, status: int | None = None, kind: str = "error"):
        self.status, self.kind = status, kind
        super().__init__(message)


class LimitExceeded(RtopkgError):
    """A wall-clock or size limit was reached; the message names the limit."""

    exit_code = EXIT_LIMIT


class NegativeResult(RtopkgError):
    """Not an input error: the answer is negative (violations, no rows, no matching question)."""

    exit_code = EXIT_NEGATIVE
