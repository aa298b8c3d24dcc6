"""rsync_deploy over ssh, the way EC2 app hosts are reached: a user with a key and sudo, host key checking off.

The other deploy tests use the docker connection. Here the same app-tier image also runs sshd, and
playbooks/deploy.yml reaches it over ansible.builtin.ssh as an unprivileged user with `become`, so both
pushes of gamestack.aws.rsync_push take the ssh command line of Ansible's ssh plugin and run the
host's rsync with `sudo -n` (the tree is owned by root:www-data).
"""

from __future__ import annotations

import re
import uuid

import pytest

from tests.harness.containers import docker

from .conftest import APP_FILES, PREFIX, Deployer, Host, local_tree, ssh_host_vars, start_ssh_host, write_tree

NAME = PREFIX + "ssh"


@pytest.fixture(scope="module")
def ssh_host(tmp_path_factory):
    host, address, key = start_ssh_host(NAME, tmp_path_factory.mktemp("ssh"))
    yield host, address, key
    docker("rm", "-f", "-v", NAME, check=False)


def deploy_over_ssh(tmp_path, address, key, variables, extra_args=()):
    deployer = Deployer(Host(NAME), tmp_path, host_vars=ssh_host_vars(address, key, tmp_path / "cp"))
    return deployer.playbook(variables, extra_args=extra_args)


def test_deploy_over_ssh_as_a_sudo_user(ssh_host, tmp_path):
    host, address, key = ssh_host
    host: Host
    src = write_tree(tmp_path / "build", dict(APP_FILES, **{"lib/näme with space.php": "<?php\n"}))
    variables = {"rsync_deploy_src": str(src), "rsync_deploy_dest": "/var/www/app"}

    first = deploy_over_ssh(tmp_path, address, key, variables).assert_ok()
    assert first.changed > 0
    assert host.tree("/var/www/app") == local_tree(src)
    # pushed by `sudo -n -u root rsync` on the host: root may hand the files to root:www-data
    owners = host.sh("stat -c '%U:%G %a' '/var/www/app/lib/näme with space.php' /var/www/app.staging/lib")
    assert owners.stdout.split("\n")[:2] == ["root:www-data 644", "root:www-data 755"]
    assert "version=v1" in host.page()
    # one ssh master for the host: the pushes went through the ControlPersist connection of the play
    # (a push with its own ssh options would have opened a second master next to it)
    assert len(list((tmp_path / "cp").iterdir())) == 1

    again = deploy_over_ssh(tmp_path, address, key, variables).assert_ok()
    assert again.changed == 0, again.output

    (src / "lib/version.php").write_text("<?php\nconst APP_VERSION = 'v2-over-ssh';\n")
    one = deploy_over_ssh(tmp_path, address, key, variables, extra_args=["--diff"]).assert_ok()
    listed = re.findall(r'"([<>ch.*][^"]{10} [^"]+)"', one.output)
    # --diff lists what the live sync of the remote step changed (moved in from the staging copy: >f)
    assert listed in ([">fc.t...... lib/version.php"], [">fcst...... lib/version.php"]), one.output
    assert "version=v2-over-ssh" in host.page()
    assert host.tree("/var/www/app") == local_tree(src)


def test_a_sudo_rule_that_wants_a_password_is_named(ssh_host, tmp_path):
    """The rsync of the push cannot answer a sudo prompt: `sudo -n` makes it fail at once, with sudo's reason."""
    host, address, key = ssh_host
    src = write_tree(tmp_path / "build", APP_FILES)
    dest = "/srv/ssh-%s/app" % uuid.uuid4().hex[:8]
    # sudo keeps working for everything but rsync, which now asks for a password
    host.sh("mkdir -p %s && printf 'deploy ALL=(ALL) NOPASSWD: ALL\\ndeploy ALL=(ALL) PASSWD: /usr/bin/rsync\\n'"
            " > /etc/sudoers.d/deploy" % dest.rsplit("/", 1)[0])
    try:
        result = deploy_over_ssh(tmp_path, address, key, {"rsync_deploy_src": str(src), "rsync_deploy_dest": dest})
    finally:
        host.sh("echo 'deploy ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/deploy")
    result.assert_failed("rsync_push: rsync from %s/ to %s:%s.staging/ failed with exit code" % (src, address, dest),
                         "a password is required")
    # the (empty) destination directory was created before the push into the staging copy failed;
    # nothing reached either
    assert host.sh("find %s -mindepth 1" % dest).stdout == ""
    assert host.sh("find %s.staging -mindepth 1 2>/dev/null || true" % dest).stdout == ""
