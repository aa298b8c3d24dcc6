"""`make demo`: the daily line, end to end, on one machine.

1. a local EC2 API (moto on 127.0.0.1) seeded with a small fleet;
2. one systemd container per instance, named by its instance ID;
3. the real gamestack.aws.name_tags inventory (examples/demo/demo.aws_ec2.yml) reaching them through
   the docker connection: `ansible-inventory --graph`;
4. playbooks/site.yml converges the host roles on every instance;
5. `playbooks/deploy.yml -l api-production` deploys examples/app;
6. the page of every api-production container, and proof that api-staging was not touched.

The containers stay up for a look around (`docker exec -it <instance-id> bash`); `make demo-clean` removes
them. Run from the checkout root with the venv's Python: `.venv/bin/python scripts/demo.py`.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.harness import containers  # noqa: E402
from tests.harness.containers import ContainerError, docker, start_systemd_container  # noqa: E402
from tests.harness.moto import FAKE_CREDENTIALS, MotoServer, bin_path, boto3_client, run_instances  # noqa: E402

INVENTORY = REPO / "examples" / "demo" / "demo.aws_ec2.yml"
IMAGE = os.environ.get("GAMESTACK_TEST_IMAGE", "gamestack-test/debian12-systemd:latest")
LABEL = "gamestack-demo=1"
FLEET = [("api-production", 2), ("api-staging", 1), ("web-production", 1)]


def say(text: str) -> None:
    print(text, flush=True)


def sh(cmd: list[str], env: dict | None = None, capture: bool = False) -> subprocess.CompletedProcess:
    if not capture:
        shown = [os.path.relpath(a, REPO) if a.startswith(str(REPO) + "/") else a for a in cmd]
        say("\n$ " + " ".join(shown))
    proc = subprocess.run(cmd, env=env, cwd=REPO, text=True, capture_output=capture, check=False)
    if proc.returncode != 0:
        if capture:
            sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit("demo: %s failed with exit code %d" % (cmd[0], proc.returncode))
    return proc


def remove_demo_containers() -> None:
    ids = docker("ps", "-aq", "--filter", "label=" + LABEL).stdout.split()
    if ids:
        docker("rm", "-f", *ids)


def start_container(instance_id: str, name_tag: str) -> None:
    # memory=None: the demo's containers have always run without a memory limit.
    start_systemd_container(instance_id, IMAGE, ["--label", LABEL, "--label", "gamestack-demo-name=" + name_tag],
                            memory=None, wait=False)


def wait_booted(instance_id: str) -> None:
    containers.wait_booted(instance_id)
    # The image is built without package lists (like a minimal AMI): fetch them once.
    docker("exec", instance_id, "apt-get", "update", "-qq")


def page(instance_id: str) -> str:
    code = ("import urllib.request,sys\n"
            "try:\n print(urllib.request.urlopen('http://127.0.0.1/', timeout=5).read().decode().strip())\n"
            "except Exception as e:\n print('no page: %s' % e)")
    return docker("exec", instance_id, "python3", "-c", code, check=False).stdout.strip()


def main() -> int:
    remove_demo_containers()
    with MotoServer() as moto:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "AWS_"))}
        env.update(FAKE_CREDENTIALS, AWS_ENDPOINT_URL=moto.endpoint, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
                   ANSIBLE_NOCOLOR="1", ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks",
                   PATH=os.path.dirname(bin_path("python")) + os.pathsep + os.environ.get("PATH", ""))
        say("# 1. moto EC2 API on %s: seeding the fleet" % moto.endpoint)
        ec2 = boto3_client("ec2", moto.endpoint)
        fleet = {}
        for name, count in FLEET:
            for instance_id in run_instances(ec2, name, count=count):
                fleet[instance_id] = name
                say("#    %-16s %s" % (name, instance_id))

        say("\n# 2. one systemd container per instance, named by its instance ID")
        for instance_id, name in fleet.items():
            start_container(instance_id, name)
        for instance_id in fleet:
            wait_booted(instance_id)
        say("#    %d containers running" % len(fleet))

        say("\n# 3. the inventory, from the Name tags")
        sh([bin_path("ansible-inventory"), "-i", str(INVENTORY), "--graph"], env)
        sh([bin_path("ansible-playbook"), "-i", str(INVENTORY), str(REPO / "playbooks" / "deploy.yml"),
            "--list-hosts", "-l", "api-production", "-e", "rsync_deploy_src=" + str(REPO / "examples" / "app")], env)

        say("\n# 4. the host roles on every instance")
        sh([bin_path("ansible-playbook"), "-i", str(INVENTORY), str(REPO / "playbooks" / "site.yml")], env)

        say("\n# 5. the daily line: deploy examples/app to api-production")
        sh([bin_path("ansible-playbook"), "-i", str(INVENTORY), str(REPO / "playbooks" / "deploy.yml"),
            "-l", "api-production", "-e", "rsync_deploy_src=" + str(REPO / "examples" / "app")], env)

    say("\n# 6. what each instance serves now")
    served = 0
    for instance_id, name in sorted(fleet.items(), key=lambda kv: (kv[1], kv[0])):
        text = page(instance_id)
        say("%-16s %s  %s" % (name, instance_id, text))
        if name == "api-production":
            served += "release=api-production-" in text
        elif "release=" in text:
            raise SystemExit("demo: %s (%s) was deployed to, but only api-production was targeted" % (instance_id, name))
    if served != sum(1 for n in fleet.values() if n == "api-production"):
        raise SystemExit("demo: not every api-production instance serves the new release")
    say("\ndemo: every api-production instance serves the release; api-staging and web-production were not touched.")
    say("demo: look around with `docker exec -it <instance-id> bash`; remove it all with `make demo-clean`.")
    return 0


if __name__ == "__main__":
    try:
        if sys.argv[1:] == ["--clean"]:
            remove_demo_containers()
            sys.exit(0)
        sys.exit(main())
    except ContainerError as err:
        raise SystemExit("demo: %s" % err) from None
