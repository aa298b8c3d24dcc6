"""Unit tests of roles/rsync_deploy/files/gamestack-bootstrap.py (the boot-time S3 fetch).

The full script runs in a real systemd container against moto in tests/integration/deploy; here
the pieces that moto cannot judge: moto does not check request signatures, so the built-in SigV4
signer is compared with botocore's, and the archive and settings checks are exercised directly.
"""

from __future__ import annotations

import datetime
import importlib.util
import io
import pathlib
import tarfile

import botocore.auth
import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

SCRIPT = pathlib.Path(__file__).resolve().parents[3] / "roles" / "rsync_deploy" / "files" / "gamestack-bootstrap.py"


@pytest.fixture(scope="module")
def boot():
    spec = importlib.util.spec_from_file_location("gamestack_bootstrap", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("url, token", [
    ("https://releases.s3.eu-west-1.amazonaws.com/api-production/current", None),
    ("http://172.17.0.1:5000/releases/api-production/api-production-20260301-0900.tar.gz.sha256", "session-token"),
    ("https://releases.s3.eu-west-1.amazonaws.com/app%20dir/caf%C3%A9.tar.gz", None),
])
def test_sigv4_signature_matches_botocore(boot, monkeypatch, url, token):
    now = datetime.datetime(2026, 3, 1, 9, 0, 0)
    headers = boot.sigv4_headers("GET", url, "eu-west-1", "AKIDEXAMPLE", "secret/key+example", token, now=now)

    request = AWSRequest(method="GET", url=url, headers={"x-amz-content-sha256": headers["x-amz-content-sha256"]})
    signer = S3SigV4Auth(Credentials("AKIDEXAMPLE", "secret/key+example", token), "s3", "eu-west-1")
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: now)
    signer.add_auth(request)
    assert headers["Authorization"] == request.headers["Authorization"]
    assert headers["x-amz-date"] == request.headers["X-Amz-Date"]


def test_settings_file_shell_quoting(boot, tmp_path):
    path = tmp_path / "settings"
    path.write_text("# comment\nGAMESTACK_BUCKET=releases\nGAMESTACK_EXCLUDES='.git/' 'my dir/'\n"
                    "GAMESTACK_DEST='/var/www/app'\nEMPTY=\n")
    settings = boot.read_settings(str(path))
    assert settings["GAMESTACK_BUCKET"] == "releases"
    assert boot.setting_list(settings, "GAMESTACK_EXCLUDES") == [".git/", "my dir/"]
    assert settings["EMPTY"] == ""
    path.write_text("not a setting\n")
    with pytest.raises(boot.BootstrapError, match="line 1 is not KEY=value"):
        boot.read_settings(str(path))


def _archive(tmp_path, members):
    path = tmp_path / "r.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return str(path)


def _file(name, data=b"x"):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def _link(name, target, kind=tarfile.SYMTYPE):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info, None


def _dir(name):
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    return info, None


def _outside(tmp_path, target):
    """Everything under tmp_path that is not the archive, the target tree or the outside directory itself."""
    return sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")
                  if p.name != "r.tar.gz" and p != target and target not in p.parents and p.name != "outside")


@pytest.mark.parametrize("members, message", [
    ([_file("../evil")], "would land outside the tree"),
    ([_file("/etc/evil")], "would land outside the tree"),
    ([_link("public/passwd", "../../../etc/passwd")], "links outside the tree"),
    ([_link("public/hard", "/etc/shadow", tarfile.LNKTYPE)], "would land outside"),
    ([_link("public/uploads", "/mnt/efs/uploads")], "symlink to the absolute path '/mnt/efs/uploads'"),
    # chained links, each harmless by its name: up is the tree's root, out is its parent
    ([_link("a/b/c/up", "../../.."), _link("out", "a/b/c/up/../.."), _file("out/FILE")], "'out' links outside"),
    # the same chain through a link made first and a directory it goes through made later
    ([_link("x", "d/../.."), _file("x/FILE")], "'x' links outside"),
    # a link to an inner directory is fine, but nothing is written through it
    ([_dir("lib"), _link("up", "lib"), _file("up/FILE")], "'up/FILE' would be written through the symlink 'up'"),
    # a later link moves a directory an earlier link goes through: refused at the end
    ([_link("l1", "p/q/../.."), _link("p", ".")], "'l1' links outside"),
    ([_link("loop", "loop/x")], "links outside"),
    ([_link("h", "missing.php", tarfile.LNKTYPE)], "hard link to 'missing.php'"),
    ([_file("f"), _link("f2", "f"), _file("f2/x")], "written through the symlink 'f2'"),
])
def test_safe_extract_refuses_escaping_members(boot, tmp_path, members, message):
    outside = tmp_path / "outside"
    outside.mkdir()
    archive = _archive(tmp_path, [_file("./public/index.php")] + members)
    target = tmp_path / "tree" / "root"
    target.mkdir(parents=True)
    with pytest.raises(boot.BootstrapError, match=message):
        boot.safe_extract(archive, str(target))
    assert _outside(tmp_path, target) == ["tree"]
    assert list(outside.iterdir()) == []


def test_check_archive_runs_the_same_rules_and_leaves_nothing(boot, tmp_path, capsys):
    bad = _archive(tmp_path, [_file("./public/index.php"), _link("public/uploads", "/mnt/efs/uploads")])
    assert boot.main(["--check-archive", bad]) == 1
    assert "symlink to the absolute path '/mnt/efs/uploads'" in capsys.readouterr().err
    good = tmp_path / "good.tar.gz"
    pathlib.Path(_archive(tmp_path, [_file("./public/index.php"), _link("./public/i.php", "index.php")])).rename(good)
    assert boot.main(["--check-archive", str(good)]) == 0


def test_safe_extract_keeps_inner_links_and_refuses_garbage(boot, tmp_path):
    archive = _archive(tmp_path, [_file("./lib/a.php", b"<?php\n"), _link("./lib/b.php", "a.php")])
    target = tmp_path / "tree"
    target.mkdir()
    boot.safe_extract(archive, str(target))
    assert (target / "lib" / "b.php").read_bytes() == b"<?php\n"
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(boot.BootstrapError, match="not a readable .tar.gz|corrupt"):
        boot.safe_extract(str(garbage), str(tmp_path / "tree2"))


def test_retries_then_one_line_reason(boot, monkeypatch):
    monkeypatch.setattr(boot.time, "sleep", lambda s: None)
    calls = []

    def flaky():
        calls.append(1)
        raise OSError("Connection refused\nsecond line")

    with pytest.raises(boot.BootstrapError) as err:
        boot.with_retries("reading x", 3, flaky)
    assert len(calls) == 3
    assert str(err.value) == "reading x failed after 3 attempt(s): Connection refused second line"


def test_main_masks_web_server_and_logs_one_line_on_failure(boot, tmp_path, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(boot, "systemctl", lambda *args: calls.append(args) or 0)
    monkeypatch.setenv("INVOCATION_ID", "x")  # as under systemd: no logger call
    settings = tmp_path / "settings"
    settings.write_text("GAMESTACK_HTTPD_UNIT=apache2.service\nGAMESTACK_PREFIX=api-test\nGAMESTACK_DEST=/nonexistent\n")
    assert boot.main(["--config", str(settings)]) == 1
    assert ("mask", "--runtime", "apache2.service") in calls
    assert ("--no-block", "stop", "apache2.service") in calls
    err = capsys.readouterr().err.splitlines()
    assert err == ["FAILED: setting GAMESTACK_BUCKET is missing; apache2.service stopped and kept from starting"]
