"""Helpers for testinfra verify steps that must run ansible-playbook against the scenario's container
(bad-input refusals, re-runs with other variables). Import from a scenario's tests/conftest.py:

    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "resources"))
    from gamestack_verify import CONTAINER, refusal_playbook, run_playbook, recap

``harness(name)`` gives a module of the checkout's tests/harness (moto, containers) to a verify step.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[3]
#: molecule sets MOLECULE_SCENARIO_NAME for the verifier; containers are gamestack-<scenario>-<platform>.
CONTAINER = "gamestack-%s-instance" % os.environ.get("MOLECULE_SCENARIO_NAME", "unknown")


def run_playbook(playbook: str, timeout: int = 300, extra_env: dict | None = None,
                 drop_env_prefixes: tuple = ()) -> subprocess.CompletedProcess:
    """Run a playbook (YAML/JSON text) against the scenario's container with this checkout's
    ansible.cfg, from the venv running pytest. The caller's ANSIBLE_* and MOLECULE_* variables (and
    those starting with one of drop_env_prefixes) are not passed on; extra_env is added last."""
    dropped = ("ANSIBLE_", "MOLECULE_") + tuple(drop_env_prefixes)
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env.update(ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_CACHE_PLUGIN="memory")
    env.update(extra_env or {})
    with tempfile.TemporaryDirectory() as tmp:
        (pathlib.Path(tmp) / "inventory.ini").write_text(
            f"{CONTAINER} ansible_connection=community.docker.docker ansible_user=root\n"
        )
        (pathlib.Path(tmp) / "play.yml").write_text(playbook)
        return subprocess.run(
            [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
             "-i", f"{tmp}/inventory.ini", f"{tmp}/play.yml"],
            cwd=REPO, env=env, check=False, capture_output=True, text=True, timeout=timeout,
        )


def harness(name: str):
    """The module tests/harness/<name>.py of this checkout, loaded by its path (once): the verify steps
    run without the checkout on sys.path, and a scenario's own tests/ directory is not that package."""
    module_name = "gamestack_harness_" + name
    if module_name not in sys.modules:
        spec = importlib.util.spec_from_file_location(module_name, REPO / "tests" / "harness" / (name + ".py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[module_name] = module
    return sys.modules[module_name]


def apply_role_playbook(role: str, role_vars: dict | None = None) -> str:
    return json.dumps([{"hosts": "all", "gather_facts": True,
                        "roles": [{"role": role, "vars": role_vars or {}}]}])


def recap(stdout: str) -> dict:
    """The PLAY RECAP counters of the container: {'ok': 17, 'changed': 0, ...}."""
    line = [ln for ln in stdout.splitlines() if CONTAINER in ln and "ok=" in ln][-1]
    return {k: int(v) for k, v in (part.split("=") for part in line.split(":", 1)[1].split())}


def refusals(role: str, cases: dict) -> dict:
    """Apply ``role`` once per case (a dict of role vars) inside block/rescue, in one playbook run.
    Returns {case: failure message, or "OK" when the role did not fail}. Loop results are flattened:
    every failed item's msg is joined into the case's message."""
    tasks = []
    for name, role_vars in cases.items():
        tasks.append({
            "name": f"case {name}",
            "block": [
                {"name": f"apply {role} ({name})", "ansible.builtin.include_role": {"name": role}, "vars": role_vars},
                {"name": "not refused", "ansible.builtin.set_fact": {f"case_{name}": "OK"}},
            ],
            "rescue": [{
                "name": "record the refusal",
                "ansible.builtin.set_fact": {f"case_{name}": (
                    "{{ ([ansible_failed_result.msg | default('')] + (ansible_failed_result.results | default([])"
                    " | selectattr('failed', 'defined') | selectattr('failed') | map(attribute='msg') | list))"
                    " | join(' || ') }}")},
            }],
        })
    with tempfile.NamedTemporaryFile(suffix=".json") as record:
        tasks.append({
            "name": "write the results",
            "delegate_to": "localhost",
            "ansible.builtin.copy": {
                "content": "{{ {%s} | to_json }}" % ", ".join(f"'{n}': case_{n}" for n in cases),
                "dest": record.name,
            },
        })
        proc = run_playbook(json.dumps([{"name": "refusals", "hosts": "all", "gather_facts": True, "tasks": tasks}]))
        if proc.returncode != 0:
            raise AssertionError("refusal playbook failed outside the cases:\n" + proc.stdout + proc.stderr)
        return json.loads(pathlib.Path(record.name).read_text())
