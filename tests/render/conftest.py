"""Render tests: run a role's variable cascade, preflight and templates with the facts of a platform
we cannot converge here (CentOS 7, Rocky 9, Amazon Linux 2023; Debian 12 for comparison).

Usage (see README.md in this directory)::

    def test_paths(render_role):
        out = render_role("nscd", "rocky9", templates=["etc/nscd.conf.j2"], variables=["nscd_package"])
        assert out.vars["nscd_package"] == "nscd"
        assert "enable-cache\thosts\tyes" in out.files["etc/nscd.conf"]

    def test_refusal(render_role):
        out = render_role("nscd", "rocky9", tasks_from=["vars.yml", "preflight.yml"], expect_failure=True,
                          facts={"ansible_distribution_major_version": "10"})
        out.assert_refused("not shipped on Enterprise Linux 10")

How it works: ``ansible-playbook`` (from the venv running pytest, so .venv = ansible-core 2.19,
.venv-2.16 = 2.16) runs a generated playbook against an inventory host named after the platform with
``ansible_connection=local`` and ``gather_facts: false``. Its first task, the test-only action
``gamestack_fake_facts`` (plugins/action/), returns the platform's facts from ``facts/<platform>.json``
exactly as ``setup`` would, so ``ansible_facts[...]`` and ``ansible_*`` resolve as on a real host.
Then the role's ``tasks/vars.yml`` (and whatever else ``tasks_from`` lists, e.g. ``preflight.yml``)
run through ``include_role`` with ``public: true``; then the templates (through the template lookup,
same Jinja environment and template vars as the template module) and the requested variables are written
as JSON by the test-only action ``gamestack_render_dump``. Nothing runs a module, nothing touches the
machine outside the test's temporary directory.
"""

from __future__ import annotations

import json
import pathlib
import sys
from dataclasses import dataclass, field

import pytest

from tests.conftest import REPO, ansible_env, run

HERE = pathlib.Path(__file__).resolve().parent
FACTS_DIR = HERE / "facts"
PROBE_ROLES = HERE / "roles"
ACTION_PLUGINS = HERE / "plugins" / "action"
COLLECTION = "gamestack.aws"

#: Platforms with a facts file; rendered-only platforms first.
PLATFORMS = ("centos7", "rocky9", "al2023", "debian12")
RED_HAT_PLATFORMS = ("centos7", "rocky9", "al2023")


def platform_facts(platform: str) -> dict:
    """The fake facts of ``platform`` (keys as ``setup`` returns them: ``ansible_distribution`` ...)."""
    path = FACTS_DIR / f"{platform}.json"
    if not path.is_file():
        raise ValueError(f"no facts for platform {platform!r}; known: {', '.join(PLATFORMS)}")
    return json.loads(path.read_text())


@dataclass
class RenderResult:
    """What a render run produced."""

    role: str
    platform: str
    proc: object  # subprocess.CompletedProcess
    vars: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)  # template path without .j2 -> rendered text
    failure: dict | None = None  # {'task': name, 'result': ansible_failed_result} when a task failed

    @property
    def ok(self) -> bool:
        return self.proc.returncode == 0

    @property
    def output(self) -> str:
        return self.proc.stdout + self.proc.stderr

    @property
    def messages(self) -> list[str]:
        """Every ``msg`` of the failed task's result (including per-item results of a loop)."""
        found: list[str] = []

        def walk(node):
            if isinstance(node, dict):
                if isinstance(node.get("msg"), str) and (node.get("failed") or node is result):
                    found.append(node["msg"])
                for value in node.get("results", []) or []:
                    walk(value)

        result = (self.failure or {}).get("result") or {}
        walk(result)
        return found

    def assert_refused(self, *needles: str) -> None:
        """The run failed, and one failed task's message contains every needle."""
        assert not self.ok, f"{self.role} on {self.platform} did not fail:\n{self.output}"
        assert self.failure is not None, f"failed outside the role (no failure record):\n{self.output}"
        for msg in self.messages:
            if all(needle in msg for needle in needles):
                return
        raise AssertionError(
            f"no failure message of {self.role} on {self.platform} contains {needles!r}; "
            f"task {self.failure.get('task')!r} said: {self.messages!r}"
        )


def _role_ref(role: str) -> tuple[str, pathlib.Path]:
    """(name for include_role, role directory). Probe roles of this directory win over the collection."""
    short = role.split(".")[-1]
    if (PROBE_ROLES / short).is_dir():
        return short, PROBE_ROLES / short
    return f"{COLLECTION}.{short}", REPO / "roles" / short


def _playbook(platform, role_name, role_dir, tasks_from, templates, variables, out_dir, fact_overrides):
    def quoted(text):
        return json.dumps(str(text))

    # Templates go through the template lookup (same Jinja environment and template vars as the
    # template module: ansible_managed, template_path ...) so that one controller-side action
    # writes everything; convert_data off keeps the text as text.
    files_expr = ", ".join(
        f"{quoted(_rendered_name(t))}: lookup('ansible.builtin.template', {quoted(role_dir / 'templates' / t)}, "
        f"convert_data=False)"
        for t in templates
    )
    vars_expr = ", ".join(f"{quoted(v)}: lookup('ansible.builtin.vars', {quoted(v)})" for v in variables)
    body = [
        {
            "name": f"Include {role_name} {tasks}",
            "ansible.builtin.include_role": {"name": role_name, "tasks_from": tasks, "public": True},
        }
        for tasks in tasks_from
    ]
    body.append(
        {
            "name": "Render the templates and dump the requested variables",
            "gamestack_render_dump": {
                "dest": str(out_dir / "rendered.json"),
                "data": "{{ {'files': {%s}, 'vars': {%s}} }}" % (files_expr, vars_expr),
            },
        }
    )
    rescue = [
        {
            "name": "Record the failure",
            "gamestack_render_dump": {
                "dest": str(out_dir / "failure.json"),
                "data": "{{ {'task': ansible_failed_task.name, 'result': ansible_failed_result} }}",
            },
        },
        {"name": "Fail the run", "ansible.builtin.fail": {"msg": "render run failed (see failure.json)"}},
    ]
    return [
        {
            "name": f"Render {role_name} for {platform}",
            "hosts": platform,
            "gather_facts": False,
            "tasks": [
                {
                    "name": f"Load the facts of {platform}",
                    "gamestack_fake_facts": {
                        "path": str(FACTS_DIR / f"{platform}.json"),
                        "overrides": fact_overrides or {},
                    },
                },
                {"name": "Run the role parts", "block": body, "rescue": rescue},
            ],
        }
    ]


def _rendered_name(template: str) -> str:
    return template[:-3] if template.endswith(".j2") else template


def render(
    tmp_dir: pathlib.Path,
    role: str,
    platform: str,
    templates=(),
    variables=(),
    tasks_from=("vars.yml",),
    host_vars: dict | None = None,
    extra_vars: dict | None = None,
    facts: dict | None = None,
    expect_failure: bool = False,
) -> RenderResult:
    """Run ``role``'s ``tasks_from`` files and ``templates`` for ``platform``; see the module docstring.

    ``host_vars`` are inventory host variables (precedence of a user's group_vars/host_vars: above role
    defaults, below the role's vars/ cascade); ``extra_vars`` are ``-e`` (above everything).
    ``facts`` overrides individual facts (``{"ansible_memtotal_mb": 512}``).
    """
    platform_facts(platform)  # validates the name
    role_name, role_dir = _role_ref(role)
    if not role_dir.is_dir():
        raise ValueError(f"no role directory {role_dir}")
    for template in templates:
        if not (role_dir / "templates" / template).is_file():
            raise ValueError(f"role {role} has no template {template}")
    tmp_dir.mkdir(parents=True, exist_ok=True)
    out_dir = tmp_dir / "out"
    out_dir.mkdir(exist_ok=True)

    inventory = {
        "all": {
            "hosts": {
                platform: {
                    "ansible_connection": "local",
                    "ansible_python_interpreter": sys.executable,
                    **(host_vars or {}),
                }
            }
        }
    }
    (tmp_dir / "inventory.yml").write_text(json.dumps(inventory, indent=2))
    play = _playbook(platform, role_name, role_dir, list(tasks_from), list(templates), list(variables), out_dir, facts)
    (tmp_dir / "render.yml").write_text(json.dumps(play, indent=2))
    cmd = ["ansible-playbook", "-i", str(tmp_dir / "inventory.yml"), str(tmp_dir / "render.yml")]
    if extra_vars:
        (tmp_dir / "extra_vars.json").write_text(json.dumps(extra_vars))
        cmd += ["-e", "@" + str(tmp_dir / "extra_vars.json")]
    env = ansible_env(
        ANSIBLE_ACTION_PLUGINS=str(ACTION_PLUGINS),
        ANSIBLE_ROLES_PATH=str(PROBE_ROLES),
        # No fact cache: the fake facts must not land in ./.cache/facts.
        ANSIBLE_CACHE_PLUGIN="ansible.builtin.memory",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_DEPRECATION_WARNINGS="0",
    )
    proc = run(cmd, env, cwd=REPO, timeout=300)

    result = RenderResult(role=role, platform=platform, proc=proc)
    if (out_dir / "failure.json").is_file():
        result.failure = json.loads((out_dir / "failure.json").read_text())
    if proc.returncode == 0:
        rendered = json.loads((out_dir / "rendered.json").read_text())
        result.vars, result.files = rendered["vars"], rendered["files"]
    if expect_failure:
        assert not result.ok, f"expected {role} to fail on {platform}, it succeeded:\n{result.output}"
    elif not result.ok:
        raise AssertionError(
            f"render of {role} on {platform} failed (rc {proc.returncode}); "
            f"failure: {json.dumps(result.failure, indent=1) if result.failure else '-'}\n{result.output}"
        )
    return result


@pytest.fixture
def render_role(tmp_path):
    """``render_role(role, platform, templates=[...], variables=[...], ...)`` -> RenderResult.

    Each call runs in its own subdirectory of the test's tmp_path."""
    calls = {"n": 0}

    def _render(role, platform, **kwargs):
        calls["n"] += 1
        return render(tmp_path / f"render-{calls['n']}", role, platform, **kwargs)

    return _render
