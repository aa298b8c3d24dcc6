"""gamestack.aws.efs_backup rendered for CentOS 7, Rocky 9, Amazon Linux 2023 (and Debian 12).

molecule converges the role on Debian 12 for real (extensions/molecule/efs_backup); here the EL/Amazon
vars cascade, the preflight refusals and the templates are rendered with those platforms' facts, the
rendered scripts are syntax-checked with bash, and the CentOS 7 backup/restore pair is run on the
controller against temporary directories (the same script text a CentOS 7 host would get).
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
    "usr/local/sbin/gamestack-efs-backup.j2",
    "usr/local/sbin/gamestack-efs-restore.j2",
]
SERVICE = "etc/systemd/system/gamestack-efs-backup.service"
TIMER = "etc/systemd/system/gamestack-efs-backup.timer"
BACKUP = "usr/local/sbin/gamestack-efs-backup"
RESTORE = "usr/local/sbin/gamestack-efs-restore"
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
def test_render_per_platform(render_role, platform, tmp_path):
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

    backup = out.files[BACKUP]
    assert 'NAME="${EFS_BACKUP_NAME:-assets-production}"' in backup
    assert 'SOURCE="${EFS_BACKUP_SOURCE:-/mnt/assets}"' in backup
    assert 'DEST="${EFS_BACKUP_DEST:-/srv/backup/assets}"' in backup
    assert 'DAYS="${EFS_BACKUP_DAYS:-3}"' in backup
    assert 'KEEP="${EFS_BACKUP_KEEP:-5}"' in backup
    assert 'REQUIRE_MOUNTPOINT="${EFS_BACKUP_REQUIRE_MOUNTPOINT:-yes}"' in backup
    restore = out.files[RESTORE]
    assert 'DEST="${EFS_BACKUP_DEST:-/srv/backup/assets}"' in restore
    for name in (BACKUP, RESTORE):
        script = tmp_path / pathlib.Path(name).name
        script.write_text(out.files[name])
        check = subprocess.run(["bash", "-n", str(script)], check=False, capture_output=True, text=True)
        assert check.returncode == 0, check.stderr


def test_archive_stamp_is_the_naming_rule_release_format(render_role):
    """The script stamps archives with naming.RELEASE_FORMAT, so <name>-<stamp> parses as app-env-release."""
    out = render_role("efs_backup", "rocky9", templates=["usr/local/sbin/gamestack-efs-backup.j2"])
    match = re.search(r"^STAMP_FORMAT='([^']+)'$", out.files[BACKUP], re.M)
    assert match and match.group(1) == naming.RELEASE_FORMAT
    assert 'date -u "+${STAMP_FORMAT}"' in out.files[BACKUP]
    parsed = naming.parse_name("efs-backup-" + naming.format_release("20250102-0304"))
    assert (parsed["app"], parsed["env"], parsed["release"]) == ("efs", "backup", "20250102-0304")


def test_centos7_scripts_back_up_and_restore_on_the_controller(render_role, tmp_path):
    """Run the CentOS 7 rendering of both scripts (bash, GNU tar, find) against temporary directories."""
    out = render_role(
        "efs_backup", "centos7", templates=TEMPLATES[2:], facts=CENTOS7_FACTS,
        host_vars={"efs_backup_name": "assets-production", "efs_backup_keep": 2, "efs_backup_min_free_mb": 0},
    )
    backup = tmp_path / "gamestack-efs-backup"
    restore = tmp_path / "gamestack-efs-restore"
    backup.write_text(out.files[BACKUP])
    restore.write_text(out.files[RESTORE])
    source, dest, target = tmp_path / "src", tmp_path / "dest", tmp_path / "target"
    for directory in (source, dest, target):
        directory.mkdir()
    (source / "new.txt").write_text("fresh\n")
    (source / "deep" / "er").mkdir(parents=True)
    (source / "deep" / "er" / "file with space").write_bytes(os.urandom(4096))
    (source / "old.txt").write_text("old\n")
    ten_days_ago = time.time() - 10 * 86400
    os.utime(source / "old.txt", (ten_days_ago, ten_days_ago))
    env = dict(os.environ, EFS_BACKUP_SOURCE=str(source), EFS_BACKUP_DEST=str(dest),
               EFS_BACKUP_REQUIRE_MOUNTPOINT="no", INVOCATION_ID="render-test", TMPDIR=str(tmp_path))

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
