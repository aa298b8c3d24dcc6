# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""gamestack-efs-backup-s3: copy a finished archive to S3 and keep the newest K there.

    python3 /usr/local/libexec/gamestack-efs-backup-s3.py ARCHIVE

Installed by the gamestack.aws.efs_backup role when efs_backup_s3_bucket is set; gamestack-efs-backup
runs it after the archive is complete and verified. Settings come from the environment the backup
script passes on: EFS_BACKUP_S3_BUCKET, EFS_BACKUP_S3_PREFIX (``<app>/<env>`` of the naming rule),
EFS_BACKUP_NAME, EFS_BACKUP_KEEP, and the optional EFS_BACKUP_S3_REGION and EFS_BACKUP_S3_ENDPOINT_URL.

The object is ``s3://BUCKET/PREFIX/<name>-YYYYMMDD-hhmm.tar.gz``; it is uploaded (multipart for large
archives) and then read back with a HEAD request whose size must match. Then, of the objects under PREFIX
named exactly ``<name>-YYYYMMDD-hhmm.tar.gz``, all but the newest KEEP (by stamp) are deleted; other keys
are never touched. Credentials come from boto3's usual chain (the instance profile on EC2).

Prints one line ``s3://... (N bytes); M old object(s) removed`` and exits 0, or one line with the error
and exits 1. Runs on Python 3.6 (EL 7) and later, with python3-boto3 from the distribution.
"""

import os
import re
import sys


def settings():
    env = os.environ
    missing = [key for key in ("EFS_BACKUP_S3_BUCKET", "EFS_BACKUP_S3_PREFIX", "EFS_BACKUP_NAME", "EFS_BACKUP_KEEP")
               if not env.get(key)]
    if missing:
        raise ValueError("setting %s is missing" % ", ".join(missing))
    if not re.match(r"^[1-9][0-9]*\Z", env["EFS_BACKUP_KEEP"]):
        raise ValueError("keep %r is not a positive whole number" % env["EFS_BACKUP_KEEP"])
    return {
        "bucket": env["EFS_BACKUP_S3_BUCKET"],
        "prefix": env["EFS_BACKUP_S3_PREFIX"].strip("/"),
        "name": env["EFS_BACKUP_NAME"],
        "keep": int(env["EFS_BACKUP_KEEP"]),
        "region": env.get("EFS_BACKUP_S3_REGION") or None,
        "endpoint": env.get("EFS_BACKUP_S3_ENDPOINT_URL") or None,
    }


def rotate(client, conf):
    """Delete all but the newest ``keep`` archives of this name under the prefix; return how many went."""
    pattern = re.compile(r"^%s/%s-[0-9]{8}-[0-9]{4}\.tar\.gz\Z" % (re.escape(conf["prefix"]), re.escape(conf["name"])))
    keys = []
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=conf["bucket"], Prefix="%s/%s-" % (conf["prefix"], conf["name"])):
        keys.extend(item["Key"] for item in page.get("Contents", []) if pattern.match(item["Key"]))
    old = sorted(keys, reverse=True)[conf["keep"]:]
    for key in old:
        client.delete_object(Bucket=conf["bucket"], Key=key)
    return len(old)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: gamestack-efs-backup-s3.py ARCHIVE\n")
        return 2
    path = argv[1]
    try:
        conf = settings()
        import boto3  # pylint: disable=import-outside-toplevel
        from boto3.exceptions import S3UploadFailedError  # pylint: disable=import-outside-toplevel
        from botocore.exceptions import BotoCoreError, ClientError  # pylint: disable=import-outside-toplevel
    except ImportError:
        sys.stderr.write("python3 boto3 is not installed (package python3-boto3)\n")
        return 1
    except ValueError as err:
        sys.stderr.write("%s\n" % err)
        return 1
    key = "%s/%s" % (conf["prefix"], os.path.basename(path))
    url = "s3://%s/%s" % (conf["bucket"], key)
    try:
        client = boto3.client("s3", region_name=conf["region"], endpoint_url=conf["endpoint"])
        client.upload_file(path, conf["bucket"], key)
        size = client.head_object(Bucket=conf["bucket"], Key=key)["ContentLength"]
        if size != os.path.getsize(path):
            sys.stderr.write("%s has %d bytes, the archive %d\n" % (url, size, os.path.getsize(path)))
            return 1
        removed = rotate(client, conf)
    except (S3UploadFailedError, BotoCoreError, ClientError, OSError) as err:
        sys.stderr.write("%s: %s\n" % (url, err))
        return 1
    print("%s (%d bytes); %d old object(s) removed" % (url, size, removed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
