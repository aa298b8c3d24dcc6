"""Role rds_mysql_params (module rds_parameter_group) against moto over HTTP, through ansible-playbook.

moto has no DescribeEngineDefaultParameters, so the role runs with
rds_mysql_params_check_names_with_api=false here; the name check against the engine defaults is
covered by tests/unit/plugins/modules/test_rds_parameter_group.py with botocore's Stubber.
"""

from __future__ import annotations

import pytest

from tests.integration.tooling.helpers import playbook

ROLE_TASK = """
- name: preset
  ansible.builtin.include_role:
    name: gamestack.aws.rds_mysql_params
"""


def run_role(aws, tmp_path, check=False, **role_vars):
    play_vars = {"rds_mysql_params_check_names_with_api": False}
    play_vars.update(role_vars)
    return playbook(tmp_path, aws.endpoint, ROLE_TASK, check=check, play_vars=play_vars, extra_args=["--diff"])


def instance_params(aws, name):
    return {p["ParameterName"]: p["ParameterValue"]
            for p in aws("rds").describe_db_parameters(DBParameterGroupName=name)["Parameters"]}


def cluster_params(aws, name):
    return {p["ParameterName"]: p["ParameterValue"]
            for p in aws("rds").describe_db_cluster_parameters(DBClusterParameterGroupName=name)["Parameters"]}


def groups(aws):
    rds = aws("rds")
    return (
        [g["DBParameterGroupName"] for g in rds.describe_db_parameter_groups()["DBParameterGroups"]],
        [g["DBClusterParameterGroupName"] for g in rds.describe_db_cluster_parameter_groups()["DBClusterParameterGroups"]],
    )


def test_mysql57_turns_the_query_cache_off_and_is_idempotent(aws, tmp_path):
    first = run_role(aws, tmp_path, rds_mysql_params_name="game-production", rds_mysql_params_family="mysql5.7")
    assert first.rc == 0, first.output
    assert first.stats["changed"] == 1
    assert instance_params(aws, "game-production") == {
        "innodb_flush_log_at_trx_commit": "2", "query_cache_type": "0", "query_cache_size": "0"}
    group = aws("rds").describe_db_parameter_groups(DBParameterGroupName="game-production")["DBParameterGroups"][0]
    assert group["DBParameterGroupFamily"] == "mysql5.7"
    assert groups(aws)[1] == []  # no cluster group outside Aurora

    again = run_role(aws, tmp_path, rds_mysql_params_name="game-production", rds_mysql_params_family="mysql5.7")
    assert again.rc == 0 and again.stats["changed"] == 0, again.output


def test_mysql80_skips_the_query_cache_and_merges_overrides(aws, tmp_path):
    result = run_role(aws, tmp_path, rds_mysql_params_name="game-production", rds_mysql_params_family="mysql8.0",
                      rds_mysql_params_overrides={"max_connections": 4000, "innodb_flush_log_at_trx_commit": 1})
    assert result.rc == 0, result.output
    assert instance_params(aws, "game-production") == {"innodb_flush_log_at_trx_commit": "1", "max_connections": "4000"}


def test_mysql84_gets_the_redo_log_preset_and_is_idempotent(aws, tmp_path):
    """RDS for MySQL 8.4. moto accepts any family name: this proves what the role sends, not that RDS accepts it."""
    first = run_role(aws, tmp_path, rds_mysql_params_name="game-84", rds_mysql_params_family="mysql8.4",
                     rds_mysql_params_overrides={"max_connections": 4000})
    assert first.rc == 0, first.output
    assert instance_params(aws, "game-84") == {"innodb_flush_log_at_trx_commit": "2", "max_connections": "4000"}
    group = aws("rds").describe_db_parameter_groups(DBParameterGroupName="game-84")["DBParameterGroups"][0]
    assert group["DBParameterGroupFamily"] == "mysql8.4"
    assert groups(aws)[1] == []
    again = run_role(aws, tmp_path, rds_mysql_params_name="game-84", rds_mysql_params_family="mysql8.4",
                     rds_mysql_params_overrides={"max_connections": 4000})
    assert again.rc == 0 and again.stats["changed"] == 0, again.output


def test_a_variable_84_removed_is_still_fine_on_80(aws, tmp_path):
    result = run_role(aws, tmp_path, rds_mysql_params_name="game-80", rds_mysql_params_family="mysql8.0",
                      rds_mysql_params_overrides={"default_authentication_plugin": "caching_sha2_password"})
    assert result.rc == 0, result.output
    assert instance_params(aws, "game-80")["default_authentication_plugin"] == "caching_sha2_password"


def test_override_changes_only_that_parameter(aws, tmp_path):
    run_role(aws, tmp_path, rds_mysql_params_name="game-production", rds_mysql_params_family="mysql8.0")
    changed = run_role(aws, tmp_path, rds_mysql_params_name="game-production", rds_mysql_params_family="mysql8.0",
                       rds_mysql_params_overrides={"max_connections": 2000})
    assert changed.task("DB parameter group")["modified"] == ["max_connections"]
    assert instance_params(aws, "game-production") == {"innodb_flush_log_at_trx_commit": "2", "max_connections": "2000"}


def test_aurora_families_use_a_cluster_group_for_the_redo_log(aws, tmp_path):
    v2 = run_role(aws, tmp_path, rds_mysql_params_name="game-a2", rds_mysql_params_family="aurora-mysql5.7")
    assert v2.rc == 0, v2.output
    assert cluster_params(aws, "game-a2") == {"innodb_flush_log_at_trx_commit": "2"}
    assert instance_params(aws, "game-a2") == {"query_cache_type": "0", "query_cache_size": "0"}

    v3 = run_role(aws, tmp_path, rds_mysql_params_name="game-a3", rds_mysql_params_family="aurora-mysql8.0",
                  rds_mysql_params_overrides={"max_connections": 16000})
    assert v3.rc == 0, v3.output
    assert cluster_params(aws, "game-a3") == {"innodb_trx_commit_allow_data_loss": "1",
                                              "innodb_flush_log_at_trx_commit": "2"}
    assert instance_params(aws, "game-a3") == {"max_connections": "16000"}
    family = aws("rds").describe_db_cluster_parameter_groups(
        DBClusterParameterGroupName="game-a3")["DBClusterParameterGroups"][0]["DBParameterGroupFamily"]
    assert family == "aurora-mysql8.0"
    again = run_role(aws, tmp_path, rds_mysql_params_name="game-a3", rds_mysql_params_family="aurora-mysql8.0",
                     rds_mysql_params_overrides={"max_connections": 16000})
    assert again.stats["changed"] == 0, again.output


def test_check_mode_creates_nothing_then_reports_pending_changes(aws, tmp_path):
    check = run_role(aws, tmp_path, check=True, rds_mysql_params_name="game-a2", rds_mysql_params_family="aurora-mysql5.7")
    assert check.rc == 0, check.output
    assert check.stats["changed"] == 2
    assert check.task("DB parameter group")["created"] is True
    assert groups(aws) == ([], [])

    run_role(aws, tmp_path, rds_mysql_params_name="game-a2", rds_mysql_params_family="aurora-mysql5.7")
    check = run_role(aws, tmp_path, check=True, rds_mysql_params_name="game-a2", rds_mysql_params_family="aurora-mysql5.7",
                     rds_mysql_params_overrides={"query_cache_type": 1})
    assert check.task("DB parameter group")["modified"] == ["query_cache_type"]
    assert check.task("Aurora DB cluster parameter group")["changed"] is False
    assert instance_params(aws, "game-a2")["query_cache_type"] == "0"


@pytest.mark.parametrize(
    "role_vars, message",
    [
        ({"rds_mysql_params_family": "mysql9.9"}, "rds_mysql_params_family"),
        ({"rds_mysql_params_family": "mysql8.0", "rds_mysql_params_overrides": {"query_cache_type": 0}},
         "parameter query_cache_type does not exist in mysql8.0 (removed in MySQL 8.0)"),
        ({"rds_mysql_params_family": "aurora-mysql8.4"}, "rds_mysql_params_family"),  # Aurora has no 8.4 family
        ({"rds_mysql_params_family": "mysql8.4", "rds_mysql_params_overrides": {"query_cache_size": 0}},
         "parameter query_cache_size does not exist in mysql8.4 (removed in MySQL 8.0)"),
        ({"rds_mysql_params_family": "mysql8.4", "rds_mysql_params_overrides": {"default_authentication_plugin": "x"}},
         "parameter default_authentication_plugin does not exist in mysql8.4 (removed in MySQL 8.4)"),
        ({"rds_mysql_params_family": "mysql8.4", "rds_mysql_params_overrides": {"expire_logs_days": 7}},
         "parameter expire_logs_days does not exist in mysql8.4 (removed in MySQL 8.4)"),
        ({"rds_mysql_params_family": "aurora-mysql8.0", "rds_mysql_params_cluster_overrides": {"tx_isolation": "READ-COMMITTED"}},
         "parameter tx_isolation does not exist in aurora-mysql8.0"),
        ({"rds_mysql_params_family": "mysql5.7", "rds_mysql_params_overrides": {"Max Connections": 10}},
         'parameter "Max Connections" = 10 is not valid'),
        ({"rds_mysql_params_family": "mysql5.7", "rds_mysql_params_overrides": {"max_connections": {"a": 1}}},
         'parameter "max_connections" = {"a": 1} is not valid'),
        ({"rds_mysql_params_family": "mysql8.0", "rds_mysql_params_cluster_overrides": {"innodb_flush_log_at_trx_commit": 1}},
         "rds_mysql_params_cluster_overrides (innodb_flush_log_at_trx_commit) is only for the Aurora families"),
        ({"rds_mysql_params_family": "mysql8.0", "rds_mysql_params_name": "game--prod"},
         'parameter group name "game--prod" is not valid'),
    ],
)
def test_bad_input_fails_before_any_change(aws, tmp_path, role_vars, message):
    role_vars = dict({"rds_mysql_params_name": "game-production"}, **role_vars)
    result = run_role(aws, tmp_path, **role_vars)
    assert result.rc != 0
    assert message in result.failure(), result.failure()
    assert groups(aws) == ([], [])


def test_existing_group_of_another_family_is_refused(aws, tmp_path):
    aws("rds").create_db_parameter_group(DBParameterGroupName="game-production", DBParameterGroupFamily="mysql5.7",
                                         Description="by hand")
    result = run_role(aws, tmp_path, rds_mysql_params_name="game-production", rds_mysql_params_family="mysql8.0")
    assert result.rc != 0
    assert "exists with family mysql5.7; the family cannot change to mysql8.0" in result.failure()
    assert instance_params(aws, "game-production") == {}


def test_name_check_without_the_engine_defaults_call_fails_before_any_change(aws, tmp_path):
    """moto does not implement DescribeEngineDefaultParameters: the check must stop, not silently pass."""
    result = playbook(tmp_path, aws.endpoint, ROLE_TASK, play_vars={
        "rds_mysql_params_name": "game-production", "rds_mysql_params_family": "mysql8.0"})
    assert result.rc != 0
    message = result.failure()
    assert "could not list the parameters of family mysql8.0" in message and "check_names=false" in message, message
    assert groups(aws) == ([], [])
