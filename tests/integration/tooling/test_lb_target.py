"""The role gamestack.aws.lb_target (find, deregister, register) against moto over HTTP."""

from __future__ import annotations

import json

from tests.integration.tooling.helpers import job_user_agent, playbook, serving_group, target_states


def steps(instance, *entry_points, **role_vars):
    text = ""
    for entry in entry_points:
        text += (
            "- name: lb_target %s\n  ansible.builtin.include_role:\n    name: gamestack.aws.lb_target\n"
            "    tasks_from: %s\n  vars:\n    lb_target_instance_id: %s\n" % (entry, entry, instance)
        )
        for key, value in role_vars.items():
            text += "    %s: %s\n" % (key, value if isinstance(value, str) else json.dumps(value))
    return text + "- name: found\n  ansible.builtin.debug:\n    var: lb_target_found\n"


def play(tmp_path, endpoint, tasks):
    # The role's steps are those of the bake job (the IAM test maps its calls to docs/iam/bake.json).
    return playbook(tmp_path, endpoint, tasks, module_defaults=job_user_agent("bake"))


def test_deregister_then_register_in_the_app_envs_groups_only(aws, tmp_path):
    fleet = serving_group(aws)
    first, other = fleet["instances"]
    # A group of another app-env that also lists the instance is left alone.
    elbv2 = aws("elbv2")
    web = elbv2.create_target_group(Name="web-production", Protocol="HTTP", Port=8080, VpcId=fleet["vpc"],
                                    TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
    elbv2.register_targets(TargetGroupArn=web, Targets=[{"Id": first, "Port": 8080}])
    elbv2.modify_target_group_attributes(TargetGroupArn=fleet["tg"], Attributes=[
        {"Key": "deregistration_delay.timeout_seconds", "Value": "5"}])

    out = play(tmp_path, aws.endpoint, steps(first, "find", "deregister", lb_target_app_env="api-production"))
    assert out.rc == 0, out.output
    (found,) = out.task("found")["lb_target_found"]
    assert (found["name"], found["port"], found["arn"]) == ("api-production", 80, fleet["tg"])
    drained = out.task("Deregister the instance and wait until it is drained")["results"][0]
    assert drained["changed"] is True
    assert drained["invocation"]["module_args"]["target_status_timeout"] == 35  # delay 5 + margin 30
    assert target_states(aws, fleet["tg"]) == {other: "healthy"}
    assert target_states(aws, web) == {first: "healthy"}

    back = play(tmp_path, aws.endpoint, steps(first, "find", lb_target_groups=["web-production"]))
    assert back.rc == 0, back.output
    assert back.task("found")["lb_target_found"][0]["name"] == "web-production"


def test_register_puts_it_back_healthy(aws, tmp_path):
    fleet = serving_group(aws)
    first = fleet["instances"][0]
    found = [{"arn": fleet["tg"], "name": "api-production", "port": 80}]
    aws("elbv2").deregister_targets(TargetGroupArn=fleet["tg"], Targets=[{"Id": first, "Port": 80}])
    out = play(tmp_path, aws.endpoint, steps(first, "register", lb_target_found=found))
    assert out.rc == 0, out.output
    assert target_states(aws, fleet["tg"])[first] == "healthy"
    again = play(tmp_path, aws.endpoint, steps(first, "register", lb_target_found=found))
    assert again.stats["changed"] == 0, again.output


def test_a_named_group_without_the_instance_is_refused(aws, tmp_path):
    fleet = serving_group(aws)
    first = fleet["instances"][0]
    out = play(tmp_path, aws.endpoint, steps(first, "find", "deregister", lb_target_groups=["api-production", "api-staging"]))
    assert out.rc != 0
    assert "is not registered in the target group(s) api-staging" in out.failure()
    assert target_states(aws, fleet["tg"])[first] == "healthy", "a refused call changed a target group"


def test_a_hostile_instance_id_is_refused(aws, tmp_path):
    out = play(tmp_path, aws.endpoint, steps("'i-1234abcd --x'", "find"))
    assert out.rc != 0
    assert "lb_target_instance_id must be an EC2 instance ID" in out.failure()
