"""The enhanced networking table: which instance types get ENA, ixgbevf or nothing."""

from __future__ import annotations

import pytest

from ansible_collections.gamestack.aws.plugins.module_utils import instance_families as fam


@pytest.mark.parametrize("itype", ["c5.large", "c5n.18xlarge", "m5.xlarge", "m6i.large", "m7g.medium", "r5.large",
                                   "r6gd.large", "t3.micro", "t3a.nano", "t4g.small", "a1.medium", "i3en.large",
                                   "i4i.large", "p4d.24xlarge", "g4dn.xlarge", "z1d.large", "c7i-flex.large",
                                   "i3.metal", "u-6tb1.metal", "u7i-12tb.224xlarge"])
def test_nitro_types_require_ena(itype):
    info = fam.classify(itype)
    assert info["driver"] == "ena"
    assert info["ena_supported"] and info["ena_required"] and not info["sriov_supported"]


@pytest.mark.parametrize("itype", ["r4.large", "i3.large", "x1.16xlarge", "x1e.xlarge", "p3.2xlarge", "h1.2xlarge",
                                   "f1.2xlarge", "g3.4xlarge", "m4.16xlarge"])
def test_xen_ena_types_have_optional_ena(itype):
    info = fam.classify(itype)
    assert info["driver"] == "ena" and info["ena_supported"] and not info["ena_required"]


@pytest.mark.parametrize("itype", ["c3.large", "c4.8xlarge", "d2.xlarge", "i2.xlarge", "m4.large", "m4.10xlarge",
                                   "r3.large"])
def test_intel_82599_vf_types(itype):
    info = fam.classify(itype)
    assert info["driver"] == "ixgbevf"
    assert info["sriov_supported"] and not info["ena_supported"]


@pytest.mark.parametrize("itype", ["t1.micro", "t2.micro", "m1.small", "m3.medium", "c1.medium", "m2.xlarge"])
def test_previous_generation_types_have_none(itype):
    info = fam.classify(itype)
    assert info["driver"] == "none"
    assert not info["ena_supported"] and not info["sriov_supported"]


def test_m4_16xlarge_is_the_ena_exception_of_m4():
    assert fam.classify("m4.16xlarge")["driver"] == "ena"
    assert fam.classify("m4.4xlarge")["driver"] == "ixgbevf"


def test_classify_splits_family_and_size_and_normalises_case():
    info = fam.classify(" C5.Large ")
    assert (info["instance_type"], info["family"], info["size"]) == ("c5.large", "c5", "large")


@pytest.mark.parametrize("itype", ["zz9.large", "q1.medium"])
def test_unknown_family_is_named(itype):
    with pytest.raises(fam.InstanceTypeError) as err:
        fam.classify(itype)
    family = itype.split(".")[0]
    assert repr(family) in str(err.value) and itype in str(err.value)
    assert "instance_families.py" in str(err.value)


@pytest.mark.parametrize("itype", ["", "c5", "c5.", ".large", "c5 large", None, 5])
def test_malformed_type_is_refused(itype):
    with pytest.raises(fam.InstanceTypeError) as err:
        fam.classify(itype)
    assert "<family>.<size>" in str(err.value)


def test_request_problems():
    assert fam.request_problems("c5.large", ena=True) == []
    assert fam.request_problems("c4.large", sriov_net_support="simple") == []
    assert fam.request_problems("r4.large", ena=False) == []
    assert fam.request_problems("t2.micro") == []
    (p,) = fam.request_problems("c4.large", ena=True)
    assert "c4.large does not support ENA" in p and "ixgbevf" in p
    (p,) = fam.request_problems("c5.large", ena=False)
    assert "Nitro" in p and "unable to start" in p
    (p,) = fam.request_problems("c5.large", sriov_net_support="simple")
    assert "Intel 82599 VF" in p and "ENA (required, Nitro)" in p
    assert len(fam.request_problems("t2.micro", ena=True, sriov_net_support="simple")) == 2
    with pytest.raises(fam.InstanceTypeError):
        fam.request_problems("zz9.large", ena=True)


def test_families_are_listed_once():
    lists = [fam._NITRO_ENA, fam._XEN_ENA, fam._IXGBEVF, fam._NONE]
    everything = [f for lst in lists for f in lst]
    assert len(everything) == len(set(everything))
