# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only action: load a platform's facts from a JSON file on the controller as if `setup` had
gathered them. Used by tests/render (never shipped in the collection's plugins/).

A fact cache would do the same, but ansible-core 2.19 changed the jsonfile cache's file naming and
format (``s1_<host>`` with a ``__payload__`` wrapper), so a hand-written cache cannot serve both
2.16 and 2.19; facts returned by a task are stored the same way by both."""

from __future__ import annotations

import json

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        path = self._task.args.get("path")
        if not path:
            raise AnsibleActionFail("gamestack_fake_facts needs 'path'")
        with open(path, encoding="utf-8") as handle:
            facts = json.load(handle)
        facts.update(self._task.args.get("overrides") or {})
        result.update(changed=False, ansible_facts=facts)
        return result
