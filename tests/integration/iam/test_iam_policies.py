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
    "publish": "deploy-publish.json",
    # playbooks/bake.yml: its amazon.aws / community.aws calls (module_defaults: aws_config user_agent_extra),
    # the modules it runs, and the target-group steps of the role lb_target it uses.
    "bake": "bake.json",
    "autoscaling_standby": "bake.json",
    "autoscaling_group_version": "bake.json",
    "image_usage": "bake.json",
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
