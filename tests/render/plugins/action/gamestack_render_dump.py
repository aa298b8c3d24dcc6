# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only action: write the (already templated) ``data`` argument as JSON to ``dest`` on the
controller, without running a module (keeps tests/render fast: no Python fork per dump)."""

from __future__ import annotations

import json

from ansible.plugins.action import ActionBase


def _plain(node):
    """Tagged/unsafe/lazy containers of ansible-core 2.19 as plain JSON types."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return str(node)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        with open(self._task.args["dest"], "w", encoding="utf-8") as handle:
            json.dump(_plain(self._task.args.get("data")), handle, indent=1, sort_keys=True)
        result["changed"] = False
        return result
