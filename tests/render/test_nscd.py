"""gamestack.aws.nscd rendered for CentOS 7, Rocky 9, Amazon Linux 2023 (and Debian 12); refusal on EL 10."""

from __future__ import annotations

import pytest

from tests.render.conftest import PLATFORMS

TEMPLATE = "etc/nscd.conf.j2"
SERVER_USER = {"centos7": "nscd", "rocky9": "nscd", "al2023": "nscd", "debian12": None}


def parse(text):
    """nscd.conf -> ({global: value}, {(attribute, database): value})."""
    glob, per_db = {}, {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        words = line.split()
        if len(words) == 2:
            glob[words[0]] = words[1]
        else:
            assert len(words) == 3, line
            per_db[(words[0], words[1])] = words[2]
    return glob, per_db


@pytest.mark.parametrize("platform", PLATFORMS)
def test_default_config_per_platform(render_role, platform):
    out = render_role("nscd", platform, tasks_from=["vars.yml", "preflight.yml"], templates=[TEMPLATE],
                      variables=["nscd_package", "nscd_service", "nscd_config_file", "nscd_effective_server_user"])
    assert out.vars["nscd_package"] == "nscd"
    assert out.vars["nscd_service"] == "nscd"
    assert out.vars["nscd_config_file"] == "/etc/nscd.conf"
    glob, per_db = parse(out.files["etc/nscd.conf"])
    assert glob.get("server-user") == SERVER_USER[platform]
    assert glob["paranoia"] == "no" and "restart-interval" not in glob
    assert per_db[("enable-cache", "hosts")] == "yes"
    assert per_db[("positive-time-to-live", "hosts")] == "15"
    assert per_db[("negative-time-to-live", "hosts")] == "5"
    assert per_db[("persistent", "hosts")] == "no"
    assert per_db[("shared", "hosts")] == "no"
    assert per_db[("check-files", "hosts")] == "yes"
    for db in ("passwd", "group", "services", "netgroup"):
        assert per_db[("enable-cache", db)] == "no"
        assert per_db[("persistent", db)] == "no"
    assert ("auto-propagate", "hosts") not in per_db


def test_overrides_merge_per_database_and_paranoia_brings_restart_interval(render_role):
    out = render_role("nscd", "centos7", tasks_from=["vars.yml", "preflight.yml"], templates=[TEMPLATE],
                      host_vars={"nscd_databases": {"hosts": {"positive_time_to_live": 30},
                                                    "passwd": {"enable_cache": True, "auto_propagate": False}},
                                 "nscd_paranoia": True, "nscd_restart_interval": 3600,
                                 "nscd_server_user": "nobody", "nscd_reload_count": "unlimited"})
    glob, per_db = parse(out.files["etc/nscd.conf"])
    assert per_db[("positive-time-to-live", "hosts")] == "30"
    assert per_db[("negative-time-to-live", "hosts")] == "5"      # untouched default kept
    assert per_db[("enable-cache", "passwd")] == "yes"
    assert per_db[("auto-propagate", "passwd")] == "no"
    assert glob["paranoia"] == "yes" and glob["restart-interval"] == "3600"
    assert glob["server-user"] == "nobody" and glob["reload-count"] == "unlimited"


@pytest.mark.parametrize("distribution", ["RedHat", "Rocky", "AlmaLinux", "CentOS", "OracleLinux"])
def test_enterprise_linux_10_is_refused_with_what_to_use_instead(render_role, distribution):
    out = render_role("nscd", "rocky9", tasks_from=["vars.yml", "preflight.yml"], expect_failure=True,
                      facts={"ansible_distribution": distribution, "ansible_distribution_major_version": "10",
                             "ansible_distribution_version": "10.0"})
    out.assert_refused("not shipped on Enterprise Linux 10", "systemd-resolved", "sssd", distribution)


REFUSALS = {
    "restart_interval_without_paranoia": ({"nscd_restart_interval": 3600},
                                          ["nscd_restart_interval = 3600", "nscd_paranoia"]),
    "unknown_database": ({"nscd_databases": {"hostz": {"enable_cache": True}}}, ["hostz: not an nscd database"]),
    "not_a_mapping": ({"nscd_databases": {"hosts": True}}, ["hosts: must be a mapping"]),
    "bool_as_string": ({"nscd_databases": {"hosts": {"persistent": "no"}}}, ["hosts.persistent = no: not a boolean"]),
    "ttl_not_integer": ({"nscd_databases": {"hosts": {"positive_time_to_live": "15s"}}},
                        ["hosts.positive_time_to_live = 15s: not an integer"]),
    "ttl_negative": ({"nscd_databases": {"hosts": {"negative_time_to_live": -1}}},
                     ["hosts.negative_time_to_live = -1"]),
    "unknown_setting": ({"nscd_databases": {"hosts": {"positive_ttl": 15}}}, ["hosts.positive_ttl: unknown setting"]),
    "auto_propagate_on_hosts": ({"nscd_databases": {"hosts": {"auto_propagate": True}}},
                                ["hosts.auto_propagate: only passwd and group"]),
    "threads_not_integer": ({"nscd_threads": "many"}, ["nscd_threads = many"]),
    "reload_count_bad": ({"nscd_reload_count": "often"}, ["nscd_reload_count = often"]),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_bad_input_is_refused_in_preflight(render_role, case):
    host_vars, needles = REFUSALS[case]
    out = render_role("nscd", "al2023", tasks_from=["vars.yml", "preflight.yml"], host_vars=host_vars,
                      expect_failure=True)
    out.assert_refused(*needles)
