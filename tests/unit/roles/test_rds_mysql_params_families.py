"""rds_mysql_params: the families of the argument spec, the presets and the lists of removed variables agree."""

from __future__ import annotations

import pathlib

import yaml

ROLE = pathlib.Path(__file__).resolve().parents[3] / "roles" / "rds_mysql_params"
SPEC = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
VARS = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())
CHOICES = SPEC["rds_mysql_params_family"]["choices"]


def test_mysql84_is_a_family():
    assert "mysql8.4" in CHOICES
    assert "mysql8.4" in VARS["rds_mysql_params_80_families"]  # what 8.0 removed is gone in 8.4 too
    assert "mysql8.4" in VARS["rds_mysql_params_84_families"]
    assert "mysql8.4" not in VARS["rds_mysql_params_aurora_families"]


def test_every_family_has_a_preset_and_every_preset_a_family():
    assert sorted(VARS["rds_mysql_params_presets"]) == sorted(CHOICES)
    for key in ("rds_mysql_params_80_families", "rds_mysql_params_84_families", "rds_mysql_params_aurora_families"):
        assert set(VARS[key]) <= set(CHOICES), key


def test_no_preset_sets_a_variable_its_family_removed():
    for family, preset in VARS["rds_mysql_params_presets"].items():
        names = set(preset["instance"]) | set(preset["cluster"])
        if family in VARS["rds_mysql_params_80_families"]:
            assert not names & set(VARS["rds_mysql_params_removed_in_80"]), family
        if family in VARS["rds_mysql_params_84_families"]:
            assert not names & set(VARS["rds_mysql_params_removed_in_84"]), family
        if family not in VARS["rds_mysql_params_aurora_families"]:
            assert preset["cluster"] == {}, family
