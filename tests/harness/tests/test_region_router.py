"""The region router of the inventory benchmark: each request reaches the server of its SigV4 region."""

from __future__ import annotations

import http.client
import http.server
import threading

import pytest

from tests.harness.region_router import RegionRouter


def upstream_named(name):
    class Upstream(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            payload = ("%s:%s" % (name, body.decode())).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("X-Upstream", name)
            self.end_headers()
            self.wfile.write(payload)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def upstreams():
    servers = {region: upstream_named(region) for region in ("us-east-1", "eu-west-1")}
    yield {region: "http://127.0.0.1:%d" % s.server_address[1] for region, s in servers.items()}
    for server in servers.values():
        server.shutdown()
        server.server_close()


def post(conn, region, body):
    auth = "AWS4-HMAC-SHA256 Credential=AKIAX/20260101/%s/ec2/aws4_request, SignedHeaders=host, Signature=0" % region
    conn.request("POST", "/", body=body, headers={"Authorization": auth})
    answer = conn.getresponse()
    return answer.status, answer.getheader("X-Upstream"), answer.read()


def test_requests_go_to_their_region_over_one_kept_alive_connection(upstreams):
    with RegionRouter(upstreams) as router:
        conn = http.client.HTTPConnection("127.0.0.1", int(router.endpoint.rsplit(":", 1)[1]), timeout=10)
        assert post(conn, "eu-west-1", "a=1") == (200, "eu-west-1", b"eu-west-1:a=1")
        assert post(conn, "us-east-1", "b=2") == (200, "us-east-1", b"us-east-1:b=2")
        assert post(conn, "eu-west-1", "c=3") == (200, "eu-west-1", b"eu-west-1:c=3")
        status, _upstream, payload = post(conn, "ap-south-1", "d=4")
        assert status == 502 and b"no server" in payload
        conn.close()
