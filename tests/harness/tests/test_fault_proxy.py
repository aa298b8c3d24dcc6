"""The fault-injecting proxy of the test harness, against a tiny upstream HTTP server."""

from __future__ import annotations

import http.client
import http.server
import threading

import pytest

from tests.harness.fault_proxy import Fault, FaultProxy


class Upstream(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


@pytest.fixture
def upstream():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield "http://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()


def post(endpoint, region, action="DescribeInstances"):
    port = int(endpoint.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    auth = "AWS4-HMAC-SHA256 Credential=AKIAX/20260101/%s/ec2/aws4_request, SignedHeaders=host, Signature=0" % region
    conn.request("POST", "/", body="Action=%s&Version=2016-11-15" % action, headers={"Authorization": auth})
    answer = conn.getresponse()
    body = answer.read()
    conn.close()
    return answer.status, body


def test_count_region_and_action_rules(upstream):
    faults = [Fault.throttle(count=2), Fault.opt_in_required("eu-west-1"),
              Fault.server_error(count=None, action="DescribeRegions")]
    with FaultProxy(upstream, faults) as proxy:
        first, body = post(proxy.endpoint, "us-east-1")
        assert first == 503 and b"<Code>RequestLimitExceeded</Code>" in body
        assert post(proxy.endpoint, "us-east-1")[0] == 503
        assert post(proxy.endpoint, "us-east-1") == (200, b"ok")
        assert post(proxy.endpoint, "eu-west-1")[0] == 401
        assert post(proxy.endpoint, "eu-west-1")[0] == 401
        assert post(proxy.endpoint, "us-east-1", action="DescribeRegions")[0] == 500
        assert proxy.count(faulted=True) == 5
        assert proxy.count(region="us-east-1", action="DescribeInstances", faulted=False) == 1
        assert proxy.count(region="eu-west-1") == 2


def test_drop_closes_the_connection(upstream):
    with FaultProxy(upstream, [Fault(drop=True, count=1)]) as proxy:
        with pytest.raises((http.client.HTTPException, ConnectionError)):
            post(proxy.endpoint, "us-east-1")
        assert post(proxy.endpoint, "us-east-1") == (200, b"ok")


def test_after_and_answer_rules(upstream):
    faults = [Fault(status=400, code="UnauthorizedOperation", action="DescribeImages", after="CreateImage", count=None),
              Fault.answer("StartInstanceRefresh", b"<canned/>")]
    with FaultProxy(upstream, faults) as proxy:
        assert post(proxy.endpoint, "us-east-1", "DescribeImages") == (200, b"ok")
        assert post(proxy.endpoint, "us-east-1", "CreateImage") == (200, b"ok")
        status, body = post(proxy.endpoint, "us-east-1", "DescribeImages")
        assert status == 400 and b"UnauthorizedOperation" in body
        assert post(proxy.endpoint, "us-east-1", "StartInstanceRefresh") == (200, b"<canned/>")
        assert proxy.count(action="DescribeImages", faulted=True) == 1
