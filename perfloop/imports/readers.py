"""Readers: bytes of a CSV, XLSX or JSON export in, one table of text cells out — nothing lost on the way.

Pure (Polars, fastexcel, stdlib). Every cell stays text here; parsing happens in ``parsers.py``. Each row
keeps the number the user sees in their own program (CSV line, Excel row, JSON element or line), so
errors point at the right place. Rows that cannot be split into the header's fields (a missing quote, a
file cut off mid-row, a line in another encoding) are returned as :class:`RowProblem` with their raw text
instead of being dropped.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from perfloop.imports.problems import ImportRejected, RowProblem
from perfloop.imports.profiles import header_key
from perfloop.imports.safety import check_xlsx, sniff_format

ROW = "__row"
HEADER_SCAN_ROWS = 30
_DELIMITERS = (",", "\t", ";", "|")
_QUOTED = r'"(?:[^"]|"")*"'
_NUMBERISH = re.compile(r"^[\s¥￥$€£+\-]*[\d０-９][\d０-９,.\s/\-:年月日%]*$")


@dataclass(frozen=True)
class ReadOptions:
    encoding: str = "auto"
    delimiter: str = "auto"
    sheet: str | int | None = None
    header_row: int | None = None


@dataclass
class RawTable:
    """The file as text cells: ``frame`` has ``__row`` (the user's row number) and ``c0`` … ``cN``."""

    frame: pl.DataFrame
    header: list[str]
    header_row: int
    file_format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    bad_rows: list[RowProblem] = field(default_factory=list)
    blank_rows: int = 0
    repeated_header_rows: list[int] = field(default_factory=list)

    @property
    def data_columns(self) -> list[str]:
        return [f"c{index}" for index in range(len(self.header))]


def read_table(
    data: bytes, *, file_name: str = "", options: ReadOptions | None = None, known: set[str] | None = None
) -> RawTable:
    """Read any supported file; ``known`` header keys (from the profile) help find the header row."""
    options = options or ReadOptions()
    sniffed = sniff_format(data, file_name=file_name)
    if sniffed.file_format == "xlsx":
        return read_xlsx(data, options=options, known=known or set())
    if sniffed.file_format in {"json", "jsonl"}:
        return read_json(data, options=options, known=known or set(), lines=sniffed.file_format == "jsonl")
    return read_csv(data, options=options, known=known or set())


# --- text decoding --------------------------------------------------------------------------------


def decode_text(data: bytes, encoding: str = "auto") -> tuple[str, str, list[RowProblem]]:
    """Decode with the declared encoding, or detect UTF-8 (with or without BOM), UTF-16 (BOM) or GB18030.

    GB18030 is a superset of GBK and GB2312, so Chinese exports in any of them decode alike. A file that is
    mostly one encoding with a few foreign lines keeps its good lines; the bad ones come back as
    ``undecodable_row`` problems with their bytes shown, instead of failing the whole file.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _decode_as(data[3:], "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_as(data, "utf-16")
    if encoding not in {"auto", ""}:
        return _decode_as(data, "gb18030" if encoding in {"gbk", "gb2312"} else encoding)
    if _looks_like_utf16_without_bom(data[:4096]):
        raise ImportRejected(
            "wrong_encoding", encoding="UTF-8/GBK (the file looks like UTF-16 without BOM)", offset=0
        )
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        if not data[: exc.start].isascii():
            return _decode_lines(data, "utf-8")
    return _decode_as(data, "gb18030")


def _decode_as(data: bytes, encoding: str) -> tuple[str, str, list[RowProblem]]:
    try:
        return data.decode(encoding), encoding, []
    except LookupError as exc:
        raise ImportRejected("wrong_encoding", encoding=encoding, offset=0) from exc
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start]
        if not prefix.isascii() and encoding != "utf-16":
            return _decode_lines(data, encoding)
        raise ImportRejected("wrong_encoding", encoding=encoding, offset=exc.start) from exc


def _decode_lines(data: bytes, encoding: str) -> tuple[str, str, list[RowProblem]]:
    lines = data.split(b"\n")
    problems: list[RowProblem] = []
    decoded: list[str] = []
    for number, line in enumerate(lines, start=1):
        try:
            decoded.append(line.decode(encoding))
        except UnicodeDecodeError:
            decoded.append("")
            problems.append(
                RowProblem(
                    number,
                    "undecodable_row",
                    line.decode(encoding, "backslashreplace").rstrip("\r"),
                    {"encoding": encoding},
                )
            )
    if len(problems) > max(10, len(lines) // 10):
        raise ImportRejected("wrong_encoding", encoding=encoding, offset=0)
    return "\n".join(decoded), encoding, problems


def _looks_like_utf16_without_bom(head: bytes) -> bool:
    return len(head) >= 8 and (head[1::2].count(0) > len(head) * 0.4 or head[0::2].count(0) > len(head) * 0.4)


# --- CSV ------------------------------------------------------------------------------------------


def sniff_delimiter(sample_lines: Sequence[str]) -> str:
    """The delimiter that splits the sample into the same number of fields on most lines (comma on a tie)."""
    best, best_score = ",", (0.0, 0)
    quoted = re.compile(_QUOTED)
    lines = [quoted.sub("", line) for line in sample_lines if line.strip()][:50]
    if not lines:
        return ","
    for candidate in _DELIMITERS:
        counts = [line.count(candidate) for line in lines]
        if not any(counts):
            continue
        mode = max(set(counts), key=counts.count)
        if mode == 0:
            continue
        score = (counts.count(mode) / len(counts), mode)
        if score > best_score:
            best, best_score = candidate, score
    return best


def read_csv(data: bytes, *, options: ReadOptions | None = None, known: set[str] | None = None) -> RawTable:
    """Delimited text: encoding detection, delimiter sniffing, header detection, ragged and cut-off rows."""
    options = options or ReadOptions()
    plain = _read_plain_csv(data, options, known or set())
    if plain is not None:
        return plain
    text, encoding, problems = decode_text(data, options.encoding)
    if not text or text.isspace():
        raise ImportRejected("empty_file")
    direct = data if encoding == "utf-8" and not problems else None
    ends_with_newline = text.endswith(("\n", "\r"))
    lines = _physical_lines(text, direct)
    del text
    records, unclosed = _join_quoted_lines(lines)
    delimiter = options.delimiter if options.delimiter not in {"", "auto"} else None
    if delimiter is None:
        delimiter = sniff_delimiter(records["record"].head(60).to_list())
    records = _count_fields(records, delimiter)
    last_row = int(lines[ROW][-1]) if lines.height else 0
    physical = lines.height
    del lines
    blank_count = int(records["blank"].sum())
    if blank_count == records.height:
        raise ImportRejected("empty_file")
    head = records.lazy().filter(~pl.col("blank")).head(HEADER_SCAN_ROWS).collect()
    head_rows = [_split_csv_line(line, delimiter) for line in head["record"]]
    head_numbers = head[ROW].to_list()
    position = _header_position(head_rows, head_numbers, known or set(), options.header_row)
    header = [cell.strip() for cell in head_rows[position]]
    header_row = head_numbers[position]
    header_line = str(head["record"][position])
    width = len(header)
    # Masks instead of filtered copies: a million-line file is not copied four times over.
    record = pl.col("record")
    is_header = (record.str.len_bytes() == len(header_line.encode())) & (record == header_line)
    in_body = (pl.col(ROW) > header_row) & ~pl.col("blank")
    flags = records.select(
        repeated=in_body & is_header,
        good=in_body & ~is_header & (pl.col("fields") == width),
        bad=in_body & ~is_header & (pl.col("fields") != width),
    )
    if unclosed is not None:
        problems.append(RowProblem(unclosed[0], "truncated_row", unclosed[1], {}))
        not_unclosed = records[ROW] != unclosed[0]
        flags = flags.with_columns(good=pl.col("good") & not_unclosed, bad=pl.col("bad") & not_unclosed)
    repeated = records.filter(flags["repeated"])[ROW].to_list()
    bad = records.filter(flags["bad"])
    for row, text_of_row, fields in bad.select(ROW, "record", "fields").iter_rows():
        cut_off = row == last_row and not ends_with_newline and fields < width
        code = "truncated_row" if cut_off else ("missing_fields" if fields < width else "extra_fields")
        problems.append(RowProblem(row, code, text_of_row, {"found": fields, "expected": width}))
    good_count = int(flags["good"].sum())
    untouched = good_count == physical - header_row and records.height == physical
    frame = None
    if untouched and direct is not None:
        # Every line after the header is a good record: Polars reads the file itself, and the lines can go
        # before it does (the largest frame of the import is being built next).
        del records, flags
        rows = pl.int_range(header_row + 1, physical + 1, eager=True, dtype=pl.Int64).alias(ROW)
        frame = _split_records(None, delimiter, width, direct=direct, skip=header_row, rows=rows)
        if frame is None:  # pragma: no cover - Polars saw other lines than we did: take the slow road
            records, _ = _join_quoted_lines(_physical_lines(direct.decode("utf-8-sig"), direct))
            records = _count_fields(records, delimiter)
            good = records.filter((pl.col(ROW) > header_row) & (pl.col("fields") == width) & ~pl.col("blank"))
            frame = _split_records(good, delimiter, width)
    else:
        frame = _split_records(records.filter(flags["good"]), delimiter, width)
        del records
    if frame is None:  # pragma: no cover - the re-joined path always returns a frame
        raise ImportRejected("empty_file")
    frame, header = _drop_empty_unnamed(frame, header)
    return RawTable(
        frame=frame,
        header=header,
        header_row=header_row,
        file_format="csv",
        encoding=encoding,
        delimiter=delimiter,
        bad_rows=sorted(problems, key=lambda problem: problem.row),
        blank_rows=blank_count,
        repeated_header_rows=repeated,
    )


_PLAIN_HEAD_BYTES = 1 << 16
_SPLITTER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="perfloop-read")


def _read_plain_csv(data: bytes, options: ReadOptions, known: set[str]) -> RawTable | None:
    """The common machine export read in one pass: UTF-8, no quote character anywhere, and every line after
    the header a record of the header's width. ``None`` sends any other file down the careful road.

    Header and delimiter are found exactly as the careful road finds them, from the first lines. The body
    then needs no line-by-line look: without quotes every delimiter separates fields, so when no line has
    more fields than the header (Polars refuses those) and the body holds exactly ``width - 1`` delimiters
    per line, every line has exactly the header's width. Blank and repeated header lines are looked for in
    the parsed cells.
    """
    if options.encoding not in {"auto", "", "utf-8"} or b'"' in data:
        return None
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    if not data.isascii():
        try:
            data[start:].decode("utf-8")  # validation only: a file with a bad byte goes the careful road
        except UnicodeDecodeError:
            return None
    head = _plain_head(data, start)
    if head is None:
        return None
    lines, head_bytes = head
    delimiter = options.delimiter if options.delimiter not in {"", "auto"} else None
    if delimiter is None:
        delimiter = sniff_delimiter(lines["record"].head(60).to_list())
    records = _count_fields(lines, delimiter)
    filled = records.filter(~pl.col("blank")).head(HEADER_SCAN_ROWS)
    if filled.height == 0:
        return None
    head_rows = [_split_csv_line(line, delimiter) for line in filled["record"]]
    numbers = filled[ROW].to_list()
    try:
        position = _header_position(head_rows, numbers, known, options.header_row)
    except ImportRejected:
        return None  # the careful road says why, with the same words
    header_row = numbers[position]
    header_cells = head_rows[position]
    width = len(header_cells)
    body_start = start + sum(head_bytes[:header_row])
    if body_start >= len(data):
        return None
    # Polars splits the body on its own threads while this one counts lines and delimiters.
    names = [f"c{index}" for index in range(width)]
    splitting = _SPLITTER.submit(_read_direct, data, delimiter, names, header_row)
    body_lines = data.count(b"\n", body_start) + (0 if data.endswith(b"\n") else 1)
    delimiters = data.count(delimiter.encode(), body_start)
    try:
        frame = splitting.result()
    except pl.exceptions.PolarsError:
        return None  # a line with more fields than the header (or a first line with fewer)
    if frame.height != body_lines or delimiters != (width - 1) * body_lines:
        return None
    rows = pl.int_range(header_row + 1, header_row + body_lines + 1, eager=True, dtype=pl.Int64).alias(ROW)
    frame = frame.with_columns(rows).select(ROW, *names)
    if _has_blank_or_header_rows(frame, header_cells):
        return None
    blank_before = int(records.filter(pl.col(ROW) < header_row)["blank"].sum())
    frame, header = _drop_empty_unnamed(frame, [cell.strip() for cell in header_cells])
    return RawTable(
        frame=frame,
        header=header,
        header_row=header_row,
        file_format="csv",
        encoding="utf-8",
        delimiter=delimiter,
        blank_rows=blank_before,
    )


def _plain_head(data: bytes, start: int) -> tuple[pl.DataFrame, list[int]] | None:
    """The first lines (at least as many as header detection and delimiter sniffing read) as a lines frame,
    and each line's length in bytes with its line break."""
    size = _PLAIN_HEAD_BYTES
    while True:
        chunk = data[start : start + size]
        complete = start + size >= len(data)
        raw_lines = chunk.split(b"\n")
        if not complete:
            raw_lines = raw_lines[:-1]  # cut off mid-line
        elif raw_lines and raw_lines[-1] == b"":
            raw_lines = raw_lines[:-1]  # the file's last line break
        texts = [line.decode("utf-8").removesuffix("\r") for line in raw_lines]
        filled = sum(1 for text in texts if text.strip())
        if complete or (len(texts) >= 60 and filled >= HEADER_SCAN_ROWS):
            break
        size *= 4
    if not texts:
        return None
    lines = pl.DataFrame(
        {ROW: pl.int_range(1, len(texts) + 1, eager=True, dtype=pl.Int64), "record": texts},
        schema={ROW: pl.Int64, "record": pl.String},
    )
    return lines, [len(line) + 1 for line in raw_lines]


def _has_blank_or_header_rows(frame: pl.DataFrame, header_cells: Sequence[str]) -> bool:
    """A line of nothing but delimiters and spaces, or the header again, mid-file (the careful road reports
    both). Each is looked for among the few rows whose first cell could make it one."""
    names = [f"c{index}" for index in range(len(header_cells))]
    first = pl.col(names[0])
    empty = [pl.col(name).is_null() | (pl.col(name).str.strip_chars() == "") for name in names]
    blank = frame.filter(first.is_null() | ~first.str.contains(r"\S")).select(pl.all_horizontal(empty))
    if blank.height and bool(blank.to_series().any()):
        return True
    cells = [cell or None for cell in header_cells]
    again = frame.filter(first.eq_missing(pl.lit(cells[0], dtype=pl.String)))
    if again.height == 0:
        return False
    same = [
        pl.col(name).eq_missing(pl.lit(cell, dtype=pl.String))
        for name, cell in zip(names, cells, strict=True)
    ]
    return bool(again.select(pl.all_horizontal(same)).to_series().any())


def _physical_lines(text: str, utf8: bytes | None) -> pl.DataFrame:
    """One row per physical line with its 1-based number; ``\\r`` of Windows line ends removed.

    Polars' reader with an unused separator and no quoting splits lines fastest; a file that contains
    that separator character falls back to splitting the string.
    """
    sentinel = "\x1f"
    if sentinel not in text:
        payload = utf8[3:] if utf8 is not None and utf8.startswith(codecs.BOM_UTF8) else utf8
        frame = pl.read_csv(
            io.BytesIO(payload if payload is not None else text.encode("utf-8")),
            has_header=False,
            separator=sentinel,
            quote_char=None,
            new_columns=["record"],
            infer_schema=False,
            empty_string_is_null=False,
            truncate_ragged_lines=True,
        )
        expected = text.count("\n") + (0 if text.endswith("\n") else 1)
        if frame.height == expected:
            return (
                frame.with_columns(pl.col("record").fill_null("").str.strip_suffix("\r"))
                .with_row_index(ROW, offset=1)
                .with_columns(pl.col(ROW).cast(pl.Int64))
            )
    series = pl.Series("record", [text], dtype=pl.String).str.split("\n").explode().str.strip_suffix("\r")
    if text.endswith("\n"):
        series = series.head(series.len() - 1)
    return series.to_frame().with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))


def _join_quoted_lines(lines: pl.DataFrame) -> tuple[pl.DataFrame, tuple[int, str] | None]:
    """Glue physical lines back into records where a quoted value spans lines.

    Returns the records and, if the file ends inside an open quote, that last record (cut off mid-row).
    """
    odd = (pl.col("record").str.count_matches('"', literal=True) % 2) == 1
    flagged = lines.with_columns(odd=odd)
    if not flagged["odd"].any():
        return lines, None
    flagged = flagged.with_columns(open_after=(pl.col("odd").cast(pl.Int32).cum_sum() % 2) == 1).with_columns(
        starts=~pl.col("open_after").shift(1, fill_value=False)
    )
    flagged = flagged.with_columns(record_id=pl.col("starts").cast(pl.Int64).cum_sum())
    records = (
        flagged.group_by("record_id", maintain_order=True)
        .agg(pl.col(ROW).first(), pl.col("record").str.join("\n"))
        .select(ROW, "record")
    )
    unclosed = None
    if bool(flagged["open_after"][-1]):
        unclosed = (int(records[ROW][-1]), str(records["record"][-1]))
    return records, unclosed


def _count_fields(records: pl.DataFrame, delimiter: str) -> pl.DataFrame:
    """Fields per record (delimiters inside quotes do not count) and whether the record is blank."""
    delimiters = pl.col("record").str.count_matches(delimiter, literal=True)
    records = records.with_columns(
        fields=delimiters + 1, quoted=pl.col("record").str.contains('"', literal=True)
    )
    if records["quoted"].any():
        quoted = records.filter(pl.col("quoted")).select(
            ROW,
            fields=pl.col("record").str.replace_all(_QUOTED, "").str.count_matches(delimiter, literal=True)
            + 1,
        )
        records = records.update(quoted, on=ROW)
    # Only short records can be blank (nothing but delimiters and spaces): check just those.
    maybe_blank = records.filter(pl.col("record").str.len_bytes() <= pl.col("fields") + 8)
    blank_rows = maybe_blank.filter(
        pl.col("record").str.replace_all(delimiter, "", literal=True).str.strip_chars() == ""
    )[ROW]
    return records.with_columns(blank=pl.col(ROW).is_in(blank_rows.implode())).drop("quoted")


def _split_csv_line(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _split_records(
    good: pl.DataFrame | None,
    delimiter: str,
    width: int,
    *,
    direct: bytes | None = None,
    skip: int = 0,
    rows: pl.Series | None = None,
) -> pl.DataFrame | None:
    """Split well-formed records into ``c0..cN`` with Polars' CSV reader (quotes and escapes handled).

    ``direct``: the original UTF-8 bytes when every line after the header is a good record, so Polars
    reads the file itself (``rows`` are then the line numbers) instead of the re-joined records.
    """
    names = [f"c{index}" for index in range(width)]
    schema = {ROW: pl.Int64, **dict.fromkeys(names, pl.String)}
    if direct is not None and rows is not None:
        if rows.len() == 0:
            return pl.DataFrame(schema=schema)
        frame = _read_direct(direct, delimiter, names, skip)
        if frame.height == rows.len():
            return frame.with_columns(rows).select(ROW, *names)
        return None  # pragma: no cover - the caller falls back to the re-joined records
    if good is None or good.height == 0:
        return pl.DataFrame(schema=schema)
    payload = "\n".join(good["record"].to_list()) if good.height < 64 else good["record"].str.join("\n")[0]
    frame = _read_cells(payload.encode("utf-8"), delimiter, names)
    if frame.height != good.height:  # pragma: no cover - defensive: fall back to the stdlib parser
        split = [_split_csv_line(record, delimiter) for record in good["record"]]
        frame = pl.DataFrame(split, schema=names, orient="row").with_columns(pl.all().replace("", None))
    return frame.with_columns(good[ROW]).select(ROW, *names)


def _read_direct(data: bytes, delimiter: str, names: list[str], skip: int) -> pl.DataFrame:
    """Polars reads the file's own bytes after ``skip`` lines."""
    return _read_cells(data[3:] if data.startswith(codecs.BOM_UTF8) else data, delimiter, names, skip=skip)


def _read_cells(data: bytes, delimiter: str, names: list[str], *, skip: int = 0) -> pl.DataFrame:
    """Delimited lines split by Polars: every cell text, empty ones null."""
    return pl.read_csv(
        io.BytesIO(data),
        has_header=False,
        skip_lines=skip,
        separator=delimiter,
        new_columns=names,
        infer_schema=False,
        quote_char='"',
        empty_string_is_null=True,
    )


def _drop_empty_unnamed(frame: pl.DataFrame, header: list[str]) -> tuple[pl.DataFrame, list[str]]:
    """Trailing delimiters make nameless, empty columns: they carry nothing, so they go."""
    keep = [
        index
        for index, name in enumerate(header)
        if name.strip() or frame.height == 0 or frame[f"c{index}"].null_count() < frame.height
    ]
    if len(keep) == len(header):
        return frame, header
    renamed = {f"c{old}": f"c{new}" for new, old in enumerate(keep)}
    frame = frame.select(ROW, *[pl.col(old).alias(new) for old, new in renamed.items()])
    return frame, [header[index] or f"(column {index + 1})" for index in keep]


# --- header detection -----------------------------------------------------------------------------


def _header_position(
    rows: Sequence[Sequence[Any]], numbers: Sequence[int], known: set[str], header_row: int | None
) -> int:
    """Which of the first rows is the header: the one naming most known columns; title rows are skipped."""
    if header_row is not None:
        if header_row in numbers:
            return list(numbers).index(header_row)
        raise ImportRejected("missing_header", row=f"row {header_row} is blank or beyond the first rows")
    cells = [[("" if cell is None else str(cell)).strip() for cell in row] for row in rows]
    scores = [sum(1 for cell in row if cell and header_key(cell)[0] in known) for row in cells]
    if scores and max(scores) > 0:
        return scores.index(max(scores))
    filled = [sum(1 for cell in row if cell) for row in cells]
    widest = max(filled, default=0)
    for index, row in enumerate(cells):
        values = [cell for cell in row if cell]
        if len(values) < max(2, widest // 2):
            continue  # a title row ("2025年3月 商机报表") or a note
        if sum(1 for value in values if _NUMBERISH.match(value)) * 2 >= len(values):
            raise ImportRejected("missing_header", row=", ".join(values[:8]))
        return index
    raise ImportRejected("missing_header", row="")


# --- XLSX -----------------------------------------------------------------------------------------


def read_xlsx(data: bytes, *, options: ReadOptions | None = None, known: set[str] | None = None) -> RawTable:
    """A worksheet through fastexcel (calamine): title rows and merged cells above the header are skipped."""
    import fastexcel

    options = options or ReadOptions()
    archive = check_xlsx(data)
    try:
        reader = fastexcel.read_excel(data)
    except Exception as exc:  # fastexcel raises its own hierarchy for every kind of damage
        raise ImportRejected("corrupt_xlsx", reason=str(exc).splitlines()[0][:200]) from exc
    names = list(reader.sheet_names)
    if not names:
        raise ImportRejected("corrupt_xlsx", reason="the workbook has no sheets")
    candidates: list[int | str]
    if options.sheet is not None:
        if isinstance(options.sheet, int) and not 0 <= options.sheet < len(names):
            raise ImportRejected("sheet_not_found", sheet=options.sheet, sheets=", ".join(names))
        if isinstance(options.sheet, str) and options.sheet not in names:
            raise ImportRejected("sheet_not_found", sheet=options.sheet, sheets=", ".join(names))
        candidates = [options.sheet]
    else:
        candidates = list(range(len(names)))
    offsets = _first_rows(archive, names)
    best: tuple[int, RawTable] | None = None
    first_error: ImportRejected | None = None
    for candidate in candidates:
        sheet_name = names[candidate] if isinstance(candidate, int) else candidate
        try:
            sheet = reader.load_sheet(candidate, header_row=None, dtypes="string")
            grid = sheet.to_polars()
        except Exception as exc:  # a damaged sheet
            raise ImportRejected("corrupt_xlsx", reason=str(exc).splitlines()[0][:200]) from exc
        try:
            table = _table_from_grid(grid, offsets.get(sheet_name, 1), known or set(), options, "xlsx")
        except ImportRejected as exc:
            first_error = first_error or exc
            continue
        table.sheet = sheet_name
        score = sum(1 for name in table.header if header_key(name)[0] in (known or set()))
        if best is None or score > best[0]:
            best = (score, table)
    if best is None:
        raise first_error or ImportRejected("empty_file")
    return best[1]


def _first_rows(archive: zipfile.ZipFile, sheet_names: Sequence[str]) -> dict[str, int]:
    """The Excel row number of each sheet's first filled cell (calamine's grid starts there)."""
    offsets: dict[str, int] = {}
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        return offsets
    targets = dict(re.findall(r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    targets.update(
        {
            rid: target
            for target, rid in re.findall(r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)
        }
    )
    for name, rid in re.findall(r'<sheet [^>]*?name="([^"]*)"[^>]*?r:id="([^"]+)"', workbook):
        target = targets.get(rid, "")
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        try:
            with archive.open(path) as handle:
                head = handle.read(2 * 1024 * 1024).decode("utf-8", "replace")
        except KeyError:
            continue
        for match in re.finditer(r'<c r="[A-Z]+(\d+)"[^>]*?(/>|>(.*?)</c>)', head, re.S):
            if match.group(3) and ("<v>" in match.group(3) or "<is>" in match.group(3)):
                offsets[_unescape(name)] = int(match.group(1))
                break
    return offsets


def _unescape(name: str) -> str:
    return name.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')


def _table_from_grid(
    grid: pl.DataFrame, first_row: int, known: set[str], options: ReadOptions, file_format: str
) -> RawTable:
    if grid.height == 0 or grid.width == 0:
        raise ImportRejected("empty_file")
    width = grid.width
    names = [f"c{index}" for index in range(width)]
    grid = grid.rename(dict(zip(grid.columns, names, strict=True))).with_columns(
        pl.col(name).str.strip_chars().replace("", None) for name in names
    )
    grid = grid.with_row_index(ROW, offset=first_row).with_columns(pl.col(ROW).cast(pl.Int64))
    grid = grid.with_columns(blank=pl.all_horizontal(pl.col(name).is_null() for name in names))
    blank_count = int(grid["blank"].sum())
    grid = grid.filter(~pl.col("blank")).drop("blank")
    if grid.height == 0:
        raise ImportRejected("empty_file")
    head = grid.head(HEADER_SCAN_ROWS)
    position = _header_position(
        [list(row) for row in head.select(names).iter_rows()], head[ROW].to_list(), known, options.header_row
    )
    header_values = list(grid.row(position))[1:]
    header = [("" if value is None else str(value)).strip() for value in header_values]
    body = grid.slice(position + 1)
    is_header = pl.all_horizontal(
        (pl.col(name) == value) if value else pl.col(name).is_null()
        for name, value in zip(names, header, strict=True)
    )
    repeated = body.filter(is_header)[ROW].to_list()
    body = body.filter(~is_header)
    frame, header = _drop_empty_unnamed(body, header)
    return RawTable(
        frame=frame,
        header=header,
        header_row=int(grid[ROW][position]),
        file_format=file_format,
        blank_rows=blank_count,
        repeated_header_rows=repeated,
    )


# --- JSON -----------------------------------------------------------------------------------------


def read_json(
    data: bytes, *, options: ReadOptions | None = None, known: set[str] | None = None, lines: bool = False
) -> RawTable:
    """A JSON array of objects (or of arrays, the first one the header), or JSON lines (one object a line).

    Numbers keep their exact text (``12.30`` stays ``12.30``): money must not pass through a float.
    """
    options = options or ReadOptions()
    text, encoding, problems = decode_text(data, options.encoding)
    stripped = text.lstrip()
    if not stripped:
        raise ImportRejected("empty_file")
    if not lines and stripped.startswith("["):
        items, problems_array = _json_array(text)
        problems.extend(problems_array)
    elif not lines and stripped.startswith("{"):
        try:
            whole = _loads(stripped)
        except ValueError:
            whole = None
        if isinstance(whole, dict):
            lists = [value for value in whole.values() if isinstance(value, list)]
            if len(lists) == 1:
                items = [(index, item) for index, item in enumerate(lists[0], start=1)]
            else:
                items = [(1, whole)]
        else:
            items, problems_lines = _json_lines(text)
            problems.extend(problems_lines)
    else:
        items, problems_lines = _json_lines(text)
        problems.extend(problems_lines)
    return _table_from_items(items, problems, encoding, known or set(), options, "jsonl" if lines else "json")


def _loads(text: str) -> Any:
    return json.loads(text, parse_float=str, parse_int=str, object_pairs_hook=_no_duplicate_keys)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"key {key!r} appears twice")
        result[key] = value
    return result


def _json_array(text: str) -> tuple[list[tuple[int, Any]], list[RowProblem]]:
    """Elements one by one, so that a file cut off mid-element keeps every complete element before it."""
    decoder = json.JSONDecoder(parse_float=str, parse_int=str, object_pairs_hook=_no_duplicate_keys)
    position = text.index("[") + 1
    items: list[tuple[int, Any]] = []
    problems: list[RowProblem] = []
    number = 0
    whitespace = re.compile(r"[\s,]*")
    while True:
        match = whitespace.match(text, position)
        position = match.end() if match else position
        if position >= len(text):
            if number == 0:
                raise ImportRejected("invalid_json", reason="the array is never closed")
            problems.append(RowProblem(number + 1, "truncated_row", "", {}))
            break
        if text[position] == "]":
            break
        number += 1
        try:
            item, position = decoder.raw_decode(text, position)
        except ValueError as exc:
            remainder = text[position:].strip()
            if "]" not in remainder.rstrip()[-1:]:
                problems.append(RowProblem(number, "truncated_row", remainder[:2000], {}))
                break
            raise ImportRejected("invalid_json", reason=f"element {number}: {exc}") from exc
        items.append((number, item))
    return items, problems


def _json_lines(text: str) -> tuple[list[tuple[int, Any]], list[RowProblem]]:
    items: list[tuple[int, Any]] = []
    problems: list[RowProblem] = []
    physical = text.split("\n")
    ends_with_newline = text.endswith("\n")
    for number, line in enumerate(physical, start=1):
        if not line.strip():
            continue
        try:
            items.append((number, _loads(line)))
        except ValueError as exc:
            cut_off = number == len(physical) and not ends_with_newline
            code = "truncated_row" if cut_off else "invalid_json_row"
            problems.append(RowProblem(number, code, line.rstrip("\r"), {"reason": str(exc)[:200]}))
    if not items and problems and all(p.code == "invalid_json_row" for p in problems):
        raise ImportRejected("invalid_json", reason=problems[0].details.get("reason", ""))
    return items, problems


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    text = str(value).strip()
    return text or None


def _table_from_items(
    items: list[tuple[int, Any]],
    problems: list[RowProblem],
    encoding: str,
    known: set[str],
    options: ReadOptions,
    file_format: str,
) -> RawTable:
    if not items:
        if problems:
            header: list[str] = []
            return RawTable(
                pl.DataFrame(schema={ROW: pl.Int64}), header, 0, file_format, encoding, bad_rows=problems
            )
        raise ImportRejected("empty_file")
    if all(isinstance(item, list) for _, item in items):
        numbers = [number for number, _ in items]
        width = max(len(item) for _, item in items)
        grid = pl.DataFrame(
            [[_cell(value) for value in item] + [None] * (width - len(item)) for _, item in items],
            schema=[f"c{index}" for index in range(width)],
            orient="row",
        )
        grid = grid.with_columns(pl.Series(ROW, numbers, dtype=pl.Int64))
        table = _table_from_grid(grid.drop(ROW), numbers[0], known, options, file_format)
        table.encoding = encoding
        table.bad_rows = problems
        return table
    columns: dict[str, None] = {}
    rows: list[int] = []
    for number, item in items:
        if not isinstance(item, dict):
            problems.append(
                RowProblem(number, "invalid_json_row", _cell(item) or "", {"reason": "not an object"})
            )
            continue
        columns.update(dict.fromkeys(item))
        rows.append(number)
    header = list(columns)
    values: dict[str, list[str | None]] = {f"c{index}": [] for index in range(len(header))}
    objects = [item for _, item in items if isinstance(item, dict)]
    for index, name in enumerate(header):
        values[f"c{index}"] = [_cell(item.get(name)) for item in objects]
    frame = pl.DataFrame({ROW: rows, **values}, schema={ROW: pl.Int64, **dict.fromkeys(values, pl.String)})
    return RawTable(
        frame=frame,
        header=header,
        header_row=0,
        file_format=file_format,
        encoding=encoding,
        bad_rows=sorted(problems, key=lambda problem: problem.row),
    )
