"""Publish to S3 (moto over HTTP) with playbooks/publish.yml, then the boot-time bootstrap in a real
systemd container: each case reboots the container (docker restart) and looks at Apache, the live
tree and the journal.

moto listens on the docker bridge's host address (the container cannot reach the host's 127.0.0.1):
the fixture bridge_moto of conftest.py.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
import time
import uuid

import pytest

from tests.harness.moto import boto3_client, free_port

from .conftest import APP_FILES, bridge_gateway, local_tree, write_tree

BUCKET = "gamestack-releases"
PREFIX = "api-test"


@pytest.fixture(scope="module")
def s3(bridge_moto):
    client = boto3_client("s3", bridge_moto.endpoint)
    client.create_bucket(Bucket=BUCKET)
    return client


def publish(deployer, moto, build, stamp, **extra):
    variables = dict(publish_build_dir=str(build), publish_bucket=BUCKET, publish_app="api", publish_env="test",
                     publish_release_stamp=stamp, publish_endpoint_url=moto.endpoint, publish_workdir=str(build.parent))
    variables.update(extra)
    return deployer.playbook(variables, playbook="playbooks/publish.yml")


def put(s3, key, body: bytes):
    s3.put_object(Bucket=BUCKET, Key=key, Body=body)


def journal(app_host, wait: float = 30.0) -> list[str]:
    """What the last run of the bootstrap unit logged (a container restart keeps the host's boot id).

    journald reads the unit's stderr stream on its own time: on a loaded machine the unit can be failed
    before its line is in the journal (seen in a run beside a CI build). So this asks journald to write
    what it has and waits up to `wait` seconds for a first line; how many lines there are is the test's.
    """
    invocation = app_host.sh("systemctl show -p InvocationID --value gamestack-bootstrap").stdout.strip()
    assert invocation, "gamestack-bootstrap did not run"
    deadline = time.monotonic() + wait
    while True:
        app_host.sh("journalctl --sync", check=False)
        out = app_host.sh("journalctl -o cat --no-pager -t gamestack-bootstrap _SYSTEMD_INVOCATION_ID=%s"
                          % invocation).stdout
        lines = [line for line in out.splitlines() if line.strip()]
        if lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.5)


@pytest.fixture(scope="module")
def installed(app_host, bridge_moto, s3, tmp_path_factory):
    """The role with the bootstrap enabled, pointing at moto; a first release published and deployed."""
    from .conftest import Deployer

    work = tmp_path_factory.mktemp("bootstrap")
    deployer = Deployer(app_host, work)
    build = write_tree(work / "good", dict(APP_FILES, **{"lib/version.php": "<?php\nconst APP_VERSION = 'boot-1';\n",
                                                         "public/ünï file.txt": "x\n"}))
    publish(deployer, bridge_moto, build, "20260301-0900").assert_ok()
    deployer.deploy(build, rsync_deploy_dest="/var/www/app", rsync_deploy_release="api-test-20260301-0800",
                    rsync_deploy_bootstrap_enabled=True, rsync_deploy_bootstrap_bucket=BUCKET,
                    rsync_deploy_bootstrap_region="us-east-1",
                    rsync_deploy_bootstrap_endpoint_url=bridge_moto.endpoint,
                    rsync_deploy_bootstrap_retries=2, rsync_deploy_bootstrap_timeout=5,
                    rsync_deploy_bootstrap_extra_env={"AWS_ACCESS_KEY_ID": "AKIAGAMESTACKTEST000",
                                                      "AWS_SECRET_ACCESS_KEY": "test-secret",
                                                      "GAMESTACK_S3_CLIENT": "stdlib"}).assert_ok()
    return {"deployer": deployer, "build": build, "work": work}


def set_env(app_host, key, value):
    app_host.sh("sed -i '/^%s=/d' /etc/default/gamestack-bootstrap && echo %s=%s >> /etc/default/gamestack-bootstrap"
                % (key, key, value))


def point_to(s3, release):
    put(s3, "%s/current" % PREFIX, (release + "\n").encode())


def test_publish_uploads_archive_checksum_and_pointer(installed, s3):
    objects = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=PREFIX + "/")["Contents"]}
    assert {"api-test/api-test-20260301-0900.tar.gz", "api-test/api-test-20260301-0900.tar.gz.sha256",
            "api-test/current"} <= objects
    body = s3.get_object(Bucket=BUCKET, Key="api-test/api-test-20260301-0900.tar.gz")["Body"].read()
    checksum = s3.get_object(Bucket=BUCKET, Key="api-test/api-test-20260301-0900.tar.gz.sha256")["Body"].read().decode()
    assert checksum == "%s  api-test-20260301-0900.tar.gz\n" % hashlib.sha256(body).hexdigest()
    assert s3.get_object(Bucket=BUCKET, Key="api-test/current")["Body"].read() == b"api-test-20260301-0900\n"
    with tarfile.open(fileobj=io.BytesIO(body)) as tar:
        names = {m.name.lstrip("./") for m in tar.getmembers() if m.isfile()}
    assert names == {k for k in local_tree(installed["build"]) if not k.endswith("/")}


@pytest.mark.parametrize("extra, message", [
    ({"publish_build_dir": "/nonexistent"}, "is not a directory; nothing was uploaded"),
    ({"publish_app": "Api"}, "must be lower-case letters and digits"),
    ({"publish_release_stamp": "20260301-0900", "other_build": True},
     "api-test-20260301-0900.tar.gz already exists with sha256 "),
], ids=["missing-build", "bad-app", "existing-release"])
def test_publish_refuses_bad_input(installed, bridge_moto, s3, extra, message):
    before = s3.get_object(Bucket=BUCKET, Key="api-test/current")["Body"].read()
    archive = s3.get_object(Bucket=BUCKET, Key="api-test/api-test-20260301-0900.tar.gz")["Body"].read()
    build = installed["build"]
    if extra.pop("other_build", False):
        build = write_tree(installed["work"] / "other", dict(APP_FILES, **{"lib/version.php": "<?php\nconst APP_VERSION = 'other';\n"}))
    publish(installed["deployer"], bridge_moto, build, "20260301-0901", **extra).assert_failed(message)
    assert s3.get_object(Bucket=BUCKET, Key="api-test/current")["Body"].read() == before
    assert s3.get_object(Bucket=BUCKET, Key="api-test/api-test-20260301-0900.tar.gz")["Body"].read() == archive


def test_publish_of_the_same_build_under_the_same_name_uploads_nothing(installed, bridge_moto, s3):
    """A re-run: the packed build has the same bytes, so its checksum matches the published one."""
    archive = s3.get_object(Bucket=BUCKET, Key="api-test/api-test-20260301-0900.tar.gz")
    result = publish(installed["deployer"], bridge_moto, installed["build"], "20260301-0900").assert_ok()
    assert "already published, the same build" in result.output
    again = s3.get_object(Bucket=BUCKET, Key="api-test/api-test-20260301-0900.tar.gz")
    assert again["LastModified"] == archive["LastModified"] and again["ETag"] == archive["ETag"]


def test_publish_refuses_a_build_the_bootstrap_would_refuse(installed, bridge_moto, s3):
    build = installed["work"] / "absolute-link"
    write_tree(build, APP_FILES)
    (build / "public" / "uploads").symlink_to("/mnt/efs/uploads")
    before = s3.get_object(Bucket=BUCKET, Key="api-test/current")["Body"].read()
    publish(installed["deployer"], bridge_moto, build, "20260301-0902").assert_failed(
        "the bootstrap would refuse this build", "symlink to the absolute path '/mnt/efs/uploads'",
        "Nothing was uploaded")
    assert s3.get_object(Bucket=BUCKET, Key="api-test/current")["Body"].read() == before
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET, Prefix="api-test/api-test-20260301-0902")
    # the archive was packed in a private directory that is gone again
    assert not list(installed["work"].glob("gamestack-publish-*"))


def test_good_release_is_served_after_boot(installed, app_host):
    app_host.sh("echo stale > /var/www/app/public/stale.txt")
    app_host.reboot()
    hardening = app_host.sh("systemctl show -p ProtectSystem -p NoNewPrivileges -p PrivateTmp gamestack-bootstrap").stdout
    assert sorted(hardening.split()) == ["NoNewPrivileges=yes", "PrivateTmp=yes", "ProtectSystem=strict"]
    assert app_host.sh("systemctl is-active gamestack-bootstrap").stdout.strip() == "active"
    assert app_host.sh("systemctl is-active apache2").stdout.strip() == "active"
    assert app_host.tree("/var/www/app") == local_tree(installed["build"])
    assert app_host.read("/var/www/app/.release").strip() == "api-test-20260301-0900"
    page = app_host.page()
    assert "version=boot-1" in page and "release=api-test-20260301-0900" in page
    lines = journal(app_host)
    assert len(lines) == 1 and lines[0].startswith("OK: release api-test-20260301-0900 installed") and "stdlib" in lines[0]


def test_good_release_with_boto3(installed, app_host, bridge_moto, tmp_path):
    build = write_tree(tmp_path / "b3", dict(APP_FILES, **{"lib/version.php": "<?php\nconst APP_VERSION = 'boot-b3';\n"}))
    publish(installed["deployer"], bridge_moto, build, "20260301-0930").assert_ok()
    set_env(app_host, "GAMESTACK_S3_CLIENT", "boto3")
    try:
        app_host.reboot()
        assert "version=boot-b3" in app_host.page()
        lines = journal(app_host)
        assert len(lines) == 1 and "api-test-20260301-0930" in lines[0] and "boto3" in lines[0], lines
    finally:
        set_env(app_host, "GAMESTACK_S3_CLIENT", "stdlib")


def _release_tarball(files: dict) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo("./" + name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _checksum(body: bytes, release: str) -> bytes:
    return ("%s  %s.tar.gz\n" % (hashlib.sha256(body).hexdigest(), release)).encode()


def case_missing_object(s3):
    point_to(s3, "api-test-20260302-0100")
    return "api-test-20260302-0100.tar.gz.sha256: HTTP 404 NoSuchKey"


def case_missing_archive_only(s3):
    release = "api-test-20260302-0150"
    put(s3, "%s/%s.tar.gz.sha256" % (PREFIX, release), b"0" * 64 + b"  x\n")
    point_to(s3, release)
    return "api-test-20260302-0150.tar.gz: HTTP 404 NoSuchKey"


def case_corrupt_tarball(s3):
    release = "api-test-20260302-0200"
    body = _release_tarball({"public/index.php": "<?php echo 'corrupt';\n"})
    body = body[: len(body) // 2]  # truncated gzip stream
    put(s3, "%s/%s.tar.gz" % (PREFIX, release), body)
    put(s3, "%s/%s.tar.gz.sha256" % (PREFIX, release), _checksum(body, release))
    point_to(s3, release)
    return "release archive is corrupt"


def case_wrong_checksum(s3):
    release = "api-test-20260302-0300"
    body = _release_tarball({"public/index.php": "<?php echo 'tampered';\n"})
    put(s3, "%s/%s.tar.gz" % (PREFIX, release), body)
    put(s3, "%s/%s.tar.gz.sha256" % (PREFIX, release), _checksum(b"something else", release))
    point_to(s3, release)
    return "checksum mismatch"


def case_escaping_archive(s3):
    release = "api-test-20260302-0400"
    body = _release_tarball({"../../etc/evil": "x"})
    put(s3, "%s/%s.tar.gz" % (PREFIX, release), body)
    put(s3, "%s/%s.tar.gz.sha256" % (PREFIX, release), _checksum(body, release))
    point_to(s3, release)
    return "would land outside the tree"


def case_chained_links(s3):
    """Links harmless one by one: up is the tree's root, out its parent; out/FILE must not be written."""
    release = "api-test-20260302-0500"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, target in (("a/b/c/up", "../../.."), ("out", "a/b/c/up/../..")):
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
        info = tarfile.TarInfo("out/gamestack-chained-file")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"x\n"))
    body = buf.getvalue()
    put(s3, "%s/%s.tar.gz" % (PREFIX, release), body)
    put(s3, "%s/%s.tar.gz.sha256" % (PREFIX, release), _checksum(body, release))
    point_to(s3, release)
    return "'out' links outside the tree"


def case_bad_pointer(s3):
    point_to(s3, "../../secret")
    return "not a release of api-test"


@pytest.mark.parametrize("case", [case_missing_object, case_missing_archive_only, case_corrupt_tarball,
                                  case_wrong_checksum, case_escaping_archive, case_chained_links, case_bad_pointer,
                                  "unreachable"],
                         ids=lambda c: c if isinstance(c, str) else c.__name__[5:])
def test_failed_bootstrap_keeps_httpd_down_and_tree_unchanged(installed, app_host, s3, case):
    app_host.sh("systemctl start apache2 && curl -fsS -o /dev/null http://127.0.0.1/")
    before = app_host.tree("/var/www/app")
    marker = app_host.read("/var/www/app/.release")
    good_pointer = s3.get_object(Bucket=BUCKET, Key="api-test/current")["Body"].read()
    endpoint = app_host.sh("sed -n 's/^GAMESTACK_S3_ENDPOINT_URL=//p' /etc/default/gamestack-bootstrap").stdout.strip()
    if case == "unreachable":
        set_env(app_host, "GAMESTACK_S3_ENDPOINT_URL", "http://%s:%d" % (bridge_gateway(app_host), free_port()))
        expected = "failed after 2 attempt(s)"
    else:
        expected = case(s3)
    try:
        app_host.reboot()
        assert app_host.sh("systemctl is-active apache2", check=False).stdout.strip() != "active"
        assert app_host.sh("systemctl is-active gamestack-bootstrap", check=False).stdout.strip() == "failed"
        assert app_host.sh("curl -fsS -o /dev/null http://127.0.0.1/", check=False).returncode != 0
        assert app_host.tree("/var/www/app") == before
        assert app_host.read("/var/www/app/.release") == marker
        lines = journal(app_host)
        assert len(lines) == 1, lines
        assert lines[0].startswith("FAILED: ") and expected in lines[0], lines
        assert app_host.sh("find / -xdev -name gamestack-chained-file").stdout == ""
        assert "apache2.service stopped and kept from starting" in lines[0]
        # kept from starting: a manual start is refused for this boot
        assert app_host.sh("systemctl start apache2", check=False).returncode != 0
    finally:
        set_env(app_host, "GAMESTACK_S3_ENDPOINT_URL", endpoint)
        put(s3, "api-test/current", good_pointer)
        # recovery as documented: rerun the bootstrap, then start the web server
        app_host.sh("systemctl reset-failed gamestack-bootstrap; systemctl start gamestack-bootstrap && systemctl start apache2")
        assert app_host.sh("systemctl is-active apache2").stdout.strip() == "active"


def test_the_settings_file_is_never_shown_by_diff_or_verbose(installed, app_host, bridge_moto):
    """The settings file may hold credentials: a run with --diff -v that changes it does not print them."""
    secret = "never-shown-%s" % uuid.uuid4().hex[:8]
    result = installed["deployer"].deploy(
        installed["build"], extra_args=["--diff", "-v"], rsync_deploy_dest="/var/www/app",
        rsync_deploy_release="api-test-20260301-0800", rsync_deploy_bootstrap_enabled=True,
        rsync_deploy_bootstrap_bucket=BUCKET, rsync_deploy_bootstrap_region="us-east-1",
        rsync_deploy_bootstrap_endpoint_url=bridge_moto.endpoint, rsync_deploy_bootstrap_retries=2,
        rsync_deploy_bootstrap_timeout=5,
        rsync_deploy_bootstrap_extra_env={"AWS_ACCESS_KEY_ID": "AKIAGAMESTACKTEST000", "AWS_SECRET_ACCESS_KEY": secret,
                                          "GAMESTACK_S3_CLIENT": "stdlib"}).assert_ok()
    try:
        assert "Write the bootstrap settings" in result.output and secret not in result.output
        assert secret in app_host.read("/etc/default/gamestack-bootstrap")
    finally:
        set_env(app_host, "AWS_SECRET_ACCESS_KEY", "test-secret")
