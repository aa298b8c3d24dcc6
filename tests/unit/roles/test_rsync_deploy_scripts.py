"""Unit tests of roles/rsync_deploy/files/probe.sh and activate.sh, run on the controller against temp dirs.

The role runs both on the host (tasks/preflight.yml, tasks/activate.yml) with the same environment; the container
tests (tests/integration/deploy/) run them through the role. PHP and systemctl are stand-ins on PATH here: a
`php` that fails on files holding SYNTAX ERROR, a `systemctl` that fails while a flag file exists, and for the
full disk an `rsync` that fails the live sync as rsync does when the disk fills up.
"""

from __future__ import annotations

import grp
import os
import pathlib
import pwd
import shutil
import subprocess

import pytest

FILES = pathlib.Path(__file__).resolve().parents[3] / "roles" / "rsync_deploy" / "files"
OPTS = ["--omit-dir-times", "--chmod=D0755,F0644", "--checksum", "--filter=P_/.release"]
OWNERSHIP = "%s:%s" % (pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name)

pytestmark = pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed on the controller")


def write(root: pathlib.Path, files: dict) -> pathlib.Path:
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    return root


def tree(root: pathlib.Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


class Host:
    """A destination and its neighbours under tmp_path, and the stand-in commands on PATH."""

    def __init__(self, tmp_path: pathlib.Path):
        self.root = tmp_path
        self.dest = tmp_path / "srv" / "app"
        self.staging = pathlib.Path(str(self.dest) + ".staging")
        self.previous = pathlib.Path(str(self.dest) + ".previous")
        self.inflight = pathlib.Path(str(self.dest) + ".deploying")
        self.bin = tmp_path / "bin"
        self.bin.mkdir()
        self.reload_fails = tmp_path / "reload-fails"
        self.tool("php", '[ "$1" = -l ] || exit 2\n'
                         'if grep -q "SYNTAX ERROR" -- "$2"; then echo "PHP Parse error: syntax error in $2"; exit 255; fi\n'
                         'echo "No syntax errors detected in $2"\n')
        self.tool("systemctl", 'echo "$@" >> %s/reloads\n'
                               'if [ -e %s ]; then echo "Job for $2.service failed." >&2; exit 1; fi\n'
                               % (tmp_path, self.reload_fails))

    def tool(self, name: str, body: str):
        path = self.bin / name
        path.write_text("#!/usr/bin/env bash\n" + body)
        path.chmod(0o755)

    def env(self, **settings) -> dict:
        env = dict(os.environ, PATH="%s:%s" % (self.bin, os.environ["PATH"]), LC_ALL="C.UTF-8")
        env.update(DEST=str(self.dest), STAGING=str(self.staging), PREVIOUS=str(self.previous),
                   INFLIGHT=str(self.inflight), MARKER=".release", OWNERSHIP=OWNERSHIP)
        env.update({k: str(v) for k, v in settings.items()})
        return env

    def probe(self, **settings) -> dict:
        import json

        values = dict(DEST_SETTING=str(self.dest), PHP="php", PHP_INI_FILES=str(self.root / "php" / "*.ini"),
                      ROLLBACK="no", PHP_LINT="yes", CHECK_MODE="no", OPCACHE_RESET="reload",
                      VALIDATE_TIMESTAMPS="auto",
                      # tmp_path is under /tmp, which check-dest.sh refuses: a stand-in that accepts every
                      # destination as it is given (empty: the real check-dest.sh next to probe.sh)
                      CHECK_DEST='printf "%s\\n" "${1%/}"')
        values.update(settings)
        proc = subprocess.run(["bash", str(FILES / "probe.sh"), *OPTS], env=self.env(**values),
                              capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc
        return json.loads(proc.stdout.splitlines()[-1])

    def push(self, files: dict) -> list[str]:
        """The build into the staging copy, as the role's push does; its list of changes."""
        src = write(self.root / "build", files)
        for path in src.rglob("*"):
            if path.is_file() and path.relative_to(src).as_posix() not in files:
                path.unlink()
        self.staging.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(["rsync", "--archive", "--delete", "--8-bit-output", "--out-format=%i %n%L", *OPTS,
                               "%s/" % src, "%s/" % self.staging], capture_output=True, text=True, check=True)
        return proc.stdout.splitlines()

    def activate(self, release="api-test-20260101-0001", changes=None, **settings) -> subprocess.CompletedProcess:
        values = dict(RELEASE=release, RELEASE_EXPLICIT="no", PHP_LINT="yes", PHP="php", LINT_SUFFIXES=".php\n.phtml",
                      SERVICE="apache2")
        values.update(settings)
        if changes is not None:
            values["CHANGES"] = "\n".join(changes)
        return subprocess.run(["bash", str(FILES / "activate.sh"), *OPTS], env=self.env(**values),
                              capture_output=True, text=True, check=False)

    def deploy(self, files: dict, release="api-test-20260101-0001", **settings) -> subprocess.CompletedProcess:
        self.push(files)
        return self.activate(release, **settings)

    def details(self, proc) -> list[str]:
        return [line[len("gamestack-detail:"):] for line in proc.stdout.splitlines() if line.startswith("gamestack-detail:")]

    def reloads(self) -> int:
        path = self.root / "reloads"
        return len(path.read_text().splitlines()) if path.exists() else 0


V1 = {"index.php": "<?php echo 'v1';\n", "lib/util.php": "<?php function util() { return 1; }\n", "style.css": "p {}\n"}
V2 = dict(V1, **{"lib/util.php": "<?php function util() { return 2; }\n", "new.php": "<?php\n"})


@pytest.fixture
def host(tmp_path):
    h = Host(tmp_path)
    h.dest.mkdir(parents=True)
    return h


# activate.sh


def test_first_then_second_activation_keeps_the_previous_tree_as_hard_links(host):
    first = host.deploy(V1, release="api-test-20260101-0001")
    assert first.returncode == 0, first
    assert "gamestack-deploy:deployed" in first.stdout and "gamestack-change:>f" in first.stdout
    assert tree(host.dest) == dict(V1, **{".release": "api-test-20260101-0001\n"})
    assert not host.previous.exists()  # no marker yet: nothing to keep
    assert not host.inflight.exists() and host.reloads() == 1

    second = host.deploy(V2, release="api-test-20260101-0002")
    assert second.returncode == 0, second
    assert tree(host.dest) == dict(V2, **{".release": "api-test-20260101-0002\n"})
    assert tree(host.previous) == dict(V1, **{".release": "api-test-20260101-0001\n"})
    assert os.stat(host.dest / "style.css").st_ino == os.stat(host.previous / "style.css").st_ino
    assert not pathlib.Path(str(host.previous) + ".new").exists()
    assert not pathlib.Path(str(host.previous) + ".old").exists()
    assert host.reloads() == 2


def test_no_change_writes_nothing_but_an_explicit_release_name(host):
    host.deploy(V1, release="api-test-20260101-0001")
    again = host.activate(release="api-test-20260101-0002")
    assert again.returncode == 0 and again.stdout.strip() == "gamestack-deploy:unchanged", again
    assert (host.dest / ".release").read_text() == "api-test-20260101-0001\n"
    renamed = host.activate(release="api-test-20260101-0002", RELEASE_EXPLICIT="yes")
    assert renamed.stdout.strip() == "gamestack-deploy:marker", renamed
    assert (host.dest / ".release").read_text() == "api-test-20260101-0002\n"
    assert host.reloads() == 1


def test_a_syntax_error_stops_before_the_live_tree_changes(host):
    host.deploy(V1)
    before = tree(host.dest)
    bad = host.deploy(dict(V2, **{"lib/broken.php": "<?php SYNTAX ERROR\n"}), release="api-test-20260101-0002")
    assert bad.returncode == 65, bad
    assert len(host.details(bad)) == 1 and host.details(bad)[0].startswith("lib/broken.php: PHP Parse error")
    assert tree(host.dest) == before
    assert not host.inflight.exists() and not host.previous.exists() and host.reloads() == 1


@pytest.mark.parametrize("from_push", [False, True], ids=["listed-on-the-host", "listed-by-the-push"])
def test_odd_names_are_linted_and_deployed_as_ordinary_files(host, from_push):
    """A newline, a leading dash, `$()`, a backslash: each name is one file, linted and synced as it is."""
    odd = {"lib/new\nline.php": "<?php\n", "-dash.php": "<?php\n", "$(touch pwned).php": "<?php\n",
           "back\\#012slash.php": "<?php\n", "lib/caf\u00e9 \u20ac.php": "<?php\n"}
    host.deploy(V1)
    changes = host.push(dict(V1, **odd))
    done = host.activate(changes=changes if from_push else None, release="api-test-20260101-0002")
    assert done.returncode == 0, done
    assert tree(host.dest) == dict(V1, **odd, **{".release": "api-test-20260101-0002\n"})
    assert not (host.root / "pwned").exists() and not pathlib.Path("pwned").exists()

    broken = {**V1, **odd, "lib/new\nline.php": "<?php SYNTAX ERROR\n", "-dash.php": "<?php SYNTAX ERROR\n"}
    changes = host.push(broken)
    bad = host.activate(changes=changes if from_push else None, release="api-test-20260101-0003")
    assert bad.returncode == 65, bad
    assert sorted(d.split(": ", 1)[0] for d in host.details(bad)) == ["-dash.php", "lib/new line.php"]
    assert (host.dest / "lib/new\nline.php").read_text() == "<?php\n"


def test_a_full_disk_during_the_live_sync_leaves_the_previous_release_live(host):
    host.deploy(V1)
    before = tree(host.dest)
    real = shutil.which("rsync")
    # The live sync (--delay-updates) fails the way rsync does on a full disk, with a delayed file
    # already in its temp directory; the dry-runs are the real rsync's.
    host.tool("rsync", 'case " $* " in *" --delay-updates "*)\n'
                       '  dest=${!#}; mkdir -p "$dest/lib/.~tmp~" && echo partial > "$dest/lib/.~tmp~/util.php"\n'
                       '  echo "rsync: [receiver] write failed on \\"$dest/lib/util.php\\": No space left on device (28)" >&2\n'
                       '  exit 11 ;;\nesac\nexec %s "$@"\n' % real)
    full = host.deploy(V2, release="api-test-20260101-0002")
    assert full.returncode == 67, full
    assert "No space left on device" in host.details(full)[0]
    assert tree(host.dest) == before
    assert not list(host.dest.rglob(".~tmp~"))
    assert host.inflight.exists() and host.reloads() == 1  # the rerun finishes the deploy

    (host.bin / "rsync").unlink()
    done = host.activate(release="api-test-20260101-0002")
    assert done.returncode == 0 and tree(host.dest) == dict(V2, **{".release": "api-test-20260101-0002\n"}), done
    assert tree(host.previous) == dict(V1, **{".release": "api-test-20260101-0001\n"}) and not host.inflight.exists()


def test_an_interrupted_sync_is_finished_by_the_rerun_and_previous_stays_the_last_release(host):
    host.deploy(V1, release="api-test-20260101-0001")
    host.deploy(V2, release="api-test-20260101-0002")
    # killed in the live sync of release 3, after one file was renamed into place: the live tree is a mix
    v3 = dict(V2, **{"index.php": "<?php echo 'v3';\n", "lib/util.php": "<?php function util() { return 3; }\n"})
    host.tool("rsync", 'case " $* " in *" --delay-updates "*)\n'
                       '  cp "$STAGING/index.php" "$DEST/.index.php.new" && mv "$DEST/.index.php.new" "$DEST/index.php"\n'
                       '  kill -9 $PPID; exit 137 ;;\nesac\nexec %s "$@"\n' % shutil.which("rsync"))
    host.push(v3)
    killed = host.activate(release="api-test-20260101-0003")
    assert killed.returncode == -9 and host.inflight.exists(), killed
    assert (host.dest / "index.php").read_text() == v3["index.php"]
    assert (host.dest / "lib/util.php").read_text() == V2["lib/util.php"]
    (host.bin / "rsync").unlink()
    rerun = host.activate(release="api-test-20260101-0003")
    assert rerun.returncode == 0, rerun
    assert tree(host.dest) == dict(v3, **{".release": "api-test-20260101-0003\n"})
    assert tree(host.previous) == dict(V2, **{".release": "api-test-20260101-0002\n"})
    assert not host.inflight.exists()
    # with every file already in place, the mark alone makes the rerun finish (marker, reload)
    host.inflight.write_text("api-test-20260101-0004\n")
    finished = host.activate(release="api-test-20260101-0004")
    assert finished.returncode == 0 and "gamestack-deploy:deployed" in finished.stdout, finished
    assert (host.dest / ".release").read_text() == "api-test-20260101-0004\n" and not host.inflight.exists()


def test_the_previous_tree_is_a_complete_release_to_roll_back_to(host):
    host.deploy(V1, release="api-test-20260101-0001")
    host.deploy(V2, release="api-test-20260101-0002")
    # what tasks/rollback.yml runs
    subprocess.run(["rsync", "--archive", "--delay-updates", "--delete-after", *OPTS[:3],
                    "%s/" % host.previous, "%s/" % host.dest], check=True)
    assert tree(host.dest) == dict(V1, **{".release": "api-test-20260101-0001\n"})


def test_a_failed_reload_keeps_the_mark_and_the_rerun_reloads(host):
    host.deploy(V1)
    host.reload_fails.touch()
    failed = host.deploy(V2, release="api-test-20260101-0002")
    assert failed.returncode == 66, failed
    assert "Job for apache2.service failed." in host.details(failed)[0]
    assert host.inflight.exists() and (host.dest / ".release").read_text() == "api-test-20260101-0002\n"
    host.reload_fails.unlink()
    rerun = host.activate(release="api-test-20260101-0002")
    assert rerun.returncode == 0 and not host.inflight.exists() and host.reloads() == 3, rerun


def test_any_other_failure_exits_with_the_hosts_message(host):
    host.deploy(V1)
    host.inflight.mkdir()
    failed = host.deploy(V2, release="api-test-20260101-0002")
    assert failed.returncode == 1 and "Is a directory" in failed.stderr, failed
    assert (host.dest / "lib/util.php").read_text() == V1["lib/util.php"]


# probe.sh


def test_probe_of_a_deployed_host(host):
    host.dest.chmod(0o700)
    fresh = host.probe()
    assert fresh == {"problems": [], "rsync": True, "dest_dir": True, "dest_ready": False, "inflight": False,
                     "marker": "", "live": "unknown"}
    host.deploy(V1, release="api-test-20260101-0001")
    host.dest.chmod(0o755)
    found = host.probe()
    assert found["live"] == "same" and found["marker"] == "api-test-20260101-0001" and found["dest_ready"], found
    (host.dest / "index.php").write_text("edited on the host\n")
    host.inflight.touch()
    found = host.probe()
    assert found["live"] == "differs" and found["inflight"], found


def test_probe_names_every_problem_of_the_host_at_once(host):
    target = host.root / "releases" / "r1"
    target.mkdir(parents=True)
    host.dest.rmdir()
    host.dest.symlink_to(target)
    host.staging.write_text("not a directory\n")
    write(host.root / "php", {"10-opcache.ini": "opcache.validate_timestamps=1\n",
                              "20-prod.ini": "  opcache.validate_timestamps = Off ; production\n"})
    found = host.probe(ROLLBACK="yes", OPCACHE_RESET="none")
    assert found["problems"] == [
        "%s.staging exists but is not a directory." % host.dest,
        "%s is a symlink (to %s): replace it with a real directory, for example `rm %s && cp -a %s %s`. "
        "rsync_deploy writes into a real directory on purpose: PHP opcache keys its cache by realpath, so a symlink "
        "switch leaves PHP serving the old release. Deploy again after that." % (host.dest, target, host.dest, target,
                                                                                 host.dest),
        "rsync_deploy_rollback is true but %s does not exist: there is no previous release to restore (it is kept "
        "by the deploy before the last one)." % host.previous,
        "opcache.validate_timestamps is off on this host, so PHP would keep serving the old code after the sync: "
        "set rsync_deploy_opcache_reset to reload or reset.",
    ]
    assert target.exists() and list(target.iterdir()) == []


@pytest.mark.parametrize("settings, problem", [
    ({"PHP": "php-not-installed"}, "rsync_deploy_php_lint is true but php-not-installed is not installed on the host"),
    ({"VALIDATE_TIMESTAMPS": "false", "OPCACHE_RESET": "none"}, "opcache.validate_timestamps is off on this host"),
    ({"DEST_SETTING": "/var/lib/", "DEST": "/var/lib", "CHECK_DEST": ""},
     'rsync_deploy_dest "/var/lib/" is refused: it is /var/lib or inside it (/var/lib), which belongs to the system.'),
])
def test_probe_problem(host, settings, problem):
    found = host.probe(**settings)
    assert len(found["problems"]) == 1 and found["problems"][0].startswith(problem), found


def test_probe_no_problem_when_the_setting_allows_it(host):
    assert host.probe(PHP="php-not-installed", PHP_LINT="no")["problems"] == []
    assert host.probe(PHP="php-not-installed", CHECK_MODE="yes")["problems"] == []
    assert host.probe(VALIDATE_TIMESTAMPS="true", OPCACHE_RESET="none")["problems"] == []
    assert host.probe(VALIDATE_TIMESTAMPS="false", OPCACHE_RESET="reset")["problems"] == []


def test_probe_refuses_a_destination_the_host_resolves_elsewhere(host):
    found = host.probe(DEST_SETTING=str(host.dest) + "/", DEST=str(host.dest) + "-other")
    assert found["problems"] == ['rsync_deploy_dest "%s/" is refused: it resolves to %s.' % (host.dest, host.dest)]
    assert found["live"] == "unknown"


def test_probe_output_is_json_for_any_marker(host):
    (host.dest / ".release").write_text('say "hi"\\ \t\x01 caf\u00e9\n')
    assert host.probe()["marker"] == 'say "hi"\\ \t caf\u00e9'
