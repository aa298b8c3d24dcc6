"""naming.check_name: why a name is outside the rule, whatever the pattern; hints for near misses."""

from __future__ import annotations

import pytest

from ansible_collections.gamestack.aws.plugins.module_utils import naming

LOOSE = r"^(?P<app>.+)-(?P<env>[^-]+)(?:-(?P<release>.+))?$"


@pytest.mark.parametrize(
    "name, label",
    [
        ("{{ lookup('pipe', 'id') }}-production", "app"),
        ("api-{% raw %}", "env"),
        ("api-production-{{ x }}", "env"),
        ("my app-production", "app"),
        ("api:web-production", "app"),
        ("api,web-production", "app"),
        ("api-prod'uction", "env"),
    ],
)
def test_a_loose_pattern_still_gives_plain_identifiers_only(name, label):
    parsed, reason = naming.check_name(name, LOOSE)
    assert parsed is None
    assert reason.startswith("%s %r is not a plain identifier" % (label, naming.compile_pattern(LOOSE).match(name)[label]))
    assert naming.parse_name(name, LOOSE) is None


def test_a_loose_release_is_a_plain_identifier_too():
    pattern = r"^(?P<app>[a-z]+)-(?P<env>[a-z]+)(?:-(?P<release>.+))?$"
    assert naming.check_name("api-production-{{ x }}", pattern) == (
        None, "release '{{ x }}' is not a plain identifier (letters, digits, '_', '.' and '-' only)")


def test_the_whole_name_is_a_plain_identifier_too():
    """The full name becomes a release group and a name-id hostname: text outside the groups counts as well."""
    pattern = r"^(?P<app>[a-z]+)-(?P<env>[a-z]+)(?:-(?P<release>\d{8}-\d{4}))?.*$"
    assert naming.check_name("api-production-20190411-1459{{ x }}", pattern) == (
        None, "the name holds characters other than letters, digits, '_', '.' and '-'")
    assert naming.check_name("api-production-20190411-1459.b", pattern)[0]["release"] == "20190411-1459"


def test_identifiers_may_hold_upper_case_dots_and_underscores_when_the_pattern_allows():
    parsed, reason = naming.check_name("Game_API.v2-production", LOOSE)
    assert reason is None
    assert (parsed["app"], parsed["env"], parsed["app_env"]) == ("Game_API.v2", "production", "Game_API.v2-production")


@pytest.mark.parametrize(
    "name, reason",
    [
        ("untagged-production", "app 'untagged' is a reserved group name"),
        ("api-all", "env 'all' is a reserved group name"),
        ("legacy-boxes", "app-env 'legacy-boxes' is a reserved group name"),
    ],
)
def test_reserved_group_names_are_outside_the_rule(name, reason):
    assert naming.check_name(name, reserved={"untagged", "all", "legacy-boxes"}) == (None, reason)
    assert naming.check_name(name)[0]["name"] == name  # not reserved: an ordinary name


@pytest.mark.parametrize(
    "name, hint",
    [
        ("API-Production", "; it has upper case: did you mean 'api-production'?"),
        ("api-production ", "; it has surrounding spaces: did you mean 'api-production'?"),
        ("\tapi-production-20190411-1459", "; it has surrounding spaces: did you mean 'api-production-20190411-1459'?"),
        (" Api-production", "; it has surrounding spaces and upper case: did you mean 'api-production'?"),
    ],
)
def test_near_misses_get_a_hint(name, hint):
    assert naming.check_name(name) == (None, "does not match the naming pattern" + hint)


@pytest.mark.parametrize("name", ["Legacy Box", "API_Production", "api-production-20191345-2599 ", "a\x1b[2J-b c"])
def test_no_hint_when_the_fix_would_not_match_either(name):
    reason = naming.check_name(name)[1]
    assert "did you mean" not in reason
    assert "\x1b" not in reason


def test_a_release_that_is_no_date_says_so():
    assert naming.check_name("api-production-20191345-2599")[1].startswith("release '20191345-2599' is not a real date")


@pytest.mark.parametrize("name", [None, "", 42])
def test_no_name(name):
    assert naming.check_name(name) == (None, "no name")
