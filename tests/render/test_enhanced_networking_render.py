"""gamestack.aws.enhanced_networking rendered for platforms CI cannot converge (CentOS 7 above all):
dracut drop-in, grub command line merge, rebuild commands, container detection and the refusals.
The Debian 12 path is converged for real by molecule (extensions/molecule/enhanced_networking)."""

from __future__ import annotations

import base64

import pytest

ROLE = "enhanced_networking"
EL_VARS = [
    "__enhanced_networking_packages",
    "__enhanced_networking_initramfs",
    "__enhanced_networking_dracut_conf",
    "__enhanced_networking_initramfs_rebuild",
    "enhanced_networking_kernel_args",
    "__enhanced_networking_grub_cmdline_wanted",
    "__enhanced_networking_do_kernel_steps",
    "__enhanced_networking_region",
]
DRACUT = "etc/dracut.conf.d/ena.conf.j2"
# /etc/default/grub of a stock CentOS 7 AMI, with a stray net.ifnames=1 that must not survive.
CENTOS7_GRUB = """GRUB_TIMEOUT=1
GRUB_DISTRIBUTOR="$(sed 's, release .*$,,g' /etc/system-release)"
GRUB_DEFAULT=saved
GRUB_DISABLE_SUBMENU=true
GRUB_TERMINAL_OUTPUT="console"
GRUB_CMDLINE_LINUX="console=tty0 crashkernel=auto net.ifnames=1 console=ttyS0,115200"
GRUB_DISABLE_RECOVERY="true"
"""


def slurped(text):
    """What configure.yml registers from ansible.builtin.slurp of /etc/default/grub."""
    return {"content": base64.b64encode(text.encode()).decode(), "encoding": "base64"}


def test_centos7_dracut_grub_and_rebuild(render_role):
    out = render_role(
        ROLE, "centos7",
        templates=[DRACUT],
        variables=EL_VARS + ["__enhanced_networking_grub_defaults", "__enhanced_networking_grub_mkconfig"],
        tasks_from=["vars.yml", "preflight.yml"],
        host_vars={
            "__enhanced_networking_grub_file": slurped(CENTOS7_GRUB),
            "ec2_availability_zone": "us-west-2-lax-1a",
        },
    )
    v = out.vars
    assert v["__enhanced_networking_initramfs"] == "dracut"
    assert v["__enhanced_networking_dracut_conf"] == "/etc/dracut.conf.d/ena.conf"
    assert v["__enhanced_networking_initramfs_rebuild"] == ["dracut", "-f", "--regenerate-all"]
    assert v["__enhanced_networking_packages"] == ["kmod", "ethtool", "dracut"]
    assert v["enhanced_networking_kernel_args"] == ["net.ifnames=0"]
    assert v["__enhanced_networking_grub_defaults"] == "/etc/default/grub"
    assert v["__enhanced_networking_grub_mkconfig"] == ["grub2-mkconfig", "-o", "/boot/grub2/grub.cfg"]
    # net.ifnames=1 is replaced, every other word kept in order.
    assert v["__enhanced_networking_grub_cmdline_wanted"] == [
        "console=tty0", "crashkernel=auto", "console=ttyS0,115200", "net.ifnames=0"]
    assert v["__enhanced_networking_do_kernel_steps"] is True
    assert v["__enhanced_networking_region"] == "us-west-2"
    conf = out.files["etc/dracut.conf.d/ena.conf"]
    assert 'add_drivers+=" ena ixgbevf "' in conf.splitlines()
    assert conf.splitlines()[0].startswith("# ")


@pytest.mark.parametrize("line, wanted", [
    # Already right: kept as it is, word order included (no rewrite, no grub2-mkconfig).
    ("GRUB_CMDLINE_LINUX='net.ifnames=0 console=tty0 crashkernel=auto'",
     ["net.ifnames=0", "console=tty0", "crashkernel=auto"]),
    ("GRUB_CMDLINE_LINUX=quiet", ["quiet", "net.ifnames=0"]),
    # No GRUB_CMDLINE_LINUX at all: lineinfile appends the line with our argument only.
    ("GRUB_TIMEOUT=5", ["net.ifnames=0"]),
])
def test_centos7_grub_line_variants(render_role, line, wanted):
    out = render_role(ROLE, "centos7", variables=["__enhanced_networking_grub_cmdline_wanted"],
                      host_vars={"__enhanced_networking_grub_file": slurped("GRUB_TIMEOUT=1\n%s\n" % line)})
    assert out.vars["__enhanced_networking_grub_cmdline_wanted"] == wanted


@pytest.mark.parametrize("platform", ["rocky9", "al2023"])
def test_newer_red_hat_family_gets_dracut_but_no_grub_change(render_role, platform):
    out = render_role(ROLE, platform, templates=[DRACUT], variables=EL_VARS,
                      host_vars={"enhanced_networking_initramfs_drivers": ["ena"]})
    v = out.vars
    assert v["__enhanced_networking_dracut_conf"] == "/etc/dracut.conf.d/ena.conf"
    assert v["enhanced_networking_kernel_args"] == []
    assert v["__enhanced_networking_grub_cmdline_wanted"] == []
    assert 'add_drivers+=" ena "' in out.files["etc/dracut.conf.d/ena.conf"]


def test_debian12_uses_initramfs_tools(render_role):
    out = render_role(ROLE, "debian12", variables=[
        "__enhanced_networking_initramfs", "__enhanced_networking_initramfs_modules_file",
        "__enhanced_networking_initramfs_rebuild", "enhanced_networking_kernel_args", "__enhanced_networking_packages"])
    v = out.vars
    assert v["__enhanced_networking_initramfs"] == "initramfs-tools"
    assert v["__enhanced_networking_initramfs_modules_file"] == "/etc/initramfs-tools/modules"
    assert v["__enhanced_networking_initramfs_rebuild"] == ["update-initramfs", "-u", "-k", "all"]
    assert v["enhanced_networking_kernel_args"] == []
    assert "initramfs-tools" in v["__enhanced_networking_packages"]


@pytest.mark.parametrize("virt, override, expected", [
    ("docker", "", False), ("lxc", "", False), ("kvm", "", True), ("xen", "", True),
    ("docker", True, True), ("kvm", False, False),
])
def test_container_detection(render_role, virt, override, expected):
    out = render_role(ROLE, "centos7", variables=["__enhanced_networking_do_kernel_steps"],
                      host_vars={"enhanced_networking_kernel_steps": override},
                      facts={"ansible_virtualization_type": virt})
    assert out.vars["__enhanced_networking_do_kernel_steps"] is expected


def test_missing_driver_is_refused_naming_host_and_driver(render_role):
    out = render_role(
        ROLE, "centos7", tasks_from=["vars.yml", "driver_check.yml"], expect_failure=True,
        host_vars={"enhanced_networking_drivers_found": {
            "ena": {"present": False, "version": "", "filename": "", "error": "modinfo: ERROR: Module ena not found."},
            "ixgbevf": {"present": True, "version": "4.1.0-k-rh7.7", "filename": "/lib/modules/x/ixgbevf.ko.xz",
                        "error": ""},
        }},
    )
    out.assert_refused("centos7", "kernel module ena is missing", "Module ena not found")


def test_ixgbevf_host_with_its_driver_passes(render_role):
    out = render_role(
        ROLE, "centos7", tasks_from=["vars.yml", "preflight.yml", "driver_check.yml"],
        variables=["__enhanced_networking_ready"],
        host_vars={"enhanced_networking_driver": "ixgbevf", "enhanced_networking_drivers_found": {
            "ena": {"present": False, "version": "", "filename": "", "error": "not found"},
            "ixgbevf": {"present": True, "version": "4.1.0-k-rh7.7", "filename": "/lib/x.ko", "error": ""},
        }},
    )
    assert out.vars["__enhanced_networking_ready"] is True


@pytest.mark.parametrize("host_vars, needles", [
    ({"enhanced_networking_driver": "e1000"}, ["'e1000' is not ena or ixgbevf"]),
    ({"enhanced_networking_initramfs_drivers": ["ixgbevf"]}, ["must be a list", "includes ena"]),
    ({"enhanced_networking_manage_attribute": True}, ["centos7", "enhanced_networking_instance_id is ''"]),
    ({"enhanced_networking_manage_attribute": True, "ec2_instance_id": "web-1"}, ["'web-1'"]),
])
def test_preflight_refusals(render_role, host_vars, needles):
    out = render_role(ROLE, "centos7", tasks_from=["vars.yml", "preflight.yml"], host_vars=host_vars,
                      expect_failure=True)
    out.assert_refused(*needles)


def test_unsupported_os_family_is_refused(render_role):
    out = render_role(ROLE, "centos7", tasks_from=["vars.yml"], expect_failure=True,
                      facts={"ansible_os_family": "Suse", "ansible_distribution": "SLES"})
    out.assert_refused("centos7", "SLES", "os_family Suse")
