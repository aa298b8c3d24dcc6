"""Unit tests of roles/rsync_deploy/files/check-dest.sh (which destinations a deploy may own), run on the controller.

The probe of the role runs the same script on the host before anything there changes; the container tests
(tests/integration/deploy/test_rsync_deploy.py) check that a refused destination leaves the host as it was.
"""

from __future__ import annotations

import pathlib
import subprocess

import pytest

SCRIPT = pathlib.Path(__file__).resolve().parents[3] / "roles" / "rsync_deploy" / "files" / "check-dest.sh"


def check(dest: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT), dest], capture_output=True, text=True, check=False)


@pytest.mark.parametrize("dest, why", [
    ("/", "is / itself"),
    ("//", "is / itself"),
    ("/./", "is / itself"),
    ("/var/.", "is a directory directly below / (/var)"),
    ("//var/www", "is /var/www itself"),
    ("/var/www/.", "is /var/www itself"),
    ("/var//www///", "is /var/www itself"),
    ("/etc/./", "is a directory directly below / (/etc)"),
    ("/opt/./", "is a directory directly below / (/opt)"),
    ("/boot", "is a directory directly below / (/boot)"),
    ("/root", "is a directory directly below / (/root)"),
    ("/home", "is a directory directly below / (/home)"),
    ("/var/lib", "is /var/lib or inside it (/var/lib)"),
    ("/var/lib/mysql/", "is /var/lib or inside it (/var/lib/mysql)"),
    ("/var/log/", "is /var/log or inside it (/var/log)"),
    ("/usr/local/.", "is /usr or inside it (/usr/local)"),
    ("/usr/lib", "is /usr or inside it (/usr/lib)"),
    ("/etc/apache2/sites", "is /etc or inside it (/etc/apache2/sites)"),
    ("/tmp/app", "is /tmp or inside it (/tmp/app)"),
    ("/var/spool/x", "is /var/spool or inside it"),
    ("/var/www/../lib", "has a '..' segment"),
    ("var/www/app", "is not an absolute path"),
    ("", "is not an absolute path"),
    ("/srv/a\nb", "contains a line break"),
])
def test_a_destination_that_could_hurt_is_refused(dest, why):
    result = check(dest)
    assert result.returncode == 3, result
    assert result.stdout.startswith(why), result.stdout
    assert result.stdout.count("\n") == 1


@pytest.mark.parametrize("dest, resolved", [
    ("/var/www/app", "/var/www/app"),
    ("/var/www/app/", "/var/www/app"),
    ("//var//www/./app/.", "/var/www/app"),
    ("/srv/game/api", "/srv/game/api"),
    ("/var/library/app", "/var/library/app"),
    ("/var/lib64/app", "/var/lib64/app"),
    ("/usrx/app", "/usrx/app"),
])
def test_a_directory_of_its_own_is_accepted_and_printed_normalised(dest, resolved):
    result = check(dest)
    assert (result.returncode, result.stdout) == (0, resolved + "\n"), result


def test_a_symlinked_destination_is_refused_even_to_a_good_directory(tmp_path):
    (tmp_path / "link").symlink_to("/var/www/app")
    result = check(str(tmp_path / "link"))
    assert result.returncode == 3
    assert result.stdout.startswith("is or goes through a symlink (it resolves to /var/www/app)")
    assert "opcache" in result.stdout


def test_a_symlink_in_any_component_is_refused(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "via").symlink_to(tmp_path / "real")
    result = check(str(tmp_path / "via" / "app" / "."))
    assert result.returncode == 3
    assert result.stdout.startswith("is or goes through a symlink (it resolves to %s/real/app)" % tmp_path)


def test_a_symlink_into_the_system_is_refused(tmp_path):
    (tmp_path / "etc").symlink_to("/etc")
    result = check(str(tmp_path / "etc" / "app"))
    assert result.returncode == 3 and "resolves to /etc/app" in result.stdout


def test_a_directory_not_yet_there_is_accepted():
    dest = "/srv/gamestack-never-created-%d/app" % id(check)
    assert not pathlib.Path(dest).parent.exists()
    assert check(dest).stdout == dest + "\n"


def test_the_script_is_plain_bash_with_one_argument():
    assert SCRIPT.read_text().startswith("#!/usr/bin/env bash\n")
    usage = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, check=False)
    assert usage.returncode == 2 and "usage" in usage.stderr
