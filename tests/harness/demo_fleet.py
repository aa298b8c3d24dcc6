"""`make demo` for the inventory: a local EC2 API (moto on 127.0.0.1) seeded with a small fleet, then
the inventory graph and the hosts that `-l api-production` selects, through the shipped
inventory/aws_ec2.yml. Extend ``DEMO_STEPS`` (or call ``seed_demo_fleet``) for a fuller demo.

    .venv/bin/python -m tests.harness.demo_fleet            # from the checkout root
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

from tests.harness.moto import FAKE_CREDENTIALS, MotoServer, bin_path, boto3_client, run_instances

REPO = pathlib.Path(__file__).resolve().parents[2]
INVENTORY = REPO / "inventory" / "aws_ec2.yml"

# Name tag -> how many instances; None is an instance without a Name tag.
DEMO_FLEET = [
    ("api-production-20190411-1459", 2, {"aws:autoscaling:groupName": "api-production-20190411-1459"}),
    ("api-staging", 1, {"aws:autoscaling:groupName": "api-staging"}),
    ("web-production", 1, {}),
    (None, 1, {}),
    ("Legacy Game Server", 1, {}),
]

DEMO_STEPS = [
    ["ansible-inventory", "-i", str(INVENTORY), "--graph"],
    ["ansible-playbook", "-i", str(INVENTORY), str(REPO / "playbooks" / "show_targets.yml"),
     "--list-hosts", "-l", "api-production"],
]


def seed_demo_fleet(endpoint, region="us-east-1"):
    ec2 = boto3_client("ec2", endpoint, region)
    return {name: run_instances(ec2, name, count=count, tags=tags) for name, count, tags in DEMO_FLEET}


def demo_env(endpoint):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "AWS_"))}
    env.update(FAKE_CREDENTIALS)
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
        ANSIBLE_INVENTORY_UNPARSED_FAILED="true",
        ANSIBLE_NOCOLOR="1",
        PATH=os.path.dirname(bin_path("python")) + os.pathsep + os.environ.get("PATH", ""),
    )
    return env


def main():
    with MotoServer() as moto:
        print("# moto EC2 API on %s, seeding the demo fleet" % moto.endpoint, flush=True)
        for name, ids in seed_demo_fleet(moto.endpoint).items():
            print("#   %-30s %s" % (name or "(no Name tag)", " ".join(ids)), flush=True)
        env = demo_env(moto.endpoint)
        for step in DEMO_STEPS:
            shown = [os.path.relpath(a, REPO) if a.startswith(str(REPO)) else a for a in step]
            print("\n$ %s" % " ".join(shown), flush=True)
            proc = subprocess.run([bin_path(step[0])] + step[1:], env=env, cwd=REPO, check=False)
            if proc.returncode != 0:
                return proc.returncode
    print("\n# moto stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
