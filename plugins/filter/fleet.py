# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet table: ``fleet_rows`` (hostvars of gamestack.aws.name_tags -> rows) and ``fleet_table``
(rows -> aligned text, CSV or Markdown).

Documentation: fleet_rows.yml and fleet_table.yml next to this file. Everything these filters read comes
from EC2 tags and API answers, so it is treated as data only: formatted in Python, never templated, and
returned marked unsafe so that no later templating evaluates a tag value such as ``{{ lookup(...) }}``.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import unicodedata
from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError
from ansible.utils.unsafe_proxy import wrap_var

#: Row keys made by fleet_rows, in table order, with the headers fleet_table prints for them.
FLEET_COLUMNS = (
    ("name", "NAME"),
    ("autoscale", "AUTOSCALE"),
    ("public", "PUBLIC"),
    ("private", "PRIVATE"),
    ("instance", "INSTANCE"),
    ("az", "AZ"),
    ("release", "RELEASE"),
)
FORMATS = ("text", "csv", "markdown")
MISSING = "-"
_CONTROL_NAMES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# A cell a spreadsheet would run as a formula (CSV injection) starts with one of these.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value):
    """A plain str of a value (unsafe text included); None stays None."""
    if value is None:
        return None
    return str(value)


def _ip_key(value):
    try:
        return (0, int(ipaddress.ip_address(value)), "")
    except ValueError:
        return (1, 0, value or "")


def row_sort_key(row):
    """Rows by name (instances without a Name tag last), then AZ, private IP and instance ID."""
    name = row.get("name")
    return (name is None or name == "", name or "", row.get("az") or "", _ip_key(row.get("private")),
            row.get("instance") or "")


def fleet_rows(hostvars, hosts=None):
    """``hostvars | gamestack.aws.fleet_rows(groups['all'])`` -> sorted list of row dicts (unsafe values)."""
    if not isinstance(hostvars, Mapping):
        raise AnsibleFilterError("fleet_rows: the input must be hostvars (a mapping of host to variables), got %s"
                                 % type(hostvars).__name__)
    if hosts is None:
        hosts = list(hostvars.keys())
    elif isinstance(hosts, str) or not isinstance(hosts, Sequence):
        raise AnsibleFilterError("fleet_rows: hosts must be a list of inventory hostnames such as groups['all'], got %r"
                                 % (hosts,))
    rows = []
    for host in hosts:
        if host not in hostvars:
            raise AnsibleFilterError("fleet_rows: host %r is not in hostvars" % (host,))
        hv = hostvars[host]
        instance = hv.get("ec2_instance_id")
        if not instance:
            continue  # not an EC2 host of gamestack.aws.name_tags (e.g. localhost or a static host)
        tags = hv.get("ec2_tags") or {}
        naming = hv.get("naming") or {}
        rows.append({
            "name": _text(tags.get("Name")),
            "autoscale": _text(hv.get("ec2_autoscaling_group")),
            "public": _text(hv.get("ec2_public_ip")),
            "private": _text(hv.get("ec2_private_ip")),
            "instance": _text(instance),
            "az": _text(hv.get("ec2_availability_zone")),
            "release": _text(naming.get("release") if isinstance(naming, Mapping) else None),
        })
    rows.sort(key=row_sort_key)
    return wrap_var(rows)


def _columns(rows, columns):
    """[(key, header)] from the columns argument, or the keys of the first row."""
    if columns is None:
        if not rows:
            return list(FLEET_COLUMNS)
        known = dict(FLEET_COLUMNS)
        return [(str(key), known.get(str(key), str(key).upper())) for key in rows[0].keys()]
    if isinstance(columns, (str, Mapping)) or not isinstance(columns, Sequence) or not columns:
        raise AnsibleFilterError("fleet_table: columns must be a non-empty list of keys or of {key, header} mappings, got %r"
                                 % (columns,))
    result = []
    for index, column in enumerate(columns):
        if isinstance(column, str):
            result.append((str(column), dict(FLEET_COLUMNS).get(str(column), str(column).upper())))
        elif isinstance(column, Mapping) and isinstance(column.get("key"), str):
            result.append((str(column["key"]), str(column.get("header", str(column["key"]).upper()))))
        else:
            raise AnsibleFilterError("fleet_table: column %d (%r) must be a key or a mapping with 'key' (and 'header')"
                                     % (index, column))
    if rows:
        present = set()
        for row in rows:
            present.update(str(k) for k in row.keys())
        unknown = [key for key, _header in result if key not in present]
        if unknown:
            raise AnsibleFilterError("fleet_table: column(s) %s are in no row (row keys: %s)"
                                     % (", ".join(unknown), ", ".join(sorted(present))))
    return result


def _escape(char):
    """A character that would break a row or that a terminal does not show, escaped: control characters
    (category Cc) and invisible format characters (Cf: zero-width space, byte order mark, bidi overrides)."""
    if unicodedata.category(char) not in ("Cc", "Cf"):
        return char
    return _CONTROL_NAMES.get(char) or ("\\x%02x" % ord(char) if ord(char) < 0x100 else "\\u%04x" % ord(char))


def _visible(value):
    """A cell for text and Markdown: missing -> '-', control characters escaped (one row stays one line), and
    in double quotes when its ends would otherwise be invisible or ambiguous: leading or trailing whitespace
    (a Name tag 'api-production ' is not api-production), a leading double quote, or a literal '-'."""
    if value is None or value == "":
        return MISSING
    text = str(value)
    quote = text[0].isspace() or text[-1].isspace() or text.startswith('"') or text == MISSING
    if quote:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    text = "".join(_escape(char) for char in text)
    return '"%s"' % text if quote else text


def _width(text):
    """Terminal columns of text: wide and fullwidth (CJK) characters take two, combining marks none."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _text_table(header, body):
    widths = [_width(h) for h in header]
    for cells in body:
        widths = [max(w, _width(c)) for w, c in zip(widths, cells)]
    lines = []
    for cells in [header] + body:
        lines.append("  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)).rstrip())
    return lines


def _markdown_table(header, body):
    def cell(text):
        return text.replace("\\", "\\\\").replace("|", "\\|")

    lines = ["| " + " | ".join(cell(h) for h in header) + " |",
             "|" + "|".join("---" for column in header) + "|"]
    lines.extend("| " + " | ".join(cell(c) for c in cells) + " |" for cells in body)
    return lines


def _csv_table(header, rows, keys, formula_guard):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        cells = []
        for key in keys:
            value = row.get(key)
            text = "" if value is None else str(value)
            if formula_guard and text.startswith(_FORMULA_START):
                text = "'" + text
            cells.append(text)
        writer.writerow(cells)
    return out.getvalue()


def fleet_table(rows, format="text", columns=None, lines=False, csv_formula_guard=True):
    """``rows | gamestack.aws.fleet_table('text'|'csv'|'markdown')`` -> the table as one string (or lines)."""
    if isinstance(rows, (str, Mapping)) or not isinstance(rows, Sequence):
        raise AnsibleFilterError("fleet_table: the input must be a list of mappings (rows), got %s" % type(rows).__name__)
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise AnsibleFilterError("fleet_table: row %d is not a mapping: %r" % (index, row))
    if format not in FORMATS:
        raise AnsibleFilterError("fleet_table: format %r is not one of %s" % (format, ", ".join(FORMATS)))
    if lines and format == "csv":
        raise AnsibleFilterError("fleet_table: lines=true is for the text and markdown formats (a CSV cell may hold a newline)")
    cols = _columns(rows, columns)
    keys = [key for key, _header in cols]
    header = [header for _key, header in cols]
    if format == "csv":
        result = _csv_table(header, rows, keys, csv_formula_guard)
    else:
        body = [[_visible(row.get(key)) for key in keys] for row in rows]
        table = _text_table(header, body) if format == "text" else _markdown_table(header, body)
        result = table if lines else "\n".join(table) + "\n"
    return wrap_var(result)


class FilterModule:
    def filters(self):
        return {"fleet_rows": fleet_rows, "fleet_table": fleet_table}
