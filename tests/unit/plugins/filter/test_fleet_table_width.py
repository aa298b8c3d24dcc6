"""gamestack.aws.fleet_table: what a cell shows is what the value is, and columns line up in a terminal.

A Name tag with a leading or trailing space ('api-production ') is not in api-production, so the table must not
show it as if it were; wide (CJK) characters take two terminal columns, so padding counts columns, not characters.
"""

from __future__ import annotations

import unicodedata

import pytest

from ansible_collections.gamestack.aws.plugins.filter.fleet import fleet_table


def columns(text):
    """Terminal columns of text, counted independently of the filter (wide and fullwidth: 2)."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


@pytest.mark.parametrize("value, shown", [
    ("api-production ", '"api-production "'),
    (" api-production", '" api-production"'),
    ("api production", "api production"),  # inner spaces are visible as they are
    ("\u3000api", '"\u3000api"'),  # an ideographic space is whitespace too
    ("api\u00a0", '"api\u00a0"'),  # so is a no-break space
    (" say \"hi\" \\o/ ", '" say \\"hi\\" \\\\o/ "'),  # inside quotes, quote and backslash are escaped
    ('"quoted"', '"\\"quoted\\""'),  # a value that starts with a quote is quoted, so it cannot pass for one
    ("-", '"-"'),  # a literal dash is not a missing value
    ("api\u200b-production", "api\\u200b-production"),  # invisible format characters are escaped
    ("\ufeffapi", "\\ufeffapi"),
    ("ap\x9bi", "ap\\x9bi"),  # C1 control characters too
    (" a\nb", '" a\\nb"'),  # a newline is still escaped inside quotes
])
def test_cell_shows_its_ends(value, shown):
    assert fleet_table([{"name": value}], lines=True)[1] == shown
    assert fleet_table([{"name": value}], "markdown", lines=True)[2] == "| %s |" % shown.replace("\\", "\\\\")


def test_a_name_with_a_trailing_space_differs_from_the_name():
    lines = fleet_table([{"name": "api-production"}, {"name": "api-production "}], lines=True)
    assert lines[1] != lines[2]


def test_missing_values_are_still_a_dash():
    assert fleet_table([{"name": None}, {"name": ""}], lines=True)[1:] == ["-", "-"]


def test_csv_keeps_the_value_as_it_is():
    assert fleet_table([{"name": " api-production "}], "csv") == "NAME\n api-production \n"


def test_wide_characters_are_aligned():
    rows = [{"name": "ゲームサーバー-production", "az": "us-east-1a"},
            {"name": "api-production", "az": "us-east-1b"},
            {"name": "ＡＰＩ", "az": "us-east-1c"}]  # fullwidth Latin
    lines = fleet_table(rows, lines=True)
    # The AZ column starts at the same terminal column on every line.
    starts = [columns(line[:line.index(az)]) for line, az in zip(lines, ("AZ", "us-east-1a", "us-east-1b", "us-east-1c"))]
    assert starts == [columns("ゲームサーバー-production") + 2] * 4


def test_combining_marks_take_no_column():
    rows = [{"name": "cafe\u0301", "az": "1"}, {"name": "cafe", "az": "2"}]
    assert fleet_table(rows, lines=True)[1:] == ["cafe\u0301  1", "cafe  2"]


def test_a_wide_header_is_aligned_too():
    lines = fleet_table([{"name": "x", "az": "a"}], columns=[{"key": "name", "header": "名前"}, "az"], lines=True)
    assert lines == ["名前  AZ", "x     a"]
