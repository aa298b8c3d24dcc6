# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""gamestack-bootstrap: at boot, fetch the current release of this app-env from S3 into the live tree.

Run by gamestack-bootstrap.service (oneshot, ordered before httpd/apache2, which Requires= it):

  1. read the pointer  s3://<bucket>/<prefix>/current            (holds the release name)
  2. read the checksum s3://<bucket>/<prefix>/<release>.tar.gz.sha256
  3. download          s3://<bucket>/<prefix>/<release>.tar.gz  and verify its sha256
  4. extract it member by member into <dest>.bootstrap/, refusing anything written through a symlink
     and any link that leaves the tree (safe_extract)
  5. rsync it into the live tree (--delay-updates --delete-after, modes and owner normalised)
     and write the release marker.

On ANY failure the web server is stopped and masked for this boot (systemctl mask --runtime), so
the load balancer never sends traffic to an instance without the current code; one line saying why
goes to stderr (the journal, identifier gamestack-bootstrap). Nothing in the live tree changes
before step 5.

Works with the Python that CentOS 7 has (2.7) and any Python 3: boto3 is used when importable,
otherwise a small built-in S3 client (standard library only, AWS Signature Version 4) with the
credentials from the settings file, the environment or the instance role (IMDSv2, then IMDSv1).

Settings: a KEY=value file (shell quoting), /etc/default/gamestack-bootstrap on Debian,
/etc/sysconfig/gamestack-bootstrap on the Red Hat family, written by gamestack.aws.rsync_deploy.
"""

from __future__ import print_function

import datetime
import hashlib
import hmac
import importlib
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import time

try:  # Python 3
    from urllib.parse import quote, urlsplit
    from urllib.request import Request, urlopen
    from urllib.error import HTTPError, URLError
except ImportError:  # Python 2.7 (CentOS 7). This is a standalone boot script with only the standard
    # library, not an Ansible module: ansible.module_utils.urls does not exist on the host. urllib2 is
    # loaded by name because Ansible's lint treats a literal urllib2 import as a module's mistake.
    from urllib import quote  # noqa: F401
    from urlparse import urlsplit  # noqa: F401
    _urllib2 = importlib.import_module("urllib2")
    Request, urlopen, HTTPError, URLError = _urllib2.Request, _urllib2.urlopen, _urllib2.HTTPError, _urllib2.URLError

TAG = "gamestack-bootstrap"
DEFAULT_CONFIG = "/etc/default/gamestack-bootstrap"
# In the unit's RuntimeDirectory=, writable under its ProtectSystem=strict.
DONE_FLAG = "/run/gamestack-bootstrap/done"
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1024 * 1024


class BootstrapError(Exception):
    """A failure with a one-line reason."""


# --- settings -------------------------------------------------------------------------------

def read_settings(path):
    """Parse a KEY=value file (shell quoting, # comments) into a dict."""
    settings = {}
    try:
        handle = open(path)
    except (IOError, OSError) as exc:
        raise BootstrapError("cannot read settings %s: %s" % (path, exc))
    with handle:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if "=" not in line:
                raise BootstrapError("settings %s line %d is not KEY=value" % (path, number))
            key, value = line.split("=", 1)
            parts = shlex.split(value, comments=False) if value.strip() else [""]
            settings[key.strip()] = " ".join(parts) if len(parts) == 1 else parts
    return settings


def setting(settings, key, default=None, required=False):
    value = os.environ.get(key, settings.get(key, default))
    if required and not value:
        raise BootstrapError("setting %s is missing" % key)
    return value


def setting_list(settings, key):
    value = settings.get(key, [])
    if isinstance(value, list):
        return value
    return shlex.split(value) if value else []


# --- S3 access ------------------------------------------------------------------------------

def _sign(key, msg):
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def sigv4_headers(method, url, region, access_key, secret_key, token=None, now=None, service="s3",
                  extra_headers=None):
    """Headers (incl. Authorization) of an AWS Signature Version 4 request without a body."""
    now = now or datetime.datetime.utcnow()
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    date = now.strftime("%Y%m%d")
    parts = urlsplit(url)
    payload_hash = hashlib.sha256(b"").hexdigest()
    headers = {"host": parts.netloc, "x-amz-date": amz_date, "x-amz-content-sha256": payload_hash}
    if token:
        headers["x-amz-security-token"] = token
    for name, value in (extra_headers or {}).items():
        headers[name.lower()] = value
    signed = sorted(headers)
    canonical_headers = "".join("%s:%s\n" % (name, str(headers[name]).strip()) for name in signed)
    query = "&".join(sorted(parts.query.split("&"))) if parts.query else ""
    canonical = "\n".join([method, parts.path or "/", query, canonical_headers, ";".join(signed), payload_hash])
    scope = "%s/%s/%s/aws4_request" % (date, region, service)
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode("utf-8")).hexdigest()])
    key = _sign(("AWS4" + secret_key).encode("utf-8"), date)
    key = _sign(key, region)
    key = _sign(key, service)
    key = _sign(key, "aws4_request")
    signature = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
        access_key, scope, ";".join(signed), signature)
    del headers["host"]  # urllib sets it from the URL
    return headers


USER_AGENT = "gamestack-bootstrap/1"


def _http(method, url, headers=None, timeout=5, data=None):
    request = Request(url, data=data, headers=headers or {})
    request.get_method = lambda: method
    return urlopen(request, timeout=timeout)


def instance_metadata(path, endpoint, timeout):
    """GET from the instance metadata service: IMDSv2 (token) first, IMDSv1 if tokens are refused."""
    headers = {}
    try:
        token = _http("PUT", endpoint + "/latest/api/token", {"X-aws-ec2-metadata-token-ttl-seconds": "300"},
                      timeout=timeout, data=b"").read().decode("utf-8")
        headers["X-aws-ec2-metadata-token"] = token
    except HTTPError:
        pass
    return _http("GET", endpoint + path, headers, timeout=timeout).read().decode("utf-8")


class Credentials(object):
    def __init__(self, access_key, secret_key, token=None):
        self.access_key, self.secret_key, self.token = access_key, secret_key, token


def resolve_credentials(settings, imds, timeout):
    key = setting(settings, "AWS_ACCESS_KEY_ID")
    secret = setting(settings, "AWS_SECRET_ACCESS_KEY")
    if key and secret:
        return Credentials(key, secret, setting(settings, "AWS_SESSION_TOKEN"))
    try:
        role = instance_metadata("/latest/meta-data/iam/security-credentials/", imds, timeout).split()[0]
        data = json.loads(instance_metadata("/latest/meta-data/iam/security-credentials/" + role, imds, timeout))
    except (IndexError, ValueError, HTTPError, URLError, OSError) as exc:
        raise BootstrapError("no credentials: none in settings and the instance role is unavailable (%s)" % exc)
    return Credentials(data["AccessKeyId"], data["SecretAccessKey"], data.get("Token"))


class StdlibS3(object):
    """GET objects with the standard library only (path-style with an endpoint, else virtual-hosted)."""

    name = "stdlib"

    def __init__(self, bucket, region, endpoint, credentials, timeout):
        self.bucket, self.region, self.endpoint = bucket, region, endpoint
        self.credentials, self.timeout = credentials, timeout

    def url(self, key):
        quoted = quote(key, safe="/~")
        if self.endpoint:
            return "%s/%s/%s" % (self.endpoint.rstrip("/"), self.bucket, quoted)
        return "https://%s.s3.%s.amazonaws.com/%s" % (self.bucket, self.region, quoted)

    def open(self, key):
        url = self.url(key)
        creds = self.credentials
        headers = sigv4_headers("GET", url, self.region, creds.access_key, creds.secret_key, creds.token)
        headers["User-Agent"] = USER_AGENT  # not signed; names the caller in S3 / CloudTrail logs
        try:
            return _http("GET", url, headers, timeout=self.timeout)
        except HTTPError as exc:
            if 400 <= exc.code < 500:
                try:
                    code = re.search(r"<Code>([^<]{1,64})</Code>", exc.read(4096).decode("utf-8", "replace"))
                except Exception:  # noqa: BLE001 - the reason is enough without the body
                    code = None
                raise BootstrapError("s3://%s/%s: HTTP %d %s" % (
                    self.bucket, key, exc.code, code.group(1) if code else exc.reason))
            raise


class Boto3S3(object):
    name = "boto3"

    def __init__(self, bucket, region, endpoint, credentials, timeout):
        import boto3
        from botocore.config import Config
        kwargs = {"region_name": region,
                  "config": Config(connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 1},
                                   user_agent_extra=USER_AGENT)}
        if endpoint:
            kwargs["endpoint_url"] = endpoint
        if credentials is not None:
            kwargs.update(aws_access_key_id=credentials.access_key, aws_secret_access_key=credentials.secret_key,
                          aws_session_token=credentials.token)
        self.client = boto3.client("s3", **kwargs)
        self.bucket = bucket

    def open(self, key):
        from botocore.exceptions import ClientError
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            code = exc.response.get("Error", {}).get("Code", "?")
            if 400 <= status < 500:
                raise BootstrapError("s3://%s/%s: HTTP %d %s" % (self.bucket, key, status, code))
            raise


def with_retries(what, attempts, func):
    """Retry transient failures (network, 5xx) with backoff; BootstrapError is final."""
    last = None
    for attempt in range(max(1, attempts)):
        try:
            return func()
        except BootstrapError:
            raise
        except Exception as exc:  # noqa: BLE001 - network errors differ between Python 2, 3 and boto3
            last = exc
            if attempt + 1 < attempts:
                time.sleep(min(2 ** attempt, 10))
    raise BootstrapError("%s failed after %d attempt(s): %s" % (what, attempts, _one_line(last)))


def fetch_text(s3, key, attempts):
    def get():
        body = s3.open(key)
        try:
            return body.read(65536).decode("utf-8").strip()
        finally:
            body.close()
    return with_retries("reading %s" % key, attempts, get)


def fetch_file(s3, key, path, attempts):
    """Download key to path; return its sha256 hex digest."""
    def get():
        digest = hashlib.sha256()
        body = s3.open(key)
        try:
            with open(path, "wb") as out:
                while True:
                    chunk = body.read(CHUNK)
                    if not chunk:
                        break
                    digest.update(chunk)
                    out.write(chunk)
        finally:
            body.close()
        return digest.hexdigest()
    return with_retries("downloading %s" % key, attempts, get)


# --- the tree -------------------------------------------------------------------------------

#: How many symlinks one path may pass through before it counts as a loop (Linux's own limit).
MAX_LINK_HOPS = 40


def _member_parts(name, what):
    """An archive path -> its segments below the root; absolute paths and '..' are refused."""
    if name.startswith("/") or "\0" in name:
        raise BootstrapError("release archive %s %r would land outside the tree" % (what, name))
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise BootstrapError("release archive %s %r would land outside the tree" % (what, name))
    return parts


def _real_parent(root, parts, name, create=True):
    """The directory that will hold parts[-1], made of real directories only: every component below the
    root is checked with lstat as it is now (a missing one is created, or refused without create), so
    nothing is written through a symlink, whatever the members before this one made."""
    path = root
    for part in parts[:-1]:
        path = os.path.join(path, part)
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            if not create:
                raise BootstrapError("release archive member %r needs %r, which is not in the tree"
                                     % (name, path[len(root) + 1:]))
            os.mkdir(path, 0o755)
            continue
        if stat.S_ISLNK(mode):
            raise BootstrapError("release archive member %r would be written through the symlink %r"
                                 % (name, path[len(root) + 1:]))
        if not stat.S_ISDIR(mode):
            raise BootstrapError("release archive member %r is below %r, which is not a directory"
                                 % (name, path[len(root) + 1:]))
    return path


def _resolves_inside(root, parts):
    """Does the path root/parts stay inside root when every symlink on it (as extracted so far, however
    they chain) is followed and every '..' applied? Absolute link targets count as leaving."""
    done, todo, hops = [], list(parts), 0
    while todo:
        part = todo.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            if not done:
                return False
            done.pop()
            continue
        path = os.path.join(root, *(done + [part]))
        if os.path.islink(path):
            hops += 1
            target = os.readlink(path)
            if hops > MAX_LINK_HOPS or target.startswith("/"):
                return False
            todo = target.split("/") + todo
            continue
        done.append(part)
    return True


def _refuse_leaving_link(root, parts, linkname, name):
    if linkname.startswith("/"):
        raise BootstrapError("release archive member %r is a symlink to the absolute path %r: only links"
                             " relative to the tree are allowed" % (name, linkname))
    if not _resolves_inside(root, parts[:-1] + linkname.split("/")):
        raise BootstrapError("release archive member %r links outside the tree (to %r)" % (name, linkname))


def _write_member(tar, member, root):
    name = member.name
    parts = _member_parts(name, "member")
    if not parts:  # the root itself ("./"): it is ours already
        if member.isdir():
            return
        raise BootstrapError("release archive member %r would replace the tree itself" % name)
    parent = _real_parent(root, parts, name)
    path = os.path.join(parent, parts[-1])
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        mode = None
    if member.isdir():
        if mode is None:
            os.mkdir(path, 0o755)
        elif not stat.S_ISDIR(mode):
            raise BootstrapError("release archive member %r is a directory in place of a file or link" % name)
        return
    if mode is not None:  # a later member of the same name: replaced, never followed
        if stat.S_ISDIR(mode):
            raise BootstrapError("release archive member %r would replace a directory" % name)
        os.unlink(path)
    if member.issym():
        _refuse_leaving_link(root, parts, member.linkname, name)
        os.symlink(member.linkname, path)
    elif member.islnk():
        source_parts = _member_parts(member.linkname, "hard link target")
        source = os.path.join(_real_parent(root, source_parts, name, create=False), source_parts[-1]) \
            if source_parts else root
        if not (os.path.lexists(source) and stat.S_ISREG(os.lstat(source).st_mode)):
            raise BootstrapError("release archive member %r is a hard link to %r, which is not a file extracted"
                                 " before it" % (name, member.linkname))
        os.link(source, path)
    elif member.isreg():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                     0o755 if member.mode & 0o111 else 0o644)
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(tar.extractfile(member), out, CHUNK)
        os.utime(path, (member.mtime, member.mtime))
    else:
        raise BootstrapError("release archive member %r is a device, fifo or other special file" % name)


def safe_extract(archive, target):
    """Extract a .tar.gz into the directory target, member by member, refusing any member that would be
    written through a symlink and any symlink that leaves the tree or is absolute. Checked as each member
    is written, against what is already extracted, and every link once more at the end (a later link can
    change where an earlier one leads). On a refusal the partial tree stays for the caller to remove."""
    root = os.path.realpath(target)
    try:
        tar = tarfile.open(archive, "r:gz")
    except (tarfile.TarError, IOError, OSError, EOFError) as exc:
        raise BootstrapError("release archive is corrupt (not a readable .tar.gz): %s" % _one_line(exc))
    links = []
    with tar:
        try:
            for member in tar:
                _write_member(tar, member, root)
                if member.issym():
                    links.append((_member_parts(member.name, "member"), member.linkname, member.name))
        except BootstrapError:
            raise
        except (tarfile.TarError, IOError, OSError, EOFError, Exception) as exc:  # noqa: BLE001 - zlib.error too
            raise BootstrapError("release archive is corrupt: %s" % _one_line(exc))
    for parts, linkname, name in links:
        _refuse_leaving_link(root, parts, linkname, name)


def sync_tree(source, dest, settings):
    if os.path.islink(dest):
        raise BootstrapError("%s is a symlink; the live tree must be a real directory (opcache keys by realpath)" % dest)
    if not os.path.isdir(dest):
        os.makedirs(dest, 0o755)
    marker = setting(settings, "GAMESTACK_MARKER", ".release")
    # --checksum: a release with fixed timestamps can change a file without changing its size or mtime
    cmd = ["rsync", "--archive", "--checksum", "--delay-updates", "--delete-after",
           "--chmod=" + setting(settings, "GAMESTACK_CHMOD", "D0755,F0644"),
           "--chown=%s:%s" % (setting(settings, "GAMESTACK_OWNER", "root"), setting(settings, "GAMESTACK_GROUP", "root")),
           "--filter=P /" + marker]
    cmd += ["--exclude=" + pattern for pattern in setting_list(settings, "GAMESTACK_EXCLUDES")]
    cmd += [source.rstrip("/") + "/", dest.rstrip("/") + "/"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise BootstrapError("rsync into %s failed (exit %d): %s" % (
            dest, proc.returncode, _one_line(err.decode("utf-8", "replace"))))


def write_marker(dest, name, release):
    path = os.path.join(dest, name)
    tmp = path + ".tmp"
    with open(tmp, "w") as out:
        out.write(release + "\n")
    os.chmod(tmp, 0o644)
    os.rename(tmp, path)


# --- the web server -------------------------------------------------------------------------

def systemctl(*args):
    with open(os.devnull, "w") as devnull:
        return subprocess.call(["systemctl"] + list(args), stdout=devnull, stderr=devnull)


def keep_web_server_down(unit):
    """Stop the web server and keep it from starting until the next boot or a successful run."""
    systemctl("mask", "--runtime", unit)
    systemctl("--no-block", "stop", unit)


def release_web_server(unit):
    systemctl("unmask", "--runtime", unit)


# --- main -----------------------------------------------------------------------------------

def _one_line(value):
    return " ".join(str(value).split())


def log(message, error=False):
    line = "%s: %s" % ("FAILED" if error else "OK", _one_line(message))
    print(line, file=sys.stderr)
    sys.stderr.flush()
    if not os.environ.get("INVOCATION_ID"):  # not under systemd: the journal gets it through syslog
        with open(os.devnull, "w") as devnull:
            try:
                subprocess.call(["logger", "-t", TAG, line], stdout=devnull, stderr=devnull)
            except OSError:
                pass


def make_client(settings, bucket, timeout):
    endpoint = setting(settings, "GAMESTACK_S3_ENDPOINT_URL") or setting(settings, "AWS_ENDPOINT_URL")
    imds = setting(settings, "GAMESTACK_IMDS_ENDPOINT", "http://169.254.169.254")
    region = setting(settings, "GAMESTACK_REGION") or setting(settings, "AWS_REGION") \
        or setting(settings, "AWS_DEFAULT_REGION")
    client = setting(settings, "GAMESTACK_S3_CLIENT", "auto")
    if client not in ("auto", "boto3", "stdlib"):
        raise BootstrapError("GAMESTACK_S3_CLIENT must be auto, boto3 or stdlib, not %r" % client)
    if client in ("auto", "boto3"):
        try:
            import boto3  # noqa: F401
        except ImportError:
            if client == "boto3":
                raise BootstrapError("GAMESTACK_S3_CLIENT is boto3 but boto3 is not installed")
            client = "stdlib"
        else:
            client = "boto3"
    if not region:
        try:
            region = instance_metadata("/latest/meta-data/placement/region", imds, timeout).strip()
        except (HTTPError, URLError, OSError) as exc:
            raise BootstrapError("no region: set GAMESTACK_REGION (instance metadata unavailable: %s)" % exc)
    if client == "boto3":
        creds = None
        if setting(settings, "AWS_ACCESS_KEY_ID"):
            creds = resolve_credentials(settings, imds, timeout)
        return Boto3S3(bucket, region, endpoint, creds, timeout)
    return StdlibS3(bucket, region, endpoint, resolve_credentials(settings, imds, timeout), timeout)


def bootstrap(settings):
    """Do the work; return the release name. Raises BootstrapError (or anything) on failure."""
    bucket = setting(settings, "GAMESTACK_BUCKET", required=True)
    prefix = setting(settings, "GAMESTACK_PREFIX", required=True).strip("/")
    dest = setting(settings, "GAMESTACK_DEST", required=True).rstrip("/")
    attempts = int(setting(settings, "GAMESTACK_RETRIES", "3"))
    timeout = float(setting(settings, "GAMESTACK_TIMEOUT", "30"))
    s3 = make_client(settings, bucket, timeout)

    release = fetch_text(s3, prefix + "/current", attempts).splitlines()[0:1]
    release = release[0].strip() if release else ""
    if not SAFE_NAME.match(release) or not release.startswith(prefix.split("/")[-1] + "-"):
        raise BootstrapError("pointer s3://%s/%s/current holds %r, not a release of %s" % (
            bucket, prefix, release[:80], prefix))
    key = "%s/%s.tar.gz" % (prefix, release)
    expected = fetch_text(s3, key + ".sha256", attempts).split()
    expected = expected[0].lower() if expected else ""
    if not SHA256_HEX.match(expected):
        raise BootstrapError("checksum object s3://%s/%s.sha256 holds no sha256" % (bucket, key))

    # <dest>.bootstrap: made by the role, and writable beside the live tree in the hardened unit
    # (ReadWritePaths=); on the same file system, so the large download never lands on a small /tmp.
    staging = dest + ".bootstrap"
    if not os.path.isdir(staging):
        os.makedirs(staging, 0o700)
    work = tempfile.mkdtemp(prefix="release-", dir=staging)
    try:
        archive = os.path.join(work, "release.tar.gz")
        actual = fetch_file(s3, key, archive, attempts)
        if actual != expected:
            raise BootstrapError("checksum mismatch for s3://%s/%s: expected %s, got %s" % (bucket, key, expected, actual))
        tree = os.path.join(work, "tree")
        os.mkdir(tree, 0o755)
        safe_extract(archive, tree)
        os.unlink(archive)
        sync_tree(tree, dest, settings)
        write_marker(dest, setting(settings, "GAMESTACK_MARKER", ".release"), release)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return release, s3.name


def check_archive(archive):
    """--check-archive: would the bootstrap extract this archive? The same safe_extract, into a private
    temporary directory that is removed again (playbooks/publish.yml runs this before it uploads)."""
    work = tempfile.mkdtemp(prefix="gamestack-check-")
    try:
        safe_extract(archive, work)
    except BootstrapError as exc:
        print("%s: %s" % (archive, _one_line(exc)), file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    config = DEFAULT_CONFIG
    if len(argv) == 2 and argv[0] == "--check-archive":
        return check_archive(argv[1])
    if len(argv) == 2 and argv[0] == "--config":
        config = argv[1]
    elif argv:
        print("usage: gamestack-bootstrap [--config FILE] | --check-archive ARCHIVE", file=sys.stderr)
        return 2
    unit = "httpd.service"
    try:
        settings = read_settings(config)
        unit = setting(settings, "GAMESTACK_HTTPD_UNIT", unit)
        release, client = bootstrap(settings)
    except Exception as exc:  # noqa: BLE001 - ANY failure must keep the web server down
        keep_web_server_down(unit)
        reason = exc if isinstance(exc, BootstrapError) else "%s: %s" % (type(exc).__name__, exc)
        log("%s; %s stopped and kept from starting" % (reason, unit), error=True)
        return 1
    release_web_server(unit)
    with open(DONE_FLAG, "w") as flag:
        flag.write(release + "\n")
    log("release %s installed into %s (via %s)" % (release, setting(settings, "GAMESTACK_DEST"), client))
    return 0


if __name__ == "__main__":
    sys.exit(main())
