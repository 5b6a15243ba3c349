"""Tests of estate.safety: every bad file gives one clear line, and good files pass."""

from __future__ import annotations

import os
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import badfiles
from estate import safety
from estate.errors import (
    EmptyFileError,
    FileTooLargeError,
    InputFileError,
    NotASpreadsheetError,
    PasswordProtectedError,
    UnsafeFileError,
)
from estate.safety import check_file, find_input_files

Builder = Callable[[Path], Path]


def assert_one_line(error: InputFileError, path: Path) -> None:
    """The message names the file first and fits on one line."""
    message = str(error)
    assert message.startswith(f"{path.name}: ")
    assert "\n" not in message and "\r" not in message
    assert error.path == path
    assert len(message) < 300


# --- bad files ----------------------------------------------------------------

BAD_FILES: list[tuple[str, Builder, type[InputFileError], str]] = [
    ("png renamed", lambda d: badfiles.make_not_a_spreadsheet(d, "png"), NotASpreadsheetError, "not an Excel workbook"),
    ("pdf renamed", lambda d: badfiles.make_not_a_spreadsheet(d, "pdf"), NotASpreadsheetError, "PDF"),
    ("text renamed", lambda d: badfiles.make_not_a_spreadsheet(d, "text"), NotASpreadsheetError, "rename it .csv"),
    ("html renamed", lambda d: badfiles.make_not_a_spreadsheet(d, "html"), NotASpreadsheetError, "web page"),
    ("truncated zip", badfiles.make_corrupt_zip, NotASpreadsheetError, "corrupt workbook"),
    ("malformed xml", badfiles.make_malformed_workbook, NotASpreadsheetError, "xl/workbook.xml is not well-formed"),
    ("password", badfiles.make_password_protected, PasswordProtectedError, "remove the password"),
    ("sensitivity label", badfiles.make_rights_managed, PasswordProtectedError, "sensitivity label"),
    ("xml bomb", badfiles.make_xml_bomb, UnsafeFileError, "XML entity declarations in xl/sharedStrings.xml"),
    ("zip bomb", badfiles.make_zip_bomb, UnsafeFileError, "zip bomb: xl/media/image1.bin"),
    ("traversal", badfiles.make_unsafe_part_name, UnsafeFileError, "unsafe part name"),
    ("duplicate part", badfiles.make_duplicate_part, UnsafeFileError, "duplicate part xl/workbook.xml"),
    ("word renamed", lambda d: badfiles.make_other_zip(d, "docx"), NotASpreadsheetError, "Word document"),
    ("ods renamed", lambda d: badfiles.make_other_zip(d, "ods"), NotASpreadsheetError, "OpenDocument"),
    ("plain zip", lambda d: badfiles.make_other_zip(d, "plain"), NotASpreadsheetError, "without xl/workbook.xml"),
    ("empty zip", lambda d: badfiles.make_other_zip(d, "empty"), NotASpreadsheetError, "empty zip"),
    ("empty xlsx", badfiles.make_empty, EmptyFileError, "empty file (0 bytes)"),
    ("empty csv", lambda d: badfiles.make_empty(d, ".csv"), EmptyFileError, "empty file (0 bytes)"),
    ("blank csv", badfiles.make_blank_csv, EmptyFileError, "empty CSV"),
    ("csv with NULs", lambda d: badfiles.make_binary_csv(d, "nul"), NotASpreadsheetError, "binary file, not a CSV"),
    ("xlsx named csv", lambda d: badfiles.make_binary_csv(d, "xlsx"), NotASpreadsheetError, "rename it .xlsx"),
    ("xls named csv", lambda d: badfiles.make_binary_csv(d, "cfb"), NotASpreadsheetError, "binary file, not a CSV"),
    ("pdf named csv", lambda d: badfiles.make_binary_csv(d, "pdf"), NotASpreadsheetError, "binary file, not a CSV"),
    ("utf-16 csv", lambda d: badfiles.make_binary_csv(d, "utf16"), NotASpreadsheetError, "CSV UTF-8"),
    ("xls renamed xlsx", badfiles.make_legacy_xls, NotASpreadsheetError, "old binary .xls workbook renamed .xlsx"),
    ("xls", lambda d: badfiles.make_legacy_xls(d, ".xls"), NotASpreadsheetError, "legacy .xls workbook: save it"),
]


@pytest.mark.parametrize(
    ("builder", "error", "fragment"), [case[1:] for case in BAD_FILES], ids=[case[0] for case in BAD_FILES]
)
def test_bad_file_gives_one_clear_line(
    tmp_path: Path, builder: Builder, error: type[InputFileError], fragment: str
) -> None:
    path = builder(tmp_path)
    with pytest.raises(error) as caught:
        check_file(path)
    assert type(caught.value) is error
    assert fragment in str(caught.value)
    assert_one_line(caught.value, path)


def test_errors_are_value_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        check_file(badfiles.make_empty(tmp_path))


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("old.xls", "legacy .xls workbook: save it as .xlsx"),
        ("OLD.XLS", "legacy .xls workbook"),
        ("binary.xlsb", ".xlsb"),
        ("calc.ods", "OpenDocument spreadsheet"),
        ("mac.numbers", "Apple Numbers"),
        ("template.xltx", "Excel template"),
        ("report.pdf", "PDF document, not a spreadsheet: estate reads .xlsx, .xlsm and .csv files"),
        ("letter.docx", "Word document, not a spreadsheet"),
        ("notes.txt", "rename it .csv"),
        ("data.parquet", ".parquet file, not a spreadsheet"),
        ("README", "no file extension"),
        ("bundle.zip", "extract it"),
    ],
)
def test_other_suffixes_are_refused_with_the_fix(tmp_path: Path, name: str, fragment: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"some content")
    with pytest.raises(NotASpreadsheetError) as caught:
        check_file(path)
    assert fragment in str(caught.value)
    assert_one_line(caught.value, path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such file") as caught:
        check_file(tmp_path / "missing.xlsx")
    assert_one_line(caught.value, tmp_path / "missing.xlsx")
    with pytest.raises(InputFileError, match="a folder, not a file"):
        check_file(tmp_path)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="needs file permissions that apply")
def test_unreadable_file(tmp_path: Path) -> None:
    path = badfiles.make_valid_xlsx(tmp_path)
    path.chmod(0)
    try:
        with pytest.raises(InputFileError, match="cannot be read") as caught:
            check_file(path)
        assert_one_line(caught.value, path)
    finally:
        path.chmod(0o600)


def test_read_error_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = badfiles.make_valid_xlsx(tmp_path)

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(InputFileError, match=r"cannot be read \(Permission denied\)") as caught:
        check_file(path)
    assert_one_line(caught.value, path)


# --- good files -----------------------------------------------------------------


def test_valid_workbook_passes(tmp_path: Path) -> None:
    assert check_file(badfiles.make_valid_xlsx(tmp_path)) == "xlsx"


def test_suffix_case_and_xlsm(tmp_path: Path) -> None:
    assert check_file(badfiles.make_valid_xlsx(tmp_path, "UPPER.XLSX")) == "xlsx"
    assert check_file(badfiles.make_valid_xlsx(tmp_path, "macros.xlsm")) == "xlsx"


def test_workbook_without_header_passes(tmp_path: Path) -> None:
    # Finding the header is the reader's job: the file itself is sound.
    assert check_file(badfiles.make_no_header(tmp_path)) == "xlsx"


@pytest.mark.parametrize(
    "contents",
    [
        "System,Vendor\nPayroll,Acme\n".encode("utf-8"),
        "\ufeffSystem,Vendor\r\nPayroll,Café Ltd\r\n".encode("utf-8"),
        "System;Vendor\r\nPayroll;Café £12,500\r\n".encode("cp1252"),
        b"System",
    ],
    ids=["utf-8", "utf-8 with BOM", "windows-1252", "one word"],
)
def test_valid_csv_passes(tmp_path: Path, contents: bytes) -> None:
    path = tmp_path / "north.csv"
    path.write_bytes(contents)
    assert check_file(path) == "csv"


def test_size_limit(tmp_path: Path) -> None:
    path = badfiles.make_oversized(tmp_path, size=4096)
    with pytest.raises(FileTooLargeError) as caught:
        check_file(path, max_bytes=1024)
    assert "--max-size" in str(caught.value) and "MB" in str(caught.value)
    assert_one_line(caught.value, path)
    assert check_file(path, max_bytes=path.stat().st_size) == "csv"


def test_size_message_states_size_and_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as stream:
        stream.truncate(62 * 1024 * 1024 + 300 * 1024)  # sparse: no 62 MB written
    with pytest.raises(FileTooLargeError) as caught:
        check_file(path)
    assert "file is 62 MB, over the 50 MB size limit" in str(caught.value)
    assert "--max-size 63" in str(caught.value)


# --- bombs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {"encoding": "utf-16"},
        {"padding": 100_000},
        {"part": "xl/strings.dat", "encoding": "utf-16"},
        {"part": "xl/worksheets/sheet1.xml"},
        {"part": "[Content_Types].xml"},
    ],
    ids=["utf-16", "dtd after 100 KB of comment", "odd part name", "in a sheet", "in content types"],
)
def test_hidden_xml_bombs(tmp_path: Path, options: dict[str, object]) -> None:
    path = badfiles.make_xml_bomb(tmp_path, **options)  # type: ignore[arg-type]
    with pytest.raises(UnsafeFileError, match="possible XML bomb") as caught:
        check_file(path)
    assert_one_line(caught.value, path)


def test_external_entity_is_refused(tmp_path: Path) -> None:
    source = badfiles.make_valid_xlsx(tmp_path, "xxe.xlsx")
    xxe = b'<?xml version="1.0"?><!DOCTYPE sst SYSTEM "file:///etc/passwd"><sst/>'
    path = badfiles._rewrite(source, source, {"xl/sharedStrings.xml": xxe})
    with pytest.raises(UnsafeFileError, match="XML entity declarations"):
        check_file(path)


def test_endless_prolog_is_refused(tmp_path: Path) -> None:
    path = badfiles.make_xml_bomb(tmp_path, padding=1_200_000)
    with pytest.raises(UnsafeFileError, match="over 1 MB before its first XML element"):
        check_file(path)


def test_xml_bomb_is_caught_before_anything_expands_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = badfiles.make_xml_bomb(tmp_path)
    reads: list[tuple[str, int]] = []
    original = zipfile.ZipExtFile.read

    def recording_read(self: zipfile.ZipExtFile, n: int = -1) -> bytes:
        reads.append((self.name, n))
        return original(self, n)

    monkeypatch.setattr(zipfile.ZipExtFile, "read", recording_read)
    start = time.perf_counter()
    with pytest.raises(UnsafeFileError):
        check_file(path)
    assert time.perf_counter() - start < 1.0
    # The bomb was refused from one bounded read of its start; no parser saw it.
    assert [n for name, n in reads if name == "xl/sharedStrings.xml"] == [64 * 1024]


def test_large_parts_are_streamed_not_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import xlsxwriter

    path = tmp_path / "big.xlsx"
    with xlsxwriter.Workbook(str(path)) as workbook:
        sheet = workbook.add_worksheet("Systems")
        sheet.write_row(0, 0, ["System", "Vendor", "Annual cost"])
        for row in range(1, 6000):
            sheet.write_row(row, 0, [f"System {row}", f"Vendor {row % 97}", row * 10])
    read: dict[str, int] = {}
    original = zipfile.ZipExtFile.read

    def counting_read(self: zipfile.ZipExtFile, n: int = -1) -> bytes:
        assert n > 0, "a part was read whole"
        data = original(self, n)
        read[self.name] = read.get(self.name, 0) + len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    assert check_file(path) == "xlsx"
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > 200_000
    assert read["xl/worksheets/sheet1.xml"] <= 64 * 1024


def test_zip_bomb_by_total_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = badfiles.make_valid_xlsx(tmp_path)
    assert check_file(path) == "xlsx"
    monkeypatch.setattr(safety, "DEFAULT_MAX_UNCOMPRESSED", 10_000)
    with pytest.raises(UnsafeFileError, match="zip bomb: the workbook's parts expand to") as caught:
        check_file(path)
    assert_one_line(caught.value, path)


def test_zip_bomb_ratio_is_patchable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = badfiles.make_zip_bomb(tmp_path)
    monkeypatch.setattr(safety, "MAX_COMPRESSION_RATIO", 10_000)
    assert check_file(path) == "xlsx"


def test_large_part_that_compresses_normally_passes(tmp_path: Path) -> None:
    source = badfiles.make_valid_xlsx(tmp_path)
    media = os.urandom(2 * 1024 * 1024)
    path = badfiles._rewrite(source, source, {"xl/media/image1.png": media})
    assert check_file(path) == "xlsx"


def test_too_many_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = badfiles.make_valid_xlsx(tmp_path)
    monkeypatch.setattr(safety, "_MAX_DIRECTORY_BYTES", 200)
    with pytest.raises(UnsafeFileError, match="list of parts takes"):
        check_file(path)
    monkeypatch.setattr(safety, "_MAX_DIRECTORY_BYTES", 10**9)
    monkeypatch.setattr(safety, "_MAX_PARTS", 3)
    with pytest.raises(UnsafeFileError, match="parts in the workbook's archive, over the 3 limit"):
        check_file(path)


@pytest.mark.parametrize("part", ["/etc/passwd", "C:/Windows/evil.xml", "xl\\..\\..\\evil.xml", "xl/../../evil.xml"])
def test_unsafe_part_names(tmp_path: Path, part: str) -> None:
    path = badfiles.make_unsafe_part_name(tmp_path, part=part)
    with pytest.raises(UnsafeFileError, match="unsafe part name"):
        check_file(path)


def test_encrypted_workbook_without_olefile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The byte search finds EncryptionInfo when olefile is missing.
    import builtins

    real_import = builtins.__import__

    def no_olefile(name: str, *args: object, **kwargs: object) -> object:
        if name == "olefile":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    path = badfiles.make_password_protected(tmp_path)
    monkeypatch.setattr(builtins, "__import__", no_olefile)
    with pytest.raises(PasswordProtectedError):
        check_file(path)


# --- no traceback, whatever the bytes --------------------------------------------

_VALID_BYTES: dict[str, bytes] = {}


def _valid_workbook_bytes() -> bytes:
    if "xlsx" not in _VALID_BYTES:
        with tempfile.TemporaryDirectory() as folder:
            _VALID_BYTES["xlsx"] = badfiles.make_valid_xlsx(Path(folder)).read_bytes()
    return _VALID_BYTES["xlsx"]


def _check_bytes(contents: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(contents)
        try:
            assert check_file(path) in ("xlsx", "csv")
        except InputFileError as error:
            assert_one_line(error, path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contents=st.binary(max_size=2000), suffix=st.sampled_from([".xlsx", ".csv"]))
def test_random_bytes_never_give_a_traceback(contents: bytes, suffix: str) -> None:
    _check_bytes(contents, suffix)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_damaged_workbooks_never_give_a_traceback(data: st.DataObject) -> None:
    whole = bytearray(_valid_workbook_bytes())
    cut = data.draw(st.integers(min_value=1, max_value=len(whole)), label="length kept")
    damaged = whole[:cut]
    for _ in range(data.draw(st.integers(min_value=0, max_value=4), label="bytes changed")):
        position = data.draw(st.integers(min_value=0, max_value=len(damaged) - 1))
        damaged[position] = data.draw(st.integers(min_value=0, max_value=255))
    _check_bytes(bytes(damaged), ".xlsx")


# --- finding the files --------------------------------------------------------------


def _touch(root: Path, *names: str) -> None:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x", encoding="utf-8")


def test_find_input_files_orders_and_skips(tmp_path: Path) -> None:
    _touch(
        tmp_path,
        "zeta.xlsx",
        "Beta.csv",
        "alpha.XLSM",
        "sub/gamma.csv",
        "sub/deeper/delta.xlsx",
        "README.md",
        "~$zeta.xlsx",
        ".hidden.csv",
        ".git/config.csv",
        "sub/notes.docx",
        "legacy.xls",
    )
    files, skipped = find_input_files([tmp_path])
    assert [file.relative_to(tmp_path).as_posix() for file in files] == [
        "alpha.XLSM",
        "Beta.csv",
        "legacy.xls",
        "sub/deeper/delta.xlsx",
        "sub/gamma.csv",
        "zeta.xlsx",
    ]
    reasons = {path.relative_to(tmp_path).as_posix(): reason for path, reason in skipped}
    assert set(reasons) == {".git", ".hidden.csv", "README.md", "sub/notes.docx", "~$zeta.xlsx"}
    assert reasons[".git"] == "hidden folder"
    assert reasons[".hidden.csv"] == "hidden file"
    assert reasons["~$zeta.xlsx"].startswith("Excel lock file")
    assert reasons["README.md"].startswith("not a spreadsheet (.md)")
    assert all("\n" not in reason for reason in reasons.values())
    assert [path for path, _ in skipped] == sorted((path for path, _ in skipped), key=lambda p: str(p).casefold())


def test_find_input_files_is_deterministic(tmp_path: Path) -> None:
    names = ["b.csv", "A.csv", "c/a.xlsx", "a.xlsx", "B/z.csv"]
    first, second = tmp_path / "first", tmp_path / "second"
    _touch(first, *names)
    _touch(second, *reversed(names))
    found_first = [p.relative_to(first) for p in find_input_files([first])[0]]
    found_second = [p.relative_to(second) for p in find_input_files([second])[0]]
    assert found_first == found_second


def test_explicit_files_are_kept_in_the_order_given(tmp_path: Path) -> None:
    _touch(tmp_path, "b.csv", "a.csv", "README.md", "folder/c.csv")
    given = [tmp_path / "b.csv", str(tmp_path / "README.md"), tmp_path / "folder", tmp_path / "a.csv"]
    files, skipped = find_input_files(given)
    assert [file.name for file in files] == ["b.csv", "README.md", "c.csv", "a.csv"]
    assert skipped == []
    with pytest.raises(NotASpreadsheetError):
        check_file(files[1])


def test_find_input_files_lists_a_file_once(tmp_path: Path) -> None:
    _touch(tmp_path, "a.csv", "b.csv")
    files, _ = find_input_files([tmp_path / "a.csv", tmp_path, tmp_path / "a.csv"])
    assert [file.name for file in files] == ["a.csv", "b.csv"]


def test_find_input_files_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such file or folder") as caught:
        find_input_files([tmp_path / "nowhere"])
    assert_one_line(caught.value, tmp_path / "nowhere")


def test_find_input_files_empty_folder(tmp_path: Path) -> None:
    assert find_input_files([tmp_path]) == ([], [])
