#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

# The work is done by the action plugin of the same name (plugins/action/rsync_push.py): rsync runs
# in the controller's worker process, no module is sent anywhere. This file holds its documentation.

from __future__ import annotations

DOCUMENTATION = r"""
module: rsync_push
short_description: Push a tree from the controller to a host with rsync, over the host's own connection
version_added: 0.1.0
author: gamestack.aws contributors (@gamestack)
description:
  - Runs C(rsync) on the controller, from O(src) to O(dest) on the host of the task, over the connection
    Ansible uses for that host. The rsync runs in the controller's worker process itself, so a push costs
    the rsync and nothing around it. M(ansible.posix.synchronize) runs a Python module on the controller
    around the same rsync, about half a second a task (see the collection's C(docs/benchmarks.md)).
  - "Connections: C(ansible.builtin.ssh) (the ssh command line Ansible builds for the host, so ssh_args,
    ssh_common_args, ssh_extra_args, port, user, key, host key checking and the ControlPersist master are
    the same as for every other task; a bastion set in ssh_common_args is used as well),
    C(community.docker.docker) (C(docker exec -i), with remote_user and docker_extra_args) and
    C(ansible.builtin.local). Any other connection is refused with a message that names it."
  - "Become: with C(sudo) over ssh, the host's rsync runs as C(sudo -n -u <become_user> rsync) (the sudo
    rule must not ask for a password); over docker, C(docker exec -u <become_user>)."
  - Always passes C(--protect-args), so file names and options reach the host's rsync inside the rsync
    protocol, untouched by a remote shell or by C(docker exec), which has none.
  - Check mode runs C(rsync --dry-run) and returns the same list of changes that a real run would make.
  - The role C(gamestack.aws.rsync_deploy) uses it for both of its pushes from the controller (the build
    into the staging copy, and the dry-run of check mode against the live tree).
  - "Why it is kept over M(ansible.posix.synchronize) for that job: the job is one rsync from the controller
    over the host's connection and the list of what changed. This plugin is just that (the command line built
    from the connection, the changes parsed from rsync's output), where synchronize runs a Python module on
    the controller around the same rsync in every task and reads its changes from free-form output."
options:
  src:
    description:
      - Path on the controller. As with rsync, a trailing C(/) copies the contents of the directory.
    type: path
    required: true
  dest:
    description:
      - Path on the host. Its parent directory must exist.
    type: str
    required: true
  archive:
    description: Pass C(--archive) (recursion, links, permissions, times, owner, group, devices).
    type: bool
    default: true
  delete:
    description: Pass C(--delete), deleting files in O(dest) that are not in O(src) (excluded files stay).
    type: bool
    default: false
  compress:
    description: Pass C(--compress). Worth it over slow links only.
    type: bool
    default: false
  rsync_opts:
    description:
      - More rsync options, one list element per option, passed as they are (no shell, no quoting needed),
        for example C(--exclude=.git/) or C(--chown=root:www-data).
      - Options that change what rsync prints (C(--out-format), C(--itemize-changes), C(--verbose),
        C(--info), C(--quiet)) are refused, since the result is read from that output.
    type: list
    elements: str
    default: []
  rsync_path:
    description:
      - The command that runs rsync on the host. Default C(rsync), or C(sudo -n -u <become_user> rsync) with
        sudo become over ssh.
    type: str
attributes:
  check_mode:
    support: full
    description: Runs C(rsync --dry-run) and reports what would change.
  diff_mode:
    support: none
    description: The list of changes is returned in RV(changes) instead.
notes:
  - rsync must be installed on the controller and on the host.
  - A password for ssh or for become cannot be given to rsync. Use a key (or an ssh agent) and a sudo rule
    without a password; the module says so instead of hanging.
seealso:
  - module: ansible.posix.synchronize
"""

EXAMPLES = r"""
- name: Push a built tree into a staging directory next to the live one
  gamestack.aws.rsync_push:
    src: /srv/build/api/
    dest: /var/www/app.staging/
    delete: true
    rsync_opts:
      - --omit-dir-times
      - --chmod=D0755,F0644
      - --chown=root:www-data
      - --exclude=.git/

- name: What would change in the live tree (nothing is written)
  gamestack.aws.rsync_push:
    src: /srv/build/api/
    dest: /var/www/app/
    delete: true
  check_mode: true
  register: pending

- name: Show it
  ansible.builtin.debug:
    var: pending.changes
"""

RETURN = r"""
changes:
  description:
    - One line per created, changed or deleted path, C(%i %n%L) in rsync's C(--out-format) (the
      C(--itemize-changes) code, the path relative to O(dest), C( -> target) for a symlink).
    - Empty when nothing changes.
  returned: always
  type: list
  elements: str
  sample: ["<f.st...... lib/version.php", "*deleting   lib/old.php"]
cmd:
  description: The rsync command line that ran, shell-quoted.
  returned: always
  type: str
  sample: >-
    rsync --archive --protect-args '--out-format=<<CHANGED>>%i %n%L' --delete '--rsh=docker exec -i'
    --blocking-io /srv/build/api/ web1:/var/www/app.staging/
rc:
  description: rsync's exit code.
  returned: when rsync ran
  type: int
  sample: 0
"""
