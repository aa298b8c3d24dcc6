"""aws.fail_fast_on_unreachable: a refused connection is not retried; other connection errors still are.

Real sockets on 127.0.0.1 and botocore's own retry machinery; attempts are counted, never timed.
"""

from __future__ import annotations

import socket
import threading

import pytest
from botocore.exceptions import ConnectionClosedError, EndpointConnectionError

from ansible_collections.gamestack.aws.plugins.module_utils import aws
from tests.harness.moto import free_port


def counted_client(endpoint, retries, fail_fast):
    client = aws.ClientFactory(access_key="a", secret_key="b", endpoint_url=endpoint, max_attempts=retries).client(
        "ec2", "us-east-1")
    if fail_fast:
        assert aws.fail_fast_on_unreachable(client) is client
    attempts = []
    client.meta.events.register("before-send.ec2", lambda **kwargs: attempts.append(1))
    return client, attempts


@pytest.mark.parametrize("fail_fast, expected", [(True, 1), (False, 4)])
def test_refused_connection_is_tried_once(fail_fast, expected):
    client, attempts = counted_client("http://127.0.0.1:%d" % free_port(), retries=3, fail_fast=fail_fast)
    with pytest.raises(EndpointConnectionError):
        client.describe_instances()
    assert len(attempts) == expected


def test_a_dropped_connection_is_still_retried():
    """A server that accepts and closes at once: a transient failure, retried up to max_attempts."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def drop():
        while not stop.is_set():
            try:
                connection = server.accept()[0]
            except OSError:
                return
            connection.close()

    thread = threading.Thread(target=drop, daemon=True)
    thread.start()
    try:
        client, attempts = counted_client("http://127.0.0.1:%d" % server.getsockname()[1], retries=1, fail_fast=True)
        with pytest.raises(ConnectionClosedError):
            client.describe_instances()
        assert len(attempts) == 2
    finally:
        stop.set()
        server.close()
        thread.join(5)
