# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""gamestack.aws.rsync_push: rsync from the controller to the task's host, run in the worker process.

The documentation is in plugins/modules/rsync_push.py. The remote shell rsync uses is built from the
host's own connection (ssh: the command line Ansible's ssh plugin builds; docker: `docker exec -i`),
so a push costs the rsync and nothing else: no module is run, not even on the controller.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import tempfile

from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.action import ActionBase

SSH = frozenset(("ssh", "ansible.builtin.ssh"))
DOCKER = frozenset(("docker", "community.docker.docker", "community.general.docker"))
LOCAL = frozenset(("local", "ansible.builtin.local"))
SUDO = frozenset(("sudo", "ansible.builtin.sudo"))
# Each change rsync reports is one line of stdout with this prefix (anything else is not a change).
MARK = "<<CHANGED>>"
# Options that change what rsync prints: the result is read from that output.
# --quiet as well: it silences the change lines, so a push would report nothing and a deploy end early.
OUTPUT_OPTIONS = ("--out-format", "--log-format", "--itemize-changes", "--verbose", "--info", "--dry-run", "--quiet")

ARGUMENT_SPEC = dict(
    src=dict(type="path", required=True),
    dest=dict(type="str", required=True),
    archive=dict(type="bool", default=True),
    delete=dict(type="bool", default=False),
    compress=dict(type="bool", default=False),
    rsync_opts=dict(type="list", elements="str", default=[]),
    rsync_path=dict(type="str"),
)


class PushError(Exception):
    """A setting or a connection this plugin cannot push over; the message names it."""


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)[1]
        try:
            argv = self.command(args)
        except PushError as exc:
            result.update(failed=True, msg="rsync_push: %s" % exc, changes=[])
            return result
        cmd = " ".join(shlex.quote(to_text(a, errors="surrogate_or_replace")) for a in argv)
        result["cmd"] = cmd
        # Files, not pipes: an ssh ControlPersist master started by this rsync may keep a pipe open
        # for its whole life, and reading to EOF would wait for it.
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            try:
                rc = subprocess.call(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
            except OSError as exc:
                result.update(failed=True, changes=[], msg="rsync_push: cannot run %s: %s" % (to_text(argv[0]), exc))
                return result
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
        changes = [
            to_text(line[len(MARK):], errors="surrogate_or_replace")
            for line in stdout.splitlines()
            if line.startswith(to_bytes(MARK))
        ]
        result.update(rc=rc, changes=changes, changed=bool(changes))
        if rc != 0:
            stderr = to_text(stderr, errors="surrogate_or_replace")
            tail = stderr.strip().splitlines()[-10:]
            result.update(
                failed=True,
                stderr=stderr,
                msg="rsync_push: rsync from %s to %s failed with exit code %d: %s"
                % (args["src"], argv[-1], rc, " | ".join(tail) or "(no message)"),
            )
        return result

    def command(self, args):
        """The rsync argv for this task's host and connection (raises PushError with the reason)."""
        for opt in args["rsync_opts"]:
            name = opt.split("=", 1)[0]
            if name in OUTPUT_OPTIONS or (name.startswith("-") and not name.startswith("--") and set(name[1:]) & set("ivnq")):
                raise PushError(
                    "rsync_opts %r changes what rsync prints or makes it a dry-run; the list of changes is read from "
                    "that output (use check mode for a dry-run)." % opt
                )
        rsync = shutil.which("rsync")
        if rsync is None:
            raise PushError("rsync is not installed on the controller (it runs the push; the host needs it too).")
        argv = [rsync]
        if args["archive"]:
            argv.append("--archive")
        argv += ["--protect-args", "--out-format=%s%%i %%n%%L" % MARK]
        if args["delete"]:
            argv.append("--delete")
        if args["compress"]:
            argv.append("--compress")
        if self._task.check_mode:
            argv.append("--dry-run")
        argv += args["rsync_opts"]
        transport, rsh, target, rsync_path = self.transport(args["dest"])
        if rsh:
            argv.append("--rsh=" + rsh)
        rsync_path = args["rsync_path"] or rsync_path
        if rsync_path:
            argv.append("--rsync-path=" + rsync_path)
        if transport in DOCKER:
            # as ansible.posix.synchronize does over docker exec
            argv.append("--blocking-io")
        argv += [args["src"], target]
        return argv

    def transport(self, dest):
        """(transport, rsh or None, rsync target, remote rsync path or None) for the task's connection."""
        conn = self._connection
        transport = conn.transport
        become = conn.become if self._play_context.become else None
        become_user = (become.get_option("become_user") or "root") if become else None
        if transport in LOCAL:
            if become:
                raise PushError("become is not supported on the local connection; run the play as the user who owns %s." % dest)
            return transport, None, dest, None
        if transport in DOCKER:
            docker = getattr(conn, "docker_cmd", None) or shutil.which("docker") or "docker"
            rsh = [to_text(docker)]
            extra = self._option(conn, "docker_extra_args")
            if extra:
                rsh += extra.split(" ")
            rsh.append("exec")
            user = become_user or self._option(conn, "remote_user") or self._play_context.remote_user
            if user:
                rsh += ["-u", user]
            rsh.append("-i")
            return transport, _join(rsh), "%s:%s" % (self._option(conn, "remote_addr"), dest), None
        if transport in SSH:
            if self._option(conn, "password") or self._play_context.password:
                raise PushError(
                    "host %s uses an ssh password: rsync cannot be given one. Use a key or an ssh agent."
                    % self._play_context.remote_addr
                )
            rsync_path = None
            if become:
                if become.name not in SUDO and getattr(become, "_load_name", "") not in SUDO:
                    raise PushError("become_method %s is not supported; only sudo can run rsync on the host." % become.name)
                if become.get_option("become_pass"):
                    raise PushError(
                        "the sudo rule on %s asks for a password (become_pass is set): rsync cannot be given one. "
                        "Allow rsync without a password (NOPASSWD)." % self._play_context.remote_addr
                    )
                rsync_path = "sudo -n -u %s rsync" % shlex.quote(become_user)
            # The very ssh command line of the ssh plugin for this host (args, port, user, key, host key
            # checking, ControlPersist master, bastions in ssh_common_args), as its exec_command builds it.
            conn.host = self._option(conn, "host") or self._play_context.remote_addr
            ssh = conn._build_command(self._option(conn, "ssh_executable") or "ssh", "ssh")
            host = conn.host
            if ":" in host:
                host = "[%s]" % host
            return transport, _join(to_text(a, errors="surrogate_or_strict") for a in ssh), "%s:%s" % (host, dest), rsync_path
        raise PushError(
            "the connection %s of host %s is not supported; rsync_push pushes over ssh (ansible.builtin.ssh), "
            "community.docker.docker or local." % (transport, self._play_context.remote_addr)
        )

    @staticmethod
    def _option(conn, name):
        try:
            return conn.get_option(name)
        except KeyError:
            return None


def _join(words):
    """A command line for rsync's --rsh: words separated by spaces, quoted as rsync reads them."""
    return " ".join(shlex.quote(w) for w in words)
