"""Every way an import can go wrong, with a stable code, a message and how to fix it.

Pure (no Django): readers, parsers and validation raise or return these codes; the UI translates the
English texts at display time (they are marked with ``gettext_noop`` so ``makemessages`` collects them)
and ``docs/imports.md`` lists the same table.

Two levels:

* **file problems** stop the whole file (:class:`ImportRejected`): nothing is applied, the batch is
  recorded as rejected with the reason;
* **row problems** quarantine one row (row number, column, raw value, code): the rest of the file is
  applied and the row waits to be fixed and resubmitted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from perfloop.core.errors import DomainError
from perfloop.imports.labels import DETAIL_WORDS, gettext_noop, word


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    fix: str
    level: str  # "file", "row" or "warning"


_PROBLEMS: tuple[Problem, ...] = (
    # --- the file as a whole -----------------------------------------------------------------------------
    Problem(
        "empty_file",
        gettext_noop("The file is empty."),
        gettext_noop("Export the data again; the file has no bytes or only blank lines."),
        "file",
    ),
    Problem(
        "already_imported",
        gettext_noop("The same file was already applied as batch #{batch}; nothing changed."),
        gettext_noop(
            "Nothing to do: its data is in. To correct it, import the corrected export for the same period."
        ),
        "file",
    ),
    Problem(
        "file_too_large",
        gettext_noop("The file is {size} bytes; the limit is {limit} bytes."),
        gettext_noop("Split the export by month or by team and import the parts."),
        "file",
    ),
    Problem(
        "binary_file",
        gettext_noop("The file is binary, not text or a spreadsheet."),
        gettext_noop("Upload the CSV, XLSX or JSON export itself, not an archive or a database file."),
        "file",
    ),
    Problem(
        "unsupported_file_type",
        gettext_noop("This is a {detected} file, which cannot be imported."),
        gettext_noop("Open it in its program and save it as .xlsx or as CSV (UTF-8)."),
        "file",
    ),
    Problem(
        "wrong_file_type",
        gettext_noop("The file is named {file_name} but its content is {detected}."),
        gettext_noop("Rename the file with the right extension or export it again."),
        "file",
    ),
    Problem(
        "wrong_encoding",
        gettext_noop("The text is not valid {encoding} (first bad byte at offset {offset})."),
        gettext_noop(
            "Save the file as UTF-8 (or GBK/GB18030), or set the profile's encoding to the "
            "one the system exported."
        ),
        "file",
    ),
    Problem(
        "zip_bomb",
        gettext_noop("The spreadsheet expands suspiciously ({reason}); it was not opened."),
        gettext_noop("Open the file in Excel, save it again as a normal .xlsx and retry."),
        "file",
    ),
    Problem(
        "corrupt_xlsx",
        gettext_noop("The spreadsheet cannot be read: {reason}."),
        gettext_noop("Open it in Excel or WPS and save it again as .xlsx."),
        "file",
    ),
    Problem(
        "sheet_not_found",
        gettext_noop("The workbook has no sheet {sheet}; it has {sheets}."),
        gettext_noop("Choose one of the sheets, or fix the sheet name in the profile."),
        "file",
    ),
    Problem(
        "invalid_json",
        gettext_noop("The JSON is not valid: {reason}."),
        gettext_noop("Send a JSON array of objects or one JSON object per line."),
        "file",
    ),
    Problem(
        "missing_header",
        gettext_noop("No header row was found; the first row looks like data: {row}."),
        gettext_noop("Add the column names as the first row (or tell the profile which row holds them)."),
        "file",
    ),
    Problem(
        "duplicate_header",
        gettext_noop("Column {column} appears more than once ({columns})."),
        gettext_noop("Rename or delete the extra column so that each field comes from one column."),
        "file",
    ),
    Problem(
        "missing_column",
        gettext_noop("Required column {field} ({names}) is missing. Columns found: {found}."),
        gettext_noop("Export the missing column, or add its name to the profile's column map."),
        "file",
    ),
    Problem(
        "unknown_column",
        gettext_noop("Column {column} is not in the profile, so its values are not imported."),
        gettext_noop(
            "Map the column in the profile if it should be imported; otherwise ignore this warning."
        ),
        "warning",
    ),
    Problem(
        "no_data_rows",
        gettext_noop("The file has a header but no data rows."),
        gettext_noop("Check the export's filters (period, team) and export again."),
        "file",
    ),
    Problem(
        "no_valid_rows",
        gettext_noop("No row could be imported (rows read: {rows})."),
        gettext_noop(
            "Open the error report: usually the profile does not fit the file (date format, units, names)."
        ),
        "file",
    ),
    Problem(
        "too_many_errors",
        gettext_noop("Rows with errors: {bad} of {rows}, more than {limit}; nothing was applied."),
        gettext_noop(
            "Fix the common cause shown in the error report (often the profile) and import the file again."
        ),
        "file",
    ),
    Problem(
        "invalid_period",
        gettext_noop("The declared period is not valid: {reason}."),
        gettext_noop("Give the first and last month as YYYY-MM, the first not after the last."),
        "file",
    ),
    Problem(
        "coverage_conflict",
        gettext_noop("{kpi} for {month} is already provided by batch {batch} of source {source}."),
        gettext_noop(
            "Import the data through the source that owns it, or narrow this file's period or KPIs."
        ),
        "file",
    ),
    Problem(
        "coverage_held_wider",
        gettext_noop(
            "{kpi} for {month} was imported for a wider part of the organisation than this file covers."
        ),
        gettext_noop(
            "A correction must cover the same part of the organisation: ask HR of that part (or of the whole "
            "organisation) to import it."
        ),
        "file",
    ),
    Problem(
        "invalid_profile",
        gettext_noop("The mapping profile is not valid: {reason}."),
        gettext_noop("Correct the profile (see docs/imports.md, 'Writing a profile')."),
        "file",
    ),
    Problem(
        "profile_kind_mismatch",
        gettext_noop(
            "Profile {profile} reads {kind} files, which source {source} ({source_kind}) does not provide."
        ),
        gettext_noop("Choose a profile made for this source."),
        "file",
    ),
    Problem(
        "manager_cycle",
        gettext_noop("The managers form a loop: {people}."),
        gettext_noop("Correct the 直属上级 (manager) column so that nobody manages themself indirectly."),
        "file",
    ),
    # --- one row -----------------------------------------------------------------------------------------
    Problem(
        "undecodable_row",
        gettext_noop("The line is not valid {encoding}."),
        gettext_noop("The file mixes encodings; save it again as UTF-8 and resubmit this row."),
        "row",
    ),
    Problem(
        "missing_fields",
        gettext_noop("The row has {found} fields; the header has {expected}."),
        gettext_noop("A delimiter or quote is missing in this row; fix the row."),
        "row",
    ),
    Problem(
        "extra_fields",
        gettext_noop("The row has {found} fields; the header has {expected}."),
        gettext_noop("A value contains an unquoted delimiter; quote the value or remove the extra field."),
        "row",
    ),
    Problem(
        "truncated_row",
        gettext_noop("The file ends in the middle of this row."),
        gettext_noop("The export or the upload was cut off: export the file again."),
        "row",
    ),
    Problem(
        "invalid_json_row",
        gettext_noop("This line is not a JSON object: {reason}."),
        gettext_noop("Fix the JSON of this line."),
        "row",
    ),
    Problem("missing_value", gettext_noop("{field} is empty."), gettext_noop("Fill in the value."), "row"),
    Problem(
        "unparseable_number",
        gettext_noop("{value} is not a number."),
        gettext_noop("Write a plain number such as 12,345.60, 1.2万 or 15%."),
        "row",
    ),
    Problem(
        "ambiguous_number",
        gettext_noop("{value} could be read two ways (thousands or decimal separator)."),
        gettext_noop(
            "Write the number with a decimal point and groups of three digits, e.g. 1,234.5; "
            "or set the profile's decimal comma."
        ),
        "row",
    ),
    Problem(
        "unparseable_date",
        gettext_noop("{value} is not a date."),
        gettext_noop("Write the date as YYYY-MM-DD (2025-03-15)."),
        "row",
    ),
    Problem(
        "unparseable_month",
        gettext_noop("{value} is not a month."),
        gettext_noop("Write the month as YYYY-MM (2025-03)."),
        "row",
    ),
    Problem(
        "ambiguous_date",
        gettext_noop("{value} could be day/month or month/day."),
        gettext_noop("Write the date as YYYY-MM-DD, or set the profile's date order (DMY or MDY)."),
        "row",
    ),
    Problem(
        "date_out_of_range",
        gettext_noop("{value} is outside the plausible range {first}..{last}."),
        gettext_noop("Check the year (two-digit years are read as 2000-2069 / 1970-1999)."),
        "row",
    ),
    Problem(
        "negative_value",
        gettext_noop("{field} is negative ({value})."),
        gettext_noop("Enter the amount as a positive number; record refunds or credit notes separately."),
        "row",
    ),
    Problem(
        "absurd_value",
        gettext_noop("{field} = {value} is implausibly large (limit {limit})."),
        gettext_noop("Check the unit (元 vs 万元) and the decimal separator."),
        "row",
    ),
    Problem(
        "out_of_range",
        gettext_noop("{field} = {value} is outside {minimum}..{maximum}."),
        gettext_noop("Enter a value inside the allowed range."),
        "row",
    ),
    Problem(
        "unknown_value",
        gettext_noop("{value} is not a known {field}; known: {known}."),
        gettext_noop("Use one of the known values, or add this value to the profile's value map."),
        "row",
    ),
    Problem(
        "invalid_email",
        gettext_noop("{value} is not an e-mail address."),
        gettext_noop("Correct the address."),
        "row",
    ),
    Problem(
        "value_too_long",
        gettext_noop("{field} is longer than {limit} characters."),
        gettext_noop("Shorten the value."),
        "row",
    ),
    Problem(
        "formula_in_cell",
        gettext_noop("{field} holds a spreadsheet formula ({value}), not a value."),
        gettext_noop("Replace the formula by its value (paste as values) and resubmit the row."),
        "row",
    ),
    Problem(
        "duplicate_row",
        gettext_noop("This row repeats row {first_row} exactly; it was counted once."),
        gettext_noop(
            "Nothing to do if the repetition is an export glitch; otherwise make the rows differ "
            "(e.g. by their record id)."
        ),
        "row",
    ),
    Problem(
        "conflicting_row",
        gettext_noop("Record {key} appears in rows {rows} with different values."),
        gettext_noop("Keep the one correct row for this record and resubmit it."),
        "row",
    ),
    Problem(
        "conflicts_with_batch",
        gettext_noop("Record {key} was already imported by batch {batch} for {month}."),
        gettext_noop("Restate the earlier period with a corrected file, or fix this row's date."),
        "row",
    ),
    Problem(
        "unknown_employee",
        gettext_noop("No employee matches {value} (by {match})."),
        gettext_noop("Import the HR roster first, or correct the name / employee number."),
        "row",
    ),
    Problem(
        "ambiguous_employee",
        gettext_noop("{value} matches several employees: {candidates}."),
        gettext_noop("Use the employee number (工号) instead of the name."),
        "row",
    ),
    Problem(
        "outside_coverage",
        gettext_noop("{month} is outside the declared period {first}..{last}."),
        gettext_noop("Import this row with the file of its own month, or widen the declared period."),
        "row",
    ),
    Problem(
        "unknown_kpi",
        gettext_noop("{value} is not a KPI of the catalogue."),
        gettext_noop("Use a KPI code (revenue, new_customers, …) or its Chinese or English name."),
        "row",
    ),
    Problem(
        "unknown_manager",
        gettext_noop("Manager {value} is neither in the file nor an employee."),
        gettext_noop("Add the manager to the roster, or write their employee number."),
        "row",
    ),
    Problem(
        "ambiguous_manager",
        gettext_noop("Manager {value} matches several people: {candidates}."),
        gettext_noop("Write the manager's employee number (工号) instead of the name."),
        "row",
    ),
    Problem(
        "invalid_date_order",
        gettext_noop("{field} ({value}) is before {other_field} ({other})."),
        gettext_noop("Correct one of the two dates."),
        "row",
    ),
    # --- warnings (nothing lost, worth knowing) -------------------------------------------------------------
    Problem(
        "repeated_header",
        gettext_noop("The header row appears again at rows {rows}; those rows were skipped."),
        gettext_noop("Nothing to do: files concatenated from several exports look like this."),
        "warning",
    ),
    Problem(
        "zero_fill_suspended",
        gettext_noop(
            "People without rows were not given a zero for {months}: rows not matched to a person: {rows}."
        ),
        gettext_noop("Fix the unmatched rows and resubmit them; the zeros follow."),
        "warning",
    ),
    Problem(
        "manager_pending",
        gettext_noop("People waiting for their manager, whose own row is quarantined: {count} ({people})."),
        gettext_noop("Fix and resubmit the manager's row; the links follow."),
        "warning",
    ),
    Problem(
        "withheld",
        gettext_noop("Person-months left without a value until their quarantined rows are fixed: {count}."),
        gettext_noop("Fix and resubmit the quarantined rows."),
        "warning",
    ),
)

PROBLEMS: dict[str, Problem] = {problem.code: problem for problem in _PROBLEMS}


def describe(code: str, details: dict[str, Any] | None = None, *, translate: Any = None) -> str:
    """The message of ``code`` filled with ``details`` (missing placeholders stay visible as ``{name}``)."""
    problem = PROBLEMS.get(code)
    template = problem.message if problem else code
    values = dict(details or {})
    for key, labels in DETAIL_WORDS.items():
        if key in values:
            values[key] = word(labels, values[key], translate=translate)
    if translate is not None:
        template = translate(template)
    return template.format_map(_Lenient(values))


def fix_for(code: str, *, translate: Any = None) -> str:
    problem = PROBLEMS.get(code)
    text = problem.fix if problem else ""
    return translate(text) if (translate is not None and text) else text


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class ImportRejected(DomainError):  # noqa: N818 - a verdict on the file, not a programming error
    """The whole file is refused; ``code`` is one of the file-level :data:`PROBLEMS`."""

    http_status = 422

    def __init__(self, code: str, **details: Any) -> None:
        super().__init__(describe(code, details), code=code, **details)


@dataclass(frozen=True)
class RowProblem:
    """One row that could not even be split into fields (the reader's verdict, before any parsing)."""

    row: int
    code: str
    raw: str
    details: dict[str, Any] = field(default_factory=dict)
