# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The AWS connection options of every module and plugin of gamestack.aws (amazon.aws's names and meanings).

    C(gamestack.aws.connection) for modules (region included), C(gamestack.aws.connection.plugins) for the
    inventory and lookup plugins (with their environment variables), C(gamestack.aws.connection.region) for
    a plugin that takes one region.
    """

    # Modules: region and the connection options (a module reads the environment through botocore).
    DOCUMENTATION = r"""
options:
  region:
    description:
      - The AWS region to use.
      - Falls back to the C(AWS_REGION) or C(AWS_DEFAULT_REGION) environment variable, then the profile's region.
    type: str
    aliases: [aws_region, ec2_region]

  profile:
    description:
      - A named profile of the shared AWS config and credentials files.
      - Explicit O(access_key) and O(secret_key) take precedence over the profile's credentials.
    type: str
    aliases: [aws_profile]
  endpoint_url:
    description:
      - URL of the AWS API endpoint, for example a VPC endpoint or a local test server.
      - Falls back to the C(AWS_ENDPOINT_URL) environment variable.
    type: str
    aliases: [aws_endpoint_url, ec2_url]
  access_key:
    description:
      - AWS access key ID. When not set, the standard credential chain of botocore is used
        (environment, shared files, container and instance roles).
    type: str
    aliases: [aws_access_key_id, aws_access_key]
  secret_key:
    description:
      - AWS secret access key.
    type: str
    aliases: [aws_secret_access_key, aws_secret_key]
  session_token:
    description:
      - AWS session token, for temporary credentials.
    type: str
    aliases: [aws_session_token, aws_security_token]
  validate_certs:
    description:
      - When V(false), the TLS certificate of the endpoint is not verified. Only for a test endpoint.
    type: bool
    default: true
  aws_ca_bundle:
    description:
      - A CA certificate bundle (PEM file) to verify the endpoint's certificate with, for example a
        company's TLS-inspecting proxy.
    type: path
  aws_config:
    description:
      - "botocore client configuration, as keyword arguments of C(botocore.config.Config), for example
        C({connect_timeout: 5, retries: {max_attempts: 3}}). Merged over the collection's defaults."
    type: dict

requirements:
  - python >= 3.7
  - boto3 >= 1.28.0
  - botocore >= 1.31.0
notes:
  - Throttling and server errors are retried with exponential backoff (botocore standard retry mode).

  - The module reads the same C(module_defaults) as amazon.aws modules, C(group/aws) (its connection
    options) and C(group/gamestack.aws.aws) (which also covers amazon.aws modules).
"""

    # Inventory and lookup plugins: the same options, each with the environment variables it is read from.
    PLUGINS = r"""
options:
  profile:
    description:
      - A named profile of the shared AWS config and credentials files.
      - Explicit O(access_key) and O(secret_key) take precedence over the profile's credentials.
    type: str
    aliases: [aws_profile]
    env:
      - name: AWS_PROFILE
      - name: AWS_DEFAULT_PROFILE
  endpoint_url:
    description:
      - URL of the AWS API endpoint, for example a VPC endpoint or a local test server.
      - Falls back to the C(AWS_ENDPOINT_URL) environment variable.
    type: str
    aliases: [aws_endpoint_url, ec2_url]
    env:
      - name: AWS_ENDPOINT_URL
      - name: AWS_URL
  access_key:
    description:
      - AWS access key ID. When not set, the standard credential chain of botocore is used
        (environment, shared files, container and instance roles).
    type: str
    aliases: [aws_access_key_id, aws_access_key]
    env:
      - name: AWS_ACCESS_KEY_ID
      - name: AWS_ACCESS_KEY
      - name: EC2_ACCESS_KEY
  secret_key:
    description:
      - AWS secret access key.
    type: str
    aliases: [aws_secret_access_key, aws_secret_key]
    env:
      - name: AWS_SECRET_ACCESS_KEY
      - name: AWS_SECRET_KEY
      - name: EC2_SECRET_KEY
  session_token:
    description:
      - AWS session token, for temporary credentials.
    type: str
    aliases: [aws_session_token, aws_security_token]
    env:
      - name: AWS_SESSION_TOKEN
      - name: AWS_SECURITY_TOKEN
  validate_certs:
    description:
      - When V(false), the TLS certificate of the endpoint is not verified. Only for a test endpoint.
    type: bool
    default: true
  aws_ca_bundle:
    description:
      - A CA certificate bundle (PEM file) to verify the endpoint's certificate with, for example a
        company's TLS-inspecting proxy.
    type: path
    env:
      - name: AWS_CA_BUNDLE
  aws_config:
    description:
      - "botocore client configuration, as keyword arguments of C(botocore.config.Config), for example
        C({connect_timeout: 5, retries: {max_attempts: 3}}). Merged over the collection's defaults."
    type: dict

requirements:
  - python >= 3.7
  - boto3 >= 1.28.0
  - botocore >= 1.31.0
notes:
  - Throttling and server errors are retried with exponential backoff (botocore standard retry mode).
"""

    # A plugin that takes one region.
    REGION = r"""
options:
  region:
    description:
      - The AWS region to use.
      - Falls back to the C(AWS_REGION) or C(AWS_DEFAULT_REGION) environment variable, then the profile's region.
    type: str
    aliases: [aws_region, ec2_region]
    env:
      - name: AWS_REGION
      - name: AWS_DEFAULT_REGION
"""
