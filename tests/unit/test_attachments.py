"""A download keeps the name a user gave, in any script, and its header stays one Latin-1 line."""

import csv
import io
import re
from urllib.parse import unquote

import pytest

from webapp.attachments import content_disposition, spreadsheet_cell


def saved_as(header: str) -> tuple[str, str]:
    """The (ASCII, exact) names a browser reads from the header."""
    plain = re.fullmatch(r'attachment; filename="([^"]*)"; filename\*=UTF-8\'\'(\S+)', header)
    assert plain, header
    return plain[1], unquote(plain[2])


@pytest.mark.parametrize(("stem", "plain", "exact"), [
    ("Smith wedding", "Smith wedding.zip", "Smith wedding.zip"),
    ("Café René", "Cafe Rene.zip", "Café René.zip"),
    ("東京 2026", "2026.zip", "東京 2026.zip"),
    ("東京", "photos.zip", "東京.zip"),
    ('The "big" day; part 1', "The big day part 1.zip", 'The "big" day; part 1.zip'),
    ("line\r\nContent-Type: text/html", "line Content-Type text html.zip", "line Content-Type: text/html.zip"),
    ("   ", "photos.zip", "photos.zip"),
])
def test_the_saved_name_is_the_users_and_the_header_is_one_latin1_line(stem, plain, exact):
    header = content_disposition(stem, "zip", fallback="photos")
    header.encode("latin-1")  # what a WSGI server sends, or fails to
    assert "\r" not in header and "\n" not in header
    assert saved_as(header) == (plain, exact)


@pytest.mark.parametrize("said", ["=HYPERLINK(\"http://x\",\"a\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
                                  "\t=1+1", "\r=1+1"])
def test_a_cell_that_a_spreadsheet_would_run_is_kept_as_text(said):
    """What reaches the CSV starts with an apostrophe (Excel, LibreOffice and Sheets show the rest as
    text) and still says everything the client wrote."""
    out = io.StringIO()
    csv.writer(out).writerow([spreadsheet_cell(said)])
    [[cell]] = list(csv.reader(io.StringIO(out.getvalue())))
    assert cell == "'" + said


@pytest.mark.parametrize("said", ["Warmer please", "2 copies", "a=b", "", "'quoted"])
def test_plain_words_reach_the_csv_as_they_were(said):
    assert spreadsheet_cell(said) == said
