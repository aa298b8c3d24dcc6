"""The cloudfront_pop / cloudfront_pop_code filters: parsing, the place table, non-CloudFront names."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.gamestack.aws.plugins.filter import cloudfront
from ansible_collections.gamestack.aws.plugins.filter.cloudfront import POP_PLACES, cloudfront_pop, cloudfront_pop_code


def test_ptr_name_of_a_tokyo_edge():
    assert cloudfront_pop("server-13-33-0-250.nrt12.r.cloudfront.net") == {
        "code": "NRT",
        "place": "Tokyo, Japan",
        "edge": "nrt12",
    }
    assert cloudfront_pop_code("server-13-33-0-250.nrt12.r.cloudfront.net") == "NRT"


@pytest.mark.parametrize(
    "name, code, place, edge",
    [
        ("server-54-230-112-7.fra56.r.cloudfront.net", "FRA", "Frankfurt, Germany", "fra56"),
        ("server-18-65-3-12.hnd50-c1.r.cloudfront.net.", "HND", "Tokyo, Japan", "hnd50-c1"),  # dig -x: trailing dot
        ("SERVER-13-224-196-113.ICN54.R.CLOUDFRONT.NET", "ICN", "Seoul, South Korea", "icn54"),  # any case
        ("  server-99-86-1-2.iad89.r.cloudfront.net\n", "IAD", "Ashburn, Virginia, United States", "iad89"),
        ("sin2.r.cloudfront.net", "SIN", "Singapore", "sin2"),  # name without the server- label
        ("NRT20-C4", "NRT", "Tokyo, Japan", "nrt20-c4"),  # X-Amz-Cf-Pop header value
        ("gru3-p2", "GRU", "Sao Paulo, Brazil", "gru3-p2"),
    ],
)
def test_names_and_pop_ids(name, code, place, edge):
    assert cloudfront_pop(name) == {"code": code, "place": place, "edge": edge}
    assert cloudfront_pop_code(name) == code


def test_unknown_code_is_returned_with_place_null():
    assert cloudfront_pop("server-1-2-3-4.zzz9.r.cloudfront.net") == {"code": "ZZZ", "place": None, "edge": "zzz9"}


NOT_CLOUDFRONT = [
    "server-13-33-0-250.nrt12.r.cloudfront.net.evil.example",
    "d111111abcdef8.cloudfront.net",  # a distribution domain, not an edge
    "ec2-13-33-0-250.ap-northeast-1.compute.amazonaws.com",
    "nrt12.r.cloudfront.com",
    "server-13-33-0-250.n1.r.cloudfront.net",  # location code shorter than three letters
    "13.33.0.250",
    "",
    None,
    42,
]


@pytest.mark.parametrize("name", NOT_CLOUDFRONT)
def test_non_cloudfront_names_are_an_error_naming_the_input(name):
    with pytest.raises(AnsibleFilterError) as info:
        cloudfront_pop(name)
    assert repr(name) in str(info.value) and "not a CloudFront edge name" in str(info.value)
    with pytest.raises(AnsibleFilterError):
        cloudfront_pop_code(name)


@pytest.mark.parametrize("name", NOT_CLOUDFRONT)
def test_non_cloudfront_names_give_none_when_not_strict(name):
    assert cloudfront_pop(name, strict=False) is None
    assert cloudfront_pop_code(name, strict=False) is None


def test_table_holds_the_major_pops_with_readable_places():
    for code in ("NRT", "HND", "KIX", "ICN", "SIN", "HKG", "SYD", "LHR", "FRA", "CDG", "AMS", "IAD", "JFK",
                 "SFO", "LAX", "SEA", "ORD", "DFW", "ATL", "MIA", "GRU", "BOM", "DEL", "TPE"):
        assert POP_PLACES[code], code
    assert len(POP_PLACES) >= 60
    assert all(len(code) == 3 and code.isupper() and code.isalpha() for code in POP_PLACES)
    assert all(place and place == place.strip() for place in POP_PLACES.values())


def test_filters_are_registered_under_their_names():
    assert cloudfront.FilterModule().filters() == {
        "cloudfront_pop": cloudfront_pop,
        "cloudfront_pop_code": cloudfront_pop_code,
    }
