"""gamestack.aws.efs_backup on the Debian 12 container: the real service, archives, rotation, restore, failures."""

from __future__ import annotations

import datetime
import pathlib
import shlex
import sys

import pytest
from conftest import (
    DEST,
    KEEP,
    NAME,
    OLD,
    RECENT,
    RECENT_LINK,
    SOURCE,
    archives,
    expected_recent_paths,
    good_archives,
    members,
    sh,
    start_backup,
    tree,
)

RESTORE = "/usr/local/sbin/gamestack-efs-restore"

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "resources"))
import gamestack_verify  # noqa: E402  pylint: disable=wrong-import-position

moto_harness = gamestack_verify.harness("moto")


def assert_succeeded(run):
    assert run.rc == 0, run
    assert run.state != "failed", run
    assert run.status == 0, run
    assert len(run.lines("OK:")) == 1, run


def assert_failed(run, status, reason):
    """Non-zero exit, unit failed, exactly one FAILED line in the journal naming the reason."""
    assert run.rc != 0, run
    assert run.state == "failed", run
    assert run.status == status, run
    failed = run.lines("FAILED:")
    assert len(failed) == 1, run
    assert reason in failed[0], run
    return failed[0]


def seed_archive(host, stamp, mtime=None):
    """An older, complete archive of this name (a copy of a real one), as an earlier run left it."""
    path = "%s/%s-%s.tar.gz" % (DEST, NAME, stamp)
    sh(host, "tar -C %s -czf %s ./top.txt" % (SOURCE, path) + ("; touch -d %s %s" % (shlex.quote(mtime), path) if mtime else ""))
    return path


# --- installation ----------------------------------------------------------------------------

def test_scripts_units_and_timer_installed(host):
    for path in ("/usr/local/sbin/gamestack-efs-backup", RESTORE):
        script = host.file(path)
        assert script.is_file and script.user == "root" and script.mode == 0o750
    assert host.file("/usr/local/libexec/gamestack-efs-restore-move.py").mode == 0o644
    settings = host.file("/etc/gamestack-efs-backup.conf")
    assert settings.user == "root" and settings.mode == 0o640
    assert "EFS_BACKUP_NAME=assets-production\n" in settings.content_string
    assert "EFS_BACKUP_KEEP=3\n" in settings.content_string
    assert host.file(DEST).is_directory and host.file(DEST).mode == 0o700
    sh(host, "systemd-analyze verify /etc/systemd/system/gamestack-efs-backup.service "
             "/etc/systemd/system/gamestack-efs-backup.timer")
    timer = host.service("gamestack-efs-backup.timer")
    assert timer.is_enabled and timer.is_running
    show = sh(host, "systemctl show gamestack-efs-backup.timer -p TimersCalendar -p Persistent "
                    "-p RandomizedDelayUSec -p NextElapseUSecRealtime").stdout
    assert "03:15:00" in show
    assert "Persistent=yes" in show
    assert "RandomizedDelayUSec=10min" in show
    assert "NextElapseUSecRealtime=\n" not in show  # the timer is scheduled


def test_script_stamp_is_the_naming_rule_release_format(host):
    """The archive stamp of the script is naming.RELEASE_FORMAT (YYYYMMDD-hhmm, UTC)."""
    script = host.file("/usr/local/sbin/gamestack-efs-backup").content_string
    assert "STAMP_FORMAT='%Y%m%d-%H%M'" in script
    assert 'date -u "+${STAMP_FORMAT}"' in script


# --- archive contents ------------------------------------------------------------------------

def test_archive_holds_exactly_the_files_changed_in_the_last_days(efs):
    before = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
    run = start_backup(efs)
    assert_succeeded(run)
    made = good_archives(efs)
    assert len(made) == 1, archives(efs)
    assert archives(efs) == made, "no partial or other file may be left next to the archive"
    stamp = datetime.datetime.strptime(made[0][len(NAME) + 1:-len(".tar.gz")], "%Y%m%d-%H%M")
    stamp = stamp.replace(tzinfo=datetime.timezone.utc)
    # The container shares the host's clock: the stamp is the UTC minute of the run.
    assert before - datetime.timedelta(minutes=1) <= stamp <= before + datetime.timedelta(minutes=2)
    names = members(efs, "%s/%s" % (DEST, made[0]))
    assert names == expected_recent_paths()
    for rel in OLD:
        assert "./" + rel not in names
    assert efs.file("%s/%s" % (DEST, made[0])).mode == 0o600
    assert "%d files changed in the last 7 days" % (len(RECENT) + 1) in run.lines("OK:")[0]


# --- rotation --------------------------------------------------------------------------------

def test_rotation_keeps_the_newest_k_archives_of_this_name_only(efs):
    # Stamps decide, not file times: the oldest stamp gets the newest mtime.
    seeded = {
        "20240101-0000": "1 minute ago",
        "20240601-1200": "5 days ago",
        "20241231-2359": "6 days ago",
        "20230101-0000": "7 days ago",
    }
    for stamp, mtime in seeded.items():
        seed_archive(efs, stamp, mtime)
    bystanders = [
        "other-production-20200101-0000.tar.gz",  # another backup name
        "assets-production-latest.tar.gz",  # not the stamp form
        "assets-production-20200101-0000.tar.gz.bak",
        ".assets-production-20200101-0000.tar.gz.partial.abc123",  # a crashed run's leftover
        "notes.txt",
    ]
    sh(efs, "cd %s && touch %s" % (DEST, " ".join(shlex.quote(b) for b in bystanders)))

    run = start_backup(efs)
    assert_succeeded(run)
    kept = good_archives(efs)
    assert len(kept) == KEEP, kept
    new = [name for name in kept if "-2024" not in name and "-2023" not in name]
    assert len(new) == 1, kept
    assert sorted(kept) == sorted(new + [
        "%s-20241231-2359.tar.gz" % NAME,
        "%s-20240601-1200.tar.gz" % NAME,
    ])
    for name in bystanders:
        assert efs.file("%s/%s" % (DEST, name)).exists, name
    assert "2 old archive(s) removed, keeping 3" in run.lines("OK:")[0]

    # A second run in the same minute replaces that minute's archive; still K archives.
    assert_succeeded(start_backup(efs))
    assert len(good_archives(efs)) == KEEP


# --- restore ---------------------------------------------------------------------------------

def test_restore_gives_back_the_same_files(efs):
    assert_succeeded(start_backup(efs))
    original = tree(efs, SOURCE, days=7)
    assert set(original) == set(RECENT) | {RECENT_LINK}
    target = sh(efs, "mktemp -d /tmp/restore.XXXXXX").stdout.strip()
    try:
        out = sh(efs, "%s latest %s" % (RESTORE, target)).stdout
        assert "OK: restored %d files" % (len(RECENT) + 1) in out
        restored = tree(efs, target)
        assert restored == original  # same paths, sha256 checksums, modes and symlink targets
        assert original["top.txt"]["mode"] == "0o640"
        for rel in OLD:
            assert not efs.file("%s/%s" % (target, rel)).exists
    finally:
        sh(efs, "rm -rf %s" % target)


def test_restore_with_force_repairs_the_source_in_place(efs):
    assert_succeeded(start_backup(efs))
    original = tree(efs, SOURCE, days=7)
    archive = "%s/%s" % (DEST, good_archives(efs)[0])
    sh(efs, "echo damaged > %s/top.txt; rm %s" % (SOURCE, shlex.quote(SOURCE + "/a dir/sub/new file.txt")))
    refused = sh(efs, "%s %s %s" % (RESTORE, archive, SOURCE), check=False)
    assert refused.rc == 4 and "is not empty (use --force" in refused.stderr
    assert efs.file(SOURCE + "/top.txt").content_string == "damaged\n"  # nothing written
    sh(efs, "%s --force %s %s" % (RESTORE, good_archives(efs)[0], SOURCE))  # a bare name is looked up in DEST
    assert tree(efs, SOURCE, days=7) == original


def test_forced_restore_never_follows_a_symlink_planted_in_the_target(efs):
    """uploads -> /srv/outside in the live tree: the archive's uploads/... must not land outside."""
    sh(efs, "mkdir -p %s/uploads/cron.d && echo job > %s/uploads/cron.d/job" % (SOURCE, SOURCE))
    assert_succeeded(start_backup(efs))
    sh(efs, "rm -rf %s/uploads /srv/outside && mkdir /srv/outside && ln -s /srv/outside %s/uploads" % (SOURCE, SOURCE))
    result = sh(efs, "%s --force latest %s" % (RESTORE, SOURCE), check=False)
    assert result.rc == 6, (result.rc, result.stdout, result.stderr)
    assert "uploads: the target has a symlink where the archive has a directory" in result.stderr
    assert sh(efs, "find /srv/outside -mindepth 1").stdout == "", "a restored file landed outside the target"
    assert sh(efs, "ls -A %s | grep -c gamestack-efs-restore || true" % SOURCE).stdout.strip() == "0"
    sh(efs, "rm -rf /srv/outside")


def test_backup_with_hard_links_restores(efs):
    sh(efs, "ln %s/top.txt %s/top-again.txt" % (SOURCE, SOURCE))
    assert_succeeded(start_backup(efs))
    target = sh(efs, "mktemp -d /tmp/restore.XXXXXX").stdout.strip()
    try:
        out = sh(efs, "%s latest %s" % (RESTORE, target)).stdout
        assert "OK: restored %d files" % (len(RECENT) + 2) in out
        inodes = sh(efs, "stat -c %%i %s/top.txt %s/top-again.txt" % (target, target)).stdout.split()
        assert inodes[0] == inodes[1]
        assert tree(efs, target) == tree(efs, SOURCE, days=7)
    finally:
        sh(efs, "rm -rf %s" % target)


@pytest.mark.parametrize(
    "case, status, reason",
    [
        ("missing", 3, "does not exist"),
        ("truncated", 3, "is damaged or not a tar.gz"),
        ("not-gzip", 3, "is damaged or not a tar.gz"),
        ("dotdot", 3, "unsafe member path ./../escaped"),
        ("absolute", 3, "unsafe member path /tmp/absolute"),
        ("device", 3, "unsupported member type"),
        ("no-target", 4, "target /tmp/nowhere does not exist"),
        ("usage", 2, "usage:"),
    ],
)
def test_restore_refuses_bad_input_without_writing(efs, case, status, reason):
    assert_succeeded(start_backup(efs))
    good = "%s/%s" % (DEST, good_archives(efs)[0])
    sh(efs, "rm -rf /tmp/rt && mkdir /tmp/rt")
    evil = (
        "import io, sys, tarfile\n"
        "with tarfile.open(sys.argv[1], 'w:gz', format=tarfile.GNU_FORMAT) as t:\n"
        "    ok = tarfile.TarInfo('./fine.txt'); ok.size = 2; t.addfile(ok, io.BytesIO(b'ok'))\n"
        "    bad = tarfile.TarInfo(sys.argv[2]); bad.type = getattr(tarfile, sys.argv[3])\n"
        "    bad.size = 5 if bad.type == tarfile.REGTYPE else 0\n"
        "    t.addfile(bad, io.BytesIO(b'pwned') if bad.size else None)\n"
    )
    commands = {
        "missing": "%s /tmp/none.tar.gz /tmp/rt" % RESTORE,
        "truncated": "head -c 300 %s > /tmp/t.tar.gz; %s /tmp/t.tar.gz /tmp/rt" % (good, RESTORE),
        "not-gzip": "echo hello > /tmp/t.tar.gz; %s /tmp/t.tar.gz /tmp/rt" % RESTORE,
        "dotdot": "python3 -c %s /tmp/t.tar.gz ./../escaped REGTYPE; %s /tmp/t.tar.gz /tmp/rt"
                  % (shlex.quote(evil), RESTORE),
        "absolute": "python3 -c %s /tmp/t.tar.gz /tmp/absolute REGTYPE; %s /tmp/t.tar.gz /tmp/rt"
                    % (shlex.quote(evil), RESTORE),
        "device": "python3 -c %s /tmp/t.tar.gz ./dev CHRTYPE; %s /tmp/t.tar.gz /tmp/rt" % (shlex.quote(evil), RESTORE),
        "no-target": "%s latest /tmp/nowhere" % RESTORE,
        "usage": "%s latest" % RESTORE,
    }
    result = sh(efs, commands[case], check=False)
    assert result.rc == status, (result.rc, result.stdout, result.stderr)
    assert reason in result.stderr
    assert sh(efs, "ls -A /tmp/rt").stdout == "", "a refused restore wrote files"
    assert not efs.file("/tmp/escaped").exists
    assert not efs.file("/tmp/absolute").exists
    sh(efs, "rm -rf /tmp/rt /tmp/t.tar.gz")


# --- failures: non-zero exit, unit failed, one journal line ------------------------------------

def test_full_disk_is_refused_before_writing(efs):
    sh(efs, "mkdir -p /srv/full && mount -t tmpfs -o size=1m tmpfs /srv/full")
    run = start_backup(efs, {"EFS_BACKUP_DEST": "/srv/full"})
    line = assert_failed(run, 5, "disk full: only 1 MiB free on the destination, at least 16 MiB required")
    assert "/srv/full" in line
    assert archives(efs, "/srv/full") == []


def test_selection_larger_than_the_free_space_is_refused(efs):
    sh(efs, "mkdir -p /srv/full && mount -t tmpfs -o size=1m tmpfs /srv/full; "
            "head -c 3000000 /dev/urandom > %s/big.bin" % SOURCE)
    run = start_backup(efs, {"EFS_BACKUP_DEST": "/srv/full", "EFS_BACKUP_MIN_FREE_MB": "0"})
    assert_failed(run, 5, "changed files need up to 3 MiB, only 1 MiB free")
    assert archives(efs, "/srv/full") == []


def test_disk_filling_up_while_writing_leaves_no_partial_archive(efs):
    """With the size estimate off (compressible data option), ENOSPC from gzip is caught."""
    sh(efs, "mkdir -p /srv/full && mount -t tmpfs -o size=1m tmpfs /srv/full; "
            "head -c 3000000 /dev/urandom > %s/big.bin" % SOURCE)
    run = start_backup(efs, {"EFS_BACKUP_DEST": "/srv/full", "EFS_BACKUP_MIN_FREE_MB": "0",
                             "EFS_BACKUP_CHECK_SELECTION_SIZE": "no"})
    assert_failed(run, 5, "disk full: no space left on the destination while writing the archive")
    assert archives(efs, "/srv/full") == [], "the partial archive must be removed"


def test_missing_destination(efs):
    run = start_backup(efs, {"EFS_BACKUP_DEST": "/srv/backup-volume-not-mounted"})
    assert_failed(run, 4, "destination directory does not exist")
    assert not efs.file("/srv/backup-volume-not-mounted").exists


def test_unmounted_source(efs):
    seed_archive(efs, "20240101-0000")
    sh(efs, "umount %s" % SOURCE)
    run = start_backup(efs)
    assert_failed(run, 3, "source is not a mount point (EFS/NFS not mounted?)")
    assert archives(efs) == ["%s-20240101-0000.tar.gz" % NAME], "a failed run must not touch older archives"


def test_missing_source(efs):
    run = start_backup(efs, {"EFS_BACKUP_SOURCE": "/mnt/efs-gone"})
    assert_failed(run, 3, "source does not exist")
    assert archives(efs) == []


# root_squash on NFS/EFS maps root to nobody: dropping root's DAC override in a drop-in gives the
# same "root cannot read this" behaviour inside the container.
SQUASHED = ["CapabilityBoundingSet=~CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH"]


def test_unreadable_source_directory(efs):
    sh(efs, "chown 1000:1000 %s && chmod 0700 %s" % (SOURCE, SOURCE))
    run = start_backup(efs, service_lines=SQUASHED)
    assert_failed(run, 3, "source is not readable")
    assert archives(efs) == []


def test_unreadable_subdirectory(efs):
    sh(efs, "chmod 0000 %s" % shlex.quote(SOURCE + "/old dir"))
    run = start_backup(efs, service_lines=SQUASHED)
    assert_failed(run, 3, "Permission denied")
    assert archives(efs) == []


def test_unreadable_file(efs):
    sh(efs, "chmod 0000 %s/top.txt" % SOURCE)
    run = start_backup(efs, service_lines=SQUASHED)
    assert_failed(run, 6, "top.txt: Cannot open: Permission denied")
    assert archives(efs) == [], "no partial archive may be left"


def test_bad_override_is_a_configuration_error(efs):
    run = start_backup(efs, {"EFS_BACKUP_KEEP": "zero"})
    assert_failed(run, 2, "keep 'zero' is not a positive whole number")


def test_service_works_again_after_failures(efs):
    assert_failed(start_backup(efs, {"EFS_BACKUP_SOURCE": "/mnt/efs-gone"}), 3, "source does not exist")
    assert_succeeded(start_backup(efs))
    assert len(good_archives(efs)) == 1


# --- many hosts, one EFS; the copy to S3 ------------------------------------------------------

def test_two_hosts_at_once_make_one_archive(efs):
    """Two runs started together, each with its own destination (two hosts' disks), share the EFS lock."""
    sh(efs, "head -c 3000000 /dev/urandom > %s/big.bin; rm -rf /srv/host2 && mkdir /srv/host2" % SOURCE)
    both = sh(efs, "export EFS_BACKUP_LOCK_INTERVAL_MIN=60; "
                   "/usr/local/sbin/gamestack-efs-backup > /tmp/run1.out 2>&1 & "
                   "EFS_BACKUP_DEST=/srv/host2 /usr/local/sbin/gamestack-efs-backup > /tmp/run2.out 2>&1; "
                   "wait $!; cat /tmp/run1.out /tmp/run2.out").stdout
    made = good_archives(efs) + good_archives(efs, "/srv/host2")
    assert len(made) == 1, both
    assert both.count("OK: skipped") == 1, both
    last = sh(efs, "cat %s/.gamestack-efs-backup.%s.last" % (SOURCE, NAME)).stdout.split()
    assert last[2] == made[0]
    sh(efs, "rm -rf /srv/host2 /tmp/run1.out /tmp/run2.out")


def bridge_gateway(host):
    """The controller's address on the container's network (docker0): moto listens there."""
    route = sh(host, "ip -4 route show default").stdout.split()
    assert route[:2] == ["default", "via"], route
    return route[2]


def test_archive_is_copied_to_s3_from_the_host(efs):
    with moto_harness.MotoServer(host=bridge_gateway(efs)) as moto:
        s3 = moto_harness.boto3_client("s3", moto.endpoint)
        s3.create_bucket(Bucket="efs-backups")
        run = start_backup(efs, {
            "EFS_BACKUP_S3_BUCKET": "efs-backups", "EFS_BACKUP_S3_PREFIX": "assets/production",
            "EFS_BACKUP_S3_ENDPOINT_URL": moto.endpoint, "EFS_BACKUP_S3_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        })
        assert_succeeded(run)
        made = good_archives(efs)[0]
        key = "assets/production/" + made
        assert "copied to s3://efs-backups/%s" % key in run.lines("OK:")[0]
        body = s3.get_object(Bucket="efs-backups", Key=key)["Body"].read()
        local = sh(efs, "sha256sum %s/%s" % (DEST, made)).stdout.split()[0]
        import hashlib  # pylint: disable=import-outside-toplevel
        assert hashlib.sha256(body).hexdigest() == local


def test_unreachable_s3_fails_the_run_and_keeps_the_archive(efs):
    run = start_backup(efs, {
        "EFS_BACKUP_S3_BUCKET": "efs-backups", "EFS_BACKUP_S3_PREFIX": "assets/production",
        "EFS_BACKUP_S3_ENDPOINT_URL": "http://127.0.0.1:9", "EFS_BACKUP_S3_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
    })
    assert_failed(run, 7, "copy to S3 failed")
    assert len(good_archives(efs)) == 1
