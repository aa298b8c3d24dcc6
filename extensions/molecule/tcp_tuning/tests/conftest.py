"""Helpers for the tcp_tuning verify step: run ansible-playbook against the molecule container."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[4]
CONTAINER = "gamestack-%s-instance" % os.environ.get("MOLECULE_SCENARIO_NAME", "tcp_tuning")


def run_playbook(playbook: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run a playbook text against the scenario's container, from the venv running pytest."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "MOLECULE_"))}
    env.update(ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_CACHE_PLUGIN="memory")
    with tempfile.TemporaryDirectory() as tmp:
        (pathlib.Path(tmp) / "inventory.ini").write_text(
            f"{CONTAINER} ansible_connection=community.docker.docker ansible_user=root\n"
        )
        (pathlib.Path(tmp) / "play.yml").write_text(playbook)
        return subprocess.run(
            [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
             "-i", f"{tmp}/inventory.ini", f"{tmp}/play.yml"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout,
        )


def refusal_playbook(role: str, cases: dict, record: str) -> str:
    """One play that applies ``role`` once per case (vars) inside block/rescue and writes each case's
    failure message (or "OK" when the role did not fail) to ``record`` (JSON, on the controller)."""
    tasks = []
    for name, role_vars in cases.items():
        tasks.append({
            "name": f"case {name}",
            "block": [
                {"name": f"apply {role} ({name})", "ansible.builtin.include_role": {"name": role}, "vars": role_vars},
                {"name": "not refused", "ansible.builtin.set_fact": {f"case_{name}": "OK"}},
            ],
            "rescue": [
                {"name": "record the refusal",
                 "ansible.builtin.set_fact": {f"case_{name}": "{{ ansible_failed_result.msg | default('') }}"}},
            ],
        })
    tasks.append({
        "name": "write the results",
        "delegate_to": "localhost",
        "ansible.builtin.copy": {
            "content": "{{ {%s} | to_json }}" % ", ".join(f"'{n}': case_{n}" for n in cases),
            "dest": record,
        },
    })
    return json.dumps([{"name": "refusals", "hosts": "all", "gather_facts": True, "tasks": tasks}])
