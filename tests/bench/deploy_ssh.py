"""make bench-deploy-ssh: rsync_deploy to 1 and to 4 hosts over ssh, the way EC2 app hosts are reached,
against raw rsync over the same ssh and the ping playbook over the same ssh.

Each host is the app-tier container of the deploy tests with sshd and a `deploy` user with NOPASSWD sudo
(tests/integration/deploy/conftest.py: start_ssh_host). Ansible reaches them over ansible.builtin.ssh as
`deploy` with `become`, with the shipped ansible.cfg (ControlPersist 60 s, pipelining). The tree is the
2,000-file tree of tests/bench/deploy.py. Raw rsync runs `rsync -a --delete` to every host in parallel
over the ssh command line of the same user, key and a ControlPersist master per host, with
`--rsync-path='sudo -n rsync'`: the floor. BENCH_HOSTS (default "1,4") sets the host counts.

rsync_deploy runs as a play of the role alone (tests/bench/deploy_ab.py: ROLE_PLAYBOOK), without what
playbooks/deploy.yml adds around it (load balancer steps, the health check). The peer is the deploy
playbook a user would otherwise write (PEER below): `ansible.posix.synchronize` of the same tree with
`--delete`, `php -l` of the PHP files it changed, and a graceful reload when anything changed. For the
peer and rsync_deploy the controller's CPU (ansible-playbook and everything it started, not the processes
in the containers) is recorded too, and the CPU each extra host costs: the slope
(CPU at the largest host count − CPU at 1 host) ÷ (hosts − 1).

The CPU one task round costs on each extra host (a skipped task, a `raw` with become) is measured in the same
run: the floor any role pays a round, against which the peer's three tasks and the role's steps are read.

Each cell is the median wall time of BENCH_RUNS runs (default 5); the redeploys of rsync_deploy and the peer
alternate, the order flipped every run. Results go to the "rsync_deploy over
ssh" section of docs/benchmarks.md (other sections are kept). Never part of make test.
"""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / ".collections"))

from tests.bench.deploy_ab import ROLE_PLAYBOOK  # noqa: E402
from tests.bench.deploy import check, make_tree, median_of, medians_of, parallel_rsync, tree_size  # noqa: E402
from tests.bench.report import write_section  # noqa: E402
from tests.conftest import ansible_env  # noqa: E402
from tests.harness.containers import docker  # noqa: E402
from tests.harness.moto import bin_path  # noqa: E402
from tests.integration.deploy.conftest import ssh_host_vars, start_ssh_host  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
# First deploys take minutes (the peer lints every PHP file one by one): BENCH_FIRST_RUNS, default 1.
FIRST_RUNS = int(os.environ.get("BENCH_FIRST_RUNS", "1"))
SIZES = [int(n) for n in os.environ.get("BENCH_HOSTS", "1,4").split(",")]
NAME = "gamestack-rsync-bench-ssh-%d"
SECTION = "## rsync_deploy over ssh (1 and 4 hosts)"
CASES = ("first deploy", "no-change redeploy", "one-file change")
REDEPLOYS = ("no-change redeploy", "one-file change")
# What a user writes without this collection: synchronize, lint what changed, reload when anything changed.
PEER = """\
- name: Deploy the build with synchronize
  hosts: all
  gather_facts: false
  become: true
  tasks:
    - name: Sync the build into /var/www/peer
      ansible.posix.synchronize:
        src: "{{ src }}/"
        dest: /var/www/peer/
        delete: true
      register: sync
      notify: Reload apache2
    - name: Lint the PHP files that changed
      ansible.builtin.shell: |
        set -o pipefail
        cd /var/www/peer
        printf '%s\\0' {{ changed | map('quote') | join(' ') }} | xargs -0 -r -n 1 -P "$(nproc)" php -l >/dev/null
      vars:
        changed: "{{ sync.stdout_lines | select('match', '^[<>]f[^ ]* .*[.]php$')
                     | map('regex_replace', '^[^ ]+ ', '') | list }}"
      args:
        executable: /bin/bash
      when: changed | length > 0
      changed_when: false
  handlers:
    - name: Reload apache2
      ansible.builtin.service:
        name: apache2
        state: reloaded
"""


# The floor under any role: the controller CPU one task round costs on each extra host (ansible-core's worker
# process, templating, the ssh client), for a task skipped by its `when:` and for a `raw` with become. ROUNDS
# tasks of each, slope between the host counts, divided by ROUNDS.
ROUNDS = 10
ROUND_PLAYBOOKS = {
    "skipped task": [{"name": "Skipped %d" % i, "ansible.builtin.debug": {"msg": "x"}, "when": False}
                     for i in range(ROUNDS)],
    "raw with become": [{"name": "Raw %d" % i, "ansible.builtin.raw": "true", "become": True} for i in range(ROUNDS)],
}


def main():
    work = pathlib.Path(tempfile.mkdtemp(prefix="gamestack-bench-ssh-"))
    names = [NAME % i for i in range(1, max(SIZES) + 1)]
    try:
        keys = work / "keys"
        control = work / "cp"
        keys.mkdir()
        control.mkdir()
        # (host, address, key) of every container; each has a key of its own
        hosts = []
        for name in names:
            (keys / name).mkdir()
            hosts.append(start_ssh_host(name, keys / name))
        src = work / "tree"
        make_tree(src)
        files, size = tree_size(src)
        phps = sorted(src.rglob("*.php"))
        inventory = work / "inventory.json"
        env = ansible_env()
        ping = work / "ping.yml"
        ping.write_text("- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.ping:\n")
        role_playbook = work / "role.yml"
        role_playbook.write_text(ROLE_PLAYBOOK)
        peer_playbook = work / "peer.yml"
        peer_playbook.write_text(PEER)
        round_playbooks = {}
        for kind, tasks in ROUND_PLAYBOOKS.items():
            round_playbooks[kind] = work / ("rounds-%s.yml" % kind.replace(" ", "-"))
            round_playbooks[kind].write_text(json.dumps([{"name": "Rounds", "hosts": "all", "gather_facts": False,
                                                          "tasks": tasks}]))
        active: list = []
        raw_commands: list = []

        def use(count: int):
            active[:] = hosts[:count]
            inventory.write_text(json.dumps({"all": {"hosts": {
                "api%d" % i: ssh_host_vars(address, key, control)
                for i, (_host, address, key) in enumerate(active, 1)}}}))
            raw_commands[:] = [
                ["rsync", "-a", "--delete",
                 "--rsh=ssh -o ControlMaster=auto -o ControlPersist=60s -o ControlPath=%s/raw-%%C"
                 " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentityFile=%s -l deploy"
                 % (control, key),
                 "--rsync-path=sudo -n rsync", str(src) + "/", "%s:/var/www/raw/" % address]
                for _host, address, key in active]

        def playbook(*args):
            check(subprocess.run([bin_path("ansible-playbook"), "-i", str(inventory), *args], cwd=REPO, env=env,
                                 capture_output=True, text=True, check=False), "ansible-playbook %s" % args[0])

        def deploy():
            playbook(str(role_playbook), "-e", json.dumps({"rsync_deploy_src": str(src),
                                                               "rsync_deploy_dest": "/var/www/app"}))

        def peer():
            playbook(str(peer_playbook), "-e", json.dumps({"src": str(src)}))

        def raw():
            parallel_rsync(raw_commands)

        edits = iter(range(10_000))

        def edit():
            n = next(edits)
            php = phps[n % len(phps)]
            php.write_text(php.read_text() + "\n// ssh bench %d\n" % n)

        def nothing():
            pass

        def wipe(path: str):
            def run():
                for host, _address, _key in active:
                    host.sh("rm -rf %s %s.staging %s.previous" % (path, path, path))
            return run

        results = {}
        cpu = {}  # cpu[count][method][case]: the controller's CPU seconds (median)
        round_cpu = {}  # round_cpu[count][kind]: the same for a playbook of ROUNDS task rounds
        for count in SIZES:
            use(count)
            results[count] = {
                "raw rsync": {
                    "first deploy": median_of(FIRST_RUNS, wipe("/var/www/raw"), raw),
                    "no-change redeploy": median_of(RUNS, nothing, raw),
                    "one-file change": median_of(RUNS, edit, raw),
                },
                "ping": median_of(RUNS, nothing, lambda: playbook(str(ping))),
            }
            round_cpu[count] = {kind: medians_of(RUNS, nothing, lambda path=path: playbook(str(path)))[2]
                                for kind, path in round_playbooks.items()}
            cpu[count] = {}
            methods = {"rsync_deploy": (deploy, "/var/www/app"), "peer": (peer, "/var/www/peer")}
            for method, (action, path) in methods.items():
                wall, _machine, own = medians_of(FIRST_RUNS, wipe(path), action)
                results[count][method] = {"first deploy": wall}
                cpu[count][method] = {"first deploy": own}
            # The redeploys interleaved, the order flipped every run, so that whatever else the machine does
            # weighs on both alike: one edit (or none), then each method deploys it.
            for case, prepare in (("no-change redeploy", nothing), ("one-file change", edit)):
                samples = {method: [] for method in methods}
                for run in range(RUNS):
                    prepare()
                    for method in (list(methods) if run % 2 == 0 else list(methods)[::-1]):
                        samples[method].append(medians_of(1, nothing, methods[method][0]))
                for method, runs in samples.items():
                    results[count][method][case] = statistics.median(r[0] for r in runs)
                    cpu[count][method][case] = statistics.median(r[2] for r in runs)
        lines = [
            SECTION, "",
            "`make bench-deploy-ssh` (tests/bench/deploy_ssh.py), %s. Tree: %d files, %.1f MB (the tree of "
            "bench-deploy). Debian 12 systemd containers with sshd on this machine's docker bridge, reached "
            "over `ansible.builtin.ssh` as an unprivileged user with a key and `become` (sudo), the shipped "
            "ansible.cfg (ControlPersist 60 s, pipelining). Raw rsync: `rsync -a --delete` to every host in "
            "parallel over ssh with the same key and a ControlPersist master per host, "
            "`--rsync-path='sudo -n rsync'`. Median of %d runs (first deploys: %d), wall seconds."
            % (datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), files, size / 1e6, RUNS,
               FIRST_RUNS),
            "",
            "| hosts | method | first deploy | no-change redeploy | one-file change |",
            "|---|---|---|---|---|",
        ]
        for count in SIZES:
            r = results[count]
            lines += [
                "| %d | raw rsync | %.1f | %.1f | %.1f |" % ((count,) + tuple(r["raw rsync"][c] for c in CASES)),
                "| %d | ansible-playbook, one ping a host | %.1f | %.1f | %.1f |" % ((count,) + (r["ping"],) * 3),
                "| %d | rsync_deploy | %.1f | %.1f | %.1f |" % ((count,) + tuple(r["rsync_deploy"][c] for c in CASES)),
                "| %d | peer: synchronize + php -l + reload | %.1f | %.1f | %.1f |"
                % ((count,) + tuple(r["peer"][c] for c in CASES)),
            ]
        lines += [
            "",
            "| hosts | case | rsync_deploy − raw rsync | rsync_deploy − ping playbook | goal met (≤ raw + 2 s) |",
            "|---|---|---|---|---|",
        ]
        for count in SIZES:
            r = results[count]
            for case in ("no-change redeploy", "one-file change"):
                extra = r["rsync_deploy"][case] - r["raw rsync"][case]
                over_floor = r["rsync_deploy"][case] - r["ping"]
                lines.append("| %d | %s | %+.1f s | %+.1f s | %s |"
                             % (count, case, extra, over_floor, "yes" if extra <= 2.0 else "no"))
        low, high = min(SIZES), max(SIZES)

        def slope(at_low: float, at_high: float) -> float:
            """CPU each extra host costs, between the smallest and the largest host count."""
            return (at_high - at_low) / max(high - low, 1)

        lines += [
            "",
            "Controller CPU (ansible-playbook and the processes it started; median, seconds) and the CPU each "
            "extra host costs, slope = (CPU at %d hosts − CPU at %d) ÷ %d. Goal: rsync_deploy's slope ≤ 1.0× the "
            "peer's." % (high, low, max(high - low, 1)),
            "",
            "| case | method | CPU, %d host(s) | CPU, %d hosts | slope a host | ÷ peer's slope |" % (low, high),
            "|---|---|---|---|---|---|",
        ]
        for case in REDEPLOYS:
            slopes = {m: slope(cpu[low][m][case], cpu[high][m][case]) for m in ("rsync_deploy", "peer")}
            for method in ("rsync_deploy", "peer"):
                ratio = "%.2f×" % (slopes[method] / slopes["peer"]) if slopes["peer"] > 0 else "-"
                lines.append("| %s | %s | %.2f s | %.2f s | %.2f s | %s |" % (
                    case, method, cpu[low][method][case], cpu[high][method][case], slopes[method], ratio))
        lines += [
            "",
            "The floor under any role: the controller CPU one task round costs on each extra host (%d tasks of "
            "each kind, slope between %d and %d hosts, ÷ %d)." % (ROUNDS, low, high, ROUNDS),
            "",
            "| task round | CPU a round, each extra host |",
            "|---|---|",
        ]
        for kind in ROUND_PLAYBOOKS:
            per_round = slope(round_cpu[low][kind], round_cpu[high][kind]) / ROUNDS
            lines.append("| %s | %.0f ms |" % (kind, per_round * 1000))
        text = "\n".join(lines) + "\n"
        print(text)
        write_section(SECTION, text)
    finally:
        for name in names:
            docker("rm", "-f", "-v", name, check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
