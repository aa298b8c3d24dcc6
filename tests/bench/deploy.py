"""make bench-deploy: rsync_deploy vs ansible.builtin.copy vs raw rsync, 2,000 files (~50 MB),
to 1 and to 4 systemd containers; first deploy, no-change redeploy, one-file change.

Each cell is the median wall time of BENCH_RUNS runs (default 3; ansible.builtin.copy gets
BENCH_COPY_RUNS, default 3). Raw rsync is `rsync -a --delete --rsh='docker exec -i'` to every
container in parallel: the floor. Results go to the "rsync_deploy" section of docs/benchmarks.md
(other sections are kept).

Run: make bench-deploy (never part of make test).
"""

from __future__ import annotations

import json
import os
import pathlib
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / ".collections"))

from tests.bench.report import write_section  # noqa: E402
from tests.conftest import ansible_env  # noqa: E402
from tests.harness.containers import docker, docker_host_vars  # noqa: E402
from tests.harness.moto import bin_path  # noqa: E402
from tests.integration.deploy.conftest import Host, prepared_image, start_container  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
COPY_RUNS = int(os.environ.get("BENCH_COPY_RUNS", "1"))
# ansible.builtin.copy costs seconds per file over docker exec on a busy 2-core machine (measured:
# 200 files took 11 minutes): it runs on a subset of the same tree and is scaled to the full tree.
COPY_FILES = int(os.environ.get("BENCH_COPY_FILES", "100"))
FILES = int(os.environ.get("BENCH_FILES", "2000"))
SIZES = [int(n) for n in os.environ.get("BENCH_HOSTS", "1,4").split(",")]
PREFIX = "gamestack-rsync-bench-"
SECTION = "## rsync_deploy: deploy a 2,000-file tree"
# The generated part of the section ends here; the notes written below it by hand (the history of the
# runs, what was tried) are kept by the next run.
END = "<!-- end of the part written by make bench-deploy; the notes below it are kept -->"
FLOOR = "ansible-playbook, one ping a host"
ORDER = ["raw rsync", FLOOR, "rsync_deploy", "ansible.builtin.copy"]


def inventory_json(names) -> str:
    """The benchmark's static inventory: these containers, all of app-env bench-test."""
    return json.dumps({"all": {"hosts": {name: docker_host_vars("bench", "test") for name in names}}})


def make_tree(root: pathlib.Path) -> pathlib.Path:
    """FILES files, about 50 MB: 80 % small PHP sources, 20 % binary assets."""
    rng = random.Random(42)
    php = int(FILES * 0.8)
    for i in range(FILES):
        sub = root / ("src/m%02d" % (i % 40) if i < php else "public/assets/a%02d" % (i % 20))
        sub.mkdir(parents=True, exist_ok=True)
        if i < php:
            body = "<?php\n// module %d\nfunction f%d($x) { return $x * %d; }\n" % (i, i, i) + "// pad\n" * rng.randint(100, 700)
            (sub / ("file%04d.php" % i)).write_text(body)
        else:
            (sub / ("asset%04d.bin" % i)).write_bytes(rng.randbytes(rng.randint(80_000, 170_000)))
    (root / "public").mkdir(exist_ok=True)
    (root / "public" / "index.php").write_text("<?php\necho 'bench';\n")
    return root


def tree_size(root: pathlib.Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def check(proc: subprocess.CompletedProcess, what: str):
    if proc.returncode != 0:
        raise SystemExit("%s failed:\n%s\n%s" % (what, proc.stdout[-4000:], proc.stderr[-4000:]))


class Bench:
    def __init__(self, work: pathlib.Path, hosts: list[Host]):
        self.work, self.hosts = work, hosts
        # The shipped ansible.cfg (jsonfile fact cache, gathering = smart), with a cache of this run's own.
        self.env = ansible_env(ANSIBLE_CACHE_PLUGIN_CONNECTION=str(work / "facts"), ANSIBLE_PIPELINING="True")
        self.inventory = work / "inventory.json"

    def use(self, count: int):
        self.active = self.hosts[:count]
        self.inventory.write_text(inventory_json(h.name for h in self.active))

    def clean(self, path: str):
        procs = [subprocess.Popen(["docker", "exec", h.name, "rm", "-rf", path, path + ".staging", path + ".previous"])
                 for h in self.active]
        for p in procs:
            p.wait()

    def playbook(self, what: str, playbook, *args):
        """Run one ansible-playbook against the active hosts; a failure ends the benchmark (see check)."""
        check(subprocess.run([bin_path("ansible-playbook"), "-i", str(self.inventory), str(playbook), *args],
                             cwd=REPO, env=self.env, check=False, capture_output=True, text=True), what)

    def rsync_deploy(self, src):
        self.playbook("rsync_deploy", "playbooks/deploy.yml",
                      "-e", json.dumps({"rsync_deploy_src": str(src), "rsync_deploy_dest": "/var/www/app"}))

    def copy(self, src):
        playbook = self.work / "copy.yml"
        playbook.write_text(
            "- hosts: all\n  gather_facts: false\n  tasks:\n"
            "    - ansible.builtin.copy:\n        src: '%s/'\n        dest: /var/www/copy/\n        mode: preserve\n" % src)
        self.playbook("ansible.builtin.copy", playbook)

    def ansible_floor(self, _src=None):
        """Ansible's own floor: the same inventory and settings, one ping per host, no facts."""
        playbook = self.work / "ping.yml"
        playbook.write_text("- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.ping:\n")
        self.playbook("ansible floor", playbook)

    def copy_nothing(self):
        """The fixed cost of the copy playbook (an empty directory): not scaled with the file count."""
        empty = self.work / "empty"
        empty.mkdir(exist_ok=True)
        self.copy(empty)

    def raw(self, src):
        parallel_rsync([["rsync", "-a", "--delete", "--rsh=docker exec -i", str(src) + "/", "%s:/var/www/raw/" % h.name]
                        for h in self.active])


def parallel_rsync(commands: list[list[str]]):
    """Raw rsync, the floor: run these rsync command lines (one a host) at once; a failure ends the benchmark."""
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for argv in commands]
    for proc in procs:
        _out, err = proc.communicate()
        if proc.returncode:
            raise SystemExit("raw rsync failed: %s" % err.decode())


def machine_cpu() -> float:
    """CPU seconds the whole machine has spent since boot (user, nice, system, irq, softirq; every core)."""
    fields = pathlib.Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    return sum(int(fields[i]) for i in (0, 1, 2, 5, 6)) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    """User + system CPU seconds of the finished child processes of this one (and of theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def medians_of(runs: int, prepare, action) -> tuple[float, float, float]:
    """Medians over `runs` runs of action() after prepare(): (wall, CPU of the whole machine, CPU of the
    processes action() started and waited for: ansible-playbook with its workers, the docker CLI and the
    local rsync, not the processes in the containers, which belong to dockerd's shims)."""
    walls, machine, own = [], [], []
    for _run in range(runs):
        prepare()
        machine0, own0, start = machine_cpu(), children_cpu(), time.monotonic()
        action()
        walls.append(time.monotonic() - start)
        machine.append(machine_cpu() - machine0)
        own.append(children_cpu() - own0)
    return statistics.median(walls), statistics.median(machine), statistics.median(own)


def median_of(runs: int, prepare, action) -> float:
    return medians_of(runs, prepare, action)[0]


def copy_subset(src: pathlib.Path, dest: pathlib.Path, count: int) -> pathlib.Path:
    """The first `count` files of the tree (the one-file-change target included), same layout."""
    files = sorted(p for p in src.rglob("*") if p.is_file())
    target = src / "src" / "m00" / "file0000.php"
    chosen = [target] + [p for p in files if p != target][: count - 1]
    for path in chosen:
        out = dest / path.relative_to(src)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, out)
    return dest


def run_matrix(bench: Bench, src: pathlib.Path, subset: pathlib.Path) -> dict:
    results = {}
    targets = [src / "src" / "m00" / "file0000.php", subset / "src" / "m00" / "file0000.php"]
    for count in SIZES:
        bench.use(count)
        floor, floor_machine, floor_own = medians_of(RUNS, lambda: None, bench.ansible_floor)
        results[(count, FLOOR)] = {"first": floor, "same": floor, "one": floor,
                                   "cpu": {"same": (floor, floor_machine, floor_own)}}
        print("%d host(s), %s: %.1fs" % (count, FLOOR, floor), flush=True)
        for method, dest, runs in (("raw rsync", "/var/www/raw", RUNS), ("rsync_deploy", "/var/www/app", RUNS),
                                   ("ansible.builtin.copy", "/var/www/copy", COPY_RUNS)):
            action = {"raw rsync": bench.raw, "rsync_deploy": bench.rsync_deploy, "ansible.builtin.copy": bench.copy}[method]
            print("%d host(s), %s ..." % (count, method), flush=True)
            tree = subset if method == "ansible.builtin.copy" else src
            first = median_of(runs, lambda: bench.clean(dest), lambda: action(tree))
            same_cpu = medians_of(runs, lambda: None, lambda: action(tree))
            same = same_cpu[0]
            counter = iter(range(10 ** 6))

            def touch_one():
                stamp = "// change %d %f\n" % (next(counter), time.time())
                for target in targets:
                    target.write_text(target.read_text() + stamp)

            one_cpu = medians_of(runs, touch_one, lambda: action(tree))
            one = one_cpu[0]
            results[(count, method)] = {"first": first, "same": same, "one": one,
                                        "cpu": {"same": same_cpu, "one": one_cpu}}
            if method == "ansible.builtin.copy":
                results[(count, method)]["fixed"] = median_of(runs, lambda: None, bench.copy_nothing)
            print("   first %.1fs  no-change %.1fs  one-file %.1fs" % (first, same, one), flush=True)
    return results


def scaled(r: dict, case: str, scale: float) -> float:
    """Fixed playbook cost + per-file part × (full tree / subset)."""
    fixed = min(r["fixed"], r[case])
    return fixed + (r[case] - fixed) * scale


def render(results: dict, files: int, size: int, copy_files: int) -> str:
    scale = files / copy_files
    lines = [SECTION, "",
             "`make bench-deploy` (tests/bench/deploy.py), %s. Tree: %d files, %.1f MB (80 %% PHP sources, "
             "20 %% binary assets). Debian 12 systemd containers on this machine (2 cores, shared), "
             "`community.docker.docker` connection with pipelining and no `ansible_user` (with one, that connection "
             "runs `docker version` twice before every task on every host; tests/harness/containers.py: docker_host_vars). "
             "Median of %d runs, wall seconds. "
             "`ansible.builtin.copy` ran on a %d-file subset of the same tree (%d run(s)): its measured time "
             "is shown as measured → scaled to the full tree: the cost of the same playbook on an empty "
             "directory stays, the rest is multiplied by %.0f (copy costs per file; the full tree would "
             "take hours per run here)."
             % (time.strftime("%Y-%m-%d"), files, size / 1e6, RUNS, copy_files, COPY_RUNS, scale), "",
             "| hosts | method | first deploy | no-change redeploy | one-file change |",
             "|---|---|---|---|---|"]
    for (count, method), r in sorted(results.items(), key=lambda kv: (kv[0][0], ORDER.index(kv[0][1]))):
        if method == "ansible.builtin.copy":
            lines.append("| %d | %s (%d files → scaled) | %s |" % (count, method, copy_files, " | ".join(
                "%.1f → %.0f" % (r[c], scaled(r, c, scale)) for c in ("first", "same", "one"))))
        else:
            lines.append("| %d | %s | %.1f | %.1f | %.1f |" % (count, method, r["first"], r["same"], r["one"]))
    lines += ["", "| hosts | case | rsync_deploy − raw rsync | rsync_deploy − ansible floor | copy (scaled) ÷ rsync_deploy "
              "| goal met (≤ raw + 2 s, ≥ 10× copy) |",
              "|---|---|---|---|---|---|"]
    for count in SIZES:
        raw, floor, dep, cp = (results[(count, m)] for m in ("raw rsync", FLOOR, "rsync_deploy", "ansible.builtin.copy"))
        for case, label in (("same", "no-change redeploy"), ("one", "one-file change"), ("first", "first deploy")):
            over = dep[case] - raw[case]
            ratio = scaled(cp, case, scale) / dep[case]
            goal = "—" if case == "first" else "%s / %s" % ("yes" if over <= 2.0 else "no", "yes" if ratio >= 10 else "no")
            lines.append("| %d | %s | %+.1f s | %+.1f s | %.1f× | %s |" % (count, label, over, dep[case] - floor[case], ratio, goal))
    lines += ["", "The *ansible floor* is what any `ansible-playbook` run costs on the same hosts and settings: "
              "start-up, inventory, one remote execution a host (`ansible.builtin.ping`, no facts). No role run "
              "through ansible-playbook can be faster than it; `rsync_deploy − ansible floor` is what the role adds.",
              "", "rsync_deploy does more than the floor on every run: facts, preflight (one probe of the host, "
              "which also compares the live tree with the staging copy) and the push from the controller into "
              "the staging copy; a no-change redeploy ends there (the push moves no file). On a change it adds "
              "one remote step: PHP lint of the changed files, previous-tree snapshot, local sync into the live "
              "tree, marker and the graceful Apache reload. The first deploy also lints every PHP file. The "
              "probe (`files/probe.sh`) and the remote step (`files/activate.sh`) run through "
              "`ansible.builtin.raw`: one bash script each, no Python module run on the host.",
              "", "CPU of the whole machine during each run (median of the same runs; %d cores, so a run can use "
              "%d CPU-seconds a second of wall): *controller* is `ansible-playbook` with everything it started "
              "and waited for (its workers, the docker CLI, the local rsync); *the rest* is everything else "
              "on the machine in that time, mostly the processes in the containers (the host side of each task, "
              "rsync's receiver, Apache) and dockerd." % (os.cpu_count(), os.cpu_count()), "",
              "| hosts | run | wall | machine CPU | share of all cores | controller | the rest |",
              "|---|---|---|---|---|---|---|"]
    for count in SIZES:
        for method, case, label in (("raw rsync", "same", "raw rsync, no change"), ("raw rsync", "one", "raw rsync, one file"),
                                    (FLOOR, "same", FLOOR),
                                    ("rsync_deploy", "same", "rsync_deploy, no-change redeploy"),
                                    ("rsync_deploy", "one", "rsync_deploy, one-file change")):
            wall, machine, own = results[(count, method)]["cpu"][case]
            lines.append("| %d | %s | %.2f s | %.2f s | %.0f %% | %.2f s | %.2f s |"
                         % (count, label, wall, machine, 100 * machine / (wall * (os.cpu_count() or 1)), own,
                            max(machine - own, 0.0)))
    lines += ["", END, ""]
    return "\n".join(lines)


def main():
    image = prepared_image()
    hosts = []
    work = pathlib.Path(tempfile.mkdtemp(prefix="gamestack-bench-deploy-"))
    try:
        for i in range(max(SIZES)):
            hosts.append(start_container(PREFIX + str(i + 1), image))
        for h in hosts:
            h.sh("systemctl start apache2")
        src = make_tree(work / "tree")
        files, size = tree_size(src)
        subset = copy_subset(src, work / "copy-subset", min(COPY_FILES, files))
        copy_files, _copy_size = tree_size(subset)
        print("tree: %d files, %.1f MB; copy subset: %d files" % (files, size / 1e6, copy_files), flush=True)
        results = run_matrix(Bench(work, hosts), src, subset)
        text = render(results, files, size, copy_files)
        write_section(SECTION, text, END)
        print(text)
    finally:
        for h in hosts:
            docker("rm", "-f", "-v", h.name, check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
