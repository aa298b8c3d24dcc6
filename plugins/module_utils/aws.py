# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One place that makes boto3 clients for every plugin and module of the collection.

Credentials come from explicit options, then the standard botocore chain
(environment, shared files, profiles, instance role). ``endpoint_url`` falls back
to ``AWS_ENDPOINT_URL`` (botocore honours it too; we pass it explicitly so that
it also reaches clients made through an assumed role). Throttling
(RequestLimitExceeded, Throttling) and 5xx answers are retried with
exponential backoff by botocore's ``standard`` retry mode.
"""

from __future__ import annotations

import contextlib
import os

from ansible.module_utils.basic import env_fallback

# boto3 and botocore are imported on first use, not with this module: an inventory answered from its
# cache, or a play that only loads the filters, never needs them (their import is about 0.2 s of CPU).
boto3 = botocore = Config = None
BOTO3_IMPORT_ERROR = None


def _import_boto3():
    global boto3, botocore, Config, BOTO3_IMPORT_ERROR  # pylint: disable=global-statement
    if boto3 is None and BOTO3_IMPORT_ERROR is None:
        try:
            import boto3 as _boto3
            import botocore as _botocore
            import botocore.exceptions  # noqa: F401 (botocore.exceptions.* below)
            import botocore.parsers  # noqa: F401 (botocore.parsers.ResponseParserError below)
            from botocore.config import Config as _Config
        except ImportError as exc:  # reported to the user by require_boto3
            BOTO3_IMPORT_ERROR = exc
        else:
            boto3, botocore, Config = _boto3, _botocore, _Config
    return boto3 is not None


DEFAULT_MAX_ATTEMPTS = 10
DEFAULT_READ_TIMEOUT = 60  # botocore's own default
USER_AGENT_EXTRA = "gamestack.aws"


class AwsSetupError(Exception):
    """Credentials, endpoint or session could not be set up."""


def require_boto3():
    if not _import_boto3():
        raise AwsSetupError("boto3 and botocore are required by gamestack.aws: %s" % BOTO3_IMPORT_ERROR)


def aws_errors():
    """The exceptions that mean "AWS (or the way to it) failed": catch these, never Exception, so a bug shows as one.

    An answer botocore cannot parse (ResponseParserError, not a BotoCoreError) is AWS's failure too."""
    require_boto3()
    return (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError, botocore.parsers.ResponseParserError)


def user_agent(component=None):
    """``gamestack.aws`` or ``gamestack.aws/<component>``: tells AWS logs (and our IAM test) who called."""
    return USER_AGENT_EXTRA + ("/" + component if component else "")


def client_config(max_attempts=DEFAULT_MAX_ATTEMPTS, connect_timeout=10, read_timeout=None, component=None):
    """botocore Config with standard-mode retries (throttling and 5xx, exponential backoff)."""
    require_boto3()
    return Config(
        retries={"mode": "standard", "max_attempts": int(max_attempts)},
        connect_timeout=connect_timeout,
        read_timeout=DEFAULT_READ_TIMEOUT if read_timeout is None else read_timeout,
        user_agent_extra=user_agent(component),
        max_pool_connections=20,
    )


def resolve_endpoint(endpoint_url=None):
    return endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None


def make_session(profile=None, access_key=None, secret_key=None, session_token=None, region=None):
    require_boto3()
    kwargs = {}
    if profile:
        kwargs["profile_name"] = profile
    if access_key or secret_key:
        kwargs["aws_access_key_id"] = access_key
        kwargs["aws_secret_access_key"] = secret_key
        if session_token:
            kwargs["aws_session_token"] = session_token
    if region:
        kwargs["region_name"] = region
    try:
        return boto3.session.Session(**kwargs)
    except botocore.exceptions.ProfileNotFound as exc:
        raise AwsSetupError("AWS profile %r not found: %s" % (profile, exc))


def assume_role(session, role_arn, endpoint_url=None, session_name="gamestack-aws", verify=True):
    """Return a new session holding the temporary credentials of ``role_arn``."""
    sts = session.client("sts", endpoint_url=resolve_endpoint(endpoint_url), config=client_config(), verify=verify)
    try:
        creds = sts.assume_role(RoleArn=role_arn, RoleSessionName=session_name)["Credentials"]
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        raise AwsSetupError("could not assume role %s: %s" % (role_arn, exc))
    return boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=session.region_name,
    )


class ClientFactory:
    """Makes (and reuses) clients per service and region with one set of connection options."""

    def __init__(self, profile=None, access_key=None, secret_key=None, session_token=None,
                 endpoint_url=None, assume_role_arn=None, max_attempts=DEFAULT_MAX_ATTEMPTS, component=None,
                 read_timeout=DEFAULT_READ_TIMEOUT, validate_certs=True, aws_ca_bundle=None, aws_config=None):
        self.endpoint_url = resolve_endpoint(endpoint_url)
        # amazon.aws's meaning (module_utils.botocore._aws_connection_info): a CA bundle applies when certificates
        # are validated; validate_certs=false turns verification off.
        self.verify = aws_ca_bundle if (validate_certs is not False and aws_ca_bundle) else validate_certs is not False
        self.session = make_session(profile, access_key, secret_key, session_token)
        self.config = client_config(max_attempts=max_attempts, read_timeout=read_timeout, component=component)
        if aws_config:
            try:
                # The user's settings win; user_agent_extra stays ours (the IAM test reads it).
                self.config = self.config.merge(Config(**dict(aws_config, user_agent_extra=user_agent(component))))
            except TypeError as exc:
                raise AwsSetupError("aws_config %s: %s" % (sorted(aws_config), exc))
        if assume_role_arn:
            self.session = assume_role(self.session, assume_role_arn, self.endpoint_url, verify=self.verify)
        self._clients = {}

    def client(self, service, region):
        key = (service, region)
        if key not in self._clients:
            # boto3 sessions are not thread safe, client objects are: create under the caller's thread
            # but only ever from one thread at a time (callers create clients before fanning out).
            try:
                self._clients[key] = self.session.client(
                    service, region_name=region, endpoint_url=self.endpoint_url, config=self.config,
                    verify=self.verify,
                )
            except botocore.exceptions.InvalidRegionError as exc:
                raise AwsSetupError("region %r is not an AWS region name: %s" % (region, exc))
        return self._clients[key]


def connection_argument_spec():
    """Module options shared by every gamestack.aws module that talks to AWS (amazon.aws names)."""
    return dict(
        region=dict(type="str", aliases=["aws_region", "ec2_region"],
                    fallback=(env_fallback, ["AWS_REGION", "AWS_DEFAULT_REGION"])),
        profile=dict(type="str", aliases=["aws_profile"]),
        endpoint_url=dict(type="str", aliases=["aws_endpoint_url", "ec2_url"]),
        access_key=dict(type="str", aliases=["aws_access_key_id", "aws_access_key"], no_log=True),
        secret_key=dict(type="str", aliases=["aws_secret_access_key", "aws_secret_key"], no_log=True),
        session_token=dict(type="str", aliases=["aws_session_token", "aws_security_token"], no_log=True),
        validate_certs=dict(type="bool", default=True),
        aws_ca_bundle=dict(type="path"),
        aws_config=dict(type="dict"),
    )


# The options of plugins/doc_fragments/connection.py that ClientFactory takes (region is per client).
CONNECTION_OPTIONS = ("profile", "access_key", "secret_key", "session_token", "endpoint_url",
                      "validate_certs", "aws_ca_bundle", "aws_config")


def connection_options(get):
    """ClientFactory keyword arguments from ``get(option name)``: a plugin's get_option or a module's params.get."""
    return {name: get(name) for name in CONNECTION_OPTIONS}


def factory_from_module_params(params, component=None):
    """ClientFactory from the shared connection options; ``component`` names the caller in the user agent."""
    return ClientFactory(component=component, **connection_options(params.get))


def error_code(exc):
    """The AWS error code of a ClientError, or the class name of anything else."""
    response = getattr(exc, "response", None) or {}
    return response.get("Error", {}).get("Code") or type(exc).__name__


@contextlib.contextmanager
def module_failures(module, component, **result):
    """Turn what AWS (or the way to it) raises inside the block into ``module.fail_json`` naming ``component``.

    A missing region, an AwsSetupError (no boto3, a bad region name or option) and the errors of
    aws_errors() are reported; anything else is a bug and keeps its traceback. Without boto3 the block
    fails with the AwsSetupError of require_boto3, so only that one is caught then. ``result`` goes into
    the failure as it is when it fails: pass a list the block appends to (the changes made so far) to
    report what was done before the error."""
    have_boto3 = _import_boto3()
    no_region = (botocore.exceptions.NoRegionError,) if have_boto3 else ()
    failed = aws_errors() if have_boto3 else ()
    try:
        yield
    except AwsSetupError as exc:
        module.fail_json(msg=str(exc), **result)
    except no_region:
        module.fail_json(msg="%s: no region; set region or AWS_REGION" % component, **result)
    except failed as exc:
        module.fail_json(msg="%s: AWS error (%s): %s" % (component, error_code(exc), exc), **result)


def fail_fast_on_unreachable(client):
    """Make ``client`` give up at the first refused connection or unknown host name; return it.

    botocore's standard retry mode retries every connection error with exponential backoff, so a
    wrong endpoint or a closed port took all of ``max_attempts`` before the error. An endpoint that
    refuses the connection (or whose name does not resolve) will not answer the next attempt either.
    Time-outs, dropped connections, throttling and 5xx answers are still retried.
    """
    require_boto3()

    def give_up(caught_exception=None, **kwargs):
        if isinstance(caught_exception, botocore.exceptions.EndpointConnectionError):
            raise caught_exception
        return None  # botocore's own retry handler decides

    event = "needs-retry.%s" % client.meta.service_model.service_id.hyphenize()
    client.meta.events.register_first(event, give_up, unique_id="gamestack.aws.fail_fast_on_unreachable")
    return client
