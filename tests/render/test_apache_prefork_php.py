"""Render tests of gamestack.aws.apache_prefork_php for the platforms CI cannot converge (CentOS 7,
Rocky 9, Amazon Linux 2023; Debian 12 for comparison with the molecule scenario): the OS variable
cascade, the preflight refusals and the rendered configuration files."""

from __future__ import annotations

import pytest

ROLE = "apache_prefork_php"
VARS_AND_PREFLIGHT = ["vars.yml", "preflight.yml"]
RESOLVED = [
    "_apache_prefork_php_packages",
    "_apache_prefork_php_php_ini_dir",
    "_apache_prefork_php_max_request_workers",
    "_apache_prefork_php_server_limit",
    "__apache_prefork_php_service",
    "__apache_prefork_php_apachectl",
    "__apache_prefork_php_mpm_load_file",
    "__apache_prefork_php_config_files",
    "__apache_prefork_php_php_module",
    "__apache_prefork_php_modules_enable",
    "__apache_prefork_php_modules_disable",
]
EL_TEMPLATES = [
    "etc/httpd/conf.modules.d/00-mpm.conf.j2",
    "etc/httpd/conf.d/mpm_prefork.conf.j2",
    "etc/httpd/conf.d/zz-gamestack.conf.j2",
    "etc/httpd/conf.d/gamestack-app.conf.j2",
    "etc/php.d/99-gamestack.ini.j2",
]
EL_CONFIG_DESTS = [
    "/etc/httpd/conf.d/mpm_prefork.conf",
    "/etc/httpd/conf.d/zz-gamestack.conf",
    "/etc/httpd/conf.d/gamestack-app.conf",
]


def directive(text, name):
    """Value of the one non-comment line `name value` in text."""
    values = [line.split(None, 1)[1] for line in text.splitlines()
              if line.strip() and not line.lstrip().startswith("#") and line.split()[0] == name]
    assert len(values) == 1, (name, text)
    return values[0].strip()


def el_render(render_role, platform, **kwargs):
    return render_role(ROLE, platform, tasks_from=VARS_AND_PREFLIGHT, templates=EL_TEMPLATES, variables=RESOLVED,
                       **kwargs)


def assert_el_layout(out):
    assert out.vars["__apache_prefork_php_service"] == "httpd"
    assert out.vars["__apache_prefork_php_apachectl"] == "/usr/sbin/apachectl"
    assert out.vars["__apache_prefork_php_mpm_load_file"] == "/etc/httpd/conf.modules.d/00-mpm.conf"
    assert [f["dest"] for f in out.vars["__apache_prefork_php_config_files"]] == EL_CONFIG_DESTS
    assert out.vars["__apache_prefork_php_modules_enable"] == []  # no a2enmod on EL
    assert out.vars["_apache_prefork_php_php_ini_dir"] == "/etc/php.d"
    # Exactly one MPM is loaded, and it is prefork.
    mpm = out.files["etc/httpd/conf.modules.d/00-mpm.conf"]
    loads = [line for line in mpm.splitlines() if line.startswith("LoadModule")]
    assert loads == ["LoadModule mpm_prefork_module modules/mod_mpm_prefork.so"]
    assert "#LoadModule mpm_event_module modules/mod_mpm_event.so" in mpm
    assert "#LoadModule mpm_worker_module modules/mod_mpm_worker.so" in mpm
    vhost = out.files["etc/httpd/conf.d/gamestack-app.conf"]
    assert directive(vhost, "DocumentRoot") == '"/var/www/app/public"'
    assert directive(vhost, "ErrorLog") == "logs/gamestack-app-error.log"
    assert "<VirtualHost *:80>" in vhost
    glob = out.files["etc/httpd/conf.d/zz-gamestack.conf"]
    assert directive(glob, "ServerTokens") == "Prod"
    assert directive(glob, "ServerSignature") == "Off"
    assert directive(glob, "KeepAlive") == "On"


# ansible-core 2.16 (not jinja2-native) keeps set_fact integers as strings, hence the int().
def expected_workers(memtotal_mb, reserve=512, child=128, cap=256):
    return min((memtotal_mb - reserve) // child, cap)


def test_centos7_php_package_is_mod_php(render_role):
    out = el_render(render_role, "centos7")
    assert_el_layout(out)
    assert out.vars["_apache_prefork_php_packages"] == ["httpd", "php"]
    assert out.vars["__apache_prefork_php_php_module"] == "php5_module"
    workers = expected_workers(7802)
    assert workers == 56
    assert int(out.vars["_apache_prefork_php_max_request_workers"]) == workers
    prefork = out.files["etc/httpd/conf.d/mpm_prefork.conf"]
    assert "<IfModule mpm_prefork_module>" in prefork
    assert directive(prefork, "StartServers") == "5"
    assert directive(prefork, "MinSpareServers") == "5"
    assert directive(prefork, "MaxSpareServers") == "10"
    assert directive(prefork, "ServerLimit") == "56"
    assert directive(prefork, "MaxRequestWorkers") == "56"
    assert directive(prefork, "MaxConnectionsPerChild") == "1000"


def test_rocky9_refuses_without_mod_php_packages(render_role):
    out = render_role(ROLE, "rocky9", tasks_from=VARS_AND_PREFLIGHT, expect_failure=True)
    out.assert_refused("Rocky 9 does not ship mod_php", "apache_prefork_php_php_packages")


def test_rocky9_with_a_chosen_php_stream(render_role):
    out = el_render(render_role, "rocky9", host_vars={"apache_prefork_php_php_packages": ["php", "php-opcache"]})
    assert_el_layout(out)
    assert out.vars["_apache_prefork_php_packages"] == ["httpd", "php", "php-opcache"]
    assert int(out.vars["_apache_prefork_php_max_request_workers"]) == expected_workers(7681)


def test_al2023_uses_php83_modphp(render_role):
    out = el_render(render_role, "al2023")
    assert_el_layout(out)
    assert out.vars["_apache_prefork_php_packages"] == ["httpd", "php8.3", "php8.3-modphp", "php8.3-opcache"]
    assert out.vars["__apache_prefork_php_php_module"] == "php_module"
    assert int(out.vars["_apache_prefork_php_max_request_workers"]) == expected_workers(3866) == 26
    ini = out.files["etc/php.d/99-gamestack.ini"]
    assert "opcache.enable = On\n" in ini
    assert "opcache.memory_consumption = 128\n" in ini
    assert "opcache.validate_timestamps = On\n" in ini
    assert "opcache.revalidate_freq = 2\n" in ini
    assert 'realpath_cache_size = "4096K"\n' in ini
    assert "realpath_cache_ttl = 600\n" in ini


def test_al2023_php_version_selects_the_package_family(render_role):
    out = render_role(ROLE, "al2023", tasks_from=VARS_AND_PREFLIGHT, variables=RESOLVED,
                      host_vars={"apache_prefork_php_php_version": "8.4"})
    assert out.vars["_apache_prefork_php_packages"] == ["httpd", "php8.4", "php8.4-modphp", "php8.4-opcache"]


def test_debian12_matches_the_converged_layout(render_role):
    out = render_role(ROLE, "debian12", tasks_from=VARS_AND_PREFLIGHT, variables=RESOLVED,
                      templates=["etc/apache2/sites-available/gamestack-app.conf.j2"])
    assert out.vars["_apache_prefork_php_packages"] == ["apache2", "libapache2-mod-php8.2", "php8.2-opcache"]
    assert out.vars["__apache_prefork_php_service"] == "apache2"
    assert out.vars["_apache_prefork_php_php_ini_dir"] == "/etc/php/8.2/apache2/conf.d"
    assert out.vars["__apache_prefork_php_modules_disable"] == ["mpm_event", "mpm_worker"]
    assert out.vars["__apache_prefork_php_modules_enable"] == ["mpm_prefork", "php8.2"]
    assert out.vars["__apache_prefork_php_mpm_load_file"] == ""
    vhost = out.files["etc/apache2/sites-available/gamestack-app.conf"]
    assert directive(vhost, "ErrorLog") == "${APACHE_LOG_DIR}/gamestack-app-error.log"


def test_explicit_pool_and_ini_overrides(render_role):
    out = render_role(
        ROLE, "rocky9", tasks_from=VARS_AND_PREFLIGHT, variables=RESOLVED,
        templates=["etc/httpd/conf.d/mpm_prefork.conf.j2", "etc/php.d/99-gamestack.ini.j2",
                   "etc/httpd/conf.d/gamestack-app.conf.j2", "etc/httpd/conf.d/zz-gamestack.conf.j2"],
        host_vars={
            "apache_prefork_php_php_packages": ["php74-php", "php74-php-opcache"],
            "apache_prefork_php_php_ini_dir": "/etc/opt/remi/php74/php.d",
            "apache_prefork_php_max_request_workers": 40,
            "apache_prefork_php_server_limit": 64,
            "apache_prefork_php_max_connections_per_child": 500,
            "apache_prefork_php_keepalive": False,
            "apache_prefork_php_server_name": "api.example.com",
            "apache_prefork_php_document_root": "/srv/app/current/public",
            "apache_prefork_php_vhost_directives": ["RewriteEngine On"],
            "apache_prefork_php_php_ini": {"memory_limit": "256M", "opcache.memory_consumption": 256,
                                           "expose_php": False, "date.timezone": "UTC"},
        },
    )
    assert out.vars["_apache_prefork_php_packages"] == ["httpd", "php74-php", "php74-php-opcache"]
    assert out.vars["_apache_prefork_php_php_ini_dir"] == "/etc/opt/remi/php74/php.d"
    prefork = out.files["etc/httpd/conf.d/mpm_prefork.conf"]
    assert directive(prefork, "MaxRequestWorkers") == "40"
    assert directive(prefork, "ServerLimit") == "64"
    assert directive(prefork, "MaxConnectionsPerChild") == "500"
    ini = out.files["etc/php.d/99-gamestack.ini"]
    assert 'memory_limit = "256M"\n' in ini
    assert "opcache.memory_consumption = 256\n" in ini  # the override wins over the opcache default
    assert "opcache.memory_consumption = 128" not in ini
    assert "expose_php = Off\n" in ini
    assert 'date.timezone = "UTC"\n' in ini
    vhost = out.files["etc/httpd/conf.d/gamestack-app.conf"]
    assert directive(vhost, "ServerName") == "api.example.com"
    assert directive(vhost, "DocumentRoot") == '"/srv/app/current/public"'
    assert directive(vhost, "RewriteEngine") == "On"
    glob = out.files["etc/httpd/conf.d/zz-gamestack.conf"]
    assert directive(glob, "KeepAlive") == "Off"
    assert directive(glob, "ServerName") == "api.example.com"


def test_derived_pool_is_capped(render_role):
    out = render_role(ROLE, "debian12", tasks_from=VARS_AND_PREFLIGHT, variables=RESOLVED,
                      facts={"ansible_memtotal_mb": 64000})
    assert int(out.vars["_apache_prefork_php_max_request_workers"]) == 256
    assert int(out.vars["_apache_prefork_php_server_limit"]) == 256


BAD_INPUT = [
    pytest.param({"apache_prefork_php_min_spare_servers": 20, "apache_prefork_php_max_spare_servers": 10}, {},
                 ["apache_prefork_php_min_spare_servers (20)", "apache_prefork_php_max_spare_servers (10)"],
                 id="spare-servers-inverted"),
    pytest.param({}, {"ansible_memtotal_mb": 600},
                 ["the host has 600 MB", "apache_prefork_php_memory_reserve_mb"],
                 id="too-little-memory"),
    pytest.param({"apache_prefork_php_max_request_workers": 300, "apache_prefork_php_server_limit": 200}, {},
                 ["apache_prefork_php_server_limit (200)", "MaxRequestWorkers", "(300)"], id="server-limit-below-workers"),
    pytest.param({"apache_prefork_php_document_root": "var/www/app"}, {},
                 ["apache_prefork_php_document_root must be an absolute path", '"var/www/app"'], id="relative-docroot"),
    pytest.param({"apache_prefork_php_document_root": "/"}, {},
                 ["apache_prefork_php_document_root must be an absolute path"], id="root-docroot"),
    pytest.param({"apache_prefork_php_php_ini": {"memory limit": "1G"}}, {},
                 ['apache_prefork_php_php_ini["memory limit"]'], id="ini-key-with-space"),
    pytest.param({"apache_prefork_php_php_ini": {"error_log": 'x"y'}}, {},
                 ['apache_prefork_php_php_ini["error_log"]', "double quotes"], id="ini-value-with-quote"),
    pytest.param({"apache_prefork_php_php_ini": {"disable_functions": ["exec", "system"]}}, {},
                 ['apache_prefork_php_php_ini["disable_functions"]', '["exec", "system"]'], id="ini-value-list"),
    pytest.param({"apache_prefork_php_max_connections_per_child": "lots"}, {},
                 ["apache_prefork_php_max_connections_per_child"], id="not-an-integer"),
    pytest.param({"apache_prefork_php_server_tokens": "Secret"}, {},
                 ["apache_prefork_php_server_tokens", "Prod"], id="server-tokens-choice"),
]


@pytest.mark.parametrize("host_vars, facts, needles", BAD_INPUT)
def test_bad_input_is_refused_in_preflight(render_role, host_vars, facts, needles):
    out = render_role(ROLE, "debian12", tasks_from=VARS_AND_PREFLIGHT, host_vars=host_vars, facts=facts,
                      expect_failure=True)
    out.assert_refused(*needles)
