"""latest_image lookup and image_catalog module against moto over HTTP, through ansible-playbook."""

from __future__ import annotations

from tests.integration.tooling.helpers import playbook, register_images

API_NAMES = [
    "api-production-20240301-0900",
    "api-production-20241115-1730",  # newest by stamp, registered in the middle
    "api-production-20240905-0000",
]
OTHER_NAMES = [
    "api-staging-20250101-0000",  # newer stamp, other env
    "web-production-20250101-0000",  # newer stamp, other app
    "api-production-99999999-9999",  # not a real date: nonconforming
    "api-production-latest",  # no stamp, not the rule
    "api-production",  # conforming app-env but no release stamp
    "golden-base-image",  # another team's naming
]

LOOKUP_TASKS = """
- name: image id
  ansible.builtin.set_fact:
    image_id: "{{ lookup('gamestack.aws.latest_image', term) }}"
- name: record
  ansible.builtin.set_fact:
    record: "{{ lookup('gamestack.aws.latest_image', term, record=true) }}"
"""


def seed(ec2):
    ids = register_images(ec2, API_NAMES[:1])
    ids.update(register_images(ec2, OTHER_NAMES[3:]))
    ids.update(register_images(ec2, API_NAMES[1:] + OTHER_NAMES[:3]))
    return ids


def test_lookup_newest_by_release_stamp_and_record(aws, tmp_path):
    ids = seed(aws("ec2"))
    result = playbook(tmp_path, aws.endpoint, LOOKUP_TASKS, play_vars={"term": "api-production"})
    assert result.rc == 0, result.output
    assert result.task("image id")["ansible_facts"]["image_id"] == ids["api-production-20241115-1730"]
    record = result.task("record")["ansible_facts"]["record"]
    assert record["image_id"] == ids["api-production-20241115-1730"]
    assert record["name"] == "api-production-20241115-1730"
    assert (record["app"], record["env"], record["release"]) == ("api", "production", "20241115-1730")
    assert record["released_at"] == "2024-11-15T17:30:00"
    assert record["creation_date"]
    assert set(record) == {"image_id", "name", "app", "env", "release", "released_at", "creation_date"}


def test_lookup_ignores_nonconforming_names(aws, tmp_path):
    """Only nonconforming api-production-* names exist: they never count as an image."""
    register_images(aws("ec2"), ["api-production-latest", "api-production-99999999-9999", "api-production"])
    result = playbook(tmp_path, aws.endpoint, LOOKUP_TASKS, play_vars={"term": "api-production"})
    assert result.rc != 0
    assert "no image named api-production-YYYYMMDD-hhmm" in result.failure()


def test_lookup_nothing_found_names_app_env_and_region(aws, tmp_path):
    register_images(aws("ec2"), ["api-production-20240301-0900"])  # in us-east-1 only
    tasks = """
    - name: other region
      ansible.builtin.debug:
        msg: "{{ lookup('gamestack.aws.latest_image', 'api-production', region='eu-west-1') }}"
    """
    result = playbook(tmp_path, aws.endpoint, tasks)
    assert result.rc != 0
    message = result.failure()
    assert "api-production" in message and "eu-west-1" in message, message


def test_lookup_bad_term_is_a_clear_error(aws, tmp_path):
    register_images(aws("ec2"), ["api-production-20240301-0900"])
    for term in ("api", "api-production-20240301-0900", "API-Production"):
        result = playbook(tmp_path, aws.endpoint, LOOKUP_TASKS, play_vars={"term": term})
        assert result.rc != 0
        message = result.failure()
        assert "is not an app-env name" in message and term in message, message


def test_lookup_several_terms_and_other_owner(aws, tmp_path):
    ids = seed(aws("ec2"))
    tasks = """
    - name: both
      ansible.builtin.set_fact:
        both: "{{ query('gamestack.aws.latest_image', 'api-production', 'web-production') }}"
    - name: amazon owned only
      ansible.builtin.debug:
        msg: "{{ lookup('gamestack.aws.latest_image', 'api-production', owners=['amazon']) }}"
      ignore_errors: true
    """
    result = playbook(tmp_path, aws.endpoint, tasks)
    assert result.task("both")["ansible_facts"]["both"] == [
        ids["api-production-20241115-1730"],
        ids["web-production-20250101-0000"],
    ]
    owned = result.task("amazon owned only")
    assert owned["failed"] and "owned by amazon" in owned["msg"]


CATALOG_TASKS = """
- name: all
  gamestack.aws.image_catalog:
  register: all
- name: api
  gamestack.aws.image_catalog:
    app: api
  register: api
- name: production
  gamestack.aws.image_catalog:
    env: production
- name: api production
  gamestack.aws.image_catalog:
    app: api
    env: production
"""


def test_catalog_orders_newest_first_and_lists_nonconforming(aws, tmp_path):
    ids = seed(aws("ec2"))
    result = playbook(tmp_path, aws.endpoint, CATALOG_TASKS, check=True)
    assert result.rc == 0, result.output
    everything = result.task("all")
    assert everything["changed"] is False
    assert [i["name"] for i in everything["images"]] == [
        "api-staging-20250101-0000",
        "web-production-20250101-0000",
        "api-production-20241115-1730",
        "api-production-20240905-0000",
        "api-production-20240301-0900",
    ]
    first = everything["images"][2]
    assert first["image_id"] == ids["api-production-20241115-1730"]
    assert first["app"] == "api" and first["env"] == "production" and first["release"] == "20241115-1730"
    assert first["released_at"] == "2024-11-15T17:30:00" and first["creation_date"]
    nonconforming = {i["name"]: i for i in everything["nonconforming"]}
    assert set(nonconforming) == set(OTHER_NAMES[2:])
    assert nonconforming["api-production"]["reason"].startswith("name has no release stamp")
    assert nonconforming["golden-base-image"]["image_id"] == ids["golden-base-image"]

    assert [i["name"] for i in result.task("api")["images"]] == [
        "api-staging-20250101-0000",
        "api-production-20241115-1730",
        "api-production-20240905-0000",
        "api-production-20240301-0900",
    ]
    assert [i["name"] for i in result.task("production")["images"]] == [
        "web-production-20250101-0000",
        "api-production-20241115-1730",
        "api-production-20240905-0000",
        "api-production-20240301-0900",
    ]
    assert [i["image_id"] for i in result.task("api production")["images"]] == [
        ids[n] for n in ("api-production-20241115-1730", "api-production-20240905-0000", "api-production-20240301-0900")
    ]


def test_catalog_empty_account_and_bad_filter(aws, tmp_path):
    tasks = """
    - name: empty
      gamestack.aws.image_catalog:
    - name: bad app
      gamestack.aws.image_catalog:
        app: api-production
    """
    result = playbook(tmp_path, aws.endpoint, tasks)
    assert result.task("empty")["images"] == [] and result.task("empty")["nonconforming"] == []
    assert result.rc != 0
    assert "'api-production' must be lower-case letters and digits" in result.failure()
