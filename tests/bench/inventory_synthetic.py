"""``ansible-inventory --list`` with gamestack.aws.name_tags on N synthetic instances, without any API.

The plugin's ``_fetch`` is replaced by a generator of N records (the shape ``instance_record`` makes), so
what is measured is ansible-core plus the plugin's own grouping and host variables, free of moto's
response time and botocore's parsing. Used to profile the plugin at fleet scale:

    . env with ANSIBLE_CONFIG=ansible.cfg and ANSIBLE_INVENTORY_ENABLED=gamestack.aws.name_tags
    FAKE_N=5000 /usr/bin/time -f '%U+%S s %M KB' .venv/bin/python tests/bench/inventory_synthetic.py CONFIG >/dev/null
    FAKE_N=5000 .venv/bin/pyinstrument tests/bench/inventory_synthetic.py CONFIG >/dev/null

CONFIG is any name_tags configuration file (for example ``plugin: gamestack.aws.name_tags``).
"""

from __future__ import annotations

import os
import sys

from ansible.plugins.loader import init_plugin_loader

N = int(os.environ.get("FAKE_N", "5000"))
NAMES = ["api-production-20190411-1459", "api-staging", "web-production-20200101-0000", "game-production", "chat-dev"]


def fake_fetch(self):
    return [{
        "id": "i-%017x" % i, "region": "us-east-1", "type": "t3.micro", "az": "us-east-1a",
        "private_ip": "10.0.%d.%d" % (i // 250, i % 250), "public_ip": None,
        "private_dns": "ip-10-0-%d-%d.ec2.internal" % (i // 250, i % 250), "public_dns": None,
        "image": "ami-12345678", "launch_time": "2026-11-28T00:00:00+00:00", "state": "running",
        "ena": True, "sriov": "simple", "tags": {"Name": NAMES[i % len(NAMES)], "team": "bench"},
    } for i in range(N)]


def main():
    init_plugin_loader()
    from ansible_collections.gamestack.aws.plugins.inventory import name_tags

    name_tags.InventoryModule._fetch = fake_fetch
    from ansible.cli.inventory import main as inventory_main

    sys.argv = ["ansible-inventory", "--list", "-i", sys.argv[1]]
    inventory_main()


if __name__ == "__main__":
    main()
