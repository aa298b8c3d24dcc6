"""One endpoint in front of one moto server per AWS region, as AWS has one endpoint per region.

A single moto server answers one request at a time, so several regions behind it are served one
after another whatever the client does. The inventory benchmark (tests/bench/bench_inventory.py) measures whether the inventory
queries regions concurrently; this router lets each region have its own moto process. Clients
keep one ``endpoint_url``; the router reads the region from the SigV4 credential scope of each
request (``Credential=AKID/20261128/eu-west-1/ec2/aws4_request``) and forwards the request,
unchanged, to that region's server.

    with RegionRouter({"us-east-1": "http://127.0.0.1:5001", ...}) as router:
        client = boto3.client("ec2", region_name="eu-west-1", endpoint_url=router.endpoint)
"""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.harness.fault_proxy import forward, reply, request_region_service


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstreams: dict = {}

    def log_message(self, *args):  # quiet
        pass

    def _forward(self):
        region, _service = request_region_service(self.headers)
        target = self.upstreams.get(region)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if target is None:
            reply(self, 502, [], b"region-router: no server for this request's region")
            return
        # One upstream connection per router thread and region (boto keeps its connections alive).
        connections = self.server.local.__dict__.setdefault("connections", {})
        if target not in connections:
            parsed = urllib.parse.urlsplit(target)
            connections[target] = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=900)
        try:
            answer = forward(self, connections[target], body)
        except (OSError, http.client.HTTPException):
            connections.pop(target).close()
            raise
        reply(self, *answer)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward


class RegionRouter:
    def __init__(self, upstreams: dict, host: str = "127.0.0.1"):
        handler = type("Handler", (_Handler,), {"upstreams": dict(upstreams)})
        self.server = ThreadingHTTPServer((host, 0), handler)
        self.server.daemon_threads = True
        self.server.local = threading.local()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self.server.server_address[:2]
        return "http://%s:%d" % (host, port)

    def __enter__(self) -> "RegionRouter":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
