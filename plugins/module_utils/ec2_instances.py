# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EC2 instances as the collection's small records, listed with DescribeInstances.

A DescribeInstances page of 1,000 instances is about 3 MB of XML with some 60 fields an
instance. botocore's response parser walks every element against the service model in Python;
that walk was the largest single cost of listing a fleet (about 0.45 s of CPU per 1,000 instances
against 0.13 s for building the same XML tree with ElementTree). The collection reads 13 fields.

So on the clients made here, a ``before-parse`` handler (botocore's documented hook for custom
response handling) reads those fields straight from a successful response body, hands the records
over in the parsed page under ``RECORDS_KEY``, and leaves botocore a body holding only the
``nextToken``. Everything else stays botocore's: signing, retries (throttling, 5xx), error
responses (not touched: a status of 300 or more passes through as it came) and pagination.
A page without ``RECORDS_KEY`` (a client without the handler, botocore's Stubber in unit tests)
is read from its ``Reservations`` by ``instance_record``: both paths give the same records.
"""

from __future__ import annotations

import datetime
from xml.etree import ElementTree
from xml.sax.saxutils import escape

RECORDS_KEY = "GamestackInstanceRecords"
PAGE_SIZE = 1000
_EVENT = "before-parse.ec2.DescribeInstances"
_HANDLER_ID = "gamestack.aws.ec2_instances.lean_describe_instances"


def _iso(value):
    """LaunchTime as botocore's datetime would print it (``2026-01-02T03:04:05+00:00``)."""
    if value is None or hasattr(value, "isoformat"):
        return value.isoformat() if value is not None else None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        return datetime.datetime.fromisoformat(text).isoformat()
    except ValueError:
        from botocore.utils import parse_timestamp

        return parse_timestamp(value).isoformat()


def _record(region, instance_id, itype, az, private_ip, public_ip, private_dns, public_dns, image, launch_time,
            state, ena, sriov, tags):
    """The one shape of a record (also what the inventory cache stores); empty addresses become None."""
    return {
        "id": instance_id,
        "region": region,
        "type": itype,
        "az": az,
        "private_ip": private_ip or None,
        "public_ip": public_ip or None,
        "private_dns": private_dns or None,
        "public_dns": public_dns or None,
        "image": image,
        "launch_time": _iso(launch_time),
        "state": state,
        "ena": ena,
        "sriov": sriov,
        "tags": tags,
    }


def instance_record(instance, region):
    """The record of one instance from botocore's parsed form (a ``Reservations[].Instances[]`` item)."""
    get = instance.get
    return _record(
        region, instance["InstanceId"], get("InstanceType"), (get("Placement") or {}).get("AvailabilityZone"),
        get("PrivateIpAddress"), get("PublicIpAddress"), get("PrivateDnsName"), get("PublicDnsName"),
        get("ImageId"), get("LaunchTime"), (get("State") or {}).get("Name"), get("EnaSupport"),
        get("SriovNetSupport"), {t["Key"]: t["Value"] for t in get("Tags") or ()},
    )


def _bool(text):
    if text is None:
        return None
    return text.strip().lower() == "true"


def _text(fields, tag):
    element = fields.get(tag)
    return element.text if element is not None else None


def _nested_text(fields, tag, child):
    element = fields.get(tag)
    return element.findtext(child) if element is not None else None


def records_from_xml(body, region):
    """The records and the next token of one DescribeInstances response body (bytes of XML)."""
    root = ElementTree.fromstring(body)
    tag = root.tag
    ns = tag[:tag.index("}") + 1] if tag.startswith("{") else ""
    item, key, value = ns + "item", ns + "key", ns + "value"
    records = []
    reservations = root.find(ns + "reservationSet")
    for reservation in reservations if reservations is not None else ():
        instances = reservation.find(ns + "instancesSet")
        if instances is None:
            continue
        for instance in instances.iterfind(item):
            # Direct children only: network interfaces repeat privateDnsName and friends further down.
            fields = {child.tag: child for child in instance}
            tags = {}
            tag_set = fields.get(ns + "tagSet")
            if tag_set is not None:
                for pair in tag_set.iterfind(item):
                    tags[pair.findtext(key) or ""] = pair.findtext(value) or ""
            records.append(_record(
                region, _text(fields, ns + "instanceId"), _text(fields, ns + "instanceType"),
                _nested_text(fields, ns + "placement", ns + "availabilityZone"),
                _text(fields, ns + "privateIpAddress"), _text(fields, ns + "ipAddress"),
                _text(fields, ns + "privateDnsName"), _text(fields, ns + "dnsName"), _text(fields, ns + "imageId"),
                _text(fields, ns + "launchTime"), _nested_text(fields, ns + "instanceState", ns + "name"),
                _bool(_text(fields, ns + "enaSupport")), _text(fields, ns + "sriovNetSupport"), tags,
            ))
    return records, root.findtext(ns + "nextToken") or None, root.findtext(ns + "requestId"), ns


def use_lean_describe_instances(client, region):
    """Make ``client`` (an EC2 client of ``region``) hand DescribeInstances pages over as records."""

    def handler(response_dict, customized_response_dict, **kwargs):
        if response_dict.get("status_code", 500) >= 300 or not response_dict.get("body"):
            return
        try:
            records, token, request_id, ns = records_from_xml(response_dict["body"], region)
        except ElementTree.ParseError:
            return  # not XML we know: botocore parses it (and reports it) as usual
        customized_response_dict[RECORDS_KEY] = records
        xmlns = ' xmlns="%s"' % escape(ns[1:-1], {'"': "&quot;"}) if ns else ""
        rest = "".join(
            "<%s>%s</%s>" % (name, escape(value), name)
            for name, value in (("requestId", request_id), ("nextToken", token)) if value
        )
        response_dict["body"] = (
            "<DescribeInstancesResponse%s>%s<reservationSet/></DescribeInstancesResponse>" % (xmlns, rest)
        ).encode("utf-8")

    client.meta.events.register(_EVENT, handler, unique_id=_HANDLER_ID)
    return client


def page_records(page, region):
    """The records of one parsed DescribeInstances page, from either path (see the module doc)."""
    if RECORDS_KEY in page:
        return page[RECORDS_KEY]
    return [
        instance_record(instance, region)
        for reservation in page.get("Reservations", ())
        for instance in reservation.get("Instances", ())
    ]


def list_instances(client, region, filters=None, page_size=PAGE_SIZE):
    """Every instance of ``region`` matching ``filters`` as records, one DescribeInstances call a page."""
    use_lean_describe_instances(client, region)
    records = []
    kwargs = {"PaginationConfig": {"PageSize": page_size}}
    if filters:
        kwargs["Filters"] = filters
    for page in client.get_paginator("describe_instances").paginate(**kwargs):
        records.extend(page_records(page, region))
    return records
