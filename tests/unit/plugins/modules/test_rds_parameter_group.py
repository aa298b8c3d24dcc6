"""rds_parameter_group: the name check against the engine defaults (botocore Stubber; moto lacks the call)."""

from __future__ import annotations

import boto3
from botocore.stub import Stubber

from ansible_collections.gamestack.aws.plugins.modules import rds_parameter_group as mod


def rds_client():
    return boto3.client("rds", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")


def param(name, modifiable=True, apply_type="dynamic"):
    return {"ParameterName": name, "IsModifiable": modifiable, "ApplyType": apply_type, "DataType": "integer"}


def test_engine_defaults_follows_the_marker_for_instance_groups():
    rds = rds_client()
    with Stubber(rds) as stub:
        stub.add_response("describe_engine_default_parameters",
                          {"EngineDefaults": {"Parameters": [param("innodb_flush_log_at_trx_commit")], "Marker": "m1"}},
                          {"DBParameterGroupFamily": "mysql8.0"})
        stub.add_response("describe_engine_default_parameters",
                          {"EngineDefaults": {"Parameters": [param("max_connections")]}},
                          {"DBParameterGroupFamily": "mysql8.0", "Marker": "m1"})
        catalog = mod.Api(rds, "instance").engine_defaults("mysql8.0")
        stub.assert_no_pending_responses()
    assert sorted(catalog) == ["innodb_flush_log_at_trx_commit", "max_connections"]


def test_engine_defaults_of_a_cluster_family_uses_the_cluster_call():
    rds = rds_client()
    with Stubber(rds) as stub:
        stub.add_response("describe_engine_default_cluster_parameters",
                          {"EngineDefaults": {"Parameters": [param("innodb_trx_commit_allow_data_loss")]}},
                          {"DBParameterGroupFamily": "aurora-mysql8.0"})
        catalog = mod.Api(rds, "cluster").engine_defaults("aurora-mysql8.0")
    assert list(catalog) == ["innodb_trx_commit_allow_data_loss"]


def test_catalog_check_names_unknown_and_unmodifiable_parameters():
    catalog = {
        "innodb_flush_log_at_trx_commit": param("innodb_flush_log_at_trx_commit"),
        "innodb_log_file_size": param("innodb_log_file_size", apply_type="static"),
        "innodb_page_size": param("innodb_page_size", modifiable=False, apply_type="static"),
    }
    values = {"innodb_flush_log_at_trx_commit": "2", "innodb_log_file_size": "1073741824",
              "innodb_page_size": "8192", "query_cache_type": "0"}
    errors, static = mod.check_against_catalog(values, catalog, "mysql8.0")
    assert errors == [
        "parameter innodb_page_size is not modifiable in family mysql8.0",
        "parameter query_cache_type does not exist in family mysql8.0",
    ]
    assert static == {"innodb_log_file_size"}


def test_values_are_strings_and_bad_ones_are_named():
    values, errors = mod.normalize_values({"a_flag": True, "b": 2, "c": "OFF", "d": 0.5, "e": [], "f": "", "bad name": 1})
    assert values == {"a_flag": "1", "b": "2", "c": "OFF", "d": "0.5"}
    assert errors == [
        "parameter name 'bad name' is not a valid parameter name",
        "parameter e has value []; a value must be a non-empty string or a number",
        "parameter f has value ''; a value must be a non-empty string or a number",
    ]
