"""Parse one inventory source in-process and print how much per-host work it did, as JSON.

Run with the Python of a venv (ANSIBLE_CONFIG set): ``python count_work.py CONFIG``. Counts the
template renderings (outermost Templar calls only), InventoryData.set_variable calls, naming
parses and the number of variables per host, so a test can check that they grow linearly with the fleet and that nothing is templated
when no compose/groups/keyed_groups is configured.
"""

from __future__ import annotations

import functools
import json
import sys
import threading

from ansible.inventory.data import InventoryData
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader
from ansible.template import Templar

counts = {"templates": 0, "set_variable": 0, "check_name": 0}
_depth = threading.local()


def counted(function, key, outermost=False):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        depth = getattr(_depth, key, 0)
        if not outermost or depth == 0:
            counts[key] += 1
        setattr(_depth, key, depth + 1)
        try:
            return function(*args, **kwargs)
        finally:
            setattr(_depth, key, depth)

    return wrapper


for method in ("template", "do_template", "evaluate_expression", "evaluate_conditional"):
    if hasattr(Templar, method):
        setattr(Templar, method, counted(getattr(Templar, method), "templates", outermost=True))
InventoryData.set_variable = counted(InventoryData.set_variable, "set_variable")

init_plugin_loader()
from ansible_collections.gamestack.aws.plugins.module_utils import naming  # noqa: E402

naming.check_name = counted(naming.check_name, "check_name")

inventory = InventoryManager(loader=DataLoader(), sources=[sys.argv[1]])
counts["hosts"] = len(inventory.hosts)
counts["groups"] = len(inventory.groups)
# Variables per host: the same for every host (else -1), so a test sees they went in without set_variable.
per_host = {len(host.vars) for host in inventory.hosts.values()}
counts["hostvars_per_host"] = per_host.pop() if len(per_host) == 1 else -1
print(json.dumps(counts))
