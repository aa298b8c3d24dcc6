"""Helpers for the tooling tests: seed AMIs, run a localhost play, read its results."""

from __future__ import annotations

import json
import sys
import textwrap

from tests.conftest import ansible_env, run


def register_images(ec2, names):
    """Register one own AMI per name (moto: OwnerId is the account, so Owners=['self'] finds them)."""
    ids = {}
    for name in names:
        ids[name] = ec2.register_image(
            Name=name,
            RootDeviceName="/dev/xvda",
            Architecture="x86_64",
            BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}],
        )["ImageId"]
    return ids


class PlayResult:
    """An ansible-playbook run read through the ansible.posix.json stdout callback."""

    def __init__(self, proc):
        self.proc = proc
        self.rc = proc.returncode
        self.output = proc.stdout + proc.stderr
        try:
            # profile_tasks (enabled in ansible.cfg) prints its timings around the JSON document.
            self.data = json.JSONDecoder().raw_decode(proc.stdout[proc.stdout.index("{"):])[0]
        except ValueError:
            raise AssertionError("ansible-playbook did not print JSON (rc=%s):\n%s" % (self.rc, self.output))

    @property
    def stats(self):
        """{'ok': n, 'changed': n, 'failures': n, ...} of localhost."""
        return self.data["stats"]["localhost"]

    def task(self, name):
        """The localhost result of the task called ``name`` (in a role: ``role : name``)."""
        for play in self.data["plays"]:
            for task in play["tasks"]:
                if task["task"]["name"] == name or task["task"]["name"].endswith(" : " + name):
                    return task["hosts"]["localhost"]
        raise AssertionError("no task %r in the run:\n%s" % (name, self.output))

    def failure(self):
        """The message of the first failed task (or '')."""
        for play in self.data["plays"]:
            for task in play["tasks"]:
                result = task["hosts"].get("localhost", {})
                if result.get("failed"):
                    # A loop: the messages of the failed items, after the summary.
                    items = [r.get("msg", "") for r in result.get("results", []) if r.get("failed")]
                    return "\n".join([result.get("msg", "")] + items) or json.dumps(result)
        return ""


def playbook(tmp_path, endpoint, tasks, check=False, extra_args=(), env_extra=None, play_vars=None, name="play.yml"):
    """Run a localhost play holding ``tasks`` (YAML text) with ansible-playbook; return a PlayResult."""
    play = "- hosts: localhost\n  gather_facts: false\n  vars: %s\n  tasks:\n" % json.dumps(play_vars or {})
    path = tmp_path / name
    path.write_text(play + textwrap.indent(textwrap.dedent(tasks), "    "))
    cmd = ["ansible-playbook", "-i", "localhost,", "-c", "local", str(path)]
    if check:
        cmd.append("--check")
    cmd.extend(extra_args)
    env = ansible_env(
        endpoint,
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        **(env_extra or {})
    )
    return PlayResult(run(cmd, env))
