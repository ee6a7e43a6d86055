"""Guards around untrusted files: size limits, file-type sniffing, XLSX zip-bomb checks, safe export cells.

Pure: bytes in, verdicts out. Every refusal is an :class:`ImportRejected` with a stable code, so the
user learns exactly why a file was not read.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from perfloop.imports.problems import ImportRejected

# A monthly CRM export of a large company is a few hundred MB at most; beyond this we refuse before reading.
MAX_FILE_BYTES = 512 * 1024 * 1024
# XLSX is a zip of XML: these bound what one upload may expand to in memory.
MAX_XLSX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
MAX_XLSX_ENTRIES = 10_000
# Real spreadsheets compress 5-30x (repetitive ones up to ~100x); zip bombs reach 1,000x and more.
MAX_XLSX_COMPRESSION_RATIO = 200

# Magic numbers of file types people upload by mistake.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Excel (.xls) or another Office 97 file"),
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"Rar!", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"SQLite format 3", "SQLite database"),
    (b"\x7fELF", "executable"),
    (b"MZ", "Windows executable"),
)

# OWASP "CSV injection": a cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d[\d,]*)(\.\d+)?%?$")


@dataclass(frozen=True)
class Sniffed:
    """What the bytes are: ``csv`` (any delimited text), ``xlsx``, ``json`` or ``jsonl``."""

    file_format: str


def check_size(size: int, *, limit: int = MAX_FILE_BYTES) -> None:
    """Refuse empty files and files above the limit before anything reads them."""
    if size == 0:
        raise ImportRejected("empty_file")
    if size > limit:
        raise ImportRejected("file_too_large", size=size, limit=limit)


def sniff_format(data: bytes, *, file_name: str = "") -> Sniffed:
    """Decide the format from the content (the name only breaks ties); refuse binary and foreign files."""
    check_size(len(data))
    name = file_name.lower()
    head = data[:8192]
    if head.startswith(b"PK\x03\x04"):
        if name.endswith((".csv", ".txt", ".json", ".jsonl")):
            raise ImportRejected("wrong_file_type", file_name=file_name, detected="zip/xlsx")
        return Sniffed("xlsx")
    for signature, label in _SIGNATURES:
        if head.startswith(signature):
            raise ImportRejected("unsupported_file_type", detected=label)
    if name.endswith((".xlsx", ".xlsm")):
        raise ImportRejected("wrong_file_type", file_name=file_name, detected="text")
    if _looks_binary(head):
        raise ImportRejected("binary_file")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise ImportRejected("empty_file")
    if name.endswith(".jsonl") or name.endswith(".ndjson"):
        return Sniffed("jsonl")
    if stripped[:1] == b"[" or (stripped[:1] == b"{" and not name.endswith((".csv", ".txt"))):
        return Sniffed("json")
    return Sniffed("csv")


def _looks_binary(head: bytes) -> bool:
    """NUL bytes never occur in text files except UTF-16 (which starts with a byte-order mark)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" not in head:
        return False
    # UTF-16 without a BOM: every other byte is NUL. That is text in the wrong encoding, not binary.
    return not (head[1::2].count(0) > len(head) * 0.4 or head[0::2].count(0) > len(head) * 0.4)


def check_xlsx(data: bytes) -> zipfile.ZipFile:
    """Open an XLSX container after checking that it cannot expand into a zip bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportRejected("corrupt_xlsx", reason=str(exc)) from exc
    if len(entries) > MAX_XLSX_ENTRIES:
        raise ImportRejected("zip_bomb", reason=f"{len(entries)} entries")
    total = 0
    for entry in entries:
        total += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > 1024 * 1024 and ratio > MAX_XLSX_COMPRESSION_RATIO:
            raise ImportRejected("zip_bomb", reason=f"{entry.filename} expands {ratio:.0f}x")
    if total > MAX_XLSX_UNCOMPRESSED_BYTES:
        raise ImportRejected("zip_bomb", reason=f"expands to {total // (1024 * 1024)} MB")
    names = {entry.filename for entry in entries}
    if "xl/workbook.xml" not in names:
        raise ImportRejected("corrupt_xlsx", reason="no xl/workbook.xml: not an Excel workbook")
    return archive


def is_formula_like(value: str) -> bool:
    """True when a spreadsheet program would evaluate the text (``=HYPERLINK(…)``, ``+cmd|…``, ``@SUM``).

    Plain signed numbers such as ``-12.5`` are values, not formulas.
    """
    if not value or not value.startswith(_FORMULA_START):
        return False
    return not _PLAIN_NUMBER.match(value.strip())


def neutralise_cell(value: object) -> object:
    """A value safe to put in an exported spreadsheet or CSV: formula-like text gets a leading apostrophe."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value
