"""One endpoint in front of one moto server per AWS region, as AWS has one endpoint per region.

A single moto server answers one request at a time, so several regions behind it are served one
after another whatever the client does. The benchmark of issue 6 measures whether the inventory
queries regions concurrently; this router lets each region have its own moto process. Clients
keep one ``endpoint_url``; the router reads the region from the SigV4 credential scope of each
request (``Credential=AKID/20261128/eu-west-1/ec2/aws4_request``) and forwards the request,
unchanged, to that region's server.

    with RegionRouter({"us-east-1": "http://127.0.0.1:5001", ...}) as router:
        client = boto3.client("ec2", region_name="eu-west-1", endpoint_url=router.endpoint)
"""

from __future__ import annotations

import http.client
import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SCOPE = re.compile(r"Credential=[^/,]+/\d{8}/([a-z0-9-]+)/")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade", "te", "trailer"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstreams: dict = {}

    def log_message(self, *args):  # quiet
        pass

    def _forward(self):
        match = SCOPE.search(self.headers.get("Authorization", ""))
        target = self.upstreams.get(match.group(1)) if match else None
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if target is None:
            message = b"region-router: no server for this request's region"
            self.send_response(502)
            self.send_header("Content-Length", str(len(message)))
            self.end_headers()
            self.wfile.write(message)
            return
        # One upstream connection per router thread and region (boto keeps its connections alive).
        connections = self.server.local.__dict__.setdefault("connections", {})
        if target not in connections:
            parsed = urllib.parse.urlsplit(target)
            connections[target] = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=900)
        connection = connections[target]
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        try:
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            connection.close()
            del connections[target]
            raise
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

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
