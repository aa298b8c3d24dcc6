"""An rsync killed mid-transfer, then a rerun: the live tree ends identical to the source and
Apache serves it. Both hops are interrupted: controller -> staging (the live tree is untouched) and
staging -> live tree (the live tree is mixed until the rerun; the previous tree stays the last good one).
"""

from __future__ import annotations

import os
import re
import time

from .conftest import APP_FILES, local_tree, write_tree

# Slows every rsync of the deploy so that the kill lands mid-transfer (KiB/s).
SLOW = ["--bwlimit=4000"]


def big_tree(root, version: str, files=120, size=128 * 1024):
    content = dict(APP_FILES)
    content["lib/version.php"] = "<?php\nconst APP_VERSION = '%s';\n" % version
    tree = write_tree(root, content)
    for i in range(files):
        path = tree / "assets" / ("%03d" % (i % 10)) / ("blob-%04d.bin" % i)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(version.encode() + os.urandom(size))
    return tree


def kill_rsync_when(app_host, match, proc, timeout=120) -> str:
    """Wait for an rsync in the container whose command line contains `match` (a string, or a
    function of the command line), SIGKILL it (by pid)."""
    wanted = match if callable(match) else (lambda line: match in line)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError("the deploy ended before rsync could be killed")
        found = app_host.sh("pgrep -f -a '^rsync ' || true").stdout
        pids = [line.split()[0] for line in found.splitlines() if wanted(line)]
        if pids:
            time.sleep(1.5)  # let it get some files across
            app_host.sh("kill -KILL %s" % " ".join(pids), check=False)
            return found
        time.sleep(0.2)
    raise AssertionError("no rsync matching %r appeared" % match)


def receiving_end_of_a_real_transfer(line: str) -> bool:
    """The host side of controller -> staging, not of the dry-run against the live tree before it: with
    --protect-args the remote command line is only `rsync --server -<flags>`, and a dry-run's flags
    hold an `n` before the `e` that starts the capability letters."""
    server = re.search(r"rsync --server -(\S+)", line)
    return server is not None and "n" not in server.group(1).split("e", 1)[0]


def assert_converged(app_host, src, version):
    assert app_host.tree("/var/www/app") == local_tree(src)
    leftovers = app_host.sh("find /var/www/app -name '.~tmp~' -o -name '.*.??????' | head").stdout
    assert leftovers == ""
    assert app_host.sh("test -e /var/www/app.deploying", check=False).returncode != 0
    assert "version=%s" % version in app_host.page()
    assert app_host.sh("systemctl is-active apache2").stdout.strip() == "active"


def test_killed_transfer_to_staging_then_rerun(deployer, app_host, tmp_path):
    deployer.deploy(write_tree(tmp_path / "v0", APP_FILES), rsync_deploy_dest="/var/www/app").assert_ok()
    before = app_host.tree("/var/www/app")
    src = big_tree(tmp_path / "build", "killed-staging")
    log = tmp_path / "deploy.log"
    proc = deployer.popen({"rsync_deploy_src": str(src), "rsync_deploy_dest": "/var/www/app",
                           "rsync_deploy_rsync_opts": SLOW}, log)
    try:
        kill_rsync_when(app_host, receiving_end_of_a_real_transfer, proc)
        assert proc.wait(timeout=300) != 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert app_host.tree("/var/www/app") == before  # the live tree was never touched
    deployer.deploy(src, rsync_deploy_dest="/var/www/app").assert_ok()
    assert_converged(app_host, src, "killed-staging")


def test_killed_sync_into_live_tree_then_rerun(deployer, app_host, tmp_path):
    v1 = big_tree(tmp_path / "v1", "live-v1", files=40)
    deployer.deploy(v1, rsync_deploy_dest="/var/www/app", rsync_deploy_release="api-test-20260101-1000").assert_ok()
    src = big_tree(tmp_path / "build", "live-v2")
    # the slow controller hop is done beforehand, so the kill hits the local staging -> live rsync
    deployer.deploy(src, rsync_deploy_dest="/var/www/app.warm").assert_ok()
    app_host.sh("rsync -a --delete /var/www/app.warm.staging/ /var/www/app.staging/")
    log = tmp_path / "deploy.log"
    proc = deployer.popen({"rsync_deploy_src": str(src), "rsync_deploy_dest": "/var/www/app",
                           "rsync_deploy_release": "api-test-20260101-1001",
                           "rsync_deploy_rsync_opts": SLOW}, log)
    try:
        kill_rsync_when(app_host, "--delay-updates", proc)
        assert proc.wait(timeout=300) != 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert app_host.sh("test -e /var/www/app.deploying").returncode == 0
    deployer.deploy(src, rsync_deploy_dest="/var/www/app", rsync_deploy_release="api-test-20260101-1001").assert_ok()
    assert_converged(app_host, src, "live-v2")
    # the tree kept for rollback is the last complete release, not the half-synced mix
    assert app_host.tree("/var/www/app.previous") == local_tree(v1)
    assert app_host.read("/var/www/app.previous/.release").strip() == "api-test-20260101-1000"
    app_host.sh("rm -rf /var/www/app.warm /var/www/app.warm.staging /var/www/app.warm.previous")
