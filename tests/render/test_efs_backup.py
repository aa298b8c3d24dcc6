"""gamestack.aws.efs_backup rendered for CentOS 7, Rocky 9, Amazon Linux 2023 (and Debian 12).

molecule converges the role on Debian 12 for real (extensions/molecule/efs_backup); here the EL/Amazon
vars cascade, the preflight refusals and the templates are rendered with those platforms' facts, and
the backup/restore pair is run on the controller with the settings file rendered for CentOS 7 against
temporary directories. The scripts themselves are files (roles/efs_backup/files/), tested on their own
in tests/unit/roles/test_efs_backup_scripts.py.
"""

from __future__ import annotations

import hashlib
import os
import pathlib
import re
import subprocess
import tarfile
import time

import pytest

from ansible_collections.gamestack.aws.plugins.module_utils import naming
from tests.render.conftest import PLATFORMS

TEMPLATES = [
    "etc/systemd/system/gamestack-efs-backup.service.j2",
    "etc/systemd/system/gamestack-efs-backup.timer.j2",
    "etc/gamestack-efs-backup.conf.j2",
]
SERVICE = "etc/systemd/system/gamestack-efs-backup.service"
TIMER = "etc/systemd/system/gamestack-efs-backup.timer"
CONF = "etc/gamestack-efs-backup.conf"
SCRIPTS = pathlib.Path(__file__).resolve().parents[2] / "roles" / "efs_backup" / "files" / "usr" / "local" / "sbin"
BACKUP = SCRIPTS / "gamestack-efs-backup"
RESTORE = SCRIPTS / "gamestack-efs-restore"
MOVE = SCRIPTS.parents[2] / "gamestack-efs-restore-move.py"
PACKAGES = {
    "centos7": ["tar", "findutils", "gzip", "util-linux"],
    "rocky9": ["tar", "findutils", "gzip", "util-linux"],
    "al2023": ["tar", "findutils", "gzip", "util-linux"],
    "debian12": ["tar", "findutils", "gzip", "coreutils", "util-linux", "bsdutils"],
}
SETTINGS = {
    "efs_backup_name": "assets-production",
    "efs_backup_source": "/mnt/assets",
    "efs_backup_dest": "/srv/backup/assets",
    "efs_backup_days": 3,
    "efs_backup_keep": 5,
    "efs_backup_on_calendar": ["Mon..Fri *-*-* 01:00:00", "Sat,Sun *-*-* 05:00:00"],
    "efs_backup_randomized_delay_sec": "30min",
}
# CentOS 7 ships systemd 219 (no `systemd-analyze calendar`): the preflight must skip that check.
CENTOS7_FACTS = {"ansible_systemd": {"version": 219, "features": ""}}


def unit_settings(text):
    return [line for line in text.splitlines() if line and not line.startswith(("#", "["))]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_render_per_platform(render_role, platform):
    out = render_role(
        "efs_backup", platform,
        tasks_from=["vars.yml", "preflight.yml"],
        templates=TEMPLATES,
        variables=["efs_backup_packages"],
        host_vars=SETTINGS,
        facts=CENTOS7_FACTS if platform == "centos7" else None,
    )
    assert out.vars["efs_backup_packages"] == PACKAGES[platform]

    timer = unit_settings(out.files[TIMER])
    assert timer == [
        "Description=gamestack.aws EFS backup of /mnt/assets: schedule",
        "OnCalendar=Mon..Fri *-*-* 01:00:00",
        "OnCalendar=Sat,Sun *-*-* 05:00:00",
        "Persistent=true",
        "RandomizedDelaySec=30min",
        "Unit=gamestack-efs-backup.service",
        "WantedBy=timers.target",
    ]
    service = unit_settings(out.files[SERVICE])
    assert "Type=oneshot" in service
    assert "ExecStart=/usr/local/sbin/gamestack-efs-backup" in service
    assert "SyslogIdentifier=gamestack-efs-backup" in service

    assert settings_of(out.files[CONF]) == {
        "EFS_BACKUP_NAME": "assets-production",
        "EFS_BACKUP_SOURCE": "/mnt/assets",
        "EFS_BACKUP_DEST": "/srv/backup/assets",
        "EFS_BACKUP_DAYS": "3",
        "EFS_BACKUP_KEEP": "5",
        "EFS_BACKUP_REQUIRE_MOUNTPOINT": "yes",
        "EFS_BACKUP_MIN_FREE_MB": "64",
        "EFS_BACKUP_CHECK_SELECTION_SIZE": "yes",
        "EFS_BACKUP_VERIFY": "yes",
        "EFS_BACKUP_GZIP_LEVEL": "6",
        "EFS_BACKUP_LOCK": "yes",
        "EFS_BACKUP_LOCK_INTERVAL_MIN": "60",
        "EFS_BACKUP_S3_BUCKET": "",
        "EFS_BACKUP_S3_PREFIX": "",
        "EFS_BACKUP_S3_REGION": "",
        "EFS_BACKUP_S3_ENDPOINT_URL": "",
    }


def settings_of(text):
    """KEY=VALUE lines of the settings file, as the scripts read them."""
    return dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))


def test_archive_stamp_is_the_naming_rule_release_format():
    """The script stamps archives with naming.RELEASE_FORMAT, so <name>-<stamp> parses as app-env-release."""
    script = BACKUP.read_text()
    match = re.search(r"^STAMP_FORMAT='([^']+)'$", script, re.M)
    assert match and match.group(1) == naming.RELEASE_FORMAT
    assert 'date -u "+${STAMP_FORMAT}"' in script
    parsed = naming.parse_name("efs-backup-" + naming.format_release("20250102-0304"))
    assert (parsed["app"], parsed["env"], parsed["release"]) == ("efs", "backup", "20250102-0304")


def test_centos7_scripts_back_up_and_restore_on_the_controller(render_role, tmp_path):
    """Run both scripts (bash, GNU tar, find) with the CentOS 7 settings file against temporary directories."""
    out = render_role(
        "efs_backup", "centos7", templates=[TEMPLATES[2]], facts=CENTOS7_FACTS,
        host_vars={"efs_backup_name": "assets-production", "efs_backup_keep": 2, "efs_backup_min_free_mb": 0},
    )
    source, dest, target = tmp_path / "src", tmp_path / "dest", tmp_path / "target"
    for directory in (source, dest, target):
        directory.mkdir()
    conf = tmp_path / "efs-backup.conf"
    conf.write_text(out.files[CONF])
    backup, restore = BACKUP, RESTORE
    (source / "new.txt").write_text("fresh\n")
    (source / "deep" / "er").mkdir(parents=True)
    (source / "deep" / "er" / "file with space").write_bytes(os.urandom(4096))
    (source / "old.txt").write_text("old\n")
    ten_days_ago = time.time() - 10 * 86400
    os.utime(source / "old.txt", (ten_days_ago, ten_days_ago))
    env = dict(os.environ, EFS_BACKUP_CONFIG=str(conf), EFS_BACKUP_SOURCE=str(source), EFS_BACKUP_DEST=str(dest),
               EFS_BACKUP_REQUIRE_MOUNTPOINT="no", EFS_BACKUP_RESTORE_MOVE=str(MOVE), INVOCATION_ID="render-test",
               TMPDIR=str(tmp_path))

    ran = subprocess.run(["bash", str(backup)], env=env, check=False, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    made = sorted(p.name for p in dest.iterdir())
    assert len(made) == 1 and re.match(r"^assets-production-\d{8}-\d{4}\.tar\.gz$", made[0]), made
    with tarfile.open(dest / made[0]) as archive:
        assert sorted(archive.getnames()) == ["./deep/er/file with space", "./new.txt"]

    restored = subprocess.run(["bash", str(restore), "latest", str(target)], env=env, check=False, capture_output=True, text=True)
    assert restored.returncode == 0, restored.stderr

    def digest(path):
        return hashlib.sha256(path.read_bytes()).hexdigest()

    for rel in ("new.txt", "deep/er/file with space"):
        assert digest(target / rel) == digest(source / rel)
    assert not (target / "old.txt").exists()

    # Unmounted source: the mount point check is on by default.
    env.pop("EFS_BACKUP_REQUIRE_MOUNTPOINT")
    failed = subprocess.run(["bash", str(backup)], env=env, check=False, capture_output=True, text=True)
    assert failed.returncode == 3
    assert failed.stderr.strip().splitlines() == [
        "FAILED: source is not a mount point (EFS/NFS not mounted?) (source %s, destination %s)" % (source, dest)
    ]


@pytest.mark.parametrize(
    "settings, needles",
    [
        ({"efs_backup_name": "Assets_Production"}, ["efs_backup_name must be an app-env name", "Assets_Production"]),
        ({"efs_backup_name": "assets"}, ["efs_backup_name must be an app-env name", '"assets"']),
        ({"efs_backup_name": "assets-production-20250101-0000"}, ["efs_backup_name must be an app-env name"]),
        ({"efs_backup_days": 0}, ["efs_backup_days must be a whole number from 1"]),
        ({"efs_backup_keep": "-1"}, ["efs_backup_keep must be a whole number from 1"]),
        ({"efs_backup_gzip_level": 10}, ["efs_backup_gzip_level must be a whole number from 1 to 9"]),
        ({"efs_backup_min_free_mb": "lots"}, ["efs_backup_min_free_mb must be a whole number", "lots"]),
        ({"efs_backup_nice": 25}, ["efs_backup_nice must be a whole number from -20 to 19"]),
        ({"efs_backup_source": "relative/path"}, ["efs_backup_source must be an absolute path", "relative/path"]),
        ({"efs_backup_dest": "/"}, ["efs_backup_dest must be an absolute path other than /"]),
        ({"efs_backup_dest": "/mnt/efs/backups"}, ["efs_backup_dest /mnt/efs/backups is inside efs_backup_source /mnt/efs"]),
        ({"efs_backup_dest": "/mnt/efs"}, ["efs_backup_dest /mnt/efs is inside efs_backup_source /mnt/efs"]),
        ({"efs_backup_on_calendar": []}, ["efs_backup_on_calendar must be a systemd calendar expression"]),
        ({"efs_backup_on_calendar": ["daily", 5]}, ["efs_backup_on_calendar must be a systemd calendar expression"]),
        ({"efs_backup_randomized_delay_sec": "soon"}, ["efs_backup_randomized_delay_sec must be seconds", "soon"]),
        # Shell syntax in a path: never a shell word on the host.
        ({"efs_backup_source": "/mnt/$(touch${IFS}/tmp/pwned)"}, ["efs_backup_source must be an absolute path", "shell syntax", "$(touch"]),
        ({"efs_backup_source": "/mnt/efs`id`"}, ["efs_backup_source must be an absolute path", "`id`"]),
        ({"efs_backup_dest": "/srv/it's"}, ["efs_backup_dest must be an absolute path", "it's"]),
        ({"efs_backup_dest": '/srv/a"b'}, ["efs_backup_dest must be an absolute path"]),
        ({"efs_backup_dest": "/srv/a;reboot"}, ["efs_backup_dest must be an absolute path"]),
        ({"efs_backup_dest": "/srv/a\nb"}, ["efs_backup_dest must be an absolute path"]),
        ({"efs_backup_dest": "/srv/ab\n"}, ["efs_backup_dest must be an absolute path"]),
        ({"efs_backup_dest": "/srv/%h"}, ["efs_backup_dest must be an absolute path"]),
        ({"efs_backup_lock_interval_min": -1}, ["efs_backup_lock_interval_min must be a whole number from 0"]),
        ({"efs_backup_s3_bucket": "My_Bucket"}, ["efs_backup_s3_bucket must be an S3 bucket name", "My_Bucket"]),
        ({"efs_backup_s3_bucket": "b$(id)"}, ["efs_backup_s3_bucket must be an S3 bucket name"]),
        ({"efs_backup_s3_region": "eu west"}, ["efs_backup_s3_region must be an AWS region"]),
        ({"efs_backup_s3_endpoint_url": "http://h/$(id)"}, ["efs_backup_s3_endpoint_url must be an http(s) URL"]),
    ],
)
def test_preflight_refuses_bad_input(render_role, settings, needles):
    out = render_role("efs_backup", "rocky9", tasks_from=["vars.yml", "preflight.yml"],
                      host_vars=settings, expect_failure=True)
    out.assert_refused(*needles)


def test_preflight_refuses_a_host_without_systemd(render_role):
    out = render_role("efs_backup", "centos7", tasks_from=["vars.yml", "preflight.yml"],
                      facts={"ansible_service_mgr": "upstart"}, expect_failure=True)
    out.assert_refused("needs systemd", "upstart")


def test_similar_prefix_is_not_inside_the_source(render_role):
    """/mnt/efs-backups is a sibling of /mnt/efs, not inside it."""
    out = render_role("efs_backup", "al2023", tasks_from=["vars.yml", "preflight.yml"],
                      host_vars={"efs_backup_dest": "/mnt/efs-backups"}, variables=["efs_backup_dest"])
    assert out.vars["efs_backup_dest"] == "/mnt/efs-backups"


def test_hostile_path_in_the_settings_is_never_run(render_role, tmp_path):
    """A path with shell syntax that got past the preflight (or came from a drop-in) stays a literal path."""
    marker = tmp_path / "pwned"
    hostile = "%s/src$(touch %s)`touch %s`'\"" % (tmp_path, marker, marker)
    # Only the templates: the preflight would refuse this value, the scripts must not rely on it.
    out = render_role("efs_backup", "debian12", templates=[TEMPLATES[2]], tasks_from=["vars.yml"],
                      host_vars={"efs_backup_source": hostile, "efs_backup_dest": hostile + "-dest"})
    assert settings_of(out.files[CONF])["EFS_BACKUP_SOURCE"] == hostile
    assert settings_of(out.files[CONF])["EFS_BACKUP_DEST"] == hostile + "-dest"
    conf = tmp_path / "efs-backup.conf"
    conf.write_text(out.files[CONF])
    env = dict(os.environ, EFS_BACKUP_CONFIG=str(conf), EFS_BACKUP_MIN_FREE_MB="0", INVOCATION_ID="render-test",
               TMPDIR=str(tmp_path))
    for script, args in ((BACKUP, []), (RESTORE, ["latest", str(tmp_path)])):
        ran = subprocess.run(["bash", str(script)] + args, env=env, check=False, capture_output=True, text=True)
        assert ran.returncode == 3, ran
        assert not marker.exists(), "a value of the settings ran as shell code"
    ran = subprocess.run(["bash", str(BACKUP)], env=env, check=False, capture_output=True, text=True)
    assert "FAILED: source does not exist (source %s," % hostile in ran.stderr


@pytest.mark.parametrize("platform", ["rocky9", "debian12"])
def test_s3_bucket_adds_boto3_and_the_naming_rule_prefix(render_role, platform):
    out = render_role("efs_backup", platform, tasks_from=["vars.yml", "preflight.yml"], templates=[TEMPLATES[2]],
                      variables=["efs_backup_s3_packages"],
                      host_vars={"efs_backup_name": "assets-production", "efs_backup_s3_bucket": "efs-backups",
                                 "efs_backup_s3_region": "eu-west-1"})
    assert out.vars["efs_backup_s3_packages"] == ["python3-boto3"]
    settings = settings_of(out.files[CONF])
    assert settings["EFS_BACKUP_S3_BUCKET"] == "efs-backups"
    parsed = naming.parse_name("assets-production")
    assert settings["EFS_BACKUP_S3_PREFIX"] == "%s/%s" % (parsed["app"], parsed["env"]) == "assets/production"
    assert settings["EFS_BACKUP_S3_REGION"] == "eu-west-1"
