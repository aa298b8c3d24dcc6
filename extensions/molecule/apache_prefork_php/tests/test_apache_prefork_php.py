"""Verify gamestack.aws.apache_prefork_php on the converged Debian 12 container (testinfra)."""

from __future__ import annotations

import json
import re

APACHECTL = "/usr/sbin/apache2ctl"
FETCH = (
    "import json, sys, urllib.request, urllib.error\n"
    "try:\n"
    "    r = urllib.request.urlopen(sys.argv[1], timeout=10)\n"
    "    status, body, headers = r.status, r.read(), r.headers\n"
    "except urllib.error.HTTPError as e:\n"
    "    status, body, headers = e.code, e.read(), e.headers\n"
    "print(json.dumps({'status': status, 'server': headers.get('Server'), 'body': body.decode()}))\n"
)


def fetch(host, path):
    """GET http://127.0.0.1<path> from inside the container: {'status', 'server', 'body'}."""
    out = host.check_output("python3 -c %s http://127.0.0.1%s", FETCH, path)
    return json.loads(out)


def loaded_modules(host):
    out = host.check_output("%s -M 2>/dev/null", APACHECTL)
    return {line.split()[0] for line in out.splitlines() if line.startswith(" ")}


def active_directive(host, name):
    """Value of the last `name` directive in the files Apache includes, in include order."""
    includes = host.check_output("%s -t -D DUMP_INCLUDES 2>/dev/null", APACHECTL)
    files = re.findall(r"^\s*\(\*?\d*\)?\s*(/\S+)$", includes, re.M)
    assert files, includes
    value = None
    for path in files:
        for line in host.file(path).content_string.splitlines():
            match = re.match(r"^\s*%s\s+(\S+)" % re.escape(name), line, re.I)
            if match:
                value = match.group(1)
    return value


def test_prefork_and_php_loaded_and_no_other_mpm(host):
    modules = loaded_modules(host)
    assert "mpm_prefork_module" in modules
    assert "php_module" in modules
    assert sorted(m for m in modules if m.startswith("mpm_")) == ["mpm_prefork_module"]


def test_threaded_mpms_disabled_on_disk(host):
    for mpm in ("mpm_event", "mpm_worker"):
        assert not host.file(f"/etc/apache2/mods-enabled/{mpm}.load").exists
    assert host.file("/etc/apache2/mods-enabled/mpm_prefork.load").exists
    assert host.file("/etc/apache2/mods-enabled/php8.2.load").exists


def test_php_page_is_executed_not_served(host):
    page = fetch(host, "/")
    assert page["status"] == 200
    assert page["body"].strip() == "sum=42 sapi=apache2handler"
    assert "<?php" not in page["body"]


def test_server_header_says_only_apache(host):
    assert fetch(host, "/")["server"] == "Apache"


def test_no_signature_on_error_pages(host):
    page = fetch(host, "/no-such-page")
    assert page["status"] == 404
    assert page["server"] == "Apache"
    assert "Server at" not in page["body"]


def test_max_connections_per_child_is_1000_in_loaded_config(host):
    assert active_directive(host, "MaxConnectionsPerChild") == "1000"


def test_max_request_workers_derived_from_memory(host):
    # ansible_memtotal_mb is MemTotal in MiB; default reserve 512, child 128, cap 256.
    mem_kb = int(re.search(r"^MemTotal:\s+(\d+)", host.file("/proc/meminfo").content_string, re.M).group(1))
    expected = min((mem_kb // 1024 - 512) // 128, 256)
    assert active_directive(host, "MaxRequestWorkers") == str(expected)
    assert int(active_directive(host, "ServerLimit")) == expected


def test_server_tokens_and_keepalive_in_loaded_config(host):
    assert active_directive(host, "ServerTokens") == "Prod"
    assert active_directive(host, "ServerSignature") == "Off"
    assert active_directive(host, "KeepAlive") == "On"
    assert active_directive(host, "KeepAliveTimeout") == "5"


def test_document_root_and_default_site(host):
    root = host.file("/var/www/app/public")
    assert root.is_directory
    assert root.user == "root" and root.mode == 0o755
    assert host.file("/etc/apache2/sites-enabled/gamestack-app.conf").exists
    assert not host.file("/etc/apache2/sites-enabled/000-default.conf").exists


def test_opcache_enabled_with_role_settings_under_apache(host):
    page = fetch(host, "/ini.php")
    assert page["status"] == 200, page
    ini = json.loads(page["body"])
    assert ini["loaded"] is True
    assert ini["opcache_enabled"] is True
    assert ini["opcache.enable"] == "1"
    assert ini["opcache.memory_consumption"] == "128"
    assert ini["opcache.validate_timestamps"] == "1"
    assert ini["opcache.revalidate_freq"] == "2"
    assert ini["realpath_cache_size"] == "4096K"
    assert ini["realpath_cache_ttl"] == "600"


def test_ini_drop_in_for_the_apache_sapi(host):
    ini = host.file("/etc/php/8.2/apache2/conf.d/99-gamestack.ini")
    assert ini.exists and ini.mode == 0o644
    assert "opcache.memory_consumption = 128" in ini.content_string
    assert "opcache.enable = On" in ini.content_string


def test_configtest_passes_and_service_enabled(host):
    assert host.run("%s configtest", APACHECTL).rc == 0
    service = host.service("apache2")
    assert service.is_running
    assert service.is_enabled


def test_broken_config_is_refused_before_it_is_written(host):
    """A vhost directive Apache does not know fails the template's `apachectl -t` check: the file on
    disk and the running server stay as they were."""
    import os
    import pathlib
    import subprocess
    import sys
    import tempfile

    vhost = "/etc/apache2/sites-available/gamestack-app.conf"
    before = host.file(vhost).content_string
    container = host.ansible.get_variables()["ansible_host"]  # the docker container's name
    repo = pathlib.Path(__file__).resolve().parents[4]
    with tempfile.TemporaryDirectory() as tmp:
        inventory = pathlib.Path(tmp, "inventory.yml")
        inventory.write_text(
            "all:\n  hosts:\n    %s:\n      ansible_connection: community.docker.docker\n      ansible_user: root\n" % container
        )
        play = pathlib.Path(tmp, "play.yml")
        play.write_text(
            "- hosts: all\n  roles:\n    - role: gamestack.aws.apache_prefork_php\n"
            "      apache_prefork_php_vhost_directives: [BogusDirective on]\n"
        )
        env = dict(os.environ, ANSIBLE_CONFIG=str(repo / "ansible.cfg"), ANSIBLE_INVENTORY=str(inventory),
                   ANSIBLE_NOCOLOR="1")
        proc = subprocess.run(
            [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", str(inventory), str(play)],
            env=env, cwd=str(repo), check=False, capture_output=True, text=True, timeout=600,
        )
    assert proc.returncode != 0, proc.stdout
    assert "Invalid command 'BogusDirective'" in proc.stdout
    assert host.file(vhost).content_string == before
    assert "BogusDirective" not in host.file(vhost).content_string
    assert fetch(host, "/")["body"].strip() == "sum=42 sapi=apache2handler"
