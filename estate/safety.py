"""Decide whether an input file is safe and readable before any parser opens it.

Every inventory file goes through :func:`check_file` before a spreadsheet
library touches it, so that a bad file (not a spreadsheet, corrupt,
password-protected, an XML or zip bomb, too large, empty) gives one clear line
naming the file and saying what to do, never a traceback from deep inside a
parser. :func:`find_input_files` turns the files and folders a user gives into
the list of files to read.

Checks
------
:func:`check_file` runs these checks in order and raises the first
:class:`~estate.errors.InputFileError` that applies:

1. the path is an existing regular file that can be opened;
2. it is not empty (0 bytes) - :class:`~estate.errors.EmptyFileError`;
3. it is not over the size limit - :class:`~estate.errors.FileTooLargeError`;
4. its suffix (ignoring case) is ``.xlsx``, ``.xlsm`` or ``.csv``; a legacy
   ``.xls``, an ``.ods``, a PDF... gets a
   :class:`~estate.errors.NotASpreadsheetError` saying how to convert it;
5. a workbook is a zip archive holding an Excel workbook: an Office binary
   (OLE2) file renamed ``.xlsx`` is either encrypted
   (:class:`~estate.errors.PasswordProtectedError`) or an old ``.xls``; a file
   that is not a zip, a damaged zip, or a zip without ``xl/workbook.xml`` and
   ``[Content_Types].xml`` is a :class:`~estate.errors.NotASpreadsheetError`;
6. a workbook is not hostile (:class:`~estate.errors.UnsafeFileError`): no part
   name leaving the archive (``..``, absolute paths), no duplicate parts, no
   zip bomb (parts expanding past :data:`DEFAULT_MAX_UNCOMPRESSED` in all, or one
   part over 1 MB expanding more than :data:`MAX_COMPRESSION_RATIO` times), and
   no XML part declaring a DTD or entities (an XML "billion laughs" bomb or an
   external entity attack; OOXML never legitimately has a DTD);
7. the workbook's small structural parts (``[Content_Types].xml``,
   ``xl/workbook.xml`` and the relationship parts) are well-formed XML;
8. a CSV is text: no NUL bytes, not a zip, Office binary or PDF file, not UTF-16,
   and holds at least one value - otherwise
   :class:`~estate.errors.NotASpreadsheetError` or
   :class:`~estate.errors.EmptyFileError`.

Nothing is ever expanded before it is checked: parts are streamed, the entity
check reads only each XML part's prolog (what comes before its first element),
and no part is read whole into memory. The zip limits are read from this
module's constants when :func:`check_file` runs, so a test may patch them.
"""

from __future__ import annotations

import math
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Literal
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

import defusedxml.ElementTree
from defusedxml import DefusedXmlException

from estate.errors import (
    EmptyFileError,
    FileTooLargeError,
    InputFileError,
    NotASpreadsheetError,
    PasswordProtectedError,
    UnsafeFileError,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_UNCOMPRESSED",
    "MAX_COMPRESSION_RATIO",
    "SPREADSHEET_SUFFIXES",
    "check_file",
    "find_input_files",
    "load_yaml",
    "read_text_csv",
]

DEFAULT_MAX_BYTES: int = 50 * 1024 * 1024
"""Files over this many bytes are refused (raise it with ``max_bytes``)."""

DEFAULT_MAX_UNCOMPRESSED: int = 1024 * 1024 * 1024
"""Most bytes the parts of one workbook may expand to, all together."""

MAX_COMPRESSION_RATIO: int = 200
"""A part over 1 MB that expands more than this many times is a zip bomb."""

SPREADSHEET_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm", ".csv")
"""The file suffixes estate reads, in lower case."""

FileKind = Literal["xlsx", "csv"]

_MEGABYTE = 1024 * 1024
_RATIO_MIN_BYTES = _MEGABYTE  # a part must be over this for the ratio check
_HEAD_BYTES = 64 * 1024  # how much of a part or CSV is sniffed
_CSV_HEAD_BYTES = 8 * 1024
_MAX_PROLOG_BYTES = _MEGABYTE  # most an XML part may hold before its first element
_MAX_PARTS = 100_000  # more parts than any real workbook has
_MAX_DIRECTORY_BYTES = 8 * 1024 * 1024  # a zip directory listing about 100,000 parts
_CHUNK_BYTES = _MEGABYTE

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ZIP_END_MAGIC = b"PK\x05\x06"
_UTF8_BOM = b"\xef\xbb\xbf"
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_STRUCTURE_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
_REFUSED = "refused; ask the sender for a copy saved by Excel"
_ACCEPTED = "estate reads .xlsx, .xlsm and .csv files"
_SAVE_AS_XLSX = "open it in Excel and save it as .xlsx (File > Save As > Excel Workbook)"
_REPAIR = "get a fresh copy, or open it in Excel (which offers to repair it) and save it again"
_CSV_BLANK_BYTES = b" \t\r\n\x0b\x0c,;|\""

# Spreadsheets and documents estate does not read, with how to convert them.
_OTHER_SUFFIXES: dict[str, str] = {
    ".xls": "legacy .xls workbook: save it as .xlsx (in Excel: File > Save As > Excel Workbook)",
    ".xlsb": "binary .xlsb workbook: save it as .xlsx (in Excel: File > Save As > Excel Workbook)",
    ".xlt": "legacy .xlt Excel template: save it as an .xlsx workbook",
    ".xltx": "Excel template (.xltx): save it as an .xlsx workbook (File > Save As > Excel Workbook)",
    ".xltm": "Excel template (.xltm): save it as an .xlsx workbook (File > Save As > Excel Workbook)",
    ".ods": "OpenDocument spreadsheet (.ods): save it as .xlsx (File > Save As > Excel 2007-365)",
    ".fods": "flat OpenDocument spreadsheet (.fods): save it as .xlsx (File > Save As > Excel 2007-365)",
    ".numbers": "Apple Numbers file: export it as .xlsx (File > Export To > Excel)",
    ".tsv": "tab-separated text (.tsv): save it as .csv or .xlsx",
    ".txt": "text file (.txt): save it as .csv or .xlsx, or rename it .csv if it is comma-separated",
    ".zip": f"zip archive, not a spreadsheet: extract it and give estate the folder; {_ACCEPTED}",
}

# What other common files are, for the generic message.
_DOCUMENT_KINDS: dict[str, str] = {
    ".pdf": "PDF document",
    ".doc": "Word document",
    ".docx": "Word document",
    ".docm": "Word document",
    ".odt": "OpenDocument text",
    ".rtf": "rich text document",
    ".ppt": "PowerPoint presentation",
    ".pptx": "PowerPoint presentation",
    ".odp": "OpenDocument presentation",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".gif": "image",
    ".bmp": "image",
    ".tif": "image",
    ".tiff": "image",
    ".htm": "web page",
    ".html": "web page",
    ".json": "JSON file",
    ".xml": "XML file",
    ".md": "Markdown text",
    ".msg": "Outlook message",
    ".eml": "e-mail message",
}

# Suffixes returned from a folder even though check_file refuses them: they
# are someone's inventory in the wrong format, so they must be reported as
# errors, not dropped quietly with an organisation's data in them.
_REFUSED_SPREADSHEET_SUFFIXES = frozenset({".xls", ".xlsb", ".xlt", ".xltx", ".xltm", ".ods", ".fods", ".numbers"})


def check_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> FileKind:
    """Raise the right :class:`~estate.errors.InputFileError` or return the kind of file.

    Parameters
    ----------
    path : str or Path
        An input file.
    max_bytes : int, default=DEFAULT_MAX_BYTES
        Largest file size accepted, in bytes.

    Returns
    -------
    {"xlsx", "csv"}
        ``"xlsx"`` for an ``.xlsx`` or ``.xlsm`` workbook, ``"csv"`` for a CSV.

    Raises
    ------
    EmptyFileError
        The file is 0 bytes, or a CSV holding no values.
    FileTooLargeError
        The file is over ``max_bytes``.
    NotASpreadsheetError
        The file is not an ``.xlsx``, ``.xlsm`` or ``.csv`` file, or is corrupt.
    PasswordProtectedError
        The workbook is encrypted (a password or a sensitivity label).
    UnsafeFileError
        The workbook is an XML bomb, a zip bomb or has part names leaving the
        archive.
    InputFileError
        The path does not exist, is a folder or cannot be read.

    See Also
    --------
    find_input_files : the files to check, from files and folders.

    Notes
    -----
    The checks, in order, are listed in the module documentation. Each error's
    message is one line: the file name, the problem and the fix.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = tempfile.TemporaryDirectory()
    >>> csv = Path(folder.name) / "north.csv"
    >>> _ = csv.write_text("System,Vendor\\nPayroll,Acme\\n", encoding="utf-8")
    >>> check_file(csv)
    'csv'
    >>> check_file(Path(folder.name) / "north.xlsx")
    Traceback (most recent call last):
    ...
    estate.errors.InputFileError: north.xlsx: no such file: check the path and the name
    >>> _ = (Path(folder.name) / "south.xls").write_bytes(b"\\xd0\\xcf\\x11\\xe0" + bytes(508))
    >>> try:
    ...     check_file(Path(folder.name) / "south.xls")
    ... except NotASpreadsheetError as error:
    ...     print(error.problem.split(" (")[0])
    legacy .xls workbook: save it as .xlsx
    >>> folder.cleanup()
    """
    path = Path(path)
    try:
        return _check(path, max_bytes)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputFileError(
            path, f"cannot be read ({reason}): check that it exists, that you may read it and that no program locks it"
        ) from exc


def find_input_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Expand files and folders into the input files to read.

    Parameters
    ----------
    paths : iterable of str or Path
        Files and folders, as a user gave them.

    Returns
    -------
    files : list of Path
        The input files, in the order the paths were given; a folder's files
        (found recursively) are sorted by their path relative to it, ignoring
        case, so the same folder always gives the same order. A file given
        twice is listed once.
    skipped : list of (Path, str)
        Files found inside folders and not read, with the reason: hidden files
        and folders (their name starts with ``.``), Excel lock files
        (``~$name.xlsx``) and files that are not spreadsheets, such as a
        ``README.md``. Sorted like ``files``.

    Raises
    ------
    InputFileError
        A path does not exist.

    Notes
    -----
    A file given explicitly is returned whatever its suffix: :func:`check_file`
    then refuses it with a clear message. Inside a folder, workbooks estate
    cannot read but someone meant as an inventory (``.xls``, ``.xlsb``,
    ``.ods``, ``.numbers``, Excel templates) are returned as input files too, so
    that :func:`check_file` reports them as errors instead of an organisation's
    data being dropped quietly. Symbolic links to folders are not followed.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = tempfile.TemporaryDirectory()
    >>> root = Path(folder.name)
    >>> for name in ("north.xlsx", "South.csv", "README.md", "~$north.xlsx", "archive/east.csv"):
    ...     (root / name).parent.mkdir(exist_ok=True)
    ...     _ = (root / name).write_text("x")
    >>> files, skipped = find_input_files([root])
    >>> [file.relative_to(root).as_posix() for file in files]
    ['archive/east.csv', 'north.xlsx', 'South.csv']
    >>> [(file.name, reason.split(" (")[0]) for file, reason in skipped]
    [('README.md', 'not a spreadsheet'), ('~$north.xlsx', 'Excel lock file')]
    >>> folder.cleanup()
    """
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    seen: set[str] = set()
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise InputFileError(path, "no such file or folder: check the path and the name")
        if path.is_dir():
            found, passed_over = _walk_folder(path)
            skipped.extend(passed_over)
        else:
            found = [path]
        for file in found:
            key = os.path.normcase(os.path.realpath(file))
            if key not in seen:
                seen.add(key)
                files.append(file)
    return files, skipped


# --- the checks -------------------------------------------------------------


def _check(path: Path, max_bytes: int) -> FileKind:
    """Run the checks of :func:`check_file`; OSError is left to the caller."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputFileError(path, "no such file: check the path and the name") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputFileError(
            path, "a folder, not a file: give the files inside it, or let estate read the whole folder"
        )
    if not stat.S_ISREG(info.st_mode):
        raise InputFileError(path, f"not a regular file (a device, pipe or socket): {_ACCEPTED}")
    size = info.st_size
    if size == 0:
        raise EmptyFileError(path, "empty file (0 bytes): save the inventory again with its data, or remove the file")
    if size > max_bytes:
        needed = max(1, math.ceil(size / _MEGABYTE))
        size_text, limit_text = _megabytes(size), _megabytes(max_bytes)
        if size_text == limit_text:  # just over the limit: show the difference
            size_text, limit_text = f"{size / _MEGABYTE:.3f}", f"{max_bytes / _MEGABYTE:.3f}"
        raise FileTooLargeError(
            path,
            f"file is {size_text} MB, over the {limit_text} MB size limit: "
            f"raise the limit with --max-size {needed} (in MB), or split the file",
        )
    suffix = path.suffix.lower()
    if suffix == ".csv":
        _check_csv(path)
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        _check_workbook(path, size)
        return "xlsx"
    if suffix in _OTHER_SUFFIXES:
        raise NotASpreadsheetError(path, _OTHER_SUFFIXES[suffix])
    if not suffix:
        raise NotASpreadsheetError(path, f"no file extension, so not a known spreadsheet: {_ACCEPTED}")
    kind = _DOCUMENT_KINDS.get(suffix, f"{suffix} file")
    raise NotASpreadsheetError(path, f"{kind}, not a spreadsheet: {_ACCEPTED}")


def _megabytes(size: int) -> str:
    """A byte count in MB, to as many figures as are worth showing."""
    value = size / _MEGABYTE
    if value >= 10:
        return f"{value:,.0f}"
    if value >= 0.1:
        return f"{value:.1f}"
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _check_csv(path: Path) -> None:
    """Refuse a CSV that is binary, UTF-16 or holds no values."""
    with path.open("rb") as stream:
        head = stream.read(_CSV_HEAD_BYTES)
        problem = _binary_csv_problem(head)
        if problem:
            raise NotASpreadsheetError(path, problem)
        stream.seek(0)
        if _holds_no_values(stream):
            raise EmptyFileError(
                path,
                "empty CSV (no values, only blanks or separators): "
                "export the sheet again with its data, or remove the file",
            )


def _binary_csv_problem(head: bytes) -> str | None:
    """Why the first bytes of a CSV show it is not one, or None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_like_utf16(head):
        return "UTF-16 text, not a CSV estate reads: save it from Excel as 'CSV UTF-8 (Comma delimited)'"
    if head.startswith((_ZIP_MAGIC, _ZIP_END_MAGIC)):
        return (
            "binary file, not a CSV (it looks like an .xlsx workbook or a zip archive): "
            "if it is a workbook, rename it .xlsx"
        )
    if head.startswith(_CFB_MAGIC):
        return "binary file, not a CSV (it looks like an old .xls workbook): save it from Excel as .xlsx or 'CSV UTF-8'"
    if head.startswith(b"%PDF"):
        return "binary file, not a CSV (a PDF document): ask for the inventory as .xlsx or .csv"
    if b"\x00" in head:
        return "binary file, not a CSV (it holds NUL bytes): save the sheet from Excel as 'CSV UTF-8', or as .xlsx"
    return None


def _looks_like_utf16(head: bytes) -> bool:
    """Whether text without a byte order mark is UTF-16: NULs in every other byte."""
    sample = head[:512]
    if len(sample) < 4:
        return False
    evens, odds = sample[0::2], sample[1::2]
    for zeros, others in ((evens, odds), (odds, evens)):
        if zeros.count(0) >= 0.9 * len(zeros) and others.count(0) <= 0.1 * len(others):
            return True
    return False


def _holds_no_values(stream: IO[bytes]) -> bool:
    """Whether a text stream holds only a byte order mark, blanks and separators."""
    first = True
    while chunk := stream.read(_CHUNK_BYTES):
        if first and chunk.startswith(_UTF8_BOM):
            chunk = chunk[len(_UTF8_BOM) :]
        first = False
        if chunk.translate(None, _CSV_BLANK_BYTES):
            return False
    return True


def _check_workbook(path: Path, size: int) -> None:
    """Refuse an .xlsx or .xlsm file that is not a safe, intact workbook."""
    with path.open("rb") as stream:
        head = stream.read(_HEAD_BYTES)
        if head.startswith(_CFB_MAGIC):
            stream.seek(0)
            raise _office_binary_error(path, stream)
        if not head.startswith(_ZIP_MAGIC):
            raise NotASpreadsheetError(path, _not_a_workbook_problem(head))
        _check_part_count(path, stream, size)
        try:
            with zipfile.ZipFile(stream) as archive:
                _check_archive(path, archive)
        except InputFileError:
            raise
        except _DAMAGED_ZIP_ERRORS as exc:
            raise NotASpreadsheetError(path, f"corrupt workbook (damaged or incomplete): {_REPAIR}") from exc


# What zipfile, zlib and the XML parsers raise on a damaged archive. OSError is
# among them: zipfile seeks to the offsets the archive declares, and a damaged
# offset gives "Invalid argument".
_DAMAGED_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    ValueError,
    struct.error,
    zlib.error,
    NotImplementedError,
    OSError,
)


def _check_archive(path: Path, archive: zipfile.ZipFile) -> None:
    """Refuse a zip archive that is not a safe, intact workbook."""
    parts = archive.infolist()
    _check_part_names(path, parts)
    _check_contents(path, archive)
    _check_expansion(path, parts)
    for part in parts:
        _check_part_prolog(path, archive, part)
    for part in parts:
        if part.filename in _STRUCTURE_PARTS or part.filename.endswith(".rels"):
            _check_well_formed(path, archive, part)


def _office_binary_error(path: Path, stream: IO[bytes]) -> InputFileError:
    """The error for an Office binary (OLE2) file named .xlsx or .xlsm."""
    names = _ole_stream_names(stream)
    if "encryptioninfo" in names:
        return PasswordProtectedError(
            path,
            "password-protected workbook: remove the password in Excel "
            "(File > Info > Protect Workbook > Encrypt with Password) and save again",
        )
    if "encryptedpackage" in names:
        return PasswordProtectedError(
            path,
            "workbook encrypted by a sensitivity label or rights management: "
            "ask the sender for a copy without encryption, or change its label in Excel and save again",
        )
    if "worddocument" in names:
        return NotASpreadsheetError(
            path, "an old Word .doc document renamed, not a workbook: ask for the inventory as .xlsx"
        )
    return NotASpreadsheetError(path, f"an old binary .xls workbook renamed {path.suffix}: {_SAVE_AS_XLSX}")


_OLE_NAMES = ("EncryptionInfo", "EncryptedPackage", "WordDocument")


def _ole_stream_names(stream: IO[bytes]) -> set[str]:
    """The stream names of interest in an OLE2 file, in lower case.

    Uses olefile when it is installed and can parse the file; otherwise looks
    for the names, as the UTF-16 text OLE2 directories hold, in the bytes.
    """
    try:
        import olefile
    except ImportError:  # pragma: no cover - olefile comes with msoffcrypto-tool
        olefile = None
    if olefile is not None:
        try:
            with olefile.OleFileIO(stream) as ole:
                entries = ole.listdir(streams=True, storages=True)
            return {name.lower() for entry in entries for name in entry}
        except Exception:  # noqa: BLE001 - a damaged OLE2 file: fall back to the bytes
            stream.seek(0)
    wanted = {name: name.encode("utf-16-le") for name in _OLE_NAMES}
    overlap = max(len(encoded) for encoded in wanted.values())
    found: set[str] = set()
    tail = b""
    while chunk := stream.read(_CHUNK_BYTES):
        window = tail + chunk
        found.update(name.lower() for name, encoded in wanted.items() if encoded in window)
        tail = window[-overlap:]
    return found


def _not_a_workbook_problem(head: bytes) -> str:
    """What a file named .xlsx that is not a zip archive is, and what to do."""
    text = head.lstrip(_UTF8_BOM).lstrip()
    if head.startswith(b"%PDF"):
        return "not an Excel workbook (a PDF document): ask for the inventory as .xlsx or .csv"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM")):
        return "not an Excel workbook (an image): ask for the inventory as .xlsx or .csv"
    if head.startswith(_ZIP_END_MAGIC):
        return f"not an Excel workbook (an empty zip archive): {_SAVE_AS_XLSX}"
    if text[:1] == b"<":
        return (
            "not an Excel workbook (a web page or XML file, as some systems export): "
            f"{_SAVE_AS_XLSX}"
        )
    if b"\x00" not in head[:_CSV_HEAD_BYTES] and _is_text(head[:_CSV_HEAD_BYTES]):
        return (
            "not an Excel workbook (plain text): if it is comma-separated, rename it .csv; "
            f"otherwise {_SAVE_AS_XLSX}"
        )
    return f"not an Excel workbook (an unknown binary file): {_SAVE_AS_XLSX}"


def _is_text(sample: bytes) -> bool:
    """Whether bytes decode as UTF-8 or look like Windows-1252 text."""
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3:  # a character cut by the sample's end
            return True
        controls = sum(byte < 32 and byte not in b"\t\r\n\x0c" for byte in sample)
        return controls <= len(sample) // 100
    return True


def _check_part_count(path: Path, stream: IO[bytes], size: int) -> None:
    """Refuse an archive whose central directory is absurdly large.

    Reading the end record first stops a directory of millions of tiny entries
    from filling memory before any other check runs.
    """
    tail_size = min(size, 22 + 65535)
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    at = tail.rfind(_ZIP_END_MAGIC)
    if at >= 0 and len(tail) - at >= 22:
        directory_bytes = struct.unpack("<L", tail[at + 12 : at + 16])[0]
        if directory_bytes != 0xFFFFFFFF and directory_bytes > _MAX_DIRECTORY_BYTES:  # 0xFFFFFFFF: zip64
            raise UnsafeFileError(
                path,
                f"the workbook's list of parts takes {_megabytes(directory_bytes)} MB, "
                f"over the {_megabytes(_MAX_DIRECTORY_BYTES)} MB limit (possible zip bomb): {_REFUSED}",
            )
    stream.seek(0)


def _check_part_names(path: Path, parts: list[zipfile.ZipInfo]) -> None:
    """Refuse part names leaving the archive, duplicates, encrypted parts and odd compression."""
    if len(parts) > _MAX_PARTS:
        raise UnsafeFileError(
            path,
            f"{len(parts):,} parts in the workbook's archive, over the {_MAX_PARTS:,} limit (possible zip bomb): "
            f"{_REFUSED}",
        )
    seen: set[str] = set()
    for part in parts:
        name = part.filename
        pieces = re.split(r"[/\\]", name)
        if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name) or ".." in pieces:
            raise UnsafeFileError(path, f"unsafe part name {name!r} (a path outside the workbook): {_REFUSED}")
        folded = name.lower()
        if folded in seen:
            raise UnsafeFileError(path, f"duplicate part {name} in the workbook (a sign of tampering): {_REFUSED}")
        seen.add(folded)
        if part.flag_bits & 0x1:
            raise NotASpreadsheetError(
                path, f"not an Excel workbook (a zip archive with encrypted parts): {_SAVE_AS_XLSX}"
            )
        if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise NotASpreadsheetError(
                path, f"corrupt workbook ({name} is compressed in a way Excel never uses): {_REPAIR}"
            )


def _check_contents(path: Path, archive: zipfile.ZipFile) -> None:
    """Refuse a zip archive that does not hold an Excel workbook."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            problem = "a Word document renamed, not a workbook: ask for the inventory as .xlsx"
        elif "ppt/presentation.xml" in names:
            problem = "a PowerPoint presentation renamed, not a workbook: ask for the inventory as .xlsx"
        elif "mimetype" in names and "content.xml" in names:
            problem = (
                "an OpenDocument file renamed, not an Excel workbook: "
                "save it as .xlsx (File > Save As > Excel 2007-365)"
            )
        else:
            problem = f"not an Excel workbook (a zip archive without xl/workbook.xml): {_SAVE_AS_XLSX}"
        raise NotASpreadsheetError(path, problem)
    if "[Content_Types].xml" not in names:
        raise NotASpreadsheetError(path, f"corrupt workbook ([Content_Types].xml is missing): {_REPAIR}")


def _check_expansion(path: Path, parts: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip bomb, from the sizes the archive declares."""
    limit = DEFAULT_MAX_UNCOMPRESSED
    total = sum(part.file_size for part in parts)
    if total > limit:
        raise UnsafeFileError(
            path,
            f"zip bomb: the workbook's parts expand to {_megabytes(total)} MB, "
            f"over the {_megabytes(limit)} MB limit: {_REFUSED}",
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > _RATIO_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise UnsafeFileError(
                path,
                f"zip bomb: {part.filename} expands {ratio:,.0f} times, to {_megabytes(part.file_size)} MB: {_REFUSED}",
            )


class _Declaration(Exception):
    """Raised by the prolog scanner on a DTD or entity declaration."""


class _RootReached(Exception):
    """Raised by the prolog scanner at the first element: the prolog is clean."""


def _check_part_prolog(path: Path, archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    """Refuse an XML part that declares a DTD or entities.

    Only the prolog is read, streamed: a DTD can only come before the first
    element, and expat (which also copes with UTF-16 and with comments) stops
    there before any entity is expanded. As a second line, the first 64 KB are
    searched for the declarations as plain bytes.
    """
    if part.is_dir() or part.file_size == 0:
        return
    name = part.filename
    with archive.open(part) as stream:
        head = stream.read(_HEAD_BYTES)
        if not (name.lower().endswith(_XML_SUFFIXES) or _looks_like_xml(head)):
            return
        lowered = head.lower()
        if b"<!doctype" in lowered or b"<!entity" in lowered:
            raise _xml_bomb_error(path, name)
        parser = expat.ParserCreate()

        def declaration(*_: object) -> None:
            raise _Declaration

        def element(*_: object) -> None:
            raise _RootReached

        parser.StartDoctypeDeclHandler = declaration
        parser.EntityDeclHandler = declaration
        parser.UnparsedEntityDeclHandler = declaration
        parser.StartElementHandler = element
        read = len(head)
        try:
            parser.Parse(head, False)
            while chunk := stream.read(_HEAD_BYTES):
                read += len(chunk)
                if read > _MAX_PROLOG_BYTES:
                    raise UnsafeFileError(
                        path, f"{name} has over 1 MB before its first XML element (possible XML bomb): {_REFUSED}"
                    )
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except _RootReached:
            return
        except _Declaration:
            raise _xml_bomb_error(path, name) from None
        except expat.ExpatError as exc:
            raise NotASpreadsheetError(
                path, f"corrupt workbook ({name} is not well-formed XML, line {exc.lineno}): {_REPAIR}"
            ) from None


def _looks_like_xml(head: bytes) -> bool:
    """Whether the first bytes of a part are XML, in UTF-8 or UTF-16."""
    for bom in (_UTF8_BOM, b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            return True
    start = head.lstrip(b" \t\r\n")
    return start.startswith((b"<", b"<\x00", b"\x00<"))


def _xml_bomb_error(path: Path, name: str) -> UnsafeFileError:
    return UnsafeFileError(path, f"XML entity declarations in {name} (possible XML bomb): {_REFUSED}")


def _check_well_formed(path: Path, archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    """Refuse a structural part that is not well-formed XML, streaming it."""
    name = part.filename
    try:
        with archive.open(part) as stream:
            for _, element in defusedxml.ElementTree.iterparse(stream, events=("end",), forbid_dtd=True):
                element.clear()
    except ParseError as exc:
        line = exc.position[0] if exc.position else "?"
        raise NotASpreadsheetError(
            path, f"corrupt workbook ({name} is not well-formed XML, line {line}): {_REPAIR}"
        ) from None
    except DefusedXmlException:
        raise _xml_bomb_error(path, name) from None


# --- YAML --------------------------------------------------------------------

_MAX_YAML_EVENTS = 200_000  # far more than any header map or assumptions file holds


def load_yaml(text: str, path: str | Path) -> object:
    """Parse a small YAML file safely: no aliases, no tags that build objects, a bounded size.

    YAML aliases (``*a``) let a file of a few hundred bytes expand to
    gigabytes (a "billion laughs"), and ``yaml.safe_load`` expands them.
    Estate's YAML files (header maps, assumptions) never need one, so the
    file's events are read first, without building anything, and an alias
    is refused before any expansion.

    Raises
    ------
    InputFileError
        The file holds an alias or anchor, too many values, or is not valid
        YAML.

    Examples
    --------
    >>> load_yaml("Yearly outlay: annual_cost\\n", "map.yaml")
    {'Yearly outlay': 'annual_cost'}
    >>> try:
    ...     load_yaml("a: &x [1, 2]\\nb: [*x, *x]\\n", "bomb.yaml")
    ... except InputFileError as error:
    ...     print(error)
    bomb.yaml: YAML aliases (&name / *name) are not accepted (they can expand a small file without bound): write the values out
    """
    import yaml

    try:
        for number, event in enumerate(yaml.parse(text, Loader=yaml.SafeLoader)):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise InputFileError(path, "YAML aliases (&name / *name) are not accepted (they can expand a small "
                                           "file without bound): write the values out")
            if number > _MAX_YAML_EVENTS:
                raise InputFileError(path, f"over {_MAX_YAML_EVENTS:,} YAML values: not a settings file")
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputFileError(path, f"not a valid YAML file: {str(exc).splitlines()[0]}") from None


# --- finding the files --------------------------------------------------------


def _walk_folder(folder: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The input files in a folder and what was skipped, both sorted."""
    files: list[tuple[tuple[str, ...], Path]] = []
    skipped: list[tuple[tuple[str, ...], Path, str]] = []

    def key(path: Path) -> tuple[str, ...]:
        parts = path.relative_to(folder).parts
        return (*(part.casefold() for part in parts), "\0", *parts)

    def folder_error(exc: OSError) -> None:
        raise InputFileError(folder, f"cannot read the folder {exc.filename} ({exc.strerror}): check its permissions")

    for here, folders, names in os.walk(folder, onerror=folder_error):
        base = Path(here)
        for name in sorted(folders):
            if name.startswith("."):
                skipped.append((key(base / name), base / name, "hidden folder"))
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in names:
            file = base / name
            reason = _skip_reason(name)
            if reason is None:
                files.append((key(file), file))
            else:
                skipped.append((key(file), file, reason))
    files.sort(key=lambda item: item[0])
    skipped.sort(key=lambda item: item[0])
    return [file for _, file in files], [(file, reason) for _, file, reason in skipped]


def _skip_reason(name: str) -> str | None:
    """Why a file found in a folder is not read, or None to read it."""
    if name.startswith("~$"):
        return "Excel lock file (the workbook is open in Excel, or Excel closed without tidying up)"
    if name.startswith("."):
        return "hidden file"
    suffix = Path(name).suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES or suffix in _REFUSED_SPREADSHEET_SUFFIXES:
        return None
    return f"not a spreadsheet ({suffix or 'no extension'}): {_ACCEPTED}"


def read_text_csv(path: str | Path, what: str) -> pd.DataFrame:
    """Read a small CSV of text (budgets, fit overrides) with one-line errors naming the file.

    Every cell is read as text (nothing becomes NaN), a UTF-8 byte-order mark
    is dropped and the headers are lower-cased and stripped.

    Parameters
    ----------
    path : str or Path
        The CSV file.
    what : str
        What the file should be, for the error (``"a CSV budget file"``).

    Raises
    ------
    InputFileError
        The file does not exist or cannot be read as a CSV.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "b.csv").write_text("Organisation , Year\\nCarlisle,2027\\n", encoding="utf-8")
    >>> read_text_csv(folder / "b.csv", "a CSV budget file").columns.tolist()
    ['organisation', 'year']
    >>> try:
    ...     read_text_csv(folder / "none.csv", "a CSV budget file")
    ... except InputFileError as error:
    ...     print(str(error).split(": ", 1)[1])
    no such file
    """
    import pandas as pd

    path = Path(path)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True, encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputFileError(path, "no such file") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputFileError(path, f"cannot be read as {what} ({type(exc).__name__})") from None
    table.columns = [str(c).strip().lower() for c in table.columns]
    return table
