# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options shared by the modules of gamestack.aws (same names as amazon.aws).
    DOCUMENTATION = r"""
options:
  region:
    description:
      - The AWS region to use. Falls back to C(AWS_REGION) / C(AWS_DEFAULT_REGION) and the profile's region.
    type: str
    aliases: [aws_region, ec2_region]
  profile:
    description:
      - A named profile of the shared AWS config and credentials files.
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
        (environment, shared files, instance role).
    type: str
    aliases: [aws_access_key_id, aws_access_key]
  secret_key:
    description:
      - AWS secret access key.
    type: str
    aliases: [aws_secret_access_key, aws_secret_key]
  session_token:
    description:
      - AWS session token for temporary credentials.
    type: str
    aliases: [aws_session_token]
requirements:
  - python >= 3.7
  - boto3 >= 1.28.0
  - botocore >= 1.31.0
notes:
  - Throttling and server errors are retried with exponential backoff (botocore standard retry mode).
"""
