# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugin of every AWS module of the collection: ``module_defaults: group/aws`` reaches it.

ansible-core defines ``group/aws`` itself (in its builtin runtime metadata) as ``amazon.aws.aws`` plus
``community.aws.aws``; a third collection cannot join it with metadata. Core applies the defaults of
the groups a module belongs to (here ``group/gamestack.aws.aws``) and the task's own arguments before
the action plugin runs; this plugin then adds the connection options of ``group/aws`` (and
``group/amazon.aws.aws``) that neither set, so they have the lowest precedence, as users expect.
Only connection options are taken: other options of those groups belong to amazon.aws modules.
"""

from __future__ import annotations

from ansible.plugins.action.normal import ActionModule as NormalActionModule

from ansible_collections.gamestack.aws.plugins.module_utils.aws import connection_argument_spec

# The names under which core keeps `group/aws` and `group/amazon.aws.aws` once it has resolved them.
AWS_GROUPS = ("group/ansible.builtin.aws", "group/aws", "group/amazon.aws.aws")


def option_names():
    """{name or alias: option} of the connection options."""
    names = {}
    for option, spec in connection_argument_spec().items():
        for name in [option] + list(spec.get("aliases", [])):
            names[name] = option
    return names


def aws_group_defaults(module_defaults, args):
    """The connection options of the AWS groups in ``module_defaults`` that ``args`` does not set."""
    names = option_names()
    taken = {names[key] for key in args if key in names}
    extra = {}
    for entry in module_defaults or []:
        for group in AWS_GROUPS:
            for key, value in (entry.get(group) or {}).items():
                option = names.get(key)
                if option is None or option in taken:
                    continue
                # A later entry (or alias) of the same option replaces an earlier one.
                extra = {k: v for k, v in extra.items() if names[k] != option}
                extra[key] = value
    return extra


class ActionModule(NormalActionModule):
    def run(self, tmp=None, task_vars=None):
        extra = aws_group_defaults(self._task.module_defaults, self._task.args)
        if extra:
            args = dict(self._templar.template(extra))
            args.update(self._task.args)
            self._task.args = args
        return super().run(tmp, task_vars)
