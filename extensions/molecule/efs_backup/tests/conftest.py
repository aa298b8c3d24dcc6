"""Helpers of the efs_backup verify step: run the real service in the container, read its journal.

The converge (../converge.yml) set: name assets-production, source /mnt/efs (a tmpfs standing in for
the EFS mount), dest /var/backups/efs, days 7, keep 3, min free 16 MiB. Tests change settings for one
run through a systemd drop-in (Environment= overrides the script's baked-in values), the way an
operator would, and the ``efs`` fixture puts everything back afterwards.
"""

from __future__ import annotations

import json
import re
import shlex
import time

import pytest

SERVICE = "gamestack-efs-backup.service"
DROPIN_DIR = "/etc/systemd/system/gamestack-efs-backup.service.d"
DROPIN = DROPIN_DIR + "/zz-test.conf"
SOURCE = "/mnt/efs"
DEST = "/var/backups/efs"
NAME = "assets-production"
KEEP = 3
ARCHIVE_RE = re.compile(r"^assets-production-(\d{8}-\d{4})\.tar\.gz$")

# Files the backup must take (changed within the last 7 days) and must leave (older).
RECENT = {
    "top.txt": "now",
    "a dir/sub/new file.txt": "now",
    "a dir/sub/empty": "now",
    "unicode-\u00e9t\u00e9.txt": "now",
    "line\nbreak.txt": "now",
    "old dir/fresh.txt": "now",  # a fresh file in an old directory still counts
    "six-days.txt": "6 days ago",
    "blob.bin": "now",  # random bytes, incompressible
}
OLD = {
    "old dir/ancient.txt": "10 days ago",
    "eight-days.txt": "8 days ago",
    "stale/deep/x.log": "30 days ago",
}
RECENT_LINK = "link-to-dir"  # a symlink made now, pointing at "a dir"

# Runs inside the container: {relative path: sha256 or "-> target"} of a tree, optionally
# limited to files changed in the last N days, plus modes.
TREE_PY = r"""
import hashlib, json, os, sys, time
root = sys.argv[1]
days = float(sys.argv[2]) if len(sys.argv) > 2 else None
out = {}
for dirpath, dirnames, filenames in os.walk(root):
    for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
        path = os.path.join(dirpath, name)
        rel = os.path.relpath(path, root)
        if rel.startswith(".gamestack-efs-backup."):
            continue  # the lock and last-run files of the backup, never archived
        st = os.lstat(path)
        if days is not None and time.time() - st.st_mtime >= days * 86400:
            continue
        if os.path.islink(path):
            out[rel] = {"link": os.readlink(path)}
        else:
            with open(path, "rb") as handle:
                out[rel] = {"sha256": hashlib.sha256(handle.read()).hexdigest(), "mode": oct(st.st_mode & 0o7777)}
print(json.dumps(out, sort_keys=True))
"""

# Runs inside the container: the member names of an archive (tarfile reads the real file).
MEMBERS_PY = r"""
import json, sys, tarfile
with tarfile.open(sys.argv[1]) as archive:
    print(json.dumps(sorted(m.name for m in archive.getmembers())))
"""


def sh(host, script, check=True):
    """Run a bash script in the container; with check, fail the test on a non-zero exit."""
    result = host.run("bash -euo pipefail -c %s" % shlex.quote(script))
    if check and result.rc != 0:
        raise AssertionError("script failed (rc=%s):\n%s\nstdout:\n%s\nstderr:\n%s"
                             % (result.rc, script, result.stdout, result.stderr))
    return result


def py(host, source, *args):
    """Run a Python snippet in the container and decode its JSON output."""
    result = sh(host, "python3 -c %s %s" % (shlex.quote(source), " ".join(shlex.quote(a) for a in args)))
    return json.loads(result.stdout)


def tree(host, root, days=None):
    return py(host, TREE_PY, root, *([str(days)] if days is not None else []))


def members(host, archive):
    return py(host, MEMBERS_PY, archive)


def archives(host, directory=DEST):
    """Every entry of the backup directory (hidden ones too), sorted."""
    return sorted(sh(host, "ls -A1 %s" % shlex.quote(directory)).stdout.split("\n")[:-1])


def good_archives(host, directory=DEST):
    return [name for name in archives(host, directory) if ARCHIVE_RE.match(name)]


class Run:
    """One `systemctl start` of the backup service: exit, unit state, main exit status, journal."""

    def __init__(self, rc, state, status, journal):
        self.rc = rc
        self.state = state
        self.status = status
        self.journal = journal

    def lines(self, marker):
        return [line for line in self.journal if marker in line]

    def __repr__(self):
        return "Run(rc=%s, state=%s, status=%s, journal=%r)" % (self.rc, self.state, self.status, self.journal)


def start_backup(host, environment=None, service_lines=()):
    """Start the service (after an optional drop-in) and collect what it wrote to the journal."""
    settings = ["[Service]"] + list(service_lines)
    if environment:
        settings.append("Environment=" + " ".join("%s=%s" % item for item in environment.items()))
    if len(settings) > 1:
        write = "mkdir -p %s && printf '%%s\\n' %s > %s" % (
            DROPIN_DIR, " ".join(shlex.quote(s) for s in settings), DROPIN)
    else:
        write = "rm -f %s" % DROPIN
    cursor = sh(host, "%s; systemctl daemon-reload; systemctl reset-failed %s || true; "
                      "journalctl -n 0 --show-cursor -q | sed -n 's/^-- cursor: //p'" % (write, SERVICE)).stdout.strip()
    started = host.run("systemctl start %s" % SERVICE)
    state = host.run("systemctl is-failed %s" % SERVICE).stdout.strip()
    status = int(host.run("systemctl show -p ExecMainStatus --value %s" % SERVICE).stdout.strip() or -1)
    # The journal may lag the unit state by a moment: wait for the script's own verdict line.
    journal = []
    for _attempt in range(50):
        out = host.run("journalctl -u %s -o cat --no-pager --after-cursor %s"
                       % (SERVICE, shlex.quote(cursor))).stdout
        journal = [line for line in out.splitlines() if line.strip()]
        if any(line.startswith(("OK:", "FAILED:")) for line in journal):
            break
        time.sleep(0.2)
    return Run(started.rc, state, status, journal)


def make_tree(host):
    """(Re)fill /mnt/efs with RECENT and OLD files; return nothing (read it back with tree())."""
    script = ["find %s -mindepth 1 -delete" % SOURCE]
    for rel, when in list(RECENT.items()) + list(OLD.items()):
        path = shlex.quote(SOURCE + "/" + rel)
        script.append("mkdir -p \"$(dirname %s)\"" % path)
        if rel == "blob.bin":
            script.append("head -c 200000 /dev/urandom > %s" % path)
        elif not rel.endswith("empty"):
            script.append("printf '%%s\\n' %s > %s" % (shlex.quote("content of " + rel), path))
        else:
            script.append(": > %s" % path)
        script.append("touch -d %s %s" % (shlex.quote(when), path))
    script.append("chmod 0640 %s" % shlex.quote(SOURCE + "/top.txt"))
    script.append("ln -s 'a dir' %s" % shlex.quote(SOURCE + "/" + RECENT_LINK))
    # Directories themselves are old: only files are selected.
    script.append("find %s -mindepth 1 -type d -exec touch -d '20 days ago' {} +" % SOURCE)
    sh(host, "\n".join(script))


@pytest.fixture
def efs(host):
    """A clean state: the mount back, a fresh tree, an empty backup directory, no drop-in."""
    restore = ("rm -f %(dropin)s; systemctl daemon-reload; systemctl reset-failed %(svc)s || true; "
               "if mountpoint -q /srv/full; then umount /srv/full; fi; "
               "mountpoint -q %(src)s || mount %(src)s; chown root:root %(src)s; chmod 0755 %(src)s; "
               "find %(dest)s -mindepth 1 -delete"
               % {"dropin": DROPIN, "svc": SERVICE, "src": SOURCE, "dest": DEST})
    sh(host, restore)
    make_tree(host)
    yield host
    sh(host, "chmod -R u+rwX %s 2>/dev/null || true; %s" % (SOURCE, restore))


def expected_recent_paths():
    return sorted(["./" + rel for rel in RECENT] + ["./" + RECENT_LINK])
