"""Self-tests of the render framework, against the probe role in tests/render/roles/render_probe."""

from __future__ import annotations

import pytest

from tests.render.conftest import PLATFORMS, platform_facts

EXPECTED_PACKAGE = {"centos7": "probe-el7", "rocky9": "probe-el", "al2023": "probe-amzn", "debian12": "probe-deb"}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_cascade_and_template_follow_the_platform_facts(render_role, platform):
    facts = platform_facts(platform)
    out = render_role(
        "render_probe",
        platform,
        templates=["etc/probe.conf.j2"],
        variables=["render_probe_package", "render_probe_port", "ansible_facts"],
    )
    assert out.vars["render_probe_package"] == EXPECTED_PACKAGE[platform]
    # The shipped ansible.cfg keeps facts under ansible_facts only (inject_facts_as_vars = False).
    assert out.vars["ansible_facts"]["distribution"] == facts["ansible_distribution"]
    text = out.files["etc/probe.conf"]
    assert text.splitlines()[0] == "# %s %s" % (facts["ansible_distribution"], facts["ansible_distribution_major_version"])
    assert "package=%s\n" % EXPECTED_PACKAGE[platform] in text
    assert "mem=%s\n" % facts["ansible_memtotal_mb"] in text


def test_host_vars_extra_vars_and_fact_overrides(render_role):
    out = render_role(
        "render_probe",
        "rocky9",
        templates=["etc/probe.conf.j2"],
        variables=["render_probe_port"],
        host_vars={"render_probe_port": 9000},
        facts={"ansible_memtotal_mb": 512},
    )
    assert out.vars["render_probe_port"] == 9000
    assert "mem=512\n" in out.files["etc/probe.conf"]
    # extra vars beat the role's vars/ cascade, host vars do not
    assert render_role("render_probe", "rocky9", variables=["render_probe_package"],
                       host_vars={"render_probe_package": "mine"}).vars["render_probe_package"] == "probe-el"
    assert render_role("render_probe", "rocky9", variables=["render_probe_package"],
                       extra_vars={"render_probe_package": "mine"}).vars["render_probe_package"] == "mine"


def test_refusal_is_reported_with_its_message(render_role):
    out = render_role(
        "render_probe", "al2023", tasks_from=["vars.yml", "preflight.yml"],
        host_vars={"render_probe_port": -1}, expect_failure=True,
    )
    out.assert_refused("render_probe_port", "got -1")
    with pytest.raises(AssertionError):
        out.assert_refused("some other text")


def test_success_is_not_taken_for_a_refusal(render_role):
    out = render_role("render_probe", "al2023", tasks_from=["vars.yml", "preflight.yml"])
    assert out.ok
    with pytest.raises(AssertionError):
        out.assert_refused("render_probe_port")


def test_unknown_platform_is_rejected(render_role):
    with pytest.raises(ValueError, match="no facts for platform"):
        render_role("render_probe", "solaris11")
