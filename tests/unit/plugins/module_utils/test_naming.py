"""The naming rule, in plain Python: examples, bad input, and round-trip properties."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, strategies as st

from ansible_collections.gamestack.aws.plugins.module_utils import naming

PART = st.from_regex(r"\A[a-z0-9]{1,12}\Z")
STAMP = st.datetimes(min_value=datetime.datetime(1970, 1, 1), max_value=datetime.datetime(2999, 12, 31)).map(
    lambda d: d.strftime("%Y%m%d-%H%M")
)


def test_parse_plain_app_env():
    assert naming.parse_name("api-production") == {
        "name": "api-production",
        "app": "api",
        "env": "production",
        "app_env": "api-production",
        "release": None,
        "released_at": None,
    }


def test_parse_release_stamp():
    parsed = naming.parse_name("api-production-20190411-1459")
    assert parsed["app_env"] == "api-production"
    assert parsed["release"] == "20190411-1459"
    assert parsed["released_at"] == "2019-04-11T14:59:00"


@pytest.mark.parametrize(
    "name",
    [
        "",
        "api",
        "api_production",
        "Api-production",
        "api-production-",
        "api-production-2019041-1459",
        "api-production-20190411-14590",
        "api-production-20191345-2599",  # not a real date
        "api-prod-extra",
        "-production",
        "api--production",
        None,
        42,
    ],
)
def test_nonconforming_names_give_none(name):
    assert naming.parse_name(name) is None


def test_custom_pattern_with_other_separator():
    parsed = naming.parse_name("api.production", r"^(?P<app>\w+)\.(?P<env>\w+)$")
    assert (parsed["app"], parsed["env"], parsed["release"]) == ("api", "production", None)


@pytest.mark.parametrize(
    "pattern, message",
    [
        (r"^(?P<app>[a-z]+$", "not a valid regular expression"),
        (r"^(?P<app>[a-z]+)-(?P<stage>[a-z]+)$", "lacks the named group(s) env"),
        (r"^([a-z]+)-([a-z]+)$", "lacks the named group(s) app, env"),
        ("", "non-empty string"),
    ],
)
def test_bad_patterns_are_refused_with_the_reason(pattern, message):
    with pytest.raises(naming.NamingError, match=message.replace("(", r"\(").replace(")", r"\)")):
        naming.compile_pattern(pattern)


def test_format_name_validates_each_part():
    assert naming.format_name("api", "production") == "api-production"
    assert naming.format_name("api", "production", "20190411-1459") == "api-production-20190411-1459"
    assert naming.format_name("api", "production", datetime.datetime(2019, 4, 11, 14, 59)) == (
        "api-production-20190411-1459"
    )
    for app, env, release in [("api-x", "production", None), ("api", "", None), ("API", "prod", None),
                              ("api", "prod", "2019-04-11"), ("api", "prod", "20191345-2599")]:
        with pytest.raises(naming.NamingError):
            naming.format_name(app, env, release)


def test_format_name_now_is_a_parseable_stamp():
    parsed = naming.parse_name(naming.format_name("api", "production", "now"))
    assert parsed is not None and parsed["release"] is not None


def test_newest_first_puts_unreleased_last():
    names = ["api-production-20190411-1459", "api-production", "api-production-20200101-0000",
             "api-production-20190411-1500"]
    ordered = [p["name"] for p in naming.newest_first([naming.parse_name(n) for n in names])]
    assert ordered == ["api-production-20200101-0000", "api-production-20190411-1500",
                       "api-production-20190411-1459", "api-production"]


@given(PART, PART, st.one_of(st.none(), STAMP))
def test_format_then_parse_round_trips(app, env, release):
    name = naming.format_name(app, env, release)
    parsed = naming.parse_name(name)
    assert (parsed["app"], parsed["env"], parsed["release"]) == (app, env, release)
    assert naming.format_name(parsed["app"], parsed["env"], parsed["release"]) == name


@given(st.text(max_size=40))
def test_parse_then_format_round_trips_for_any_text(text):
    parsed = naming.parse_name(text)
    if parsed is not None:
        assert naming.format_name(parsed["app"], parsed["env"], parsed["release"]) == text
