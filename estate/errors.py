"""The one tree of errors estate raises.

Every error a user can cause is an :class:`EstateError`, and each member also
subclasses the builtin a user would already catch (``ValueError``, ``OSError``),
so ``except ValueError`` keeps working in notebooks.

Errors are split by whose fault they are:

* :class:`InputFileError` and its members: a file the user gave cannot be read
  (not a spreadsheet, corrupt, password-protected, an XML or zip bomb, too
  large, empty, no recognisable header). The message is one line and names the
  file.
* :class:`ParameterError`: a bad argument or assumption value; its member
  :class:`OutputFileError`: an output that cannot be written where asked (a
  missing or read-only folder, a full disk, or a path naming an input).
* :class:`SolverError`: the optimiser did not reach a proven optimum.

Data problems inside a readable file are *not* raised: they are collected as
data issues so a consultant can fix a whole spreadsheet in one pass.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "EmptyFileError",
    "EstateError",
    "FileTooLargeError",
    "InputFileError",
    "NoHeaderError",
    "NotASpreadsheetError",
    "OutputFileError",
    "ParameterError",
    "PasswordProtectedError",
    "SolverError",
    "UnsafeFileError",
]


class EstateError(Exception):
    """Base class of every error estate raises on purpose."""


class InputFileError(EstateError, ValueError):
    """A file given as input cannot be read.

    Parameters
    ----------
    path : str or Path
        The file.
    problem : str
        What is wrong, in one line, without the file name.
    """

    def __init__(self, path: str | Path, problem: str) -> None:
        from estate.outputs import display_name

        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{display_name(self.path)}: {problem}")


class NotASpreadsheetError(InputFileError):
    """The file is not an .xlsx, .xlsm or .csv workbook, or is corrupt."""


class PasswordProtectedError(InputFileError):
    """The workbook is encrypted with a password."""


class UnsafeFileError(InputFileError):
    """The file looks hostile: an XML entity bomb or a zip bomb."""


class FileTooLargeError(InputFileError):
    """The file is over the configured size limit."""


class EmptyFileError(InputFileError):
    """The file holds no data at all."""


class NoHeaderError(InputFileError):
    """No sheet of the file has a header row estate recognises."""


class ParameterError(EstateError, ValueError):
    """An argument or assumption has a value estate cannot use."""


class OutputFileError(ParameterError, OSError):
    """An output cannot be written where asked: the folder is missing, read-only or full, or it names an input.

    It is both a :class:`ParameterError` (a ``ValueError``: the path given is
    unusable) and an ``OSError`` (the file system said no), so either
    ``except`` catches it.

    Parameters
    ----------
    path : str or Path
        The output file.
    problem : str
        What is wrong, in one line, without the file name.
    """

    def __init__(self, path: str | Path, problem: str) -> None:
        from estate.outputs import display_name

        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{display_name(self.path) or self.path}: {problem}")


class SolverError(EstateError, RuntimeError):
    """The portfolio optimiser did not prove its answer optimal."""
