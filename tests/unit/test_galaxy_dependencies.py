"""Every collection galaxy.yml declares as a dependency is used by what the collection ships.

A dependency nothing uses makes every user install it (and its own dependencies) for nothing.
Test and development tooling (ansible.cfg's callbacks, molecule scenarios) is not shipped content.
"""

from __future__ import annotations

import pathlib

import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
SHIPPED = ("plugins", "roles", "playbooks", "meta")


def shipped_text():
    for top in SHIPPED:
        for path in sorted((REPO / top).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".yml", ".yaml", ".j2"):
                yield path, path.read_text(errors="replace")


def used(collection):
    """True when shipped content uses ``collection``: a task or metadata naming one of its plugins, or Python
    importing from it (a mention in a Python module's documentation is not a use)."""
    for path, text in shipped_text():
        needle = ("ansible_collections." if path.suffix == ".py" else "") + collection + "."
        if needle in text:
            return True
    return False


def test_every_declared_dependency_is_used():
    dependencies = yaml.safe_load((REPO / "galaxy.yml").read_text()).get("dependencies") or {}
    unused = sorted(name for name in dependencies if not used(name))
    assert not unused, "galaxy.yml declares dependencies nothing shipped uses: %s" % unused


def test_amazon_aws_is_declared_and_used():
    dependencies = yaml.safe_load((REPO / "galaxy.yml").read_text()).get("dependencies") or {}
    assert "amazon.aws" in dependencies
