"""Same-run A/B of rsync_deploy: the role at an older commit against the checkout, alternating.

    .venv/bin/python -m tests.bench.deploy_ab --before 4ecd332 [--runs 3] [--playbook role|deploy]

Checks the older commit out into a temporary git worktree (with its own .collections link), starts 4
app-tier containers (tests/bench/deploy.py's image and tree), deploys once with each side (first
deploy, facts cached), then for 1 and 4 hosts alternates the two sides for a no-change redeploy and a
one-file change (a different PHP file each time), the order flipped every round. `--playbook role`
(the default) runs the role alone (ROLE_PLAYBOOK, the same play for both sides, each side's role);
`--playbook deploy` runs each side's playbooks/deploy.yml, with whatever that playbook adds around the role. Prints a Markdown
table of medians and ratios (after / before). Wall seconds of `ansible-playbook` with each side's own
ansible.cfg. The machine must be otherwise idle; compare the rows of one table with each other only.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import shutil
import statistics
import subprocess
import tempfile
import time

from tests.bench.deploy import check, inventory_json, make_tree, prepared_image, start_container
from tests.conftest import REPO, ansible_env
from tests.harness.containers import docker
from tests.harness.moto import bin_path


# The role alone, as another team's playbook would apply it: the same text for both sides.
ROLE_PLAYBOOK = """\
- name: Deploy with rsync_deploy
  hosts: all
  gather_facts: true
  gather_subset: ["!all", min]
  roles:
    - role: gamestack.aws.rsync_deploy
"""


def worktree(ref: str, root: pathlib.Path) -> pathlib.Path:
    path = root / "before"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(path), ref], check=True)
    link = path / ".collections/ansible_collections/gamestack/aws"
    link.parent.mkdir(parents=True)
    link.symlink_to("../../..")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--before", required=True, help="git ref of the role to compare against")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--playbook", choices=("role", "deploy"), default="role",
                        help="the role alone (default) or each side's playbooks/deploy.yml")
    opts = parser.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="gamestack-deploy-ab-"))
    before = worktree(opts.before, work)
    sides = {"before": before, "after": REPO}
    hosts = [start_container("gamestack-ab-%d" % i, prepared_image()) for i in range(1, 5)]
    try:
        for host in hosts:
            host.sh("systemctl start apache2")
        src = work / "tree"
        make_tree(src)
        role_playbook = work / "role.yml"
        role_playbook.write_text(ROLE_PLAYBOOK)
        phps = sorted(src.rglob("*.php"))

        def deploy(side: str, count: int) -> float:
            root = sides[side]
            inventory = work / ("inventory-%d.json" % count)
            inventory.write_text(inventory_json(h.name for h in hosts[:count]))
            env = ansible_env(ANSIBLE_CONFIG=str(root / "ansible.cfg"),
                              ANSIBLE_CACHE_PLUGIN_CONNECTION=str(work / ("facts-" + side)))
            start = time.monotonic()
            proc = subprocess.run(
                [bin_path("ansible-playbook"), "-i", str(inventory),
                 str(role_playbook if opts.playbook == "role" else root / "playbooks/deploy.yml"),
                 "-e", json.dumps({"rsync_deploy_src": str(src), "rsync_deploy_dest": "/var/www/app"})],
                cwd=root, env=env, capture_output=True, text=True, check=False)
            took = time.monotonic() - start
            check(proc, "the deploy with the role %s" % side)
            return took

        times: dict = {}
        edits = 0
        for count in (1, 4):
            deploy("before", count)
            deploy("after", count)
            for rnd in range(opts.runs):
                order = ("before", "after") if rnd % 2 == 0 else ("after", "before")
                for side in order:
                    times.setdefault((count, "no-change redeploy", side), []).append(deploy(side, count))
                for side in order:
                    php = phps[edits % len(phps)]
                    edits += 1
                    php.write_text(php.read_text() + "\n// ab %d\n" % edits)
                    times.setdefault((count, "one-file change", side), []).append(deploy(side, count))
        print("%s, median of %d runs, wall seconds:" % (
            "The role alone" if opts.playbook == "role" else "playbooks/deploy.yml", opts.runs))
        print("| hosts | case | before (%s) | after (checkout) | after ÷ before |" % opts.before)
        print("|---|---|---|---|---|")
        for count in (1, 4):
            for case in ("no-change redeploy", "one-file change"):
                b = statistics.median(times[(count, case, "before")])
                a = statistics.median(times[(count, case, "after")])
                print("| %d | %s | %.2f | %.2f | %.2f |" % (count, case, b, a, a / b))
    finally:
        for host in hosts:
            docker("rm", "-f", "-v", host.name, check=False)
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(before)], check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
