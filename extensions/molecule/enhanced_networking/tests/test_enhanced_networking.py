"""gamestack.aws.enhanced_networking on a Debian 12 systemd container.

The container shares the build machine's kernel and has no kernel modules, so the role skips modinfo,
the initramfs rebuild and grub there (tested: the message, and the files still written). Forcing the
kernel steps on makes modinfo fail for real: the refusal naming host and driver. The attribute step runs
on the controller against moto. Order matters: the destructive tests run last (pytest keeps file order)."""

from __future__ import annotations

import subprocess

from conftest import CONTAINER, controller_env, moto_harness, role_play, run_playbook

MODULES_FILE = "/etc/initramfs-tools/modules"
UDEV_RULE = "/etc/udev/rules.d/70-persistent-net.rules"


def test_packages_installed(host):
    for name in ("kmod", "ethtool", "initramfs-tools"):
        assert host.package(name).is_installed, name


def test_drivers_listed_once_in_initramfs_tools_modules(host):
    f = host.file(MODULES_FILE)
    assert f.is_file and f.user == "root" and f.mode == 0o644
    lines = [line.strip() for line in f.content_string.splitlines()]
    assert lines.count("ena") == 1
    assert lines.count("ixgbevf") == 1


def test_persistent_net_rule_removed(host):
    assert not host.file(UDEV_RULE).exists


def test_container_message_and_ethtool_report():
    proc = run_playbook(role_play({}))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "container that shares the host's kernel: modinfo, the initramfs rebuild and the grub changes are skipped" \
        in " ".join(proc.stdout.split())
    # ethtool ran for real on the container's primary interface (a veth pair end).
    assert "uses driver veth" in proc.stdout
    recap = proc.stdout[proc.stdout.find("PLAY RECAP"):]
    changed = [line for line in proc.stdout.splitlines() if line.startswith("changed:")]
    assert " changed=0 " in recap.splitlines()[1], (recap.splitlines()[:2], changed)


def test_attribute_left_alone_when_the_driver_was_not_checked(moto_ec2):
    server, ec2 = moto_ec2
    iid = moto_harness.run_instances(ec2, instance_type="c5.large")[0]
    ec2.stop_instances(InstanceIds=[iid])
    proc = run_playbook(role_play({"enhanced_networking_manage_attribute": "true", "ec2_instance_id": iid}),
                        controller_env(server.endpoint))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "driver could not be checked (container), so the EC2 attribute is left alone" in " ".join(proc.stdout.split())
    assert not ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0].get("EnaSupport")


def test_attribute_set_from_the_controller(moto_ec2):
    server, ec2 = moto_ec2
    iid = moto_harness.run_instances(ec2, instance_type="c5.large")[0]
    ec2.stop_instances(InstanceIds=[iid])
    play = role_play({"enhanced_networking_manage_attribute": "true", "enhanced_networking_require_driver": "false",
                      "ec2_instance_id": iid, "ec2_availability_zone": "us-east-1a"})
    proc = run_playbook(play, controller_env(server.endpoint))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "-> localhost" in proc.stdout  # delegated to the controller
    assert ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0].get("EnaSupport") is True
    again = run_playbook(play, controller_env(server.endpoint))
    assert again.returncode == 0 and "changed=0" in again.stdout, again.stdout


def test_running_instance_without_stop_if_needed_fails_through_the_module(moto_ec2):
    server, ec2 = moto_ec2
    iid = moto_harness.run_instances(ec2, instance_type="m5.large")[0]
    play = role_play({"enhanced_networking_manage_attribute": "true", "enhanced_networking_require_driver": "false",
                      "ec2_instance_id": iid})
    proc = run_playbook(play, controller_env(server.endpoint))
    assert proc.returncode != 0
    assert iid in proc.stdout and "stop_if_needed" in proc.stdout
    instance = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
    assert not instance.get("EnaSupport") and instance["State"]["Name"] == "running"


def in_container(*argv):
    return subprocess.run(["docker", "exec", CONTAINER] + list(argv), check=False, capture_output=True, text=True, timeout=60)


def test_host_without_the_driver_is_refused_and_left_alone():
    # No `host` fixture here: pytest groups the tests that use it, and this one must run last.
    # Remove the modules file first: the refusal must come before the initramfs configuration.
    assert in_container("rm", "-f", MODULES_FILE).returncode == 0
    proc = run_playbook(role_play({"enhanced_networking_kernel_steps": "true"}))
    assert proc.returncode != 0
    text = " ".join(proc.stdout.split())
    assert "%s: the kernel module ena is missing" % CONTAINER in text
    assert "Module ena not found" in text
    assert in_container("test", "-e", MODULES_FILE).returncode == 1
