"""gamestack.aws.name_tags with options given directly (no ansible config manager), for unit tests."""

from __future__ import annotations

import yaml
from ansible.inventory.data import InventoryData

from ansible_collections.gamestack.aws.plugins.doc_fragments.connection import ModuleDocFragment as ConnectionDocs
from ansible_collections.gamestack.aws.plugins.inventory import name_tags
from ansible_collections.gamestack.aws.plugins.module_utils import naming

DEFAULTS = {k: v.get("default") for k, v in yaml.safe_load(name_tags.DOCUMENTATION)["options"].items()}
# The connection options come from the shared doc fragment.
DEFAULTS.update({k: v.get("default") for k, v in yaml.safe_load(ConnectionDocs.PLUGINS)["options"].items()})
DEFAULTS.update(compose={}, groups={}, keyed_groups=[], cache=False)


class Plugin(name_tags.InventoryModule):
    """The plugin with options given directly (no ansible config manager)."""

    def __init__(self, **options):
        super().__init__()
        self._test_options = dict(DEFAULTS, **options)
        self.inventory = InventoryData()
        self._pattern = naming.compile_pattern(self._test_options["naming_pattern"])
        self._no_asg_group = self._test_options["no_autoscaling_group"]

    def get_option(self, option, hostvars=None):
        return self._test_options[option]
