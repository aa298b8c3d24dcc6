"""gamestack.aws.tcp_tuning on a Debian 12 systemd container (own network namespace).

Order matters: the restart test runs last (pytest keeps file order)."""

from __future__ import annotations

import os

import pytest

from gamestack_verify import CONTAINER, harness, recap, refusals, run_playbook

containers = harness("containers")

FILE = "/etc/sysctl.d/60-gamestack-tcp-tuning.conf"
EXPECTED = {
    "net.ipv4.tcp_tw_reuse": "1",
    "net.ipv4.tcp_timestamps": "1",
    "net.ipv4.tcp_fin_timeout": "15",
    "net.ipv4.ip_local_port_range": "10240 65535",
    "net.core.somaxconn": "4096",
    "net.ipv4.tcp_max_syn_backlog": "8192",
    "net.ipv4.tcp_max_tw_buckets": "262144",
}


def running(host, key):
    return " ".join(host.file("/proc/sys/" + key.replace(".", "/")).content_string.split())


def test_drop_in_file_lists_every_key(host):
    f = host.file(FILE)
    assert f.is_file and f.user == "root" and f.mode == 0o644
    lines = {line.split("=")[0].strip(): line.split("=", 1)[1].strip()
             for line in f.content_string.splitlines() if line and not line.startswith("#")}
    assert lines == EXPECTED


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_value_holds_in_the_container_namespace(host, key):
    assert running(host, key) == EXPECTED[key]


def test_container_namespace_is_not_the_controllers(host):
    """The values above belong to the container: its netns differs from the controller's."""
    assert host.run("readlink /proc/1/ns/net").stdout.strip() != os.readlink("/proc/self/ns/net")


CASES = {
    "tw_recycle": {"tcp_tuning_sysctls": {"net.ipv4.tcp_tw_recycle": 0}},
    "range_reversed": {"tcp_tuning_sysctls": {"net.ipv4.ip_local_port_range": "60000 10240"}},
    "range_equal": {"tcp_tuning_sysctls": {"net.ipv4.ip_local_port_range": "20000 20000"}},
    "not_integer": {"tcp_tuning_sysctls": {"net.ipv4.tcp_fin_timeout": "15s"}},
    "boolean": {"tcp_tuning_sysctls": {"net.core.somaxconn": True}},
    "timestamps_off": {"tcp_tuning_sysctls": {"net.ipv4.tcp_timestamps": 0}},
    "unknown_key": {"tcp_tuning_sysctls": {"net.ipv4.tcp_fin_timeout": 30, "net.ipv4.tcp_no_such_knob": 1}},
}
EXPECTED_MESSAGES = {
    "tw_recycle": ["net.ipv4.tcp_tw_recycle", "removed in Linux 4.12", "NAT"],
    "range_reversed": ["net.ipv4.ip_local_port_range", "60000 10240", "LOW < HIGH"],
    "range_equal": ["net.ipv4.ip_local_port_range", "20000 20000"],
    "not_integer": ["net.ipv4.tcp_fin_timeout", "15s", "not an integer"],
    "boolean": ["net.core.somaxconn", "not an integer"],
    "timestamps_off": ["net.ipv4.tcp_timestamps", "tcp_tw_reuse"],
    "unknown_key": ["/proc/sys/net/ipv4/tcp_no_such_knob"],
}


@pytest.fixture(scope="module")
def refused(host):
    before = host.file(FILE).sha256sum
    values_before = {key: running(host, key) for key in EXPECTED}
    return refusals("gamestack.aws.tcp_tuning", CASES), before, values_before


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_refused_with_a_message_naming_it(refused, case):
    results = refused[0]
    message = results[case]
    assert message != "OK", f"{case} was not refused"
    for needle in EXPECTED_MESSAGES[case]:
        assert needle in message, f"{case}: {needle!r} not in {message!r}"


def test_refused_runs_changed_nothing(host, refused):
    _results, before, values_before = refused
    assert host.file(FILE).sha256sum == before
    assert {key: running(host, key) for key in EXPECTED} == values_before


def test_runtime_drift_is_loaded_again(host):
    """The file is unchanged but the running kernel differs (sysctl -w): the role loads the file again."""
    assert host.run("sysctl -w net.ipv4.tcp_fin_timeout=60").rc == 0
    play = ('[{"hosts": "all", "gather_facts": true, "roles": [{"role": "gamestack.aws.tcp_tuning"}]}]')
    first = run_playbook(play)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "net.ipv4.tcp_fin_timeout: 60 -> 15" in first.stdout
    assert recap(first.stdout)["changed"] >= 1
    assert running(host, "net.ipv4.tcp_fin_timeout") == "15"
    second = run_playbook(play)
    assert second.returncode == 0 and recap(second.stdout)["changed"] == 0, second.stdout


def test_zz_values_return_after_container_restart(host):
    """docker restart gives the container a new network namespace with kernel defaults; systemd-sysctl
    must load the drop-in at boot. Runs last.

    Proof that the namespace really is new: a runtime-only value of a key the role does not manage
    (tcp_keepalive_time) is set before the restart and must be back at the kernel default after it."""
    default_keepalive = running(host, "net.ipv4.tcp_keepalive_time")
    marker = "1234" if default_keepalive != "1234" else "1235"
    assert host.run("sysctl -w net.ipv4.tcp_keepalive_time=%s" % marker).rc == 0
    assert running(host, "net.ipv4.tcp_keepalive_time") == marker
    containers.docker("restart", CONTAINER, timeout=120)
    containers.wait_booted(CONTAINER)  # right after the restart systemd may not answer on its bus yet
    assert running(host, "net.ipv4.tcp_keepalive_time") == default_keepalive, "netns kept: restart proves nothing"
    assert host.run("systemctl is-active systemd-sysctl.service").stdout.strip() == "active"
    assert {key: running(host, key) for key in EXPECTED} == EXPECTED
