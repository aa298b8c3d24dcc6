"""The lean DescribeInstances reader gives exactly the records botocore's parser + instance_record give."""

from __future__ import annotations

from xml.sax.saxutils import escape

import botocore.session
import pytest
from botocore import parsers

from ansible_collections.gamestack.aws.plugins.module_utils import ec2_instances

NS_AWS = "http://ec2.amazonaws.com/doc/2016-11-15/"  # real AWS: trailing slash; moto: none


def instance_xml(instance_id, extra=""):
    return "<item><instanceId>%s</instanceId>%s</item>" % (instance_id, extra)


FULL = (
    "<imageId>ami-0abc</imageId><instanceState><code>16</code><name>running</name></instanceState>"
    "<privateDnsName>ip-10-0-0-1.ec2.internal</privateDnsName><dnsName>ec2-54-0-0-1.compute-1.amazonaws.com</dnsName>"
    "<instanceType>c5.large</instanceType><launchTime>2026-01-02T03:04:05.000Z</launchTime>"
    "<placement><availabilityZone>us-east-1a</availabilityZone><tenancy>default</tenancy></placement>"
    "<privateIpAddress>10.0.0.1</privateIpAddress><ipAddress>54.0.0.1</ipAddress>"
    "<networkInterfaceSet><item><privateDnsName>WRONG-nested</privateDnsName><privateIpAddress>10.9.9.9</privateIpAddress>"
    "<association><publicIp>1.2.3.4</publicIp></association></item></networkInterfaceSet>"
    "<tagSet><item><key>Name</key><value>api-production-20190411-1459</value></item>"
    "<item><key>team</key><value>a &amp; b &lt;c&gt; {{ lookup('pipe', 'id') }}</value></item>"
    "<item><key>empty</key><value/></item></tagSet>"
    "<enaSupport>true</enaSupport><sriovNetSupport>simple</sriovNetSupport>"
)
STOPPED = (
    "<imageId>ami-0abc</imageId><instanceState><code>80</code><name>stopped</name></instanceState>"
    "<privateDnsName/><dnsName/><instanceType>t3.micro</instanceType>"
    "<launchTime>2026-01-02T03:04:05.123Z</launchTime>"
    "<placement><availabilityZone>us-east-1b</availabilityZone></placement><enaSupport>false</enaSupport>"
)


def body(items_by_reservation, ns=NS_AWS, token=None):
    reservations = "".join(
        "<item><reservationId>r-%d</reservationId><ownerId>1</ownerId><groupSet/><instancesSet>%s</instancesSet></item>"
        % (n, "".join(items)) for n, items in enumerate(items_by_reservation)
    )
    xmlns = ' xmlns="%s"' % ns if ns else ""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<DescribeInstancesResponse%s><requestId>req-1</requestId>'
            "<reservationSet>%s</reservationSet>%s</DescribeInstancesResponse>"
            % (xmlns, reservations, "<nextToken>%s</nextToken>" % escape(token) if token else "")).encode()


def botocore_parse(raw):
    model = botocore.session.get_session().get_service_model("ec2").operation_model("DescribeInstances")
    return parsers.create_parser("ec2").parse({"body": raw, "headers": {}, "status_code": 200}, model.output_shape)


def via_botocore(raw, region):
    return ec2_instances.page_records(botocore_parse(raw), region)


@pytest.mark.parametrize("ns", [NS_AWS, "http://ec2.amazonaws.com/doc/2016-11-15", ""])
def test_same_records_as_botocore(ns):
    raw = body([[instance_xml("i-1", FULL), instance_xml("i-2", STOPPED)], [instance_xml("i-3")]], ns=ns, token="tok&1")
    records, token, request_id, _ns = ec2_instances.records_from_xml(raw, "us-east-1")
    assert records == via_botocore(raw, "us-east-1")
    assert token == "tok&1" and request_id == "req-1"
    first, stopped, bare = records
    # The instance's own fields, not the network interface's repeated ones.
    assert first["private_dns"] == "ip-10-0-0-1.ec2.internal" and first["private_ip"] == "10.0.0.1"
    assert first["public_ip"] == "54.0.0.1" and first["launch_time"] == "2026-01-02T03:04:05+00:00"
    assert first["tags"]["team"] == "a & b <c> {{ lookup('pipe', 'id') }}" and first["tags"]["empty"] == ""
    assert first["ena"] is True and stopped["ena"] is False and bare["ena"] is None
    assert stopped["public_ip"] is None and stopped["private_dns"] is None
    assert stopped["launch_time"] == "2026-01-02T03:04:05.123000+00:00"
    assert bare == {"id": "i-3", "region": "us-east-1", "type": None, "az": None, "private_ip": None,
                    "public_ip": None, "private_dns": None, "public_dns": None, "image": None,
                    "launch_time": None, "state": None, "ena": None, "sriov": None, "tags": {}}


def test_empty_page_and_last_page():
    raw = body([])
    assert ec2_instances.records_from_xml(raw, "eu-west-1")[:2] == ([], None)
    assert via_botocore(raw, "eu-west-1") == []


class FakeEvents:
    def __init__(self):
        self.handlers = {}

    def register(self, event, handler, unique_id=None):
        self.handlers[event] = handler


class FakeClient:
    def __init__(self):
        self.meta = type("Meta", (), {"events": FakeEvents()})()


def run_handler(response_dict):
    client = FakeClient()
    ec2_instances.use_lean_describe_instances(client, "us-east-1")
    customized = {}
    client.meta.events.handlers["before-parse.ec2.DescribeInstances"](
        response_dict=response_dict, customized_response_dict=customized, operation_model=None)
    return customized


def test_handler_leaves_botocore_only_the_token():
    response = {"status_code": 200, "headers": {}, "body": body([[instance_xml("i-1", FULL)]], token="next<1>")}
    customized = run_handler(response)
    assert [r["id"] for r in customized[ec2_instances.RECORDS_KEY]] == ["i-1"]
    parsed = botocore_parse(response["body"])
    assert parsed["Reservations"] == [] and parsed["NextToken"] == "next<1>"
    assert parsed["ResponseMetadata"]["RequestId"] == "req-1"


@pytest.mark.parametrize("response", [
    {"status_code": 400, "headers": {}, "body": (b"<Response><Errors><Error><Code>UnauthorizedOperation</Code>"
                                                 b"<Message>no</Message></Error></Errors></Response>")},
    {"status_code": 200, "headers": {}, "body": b"this is not xml"},
    {"status_code": 503, "headers": {}, "body": b""},
])
def test_handler_passes_errors_and_unknown_bodies_through(response):
    before = dict(response)
    assert run_handler(response) == {}
    assert response == before
