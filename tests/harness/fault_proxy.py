"""A small HTTP proxy in front of a moto server that injects AWS faults, and counts requests.

Rules are checked in order for each request; the first rule that matches (and still has
faults left) answers instead of moto. A request no rule answers is forwarded to moto.

    with FaultProxy(moto.endpoint, [Fault.throttle(count=3)]) as proxy:
        env["AWS_ENDPOINT_URL"] = proxy.endpoint
        ...
        assert proxy.count(action="DescribeInstances", faulted=False) == 1

A rule can be limited to one region (read from the SigV4 credential scope of the
Authorization header, ``Credential=AKIA.../20260101/eu-west-1/ec2/aws4_request``) and to
one API action (the ``Action`` form field of query APIs such as EC2, or the
``X-Amz-Target`` header of JSON APIs). Run as a script for manual use:
``python -m tests.harness.fault_proxy UPSTREAM [--port P] [--throttle N]``.
"""

from __future__ import annotations

import dataclasses
import http.client
import http.server
import re
import threading
import urllib.parse

_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")
_HOP_HEADERS = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"}


@dataclasses.dataclass
class Fault:
    """Answer up to ``count`` matching requests (``None``: all of them) with an error."""

    status: int = 503
    code: str = "RequestLimitExceeded"
    message: str = "Request limit exceeded."
    count: int | None = 1
    region: str | None = None
    action: str | None = None
    drop: bool = False  # close the connection without an answer instead
    after: str | None = None  # only once a request of this action has been seen
    payload: bytes | None = None  # answer this body (with ``status``) instead of an error document
    used: int = 0

    @classmethod
    def throttle(cls, count=1, status=503, **kw):
        return cls(status=status, code="RequestLimitExceeded", message="Request limit exceeded.", count=count, **kw)

    @classmethod
    def server_error(cls, count=1, status=500, **kw):
        return cls(status=status, code="InternalError", message="An internal error has occurred.", count=count, **kw)

    @classmethod
    def opt_in_required(cls, region, **kw):
        """What EC2 answers for a region the account has not enabled (not retried by botocore)."""
        kw.setdefault("count", None)
        return cls(status=401, code="OptInRequired", message="You are not subscribed to this service.", region=region, **kw)

    def matches(self, region, action):
        if self.count is not None and self.used >= self.count:
            return False
        if self.region is not None and self.region != region:
            return False
        if self.action is not None and self.action != action:
            return False
        return True

    @classmethod
    def answer(cls, action, payload, count=None, **kw):
        """Answer ``action`` with ``payload`` and HTTP 200: an API call the upstream does not implement."""
        return cls(status=200, code="", message="", count=count, action=action, payload=payload, **kw)

    def body(self):
        if self.payload is not None:
            return self.payload
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>%s</Code><Message>%s</Message>'
            "</Error></Errors><RequestID>fault-proxy-%d</RequestID></Response>" % (self.code, self.message, self.used)
        ).encode()


@dataclasses.dataclass
class Seen:
    method: str
    path: str
    region: str | None
    service: str | None
    action: str | None
    status: int
    faulted: bool


def forward(handler, connection, body):
    """Send the request ``handler`` received over ``connection``; return (status, headers, payload)."""
    headers = {k: v for k, v in handler.headers.items() if k.lower() not in _HOP_HEADERS}
    connection.request(handler.command, handler.path, body=body or None, headers=headers)
    answer = connection.getresponse()
    return answer.status, answer.getheaders(), answer.read()


def reply(handler, status, headers, payload):
    """Write an upstream answer (from ``forward``) back to the client of ``handler``."""
    handler.send_response(status)
    for key, value in headers:
        if key.lower() not in _HOP_HEADERS and key.lower() != "content-length":
            handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


def request_region_service(headers):
    match = _SCOPE.search(headers.get("Authorization", ""))
    return (match.group(1), match.group(2)) if match else (None, None)


def request_action(path, headers, body):
    target = headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    query = urllib.parse.urlsplit(path).query
    for source in (query, body.decode("latin-1") if body else ""):
        values = urllib.parse.parse_qs(source).get("Action")
        if values:
            return values[0]
    return None


class FaultProxy:
    def __init__(self, upstream: str, faults=None, host: str = "127.0.0.1", port: int = 0, hold=None):
        parts = urllib.parse.urlsplit(upstream)
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port or 80
        self.faults = list(faults or [])
        # hold(region, action) runs in the request's thread before it is forwarded (a test can make
        # requests wait for each other); an exception it raises is answered as a non-retried 400 error.
        self.hold = hold
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._server = http.server.ThreadingHTTPServer((host, port), _handler_class(self))
        self._server.daemon_threads = True
        self._thread = None

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return "http://%s:%d" % (host, port)

    def count(self, action=None, region=None, faulted=None) -> int:
        with self._lock:
            return sum(
                1
                for s in self.seen
                if (action is None or s.action == action)
                and (region is None or s.region == region)
                and (faulted is None or s.faulted == faulted)
            )

    def reset(self, faults=None):
        with self._lock:
            self.seen.clear()
            if faults is not None:
                self.faults = list(faults)

    def _pick_fault(self, region, action):
        with self._lock:
            for fault in self.faults:
                if fault.after is not None and not any(s.action == fault.after for s in self.seen):
                    continue
                if fault.matches(region, action):
                    fault.used += 1
                    return fault
        return None

    def _record(self, seen):
        with self._lock:
            self.seen.append(seen)

    def start(self) -> "FaultProxy":
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=10)

    def __enter__(self) -> "FaultProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _handler_class(proxy):
    """The request handler class of one FaultProxy."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            region, service = request_region_service(self.headers)
            action = request_action(self.path, self.headers, body)
            fault = proxy._pick_fault(region, action)
            if fault is None and proxy.hold is not None:
                try:
                    proxy.hold(region, action)
                except Exception as exc:  # pylint: disable=broad-exception-caught
                    fault = Fault(status=400, code="HeldRequestFailed", message=str(exc) or type(exc).__name__)
            if fault is not None:
                proxy._record(Seen(self.command, self.path, region, service, action, fault.status, True))
                if fault.drop:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                reply(self, fault.status, [("Content-Type", "text/xml")], fault.body())
                return
            conn = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=120)
            try:
                answer = forward(self, conn, body)
            finally:
                conn.close()
            # Recorded before the client gets its answer: a test that counts right after the call sees it.
            proxy._record(Seen(self.command, self.path, region, service, action, answer[0], False))
            reply(self, *answer)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

    return Handler


def main(argv=None):
    import argparse
    import time

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("upstream", help="for example http://127.0.0.1:5000")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--throttle", type=int, default=0, help="answer the first N requests with RequestLimitExceeded")
    parser.add_argument("--fail-region", action="append", default=[], help="answer OptInRequired for this region")
    args = parser.parse_args(argv)
    faults = [Fault.throttle(count=args.throttle)] if args.throttle else []
    faults += [Fault.opt_in_required(region) for region in args.fail_region]
    with FaultProxy(args.upstream, faults, port=args.port) as proxy:
        print(proxy.endpoint, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
