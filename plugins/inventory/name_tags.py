# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: name_tags
short_description: EC2 instances grouped by their app-env Name tags
version_added: 0.1.0
description:
  - Lists the EC2 instances of one or more regions (queried concurrently) and groups them by the
    C(Name) tag convention C(app-env[-YYYYMMDD-hhmm]), for example C(api-production-20190411-1459).
  - Each instance goes to the group C(<app>-<env>) (for example C(api-production)), which is a child of
    the parent groups C(<app>) and C(<env>) (for example C(api) and C(production)). Group names keep their
    hyphens, so C(ansible-playbook -l api-production) works.
  - Instances without a C(Name) tag go to O(untagged_group), instances whose C(Name) does not follow the
    naming rule go to O(nonconforming_group). No instance is ever dropped; one warning line counts them, and
    with C(-v) one line per nonconforming C(Name) says why, with a hint for upper case or surrounding spaces
    (C(API-Production) or C('api-production ') are not in C(api-production)).
  - Whatever O(naming_pattern) allows, a C(Name) is nonconforming when it or its C(app), C(env) or C(release)
    part is not a plain identifier (letters, digits, C(_), C(.) and C(-)), or when its C(app), C(env) or C(app-env) is
    C(all), C(ungrouped) or the name of O(untagged_group), O(nonconforming_group) or O(no_autoscaling_group).
    So a C(Name) holding a template never becomes a host or group name, and C(-l untagged) never selects an
    C(untagged-production) host.
  - Instances without the C(aws:autoscaling:groupName) tag also go to O(no_autoscaling_group).
  - Every value that comes from AWS (tags, addresses, IDs) is marked unsafe, so a tag value that holds a
    Jinja2 template (C({{ ... }})) is never evaluated, neither by this plugin nor by playbooks using the variables.
  - The configuration file name must end with C(aws_ec2.yml), C(aws_ec2.yaml), C(name_tags.yml) or C(name_tags.yaml).
  - Set C(force_valid_group_names = ignore) in C(ansible.cfg) to silence ansible-core's warning about hyphens
    in group names. The plugin never rewrites group names itself.
author:
  - gamestack.aws contributors (@gamestack)
requirements:
  - python >= 3.9
  - boto3 >= 1.28.0
  - botocore >= 1.31.0
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - gamestack.aws.connection.plugins
notes:
  - Only C(ec2:DescribeInstances) is called, one request per page of 1000 instances per region, plus
    C(sts:AssumeRole) when O(assume_role_arn) is set. With O(cache=true) a warm cache makes no API call.
  - Throttling (C(RequestLimitExceeded)), server errors (5xx), time-outs and dropped connections are retried
    with exponential backoff (botocore standard retry mode, O(max_attempts) attempts). An endpoint that refuses
    the connection, or whose host name does not resolve, is not retried; the region fails at once, named in the error.
  - Credentials come from the options below, then the standard botocore chain (environment, shared
    credentials and config files, container and instance roles). They are never printed.
  - An C(enable_plugins) line in the C([inventory]) section of C(ansible.cfg) replaces ansible-core's list of
    inventory plugins; it must name V(gamestack.aws.name_tags) (or C(auto)). With only
    C(enable_plugins = amazon.aws.aws_ec2) this plugin is never loaded, and the file fails with
    C(Incorrect plugin name in file) and C(No inventory was parsed).
  - Group and host variable names follow U(https://github.com/gamestack/aws/blob/main/docs/inventory.md).
options:
  plugin:
    description: The name of this plugin. It must always be V(gamestack.aws.name_tags).
    type: str
    required: true
    choices: [gamestack.aws.name_tags]
  regions:
    description:
      - The AWS regions to list instances from. They are queried concurrently.
      - When empty, the region of the credential chain (C(AWS_REGION), C(AWS_DEFAULT_REGION), the profile) is used.
    type: list
    elements: str
    default: []
  filters:
    description:
      - "EC2 API filters for C(DescribeInstances), as a mapping of filter name to a value or a list of values,
        for example C(tag:team: gameplay) or C(vpc-id: [vpc-0abc])."
      - See U(https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html).
      - An C(instance-state-name) filter here replaces O(instance_states).
    type: dict
    default: {}
  instance_states:
    description:
      - The instance states to list (C(pending), C(running), C(shutting-down), C(terminated), C(stopping), C(stopped)).
        Any other value is an error.
      - An empty list lists instances in every state.
    type: list
    elements: str
    default: [running]
  assume_role_arn:
    description:
      - The ARN of an IAM role to assume (C(sts:AssumeRole)) before listing instances.
    type: str
    aliases: [iam_role_arn]
  max_attempts:
    description:
      - Total attempts per API request, the first one included, for throttling, 5xx answers, time-outs and dropped
        connections. At least 1. A refused connection is never retried.
    type: int
    default: 10
    env:
      - name: AWS_MAX_ATTEMPTS
  read_timeout:
    description:
      - Seconds to wait for one API answer before the attempt counts as failed (and is retried, see O(max_attempts)).
      - AWS answers a page of 1,000 instances in a few seconds; raise it for slow endpoints such as local API fakes.
      - At least 1.
    type: int
    default: 60
    version_added: 0.1.0
  naming_pattern:
    description:
      - The naming rule as a Python regular expression with the named groups C(app) and C(env), and
        optionally C(release) (a C(YYYYMMDD-hhmm) stamp).
      - A pattern that does not compile or lacks C(app) or C(env) is an error.
      - Whatever the pattern matches, a C(Name) that is not a plain identifier (letters, digits, C(_), C(.), C(-)),
        or whose C(app), C(env) or C(release) is not one, is nonconforming.
    type: str
    default: '^(?P<app>[a-z0-9]+)-(?P<env>[a-z0-9]+)(?:-(?P<release>\d{8}-\d{4}))?$'
  parent_groups:
    description:
      - Which parent groups hold the C(<app>-<env>) groups as children.
      - V(app) makes C(api) a parent of C(api-production), V(env) makes C(production) one.
    type: list
    elements: str
    choices: [app, env]
    default: [app, env]
  release_groups:
    description:
      - Also make one group per release, for example C(api-production-20190411-1459), a child of C(api-production).
    type: bool
    default: false
  untagged_group:
    description:
      - The group of the instances without a C(Name) tag (or with an empty one).
      - The three catch-all groups (this one, O(nonconforming_group), O(no_autoscaling_group)) need distinct plain
        names (letters, digits, C(_), C(.), C(-)) other than C(all) and C(ungrouped).
    type: str
    default: untagged
  nonconforming_group:
    description:
      - The group of the instances whose C(Name) tag does not follow the naming rule (see O(naming_pattern)),
        including the names whose C(app), C(env) or C(app-env) is the name of a catch-all group, C(all) or C(ungrouped).
    type: str
    default: nonconforming
  no_autoscaling_group:
    description:
      - The group of the instances that are not part of an Auto Scaling group (no C(aws:autoscaling:groupName) tag).
      - Set it to an empty string or V(null) to make no such group.
    type: str
    default: no_autoscaling_group
  hostnames:
    description:
      - What the inventory hostname of an instance is.
      - V(name-id) is the C(Name) tag and the instance ID, for example C(api-production-i-0abc1234def567890);
        an instance whose C(Name) is missing or nonconforming gets its instance ID.
      - Hostnames are always unique and never equal to a group name. When two instances would get the same
        hostname (or an address is missing), each of them falls back to V(name-id), then to its instance ID.
    type: str
    default: instance-id
    choices: [instance-id, private-dns-name, private-ip-address, public-dns-name, name-id]
  ansible_host:
    description:
      - Which address becomes the C(ansible_host) variable.
      - When an instance has no such address (for example no public IP), its private IP address is used.
    type: str
    default: private-ip-address
    choices: [private-ip-address, public-ip-address, public-dns-name, private-dns-name]
  strict:
    description:
      - When true, a region that cannot be listed is an error naming the region. When false, it is skipped
        with a warning and the other regions are still listed.
      - Like in the C(constructed) plugin, it also makes errors in O(compose), O(groups) and O(keyed_groups)
        fatal (use O(keyed_groups[].default_value) for tags that some instances lack).
    type: bool
    default: true
"""

EXAMPLES = r"""
# inventory/aws_ec2.yml: the whole default configuration
plugin: gamestack.aws.name_tags
regions: [us-east-1]

---
# Two regions, a team's instances only, public addresses, hostnames like api-production-i-0abc...
plugin: gamestack.aws.name_tags
regions: [us-east-1, eu-west-1]
filters:
  tag:team: gameplay
hostnames: name-id
ansible_host: public-ip-address

---
# Release groups, no env parents, a cache of one hour
plugin: gamestack.aws.name_tags
regions: [us-east-1]
parent_groups: [app]
release_groups: true
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible/inventory
cache_timeout: 3600

---
# Constructed groups keep their hyphens: team-gameplay, type-t3-micro
plugin: gamestack.aws.name_tags
regions: [us-east-1]
strict: false
keyed_groups:
  - key: ec2_tags.team
    prefix: team
    separator: "-"
    default_value: none
  - key: ec2_instance_type | replace('.', '-')
    prefix: type
    separator: "-"
compose:
  ansible_user: "'admin'"
"""

import hashlib
import json
import re
from concurrent.futures import ThreadPoolExecutor

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.group import to_safe_group_name
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.display import Display
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.gamestack.aws.plugins.module_utils import aws, ec2_instances, naming

display = Display()

# wrap_var walks every value through isinstance checks against the collection ABCs; with thousands of
# hosts that was a third of the plugin's time. The records hold only str, bool, None and one flat dict
# of str tags, so strings are marked here one by one. On ansible-core 2.19+ (data tagging) a plain ``str``
# carries no trust, and wrap_var returns it unchanged: nothing to do. On older cores a plain str becomes
# AnsibleUnsafeText, exactly as wrap_var does. Anything else (tagged strings read from a cache, other
# types) still goes through wrap_var.
# Exact type checks on purpose: a str subclass (a tagged or unsafe string) must go through wrap_var.
_PLAIN_STR_STAYS = type(wrap_var("x")) is str  # pylint: disable=unidiomatic-typecheck
_UNSAFE_TEXT = type(wrap_var("x"))


def _unsafe(value):
    if type(value) is str:  # pylint: disable=unidiomatic-typecheck
        return value if _PLAIN_STR_STAYS else _UNSAFE_TEXT(value)
    if value is None or type(value) is bool:  # pylint: disable=unidiomatic-typecheck
        return value
    return wrap_var(value)


_NO_NAMING = (("app", None), ("env", None), ("release", None), ("released_at", None))


def _unsafe_naming(parsed):
    if not parsed:
        return _NO_NAMING
    return (("app", _unsafe(parsed["app"])), ("env", _unsafe(parsed["env"])),
            ("release", _unsafe(parsed["release"])), ("released_at", _unsafe(parsed["released_at"])))


def _unsafe_tags(tags):
    return {_unsafe(key): _unsafe(value) for key, value in tags.items()}


FILE_SUFFIXES = ("aws_ec2.yml", "aws_ec2.yaml", "name_tags.yml", "name_tags.yaml")
ASG_TAG = "aws:autoscaling:groupName"
RESERVED_GROUPS = frozenset(("all", "ungrouped"))
CATCH_ALL_OPTIONS = ("untagged_group", "nonconforming_group", "no_autoscaling_group")
INSTANCE_STATES = ("pending", "running", "shutting-down", "terminated", "stopping", "stopped")
_NOT_GROUP_CHARS = re.compile(r"[^\w-]")
# A hostname taken from AWS (instance ID, address, DNS name) becomes inventory_hostname, which ansible-core
# before 2.19 templates like any other string: only these characters (IPv6 colons included) are accepted.
_HOSTNAME = re.compile(r"^[A-Za-z0-9_.:-]+$")
_NOT_HOSTNAME_CHARS = re.compile(r"[^A-Za-z0-9_.:-]")
# Options that change what the API returns: part of the cache key, so another query never reads a stale entry.
QUERY_OPTIONS = ("regions", "filters", "instance_states", "endpoint_url", "profile", "assume_role_arn")
ADDRESS_FIELDS = {
    "private-ip-address": "private_ip",
    "public-ip-address": "public_ip",
    "private-dns-name": "private_dns",
    "public-dns-name": "public_dns",
}


def ec2_filters(filters, states):
    """The ``Filters`` argument of DescribeInstances from the ``filters`` and ``instance_states`` options."""
    result = []
    for name, values in (filters or {}).items():
        if not isinstance(values, list):
            values = [values]
        result.append({"Name": str(name), "Values": [str(v) for v in values]})
    if states and "instance-state-name" not in (filters or {}):
        result.append({"Name": "instance-state-name", "Values": [str(s) for s in states]})
    return result


def constructed_group_name(name):
    """Group names made by keyed_groups/groups: like core's, but hyphens survive.

    Core's Constructable replaces every character outside [A-Za-z0-9_] (hyphens included) whatever
    TRANSFORM_INVALID_GROUP_CHARS says. Here only characters that are neither word characters nor
    hyphens are replaced; the result then goes through core's configurable rule (the default keeps
    the hyphens), like the app-env groups.
    """
    return to_safe_group_name(_NOT_GROUP_CHARS.sub("_", name))


def describe_error(exc):
    """A one-line reason for a failed region, without anything from the credentials."""
    response = getattr(exc, "response", None) or {}
    message = response.get("Error", {}).get("Message") or to_native(exc)
    return "%s: %s" % (aws.error_code(exc), message)


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "gamestack.aws.name_tags"
    _sanitize_group_name = staticmethod(constructed_group_name)

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(FILE_SUFFIXES)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path)
        config = self._read_config_data(path)
        self._reject_unknown_options(config, path)
        # An explicit null means "no such group"; ansible's option handling would turn it into the default.
        self._no_asg_group = self.get_option("no_autoscaling_group")
        if "no_autoscaling_group" in config and config["no_autoscaling_group"] is None:
            self._no_asg_group = None
        try:
            self._pattern = naming.compile_pattern(self.get_option("naming_pattern"))
        except naming.NamingError as exc:
            raise AnsibleParserError("%s: option naming_pattern: %s" % (path, exc))
        self._check_options(path)

        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache")
        records = None
        if use_cache and cache:
            try:
                records = self._cache[cache_key]
            except KeyError:
                records = None
        if records is None:
            records = self._fetch()
            if use_cache:
                self._cache[cache_key] = records
        self._populate(records)

    # -- configuration -------------------------------------------------------------------------------

    def _reject_unknown_options(self, config, path):
        from ansible import constants as C

        definitions = C.config.get_configuration_definitions("inventory", self._load_name) or {}
        known = set(definitions)
        for definition in definitions.values():
            known.update(definition.get("aliases") or ())
        unknown = sorted(str(k) for k in config if k not in known)
        if unknown and known:
            raise AnsibleParserError(
                "%s: unknown option(s) %s for %s; valid options are: %s"
                % (path, ", ".join(unknown), self.NAME, ", ".join(sorted(definitions)))
            )

    def _catch_all_groups(self):
        """The groups named by untagged_group, nonconforming_group and no_autoscaling_group (when set)."""
        groups = {self.get_option("untagged_group"), self.get_option("nonconforming_group"), self._no_asg_group}
        return {group for group in groups if group}

    def _check_options(self, path):
        """Refuse values that the option types let through but that would mislead or break the inventory."""

        def refuse(option, message):
            raise AnsibleParserError("%s: option %s: %s" % (path, option, message))

        for option in ("max_attempts", "read_timeout"):
            if self.get_option(option) < 1:
                refuse(option, "must be 1 or more, got %r" % (self.get_option(option),))
        bad_states = [state for state in self.get_option("instance_states") or () if state not in INSTANCE_STATES]
        if bad_states:
            refuse("instance_states", "unknown state(s) %s; valid states are %s"
                   % (", ".join(repr(str(s)) for s in bad_states), ", ".join(INSTANCE_STATES)))
        seen = {}
        for option in CATCH_ALL_OPTIONS:
            group = self._no_asg_group if option == "no_autoscaling_group" else self.get_option(option)
            if not group and option == "no_autoscaling_group":
                continue
            if not group:
                refuse(option, "must be a group name, not empty")
            if group in RESERVED_GROUPS:
                refuse(option, "%r is one of ansible-core's own groups (%s)" % (str(group), ", ".join(sorted(RESERVED_GROUPS))))
            if not naming.IDENTIFIER.match(group):
                refuse(option, "%r is not a plain group name (%s only)" % (str(group), naming.IDENTIFIER_CHARS))
            if group in seen:
                refuse(option, "%r is already the group of option %s; each catch-all group needs its own name"
                       % (str(group), seen[group]))
            seen[group] = option

    def get_cache_key(self, path):
        query = {k: self.get_option(k) for k in QUERY_OPTIONS}
        query["endpoint_url"] = aws.resolve_endpoint(query["endpoint_url"])
        digest = hashlib.sha256(json.dumps(query, sort_keys=True, default=str).encode()).hexdigest()[:12]
        return "%s_%s" % (super().get_cache_key(path), digest)

    # -- AWS -----------------------------------------------------------------------------------------

    def _client_factory(self):
        try:
            return aws.ClientFactory(
                **aws.connection_options(self.get_option),
                assume_role_arn=self.get_option("assume_role_arn"),
                # botocore's Config(retries={"max_attempts"}) counts retries, the option counts attempts.
                max_attempts=max(int(self.get_option("max_attempts")) - 1, 0),
                read_timeout=int(self.get_option("read_timeout")),
                component="name_tags",
            )
        except aws.AwsSetupError as exc:
            raise AnsibleParserError("%s: %s" % (self.NAME, exc))

    def _fetch(self):
        factory = self._client_factory()
        # Plain str: on ansible-core 2.19 option values are tagged (origin, trusted-as-template); stored in
        # every record, the tags went into the cache and made reading it slower than asking AWS.
        regions = list(dict.fromkeys(str(region) for region in self.get_option("regions") or ()))
        if not regions:
            default = factory.session.region_name
            if not default:
                raise AnsibleParserError(
                    "%s: option regions is empty and no default region is set (AWS_REGION, AWS_DEFAULT_REGION"
                    " or the profile's region)" % self.NAME
                )
            regions = [str(default)]
        filters = ec2_filters(self.get_option("filters"), self.get_option("instance_states"))
        # boto3 sessions are not thread safe, clients are: make every client here, then fan out.
        clients = {region: aws.fail_fast_on_unreachable(factory.client("ec2", region)) for region in regions}

        def one(region):
            try:
                return region, ec2_instances.list_instances(clients[region], region, filters), None
            except aws.aws_errors() as exc:
                # AWS answers and connection errors fail the region; anything else is a bug and shows as one.
                return region, None, exc

        records, failures = [], []
        with ThreadPoolExecutor(max_workers=min(len(regions), 16)) as pool:
            for region, found, error in pool.map(one, regions):
                if error is None:
                    records.extend(found)
                else:
                    failures.append((region, describe_error(error)))
        if failures:
            text = "; ".join("region %s: %s" % failure for failure in failures)
            if self.get_option("strict"):
                raise AnsibleError("%s could not list EC2 instances in %s" % (self.NAME, text))
            display.warning("%s skipped %d region(s) that could not be listed: %s" % (self.NAME, len(failures), text))
        return records

    # -- inventory -----------------------------------------------------------------------------------

    def _populate(self, records):
        untagged = self.get_option("untagged_group")
        nonconforming = self.get_option("nonconforming_group")
        no_asg = self._no_asg_group or None
        parents = self.get_option("parent_groups")
        release_groups = self.get_option("release_groups")
        pattern = self._pattern

        # An app or env named like a catch-all group (or all/ungrouped) would put its hosts into that group.
        reserved = self._catch_all_groups() | RESERVED_GROUPS

        # 1. Parse every Name once; collect each group with its parent groups.
        parsed_names = []
        tree = {}
        counts = {untagged: 0, nonconforming: 0}
        parse_cache = {}
        skipped = {}  # nonconforming Name: [reason, number of instances]
        for record in records:
            name = record["tags"].get("Name")
            if not name:
                parsed = None
            elif name in parse_cache:
                parsed = parse_cache[name]
            else:
                parsed, reason = naming.check_name(name, pattern, reserved)
                parse_cache[name] = parsed
                if parsed is None:
                    skipped[name] = [reason, 0]
            parsed_names.append(parsed)
            if parsed is None:
                counts[nonconforming if name else untagged] += 1
                if name:
                    skipped[name][1] += 1
                continue
            app_env = parsed["app_env"]
            if app_env not in tree:
                tree[app_env] = [parsed[p] for p in parents]
            if release_groups and parsed["release"] and parsed["name"] not in tree:
                tree[parsed["name"]] = [app_env]
        group_names = set(tree) | RESERVED_GROUPS | {untagged, nonconforming}
        for parent_list in tree.values():
            group_names.update(parent_list)
        if no_asg:
            group_names.add(no_asg)
        hostnames = self._hostnames(records, parsed_names, group_names)

        # 2. Groups (add_group keeps hyphens as they are), then each host with its variables.
        inventory = self.inventory
        for group, parent_list in tree.items():
            inventory.add_group(group)
            for parent in parent_list:
                inventory.add_group(parent)
                inventory.add_child(parent, group)
        for group in (untagged, nonconforming):
            if counts[group]:
                inventory.add_group(group)
        if no_asg:
            inventory.add_group(no_asg)

        ansible_host_field = ADDRESS_FIELDS[self.get_option("ansible_host")]
        hosts = inventory.hosts
        construct = any(self.get_option(o) for o in ("compose", "groups", "keyed_groups"))
        for record, parsed, hostname in zip(records, parsed_names, hostnames):
            tags = record["tags"]
            if parsed is None:
                inventory.add_host(hostname, group=nonconforming if tags.get("Name") else untagged)
            elif release_groups and parsed["release"]:
                # The release group is a child of app-env: -l api-production still selects the host.
                inventory.add_host(hostname, group=parsed["name"])
            else:
                inventory.add_host(hostname, group=parsed["app_env"])
            asg = tags.get(ASG_TAG)
            if asg is None and no_asg:
                inventory.add_child(no_asg, hostname)
            hostvars = self._hostvars(record, parsed, asg, ansible_host_field)
            # One dict update per host instead of 14 set_variable calls: core's set_variable validates the
            # (constant, valid) variable name, deep-visits the value to tag its origin and writes a debug
            # line, each time; that was half of the plugin's time at 5,000 hosts. The host is new (add_host
            # above only set inventory_file and inventory_dir), so nothing needs merging.
            hosts[hostname].vars.update(hostvars)
            if construct:
                self._construct(hostname, hostvars)

        if counts[untagged] or counts[nonconforming]:
            display.warning(
                "%s: %d instance(s) without a Name tag are in group '%s', %d with a Name outside the naming rule"
                " are in group '%s'%s" % (self.NAME, counts[untagged], untagged, counts[nonconforming], nonconforming,
                                          " (-v lists them)" if skipped else "")
            )
        # Names come from AWS: repr quotes them, shows surrounding spaces and escapes control characters.
        for name, (reason, count) in skipped.items():
            display.v("%s: Name %r (%d instance(s)) is in group '%s': %s" % (self.NAME, name, count, nonconforming, reason))

    def _hostnames(self, records, parsed_names, group_names):
        """One unique hostname per instance: the chosen kind, else name-id, else the instance ID."""
        kind = self.get_option("hostnames")

        def name_id(record, parsed):
            return "%s-%s" % (parsed["name"], record["id"]) if parsed else record["id"]

        if kind == "instance-id":
            wanted = [r["id"] for r in records]
        elif kind == "name-id":
            wanted = [name_id(r, p) for r, p in zip(records, parsed_names)]
        else:
            field = ADDRESS_FIELDS[kind]
            wanted = [r[field] for r in records]
        seen = {}
        for host in wanted:
            seen[host] = seen.get(host, 0) + 1

        def free(host):
            return host and _HOSTNAME.match(host) and host not in group_names and host not in taken

        result, taken, fallbacks = [], set(), 0
        for index, (record, parsed, host) in enumerate(zip(records, parsed_names, wanted)):
            if seen[host] == 1 and free(host):
                result.append(host)
                taken.add(host)
                continue
            fallbacks += 1
            for candidate in (name_id(record, parsed), record["id"], "%s-%s" % (record["id"], record["region"])):
                if free(candidate) and seen.get(candidate, 0) == 0:
                    break
            else:
                # Only an endpoint that is not EC2 answers with such IDs: a name that cannot be templated.
                candidate = "%s-%d" % (_NOT_HOSTNAME_CHARS.sub("_", str(record["id"])), index)
            result.append(candidate)
            taken.add(candidate)
        if fallbacks:
            display.vvv("%s: %d instance(s) have no unique %s; they use name-id or the instance ID" % (self.NAME, fallbacks, kind))
        return result

    @staticmethod
    def _hostvars(record, parsed, asg, ansible_host_field):
        # Everything here comes from AWS: every string is marked unsafe (_unsafe), so no value is ever templated.
        naming_vars = _unsafe_naming(parsed)
        return {
            "ansible_host": _unsafe(record[ansible_host_field] or record["private_ip"]),
            "naming": dict(naming_vars),
            "ec2_instance_id": _unsafe(record["id"]),
            "ec2_instance_type": _unsafe(record["type"]),
            "ec2_availability_zone": _unsafe(record["az"]),
            "ec2_private_ip": _unsafe(record["private_ip"]),
            "ec2_public_ip": _unsafe(record["public_ip"]),
            "ec2_image_id": _unsafe(record["image"]),
            "ec2_launch_time": _unsafe(record["launch_time"]),
            "ec2_state": _unsafe(record["state"]),
            "ec2_autoscaling_group": _unsafe(asg),
            "ec2_tags": _unsafe_tags(record["tags"]),
            "ec2_ena_support": _unsafe(record["ena"]),
            "ec2_sriov_net_support": _unsafe(record["sriov"]),
        }

    def _construct(self, hostname, hostvars):
        strict = self.get_option("strict")
        compose = self.get_option("compose")
        self._set_composite_vars(compose, hostvars, hostname, strict=strict)
        # Composed variables are visible to groups and keyed_groups, as in the constructed plugin.
        fetch = bool(compose)
        self._add_host_to_composed_groups(self.get_option("groups"), hostvars, hostname, strict=strict, fetch_hostvars=fetch)
        self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, hostname, strict=strict, fetch_hostvars=fetch)
