"""make bench-deploy-ssh: rsync_deploy to 1 host over ssh, the way EC2 app hosts are reached, against
raw rsync over the same ssh and the ping playbook over the same ssh.

The host is the app-tier container of the deploy tests with sshd and a `deploy` user with NOPASSWD sudo
(tests/integration/deploy/conftest.py: start_ssh_host). Ansible reaches it over ansible.builtin.ssh as
`deploy` with `become`, with the shipped ansible.cfg (ControlPersist 60 s, pipelining). The tree is the
2,000-file tree of tests/bench/deploy.py. Raw rsync runs `rsync -a --delete` over the ssh command line of
the same user, key and ControlPersist master, with `--rsync-path='sudo -n rsync'`: the floor.

Each cell is the median wall time of BENCH_RUNS runs (default 3). Results go to the "rsync_deploy over
ssh" section of docs/benchmarks.md (other sections are kept). Never part of make test.
"""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / ".collections"))

from tests.bench.deploy import check, make_tree, median_of, tree_size  # noqa: E402
from tests.bench.report import write_section  # noqa: E402
from tests.conftest import ansible_env  # noqa: E402
from tests.harness.containers import docker  # noqa: E402
from tests.harness.moto import bin_path  # noqa: E402
from tests.integration.deploy.conftest import ssh_host_vars, start_ssh_host  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
NAME = "gamestack-rsync-bench-ssh"
SECTION = "## rsync_deploy over ssh (1 host)"
CASES = ("first deploy", "no-change redeploy", "one-file change")


def main():
    work = pathlib.Path(tempfile.mkdtemp(prefix="gamestack-bench-ssh-"))
    try:
        host, address, key = start_ssh_host(NAME, work)
        control = work / "cp"
        control.mkdir()
        src = work / "tree"
        make_tree(src)
        files, size = tree_size(src)
        phps = sorted(src.rglob("*.php"))
        inventory = work / "inventory.json"
        inventory.write_text(json.dumps({"all": {"hosts": {"api1": ssh_host_vars(address, key, control)}}}))
        env = ansible_env()
        ping = work / "ping.yml"
        ping.write_text("- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.ping:\n")
        ssh = ("ssh -o ControlMaster=auto -o ControlPersist=60s -o ControlPath=%s/raw-%%C -o StrictHostKeyChecking=no"
               " -o UserKnownHostsFile=/dev/null -o IdentityFile=%s -l deploy" % (control, key))

        def playbook(*args):
            check(subprocess.run([bin_path("ansible-playbook"), "-i", str(inventory), *args], cwd=REPO, env=env,
                                 capture_output=True, text=True, check=False), "ansible-playbook %s" % args[0])

        def deploy():
            playbook("playbooks/deploy.yml", "-e", json.dumps({"rsync_deploy_src": str(src),
                                                               "rsync_deploy_dest": "/var/www/app"}))

        def raw():
            subprocess.run(["rsync", "-a", "--delete", "--rsh=" + ssh, "--rsync-path=sudo -n rsync", str(src) + "/",
                            "%s:/var/www/raw/" % address], check=True, capture_output=True)

        edits = iter(range(10_000))

        def edit():
            n = next(edits)
            php = phps[n % len(phps)]
            php.write_text(php.read_text() + "\n// ssh bench %d\n" % n)

        def nothing():
            pass

        def wipe_app():
            host.sh("rm -rf /var/www/app /var/www/app.staging /var/www/app.previous")

        def wipe_raw():
            host.sh("rm -rf /var/www/raw")

        results = {
            "raw rsync": {
                "first deploy": median_of(RUNS, wipe_raw, raw),
                "no-change redeploy": median_of(RUNS, nothing, raw),
                "one-file change": median_of(RUNS, edit, raw),
            },
            "ansible-playbook, one ping": {"no-change redeploy": median_of(RUNS, nothing, lambda: playbook(str(ping)))},
            "rsync_deploy": {
                "first deploy": median_of(RUNS, wipe_app, deploy),
                "no-change redeploy": median_of(RUNS, nothing, deploy),
                "one-file change": median_of(RUNS, edit, deploy),
            },
        }
        floor = results["ansible-playbook, one ping"]["no-change redeploy"]
        lines = [
            SECTION, "",
            "`make bench-deploy-ssh` (tests/bench/deploy_ssh.py), %s. Tree: %d files, %.1f MB (the tree of "
            "bench-deploy). One Debian 12 systemd container with sshd on this machine's docker bridge, reached "
            "over `ansible.builtin.ssh` as an unprivileged user with a key and `become` (sudo), the shipped "
            "ansible.cfg (ControlPersist 60 s, pipelining). Raw rsync: `rsync -a --delete` over ssh with the same "
            "key and a ControlPersist master, `--rsync-path='sudo -n rsync'`. Median of %d runs, wall seconds."
            % (datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), files, size / 1e6, RUNS),
            "",
            "| method | first deploy | no-change redeploy | one-file change |",
            "|---|---|---|---|",
            "| raw rsync | %.1f | %.1f | %.1f |" % tuple(results["raw rsync"][c] for c in CASES),
            "| ansible-playbook, one ping | %.1f | %.1f | %.1f |" % (floor, floor, floor),
            "| rsync_deploy | %.1f | %.1f | %.1f |" % tuple(results["rsync_deploy"][c] for c in CASES),
            "",
            "| case | rsync_deploy − raw rsync | rsync_deploy − ping playbook | goal met (≤ raw + 2 s) |",
            "|---|---|---|---|",
        ]
        for case in ("no-change redeploy", "one-file change"):
            extra = results["rsync_deploy"][case] - results["raw rsync"][case]
            over_floor = results["rsync_deploy"][case] - floor
            lines.append("| %s | %+.1f s | %+.1f s | %s |" % (case, extra, over_floor, "yes" if extra <= 2.0 else "no"))
        text = "\n".join(lines) + "\n"
        print(text)
        write_section(SECTION, text)
    finally:
        docker("rm", "-f", "-v", NAME, check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
