"""The Content-Disposition of a download named after what a user named: a shoot, a share link, a photo.

A header must stay Latin-1 and on one line, while names come in any script and may hold quotes or
line breaks, so the exact name travels percent-encoded in RFC 6266's `filename*` (every current
browser saves under it) beside a plain ASCII `filename` for the clients that read only that.
"""

import unicodedata
from urllib.parse import quote

_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._-()+,&'")


def content_disposition(stem: str, extension: str, fallback: str) -> str:
    """`attachment` saved as `stem.extension`; `fallback` names it for ASCII-only clients when
    nothing of the stem survives in ASCII (a name all in Japanese, say)."""
    letters = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()  # "Café" -> "Cafe"
    plain = " ".join("".join(c if c in _PLAIN else " " for c in letters).split()).strip(" .") or fallback
    exact = " ".join(stem.split()).strip() or fallback
    return (f'attachment; filename="{plain}.{extension}"; '
            f"filename*=UTF-8''{quote(f'{exact}.{extension}', safe='')}")


# What a spreadsheet takes for a formula (or a command: DDE) at the start of a cell.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: one that would start a formula gets a leading
    apostrophe, which Excel, LibreOffice and Sheets read as "this is text" (OWASP's advice)."""
    return "'" + text if text.startswith(_FORMULA_START) else text
