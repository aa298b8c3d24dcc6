"""The connection options amazon.aws users know reach the clients, and every module and plugin documents them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.gamestack.aws.plugins.module_utils import aws

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
KEYS = dict(access_key="AKIAGAMESTACKTEST000", secret_key="secret")


def ec2(**options):
    return aws.ClientFactory(component="test", **dict(KEYS, **options)).client("ec2", "us-east-1")


def test_validate_certs_and_ca_bundle_reach_the_client(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    assert ec2()._endpoint.http_session._verify is True
    assert ec2(validate_certs=False)._endpoint.http_session._verify is False
    assert ec2(aws_ca_bundle=str(bundle))._endpoint.http_session._verify == str(bundle)
    # As in amazon.aws: no verification means no bundle either.
    assert ec2(validate_certs=False, aws_ca_bundle=str(bundle))._endpoint.http_session._verify is False


def test_aws_config_is_merged_and_the_user_agent_stays():
    client = ec2(aws_config={"connect_timeout": 3, "read_timeout": 7})
    assert (client.meta.config.connect_timeout, client.meta.config.read_timeout) == (3, 7)
    assert "gamestack.aws/test" in client.meta.config.user_agent_extra


def test_unknown_aws_config_key_is_named():
    with pytest.raises(aws.AwsSetupError, match="no_such_setting"):
        ec2(aws_config={"no_such_setting": 1})


def test_invalid_region_is_named():
    with pytest.raises(aws.AwsSetupError, match="region 'us east 1'"):
        aws.ClientFactory(**KEYS).client("ec2", "us east 1")


AMAZON_AWS_OPTIONS = {"region", "profile", "endpoint_url", "access_key", "secret_key", "session_token",
                      "validate_certs", "aws_ca_bundle", "aws_config"}
PLUGINS = {
    "module": ["ec2_enhanced_networking", "image_catalog", "autoscaling_singleton", "rds_parameter_group"],
    "lookup": ["latest_image"],
    "inventory": ["name_tags"],
}


@pytest.mark.parametrize("kind", sorted(PLUGINS))
def test_every_aws_plugin_documents_amazon_aws_connection_options(kind):
    names = ["gamestack.aws." + name for name in PLUGINS[kind]]
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"))
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-doc"), "-t", kind, "--json"] + names,
                          capture_output=True, text=True, env=env, cwd=REPO, check=False)
    assert proc.returncode == 0, proc.stderr
    docs = json.loads(proc.stdout)
    for name in names:
        doc = docs[name]["doc"]
        wanted = AMAZON_AWS_OPTIONS - ({"region"} if kind == "inventory" else set())  # the inventory has regions
        assert wanted <= set(doc["options"]), "%s lacks %s" % (name, sorted(wanted - set(doc["options"])))
