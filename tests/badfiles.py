"""Builders of broken and malicious input files, for the tests.

Each ``make_*`` function writes one real file into ``directory`` and returns its
path. They are shared by the tests of :mod:`estate.safety`, of the reader and of
the command line, so that every layer is tested on the same bad files. The
files are built at test time, from real workbooks written by openpyxl, instead
of being stored: a stored zip bomb or encrypted workbook would be opaque in
review.

All builders are fast (well under a second each, the encrypted workbook
included) and keep bombs small: the zip bomb expands to a few MB, enough to
break the compression-ratio rule, and a test that needs the total-size rule
patches :data:`estate.safety.DEFAULT_MAX_UNCOMPRESSED` instead.
"""

from __future__ import annotations

import io
import random
import string
import warnings
import zipfile
from pathlib import Path
from typing import Literal

__all__ = [
    "BILLION_LAUGHS",
    "make_binary_csv",
    "make_blank_csv",
    "make_corrupt_zip",
    "make_duplicate_part",
    "make_empty",
    "make_legacy_xls",
    "make_malformed_workbook",
    "make_no_header",
    "make_not_a_spreadsheet",
    "make_other_zip",
    "make_oversized",
    "make_password_protected",
    "make_rights_managed",
    "make_unsafe_part_name",
    "make_valid_xlsx",
    "make_xml_bomb",
    "make_zip_bomb",
]

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

BILLION_LAUGHS = """<?xml version="1.0" encoding="{encoding}"?>
<!DOCTYPE sst [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">
<si><t>&lol9;</t></si></sst>
"""
"""A shared-strings part that expands to a billion "lol"s: the classic XML bomb."""

VALID_ROWS = (
    ("Organisation", "System", "Vendor", "Product", "Capability", "Annual cost", "Users"),
    ("North Council", "Payroll", "Acme", "Acme Pay", "Payroll", 12500, 300),
    ("North Council", "Case files", "Civica", "APP", "Case management", 48000, 120),
)
"""The cells of :func:`make_valid_xlsx`'s ``Systems`` sheet."""


def make_valid_xlsx(directory: Path, name: str = "valid.xlsx") -> Path:
    """A good workbook: a ``Systems`` sheet with a header row and two systems."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Systems"
    for row in VALID_ROWS:
        sheet.append(row)
    path = Path(directory) / name
    workbook.save(path)
    return path


def make_no_header(directory: Path, name: str = "letter.xlsx") -> Path:
    """A valid workbook whose only sheet holds a letter, not a table."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    lines = (
        "Dear Sir or Madam,",
        None,
        "Thank you for your request for our list of IT systems.",
        "We are gathering the information and will send it before the end of the month.",
        None,
        "Yours faithfully,",
        "The Information Governance Team",
    )
    for number, line in enumerate(lines, start=1):
        if line is not None:
            sheet.cell(row=number, column=1, value=line)
    sheet.cell(row=1, column=6, value="Ref: FOI/2024/117")
    path = Path(directory) / name
    workbook.save(path)
    return path


def make_not_a_spreadsheet(
    directory: Path, kind: Literal["png", "pdf", "text", "html"] = "png", name: str | None = None
) -> Path:
    """A file named ``.xlsx`` that is an image, a PDF, plain text or a web page."""
    contents = {
        "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00" + bytes(64),
        "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n",
        "text": b"System,Vendor\nPayroll,Acme\nThis was typed into a text editor and saved as .xlsx.\n",
        "html": b"<html><body><table><tr><td>System</td><td>Vendor</td></tr></table></body></html>\n",
    }[kind]
    path = Path(directory) / (name or f"{kind}_renamed.xlsx")
    path.write_bytes(contents)
    return path


def make_corrupt_zip(directory: Path, name: str = "corrupt.xlsx") -> Path:
    """A real workbook cut off in the middle, like a partial download."""
    whole = make_valid_xlsx(directory, name).read_bytes()
    path = Path(directory) / name
    path.write_bytes(whole[: len(whole) // 2])
    return path


def make_malformed_workbook(directory: Path, name: str = "malformed.xlsx") -> Path:
    """A real workbook whose ``xl/workbook.xml`` is cut off mid-element (the zip is intact)."""
    source = make_valid_xlsx(directory, name)
    with zipfile.ZipFile(source) as archive:
        workbook_xml = archive.read("xl/workbook.xml")
    return _rewrite(source, source, {"xl/workbook.xml": workbook_xml[: len(workbook_xml) // 2]})


def make_password_protected(directory: Path, name: str = "protected.xlsx", password: str = "secret") -> Path:
    """A real workbook encrypted with a password, as Excel does (needs msoffcrypto-tool)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO(make_valid_xlsx(directory, name).read_bytes())
    encrypted = io.BytesIO()
    OOXMLFile(plain).encrypt(password, encrypted)
    path = Path(directory) / name
    path.write_bytes(encrypted.getvalue())
    return path


def make_rights_managed(directory: Path, name: str = "labelled.xlsx") -> Path:
    """An imitation of a workbook encrypted by a sensitivity label (rights management).

    Such files are OLE2 containers with an ``EncryptedPackage`` stream and no
    ``EncryptionInfo`` one. This imitation has only the OLE2 signature and the
    stream names, as OLE2 directories store them (UTF-16), which is what the
    check looks for when the file cannot be parsed as OLE2.
    """
    names = "".join(("\x06DataSpaces", "DRMEncryptedTransform", "EncryptedPackage")).encode("utf-16-le")
    path = Path(directory) / name
    path.write_bytes(CFB_MAGIC + bytes(504) + names + bytes(512))
    return path


def make_xml_bomb(
    directory: Path,
    name: str = "xml_bomb.xlsx",
    *,
    part: str = "xl/sharedStrings.xml",
    encoding: Literal["utf-8", "utf-16"] = "utf-8",
    padding: int = 0,
) -> Path:
    """A real workbook whose ``part`` is a billion-laughs document.

    Parameters
    ----------
    part : str
        The part to replace (or add); ``xl/sharedStrings.xml`` by default.
    encoding : {"utf-8", "utf-16"}
        How the bomb is encoded; UTF-16 hides the declarations from a search
        for their ASCII bytes.
    padding : int
        Bytes of XML comment written before the DTD, to push it beyond a check
        that reads only the start of the part.
    """
    source = make_valid_xlsx(directory, name)
    text = BILLION_LAUGHS.format(encoding=encoding)
    if padding:  # letters, so that the padding does not compress like a zip bomb
        declaration, rest = text.split("\n", 1)
        letters = "".join(random.Random(padding).choices(string.ascii_letters + " ", k=padding))
        text = f"{declaration}\n<!--{letters}-->\n{rest}"
    return _rewrite(source, source, {part: text.encode(encoding)})


def make_zip_bomb(directory: Path, name: str = "zip_bomb.xlsx", *, expanded_bytes: int = 4 * 1024 * 1024) -> Path:
    """A real workbook with an extra part of zeros that expands about 1,000 times.

    The part is ``xl/media/image1.bin``, ``expanded_bytes`` long (4 MB by
    default: over the 1 MB floor of the ratio rule, and quick to write).
    """
    source = make_valid_xlsx(directory, name)
    return _rewrite(source, source, {"xl/media/image1.bin": bytes(expanded_bytes)})


def make_unsafe_part_name(directory: Path, name: str = "traversal.xlsx", part: str = "../../evil.xml") -> Path:
    """A real workbook with an extra part whose name leaves the archive."""
    source = make_valid_xlsx(directory, name)
    return _rewrite(source, source, {part: b"<x/>"})


def make_duplicate_part(directory: Path, name: str = "duplicate.xlsx", part: str = "xl/workbook.xml") -> Path:
    """A real workbook holding ``part`` twice, so that two readers may see different data."""
    source = make_valid_xlsx(directory, name)
    with zipfile.ZipFile(source) as archive:
        data = archive.read(part)
    with zipfile.ZipFile(source, "a", zipfile.ZIP_DEFLATED) as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns of the duplicate name
        archive.writestr(part, data)
    return source


def make_other_zip(
    directory: Path, kind: Literal["docx", "ods", "plain", "empty"] = "docx", name: str | None = None
) -> Path:
    """A zip archive named ``.xlsx`` that is not a workbook.

    ``kind`` is ``"docx"`` (a Word document), ``"ods"`` (an OpenDocument
    spreadsheet), ``"plain"`` (a zip of a text file) or ``"empty"`` (a zip
    archive with nothing in it).
    """
    path = Path(directory) / (name or f"{kind}_renamed.xlsx")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        if kind == "docx":
            archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
            archive.writestr("word/document.xml", '<?xml version="1.0"?><document/>')
        elif kind == "ods":
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            archive.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
        elif kind == "plain":
            archive.writestr("notes.txt", "not a workbook")
    return path


def make_empty(directory: Path, suffix: str = ".xlsx") -> Path:
    """A file of 0 bytes."""
    path = Path(directory) / f"empty{suffix}"
    path.write_bytes(b"")
    return path


def make_blank_csv(directory: Path, name: str = "blank.csv") -> Path:
    """A CSV holding only a byte order mark, blank lines and separators."""
    path = Path(directory) / name
    path.write_bytes(b"\xef\xbb\xbf\r\n  \r\n,,,\r\n\t\r\n")
    return path


def make_oversized(directory: Path, name: str = "large.csv", size: int = 4096) -> Path:
    """A good CSV of about ``size`` bytes: check it with a smaller ``max_bytes``."""
    lines = ["System,Vendor,Annual cost"]
    written = len(lines[0]) + 1
    number = 0
    while written < size:
        number += 1
        lines.append(f"System {number},Vendor {number},{1000 * number}")
        written += len(lines[-1]) + 1
    path = Path(directory) / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_binary_csv(
    directory: Path, kind: Literal["nul", "xlsx", "cfb", "pdf", "utf16"] = "nul", name: str | None = None
) -> Path:
    """A file named ``.csv`` that is not CSV text.

    ``kind`` is ``"nul"`` (text with NUL bytes), ``"xlsx"`` (a real workbook
    renamed), ``"cfb"`` (an Office binary file), ``"pdf"`` or ``"utf16"`` (CSV
    text saved as UTF-16 with a byte order mark, as Excel's "Unicode Text" does).
    """
    path = Path(directory) / (name or f"binary_{kind}.csv")
    if kind == "xlsx":
        workbook = make_valid_xlsx(directory, f"{path.stem}.tmp.xlsx")
        path.write_bytes(workbook.read_bytes())
        workbook.unlink()
    else:
        contents = {
            "nul": b"System,Vendor\nPay\x00roll,Acme\x00\x00\x01\x02\n",
            "cfb": CFB_MAGIC + bytes(504),
            "pdf": b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n%%EOF\n",
            "utf16": "System,Vendor\r\nPayroll,Acme\r\n".encode("utf-16"),
        }[kind]
        path.write_bytes(contents)
    return path


def make_legacy_xls(directory: Path, suffix: str = ".xlsx") -> Path:
    """An Office binary (OLE2) file without encryption: an old ``.xls`` workbook.

    olefile cannot write OLE2 files, so this is the signature and zero padding
    only, named ``legacy.xlsx`` (an old workbook renamed) by default.
    """
    path = Path(directory) / f"legacy{suffix}"
    path.write_bytes(CFB_MAGIC + bytes(4096 - len(CFB_MAGIC)))
    return path


def _rewrite(source: Path, target: Path, replace: dict[str, bytes]) -> Path:
    """Copy a zip archive, replacing or adding the parts in ``replace``."""
    with zipfile.ZipFile(source) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist() if info.filename not in replace]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            archive.writestr(info, data)
        for part, data in replace.items():
            archive.writestr(part, data)
    return target
