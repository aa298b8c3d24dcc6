"""Unit tests of roles/efs_backup/files/usr/local/sbin (the backup, restore and move scripts) on the controller.

The scripts run for real (bash, GNU tar, gzip, python3) against temporary directories with a settings
file of their own; the molecule scenario extensions/molecule/efs_backup runs them as the systemd
service in a Debian 12 container.
"""

from __future__ import annotations

import io
import os
import pathlib
import subprocess
import sys
import tarfile
import time

import pytest

from tests.harness.moto import MotoServer, boto3_client, free_port

SBIN = pathlib.Path(__file__).resolve().parents[3] / "roles" / "efs_backup" / "files" / "usr" / "local" / "sbin"
BACKUP = SBIN / "gamestack-efs-backup"
RESTORE = SBIN / "gamestack-efs-restore"
MOVE = SBIN.parents[2] / "gamestack-efs-restore-move.py"
S3_COPY = SBIN.parents[2] / "gamestack-efs-backup-s3.py"
NAME = "assets-production"


@pytest.fixture
def site(tmp_path):
    """source/, dest/, target/ and a settings file; ``site.run(script, *args)`` runs a script."""

    class Site:
        source = tmp_path / "src"
        dest = tmp_path / "dest"
        target = tmp_path / "target"
        outside = tmp_path / "outside"
        conf = tmp_path / "efs-backup.conf"

        def run(self, script, *args, **env):
            full = dict(os.environ, EFS_BACKUP_CONFIG=str(self.conf), EFS_BACKUP_RESTORE_MOVE=str(MOVE),
                        INVOCATION_ID="unit-test", TMPDIR=str(tmp_path), **env)
            return subprocess.run(["bash", str(script), *map(str, args)], env=full, check=False,
                                  capture_output=True, text=True)

        def archive(self, members):
            """Write DEST/<name>-20250101-0000.tar.gz from (TarInfo kwargs, data) pairs; return its path."""
            path = self.dest / ("%s-20250101-0000.tar.gz" % NAME)
            with tarfile.open(path, "w:gz", format=tarfile.GNU_FORMAT) as archive:
                for fields, data in members:
                    info = tarfile.TarInfo(fields.pop("name"))
                    for key, value in fields.items():
                        setattr(info, key, value)
                    info.size = len(data or b"")
                    archive.addfile(info, io.BytesIO(data) if data else None)
            return path

    for directory in (Site.source, Site.dest, Site.target, Site.outside):
        directory.mkdir()
    Site.conf.write_text("\n".join([
        "# test settings",
        "EFS_BACKUP_NAME=" + NAME,
        "EFS_BACKUP_SOURCE=%s" % Site.source,
        "EFS_BACKUP_DEST=%s" % Site.dest,
        "EFS_BACKUP_DAYS=7",
        "EFS_BACKUP_KEEP=3",
        "EFS_BACKUP_REQUIRE_MOUNTPOINT=no",
        "EFS_BACKUP_MIN_FREE_MB=0",
        "EFS_BACKUP_CHECK_SELECTION_SIZE=yes",
        "EFS_BACKUP_VERIFY=yes",
        "EFS_BACKUP_GZIP_LEVEL=6",
        "EFS_BACKUP_LOCK=yes",
        "EFS_BACKUP_LOCK_INTERVAL_MIN=0",
        "EFS_BACKUP_S3_BUCKET=",
        "EFS_BACKUP_S3_PREFIX=",
        "EFS_BACKUP_S3_REGION=",
        "EFS_BACKUP_S3_ENDPOINT_URL=",
    ]) + "\n")
    return Site()


def leftovers(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".gamestack-efs-restore."))


# --- restore never follows a symlink of the target ------------------------------------------------

def test_forced_restore_does_not_follow_a_symlink_planted_in_the_target(site):
    (site.target / "uploads").symlink_to(site.outside)
    (site.target / "keep.txt").write_text("mine\n")
    site.archive([({"name": "./uploads/cron.d/evil"}, b"* * * * * root id\n"),
                  ({"name": "./top.txt"}, b"top\n")])
    ran = site.run(RESTORE, "--force", "latest", site.target)
    assert ran.returncode == 6, ran
    assert "uploads: the target has a symlink where the archive has a directory" in ran.stderr
    assert list(site.outside.iterdir()) == [], "a file landed outside the target"
    assert not (site.target / "top.txt").exists(), "a refused restore moved files"
    assert (site.target / "keep.txt").read_text() == "mine\n"
    assert leftovers(site.target) == []


def test_forced_restore_replaces_a_planted_file_symlink_instead_of_writing_through_it(site):
    victim = site.outside / "victim"
    victim.write_text("outside\n")
    (site.target / "config.php").symlink_to(victim)
    site.archive([({"name": "./config.php"}, b"<?php // restored\n")])
    ran = site.run(RESTORE, "--force", "latest", site.target)
    assert ran.returncode == 0, ran
    assert victim.read_text() == "outside\n"
    assert not (site.target / "config.php").is_symlink()
    assert (site.target / "config.php").read_text() == "<?php // restored\n"


def test_target_that_is_a_symlink_is_refused(site):
    link = site.target.parent / "link-to-outside"
    link.symlink_to(site.outside)
    site.archive([({"name": "./a.txt"}, b"a\n")])
    ran = site.run(RESTORE, "latest", link)
    assert ran.returncode == 4 and "a symlink is not followed" in ran.stderr, ran
    assert list(site.outside.iterdir()) == []


def test_forced_restore_merges_into_real_directories(site):
    (site.target / "a" / "b").mkdir(parents=True)
    (site.target / "a" / "b" / "old.txt").write_text("old\n")
    (site.target / "a" / "same.txt").write_text("before\n")
    site.archive([({"name": "./a/same.txt"}, b"after\n"), ({"name": "./a/b/new.txt"}, b"new\n"),
                  ({"name": "./c/d.txt"}, b"d\n")])
    ran = site.run(RESTORE, "--force", "latest", site.target)
    assert ran.returncode == 0, ran
    assert (site.target / "a" / "same.txt").read_text() == "after\n"
    assert (site.target / "a" / "b" / "old.txt").read_text() == "old\n"
    assert (site.target / "a" / "b" / "new.txt").read_text() == "new\n"
    assert (site.target / "c" / "d.txt").read_text() == "d\n"
    assert leftovers(site.target) == []


def test_directory_of_the_target_is_not_replaced_by_a_file(site):
    (site.target / "data").mkdir()
    (site.target / "data" / "x").write_text("x\n")
    site.archive([({"name": "./data"}, b"a file now\n"), ({"name": "./other"}, b"o\n")])
    ran = site.run(RESTORE, "--force", "latest", site.target)
    assert ran.returncode == 6 and "data: the target has a directory where the archive has a file" in ran.stderr, ran
    assert (site.target / "data" / "x").exists() and not (site.target / "other").exists()


def test_member_named_like_the_staging_directory_is_refused(site):
    site.archive([({"name": "./.gamestack-efs-restore.abcdef/x"}, b"x\n")])
    ran = site.run(RESTORE, "latest", site.target)
    assert ran.returncode == 3 and "reserved for the restore" in ran.stderr, ran


# --- hard links ----------------------------------------------------------------------------------

def test_backup_with_hard_links_restores(site):
    (site.source / "sub").mkdir()
    (site.source / "sub" / "one.txt").write_text("shared\n")
    os.link(site.source / "sub" / "one.txt", site.source / "two.txt")
    ran = site.run(BACKUP)
    assert ran.returncode == 0, ran
    made = [p for p in site.dest.iterdir() if p.name.endswith(".tar.gz")]
    with tarfile.open(made[0]) as archive:
        assert any(member.islnk() for member in archive.getmembers()), "tar stores the second name as a hard link"
    ran = site.run(RESTORE, "latest", site.target)
    assert ran.returncode == 0, ran
    assert "restored 2 files" in ran.stdout
    one, two = site.target / "sub" / "one.txt", site.target / "two.txt"
    assert one.read_text() == two.read_text() == "shared\n"
    assert os.stat(one).st_ino == os.stat(two).st_ino


@pytest.mark.parametrize("linkname", ["../../etc/passwd", "/etc/passwd", "./a/../../x"])
def test_hard_link_leaving_the_archive_is_refused(site, linkname):
    site.archive([({"name": "./a"}, b"a\n"), ({"name": "./b", "type": tarfile.LNKTYPE, "linkname": linkname}, None)])
    ran = site.run(RESTORE, "latest", site.target)
    assert ran.returncode == 3 and "unsafe hard link ./b" in ran.stderr, ran
    assert list(site.target.iterdir()) == []


# --- settings are data, never code --------------------------------------------------------------

def test_settings_file_values_are_literal(site, tmp_path):
    marker = tmp_path / "pwned"
    text = site.conf.read_text().replace("EFS_BACKUP_DEST=%s" % site.dest,
                                         "EFS_BACKUP_DEST=%s/$(touch %s)" % (site.dest, marker))
    site.conf.write_text(text)
    for script, args in ((BACKUP, ()), (RESTORE, ("latest", site.target))):
        ran = site.run(script, *args)
        assert ran.returncode in (3, 4), ran
        assert not marker.exists()
        assert "$(touch" in ran.stderr


def test_environment_overrides_the_settings_file(site):
    ran = site.run(BACKUP, EFS_BACKUP_KEEP="zero")
    assert ran.returncode == 2 and "keep 'zero' is not a positive whole number" in ran.stderr


@pytest.mark.parametrize("line, message", [
    ("EFS_BACKUP_SHELL=/bin/sh", "unknown setting 'EFS_BACKUP_SHELL'"),
    ("PATH=/tmp/evil", "unknown setting 'PATH'"),
])
def test_unknown_setting_is_refused(site, line, message):
    site.conf.write_text(site.conf.read_text() + line + "\n")
    ran = site.run(BACKUP)
    assert ran.returncode == 2 and message in ran.stderr, ran


def test_missing_setting_is_named(site):
    site.conf.write_text("".join(line + "\n" for line in site.conf.read_text().splitlines()
                                 if not line.startswith("EFS_BACKUP_DAYS=")))
    ran = site.run(BACKUP)
    assert ran.returncode == 2 and "setting EFS_BACKUP_DAYS is missing" in ran.stderr, ran


# --- one host of the fleet: the lock on the shared file system ----------------------------------

def archives_in(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tar.gz"))


def test_run_skips_while_another_host_holds_the_lock(site):
    (site.source / "a.txt").write_text("a\n")
    lock = site.source / (".gamestack-efs-backup.%s.lock" % NAME)
    holder = subprocess.Popen(["flock", str(lock), "sleep", "30"])
    try:
        for _attempt in range(50):
            if lock.exists() and subprocess.run(["flock", "-n", str(lock), "true"], check=False).returncode != 0:
                break
            time.sleep(0.1)
        ran = site.run(BACKUP)
    finally:
        holder.kill()
        holder.wait()
    assert ran.returncode == 0, ran
    assert "OK: skipped: another run holds the lock" in ran.stdout
    assert archives_in(site.dest) == []


def test_two_hosts_at_once_make_one_archive(site, tmp_path):
    """Two runs started together, each with a destination of its own (two hosts' disks): one archive."""
    (site.source / "a.txt").write_text("a\n")
    (site.source / "big.bin").write_bytes(os.urandom(2_000_000))
    other = tmp_path / "other-dest"
    other.mkdir()
    env = dict(os.environ, EFS_BACKUP_CONFIG=str(site.conf), INVOCATION_ID="unit-test", TMPDIR=str(tmp_path),
               EFS_BACKUP_LOCK_INTERVAL_MIN="60")
    runs = [subprocess.Popen(["bash", str(BACKUP)], env=dict(env, EFS_BACKUP_DEST=str(dest)), text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE) for dest in (site.dest, other)]
    results = [(run.wait(), *run.communicate()) for run in runs]
    assert [rc for rc, _out, _err in results] == [0, 0], results
    assert len(archives_in(site.dest)) + len(archives_in(other)) == 1, results
    assert sum("OK: skipped" in out for _rc, out, _err in results) == 1, results


def test_run_skips_after_a_recent_success_of_another_host(site):
    (site.source / "a.txt").write_text("a\n")
    last = site.source / (".gamestack-efs-backup.%s.last" % NAME)
    last.write_text("%d other-host$(id) %s-20250101-0000.tar.gz\n" % (time.time() - 300, NAME))
    ran = site.run(BACKUP, EFS_BACKUP_LOCK_INTERVAL_MIN="60")
    assert ran.returncode == 0, ran
    assert "OK: skipped: other-hostid made %s-20250101-0000.tar.gz 5 minutes ago" % NAME in ran.stdout
    assert archives_in(site.dest) == []
    # Older than the interval: this host runs and records itself.
    ran = site.run(BACKUP, EFS_BACKUP_LOCK_INTERVAL_MIN="4")
    assert ran.returncode == 0 and "archived to" in ran.stdout, ran
    made = archives_in(site.dest)
    assert len(made) == 1
    epoch, _host, archive = last.read_text().split()
    assert archive == made[0] and abs(int(epoch) - time.time()) < 60
    with tarfile.open(site.dest / made[0]) as tar:
        assert tar.getnames() == ["./a.txt"], "the lock and last-run files are not archived"


def test_lock_off_runs_without_touching_the_source(site):
    (site.source / "a.txt").write_text("a\n")
    ran = site.run(BACKUP, EFS_BACKUP_LOCK="no")
    assert ran.returncode == 0, ran
    assert sorted(p.name for p in site.source.iterdir()) == ["a.txt"]


# --- the copy to S3 (moto over HTTP) ------------------------------------------------------------

@pytest.fixture(scope="module")
def moto():
    with MotoServer() as server:
        yield server


def test_archive_is_copied_to_s3_under_the_naming_rule_prefix(site, moto):
    s3 = boto3_client("s3", moto.endpoint)
    bucket = "efs-backups-%d" % os.getpid()
    s3.create_bucket(Bucket=bucket)
    old = ["assets/production/%s-2024010%d-0000.tar.gz" % (NAME, day) for day in range(1, 5)]
    others = ["assets/production/other-production-20240101-0000.tar.gz", "assets/production/notes.txt"]
    for key in old + others:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    (site.source / "a.txt").write_text("a\n")
    ran = site.run(BACKUP, EFS_BACKUP_S3_BUCKET=bucket, EFS_BACKUP_S3_PREFIX="assets/production",
                   EFS_BACKUP_S3_ENDPOINT_URL=moto.endpoint, EFS_BACKUP_S3_REGION="us-east-1",
                   EFS_BACKUP_S3_COPY=str(S3_COPY), AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                   PATH="%s:%s" % (pathlib.Path(sys.executable).parent, os.environ["PATH"]))
    assert ran.returncode == 0, ran
    made = archives_in(site.dest)
    key = "assets/production/" + made[0]
    assert "copied to s3://%s/%s" % (bucket, key) in ran.stdout
    assert "2 old object(s) removed" in ran.stdout
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert body == (site.dest / made[0]).read_bytes()
    keys = sorted(item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert keys == sorted([key] + old[2:] + others)


def test_failed_s3_copy_fails_the_run_and_keeps_the_archive(site):
    (site.source / "a.txt").write_text("a\n")
    ran = site.run(BACKUP, EFS_BACKUP_S3_BUCKET="efs-backups", EFS_BACKUP_S3_PREFIX="assets/production",
                   EFS_BACKUP_S3_ENDPOINT_URL="http://127.0.0.1:%d" % free_port(), EFS_BACKUP_S3_COPY=str(S3_COPY),
                   AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                   PATH="%s:%s" % (pathlib.Path(sys.executable).parent, os.environ["PATH"]))
    assert ran.returncode == 7, ran
    assert "FAILED: copy to S3 failed" in ran.stderr and "is kept" in ran.stderr
    assert len(archives_in(site.dest)) == 1
    assert not (site.source / (".gamestack-efs-backup.%s.last" % NAME)).exists(), "a failed run is no success"


@pytest.mark.parametrize("bucket, prefix, message", [
    ("Bad_Bucket", "assets/production", "S3 bucket 'Bad_Bucket' is not a bucket name"),
    ("efs-backups", "assets/production/../x", "is not <app>/<env>"),
])
def test_bad_s3_settings_are_refused(site, bucket, prefix, message):
    ran = site.run(BACKUP, EFS_BACKUP_S3_BUCKET=bucket, EFS_BACKUP_S3_PREFIX=prefix)
    assert ran.returncode == 2 and message in ran.stderr, ran


def test_lock_file_that_cannot_be_created_is_named(site):
    (site.source / "a.txt").write_text("a\n")
    (site.source / (".gamestack-efs-backup.%s.lock" % NAME)).mkdir()  # stands in for a read-only source
    ran = site.run(BACKUP)
    assert ran.returncode == 3, ran
    assert "cannot create the lock file %s/.gamestack-efs-backup.%s.lock" % (site.source, NAME) in ran.stderr
    assert "efs_backup_lock: false" in ran.stderr
    assert archives_in(site.dest) == []
