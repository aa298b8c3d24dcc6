"""testinfra checks after converge + idempotence of gamestack.aws.rsync_deploy."""

import re

APP = "/var/www/app"


def test_tree_deployed_with_normalised_modes(host):
    index = host.file(APP + "/public/index.php")
    assert index.is_file
    assert index.user == "root" and index.group == "www-data"
    assert index.mode == 0o644
    assert host.file(APP + "/lib").mode == 0o755
    assert host.file(APP + "/public/read me.txt").is_file
    assert host.file(APP + "/lib/Ünïcode dir/café €.txt").content_string == "non-ASCII name\n"


def test_live_tree_is_a_real_directory(host):
    assert host.file(APP).is_directory
    assert not host.file(APP).is_symlink


def test_release_marker_follows_the_naming_rule(host):
    marker = host.file(APP + "/.release").content_string.strip()
    assert re.match(r"^api-molecule-\d{8}-\d{4}$", marker), marker


def test_no_rsync_leftovers(host):
    leftovers = host.run("find %s -name '.~tmp~' -o -name '.*.??????' -type f", APP)
    assert leftovers.stdout.strip() == ""
    assert not host.file(APP + ".deploying").exists


def test_page_served_by_apache(host):
    page = host.run("curl -fsS http://127.0.0.1/")
    assert page.rc == 0, page.stderr
    assert "version=molecule-1" in page.stdout
    assert re.search(r"release=api-molecule-\d{8}-\d{4}", page.stdout)


def test_bootstrap_unit_orders_before_apache_and_is_required(host):
    unit = host.file("/etc/systemd/system/gamestack-bootstrap.service")
    assert unit.exists
    assert "Before=apache2.service httpd.service" in unit.content_string
    requires = host.run("systemctl show -p Requires -p After apache2.service").stdout
    assert "gamestack-bootstrap.service" in requires.split("Requires=")[1].split("\n")[0]
    assert host.service("gamestack-bootstrap").is_enabled
    env = host.file("/etc/default/gamestack-bootstrap")
    assert env.mode == 0o600
    assert "GAMESTACK_BUCKET=gamestack-molecule" in env.content_string
