"""moto_server with a call recorder: every AWS API request is appended to a JSON-lines file.

Run as ``python tests/harness/moto_recording.py -H 127.0.0.1 -p PORT``. When the environment
variable GAMESTACK_AWS_CALL_LOG names a file, one line per request is appended to it:
``{"service": "ec2", "action": "DescribeInstances", "region": "us-east-1", "agent": "...", "time": 1796...}``
(``time``: when the request arrived, seconds since the epoch), plus ``targets`` (the target IDs) and
``target_group`` for the ELBv2 calls that name them (RegisterTargets, DeregisterTargets, ...).
The IAM policy test (tests/integration/iam) reads that file to check that each call the
collection's code makes is allowed by the least-privilege policy of its job.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import re
import threading
import sys
import time
import urllib.parse

# Run as a script, this folder is sys.path[0], and its moto.py would shadow the moto package.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

from werkzeug.serving import run_simple  # noqa: E402

from moto.moto_server.threaded_moto_server import DomainDispatcherApplication, create_backend_app  # noqa: E402
from moto.moto_server.werkzeug_app import MotoRequestHandler  # noqa: E402

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request")
_LOCK = threading.Lock()
_TARGET_ID = re.compile(r"^Targets\.member\.\d+\.Id$")


def s3_action(method: str, path: str, query: dict) -> str:
    """Name the S3 action of a REST request (path-style addressing as boto3 uses with an endpoint)."""
    parts = [p for p in path.split("/") if p]
    has_key = len(parts) > 1
    if method in ("GET", "HEAD"):
        if has_key:
            return "GetObject"
        if not parts:
            return "ListAllMyBuckets"
        if "location" in query:
            return "GetBucketLocation"
        return "ListBucket"
    if method == "PUT":
        return "PutObject" if has_key else "CreateBucket"
    if method == "DELETE":
        return "DeleteObject" if has_key else "DeleteBucket"
    if method == "POST":
        return "DeleteObject" if "delete" in query else "PutObject"
    return method


def describe(environ: dict, body: bytes) -> dict | None:
    auth = environ.get("HTTP_AUTHORIZATION", "")
    scope = _SCOPE.search(auth)
    if not scope:
        return None  # moto's own API (/moto-api/...) and unsigned requests
    service = scope.group("service")
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    action = None
    form = {}
    if body and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        action = target.rsplit(".", 1)[-1]
    elif "Action" in query:
        action = query["Action"][0]
    elif form:
        action = form.get("Action", [None])[0]
    if action is None and service == "s3":
        action = s3_action(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/"), query)
    call = {
        "service": service,
        "action": action,
        "region": scope.group("region"),
        "agent": environ.get("HTTP_USER_AGENT", ""),
        "time": time.time(),
    }
    targets = sorted(values[0] for key, values in form.items() if _TARGET_ID.match(key))
    if targets:
        call["targets"] = targets
    if "TargetGroupArn" in form:
        call["target_group"] = form["TargetGroupArn"][0]
    return call


class Recorder:
    """WSGI middleware: records each signed request, then hands it to moto unchanged.

    Recording is a side job: it creates the log's directory itself, and a call it cannot record
    (unwritable path, full disk, a request it cannot parse) is reported on stderr once and the
    request is still answered by moto. A recorder failure must never become an API error.
    """

    def __init__(self, app, path: str | None):
        self.app = app
        self.path = path
        self.failed = False
        if path:
            try:
                os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            except OSError as err:
                self.report(err)

    def report(self, err: Exception) -> None:
        if not self.failed:
            self.failed = True
            sys.stderr.write("moto_recording: cannot record API calls to %s: %s\n" % (self.path, err))

    def record(self, environ) -> None:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            call = describe(environ, body)
            if call:
                with _LOCK, open(self.path, "a", encoding="utf-8") as log:
                    log.write(json.dumps(call, sort_keys=True) + "\n")
        except (OSError, ValueError) as err:
            self.report(err)

    def __call__(self, environ, start_response):
        if self.path:
            self.record(environ)
        return self.app(environ, start_response)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))
    # stderr carries the recorder's own warnings, not a line per request.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(args.host, args.port, Recorder(app, os.environ.get("GAMESTACK_AWS_CALL_LOG")), threaded=True,
               request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
