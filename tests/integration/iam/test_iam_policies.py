"""Every AWS API call the collection makes is allowed by the least-privilege policy of its job.

The calls come from the moto server's recorder (tests/harness/moto_recording.py) over a whole
`make test` run: ``make test`` truncates the log first and runs this test last.
"""

from __future__ import annotations

import collections
import json
import os
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
POLICIES = REPO / "docs" / "iam"
CALL_LOG = pathlib.Path(os.environ.get("GAMESTACK_AWS_CALL_LOG", REPO / ".cache" / "aws-calls.jsonl"))

# user-agent component (gamestack.aws/<component>) -> policy file of its job
JOBS = {
    "name_tags": "inventory.json",
    "image_catalog": "images.json",
    "latest_image": "images.json",
    "ec2_enhanced_networking": "enhanced-networking.json",
    "autoscaling_singleton": "autoscaling-singleton.json",
    "rds_parameter_group": "rds-params.json",
    "bootstrap": "bootstrap.json",
    # playbooks/publish.yml and playbooks/deploy.yml with deploy_publish_bucket (role publish, module_defaults).
    "publish": "deploy-publish.json",
    # playbooks/deploy.yml: the load balancer steps (role lb_target) of the rolling deploy.
    "deploy": "deploy.json",
    # playbooks/bake.yml: its amazon.aws / community.aws calls (module_defaults: aws_config user_agent_extra),
    # the modules it runs, and the target-group steps of the role lb_target it uses.
    "bake": "bake.json",
    "autoscaling_standby": "bake.json",
    "autoscaling_group_version": "bake.json",
    "image_usage": "bake.json",
    # playbooks/drift_report.yml: its amazon.aws calls (S3 pointers, images); drift-report.json also allows the
    # reads of the image_usage module and the inventory it runs, which are checked under their own jobs.
    "drift_report": "drift-report.json",
    # playbooks/alb.yml: its amazon.aws / community.aws calls and the module that attaches the groups.
    "alb": "alb.json",
    "autoscaling_target_groups": "alb.json",
}


def job_of(agent: str) -> str | None:
    """The component that made a call, from its user agent; None for calls the tests made themselves."""
    for token in agent.split():
        # Before "Ansible/": an amazon.aws module run by a playbook that names its job has both.
        if token.startswith("gamestack.aws/"):
            return token.split("/", 1)[1]
    for token in agent.split():
        if token.startswith("gamestack-bootstrap"):
            return "bootstrap"
        if token.startswith("Ansible/"):
            # amazon.aws modules identify as "APN/1.0 Ansible/<version>"; of our code only
            # playbooks/publish.yml calls AWS through them without naming its job (amazon.aws.s3_object).
            return "publish"
    if "gamestack-bootstrap" in agent:
        return "bootstrap"
    return None


def allowed_actions(policy_file: str) -> set[str]:
    doc = json.loads((POLICIES / policy_file).read_text())
    actions = set()
    for statement in doc["Statement"]:
        assert statement["Effect"] == "Allow"
        listed = statement["Action"]
        actions.update(a.lower() for a in ([listed] if isinstance(listed, str) else listed))
    return actions


def recorded_calls() -> list[dict]:
    if not CALL_LOG.is_file() or CALL_LOG.stat().st_size == 0:
        pytest.fail("no recorded AWS calls in %s: run `make test`, which records them and runs this last" % CALL_LOG)
    return [json.loads(line) for line in CALL_LOG.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("policy_file", sorted(p.name for p in POLICIES.glob("*.json")))
def test_no_policy_uses_wildcard_actions(policy_file):
    for action in allowed_actions(policy_file):
        assert "*" not in action, "%s allows the wildcard action %s" % (policy_file, action)


def test_policies_exist_for_every_job():
    for component, policy_file in JOBS.items():
        assert (POLICIES / policy_file).is_file(), "job %s has no policy %s" % (component, policy_file)


def test_every_recorded_call_is_allowed_by_its_jobs_policy():
    denied = collections.Counter()
    unknown = collections.Counter()
    for call in recorded_calls():
        component = job_of(call["agent"])
        if component is None:
            continue
        if component not in JOBS:
            unknown[component] += 1
            continue
        action = "%s:%s" % (call["service"], call["action"])
        if action.lower() not in allowed_actions(JOBS[component]):
            denied["%s -> %s (%s)" % (component, action, JOBS[component])] += 1
    assert not unknown, "calls from components without a policy: %s" % dict(unknown)
    assert not denied, "calls the job's policy does not allow: %s" % dict(denied)


def test_every_job_was_exercised():
    seen = collections.defaultdict(set)
    for call in recorded_calls():
        component = job_of(call["agent"])
        if component in JOBS:
            seen[JOBS[component]].add("%s:%s" % (call["service"], call["action"]))
    missing = sorted(set(JOBS.values()) - set(seen))
    assert not missing, "no recorded call for the jobs of %s: their policies are untested" % missing


def statements(policy_file: str) -> list[dict]:
    return json.loads((POLICIES / policy_file).read_text())["Statement"]


def as_list(value):
    return [value] if isinstance(value, str) else list(value)


CONDITION_OPERATORS = {"StringEquals", "StringLike", "ForAllValues:StringEquals", "ForAnyValue:StringEquals",
                       "ArnLike", "ArnEquals", "Bool"}
# Actions that change something: never on every resource without a condition.
CHANGING_VERBS = ("Create", "Update", "Delete", "Stop", "Start", "Modify", "Attach", "Configure", "Suspend",
                  "Resume", "Put", "Run", "Pass")


@pytest.mark.parametrize("policy_file", sorted(p.name for p in POLICIES.glob("*.json")))
def test_policy_is_well_formed(policy_file):
    doc = json.loads((POLICIES / policy_file).read_text())
    assert doc["Version"] == "2012-10-17"
    sids = [s["Sid"] for s in doc["Statement"]]
    assert len(sids) == len(set(sids)), "%s repeats a Sid: %s" % (policy_file, sids)
    for statement in doc["Statement"]:
        assert set(statement) <= {"Sid", "Effect", "Action", "Resource", "Condition"}, statement
        for action in as_list(statement["Action"]):
            service, name = action.split(":", 1) if ":" in action else (action, "")
            assert service.isalnum() and service == service.lower() and name[:1].isupper() and name.isalnum(), "%s: bad action %r" % (policy_file, action)
        for resource in as_list(statement["Resource"]):
            assert resource == "*" or resource.startswith("arn:aws:"), "%s: bad resource %r" % (policy_file, resource)
        for operator, keys in statement.get("Condition", {}).items():
            assert operator in CONDITION_OPERATORS, "%s: unknown condition operator %s" % (policy_file, operator)
            assert isinstance(keys, dict) and keys, statement
            for key, value in keys.items():
                assert ":" in key and all(isinstance(v, str) and v for v in as_list(value)), (key, value)


@pytest.mark.parametrize("policy_file", sorted(p.name for p in POLICIES.glob("*.json")))
def test_changing_actions_are_scoped(policy_file):
    for statement in statements(policy_file):
        changing = [a for a in as_list(statement["Action"]) if a.split(":", 1)[1].startswith(CHANGING_VERBS)]
        if changing and "Condition" not in statement:
            for resource in as_list(statement["Resource"]):
                assert not resource.endswith(("*", "/*/*", ":*")) or "APP-ENV" in resource, (
                    "%s allows %s on any %s" % (policy_file, changing, resource))


def conditions_of(policy_file, action):
    return [s.get("Condition", {}) for s in statements(policy_file) if action in as_list(s["Action"])]


def test_singleton_changes_and_deletes_only_groups_it_owns():
    owned = {"autoscaling:ResourceTag/gamestack:managed-by", "aws:ResourceTag/gamestack:managed-by"}
    for action in ("autoscaling:UpdateAutoScalingGroup", "autoscaling:DeleteAutoScalingGroup"):
        for condition in conditions_of("autoscaling-singleton.json", action):
            assert condition.get("StringEquals", {}).keys() & owned, (action, condition)
            assert "autoscaling_singleton" in condition["StringEquals"].values()
    for condition in conditions_of("autoscaling-singleton.json", "autoscaling:CreateAutoScalingGroup"):
        assert condition["StringEquals"]["aws:RequestTag/gamestack:managed-by"] == "autoscaling_singleton"


@pytest.mark.parametrize("policy_file", sorted(p.name for p in POLICIES.glob("*.json")))
def test_pass_role_names_the_role_and_the_service(policy_file):
    for statement in statements(policy_file):
        if "iam:PassRole" in as_list(statement["Action"]):
            assert as_list(statement["Action"]) == ["iam:PassRole"], "PassRole shares a statement: %s" % statement
            assert all(r.startswith("arn:aws:iam::") and ":role/" in r for r in as_list(statement["Resource"]))
            assert statement["Condition"]["StringEquals"]["iam:PassedToService"]


# Checked by AWS on the caller when Auto Scaling launches from a template; the code never calls them itself.
CHECKED_NOT_CALLED = {"ec2:RunInstances", "ec2:CreateTags", "iam:PassRole"}
# Policies of jobs whose AWS calls are all made by this collection's Python code (not by amazon.aws or a script).
PYTHON_JOBS = sorted({JOBS[c] for c in ("name_tags", "image_catalog", "latest_image", "ec2_enhanced_networking",
                                        "autoscaling_singleton", "rds_parameter_group")})


@pytest.mark.parametrize("policy_file", PYTHON_JOBS)
def test_every_allowed_action_is_called_somewhere_in_the_code(policy_file):
    """An action the code never calls is a permission nobody needs (some are not recorded: moto lacks them)."""
    from botocore import xform_name

    code = "\n".join(path.read_text() for path in sorted((REPO / "plugins").rglob("*.py")))
    unused = sorted(action for statement in statements(policy_file) for action in as_list(statement["Action"])
                    if action not in CHECKED_NOT_CALLED and xform_name(action.split(":", 1)[1]) not in code)
    assert not unused, "%s allows actions no code calls: %s" % (policy_file, unused)
