"""gamestack.aws.rsync_push in-process: the rsync command line per connection, and real local pushes.

The connections are Ansible's real plugins (ansible.builtin.ssh, community.docker.docker, local) with
their options set as an inventory would set them. The pushes over docker and over ssh with sudo run
against real hosts in tests/integration/deploy (test_rsync_deploy.py, test_rsync_push_ssh.py).
"""

from __future__ import annotations

import os
import shlex

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.plugins.loader import become_loader, connection_loader, init_plugin_loader
from ansible.template import Templar

from ansible_collections.gamestack.aws.plugins.action.rsync_push import ARGUMENT_SPEC, ActionModule, PushError

DEFAULTS = {k: v.get("default") for k, v in ARGUMENT_SPEC.items()}


@pytest.fixture(scope="module", autouse=True)
def plugin_loader():
    init_plugin_loader()


def action(connection="local", host="web1", conn_vars=None, become=None, become_vars=None, check=False):
    pc = PlayContext()
    pc.remote_addr = host
    conn = connection_loader.get(connection, pc, "/dev/null")
    conn.set_options(var_options=dict({"ansible_host": host}, **(conn_vars or {})))
    if become:
        plugin = become_loader.get(become)
        plugin.set_options(var_options=become_vars or {})
        conn.set_become_plugin(plugin)
        pc.become = True
    task = Task()
    task.check_mode = check
    loader = DataLoader()
    return ActionModule(task, conn, pc, loader, Templar(loader=loader), None)


def argv(act, **args):
    return [str(a) for a in act.command(dict(DEFAULTS, src="/build/", dest="/var/www/app.staging/", **args))]


def rsh(words):
    (value,) = [w[len("--rsh="):] for w in words if w.startswith("--rsh=")]
    return shlex.split(value)


def test_local_push_has_no_remote_shell():
    words = argv(action("local"), delete=True, rsync_opts=["--chown=root:www-data", "--exclude=.git/"])
    assert words[1:] == ["--archive", "--protect-args", "--out-format=<<CHANGED>>%i %n%L", "--delete",
                         "--chown=root:www-data", "--exclude=.git/", "/build/", "/var/www/app.staging/"]


def test_check_mode_is_a_dry_run():
    assert "--dry-run" in argv(action("local", check=True))
    assert "--dry-run" not in argv(action("local"))


def test_docker_runs_rsync_through_docker_exec_as_the_remote_user():
    words = argv(action("community.docker.docker", host="i-0abc", conn_vars={"ansible_user": "deploy"}))
    assert rsh(words)[1:] == ["exec", "-u", "deploy", "-i"]
    assert words[-1] == "i-0abc:/var/www/app.staging/"
    assert "--blocking-io" in words


def test_docker_become_user_and_extra_args():
    act = action("community.docker.docker", host="i-0abc",
                 conn_vars={"ansible_user": "deploy", "ansible_docker_extra_args": "--host unix:///run/d.sock"},
                 become="sudo", become_vars={"ansible_become_user": "www-data"})
    assert rsh(argv(act))[1:] == ["--host", "unix:///run/d.sock", "exec", "-u", "www-data", "-i"]


def test_ssh_uses_the_ssh_plugins_own_command_line(tmp_path):
    act = action("ssh", host="10.0.0.5", conn_vars={
        "ansible_user": "centos", "ansible_port": 2222, "ansible_ssh_private_key_file": "/keys/api.pem",
        "ansible_ssh_common_args": "-o ProxyJump=bastion.example.com",
        "ansible_ssh_args": "-o ControlMaster=auto -o ControlPersist=60s",
        "ansible_control_path_dir": str(tmp_path),
    })
    words = argv(act)
    shell = rsh(words)
    assert shell[0].endswith("ssh")
    for option in ("Port=2222", 'IdentityFile="/keys/api.pem"', 'User="centos"', "ProxyJump=bastion.example.com",
                   "ControlPersist=60s", "PasswordAuthentication=no"):
        assert option in shell, (option, shell)
    # the ControlPath of Ansible's own ssh master for this host: the push reuses that connection
    (control_path,) = [w for w in shell if w.startswith("ControlPath=")]
    assert str(tmp_path) in control_path
    assert words[-1] == "10.0.0.5:/var/www/app.staging/"
    assert not any(w.startswith("--rsync-path") for w in words)


def test_ssh_ipv6_address_is_bracketed():
    assert argv(action("ssh", host="fd00::5"))[-1] == "[fd00::5]:/var/www/app.staging/"


def test_ssh_become_runs_rsync_with_sudo_without_a_prompt():
    act = action("ssh", host="10.0.0.5", conn_vars={"ansible_user": "centos"}, become="sudo")
    assert "--rsync-path=sudo -n -u root rsync" in argv(act)
    act = action("ssh", host="10.0.0.5", become="sudo", become_vars={"ansible_become_user": "apache"})
    assert "--rsync-path=sudo -n -u apache rsync" in argv(act)
    # an explicit rsync_path wins
    assert "--rsync-path=/opt/bin/rsync" in argv(act, rsync_path="/opt/bin/rsync")


@pytest.mark.parametrize("make, needle", [
    (lambda: action("ssh", conn_vars={"ansible_password": "secret"}), "uses an ssh password"),
    (lambda: action("ssh", become="sudo", become_vars={"ansible_become_password": "s"}), "asks for a password"),
    (lambda: action("ssh", become="su"), "become_method su is not supported"),
    (lambda: action("local", become="sudo"), "become is not supported on the local connection"),
    (lambda: action("paramiko_ssh", host="web7"), "the connection paramiko of host web7 is not supported"),
])
def test_what_cannot_be_pushed_over_is_named(make, needle):
    with pytest.raises(PushError, match=needle):
        argv(make())


@pytest.mark.parametrize("opt", ["-v", "-avz", "--verbose", "--itemize-changes", "--out-format=%n", "--info=progress2",
                                 "--dry-run", "-n", "--quiet", "-aq"])
def test_options_that_change_the_output_are_refused(opt):
    with pytest.raises(PushError, match="rsync_opts '%s'" % opt):
        argv(action("local"), rsync_opts=["--delete-after", opt])


def run(act, src, dest, **args):
    act._task.args = dict(src=str(src) + "/", dest=str(dest) + "/", **args)
    return act.run(task_vars={})


def same_top_time(src, dest):
    """Give dest the modification time of src. rsync compares times in whole seconds: when building
    the trees crosses a second, it would also report the top directory ('.d..t...... ./')."""
    st = os.stat(src)
    os.utime(dest, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_a_real_local_push_reports_exactly_what_changed(tmp_path):
    src, dest = tmp_path / "build", tmp_path / "live"
    (src / "lib").mkdir(parents=True)
    (src / "lib" / "a b.php").write_text("<?php echo 1;\n")
    (src / "index.php").write_text("<?php echo 2;\n")
    dest.mkdir()
    (dest / "stale.txt").write_text("old")
    same_top_time(src, dest)

    preview = run(action(check=True), src, dest, delete=True)
    assert preview["changed"] and not preview.get("failed"), preview
    assert sorted(preview["changes"]) == sorted(["*deleting   stale.txt", ">f+++++++++ index.php",
                                                 "cd+++++++++ lib/", ">f+++++++++ lib/a b.php"])
    assert sorted(p.name for p in dest.iterdir()) == ["stale.txt"]  # check mode wrote nothing

    first = run(action(), src, dest, delete=True)
    assert sorted(first["changes"]) == sorted(preview["changes"]) and first["rc"] == 0
    assert (dest / "lib" / "a b.php").read_text() == "<?php echo 1;\n" and not (dest / "stale.txt").exists()

    again = run(action(), src, dest, delete=True)
    assert again["changed"] is False and again["changes"] == []


def test_a_failing_rsync_fails_the_task_with_its_message(tmp_path):
    src = tmp_path / "build"
    src.mkdir()
    result = run(action(), src, tmp_path / "no" / "such" / "parent")
    assert result["failed"] and result["rc"] != 0
    assert result["msg"].startswith("rsync_push: rsync from %s/ to %s/no/such/parent/ failed with exit code"
                                    % (src, tmp_path)), result["msg"]
    assert "No such file or directory" in result["msg"]


def test_a_refused_setting_runs_nothing(tmp_path):
    src, dest = tmp_path / "build", tmp_path / "live"
    src.mkdir()
    (src / "x").write_text("x")
    dest.mkdir()
    result = run(action(), src, dest, rsync_opts=["-v"])
    assert result["failed"] and "rsync_opts '-v'" in result["msg"] and "cmd" not in result
    assert list(dest.iterdir()) == []
