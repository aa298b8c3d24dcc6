"""The connection doc fragment's three variants are literal YAML (ansible-test's yamllint reads them without
running the file), so nothing generates one from another: these tests keep them in step."""

from __future__ import annotations

import yaml

from ansible_collections.gamestack.aws.plugins.doc_fragments.connection import ModuleDocFragment as Fragment

MODULES = yaml.safe_load(Fragment.DOCUMENTATION)
PLUGINS = yaml.safe_load(Fragment.PLUGINS)
REGION = yaml.safe_load(Fragment.REGION)


def without_env(option):
    return {k: v for k, v in option.items() if k != "env"}


def test_plugins_document_the_modules_options_except_region():
    assert set(PLUGINS["options"]) == set(MODULES["options"]) - {"region"}
    for name, option in PLUGINS["options"].items():
        assert without_env(option) == MODULES["options"][name], name


def test_region_variant_is_the_modules_region_with_its_environment():
    assert without_env(REGION["options"]["region"]) == MODULES["options"]["region"]
    assert [e["name"] for e in REGION["options"]["region"]["env"]] == ["AWS_REGION", "AWS_DEFAULT_REGION"]


def test_plugins_read_the_usual_environment_variables():
    env = {name: [e["name"] for e in option.get("env", [])] for name, option in PLUGINS["options"].items()}
    assert env["endpoint_url"][0] == "AWS_ENDPOINT_URL"
    assert env["access_key"][0] == "AWS_ACCESS_KEY_ID"
    assert env["profile"][0] == "AWS_PROFILE"


def test_modules_and_plugins_share_requirements_and_notes():
    assert PLUGINS["requirements"] == MODULES["requirements"]
    assert PLUGINS["notes"] == MODULES["notes"][:len(PLUGINS["notes"])]
