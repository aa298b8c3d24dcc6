"""ec2_enhanced_networking.apply when a stop does not finish: both errors are reported, none hidden.

moto stops an instance at once, so the slow stop is played by a small fake EC2 client whose
instance stays ``stopping`` for a number of describe calls and refuses to start until it is stopped.
"""

from __future__ import annotations

import botocore.exceptions
import pytest

from ansible_collections.gamestack.aws.plugins.modules import ec2_enhanced_networking as mod

IID = "i-0123456789abcdef0"


class SlowStopEC2:
    def __init__(self, stopping_polls):
        self.state = "running"
        self.stopping_polls = stopping_polls
        self.calls = []

    def stop_instances(self, InstanceIds):
        self.calls.append("stop")
        self.state = "stopping"

    def start_instances(self, InstanceIds):
        self.calls.append("start")
        if self.state != "stopped":
            raise botocore.exceptions.ClientError(
                {"Error": {"Code": "IncorrectInstanceState",
                           "Message": "The instance '%s' is not in a state from which it can be started." % IID}},
                "StartInstances")
        self.state = "running"

    def modify_instance_attribute(self, **kwargs):
        self.calls.append("modify")

    def get_paginator(self, _name):
        return self

    def paginate(self, **_kwargs):
        if self.state == "stopping":
            if self.stopping_polls <= 0:
                self.state = "stopped"
            self.stopping_polls -= 1
        yield {"Reservations": [{"Instances": [{"InstanceId": IID, "State": {"Name": self.state}}]}]}


def plan():
    return {"instance_id": IID, "changed": True, "_must_stop": True, "_wait_stopped": False,
            "_changes": [("enaSupport", "true")]}


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch):
    monkeypatch.setattr(mod, "POLL_SECONDS", 0)


def failure_of_apply(monkeypatch, ec2, wait_timeout):
    """The message apply raises; the clock advances one second at each reading."""
    clock = iter(range(0, 100_000))
    monkeypatch.setattr(mod.time, "monotonic", lambda: next(clock))
    with pytest.raises(mod.EnhancedNetworkingError) as caught:
        mod.apply(ec2, [plan()], wait=True, wait_timeout=wait_timeout)
    return str(caught.value)


def test_stop_timeout_is_reported_and_the_instance_restarted_once_stopped(monkeypatch):
    ec2 = SlowStopEC2(stopping_polls=1)
    message = failure_of_apply(monkeypatch, ec2, wait_timeout=1)
    assert "timed out" in message and "stopped" in message, message
    # The restart waited for `stopped` (no IncorrectInstanceState) and the attribute was not set.
    assert ec2.calls == ["stop", "start"], ec2.calls
    assert ec2.state == "running"


def test_stop_timeout_and_failed_restart_are_both_reported(monkeypatch):
    message = failure_of_apply(monkeypatch, SlowStopEC2(stopping_polls=10_000), wait_timeout=2)
    assert "while stopping" in message and "while starting %s again" % IID in message, message
    assert message.count("timed out") == 2, message
