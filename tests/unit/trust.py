"""untrusted(value): is value marked as data that templating never evaluates, on both cores?"""

from __future__ import annotations

try:  # ansible-core 2.19+: data is untrusted unless tagged as a template
    from ansible.template import is_trusted_as_template

    def untrusted(value):
        return not is_trusted_as_template(value)
except ImportError:  # ansible-core 2.16: untrusted data is wrapped as AnsibleUnsafe
    from ansible.utils.unsafe_proxy import AnsibleUnsafe

    def untrusted(value):
        return isinstance(value, AnsibleUnsafe)
