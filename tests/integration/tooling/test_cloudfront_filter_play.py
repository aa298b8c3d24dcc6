"""The cloudfront filters through a real ansible-playbook (Jinja, FQCN, keyword option, error text)."""

from __future__ import annotations

from tests.integration.tooling.helpers import playbook


def test_filters_in_a_play(tmp_path):
    tasks = """
    - name: pop
      ansible.builtin.set_fact:
        pop: "{{ 'server-13-33-0-250.nrt12.r.cloudfront.net' | gamestack.aws.cloudfront_pop }}"
        code: "{{ 'server-13-33-0-250.nrt12.r.cloudfront.net' | gamestack.aws.cloudfront_pop_code }}"
        places: "{{ hops | map('gamestack.aws.cloudfront_pop', strict=false) | select | map(attribute='place') | list }}"
    - name: not cloudfront
      ansible.builtin.debug:
        msg: "{{ 'router1.example.net' | gamestack.aws.cloudfront_pop }}"
    """
    hops = ["router1.example.net", "server-1-2-3-4.lhr61-c1.r.cloudfront.net", "10.0.0.1", "fra6.r.cloudfront.net."]
    result = playbook(tmp_path, None, tasks, play_vars={"hops": hops})
    facts = result.task("pop")["ansible_facts"]
    assert facts["pop"] == {"code": "NRT", "place": "Tokyo, Japan", "edge": "nrt12"}
    assert facts["code"] == "NRT"
    assert facts["places"] == ["London, United Kingdom", "Frankfurt, Germany"]
    assert result.rc != 0
    assert "'router1.example.net' is not a CloudFront edge name" in result.failure()
