"""gamestack.aws.tcp_tuning rendered for CentOS 7, Rocky 9, Amazon Linux 2023 (and Debian 12)."""

from __future__ import annotations

import pytest

from tests.render.conftest import PLATFORMS

TEMPLATE = "etc/sysctl.d/gamestack-tcp-tuning.conf.j2"
RENDERED = "etc/sysctl.d/gamestack-tcp-tuning.conf"
DEFAULT_LINES = [
    "net.core.somaxconn = 4096",
    "net.ipv4.ip_local_port_range = 10240 65535",
    "net.ipv4.tcp_fin_timeout = 15",
    "net.ipv4.tcp_max_syn_backlog = 8192",
    "net.ipv4.tcp_max_tw_buckets = 262144",
    "net.ipv4.tcp_timestamps = 1",
    "net.ipv4.tcp_tw_reuse = 1",
]
PACKAGE = {"centos7": "procps-ng", "rocky9": "procps-ng", "al2023": "procps-ng", "debian12": "procps"}


def settings(text):
    return [line for line in text.splitlines() if line and not line.startswith("#")]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_defaults_render_per_platform(render_role, platform):
    out = render_role(
        "tcp_tuning", platform,
        tasks_from=["vars.yml", "preflight.yml"],
        templates=[TEMPLATE],
        variables=["tcp_tuning_packages", "tcp_tuning_sysctl_command", "tcp_tuning_sysctl_file"],
    )
    assert out.vars["tcp_tuning_packages"] == [PACKAGE[platform]]
    assert out.vars["tcp_tuning_sysctl_command"] == "/usr/sbin/sysctl"
    assert out.vars["tcp_tuning_sysctl_file"] == "/etc/sysctl.d/60-gamestack-tcp-tuning.conf"
    assert settings(out.files[RENDERED]) == DEFAULT_LINES


def test_overrides_merge_and_null_drops_a_default(render_role):
    out = render_role(
        "tcp_tuning", "centos7",
        tasks_from=["vars.yml", "preflight.yml"],
        templates=[TEMPLATE],
        host_vars={"tcp_tuning_sysctls": {
            "net.ipv4.tcp_fin_timeout": 30,
            "net.ipv4.tcp_max_tw_buckets": None,
            "net.ipv4.tcp_rmem": "4096   87380 6291456",
            "net.ipv4.ip_local_port_range": "15000 64000",
        }},
    )
    lines = settings(out.files[RENDERED])
    assert "net.ipv4.tcp_fin_timeout = 30" in lines
    assert "net.ipv4.tcp_rmem = 4096 87380 6291456" in lines
    assert "net.ipv4.ip_local_port_range = 15000 64000" in lines
    assert not any(line.startswith("net.ipv4.tcp_max_tw_buckets") for line in lines)
    assert len(lines) == 7


REFUSALS = {
    "tw_recycle": ({"net.ipv4.tcp_tw_recycle": 0}, ["net.ipv4.tcp_tw_recycle is refused", "Linux 4.12", "NAT"]),
    "tw_recycle_slash": ({"net/ipv4/tcp_tw_recycle": 1}, ["net.ipv4.tcp_tw_recycle is refused"]),
    "range_reversed": ({"net.ipv4.ip_local_port_range": "60000 10240"},
                       ["net.ipv4.ip_local_port_range = '60000 10240'", "LOW < HIGH"]),
    "range_equal": ({"net.ipv4.ip_local_port_range": "20000 20000"}, ["net.ipv4.ip_local_port_range = '20000 20000'"]),
    "range_one_port": ({"net.ipv4.ip_local_port_range": 20000}, ["net.ipv4.ip_local_port_range = '20000'"]),
    "range_too_high": ({"net.ipv4.ip_local_port_range": "10240 70000"}, ["'10240 70000'", "<= 65535"]),
    "not_integer": ({"net.ipv4.tcp_fin_timeout": "15s"}, ["net.ipv4.tcp_fin_timeout = 15s", "not an integer"]),
    "float": ({"net.core.somaxconn": 1.5}, ["net.core.somaxconn = 1.5", "not an integer"]),
    "boolean": ({"net.core.somaxconn": True}, ["net.core.somaxconn = True", "not an integer"]),
    "bad_name": ({"net ipv4 tcp_fin_timeout": 15}, ["'net ipv4 tcp_fin_timeout'"]),
    "timestamps_off": ({"net.ipv4.tcp_timestamps": 0}, ["net.ipv4.tcp_timestamps = 0", "tcp_tw_reuse"]),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_bad_input_is_refused_in_preflight(render_role, case):
    sysctls, needles = REFUSALS[case]
    out = render_role("tcp_tuning", "rocky9", tasks_from=["vars.yml", "preflight.yml"],
                      host_vars={"tcp_tuning_sysctls": sysctls}, expect_failure=True)
    out.assert_refused(*needles)


def test_tw_reuse_off_allows_timestamps_off(render_role):
    out = render_role("tcp_tuning", "al2023", tasks_from=["vars.yml", "preflight.yml"], templates=[TEMPLATE],
                      host_vars={"tcp_tuning_sysctls": {"net.ipv4.tcp_timestamps": 0, "net.ipv4.tcp_tw_reuse": 0}})
    assert "net.ipv4.tcp_timestamps = 0" in settings(out.files[RENDERED])
