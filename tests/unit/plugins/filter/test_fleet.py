"""Unit tests of the fleet filters: gamestack.aws.fleet_rows and gamestack.aws.fleet_table."""

from __future__ import annotations

import csv
import io

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.gamestack.aws.plugins.filter import fleet
from ansible_collections.gamestack.aws.plugins.filter.fleet import fleet_rows, fleet_table

from tests.unit.trust import untrusted


def host(name=None, instance="i-1", asg=None, public=None, private="10.0.0.1", az="us-east-1a", release=None):
    tags = {} if name is None else {"Name": name}
    return {
        "ec2_instance_id": instance,
        "ec2_tags": tags,
        "ec2_autoscaling_group": asg,
        "ec2_public_ip": public,
        "ec2_private_ip": private,
        "ec2_availability_zone": az,
        "naming": {"app": None, "env": None, "release": release, "released_at": None},
    }


HOSTVARS = {
    "i-web": host("web-production-20250214-1200", "i-web", "web-production", "198.51.100.30", "10.20.2.30",
                  "us-east-1b", "20250214-1200"),
    "i-api-b": host("api-production", "i-api-b", "api-production", "198.51.100.11", "10.20.2.10", "us-east-1b"),
    "i-api-a2": host("api-production", "i-api-a2", "api-production", None, "10.20.1.100", "us-east-1a"),
    "i-api-a1": host("api-production", "i-api-a1", "api-production", "198.51.100.10", "10.20.1.9", "us-east-1a"),
    "i-untagged": host(None, "i-untagged", private="10.20.1.50"),
    "i-legacy": host("Legacy Box", "i-legacy", private="10.20.2.60", az="us-east-1b"),
    "localhost": {"ansible_connection": "local"},  # not an EC2 host: left out
}


def test_rows_sorted_by_name_then_az_ip_id_untagged_last():
    rows = fleet_rows(HOSTVARS, list(HOSTVARS))
    assert [r["instance"] for r in rows] == ["i-legacy", "i-api-a1", "i-api-a2", "i-api-b", "i-web", "i-untagged"]
    assert rows[1] == {
        "name": "api-production", "autoscale": "api-production", "public": "198.51.100.10",
        "private": "10.20.1.9", "instance": "i-api-a1", "az": "us-east-1a", "release": None,
    }
    assert rows[-1]["name"] is None
    assert list(rows[0]) == [key for key, _header in fleet.FLEET_COLUMNS]


def test_rows_only_for_the_given_hosts_and_all_by_default():
    assert [r["instance"] for r in fleet_rows(HOSTVARS, ["i-web", "localhost"])] == ["i-web"]
    assert len(fleet_rows(HOSTVARS)) == 6


def test_rows_are_marked_untrusted():
    injected = {"i-x": host("{{ lookup('pipe', 'id') }}", "i-x")}
    rows = fleet_rows(injected, ["i-x"])
    assert rows[0]["name"] == "{{ lookup('pipe', 'id') }}"
    assert untrusted(rows[0]["name"]) and untrusted(rows[0]["instance"])
    assert untrusted(fleet_table(rows))
    assert all(untrusted(line) for line in fleet_table(rows, lines=True))


@pytest.mark.parametrize(
    "hostvars, hosts, message",
    [
        ("not hostvars", None, "the input must be hostvars"),
        (HOSTVARS, "i-web", "hosts must be a list of inventory hostnames"),
        (HOSTVARS, ["i-web", "i-gone"], "host 'i-gone' is not in hostvars"),
    ],
)
def test_rows_bad_input(hostvars, hosts, message):
    with pytest.raises(AnsibleFilterError, match=message):
        fleet_rows(hostvars, hosts)


def test_text_table_aligned_without_trailing_spaces():
    rows = fleet_rows(HOSTVARS, list(HOSTVARS))
    assert fleet_table(rows) == (
        "NAME                          AUTOSCALE       PUBLIC         PRIVATE      INSTANCE    AZ          RELEASE\n"
        "Legacy Box                    -               -              10.20.2.60   i-legacy    us-east-1b  -\n"
        "api-production                api-production  198.51.100.10  10.20.1.9    i-api-a1    us-east-1a  -\n"
        "api-production                api-production  -              10.20.1.100  i-api-a2    us-east-1a  -\n"
        "api-production                api-production  198.51.100.11  10.20.2.10   i-api-b     us-east-1b  -\n"
        "web-production-20250214-1200  web-production  198.51.100.30  10.20.2.30   i-web       us-east-1b  20250214-1200\n"
        "-                             -               -              10.20.1.50   i-untagged  us-east-1a  -\n"
    )
    assert fleet_table(rows, lines=True) == fleet_table(rows).splitlines()


def test_text_escapes_control_characters_so_a_row_stays_one_line():
    rows = [{"name": "evil\nNAME  FAKE\trow\x1b[31m", "az": "a"}]
    cell = "evil\\nNAME  FAKE\\trow\\x1b[31m"
    assert fleet_table(rows, lines=True) == ["NAME".ljust(len(cell)) + "  AZ", cell + "  a"]


def test_markdown_escapes_pipes_and_shows_missing_values():
    rows = [{"name": "a|b", "public": None, "az": ""}, {"name": "back\\slash", "public": "1.2.3.4", "az": "x"}]
    assert fleet_table(rows, "markdown") == (
        "| NAME | PUBLIC | AZ |\n"
        "|---|---|---|\n"
        "| a\\|b | - | - |\n"
        "| back\\\\slash | 1.2.3.4 | x |\n"
    )


def test_csv_quotes_and_guards_formulas():
    rows = [
        {"name": "plain", "autoscale": None, "public": "=HYPERLINK(\"http://x\")"},
        {"name": "two\nlines, comma", "autoscale": "@SUM(A1)", "public": "-1+2"},
    ]
    text = fleet_table(rows, "csv")
    assert text.splitlines()[0] == "NAME,AUTOSCALE,PUBLIC"
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed == [
        ["NAME", "AUTOSCALE", "PUBLIC"],
        ["plain", "", "'=HYPERLINK(\"http://x\")"],
        ["two\nlines, comma", "'@SUM(A1)", "'-1+2"],
    ]
    unguarded = list(csv.reader(io.StringIO(fleet_table(rows, "csv", csv_formula_guard=False))))
    assert unguarded[1][2] == "=HYPERLINK(\"http://x\")"


def test_columns_choose_order_and_headers():
    rows = [{"app": "api", "count": 3, "az": "a"}]
    out = fleet_table(rows, "text", ["count", {"key": "app", "header": "Application"}, "az"])
    assert out == "COUNT  Application  AZ\n3      api          a\n"


def test_empty_rows_give_the_fleet_header():
    assert fleet_table([]) == "NAME  AUTOSCALE  PUBLIC  PRIVATE  INSTANCE  AZ  RELEASE\n"
    assert fleet_table([], "csv") == "NAME,AUTOSCALE,PUBLIC,PRIVATE,INSTANCE,AZ,RELEASE\n"


@pytest.mark.parametrize(
    "rows, kwargs, message",
    [
        ("text", {}, "the input must be a list of mappings"),
        ({"name": "a"}, {}, "the input must be a list of mappings"),
        ([{"name": "a"}, "b"], {}, "row 1 is not a mapping"),
        ([{"name": "a"}], {"format": "html"}, "format 'html' is not one of text, csv, markdown"),
        ([{"name": "a"}], {"columns": ["name", "nmae"]}, r"column\(s\) nmae are in no row"),
        ([{"name": "a"}], {"columns": "name"}, "columns must be a non-empty list"),
        ([{"name": "a"}], {"columns": []}, "columns must be a non-empty list"),
        ([{"name": "a"}], {"columns": [{"header": "X"}]}, "column 0"),
        ([{"name": "a"}], {"format": "csv", "lines": True}, "lines=true is for the text and markdown formats"),
    ],
)
def test_table_bad_input(rows, kwargs, message):
    with pytest.raises(AnsibleFilterError, match=message):
        fleet_table(rows, **kwargs)
