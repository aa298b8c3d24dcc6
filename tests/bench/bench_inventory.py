"""The inventory at fleet scale, gamestack.aws.name_tags against amazon.aws.aws_ec2.

One moto server (tests/harness/moto.py) is seeded once: us-east-1 grows to each single-region size
in turn (1,000 -> 5,000 -> 10,000). "NxR" sizes (5000x4: 5,000 instances over 4 regions) get one
moto server per region behind tests/harness/region_router.py, as AWS has one endpoint per region. For each size, in one run:

  (a) floor: a bare boto3 paginate of describe_instances in a fresh Python process;
  (b) ``ansible-inventory --list`` with gamestack.aws.name_tags;
  (c) ``ansible-inventory --list`` with amazon.aws.aws_ec2, configured to build the same groups (its groups
      and parents are checked against (b) first: the benchmark fails if they differ);
  (d) (b) with a warm inventory cache (jsonfile).

What no plugin can go below is measured in the same run: ansible-core's start-up (``ansible-inventory
--list`` of a one-host INI inventory, once) and core's ``--list`` output of the hosts ((d) minus the
same warm run with ``--graph``). Their sum over (b) is the least d/b any inventory plugin can reach.

Each child's CPU (user + sys), wall time and peak RSS come from os.wait4; the median of --runs runs
is reported. The table goes to the "## Inventory at fleet scale" section of
docs/benchmarks.md (other sections are kept). Raw results go to .cache/bench_inventory/last.json;
``--baseline FILE`` (an earlier raw result) adds a before/after table.

    .venv/bin/python -m tests.bench.bench_inventory --sizes 1000,5000,10000,5000x4 --runs 3
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

from tests.bench.report import write_section
from tests.conftest import REPO, ansible_env
from tests.harness.moto import FAKE_CREDENTIALS, MotoServer, bin_path, default_ami
from tests.harness.region_router import RegionRouter

SECTION = "## Inventory at fleet scale"
END = "<!-- end: inventory at fleet scale -->"
RAW = REPO / ".cache" / "bench_inventory"
MAIN_REGION = "us-east-1"
OTHER_REGIONS = ["us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"]
# Several app-env Names, some with release stamps: (b) and (c) must build the same tree from them.
NAMES = [
    "api-production-20190411-1459", "api-production-20190412-0900", "api-staging",
    "web-production-20200101-0000", "web-staging-20200102-1200", "game-production",
    "game-staging-20210305-0815", "match-production", "chat-production-20220707-2359", "chat-dev",
]
BATCH = 100
# moto renders DescribeInstances at about 6.5 ms an instance and pages by reservation (of BATCH instances
# here), so one answer can hold a whole region: about a minute at 10,000. The floor and name_tags wait
# for it (name_tags: option read_timeout); amazon.aws.aws_ec2 has no such option (botocore's 60 s).
MOTO_READ_TIMEOUT = 900

AWS_EC2_CONFIG = {
    "plugin": "amazon.aws.aws_ec2",
    "hostnames": ["instance-id"],
    "use_contrib_script_compatible_sanitization": True,
    "leading_separator": False,
    "keyed_groups": [
        {"key": "tags.Name | regex_replace('-[0-9]{8}-[0-9]{4}$', '')", "separator": "",
         "parent_group": "{{ tags.Name.split('-')[0] }}"},
        {"key": "tags.Name | regex_replace('-[0-9]{8}-[0-9]{4}$', '')", "separator": "",
         "parent_group": "{{ tags.Name.split('-')[1] }}"},
    ],
}

FLOOR = r"""
import sys, boto3
from concurrent.futures import ThreadPoolExecutor
endpoint, regions = sys.argv[1], sys.argv[2].split(",")
from botocore.config import Config
clients = [boto3.client("ec2", region_name=r, endpoint_url=endpoint, config=Config(read_timeout=int(sys.argv[3])))
           for r in regions]
def one(client):
    n = 0
    for page in client.get_paginator("describe_instances").paginate(
            Filters=[{"Name": "instance-state-name", "Values": ["running"]}], PaginationConfig={"PageSize": 1000}):
        for reservation in page["Reservations"]:
            n += len(reservation["Instances"])
    return n
with ThreadPoolExecutor(len(clients)) as pool:
    print(sum(pool.map(one, clients)))
"""

GOALS = [
    ("(b) CPU at most 1.5x (a)", "b/a cpu", lambda r: r["ratios"]["b/a cpu"] <= 1.5),
    ("(c) CPU at least 5x (b)", "c/b cpu", lambda r: r["ratios"]["c/b cpu"] >= 5),
    ("(b) peak RSS at most half of (c)", "b/c rss", lambda r: r["ratios"]["b/c rss"] <= 0.5),
    ("(d) CPU at most 25% of (b)", "d/b cpu", lambda r: r["ratios"]["d/b cpu"] <= 0.25),
]


def parse_sizes(text):
    sizes = []
    for item in text.split(","):
        item = item.strip().lower()
        count, _sep, regions = item.partition("x")
        sizes.append((int(count), int(regions or 1)))
    return sizes


def label(size):
    count, regions = size
    return "{:,}".format(count) + ("" if regions == 1 else " over %d regions" % regions)


# -- seeding -------------------------------------------------------------------------------------

def seed(endpoint, region, count, start=0):
    """Add ``count`` running instances to ``region``, in batches, with Names cycling through NAMES."""
    from botocore.config import Config
    import boto3

    ec2 = boto3.client("ec2", region_name=region, endpoint_url=endpoint,
                       aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                       aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                       config=Config(read_timeout=600, retries={"max_attempts": 0}))
    image = default_ami(ec2)
    done, index = 0, start
    while done < count:
        n = min(BATCH, count - done)
        name = NAMES[index % len(NAMES)]
        tags = [{"Key": "Name", "Value": name}, {"Key": "team", "Value": "bench"}]
        ec2.run_instances(ImageId=image, MinCount=n, MaxCount=n, InstanceType="t3.micro",
                          TagSpecifications=[{"ResourceType": "instance", "Tags": tags}])
        done += n
        index += 1
    return index


# -- measuring -----------------------------------------------------------------------------------

def measure(cmd, env, out_path):
    """Run cmd; return cpu (user+sys, s), wall (s), peak RSS (MiB) of the child, from wait4."""
    with open(out_path, "wb") as out, open(out_path + ".err", "wb") as err:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        error = pathlib.Path(out_path + ".err").read_text()[-3000:]
        raise SystemExit("%s failed (%s):\n%s" % (" ".join(cmd), proc.returncode, error))
    return {"cpu": usage.ru_utime + usage.ru_stime, "wall": wall, "rss": usage.ru_maxrss / 1024.0}


def median(samples):
    return {k: statistics.median(s[k] for s in samples) for k in ("cpu", "wall", "rss")}


def groups_tree(path):
    """{group: (sorted hosts, sorted children)} of an ansible-inventory --list output."""
    data = json.loads(pathlib.Path(path).read_text())
    tree = {}
    for group, body in data.items():
        if group == "_meta":
            continue
        tree[group] = (sorted(body.get("hosts", ())), sorted(body.get("children", ())))
    return tree


def check_same_tree(ours_path, theirs_path):
    """aws_ec2 must give every app-env group of ours the same hosts, and every app/env parent the same children."""
    ours, theirs = groups_tree(ours_path), groups_tree(theirs_path)
    app_env = {g for g, (hosts, _children) in ours.items() if hosts and g.count("-") == 1 and g not in ("all",)}
    parents = {g for g, (_hosts, children) in ours.items() if children and set(children) <= app_env}
    problems = []
    if not app_env:
        problems.append("no app-env group in the output of name_tags")
    for group in sorted(app_env):
        if group not in theirs:
            problems.append("aws_ec2 lacks group %s" % group)
        elif theirs[group][0] != ours[group][0]:
            problems.append("group %s: aws_ec2 has %d hosts, name_tags %d" % (group, len(theirs[group][0]), len(ours[group][0])))
    for group in sorted(parents):
        if group not in theirs or theirs[group][1] != ours[group][1]:
            problems.append("parent %s: aws_ec2 children %s, name_tags %s"
                            % (group, theirs.get(group, ((), None))[1], ours[group][1]))
    if problems:
        raise SystemExit("amazon.aws.aws_ec2 does not build the same tree as gamestack.aws.name_tags:\n  "
                         + "\n  ".join(problems[:20]))
    return len(app_env), len(parents)


def write_config(directory, name, data):
    path = os.path.join(directory, name)
    with open(path, "w") as handle:
        yaml.safe_dump(data, handle, sort_keys=False)
    return path


def core_startup(runs, work):
    """ansible-core's own cost: `ansible-inventory --list` of a one-host INI inventory (no plugin, no AWS)."""
    ini = os.path.join(work, "one-host.ini")
    pathlib.Path(ini).write_text("h1\n")
    out = os.path.join(work, "core.json")
    cmd = [bin_path("ansible-inventory"), "--list", "-i", ini]
    return median([measure(cmd, ansible_env(), out) for _run in range(runs)])


def bench_size(size, regions, endpoint, runs, c_runs, work, core=None):
    count = size[0]
    # A plugin that cannot list must fail the run, not leave an empty inventory.
    env = ansible_env(endpoint, ANSIBLE_INVENTORY_UNPARSED_FAILED="true")
    out = os.path.join(work, "out.json")
    ours = write_config(work, "bench.name_tags.yml", {"plugin": "gamestack.aws.name_tags", "regions": regions,
                                                      "read_timeout": MOTO_READ_TIMEOUT})
    cache_dir = tempfile.mkdtemp(dir=work, prefix="cache-")
    cached = write_config(work, "cached.name_tags.yml", {
        "plugin": "gamestack.aws.name_tags", "regions": regions, "cache": True, "read_timeout": MOTO_READ_TIMEOUT,
        "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": cache_dir, "cache_timeout": 3600})
    theirs = write_config(work, "bench.aws_ec2.yml", dict(AWS_EC2_CONFIG, regions=regions))
    env_ours = dict(env, ANSIBLE_INVENTORY_ENABLED="gamestack.aws.name_tags")
    env_theirs = dict(env, ANSIBLE_INVENTORY_ENABLED="amazon.aws.aws_ec2")
    inventory = [bin_path("ansible-inventory"), "--list", "-i"]
    result = {"size": list(size), "regions": regions, "runs": runs, "c_runs": c_runs}

    print("[%s] (a) floor" % label(size), flush=True)
    floor = [measure([bin_path("python"), "-c", FLOOR, endpoint, ",".join(regions), str(MOTO_READ_TIMEOUT)], env, out) for _run in range(runs)]
    listed = int(pathlib.Path(out).read_text().strip())
    if listed != count:
        raise SystemExit("the floor listed %d instances, expected %d" % (listed, count))
    result["a"] = median(floor)

    print("[%s] (b) name_tags" % label(size), flush=True)
    samples = [measure(inventory + [ours], env_ours, out) for _run in range(runs)]
    ours_out = os.path.join(work, "ours.json")
    os.replace(out, ours_out)
    hosts = len(json.loads(pathlib.Path(ours_out).read_text())["_meta"]["hostvars"])
    if hosts != count:
        raise SystemExit("name_tags listed %d hosts, expected %d" % (hosts, count))
    result["b"] = median(samples)

    if c_runs:
        print("[%s] (c) aws_ec2 x%d" % (label(size), c_runs), flush=True)
        try:
            samples = [measure(inventory + [theirs], env_theirs, out) for _run in range(c_runs)]
        except SystemExit as exc:
            # Reported in the table instead of ending the run: moto answers an unpaged DescribeInstances of
            # 10,000 instances in about a minute, and aws_ec2 has no option to wait longer than botocore's 60 s.
            lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
            # The cause (a timeout, an API error) rather than core's closing "No inventory was parsed".
            causes = [line for line in lines if "No inventory was parsed" not in line
                      and any(word in line.lower() for word in ("timeout", "timed out", "error", "failed to"))]
            result["c_error"] = ((causes or lines or ["failed"])[-1])[:300]
            print("[%s] (c) failed: %s" % (label(size), result["c_error"]), flush=True)
        else:
            result["same_tree"] = check_same_tree(ours_out, out)
            result["c"] = median(samples)

    print("[%s] (d) name_tags, warm cache" % label(size), flush=True)
    measure(inventory + [cached], env_ours, out)  # fills the cache
    samples = [measure(inventory + [cached], env_ours, out) for _run in range(runs)]
    if groups_tree(out) != groups_tree(ours_out):
        raise SystemExit("the cached inventory differs from the live one")
    result["d"] = median(samples)
    # The same warm run with --graph: everything but core's --list output (per-host get_vars and the JSON
    # encoder). (d) minus this is that output, which every run of `ansible-inventory --list` pays.
    graph = [bin_path("ansible-inventory"), "--graph", "-i", cached]
    result["d_graph"] = median([measure(graph, env_ours, out) for _run in range(runs)])

    if len(regions) > 1:
        print("[%s] (b) per single region" % label(size), flush=True)
        single = {}
        for region in regions:
            one = write_config(work, "one.name_tags.yml", {"plugin": "gamestack.aws.name_tags", "regions": [region],
                                                           "read_timeout": MOTO_READ_TIMEOUT})
            single[region] = median([measure(inventory + [one], env_ours, out) for _run in range(runs)])
        result["single_regions"] = single
        result["slowest_single_wall"] = max(s["wall"] for s in single.values())

    add_ratios(result, core)
    print(json.dumps(result, indent=1), flush=True)
    return result


def add_ratios(result, core=None):
    """The ratios of the goals into ``result["ratios"]``; with ``core`` (core's start-up), also the least
    d/b any plugin can reach: core's start-up plus its --list output ((d) minus (d) with --graph)."""
    a, b = result["a"], result["b"]
    ratios = {"b/a cpu": b["cpu"] / a["cpu"]}
    if "c" in result:
        ratios["c/b cpu"] = result["c"]["cpu"] / b["cpu"]
        ratios["b/c rss"] = b["rss"] / result["c"]["rss"]
    ratios["d/b cpu"] = result["d"]["cpu"] / b["cpu"]
    if core is not None and "d_graph" in result:
        output = max(result["d"]["cpu"] - result["d_graph"]["cpu"], 0.0)
        result["d_bound"] = {"core": core["cpu"], "output": output}
        ratios["d bound/b cpu"] = (core["cpu"] + output) / b["cpu"]
    if "slowest_single_wall" in result:
        ratios["b wall / slowest region"] = b["wall"] / result["slowest_single_wall"]
    result["ratios"] = ratios
    return result


# -- report --------------------------------------------------------------------------------------

def fmt(m):
    return "%.2f s / %.2f s / %.0f MiB" % (m["cpu"], m["wall"], m["rss"])


def goal_lines(results):
    lines = []
    for text, key, ok in GOALS:
        verdicts = []
        for r in results:
            if key in r["ratios"]:
                verdict = "%s: %.2f %s" % (label(tuple(r["size"])), r["ratios"][key], "met" if ok(r) else "**NOT met**")
                if key == "d/b cpu" and "d bound/b cpu" in r["ratios"]:
                    verdict += " (no plugin below %.2f)" % r["ratios"]["d bound/b cpu"]
                verdicts.append(verdict)
        lines.append("- %s: %s" % (text, "; ".join(verdicts) if verdicts else "not measured"))
    multi = [r for r in results if "b wall / slowest region" in r["ratios"]]
    verdicts = ["%s: %.2f %s" % (label(tuple(r["size"])), r["ratios"]["b wall / slowest region"],
                                 "met" if r["ratios"]["b wall / slowest region"] <= 1.3 else "**NOT met**") for r in multi]
    lines.append("- several regions, (b) wall at most 1.3x its slowest single region: %s"
                 % ("; ".join(verdicts) if verdicts else "not measured"))
    single = sorted((r for r in results if r["size"][1] == 1), key=lambda r: r["size"][0])
    if len(single) >= 2:
        small, large = single[0], single[-1]
        growth = (large["b"]["rss"] - small["b"]["rss"]) / (large["size"][0] - small["size"][0]) * 1024
        lines.append("- memory of (b) grows linearly: %s (%.1f KiB per extra instance between %s and %s)" % (
            "see the RSS column", growth, label(tuple(small["size"])), label(tuple(large["size"]))))
    return lines


def render(results, args, load_start, load_end, versions, baseline, when):
    now = when.replace("T", " ").replace("+00:00", " UTC")
    lines = [
        SECTION, "",
        "Written by `make bench-inventory` (`tests/bench/bench_inventory.py`). Reproduce with:", "",
        "    .venv/bin/python -m tests.bench.bench_inventory --sizes %s --runs %d --aws-ec2-runs %d"
        % (args.sizes, args.runs, args.aws_ec2_runs), "",
        "Run on %s; load average %.2f / %.2f / %.2f at the start, %.2f / %.2f / %.2f at the end, on this project's "
        "2-core machine shared with other work (wall times suffer most from that). %s. Every instance "
        "is in a moto server on 127.0.0.1, one server per region for the sizes over several regions (their CPU "
        "is not counted; their response time is part of wall)."
        % ((now,) + tuple(load_start) + tuple(load_end) + (versions,)), "",
        "CPU = user + sys of the child process, RSS = its peak resident memory (both from `wait4`); median of "
        "%d runs for (a), (b), (d), of %d run(s) for (c) amazon.aws.aws_ec2 (its runs take long)."
        % (args.runs, args.aws_ec2_runs), "",
        "| instances | (a) floor: CPU / wall / RSS | (b) name_tags | (c) aws_ec2 | (d) name_tags, warm cache "
        "| b/a CPU | c/b CPU | b/c RSS | d/b CPU |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ratios = r["ratios"]
        if "c" in r:
            their = fmt(r["c"])
        else:
            their = "failed: %s" % r["c_error"].replace("|", "/") if "c_error" in r else "not run"
        lines.append("| %s | %s | %s | %s | %s | %.2f | %s | %s | %.2f |" % (
            label(tuple(r["size"])), fmt(r["a"]), fmt(r["b"]), their, fmt(r["d"]),
            ratios["b/a cpu"], "%.1f" % ratios["c/b cpu"] if "c/b cpu" in ratios else "-",
            "%.2f" % ratios["b/c rss"] if "b/c rss" in ratios else "-", ratios["d/b cpu"]))
    for r in results:
        if "single_regions" in r:
            lines += ["", "%s: (b) wall %.2f s; each region alone: %s; ratio to the slowest %.2f." % (
                label(tuple(r["size"])), r["b"]["wall"],
                ", ".join("%s %.2f s" % (k, v["wall"]) for k, v in r["single_regions"].items()),
                r["ratios"]["b wall / slowest region"])]
    checked = [r for r in results if "same_tree" in r]
    if checked:
        lines += ["", "Before comparing, the benchmark checked that aws_ec2 builds the same tree as name_tags "
                  "(same hosts in every app-env group, same children of every app and env parent): "
                  + "; ".join("%s: %d app-env groups, %d parents" % ((label(tuple(r["size"])),) + tuple(r["same_tree"]))
                              for r in checked) + "."]
    bounded = [r for r in results if "d_bound" in r]
    if bounded:
        lines += ["", "What (d) cannot go below with any plugin: ansible-core's start-up (`ansible-inventory --list` of a "
                  "one-host INI inventory: %.2f s of CPU) plus core's `--list` output of the hosts (per-host `get_vars` "
                  "and the JSON encoder: (d) minus the same warm run with `--graph`): " % bounded[0]["d_bound"]["core"]
                  + "; ".join("%s: %.2f + %.2f s = %.2f of (b)" % (
                      label(tuple(r["size"])), r["d_bound"]["core"], r["d_bound"]["output"], r["ratios"]["d bound/b cpu"])
                      for r in bounded) + "."]
    lines += ["", "Goals of the inventory plugin at fleet scale:", ""] + goal_lines(results)
    if baseline:
        lines += ["", "Before/after the optimisation of name_tags ((b) and (d), same "
                  "benchmark; before = %s):" % baseline["when"], "",
                  "| instances | (b) CPU before | (b) CPU after | (b) RSS before | (b) RSS after | (d) CPU before | (d) CPU after |",
                  "|---|---|---|---|---|---|---|"]
        old = {tuple(r["size"]): r for r in baseline["results"]}
        for r in results:
            o = old.get(tuple(r["size"]))
            if o:
                lines.append("| %s | %.2f s | %.2f s | %.0f MiB | %.0f MiB | %.2f s | %.2f s |" % (
                    label(tuple(r["size"])), o["b"]["cpu"], r["b"]["cpu"], o["b"]["rss"], r["b"]["rss"],
                    o["d"]["cpu"], r["d"]["cpu"]))
    if args.note:
        lines += ["", args.note]
    lines += ["", END, ""]
    return "\n".join(lines)


def versions():
    import ansible
    import boto3
    import botocore
    out = subprocess.run([bin_path("ansible-galaxy"), "collection", "list", "amazon.aws"], capture_output=True, check=False,
                         text=True, env=ansible_env(), cwd=REPO).stdout
    amazon = next((l.split()[1] for l in out.splitlines() if l.startswith("amazon.aws ")), "?")
    return "Python %s, ansible-core %s, amazon.aws %s, boto3 %s, botocore %s" % (
        sys.version.split()[0], ansible.__version__ if hasattr(ansible, "__version__") else
        __import__("ansible.release").release.__version__, amazon, boto3.__version__, botocore.__version__)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000,10000,5000x4",
                        help="comma-separated: N (N instances in one region) or NxR (N over R regions)")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--aws-ec2-runs", type=int, default=None,
                        help="runs of (c) amazon.aws.aws_ec2 (default: --runs; 0 skips it)")
    parser.add_argument("--baseline", help="an earlier raw result (JSON) for a before/after table")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--note", default="", help="a paragraph to add to the section")
    parser.add_argument("--from-raw", help="write the section from an earlier raw result (JSON) without measuring")
    args = parser.parse_args(argv)
    if args.aws_ec2_runs is None:
        args.aws_ec2_runs = args.runs
    baseline = json.loads(pathlib.Path(args.baseline).read_text()) if args.baseline else None
    if args.from_raw:
        raw = json.loads(pathlib.Path(args.from_raw).read_text())
        for key in ("sizes", "runs", "aws_ec2_runs"):
            setattr(args, key, raw["args"][key])
        load_start, load_end = raw["load"]
        text = render(raw["results"], args, load_start, load_end, raw["versions"], baseline, raw["when"])
        print(text)
        if not args.no_doc:
            write_section(SECTION, text, END)
        return
    sizes = parse_sizes(args.sizes)
    load_start = os.getloadavg()
    vers = versions()
    results = []
    RAW.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        work = stack.enter_context(tempfile.TemporaryDirectory(prefix="gamestack-invbench-"))
        moto = stack.enter_context(MotoServer())
        print("ansible-core start-up", flush=True)
        core = core_startup(args.runs, work)
        seeded = {MAIN_REGION: 0}
        name_index = 0
        free_regions = list(OTHER_REGIONS)
        for size in sorted(sizes, key=lambda s: (s[1], s[0])):
            count, nregions = size
            endpoint = moto.endpoint
            if nregions == 1:
                regions = [MAIN_REGION]
                t0 = time.monotonic()
                name_index = seed(moto.endpoint, MAIN_REGION, count - seeded[MAIN_REGION], name_index)
                seeded[MAIN_REGION] = count
            else:
                regions, free_regions = free_regions[:nregions], free_regions[nregions:]
                if len(regions) < nregions:
                    raise SystemExit("not enough distinct regions for %s" % label(size))
                # One moto server per region, as AWS has one endpoint per region, behind one router
                # (tests/harness/region_router.py): one server would answer the regions one after another.
                servers = {region: stack.enter_context(MotoServer()) for region in regions}
                endpoint = stack.enter_context(RegionRouter({r: m.endpoint for r, m in servers.items()})).endpoint
                t0 = time.monotonic()
                for i, region in enumerate(regions):
                    share = count // nregions + (1 if i < count % nregions else 0)
                    name_index = seed(servers[region].endpoint, region, share, name_index)
            print("[%s] seeded in %.0f s" % (label(size), time.monotonic() - t0), flush=True)
            c_runs = args.aws_ec2_runs
            results.append(bench_size(size, regions, endpoint, args.runs, c_runs, work, core))
    load_end = os.getloadavg()
    raw = {"when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="minutes"),
           "args": vars(args), "load": [load_start, load_end], "versions": vers, "results": results, "core": core}
    (RAW / "last.json").write_text(json.dumps(raw, indent=1))
    text = render(results, args, load_start, load_end, vers, baseline, raw["when"])
    print(text)
    if not args.no_doc:
        write_section(SECTION, text, END)


if __name__ == "__main__":
    main()
