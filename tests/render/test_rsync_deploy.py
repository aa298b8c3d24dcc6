"""rsync_deploy on the platforms we cannot converge: the OS cascade and the bootstrap's files."""

from __future__ import annotations

import importlib.util
import pathlib

import pytest

from tests.render.conftest import PLATFORMS

EXPECTED = {
    #           web unit   group       settings file                          bootstrap python
    "centos7": ("httpd", "apache", "/etc/sysconfig/gamestack-bootstrap", "/usr/bin/python"),
    "rocky9": ("httpd", "apache", "/etc/sysconfig/gamestack-bootstrap", "/usr/bin/python3"),
    "al2023": ("httpd", "apache", "/etc/sysconfig/gamestack-bootstrap", "/usr/bin/python3"),
    "debian12": ("apache2", "www-data", "/etc/default/gamestack-bootstrap", "/usr/bin/python3"),
}
_SPEC = importlib.util.spec_from_file_location(
    "gamestack_bootstrap",
    pathlib.Path(__file__).resolve().parents[2] / "roles" / "rsync_deploy" / "files" / "gamestack-bootstrap.py")
BOOT = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(BOOT)
TEMPLATES = [
    "etc/systemd/system/gamestack-bootstrap.service.j2",
    "etc/systemd/system/httpd.service.d/gamestack-bootstrap.conf.j2",
    "etc/default/gamestack-bootstrap.j2",
]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_os_data_and_bootstrap_files(render_role, platform, tmp_path):
    unit, group, settings, python = EXPECTED[platform]
    out = render_role(
        "rsync_deploy", platform, templates=TEMPLATES,
        variables=["__rsync_deploy_apache_service", "__rsync_deploy_group", "__rsync_deploy_bootstrap_env_file",
                   "__rsync_deploy_bootstrap_python", "__rsync_deploy_php_ini_files", "__rsync_deploy_bootstrap_prefix"],
        host_vars={"rsync_deploy_app": "api", "rsync_deploy_env": "production",
                   "rsync_deploy_bootstrap_bucket": "releases", "rsync_deploy_excludes": [".git/", "my dir/"]},
    )
    assert out.vars["__rsync_deploy_apache_service"] == unit
    assert out.vars["__rsync_deploy_group"] == group
    assert out.vars["__rsync_deploy_bootstrap_env_file"] == settings
    assert out.vars["__rsync_deploy_bootstrap_python"] == python
    assert out.vars["__rsync_deploy_bootstrap_prefix"] == "api-production"
    service = out.files["etc/systemd/system/gamestack-bootstrap.service"]
    assert "ExecStart=%s /usr/local/libexec/gamestack-bootstrap.py --config %s" % (python, settings) in service
    assert "Before=apache2.service httpd.service" in service
    assert "ConditionPathExists=!/run/gamestack-bootstrap.done" in service
    for hardening in ("ProtectSystem=strict", "ReadWritePaths=-/var/www/app -/var/www/app.bootstrap",
                      "RuntimeDirectory=gamestack-bootstrap", "PrivateTmp=yes", "NoNewPrivileges=yes"):
        assert "\n%s\n" % hardening in service
    dropin = out.files["etc/systemd/system/httpd.service.d/gamestack-bootstrap.conf"]
    assert "Requires=gamestack-bootstrap.service" in dropin and "After=gamestack-bootstrap.service" in dropin
    env = out.files["etc/default/gamestack-bootstrap"]
    assert "GAMESTACK_HTTPD_UNIT=%s.service" % unit in env
    assert "GAMESTACK_GROUP=%s" % group in env
    assert "GAMESTACK_PREFIX=api-production" in env
    # the script reads the file back with shell quoting: the exclude list survives a space
    path = tmp_path / "settings"
    path.write_text(env)
    settings_read = BOOT.read_settings(str(path))
    assert BOOT.setting_list(settings_read, "GAMESTACK_EXCLUDES") == [".git/", "my dir/"]
    assert settings_read["GAMESTACK_BUCKET"] == "releases"
