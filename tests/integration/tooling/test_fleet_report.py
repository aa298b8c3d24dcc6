"""playbooks/fleet_report.yml through the real inventory plugin gamestack.aws.name_tags against a moto fleet.

The fleet is seeded over HTTP with fixed subnets, private IPs and Elastic IPs (documentation ranges,
never contacted), so the table is deterministic except for the instance IDs moto draws at random; those
are replaced by placeholders of the same length (i-00000000000000001 ...) in the order the seed created
them, after checking that each real ID sits in the row of the instance it was created as. The normalised
output is compared with the golden files in golden/ (text as printed by the playbook, CSV, Markdown).

Refresh the golden files after an intended change: GAMESTACK_UPDATE_GOLDEN=1 pytest tests/integration/tooling/test_fleet_report.py
"""

from __future__ import annotations

import json
import os
import pathlib
import sys

import pytest
import yaml

from tests.conftest import REPO, ansible_env, run
from tests.harness.moto import default_ami, run_instances

HERE = pathlib.Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
PLAYBOOK = REPO / "playbooks" / "fleet_report.yml"
ASG_TAG = "aws:autoscaling:groupName"
# A Name tag that is a template: it must be printed literally, the file never created.
MARKER = pathlib.Path("/tmp/gamestack-fleet-report-injected")
INJECTION = "{{ lookup('pipe', 'touch %s') }}" % MARKER

# (Name tag or None, ASG or None, AZ, private IP, Elastic IP or None, state)
FLEET = [
    ("web-production-20250214-1200", "web-production", "us-east-1b", "10.20.2.30", "198.51.100.30", "running"),
    ("api-production-20250301-0930", "api-production", "us-east-1b", "10.20.2.10", "198.51.100.11", "running"),
    ("api-production-20250301-0930", "api-production", "us-east-1a", "10.20.1.10", "198.51.100.10", "running"),
    ("api-staging", None, "us-east-1a", "10.20.1.20", None, "running"),
    ("realtime-production", "realtime-production", "us-east-1a", "10.20.1.40", "198.51.100.40", "running"),
    (None, None, "us-east-1a", "10.20.1.50", None, "running"),
    ("Legacy Box", None, "us-east-1b", "10.20.2.60", "198.51.100.60", "running"),
    ("INJECTION", None, "us-east-1b", "10.20.2.70", None, "running"),
    # Shown in quotes (the space would be invisible) and aligned (wide characters take two columns).
    ("api-production ", None, "us-east-1b", "10.20.2.80", None, "running"),
    ("ゲーム-production", None, "us-east-1a", "10.20.1.80", None, "running"),
    ("api-production-20240101-0000", "api-production", "us-east-1a", "10.20.1.99", None, "stopped"),
]


def seed_fleet(aws):
    """Create the FLEET in its own VPC; return [(instance id, row spec)] in creation order."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = {
        az: ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
        for az, cidr in (("us-east-1a", "10.20.1.0/24"), ("us-east-1b", "10.20.2.0/24"))
    }
    image = default_ami(ec2)  # once: describe_images is the slow call of moto
    created = []
    for name, asg, az, private, public, state in FLEET:
        if name == "INJECTION":
            name = INJECTION
        tags = {ASG_TAG: asg} if asg else None
        (instance,) = run_instances(ec2, name, tags=tags, image_id=image, SubnetId=subnets[az], PrivateIpAddress=private)
        if public:
            allocation = ec2.allocate_address(Domain="vpc", Address=public)["AllocationId"]
            ec2.associate_address(InstanceId=instance, AllocationId=allocation)
        if state == "stopped":
            ec2.stop_instances(InstanceIds=[instance])
        created.append((instance, name, az, private, public, state))
    return created


def placeholders(created):
    """Real instance ID -> i-0000000000000000N (same length as moto's IDs, so alignment is kept)."""
    mapping = {}
    for number, (instance, *_rest) in enumerate(created, start=1):
        placeholder = "i-" + str(number).rjust(len(instance) - 2, "0")
        assert len(placeholder) == len(instance)
        mapping[instance] = placeholder
    return mapping


def normalise(text, mapping):
    for real, placeholder in mapping.items():
        text = text.replace(real, placeholder)
    return text


def check_golden(name, text):
    path = GOLDEN / name
    if os.environ.get("GAMESTACK_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), "%s differs from the golden file %s:\n%s" % (name, path, text)


def write_inventory(tmp_path, endpoint):
    path = tmp_path / "fleet.aws_ec2.yml"
    path.write_text(yaml.safe_dump({
        "plugin": "gamestack.aws.name_tags",
        "regions": ["us-east-1"],
        "endpoint_url": endpoint,
    }))
    return path


def play(tmp_path, endpoint, *extra, callback="ansible.posix.json"):
    env = ansible_env(endpoint, ANSIBLE_STDOUT_CALLBACK=callback, ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    cmd = ["ansible-playbook", "-i", str(write_inventory(tmp_path, endpoint)), str(PLAYBOOK), *extra]
    return run(cmd, env)


def printed_lines(proc):
    """The msg lines of the 'Print the fleet table' task from the JSON callback."""
    # profile_tasks (enabled in ansible.cfg) prints its timings around the JSON document.
    data = json.JSONDecoder().raw_decode(proc.stdout[proc.stdout.index("{"):])[0]
    for task in data["plays"][0]["tasks"]:
        if task["task"]["name"] == "Print the fleet table":
            return task["hosts"]["localhost"]["msg"]
    raise AssertionError("no 'Print the fleet table' task:\n" + proc.stdout)


@pytest.fixture
def fleet(aws):
    if MARKER.exists():
        MARKER.unlink()
    created = seed_fleet(aws)
    yield {"created": created, "mapping": placeholders(created), "marker": MARKER}
    assert not MARKER.exists(), "the injected tag value was evaluated"


def test_printed_table_matches_the_golden_file(fleet, aws, tmp_path):
    proc = play(tmp_path, aws.endpoint)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = printed_lines(proc)

    # Each real ID is in the row of the instance it was created as (before the IDs are normalised).
    for instance, name, az, private, public, state in fleet["created"]:
        rows = [line for line in lines if instance in line]
        if state != "running":
            assert rows == [], "a stopped instance is not in the inventory (instance_states: running)"
            continue
        assert len(rows) == 1, (instance, lines)
        assert private in rows[0] and az in rows[0] and (public or "") in rows[0]
        if name and "{{" not in name:
            assert rows[0].startswith((name if name == name.strip() else '"%s"' % name) + " ")

    check_golden("fleet_report.txt", normalise("\n".join(lines) + "\n", fleet["mapping"]))
    # The tag value that looks like a template is printed literally and never evaluated.
    assert any(INJECTION in line for line in lines)
    assert not fleet["marker"].exists()


@pytest.mark.parametrize("fmt, golden", [("csv", "fleet_report.csv"), ("markdown", "fleet_report.md"),
                                         ("text", "fleet_report.txt")])
def test_written_report_matches_the_golden_file(fleet, aws, tmp_path, fmt, golden):
    dest = tmp_path / ("fleet." + fmt)
    proc = play(tmp_path, aws.endpoint, "-e", "fleet_report_format=" + fmt, "-e", "fleet_report_dest=" + str(dest))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = dest.read_text()
    for instance, *_rest in fleet["created"][:-1]:  # all running ones
        assert instance in text
    check_golden(golden, normalise(text, fleet["mapping"]))
    assert not fleet["marker"].exists()


def test_one_group_only(fleet, aws, tmp_path):
    proc = play(tmp_path, aws.endpoint, "-e", "fleet_report_group=api-production")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = printed_lines(proc)
    assert [line.split()[0] for line in lines] == ["NAME"] + ["api-production-20250301-0930"] * 2
    assert [line.split()[5] for line in lines[1:]] == ["us-east-1a", "us-east-1b"]


def test_human_output_of_the_default_callback(fleet, aws, tmp_path):
    """What an operator sees: the aligned lines in the default callback's output."""
    proc = play(tmp_path, aws.endpoint, callback="ansible.builtin.default")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    golden = (GOLDEN / "fleet_report.txt").read_text().splitlines()
    shown = normalise(proc.stdout, fleet["mapping"])
    for line in golden:
        assert json.dumps(line, ensure_ascii=False) in shown, line


@pytest.mark.parametrize(
    "extra, needles",
    [
        (["-e", "fleet_report_format=html"], ["fleet_report_format must be text, csv or markdown, got ", "html"]),
        (["-e", "fleet_report_group=api-prod"], ["fleet_report_group must be a group of the inventory, got ", "api-prod"]),
    ],
)
def test_bad_settings_are_refused_before_writing(fleet, aws, tmp_path, extra, needles):
    dest = tmp_path / "never.txt"
    proc = play(tmp_path, aws.endpoint, *extra, "-e", "fleet_report_dest=" + str(dest), callback="ansible.builtin.default")
    assert proc.returncode != 0
    failed = [line for line in (proc.stdout + proc.stderr).splitlines() if needles[0] in line]
    assert failed and all(needles[1] in line for line in failed), proc.stdout
    assert not dest.exists()
