"""playbooks/deploy.yml with deploy_publish_bucket: the build is uploaded to S3 before the first batch and
`current` moves after the last one, so an instance that boots after the deploy installs the release the
fleet serves.

Two containers: the session's app host (the fleet) and `<prefix>boot`, an instance of an image baked before
the deploy (an older release and the bootstrap unit), restarted to boot after it. moto listens on the docker
bridge (conftest.bridge_moto), where the booting container reaches it.
"""

from __future__ import annotations

import pytest

from tests.harness.containers import docker
from tests.harness.moto import MotoServer, boto3_client

from .conftest import APP_FILES, PREFIX, Deployer, local_tree, prepared_image, start_container, write_tree

BUCKET = "gamestack-fleet"
DEST = "/var/www/app"
FLEET_STAMP = "20260401-1000"
FLEET_RELEASE = "api-test-" + FLEET_STAMP


def version(name: str) -> dict:
    return dict(APP_FILES, **{"lib/version.php": "<?php\nconst APP_VERSION = '%s';\n" % name})


def publish_vars(moto) -> dict:
    return {"deploy_publish_bucket": BUCKET, "deploy_publish_endpoint_url": moto.endpoint}


def bootstrap_vars(moto) -> dict:
    return {"rsync_deploy_bootstrap_enabled": True, "rsync_deploy_bootstrap_bucket": BUCKET,
            "rsync_deploy_bootstrap_region": "us-east-1", "rsync_deploy_bootstrap_endpoint_url": moto.endpoint,
            "rsync_deploy_bootstrap_retries": 2, "rsync_deploy_bootstrap_timeout": 5,
            "rsync_deploy_bootstrap_extra_env": {"AWS_ACCESS_KEY_ID": "AKIAGAMESTACKTEST000",
                                                 "AWS_SECRET_ACCESS_KEY": "test-secret",
                                                 "GAMESTACK_S3_CLIENT": "stdlib"}}


@pytest.fixture(scope="module")
def s3(bridge_moto):
    client = boto3_client("s3", bridge_moto.endpoint)
    client.create_bucket(Bucket=BUCKET)
    return client


def current(s3) -> str:
    return s3.get_object(Bucket=BUCKET, Key="api-test/current")["Body"].read().decode()


def keys(s3) -> set:
    return {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="api-test/").get("Contents", [])}


@pytest.fixture(scope="module")
def booted_later(app_host, bridge_moto, tmp_path_factory):
    """An instance of an image baked before the deploy: an older release, the bootstrap unit enabled."""
    name = PREFIX + "boot"
    host = start_container(name, prepared_image())
    try:
        work = tmp_path_factory.mktemp("baked")
        Deployer(host, work).deploy(write_tree(work / "baked", version("baked")),
                                    rsync_deploy_release="api-test-20260101-0000",
                                    **bootstrap_vars(bridge_moto)).assert_ok()
        yield host
    finally:
        docker("rm", "-f", "-v", name, check=False)


@pytest.fixture(scope="module")
def fleet(app_host, bridge_moto, s3, tmp_path_factory):
    """The fleet deployed and the build published, with the run's release FLEET_RELEASE."""
    work = tmp_path_factory.mktemp("fleet")
    build = write_tree(work / "build", version("fleet-2"))
    result = Deployer(app_host, work).deploy(build, deploy_release_stamp=FLEET_STAMP,
                                             **publish_vars(bridge_moto)).assert_ok()
    return {"build": build, "result": result, "work": work}


def assert_fleet_unchanged(app_host, fleet, s3):
    assert current(s3) == FLEET_RELEASE + "\n"
    assert app_host.read(DEST + "/.release").strip() == FLEET_RELEASE
    assert app_host.tree(DEST) == local_tree(fleet["build"])


def test_an_instance_booted_after_the_deploy_installs_the_fleets_release(app_host, booted_later, fleet, s3):
    assert app_host.read(DEST + "/.release").strip() == FLEET_RELEASE
    assert current(s3) == FLEET_RELEASE + "\n"
    assert {"api-test/%s.tar.gz" % FLEET_RELEASE, "api-test/%s.tar.gz.sha256" % FLEET_RELEASE} <= keys(s3)
    # uploaded before the first batch, current moved after the last one
    out = fleet["result"].output
    assert out.index("Upload the archive") < out.index("PLAY [Deploy the build]") < out.index(
        "Move the pointer to this release")

    booted_later.reboot()
    assert booted_later.sh("systemctl is-active gamestack-bootstrap").stdout.strip() == "active"
    assert booted_later.read(DEST + "/.release") == app_host.read(DEST + "/.release")
    assert booted_later.tree(DEST) == local_tree(fleet["build"]) == app_host.tree(DEST)
    assert "version=fleet-2" in booted_later.page()


def test_a_failed_deploy_leaves_current_on_the_release_the_fleet_serves(app_host, fleet, bridge_moto, s3, tmp_path):
    broken = write_tree(tmp_path / "broken", dict(version("fleet-3"), **{"lib/broken.php": "<?php\nfunction broken( {\n"}))
    result = Deployer(app_host, tmp_path).deploy(broken, deploy_release_stamp="20260401-1100",
                                                 **publish_vars(bridge_moto))
    result.assert_failed("PHP syntax error in 1 changed file(s)", "lib/broken.php")
    assert "PLAY [Point instances that boot later" not in result.output
    # uploaded before the first batch, never pointed at
    assert "api-test/api-test-20260401-1100.tar.gz" in keys(s3)
    assert_fleet_unchanged(app_host, fleet, s3)


def test_a_build_the_bootstrap_would_refuse_stops_the_deploy_before_any_host(app_host, fleet, bridge_moto, s3,
                                                                             tmp_path):
    build = write_tree(tmp_path / "link", version("fleet-link"))
    (build / "public" / "uploads").symlink_to("/mnt/efs/uploads")
    result = Deployer(app_host, tmp_path).deploy(build, deploy_release_stamp="20260401-1130",
                                                 **publish_vars(bridge_moto))
    result.assert_failed("the bootstrap would refuse this build", "Nothing was uploaded")
    assert not any("20260401-1130" in key for key in keys(s3))
    assert_fleet_unchanged(app_host, fleet, s3)


def test_a_rerun_of_the_release_uploads_the_same_build_again_never_another(app_host, fleet, bridge_moto, s3,
                                                                           tmp_path):
    before = s3.get_object(Bucket=BUCKET, Key="api-test/%s.tar.gz" % FLEET_RELEASE)
    deployer = Deployer(app_host, tmp_path)
    same = deployer.deploy(fleet["build"], deploy_release_stamp=FLEET_STAMP, **publish_vars(bridge_moto)).assert_ok()
    assert "already published, the same build" in same.output

    other = write_tree(tmp_path / "other", version("other"))
    deployer.deploy(other, deploy_release_stamp=FLEET_STAMP, **publish_vars(bridge_moto)).assert_failed(
        "%s.tar.gz already exists with sha256" % FLEET_RELEASE, "releases are immutable", "Nothing was uploaded")
    after = s3.get_object(Bucket=BUCKET, Key="api-test/%s.tar.gz" % FLEET_RELEASE)
    assert (after["ETag"], after["LastModified"]) == (before["ETag"], before["LastModified"])
    assert_fleet_unchanged(app_host, fleet, s3)


def test_check_mode_uploads_nothing_and_says_what_it_would_publish(app_host, fleet, bridge_moto, s3, tmp_path):
    build = write_tree(tmp_path / "next", version("next"))
    result = Deployer(app_host, tmp_path).deploy(build, deploy_release_stamp="20260401-1200",
                                                 extra_args=["--check"], **publish_vars(bridge_moto)).assert_ok()
    assert "would publish s3://%s/api-test/api-test-20260401-1200.tar.gz" % BUCKET in result.output, result.output
    assert "would move s3://%s/api-test/current to api-test-20260401-1200" % BUCKET in result.output
    assert not any("20260401-1200" in key for key in keys(s3))
    assert_fleet_unchanged(app_host, fleet, s3)


def test_without_the_bucket_the_deploy_makes_no_aws_call(app_host, tmp_path, monkeypatch):
    """A moto server that records every call, which boto3 in the run would reach (AWS_ENDPOINT_URL)."""
    calls = tmp_path / "calls.jsonl"
    monkeypatch.setenv("GAMESTACK_AWS_CALL_LOG", str(calls))
    with MotoServer() as moto:
        deployer = Deployer(app_host, tmp_path)
        deployer.env["AWS_ENDPOINT_URL"] = moto.endpoint
        build = write_tree(tmp_path / "plain", version("plain"))
        result = deployer.deploy(build, deploy_release_stamp="20260401-1300").assert_ok()
    assert app_host.read(DEST + "/.release").strip() == "api-test-20260401-1300"
    assert "Upload the archive" not in result.output and "Move the pointer" not in result.output
    assert not calls.exists() or calls.read_text() == ""


def test_a_rollback_with_the_bucket_is_refused_before_any_host(app_host, fleet, bridge_moto, s3, tmp_path):
    marker, tree = app_host.read(DEST + "/.release"), app_host.tree(DEST)
    result = Deployer(app_host, tmp_path).playbook(dict(publish_vars(bridge_moto), rsync_deploy_rollback=True))
    result.assert_failed("a rollback publishes nothing", "no host was changed")
    assert (app_host.read(DEST + "/.release"), app_host.tree(DEST)) == (marker, tree)
    assert current(s3) == FLEET_RELEASE + "\n"
