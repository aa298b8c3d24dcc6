"""gamestack.aws.nscd on a Debian 12 systemd container."""

from __future__ import annotations

import pytest

from gamestack_verify import apply_role_playbook, recap, refusals, run_playbook

PROBE_NAME = "nscd-probe.gamestack.test"
PROBE_LINE = "127.0.1.77 %s" % PROBE_NAME


def stats(host):
    """`nscd -g` as {section: {label: value}} ("hosts" -> "cache hits on positive entries" -> "12")."""
    out = host.check_output("nscd -g")
    sections, current = {}, None
    for line in out.splitlines():
        if line.endswith("cache:") and not line.startswith(" "):
            current = sections.setdefault(line[:-len(" cache:")], {})
        elif current is not None and line.strip():
            value, _sep, label = line.strip().partition("  ")
            current[label.strip()] = value.strip()
    return sections


def conf(host):
    per_db = {}
    for line in host.file("/etc/nscd.conf").content_string.splitlines():
        words = line.split()
        if len(words) == 3 and not line.startswith("#"):
            per_db[(words[0], words[1])] = words[2]
    return per_db


def test_package_and_service(host):
    assert host.package("nscd").is_installed
    service = host.service("nscd")
    assert service.is_running
    assert service.is_enabled


def test_config_file(host):
    f = host.file("/etc/nscd.conf")
    assert f.user == "root" and f.mode == 0o644
    per_db = conf(host)
    assert per_db[("enable-cache", "hosts")] == "yes"
    assert per_db[("positive-time-to-live", "hosts")] == "15"
    assert per_db[("negative-time-to-live", "hosts")] == "5"
    for db in ("passwd", "group", "services", "netgroup"):
        assert per_db[("enable-cache", db)] == "no"
        assert per_db[("persistent", db)] == "no"
    assert "restart-interval" not in f.content_string


def test_running_daemon_has_hosts_on_and_passwd_off(host):
    s = stats(host)
    assert s["hosts"]["cache is enabled"] == "yes"
    assert s["hosts"]["cache is persistent"] == "no"
    assert s["hosts"]["seconds time to live for positive entries"] == "15"
    assert s["hosts"]["seconds time to live for negative entries"] == "5"
    for db in ("passwd", "group", "services", "netgroup"):
        assert s[db]["cache is enabled"] == "no", db


@pytest.fixture
def probe_name(host):
    """A name only /etc/hosts knows (no DNS here): the files module answers it without a TTL, so nscd
    keeps it for positive-time-to-live (15 s) - long enough for the lookups below."""
    assert host.run("grep -q '%s' /etc/hosts || echo '%s' >> /etc/hosts" % (PROBE_NAME, PROBE_LINE)).rc == 0
    yield PROBE_NAME
    host.run("sed -i '/%s/d' /etc/hosts" % PROBE_NAME)


def test_repeated_lookups_are_answered_from_the_cache(host, probe_name):
    first = host.run("getent hosts %s" % probe_name)
    assert first.rc == 0 and first.stdout.split()[0] == "127.0.1.77"
    hits_before = int(stats(host)["hosts"]["cache hits on positive entries"])
    for _lookup in range(5):
        assert host.run("getent hosts %s" % probe_name).rc == 0
    hits_after = int(stats(host)["hosts"]["cache hits on positive entries"])
    assert hits_after - hits_before >= 5


def test_config_change_restarts_nscd_through_the_handler(host):
    pid_before = host.check_output("systemctl show -p MainPID --value nscd")
    changed = run_playbook(apply_role_playbook("gamestack.aws.nscd",
                                               {"nscd_databases": {"hosts": {"positive_time_to_live": 30}}}))
    assert changed.returncode == 0, changed.stdout + changed.stderr
    assert "RUNNING HANDLER [gamestack.aws.nscd : Restart nscd]" in changed.stdout
    assert host.check_output("systemctl show -p MainPID --value nscd") != pid_before
    assert stats(host)["hosts"]["seconds time to live for positive entries"] == "30"
    back = run_playbook(apply_role_playbook("gamestack.aws.nscd"))
    assert back.returncode == 0 and recap(back.stdout)["changed"] >= 1
    assert stats(host)["hosts"]["seconds time to live for positive entries"] == "15"
    again = run_playbook(apply_role_playbook("gamestack.aws.nscd"))
    assert again.returncode == 0 and recap(again.stdout)["changed"] == 0, again.stdout


CASES = {
    "restart_interval_without_paranoia": {"nscd_restart_interval": 3600},
    "unknown_database": {"nscd_databases": {"hostz": {"enable_cache": True}}},
    "bool_as_string": {"nscd_databases": {"hosts": {"persistent": "no"}}},
    "ttl_not_integer": {"nscd_databases": {"hosts": {"positive_time_to_live": "15s"}}},
    "auto_propagate_on_hosts": {"nscd_databases": {"hosts": {"auto_propagate": True}}},
}
EXPECTED = {
    "restart_interval_without_paranoia": ["nscd_restart_interval = 3600", "nscd_paranoia"],
    "unknown_database": ["hostz: not an nscd database"],
    "bool_as_string": ["hosts.persistent = no: not a boolean"],
    "ttl_not_integer": ["hosts.positive_time_to_live = 15s"],
    "auto_propagate_on_hosts": ["hosts.auto_propagate: only passwd and group"],
}


@pytest.fixture(scope="module")
def refused(host):
    sha_before = host.file("/etc/nscd.conf").sha256sum
    pid_before = host.check_output("systemctl show -p MainPID --value nscd")
    results = refusals("gamestack.aws.nscd", CASES)
    return results, sha_before, pid_before


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_refused_with_its_message(refused, case):
    message = refused[0][case]
    assert message != "OK", f"{case} was not refused"
    for needle in EXPECTED[case]:
        assert needle in message, f"{case}: {needle!r} not in {message!r}"


def test_refused_runs_changed_nothing(host, refused):
    _results, sha_before, pid_before = refused
    assert host.file("/etc/nscd.conf").sha256sum == sha_before
    assert host.check_output("systemctl show -p MainPID --value nscd") == pid_before
