"""Unit tests of the filters of rsync_deploy: rsync_deploy_probe, rsync_deploy_host_problems and
rsync_deploy_setting_problems.

The role's integration tests (tests/integration/deploy) run the same refusals against a real host; these
cover every branch and the messages word for word."""

from __future__ import annotations

import json
import re

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.gamestack.aws.plugins.filter.rsync_deploy import (
    PROBE_KEYS,
    rsync_deploy_host_problems,
    rsync_deploy_probe,
    rsync_deploy_setting_problems,
)

from tests.conftest import REPO
from tests.unit.trust import untrusted

DEST, STAGING, PREVIOUS = "/var/www/app", "/var/www/app.staging", "/var/www/app.previous"
GOOD = {
    "dest_refused": "", "dest": "dir", "staging": "dir", "previous": "dir", "rsync": "yes", "php": "yes",
    "dest_stat": "root:www-data 755", "inflight": "no", "marker": "api-production-20261202-1000",
    "validate_timestamps": "", "live": "same",
}


def lines(**answers):
    values = dict(GOOD, **answers)
    return ["gamestack-probe:%s:%s" % (key, value) for key, value in values.items() if value is not None]


def probe(**answers):
    return rsync_deploy_probe(lines(**answers), DEST, STAGING, PREVIOUS)


def test_probe_reads_every_key_and_ignores_other_lines():
    assert sorted(GOOD) == sorted(PROBE_KEYS)
    host = rsync_deploy_probe(["Welcome to the bastion", "gamestack-probe:unknown:x"] + lines(), DEST, STAGING,
                              PREVIOUS)
    assert host["paths"] == [{"path": DEST, "kind": "dir"}, {"path": STAGING, "kind": "dir"},
                             {"path": PREVIOUS, "kind": "dir"}]
    assert host["rsync"] is True and host["php"] is True and host["inflight"] is False
    assert host["dest_stat"] == "root:www-data 755"
    assert host["marker"] == "api-production-20261202-1000"
    assert host["live"] == "same"
    assert host["missing"] == [] and host["unread"] == []
    assert rsync_deploy_host_problems(host) == []


def test_the_filter_reads_exactly_the_keys_the_probe_prints():
    """PROBE_KEYS and the probe task's `say <key>` lines (tasks/preflight.yml) are one list in two languages."""
    probe_task = (REPO / "roles/rsync_deploy/tasks/preflight.yml").read_text()
    assert re.findall(r"^ *say ([a-z_]+) ", probe_task, re.M) == list(PROBE_KEYS)


def test_probe_values_are_data_never_templates():
    host = probe(dest="link {{ lookup('pipe', 'id') }}", marker="{{ 7 * 7 }}")
    assert host["paths"][0]["kind"] == "link {{ lookup('pipe', 'id') }}"
    assert untrusted(host["paths"][0]["kind"]) and untrusted(host["marker"])
    assert all(untrusted(message) for message in rsync_deploy_host_problems(host))


def test_missing_answers_default_and_are_reported_with_the_lines():
    host = rsync_deploy_probe(["sudo: a password is required"], DEST, STAGING, PREVIOUS)
    assert [p["kind"] for p in host["paths"]] == ["absent"] * 3
    assert host["rsync"] is False and host["live"] == "unknown" and host["unread"] == ["sudo: a password is required"]
    assert rsync_deploy_host_problems(host, php_lint=False)[0] == (
        'the probe of the host gave no answer that it can read: "sudo: a password is required".')


def test_a_probe_that_printed_nothing_is_refused():
    host = rsync_deploy_probe([], DEST, STAGING, PREVIOUS)
    assert host["missing"] == list(PROBE_KEYS) and host["unread"] == []
    assert rsync_deploy_host_problems(host, php_lint=False)[0] == (
        'the probe of the host gave no answer that it can read: "".')


def test_one_missing_answer_is_refused_with_the_lines():
    host = probe(live=None)
    assert host["missing"] == ["live"] and host["live"] == "unknown"
    assert rsync_deploy_host_problems(host)[0].startswith(
        'the probe of the host gave no answer that it can read: "gamestack-probe:dest_refused: | ')


def test_unread_lines_are_truncated():
    host = rsync_deploy_probe(["x" * 1000], DEST, STAGING, PREVIOUS)
    message = rsync_deploy_host_problems(host, php_lint=False)[0]
    assert message == 'the probe of the host gave no answer that it can read: "%s...".' % ("x" * 297)


def test_symlinks_are_named_with_the_fix_and_the_reason():
    host = probe(dest="link releases/r1", previous="link /srv/old")
    problems = rsync_deploy_host_problems(host)
    assert problems == [
        "/var/www/app is a symlink (to releases/r1): replace it with a real directory, for example"
        " `rm /var/www/app && cp -a releases/r1 /var/www/app`. /var/www/app.previous is a symlink (to /srv/old):"
        " replace it with a real directory, for example `rm /var/www/app.previous && cp -a /srv/old"
        " /var/www/app.previous`. rsync_deploy writes into a real directory on purpose: PHP opcache keys its"
        " cache by realpath, so a symlink switch leaves PHP serving the old release. Deploy again after that."]


def test_a_file_in_place_of_a_directory():
    assert rsync_deploy_host_problems(probe(staging="other")) == [
        "/var/www/app.staging exists but is not a directory."]


@pytest.mark.parametrize("previous, refused", [("absent", True), ("dir", False)])
def test_rollback_needs_the_previous_tree(previous, refused):
    problems = rsync_deploy_host_problems(probe(previous=previous), rollback=True)
    assert bool(problems) is refused
    if refused:
        assert problems == ["rsync_deploy_rollback is true but /var/www/app.previous does not exist: there is no"
                            " previous release to restore (it is kept by the deploy before the last one)."]


@pytest.mark.parametrize("settings, refused", [
    ({}, True),
    ({"php_lint": "false"}, False),
    ({"rollback": True, "previous": "dir"}, False),
    ({"check_mode": True}, False),
])
def test_lint_needs_php_on_the_host(settings, refused):
    settings = dict(settings)
    previous = settings.pop("previous", "dir")
    problems = rsync_deploy_host_problems(probe(php="no", previous=previous), php_bin="php8.2", **settings)
    assert bool(problems) is refused
    if refused:
        assert problems == ["rsync_deploy_php_lint is true but php8.2 is not installed on the host: install PHP"
                            " first (gamestack.aws.apache_prefork_php) or set rsync_deploy_php_lint: false."]


@pytest.mark.parametrize("read, setting, reset, refused", [
    ("0", "auto", "none", True),
    ("off", "auto", "none", True),
    ("", "auto", "none", False),       # PHP's default is 1
    ("1", "auto", "none", False),
    ("1", "false", "none", True),      # the setting overrides what the probe read
    ("0", "true", "none", False),
    ("0", "auto", "reload", False),
    ("0", "auto", "reset", False),
])
def test_no_opcache_step_needs_validate_timestamps(read, setting, reset, refused):
    problems = rsync_deploy_host_problems(probe(validate_timestamps=read), opcache_reset=reset,
                                          validate_timestamps=setting)
    assert bool(problems) is refused
    if refused:
        assert "opcache.validate_timestamps is off on this host" in problems[0]


def test_every_problem_at_once():
    problems = rsync_deploy_host_problems(probe(dest="link r1", staging="other", php="no", validate_timestamps="0"),
                                          opcache_reset="none")
    assert len(problems) == 4


@pytest.mark.parametrize("value", ["gamestack-probe:dest:dir", None, 3])
def test_probe_wants_the_list_of_lines(value):
    with pytest.raises(AnsibleFilterError, match="expected the probe's stdout_lines"):
        rsync_deploy_probe(value, DEST, STAGING, PREVIOUS)


def test_problems_want_the_probe_mapping_and_boolean_flags():
    with pytest.raises(AnsibleFilterError, match="expected the mapping of rsync_deploy_probe"):
        rsync_deploy_host_problems({"dest": "dir"})
    with pytest.raises(AnsibleFilterError, match="rollback must be a boolean, got 'maybe'"):
        rsync_deploy_host_problems(probe(), rollback="maybe")


# rsync_deploy_setting_problems: the settings, checked on the controller before the probe.

def settings(tmp_path, **changes):
    values = {"src": str(tmp_path), "release_name": "api-production-20261202-1000"}
    values.update(changes)
    return rsync_deploy_setting_problems(values.pop("dest", DEST), **values)


def test_good_settings_have_no_problem(tmp_path):
    assert settings(tmp_path) == []
    assert settings(tmp_path, dest="/srv/game/api/", opcache_reset="reset", reset_token="x" * 16,
                    validate_timestamps=False, excludes=[".git"], rsync_opts=["--checksum"]) == []


@pytest.mark.parametrize("dest", ["var/www/app", "", "/var/www/../etc/app", "/srv/a\nb", None, 3, ["/var/www/app"]])
def test_a_destination_that_no_host_can_make_right_is_refused_on_the_controller(tmp_path, dest):
    assert settings(tmp_path, dest=dest) == [
        "rsync_deploy_dest must be an absolute path without '..' segments (got %s)." % json.dumps(str(dest))]


@pytest.mark.parametrize("dest", ["/", "//var/www", "/var/.", "/etc/./"])
def test_which_directories_are_too_high_is_left_to_the_host(tmp_path, dest):
    """tests/unit/roles/test_rsync_deploy_check_dest.py: files/check-dest.sh, run by the probe, decides."""
    assert settings(tmp_path, dest=dest) == []


def test_a_destination_the_host_refused_is_named_as_it_was_set():
    host = probe(dest_refused="is a directory directly below / (/var): deploy into a directory of its own below it")
    assert rsync_deploy_host_problems(host, dest="/var/.") == [
        'rsync_deploy_dest "/var/." is refused: it is a directory directly below / (/var): deploy into a directory'
        ' of its own below it.']
    # a destination that is itself a symlink is named once, with the way out
    linked = probe(dest="link releases/r1", dest_refused="is or goes through a symlink")
    assert [p.split(" ", 1)[0] for p in rsync_deploy_host_problems(linked)] == ["/var/www/app"]


@pytest.mark.parametrize("change", [{"excludes": ".git"}, {"rsync_opts": "--checksum"}, {"excludes": None}])
def test_excludes_and_options_must_be_lists(tmp_path, change):
    assert settings(tmp_path, **change) == ["rsync_deploy_excludes and rsync_deploy_rsync_opts must be lists."]


@pytest.mark.parametrize("change, message", [
    ({"opcache_reset": "restart"}, 'rsync_deploy_opcache_reset must be one of reload, reset, none (got "restart").'),
    ({"validate_timestamps": "sometimes"},
     'rsync_deploy_opcache_validate_timestamps must be auto, true or false (got "sometimes").'),
    ({"marker": "../release"}, 'rsync_deploy_marker must be a plain file name (got "../release").'),
    ({"marker": "release\n"}, 'rsync_deploy_marker must be a plain file name (got "release\\n").'),
    ({"chmod": "D0755;rm"}, 'rsync_deploy_chmod must be an rsync --chmod value (got "D0755;rm").'),
    ({"release_name": "api-test-latest"},
     'rsync_deploy_release "api-test-latest" is not a release name of the form app-env-YYYYMMDD-hhmm.'),
    ({"release_name": "api-production"},
     'rsync_deploy_release "api-production" is not a release name of the form app-env-YYYYMMDD-hhmm.'),
    ({"release_name": "api-production-20261345-2599"},
     'rsync_deploy_release "api-production-20261345-2599" is not a release name of the form app-env-YYYYMMDD-hhmm.'),
    ({"opcache_reset": "reset", "reset_token": "short"},
     "rsync_deploy_opcache_reset is 'reset' but rsync_deploy_opcache_reset_token is missing or shorter than 16"
     " characters; the reset script only answers requests carrying that token."),
])
def test_each_bad_setting_is_named_with_its_value(tmp_path, change, message):
    assert settings(tmp_path, **change) == [message]


def test_the_build_must_be_a_directory_on_the_controller(tmp_path):
    missing, a_file = tmp_path / "nonexistent", tmp_path / "file"
    a_file.write_text("")
    for src in (str(missing), str(a_file), ""):
        assert settings(tmp_path, src=src) == [
            "rsync_deploy_src %s is not a directory on the controller: set it to the built tree to deploy."
            % json.dumps(src)]


def test_a_rollback_needs_neither_a_build_nor_a_release_name(tmp_path):
    assert settings(tmp_path, rollback=True, src="", release_name="") == []
    assert settings(tmp_path, rollback="yes", src="/nonexistent", release_name="latest") == []
    assert settings(tmp_path, rollback=False, src="", release_name="")[0].startswith("rsync_deploy_src")


def test_every_bad_setting_at_once_in_a_fixed_order(tmp_path):
    problems = settings(tmp_path, dest="var", excludes="x", opcache_reset="reset", validate_timestamps="x",
                        marker="a/b", chmod="?", src="", release_name="x")
    assert [problem.split(" ", 1)[0] for problem in problems] == [
        "rsync_deploy_dest", "rsync_deploy_excludes", "rsync_deploy_opcache_validate_timestamps",
        "rsync_deploy_marker", "rsync_deploy_chmod", "rsync_deploy_src", "rsync_deploy_release",
        "rsync_deploy_opcache_reset"]
    assert all(untrusted(problem) for problem in problems)


def test_setting_problems_want_a_boolean_rollback(tmp_path):
    with pytest.raises(AnsibleFilterError, match="rsync_deploy_setting_problems: rollback must be a boolean, got 'maybe'"):
        settings(tmp_path, rollback="maybe")


def test_no_release_name_names_the_variables_to_set(tmp_path):
    """Used without the inventory plugin (no `naming`): the role passes an empty release name."""
    problems = settings(tmp_path, release_name="")
    assert len(problems) == 1
    for name in ("rsync_deploy_app", "rsync_deploy_env", "rsync_deploy_release"):
        assert name in problems[0]
