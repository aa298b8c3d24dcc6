"""A real moto server over HTTP on 127.0.0.1, for every test that talks to AWS.

Used as a context manager (``with MotoServer() as moto: moto.endpoint``) or through the
pytest fixtures in tests/conftest.py. Each server is its own process, so a test can
stop it (for example to prove that a cached inventory makes no API call).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

RECORDING_SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "moto_recording.py")

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIAGAMESTACKTEST000",
    "AWS_SECRET_ACCESS_KEY": "gamestack-test-secret-key-do-not-print",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bin_path(name: str) -> str:
    """A console script of the Python environment running the tests (.venv or .venv-2.16)."""
    return os.path.join(os.path.dirname(sys.executable), name)


class MotoServer:
    def __init__(self, port: int | None = None, host: str = "127.0.0.1"):
        self.host = host
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return "http://%s:%d" % (self.host, self.port)

    def start(self, timeout: float = 30.0) -> "MotoServer":
        env = dict(os.environ, **FAKE_CREDENTIALS)
        env.pop("AWS_ENDPOINT_URL", None)
        self.proc = subprocess.Popen(
            # moto_server plus a recorder of the API calls (tests/harness/moto_recording.py).
            [sys.executable, RECORDING_SERVER, "-H", self.host, "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            env=env,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("moto_server exited with %s" % self.proc.returncode)
            try:
                urllib.request.urlopen(self.endpoint + "/moto-api/data.json", timeout=1).read()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("moto_server did not answer on %s within %ss" % (self.endpoint, timeout))

    def reset(self) -> None:
        req = urllib.request.Request(self.endpoint + "/moto-api/reset", method="POST")
        urllib.request.urlopen(req, timeout=10).read()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self) -> "MotoServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def boto3_client(service: str, endpoint: str, region: str = "us-east-1"):
    import boto3

    return boto3.client(
        service,
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def default_ami(ec2) -> str:
    """An image ID that moto knows in the client's region."""
    images = ec2.describe_images(Owners=["amazon"])["Images"]
    return images[0]["ImageId"]


def run_instances(ec2, name=None, count=1, instance_type="t3.micro", tags=None, image_id=None, **kwargs):
    """Start ``count`` instances tagged ``Name=name`` (no Name tag when name is None); return their IDs."""
    all_tags = dict(tags or {})
    if name is not None:
        all_tags["Name"] = name
    params = dict(
        ImageId=image_id or default_ami(ec2),
        MinCount=count,
        MaxCount=count,
        InstanceType=instance_type,
        **kwargs,
    )
    if all_tags:
        params["TagSpecifications"] = [
            {"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in all_tags.items()]}
        ]
    return [i["InstanceId"] for i in ec2.run_instances(**params)["Instances"]]
