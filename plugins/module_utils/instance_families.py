# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which EC2 instance families support which enhanced networking driver.

Source: the AWS EC2 user guide, "Enhanced networking on Amazon EC2 instances"
(ENA, Intel 82599 VF) and "Instances built on the AWS Nitro System". Three kinds:

* ``ena`` on Nitro: ENA is the only network device, ``enaSupport`` must stay on
  (an instance of these types without it does not start).
* ``ena`` on Xen (r4, i3, x1, p3, ..., m4.16xlarge): ENA is optional, the
  instance also runs on the Xen netfront device.
* ``ixgbevf``: Intel 82599 Virtual Function, attribute ``sriovNetSupport=simple``
  (c3, c4, d2, i2, m4 except m4.16xlarge, r3). Cannot be switched off once set.
* ``none``: previous generation types without enhanced networking (t1, t2, m1, m3, ...).

Plain Python, no boto3 and no Ansible imports, so it can be unit tested alone.
New families appear often: an unknown family is refused with a message that says
so, rather than guessed; add it here.
"""

from __future__ import annotations

import re

ENA = "ena"
IXGBEVF = "ixgbevf"
NONE = "none"

# Nitro families: ENA required.
_NITRO_ENA = """
a1 c5 c5a c5ad c5d c5n c6a c6g c6gd c6gn c6i c6id c6in c7a c7g c7gd c7gn c7i c7i-flex
c8g c8gd c8gn c8i d3 d3en dl1 dl2q f2 g4ad g4dn g5 g5g g6 g6e gr6 hpc6a hpc6id hpc7a hpc7g
i3en i4g i4i i7i i7ie i8g im4gn inf1 inf2 is4gen m5 m5a m5ad m5d m5dn m5n m5zn m6a m6g m6gd
m6i m6id m6idn m6in m7a m7g m7gd m7i m7i-flex m8g m8gd m8i p3dn p4d p4de p5 p5e p5en p6-b200
r5 r5a r5ad r5b r5d r5dn r5n r6a r6g r6gd r6i r6id r6idn r6in r7a r7g r7gd r7i r7iz r8g r8gd
r8i t3 t3a t4g trn1 trn1n trn2 vt1 x2gd x2idn x2iedn x2iezn x8g z1d mac1 mac2 mac2-m2
mac2-m2pro
""".split()

# Xen families with ENA (optional there: they also boot on netfront).
_XEN_ENA = """
f1 g3 g3s h1 i3 p2 p3 r4 x1 x1e
""".split()

# Intel 82599 VF (sriovNetSupport=simple).
_IXGBEVF = """
c3 c4 d2 i2 m4 r3
""".split()

# No enhanced networking at all.
_NONE = """
t1 t2 m1 m2 m3 c1 cc1 cc2 cg1 cr1 g2 hi1 hs1
""".split()

#: family -> (driver, ena_required)
FAMILIES = {}
FAMILIES.update({f: (ENA, True) for f in _NITRO_ENA})
FAMILIES.update({f: (ENA, False) for f in _XEN_ENA})
FAMILIES.update({f: (IXGBEVF, False) for f in _IXGBEVF})
FAMILIES.update({f: (NONE, False) for f in _NONE})

#: whole instance types that differ from their family
TYPE_EXCEPTIONS = {
    "m4.16xlarge": (ENA, False),
    "i3.metal": (ENA, True),
}

# High memory types (u-6tb1.metal, u7i-12tb.224xlarge) are all Nitro.
_HIGH_MEMORY = re.compile(r"^u\d*[a-z]*-[0-9a-z]+$")
_INSTANCE_TYPE = re.compile(r"^(?P<family>[a-z][a-z0-9-]*)\.(?P<size>[a-z0-9-]+)$")


class InstanceTypeError(ValueError):
    """An instance type that is malformed or whose family is not in the table."""


def classify(instance_type):
    """Return what ``instance_type`` supports, or raise InstanceTypeError.

    The answer is a dict: ``instance_type``, ``family``, ``size``, ``driver``
    (``ena``, ``ixgbevf`` or ``none``), ``ena_supported``, ``ena_required``,
    ``sriov_supported``.
    """
    if not isinstance(instance_type, str) or not _INSTANCE_TYPE.match(instance_type.strip().lower()):
        raise InstanceTypeError(
            "instance type %r is not of the form <family>.<size> (for example c5.large)" % (instance_type,)
        )
    instance_type = instance_type.strip().lower()
    match = _INSTANCE_TYPE.match(instance_type)
    family, size = match.group("family"), match.group("size")
    if instance_type in TYPE_EXCEPTIONS:
        driver, required = TYPE_EXCEPTIONS[instance_type]
    elif family in FAMILIES:
        driver, required = FAMILIES[family]
    elif _HIGH_MEMORY.match(family):
        driver, required = ENA, True
    else:
        raise InstanceTypeError(
            "instance family %r (instance type %s) is not in the enhanced networking table of"
            " gamestack.aws (plugins/module_utils/instance_families.py); check the AWS documentation"
            " for its driver and add it there" % (family, instance_type)
        )
    return {
        "instance_type": instance_type,
        "family": family,
        "size": size,
        "driver": driver,
        "ena_supported": driver == ENA,
        "ena_required": bool(required),
        "sriov_supported": driver == IXGBEVF,
    }


def request_problems(instance_type, ena=None, sriov_net_support=None):
    """Return a list of reasons why the request cannot be applied to ``instance_type`` (empty: fine).

    ``ena`` is True/False/None (None: leave alone); ``sriov_net_support`` is
    ``'simple'`` or None. Raises InstanceTypeError for an unknown type.
    """
    info = classify(instance_type)
    problems = []
    if ena is True and not info["ena_supported"]:
        problems.append(
            "%s does not support ENA (its enhanced networking is: %s)" % (info["instance_type"], describe_driver(info))
        )
    if ena is False and info["ena_required"]:
        problems.append(
            "%s is built on the Nitro system where ENA is the only network device; switching enaSupport"
            " off would leave the instance unable to start" % info["instance_type"]
        )
    if sriov_net_support is not None and not info["sriov_supported"]:
        problems.append(
            "%s does not support the Intel 82599 VF (sriovNetSupport=%s); its enhanced networking is: %s"
            % (info["instance_type"], sriov_net_support, describe_driver(info))
        )
    return problems


def describe_driver(info):
    if info["driver"] == ENA:
        return "ENA (required, Nitro)" if info["ena_required"] else "ENA (optional, Xen)"
    if info["driver"] == IXGBEVF:
        return "Intel 82599 VF (ixgbevf, sriovNetSupport=simple)"
    return "none (previous generation type without enhanced networking)"
