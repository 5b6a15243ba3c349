"""Write estate's outputs safely: never over an input, never half-written, always marked.

Every file estate writes (the plan workbook, charts, the estate graph, the
validation report, the collection template) goes through :func:`atomic_write`:
the file is written to a temporary file in the same folder (a hidden name,
``.<name>.<random>.tmp``, so that a folder read as inventories passes it over)
and renamed into place only once it is complete. An interrupted or failed
write (Ctrl-C, ``kill``, a full disk, an error while drawing) leaves any older
file at that path as it was, and removes the temporary file.

A destination that cannot be written (a missing folder, a read-only folder, a
full disk) raises :class:`~estate.errors.OutputFileError`, one line naming the
file and what to do.

The plan workbook and the validation report carry a custom document property,
:data:`MARK_PROPERTY`; :func:`written_by_estate` recognises them (and plans
written before the mark, by their document properties), so that the reader
never takes estate's own outputs for inventories. :func:`check_not_input`
refuses an output path that names one of the input files.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> target = folder / "notes.txt"
>>> with atomic_write(target) as temporary:
...     _ = temporary.write_text("complete", encoding="utf-8")
>>> target.read_text(encoding="utf-8"), sorted(p.name for p in folder.iterdir())
('complete', ['notes.txt'])
>>> try:
...     with atomic_write(target) as temporary:
...         _ = temporary.write_text("half", encoding="utf-8")
...         raise RuntimeError("interrupted")
... except RuntimeError:
...     pass
>>> target.read_text(encoding="utf-8"), sorted(p.name for p in folder.iterdir())
('complete', ['notes.txt'])
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from estate.errors import OutputFileError

__all__ = ["MARK_PROPERTY", "REPORT_CSV_HEADER", "atomic_write", "check_not_input", "display_name", "output_error", "printable",
           "written_by_estate"]

MARK_PROPERTY = "Written by estate"
"""The custom document property on the workbooks estate writes as outputs (plans, reports)."""

REPORT_CSV_HEADER = "Source file,Sheet,Source row,Column,Severity,Problem,Value"
"""The first line of a validation report written as CSV (how such a report is recognised)."""

_PLAN_TITLE = "Consolidation plan"  # the title plans have carried since the first release
_PROPERTY_BYTES = 256 * 1024  # more than any document-properties part holds


def display_name(path: str | os.PathLike[str]) -> str:
    """A file's name as text that can be printed and written anywhere.

    A name that is not valid UTF-8 (possible on Linux) reaches Python with
    stand-in characters that cannot be encoded; they become ``\\ufffd``.

    Examples
    --------
    >>> display_name(b"caf\\xe9.csv".decode("utf-8", "surrogateescape"))
    'caf\\ufffd.csv'
    """
    return printable(Path(path).name)


def printable(text: str) -> str:
    """``text`` with any stand-in for an undecodable byte (a lone surrogate) as ``\\ufffd``."""
    name = text
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        name = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        name = name.encode("utf-8", "replace").decode("utf-8")  # any lone surrogate left
    return name


def output_error(path: str | os.PathLike[str], exc: OSError) -> OutputFileError:
    """The one-line error for an output that cannot be written, by the cause in ``exc``."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    code = exc.errno
    if code == errno.ENOENT and not folder.is_dir():
        problem = f"the folder '{printable(str(folder))}' does not exist: make it first, or choose another"
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS):
        problem = "permission denied (a read-only folder or file, or open in another program): choose another place"
    elif code in (errno.ENOSPC, errno.EDQUOT):
        problem = "no space left on the disk: free some space or choose another disk; any older file is unchanged"
    elif code == errno.EISDIR or path.is_dir():
        problem = "a folder of that name exists: give a file name"
    elif code == errno.ENOTDIR:
        problem = "part of the path is a file, not a folder: check the path"
    else:
        problem = f"{exc.strerror or type(exc).__name__}: check the path"
    return OutputFileError(path, f"cannot write it: {problem}")


@contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` if the block completes.

    Parameters
    ----------
    path : str or path-like
        The file to write. Its folder must exist.

    Yields
    ------
    Path
        The temporary file to write (it does not exist yet), with the same
        suffix as ``path`` so that libraries choosing a format by the suffix
        choose the same one.

    Raises
    ------
    OutputFileError
        The folder is missing, read-only or full (one line naming the file).

    Notes
    -----
    If the block raises (or the process is interrupted), the temporary file is
    removed and ``path`` is not touched. The rename is atomic on one file
    system (``os.replace``), so a reader sees the old file or the new one,
    never a part of one; of two runs writing the same path, the last to finish
    wins, whole.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise OutputFileError(target, "cannot write it: a folder of that name exists: give a file name")
    if not folder.is_dir():
        raise output_error(target, FileNotFoundError(errno.ENOENT, "No such file or directory"))
    temporary = folder / f".{target.stem}.{secrets.token_hex(4)}.tmp{target.suffix}"
    try:
        # Claim the name (and find out now whether the folder can be written at all).
        with open(temporary, "xb"):
            pass
    except OSError as exc:
        raise output_error(target, exc) from None
    done = False
    try:
        try:
            yield temporary
            _flush(temporary)
            os.replace(temporary, target)
            done = True
        except OSError as exc:
            raise output_error(target, exc) from exc
    finally:
        if not done:
            try:
                temporary.unlink()
            except OSError:
                pass


def _flush(path: Path) -> None:
    """Make a written file durable before it is renamed over an older one."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot fsync a read-only handle: the rename still protects the old file
        pass
    finally:
        os.close(fd)


def check_not_input(out: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]], *,
                    option: str = "--out") -> None:
    """Refuse an output path that names one of the input files (or an input folder).

    An earlier plan or report inside an input folder is not an input (the
    reader passes it over), so writing over it is allowed.

    Parameters
    ----------
    out : str or path-like
        The output file.
    inputs : iterable of str or path-like
        The input files and folders, as given; a folder's files are compared
        too.

    Raises
    ------
    OutputFileError
        ``out`` is an input file (by its real path: links and ``..`` do not
        hide it), or an input folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "eden.csv").write_text("System\\nRevs\\n", encoding="utf-8")
    >>> check_not_input(folder / "plan.xlsx", [folder])
    >>> try:
    ...     check_not_input(folder / "sub" / ".." / "eden.csv", [folder])
    ... except ValueError as error:
    ...     print(error)
    eden.csv: --out names an input file: give the output another name, so the input is not overwritten
    """
    from estate.safety import find_input_files

    target = _real(out)
    existing = [Path(p) for p in inputs if Path(p).exists()]
    for given in existing:
        if _real(given) == target:
            what = "an input folder" if given.is_dir() else "an input file"
            raise OutputFileError(Path(out), f"{option} names {what}: give the output another name, so the "
                                             "input is not overwritten")
    files, _ = find_input_files(existing)
    # An earlier output in an input folder is not read as an input: writing over it is what is asked.
    if any(_real(file) == target and written_by_estate(file) is None for file in files):
        raise OutputFileError(Path(out), f"{option} names an input file: give the output another name, so the "
                                         "input is not overwritten")


def _real(path: str | os.PathLike[str]) -> str:
    return os.path.normcase(os.path.realpath(path))


def written_by_estate(path: str | os.PathLike[str]) -> str | None:
    """What estate output a file is (``"plan"``, ``"report"``), or None for any other file.

    A workbook is recognised by :data:`MARK_PROPERTY` among its custom
    document properties, or (plans written before the mark) by the title and
    author estate gives a plan; a CSV by the header line of a validation
    report. Only the small document-properties parts (or a CSV's first line)
    are read. The collection template is not an output: filled in, it is an
    inventory.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "issues.csv"
    >>> _ = p.write_text(REPORT_CSV_HEADER + "\\n", encoding="utf-8-sig")
    >>> written_by_estate(p)
    'report'
    """
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            with path.open("rb") as stream:
                first = stream.read(len(REPORT_CSV_HEADER) + 8).decode("utf-8-sig", "replace")
            return "report" if first.splitlines()[:1] == [REPORT_CSV_HEADER] else None
        if suffix not in (".xlsx", ".xlsm"):
            return None
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            custom = _small_part(archive, "docProps/custom.xml") if "docProps/custom.xml" in names else b""
            core = _small_part(archive, "docProps/core.xml") if "docProps/core.xml" in names else b""
    except (OSError, zipfile.BadZipFile, ValueError, EOFError):
        return None
    found = re.search(rb'name="' + re.escape(MARK_PROPERTY.encode()) + rb'"[^>]*>\s*<vt:lpwstr>([a-z]+)<', custom)
    if found:
        return found.group(1).decode()
    if re.search(rb"<dc:title>" + _PLAN_TITLE.encode() + rb"</dc:title>", core) and re.search(
            rb"<dc:creator>estate</dc:creator>", core):
        return "plan"
    return None


def _small_part(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as stream:
        return stream.read(_PROPERTY_BYTES)
