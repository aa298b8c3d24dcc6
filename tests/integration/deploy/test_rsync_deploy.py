"""gamestack.aws.rsync_deploy through playbooks/deploy.yml on a real app-tier container.

Each test deploys its own tree into its own destination (except the ones that check what Apache
serves, which use /var/www/app, Apache's DocumentRoot being /var/www/app/public).
"""

from __future__ import annotations

import json
import os
import re
import uuid

import pytest

from .conftest import APP_FILES, Deployer, local_tree, write_tree

RELEASE = re.compile(r"^api-test-\d{8}-\d{4}$")


def fresh_dest() -> str:
    return "/srv/deploy-%s/app" % uuid.uuid4().hex[:8]


def graceful_restarts(app_host) -> int:
    """How many reloads of apache2 systemd has logged (`systemctl reload apache2` is `apachectl graceful`)."""
    return int(app_host.sh("journalctl -u apache2 -o cat | grep -c '^Reloaded apache2' || true").stdout.strip() or 0)


def test_first_deploy_serves_the_tree_and_is_idempotent(deployer, app_host, tmp_path):
    src = write_tree(tmp_path / "build", APP_FILES)
    first = deployer.deploy(src, rsync_deploy_dest="/var/www/app").assert_ok()
    assert first.changed > 0
    assert app_host.tree("/var/www/app") == local_tree(src)
    marker = app_host.read("/var/www/app/.release").strip()
    assert RELEASE.match(marker), marker
    page = app_host.page()
    assert "version=v1" in page and "release=" + marker in page
    modes = app_host.sh("stat -c '%U:%G %a' /var/www/app/lib/util.php /var/www/app/lib").stdout.split("\n")
    assert modes[0] == "root:www-data 644" and modes[1] == "root:www-data 755"

    again = deployer.deploy(src, rsync_deploy_dest="/var/www/app").assert_ok()
    assert again.changed == 0, again.output
    assert app_host.read("/var/www/app/.release").strip() == marker


def test_one_changed_file_is_the_only_change_and_served_at_once(deployer, app_host, tmp_path):
    files = dict(APP_FILES)
    src = write_tree(tmp_path / "build", files)
    deployer.deploy(src, rsync_deploy_dest="/var/www/app").assert_ok()
    assert "version=v1" in app_host.page()

    (src / "lib/version.php").write_text("<?php\nconst APP_VERSION = 'v2-changed';\n")
    result = deployer.deploy(src, extra_args=["--diff"], rsync_deploy_dest="/var/www/app",
                             rsync_deploy_release="api-test-20260102-0304").assert_ok()
    listed = re.findall(r'"([<>ch.*][^"]{10} [^"]+)"', result.output)
    # --diff lists what the live sync of the remote step changed: the file, moved in from staging (>f)
    assert listed in ([">fc.t...... lib/version.php"], [">fcst...... lib/version.php"]), result.output
    # graceful reload ran: mod_php's opcache serves the new code immediately
    assert "version=v2-changed" in app_host.page()
    assert app_host.read("/var/www/app/.release").strip() == "api-test-20260102-0304"
    # the tree before the deploy is kept for rollback
    assert "'v1'" in app_host.read("/var/www/app.previous/lib/version.php")
    # as a hard-link copy (an unchanged file shares its inode with the live tree, the changed one does
    # not), renamed into place: nothing is left beside it
    inodes = app_host.sh("stat -c %i /var/www/app/lib/util.php /var/www/app.previous/lib/util.php"
                         " /var/www/app/lib/version.php /var/www/app.previous/lib/version.php").stdout.split()
    assert inodes[0] == inodes[1] and inodes[2] != inodes[3], inodes
    assert app_host.sh("test ! -e /var/www/app.previous.new && test ! -e /var/www/app.previous.old").returncode == 0

    # a rebuild rewrites every file (new mtimes): compared by checksum (the default) only real content moves
    files["lib/version.php"] = "<?php\nconst APP_VERSION = 'v3-rebuilt';\n"
    write_tree(src, files)
    rebuilt = deployer.deploy(src, extra_args=["--diff"], rsync_deploy_dest="/var/www/app").assert_ok()
    transferred = re.findall(r'"[<>]f[^"]{9} ([^"]+)"', rebuilt.output)
    assert transferred == ["lib/version.php"], rebuilt.output
    assert "version=v3-rebuilt" in app_host.page()
    # the next deploy replaced the previous tree with the one it replaced, and left nothing beside it
    assert "'v2-changed'" in app_host.read("/var/www/app.previous/lib/version.php")
    assert app_host.sh("test ! -e /var/www/app.previous.new && test ! -e /var/www/app.previous.old").returncode == 0


def test_deleted_file_goes_and_excluded_host_files_stay(deployer, app_host, tmp_path):
    dest = fresh_dest()
    files = dict(APP_FILES, **{"lib/old.php": "<?php\n// to be deleted\n"})
    src = write_tree(tmp_path / "build", files)
    deployer.deploy(src, rsync_deploy_dest=dest, rsync_deploy_opcache_reset="none",
                    rsync_deploy_excludes=["storage/"]).assert_ok()
    app_host.sh("mkdir -p %s/storage && echo session > %s/storage/data" % (dest, dest))
    del files["lib/old.php"]
    write_tree(src, files)
    deployer.deploy(src, rsync_deploy_dest=dest, rsync_deploy_opcache_reset="none",
                    rsync_deploy_excludes=["storage/"]).assert_ok()
    tree = app_host.tree(dest)
    assert "lib/old.php" not in tree
    assert tree.pop("storage/data") and tree.pop("storage/")  # excluded: neither copied nor deleted
    assert tree == local_tree(src)


def test_names_with_spaces_and_non_ascii(deployer, app_host, tmp_path):
    dest = fresh_dest()
    files = dict(APP_FILES, **{
        "public/read me.txt": "spaces\n",
        "lib/Ünïcode dir/café €.php": "<?php\nconst CAFE = 'é';\n",
        "lib/日本語 ファイル.txt": "kanji\n",
        "lib/it's [quoted] \"name\".php": "<?php\n",
    })
    src = write_tree(tmp_path / "build", files)
    deployer.deploy(src, rsync_deploy_dest=dest, rsync_deploy_opcache_reset="none").assert_ok()
    assert app_host.tree(dest) == local_tree(src)
    # a syntax error in a file with such a name is found and named
    files["lib/Ünïcode dir/café €.php"] = "<?php\nconst CAFE = ;\n"
    write_tree(src, files)
    result = deployer.deploy(src, rsync_deploy_dest=dest, rsync_deploy_opcache_reset="none")
    result.assert_failed("PHP syntax error", "lib/Ünïcode dir/café €.php")
    assert app_host.read(dest + "/lib/Ünïcode dir/café €.php") == "<?php\nconst CAFE = 'é';\n"
    again = deployer.deploy(src, rsync_deploy_dest=dest, rsync_deploy_opcache_reset="none",
                            rsync_deploy_php_lint=False).assert_ok()
    assert again.changed > 0


def test_rollback_restores_the_previous_tree_and_marker(deployer, app_host, tmp_path):
    dest = fresh_dest()
    common = dict(rsync_deploy_dest=dest, rsync_deploy_opcache_reset="none")
    v1 = dict(APP_FILES, **{"lib/only-in-v1.php": "<?php\n"})
    src = write_tree(tmp_path / "build", v1)
    deployer.deploy(src, rsync_deploy_release="api-test-20260101-0001", **common).assert_ok()
    v2 = dict(APP_FILES, **{"lib/version.php": "<?php\nconst APP_VERSION = 'v2';\n", "lib/new.php": "<?php\n"})
    write_tree(src, v2)
    deployer.deploy(src, rsync_deploy_release="api-test-20260101-0002", **common).assert_ok()
    assert app_host.read(dest + "/.release").strip() == "api-test-20260101-0002"

    back = deployer.playbook(dict(rsync_deploy_rollback=True, **common)).assert_ok()
    assert back.changed > 0
    assert app_host.tree(dest) == local_tree(write_tree(tmp_path / "v1", v1))
    assert app_host.read(dest + "/.release").strip() == "api-test-20260101-0001"
    assert deployer.playbook(dict(rsync_deploy_rollback=True, **common)).assert_ok().changed == 0


def test_rollback_without_previous_tree_is_refused(deployer, app_host):
    dest = fresh_dest()
    result = deployer.playbook(dict(rsync_deploy_rollback=True, rsync_deploy_dest=dest))
    result.assert_failed("no previous release", dest + ".previous")
    assert app_host.sh("test -e %s" % dest, check=False).returncode != 0


class FailedChange:
    """A first deploy of APP_FILES to a fresh destination (no opcache step), then a changed build whose
    remote step is expected to fail: assert_untouched() checks that the live tree and its marker are as
    the first deploy left them."""

    def __init__(self, deployer, app_host, tmp_path):
        self.deployer, self.host = deployer, app_host
        self.dest = fresh_dest()
        self.common = dict(rsync_deploy_dest=self.dest, rsync_deploy_opcache_reset="none")
        self.files = dict(APP_FILES)
        self.src = write_tree(tmp_path / "build", self.files)
        deployer.deploy(self.src, **self.common).assert_ok()
        self.before = app_host.tree(self.dest)
        self.marker = app_host.read(self.dest + "/.release")

    def deploy(self, **changes):
        self.files.update(changes)
        write_tree(self.src, self.files)
        return self.deployer.deploy(self.src, **self.common)

    def assert_untouched(self):
        assert self.host.tree(self.dest) == self.before
        assert self.host.read(self.dest + "/.release") == self.marker


def test_php_syntax_error_aborts_and_nothing_is_synced(deployer, app_host, tmp_path):
    case = FailedChange(deployer, app_host, tmp_path)
    result = case.deploy(**{"lib/version.php": "<?php\nconst APP_VERSION = 'v3';\n",  # a good change ...
                            "lib/broken.php": "<?php\nfunction broken( {\n"})           # ... and a bad one
    result.assert_failed("PHP syntax error in 1 changed file(s)", "lib/broken.php", "nothing was")
    case.assert_untouched()


def test_other_failure_of_the_remote_step_is_named_with_the_hosts_output(deployer, app_host, tmp_path):
    """A failure of the remote step that is neither a syntax error nor the reload (here the in-flight
    mark cannot be written: a directory is in its place) names the step, its exit status and what the
    host printed; the live tree and its marker stay as they were, and the deploy goes through once
    the cause is gone."""
    case = FailedChange(deployer, app_host, tmp_path)
    app_host.sh("mkdir %s.deploying" % case.dest)
    result = case.deploy(**{"lib/version.php": "<?php\nconst APP_VERSION = 'v4';\n"})
    result.assert_failed("the remote deploy step failed on the host (exit 1)",
                         case.dest + ".deploying: Is a directory", "Fix that and deploy again")
    case.assert_untouched()
    app_host.sh("rmdir %s.deploying" % case.dest)
    deployer.deploy(case.src, **case.common).assert_ok()
    assert app_host.read(case.dest + "/lib/version.php") == case.files["lib/version.php"]


def test_symlink_destination_is_refused_before_any_change(deployer, app_host, tmp_path):
    base = "/srv/deploy-%s" % uuid.uuid4().hex[:8]
    app_host.sh("mkdir -p %s/releases/r1 && echo old > %s/releases/r1/f && ln -s releases/r1 %s/app" % (base, base, base))
    src = write_tree(tmp_path / "build", APP_FILES)
    result = deployer.deploy(src, rsync_deploy_dest=base + "/app")
    result.assert_failed("is a symlink", "opcache", "realpath", "Nothing was changed")
    assert app_host.sh("ls -A %s" % base).stdout.split() == ["app", "releases"]
    assert app_host.read(base + "/releases/r1/f") == "old\n"


def test_check_mode_lists_the_files_and_changes_nothing(deployer, app_host, tmp_path):
    dest = fresh_dest()
    common = dict(rsync_deploy_dest=dest, rsync_deploy_opcache_reset="none")
    files = dict(APP_FILES)
    src = write_tree(tmp_path / "build", files)
    fresh = deployer.deploy(src, extra_args=["--check"], **common).assert_ok()
    assert "first deploy" in fresh.output and "every file of" in fresh.output
    assert app_host.sh("test -e %s" % dest, check=False).returncode != 0

    deployer.deploy(src, **common).assert_ok()
    before = app_host.tree(dest)
    files["lib/util.php"] = "<?php\nfunction util() { return 43; }\n"
    files["public/new file.css"] = "p {}\n"
    del files["public/style.css"]
    write_tree(src, files)
    check = deployer.deploy(src, extra_args=["--check", "--diff"], **common).assert_ok()
    assert check.changed > 0
    for needle in ("lib/util.php", "public/new file.css", "*deleting   public/style.css"):
        assert needle in check.output, check.output
    assert app_host.tree(dest) == before


@pytest.mark.parametrize(
    "variables, message",
    [
        ({"rsync_deploy_src": "/nonexistent/build"}, "is not a directory on the controller"),
        ({"rsync_deploy_release": "api-test-latest"}, "is not a release name of the form app-env-YYYYMMDD-hhmm"),
        ({"rsync_deploy_app": "API_x"}, "must be lower-case letters and digits"),
        ({"rsync_deploy_opcache_reset": "flush"}, "rsync_deploy_opcache_reset must be one of: reload, reset, none, got: flush"),
        ({"rsync_deploy_dest": "/var/www/"}, "is /var/www itself"),
        ({"rsync_deploy_opcache_reset": "reset"}, "rsync_deploy_opcache_reset_token is missing"),
        ({"rsync_deploy_php_bin": "php-not-installed"}, "php-not-installed is not installed on the host"),
    ],
    ids=["missing-src", "bad-release", "bad-app", "bad-opcache-mode", "dest-too-high", "reset-no-token", "no-php"],
)
def test_bad_input_is_refused_with_nothing_changed(deployer, app_host, tmp_path, variables, message):
    dest = fresh_dest()
    src = write_tree(tmp_path / "build", APP_FILES)
    params = dict(rsync_deploy_dest=dest, rsync_deploy_src=str(src))
    params.update(variables)
    result = deployer.playbook(params)
    result.assert_failed(message)
    assert app_host.sh("test -e %s" % dest, check=False).returncode != 0


def test_every_bad_setting_and_host_problem_is_named_at_once(deployer, app_host, tmp_path):
    dest = fresh_dest()
    src = write_tree(tmp_path / "build", APP_FILES)
    settings = deployer.playbook(dict(rsync_deploy_dest=dest, rsync_deploy_src="/nonexistent/build",
                                      rsync_deploy_opcache_reset="reset", rsync_deploy_marker="../release"))
    settings.assert_failed("/nonexistent/build", "is not a directory on the controller",
                           "rsync_deploy_opcache_reset_token is missing", "rsync_deploy_marker must be a plain file name",
                           "Nothing was changed")
    # after the probe: two symlinks and a missing PHP in one message
    target = dest + ".target"
    app_host.sh("mkdir -p %s && ln -s %s %s && ln -s %s %s.staging" % (target, target, dest, target, dest))
    try:
        host = deployer.playbook(dict(rsync_deploy_dest=dest, rsync_deploy_src=str(src),
                                      rsync_deploy_php_bin="php-not-installed"))
        host.assert_failed("%s is a symlink (to %s)" % (dest, target), "%s.staging is a symlink" % dest,
                           "php-not-installed is not installed on the host", "realpath", "Nothing was changed",
                           "`rm %s.staging && cp -a %s %s.staging`" % (dest, target, dest))
        assert app_host.sh("ls -A %s" % target).stdout == ""
    finally:
        app_host.sh("rm -rf %s %s.staging %s" % (dest, dest, target))


def test_validate_timestamps_off_needs_a_reset_and_both_modes_work(deployer, app_host, tmp_path):
    app_host.sh("for d in /etc/php/*/apache2/conf.d; do printf 'opcache.enable=1\\nopcache.validate_timestamps=0\\n'"
                " > $d/99-gamestack-test.ini; done && systemctl restart apache2")
    try:
        files = dict(APP_FILES)
        src = write_tree(tmp_path / "build", files)
        deployer.deploy(src, rsync_deploy_dest="/var/www/app").assert_ok()
        assert "version=v1" in app_host.page()
        files["lib/version.php"] = "<?php\nconst APP_VERSION = 'vt-off-1';\n"
        write_tree(src, files)

        refused = deployer.deploy(src, rsync_deploy_dest="/var/www/app", rsync_deploy_opcache_reset="none")
        refused.assert_failed("opcache.validate_timestamps is off")
        assert "version=v1" in app_host.page()

        # what the preflight prevents: an operator who overrides the check gets stale code served
        deployer.deploy(src, rsync_deploy_dest="/var/www/app", rsync_deploy_opcache_reset="none",
                        rsync_deploy_opcache_validate_timestamps=True).assert_ok()
        assert "'vt-off-1'" in app_host.read("/var/www/app/lib/version.php")
        assert "version=v1" in app_host.page()

        files["lib/version.php"] = "<?php\nconst APP_VERSION = 'vt-off-2';\n"
        write_tree(src, files)
        token = "t-" + uuid.uuid4().hex
        reset = deployer.deploy(src, rsync_deploy_dest="/var/www/app", rsync_deploy_opcache_reset="reset",
                                rsync_deploy_opcache_reset_token=token).assert_ok()
        assert "Reset opcache through the web server" in reset.output
        assert "version=vt-off-2" in app_host.page()
        # the reset script answers nobody without the token
        code = app_host.sh("curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1/.gamestack-opcache-reset.php").stdout
        assert code == "404"

        files["lib/version.php"] = "<?php\nconst APP_VERSION = 'vt-off-3';\n"
        write_tree(src, files)
        deployer.deploy(src, rsync_deploy_dest="/var/www/app", rsync_deploy_opcache_reset="reload").assert_ok()
        assert "version=vt-off-3" in app_host.page()
    finally:
        app_host.sh("rm -f /etc/php/*/apache2/conf.d/99-gamestack-test.ini /var/www/app/public/.gamestack-opcache-reset.php"
                    " && systemctl restart apache2")


def test_destination_drift_is_repaired_then_left_alone(deployer, app_host, tmp_path):
    """The destination's owner and mode come back on the next deploy; a clean host skips that step."""
    dest = fresh_dest()
    src = write_tree(tmp_path / "build", APP_FILES)
    deployer.deploy(src, rsync_deploy_dest=dest, rsync_deploy_opcache_reset="none").assert_ok()
    app_host.sh("chmod 700 %s && chown root:root %s" % (dest, dest))
    repaired = deployer.deploy(src, rsync_deploy_dest=dest, rsync_deploy_opcache_reset="none").assert_ok()
    assert repaired.changed >= 1, repaired.output
    assert app_host.sh("stat -c '%%U:%%G %%a' %s" % dest).stdout.strip() == "root:www-data 755"
    again = deployer.deploy(src, rsync_deploy_dest=dest, rsync_deploy_opcache_reset="none").assert_ok()
    assert again.changed == 0, again.output
    # on a host where the destination step would change nothing (and rsync is there), install.yml is
    # not in the run's list of task files at all: not even a skipped task for it
    assert "install.yml" in repaired.output and "install.yml" not in again.output, again.output
    assert "rsync_deploy : Create the destination]" not in again.output
    assert "rsync_deploy : Create the destination]" in repaired.output


def test_no_change_writes_nothing_and_live_drift_is_repaired(deployer, app_host, tmp_path):
    """A push that moves no file into the staging copy, with the live tree holding that copy (the
    probe's local dry-run), ends the deploy: nothing is written, no reload. A file edited on the host
    is a change and comes back from the build; a staging copy that went missing is pushed again
    without touching the live tree, its marker or the previous tree."""
    dest = fresh_dest()
    src = write_tree(tmp_path / "build", APP_FILES)
    deployer.deploy(src, rsync_deploy_dest=dest, rsync_deploy_release="api-test-20260101-1000").assert_ok()
    (src / "lib/version.php").write_text("<?php\nconst APP_VERSION = 'v2';\n")
    deployer.deploy(src, rsync_deploy_dest=dest, rsync_deploy_release="api-test-20260101-1001").assert_ok()
    snapshot = "find %s %s.staging %s.previous -printf '%%p %%i %%T@ %%m\\n' | sort" % (dest, dest, dest)
    before, reloads = app_host.sh(snapshot).stdout, graceful_restarts(app_host)
    same = deployer.deploy(src, rsync_deploy_dest=dest).assert_ok()
    assert same.changed == 0, same.output
    assert app_host.sh(snapshot).stdout == before, "a no-change run wrote on the host"
    assert graceful_restarts(app_host) == reloads, "a no-change run reloaded the web server"
    # the same tree under a release name given explicitly: only the marker changes
    renamed = deployer.deploy(src, rsync_deploy_dest=dest, rsync_deploy_release="api-test-20260101-1002").assert_ok()
    assert renamed.changed == 1, renamed.output
    assert app_host.read(dest + "/.release").strip() == "api-test-20260101-1002"
    assert app_host.read(dest + ".previous/.release").strip() == "api-test-20260101-1000"
    assert graceful_restarts(app_host) == reloads
    again = deployer.deploy(src, rsync_deploy_dest=dest, rsync_deploy_release="api-test-20260101-1002").assert_ok()
    assert again.changed == 0, again.output

    app_host.sh("echo '<?php // edited on the host' > %s/lib/util.php" % dest)
    repaired = deployer.deploy(src, extra_args=["--diff"], rsync_deploy_dest=dest).assert_ok()
    assert repaired.changed >= 1, repaired.output
    assert "lib/util.php" in repaired.output
    assert app_host.tree(dest) == local_tree(src)

    live = "find %s %s.previous -printf '%%p %%i %%T@ %%m\\n' | sort" % (dest, dest)
    before = app_host.sh(live).stdout
    app_host.sh("rm -rf %s.staging" % dest)
    rebuilt = deployer.deploy(src, rsync_deploy_dest=dest).assert_ok()
    assert rebuilt.changed == 1, rebuilt.output  # the staging copy, pushed again
    assert app_host.tree(dest + ".staging") == local_tree(src)
    assert app_host.sh(live).stdout == before, "pushing the staging copy again changed the live or previous tree"


def test_interrupted_deploy_with_every_file_in_place_is_finished(deployer, app_host, tmp_path):
    """A deploy killed after its last rename but before the marker: the tree equals the build, yet the
    rerun still writes the marker, clears the in-flight mark and reloads (PHP may hold old code)."""
    dest = fresh_dest()
    src = write_tree(tmp_path / "build", APP_FILES)
    deployer.deploy(src, rsync_deploy_dest=dest, rsync_deploy_release="api-test-20260101-1000").assert_ok()
    app_host.sh("echo api-test-20260101-1001 > %s.deploying" % dest)
    reloads = graceful_restarts(app_host)
    finished = deployer.deploy(src, rsync_deploy_dest=dest, rsync_deploy_release="api-test-20260101-1001").assert_ok()
    assert finished.changed >= 1, finished.output
    assert graceful_restarts(app_host) == reloads + 1, finished.output
    assert app_host.sh("test -e %s.deploying" % dest, check=False).returncode != 0
    assert app_host.read(dest + "/.release").strip() == "api-test-20260101-1001"
    again = deployer.deploy(src, rsync_deploy_dest=dest, rsync_deploy_release="api-test-20260101-1001").assert_ok()
    assert again.changed == 0, again.output


def test_failed_reload_is_named_and_the_rerun_reloads(deployer, app_host, tmp_path):
    """The build is in place but the graceful reload fails (a broken Apache config): the deploy fails
    with a message that says so and keeps its in-flight mark; once the config is fixed, a rerun with
    no file to change still reloads, and PHP serves the new code."""
    src = write_tree(tmp_path / "build", APP_FILES)
    deployer.deploy(src, rsync_deploy_dest="/var/www/app").assert_ok()
    (src / "lib/version.php").write_text("<?php\nconst APP_VERSION = 'v-after-reload';\n")
    app_host.sh("echo 'NoSuchDirective on' > /etc/apache2/conf-enabled/zz-gamestack-broken.conf")
    try:
        failed = deployer.deploy(src, rsync_deploy_dest="/var/www/app")
        failed.assert_failed("the build is in /var/www/app (release marker written), but reloading apache2 failed",
                             "Fix the web server and deploy again")
        assert app_host.sh("test -e /var/www/app.deploying", check=False).returncode == 0
        assert "v-after-reload" in app_host.read("/var/www/app/lib/version.php")
    finally:
        app_host.sh("rm -f /etc/apache2/conf-enabled/zz-gamestack-broken.conf")
    reloads = graceful_restarts(app_host)
    fixed = deployer.deploy(src, rsync_deploy_dest="/var/www/app").assert_ok()
    assert fixed.changed >= 1, fixed.output
    assert graceful_restarts(app_host) == reloads + 1, fixed.output
    assert app_host.sh("test -e /var/www/app.deploying", check=False).returncode != 0
    assert "version=v-after-reload" in app_host.page()


@pytest.mark.parametrize("dest, resolved, why", [
    ("/var/.", "/var", "is a directory directly below / (/var)"),
    ("//var/www", "/var/www", "is /var/www itself"),
    ("/var/www/.", "/var/www", "is /var/www itself"),
    ("/etc/./", "/etc", "is a directory directly below / (/etc)"),
    ("/var/lib", "/var/lib", "is /var/lib or inside it (/var/lib)"),
    ("/usr/local/.", "/usr/local", "is /usr or inside it (/usr/local)"),
    ("/opt/./", "/opt", "is a directory directly below / (/opt)"),
    ("/var/log/", "/var/log", "is /var/log or inside it (/var/log)"),
    ("/boot", "/boot", "is a directory directly below / (/boot)"),
    ("/root", "/root", "is a directory directly below / (/root)"),
    ("/srv/deploy-%s/app/" % uuid.uuid4().hex[:8], "/var/www/app", "is a symlink (to /var/www/app)"),
], ids=lambda value: value if not value.startswith("/srv/deploy-") else "symlink-to-var-www-app")
def test_a_destination_that_could_hurt_is_refused_with_nothing_changed(deployer, app_host, tmp_path, dest, resolved, why):
    """Normalised, then resolved on the host (files/check-dest.sh) before anything there changes."""
    if dest.startswith("/srv/deploy-"):
        app_host.sh("mkdir -p %s && ln -s /var/www/app %s" % (dest.rstrip("/").rsplit("/", 1)[0], dest.rstrip("/")))
    app_host.sh("echo keep > /var/lib/gamestack-keep && mkdir -p /var/www/other && echo site > /var/www/other/index.html")

    def state():
        return app_host.sh(
            "for d in %(r)s %(r)s.staging %(r)s.previous %(r)s.deploying %(d)s.staging %(d)s.previous; do"
            " ls -la --time-style=full-iso \"$d\" 2>&1; done; cat /var/lib/gamestack-keep /var/www/other/index.html"
            % {"r": resolved, "d": dest.rstrip("/") or "/"}).stdout

    before = state()
    src = write_tree(tmp_path / "build", APP_FILES)
    result = deployer.deploy(src, rsync_deploy_dest=dest, rsync_deploy_opcache_reset="none")
    result.assert_failed(why, "Nothing was changed")
    assert dest.rstrip("/") in result.output
    assert state() == before


def test_a_change_with_the_same_size_and_mtime_is_deployed(deployer, app_host, tmp_path):
    """As builds with fixed timestamps (SOURCE_DATE_EPOCH, npm pack) produce: rsync's quick check would miss it."""
    dest = fresh_dest()
    common = dict(rsync_deploy_dest=dest, rsync_deploy_opcache_reset="none")
    files = dict(APP_FILES, **{"lib/version.php": "<?php\nconst APP_VERSION = 'aaaa';\n"})
    src = write_tree(tmp_path / "build", files)
    stamp = 1767225600  # 2026-01-01 00:00:00 UTC, every file
    for path in src.rglob("*"):
        os.utime(path, (stamp, stamp))
    deployer.deploy(src, **common).assert_ok()
    version = src / "lib" / "version.php"
    version.write_text("<?php\nconst APP_VERSION = 'bbbb';\n")
    os.utime(version, (stamp, stamp))
    deployer.deploy(src, extra_args=["--diff"], **common).assert_ok()
    assert app_host.read(dest + "/lib/version.php") == "<?php\nconst APP_VERSION = 'bbbb';\n"
    assert app_host.tree(dest) == local_tree(src)


PLAIN_PLAY = """---
- name: Another team's play
  hosts: all
  gather_facts: false
  roles:
    - role: gamestack.aws.rsync_deploy
"""


def test_a_static_inventory_and_no_facts_need_only_app_and_env(app_host, tmp_path):
    """No `naming` from the inventory plugin, gather_facts: false: the role names what to set, then works."""
    plain = Deployer(app_host, tmp_path)
    # a name of its own: no facts cached for it by an earlier run
    plain.inventory.write_text(json.dumps({"all": {"hosts": {"plain-%s" % uuid.uuid4().hex[:8]: {
        "ansible_connection": "community.docker.docker", "ansible_host": app_host.name, "ansible_user": "root"}}}}))
    play = tmp_path / "play.yml"
    play.write_text(PLAIN_PLAY)
    dest = fresh_dest()
    src = write_tree(tmp_path / "build", APP_FILES)
    common = dict(rsync_deploy_dest=dest, rsync_deploy_src=str(src), rsync_deploy_opcache_reset="none")
    refused = plain.playbook(common, playbook=str(play))
    refused.assert_failed("set rsync_deploy_app and rsync_deploy_env", "or rsync_deploy_release", "Nothing was changed")
    assert "format_name" not in refused.output
    assert app_host.sh("test -e %s" % dest, check=False).returncode != 0

    plain.playbook(dict(common, rsync_deploy_app="api", rsync_deploy_env="test"), playbook=str(play)).assert_ok()
    assert app_host.tree(dest) == local_tree(src)
    assert RELEASE.match(app_host.read(dest + "/.release").strip())


def test_hooks_run_around_the_activation_and_a_failing_one_stops_it(deployer, app_host, tmp_path):
    """rsync_deploy_before_activate_tasks runs after the push with the live tree still on the old
    release, rsync_deploy_after_activate_tasks once the new one is live; neither runs when the deploy
    changes nothing, and a failing before-hook stops the deploy with the live tree untouched."""
    dest = fresh_dest()
    common = dict(rsync_deploy_dest=dest, rsync_deploy_opcache_reset="none")
    files = dict(APP_FILES)
    src = write_tree(tmp_path / "build", files)
    deployer.deploy(src, **common).assert_ok()
    hooks = {}
    for when in ("before", "after"):
        hooks[when] = tmp_path / ("%s.yml" % when)
        hooks[when].write_text(
            "- name: Note what the live tree serves (%s)\n"
            "  ansible.builtin.command: cp %s/lib/version.php %s.hook-%s\n"
            "  changed_when: true\n" % (when, dest, dest, when))
    with_hooks = dict(common, rsync_deploy_before_activate_tasks=str(hooks["before"]),
                      rsync_deploy_after_activate_tasks=str(hooks["after"]))
    files["lib/version.php"] = "<?php\nconst APP_VERSION = 'v-hooked';\n"
    write_tree(src, files)
    deployer.deploy(src, **with_hooks).assert_ok()
    assert app_host.read(dest + ".hook-before") == APP_FILES["lib/version.php"]
    assert app_host.read(dest + ".hook-after") == files["lib/version.php"]

    app_host.sh("rm %s.hook-before %s.hook-after" % (dest, dest))
    assert deployer.deploy(src, **with_hooks).assert_ok().changed == 0
    assert app_host.sh("ls %s.hook-*" % dest, check=False).returncode != 0

    failing = tmp_path / "failing.yml"
    failing.write_text("- name: Refuse\n  ansible.builtin.fail:\n    msg: the before-activate hook says no\n")
    before = app_host.tree(dest)
    marker = app_host.read(dest + "/.release")
    files["lib/version.php"] = "<?php\nconst APP_VERSION = 'v-refused';\n"
    write_tree(src, files)
    deployer.deploy(src, **dict(with_hooks, rsync_deploy_before_activate_tasks=str(failing))).assert_failed(
        "the before-activate hook says no")
    assert app_host.tree(dest) == before and app_host.read(dest + "/.release") == marker
    assert app_host.sh("ls %s.hook-* %s.deploying" % (dest, dest), check=False).returncode != 0


def test_names_with_a_newline_a_leading_dash_or_shell_syntax_are_ordinary_files(deployer, app_host, tmp_path):
    dest = fresh_dest()
    common = dict(rsync_deploy_dest=dest, rsync_deploy_opcache_reset="none")
    odd = {"lib/new\nline.php": "<?php\nconst NEWLINE = 1;\n", "-dash.php": "<?php\nconst DASH = 1;\n",
           "lib/$(touch pwned).php": "<?php\nconst SHELL = 1;\n"}
    files = dict(APP_FILES, **odd)
    src = write_tree(tmp_path / "build", files)
    deployer.deploy(src, **common).assert_ok()
    for name, body in odd.items():
        assert app_host.read("%s/%s" % (dest, name)) == body
    assert app_host.sh("ls / /root %s | grep -x pwned" % dest, check=False).returncode != 0

    files["-dash.php"] = "<?php\nconst DASH = ;\n"
    write_tree(src, files)
    deployer.deploy(src, **common).assert_failed("PHP syntax error in 1 changed file(s)", "-dash.php")
    assert app_host.read(dest + "/-dash.php") == odd["-dash.php"]
