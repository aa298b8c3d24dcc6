"""tests/bench/report.write_section: one section of docs/benchmarks.md replaced, the others kept byte for byte."""

from tests.bench.report import HEADER, write_section

FLEET, FLEET_END = "## Fleet deploy", "<!-- end: Fleet deploy -->"
RSYNC = "## rsync_deploy: deploy a 2,000-file tree"
INVENTORY, INVENTORY_END = "## Inventory at fleet scale", "<!-- end: inventory at fleet scale -->"
TOP = "# Benchmarks\n\nEach section is written by its own `make bench-*` target.\n\n"
FLEET_OLD = FLEET + "\n\nold fleet table\n\n## not a heading: the end marker decides\n\n" + FLEET_END + "\n"
RSYNC_OLD = RSYNC + "\n\nold rsync table\n| a | b |\n"
INVENTORY_OLD = INVENTORY + "\n\nold inventory table\n\n" + INVENTORY_END + "\n"
DOC = TOP + FLEET_OLD + "\n" + RSYNC_OLD + "\n" + INVENTORY_OLD


def test_replace_a_section_up_to_its_end_marker(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text(DOC)
    write_section(FLEET, FLEET + "\n\nnew fleet table\n\n" + FLEET_END + "\n", FLEET_END, doc=doc)
    assert doc.read_text() == TOP + FLEET + "\n\nnew fleet table\n\n" + FLEET_END + "\n\n" + RSYNC_OLD + "\n" + INVENTORY_OLD


def test_replace_a_section_without_end_marker_up_to_the_next_section(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text(DOC)
    write_section(RSYNC, RSYNC + "\n\nnew rsync table\n", doc=doc)
    assert doc.read_text() == TOP + FLEET_OLD + "\n" + RSYNC + "\n\nnew rsync table\n" + "\n" + INVENTORY_OLD


def test_replace_the_last_section(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text(DOC)
    write_section(INVENTORY, INVENTORY + "\n\nnew\n\n" + INVENTORY_END + "\n", INVENTORY_END, doc=doc)
    assert doc.read_text() == TOP + FLEET_OLD + "\n" + RSYNC_OLD + "\n" + INVENTORY + "\n\nnew\n\n" + INVENTORY_END + "\n"


def test_an_older_copy_without_its_end_marker_ends_at_the_next_section(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text(TOP + FLEET + "\n\nold, before the marker existed\n\n" + RSYNC_OLD)
    write_section(FLEET, FLEET + "\n\nnew\n\n" + FLEET_END + "\n", FLEET_END, doc=doc)
    assert doc.read_text() == TOP + FLEET + "\n\nnew\n\n" + FLEET_END + "\n\n" + RSYNC_OLD


def test_append_a_new_section(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text(TOP + RSYNC_OLD + "\n\n")
    write_section(FLEET, FLEET + "\n\nfirst\n\n" + FLEET_END + "\n", FLEET_END, doc=doc)
    assert doc.read_text() == TOP + RSYNC_OLD + "\n" + FLEET + "\n\nfirst\n\n" + FLEET_END + "\n"


def test_a_missing_file_gets_the_header(tmp_path):
    doc = tmp_path / "docs" / "benchmarks.md"
    write_section(RSYNC, RSYNC_OLD, doc=doc)
    assert doc.read_text() == HEADER + "\n" + RSYNC_OLD


def test_notes_below_an_end_marker_inside_a_section_are_kept(tmp_path):
    """make bench-deploy replaces its tables and keeps the history written by hand below its marker."""
    from tests.bench import deploy

    results = {}
    for count in deploy.SIZES:
        for method in deploy.ORDER:
            cell = {"first": 3.0, "same": 1.5, "one": 1.75, "fixed": 1.0,
                    "cpu": {"same": (1.5, 2.0, 1.0), "one": (1.75, 2.5, 1.25)}}
            results[(count, method)] = cell
    generated = deploy.render(results, files=2000, size=50_000_000, copy_files=100)
    assert generated.startswith(deploy.SECTION + "\n")
    assert generated.rstrip("\n").endswith(deploy.END)

    notes = "Run of yesterday: slower, see why.\n\n**Tried and not adopted:** this.\n"
    doc = tmp_path / "benchmarks.md"
    doc.write_text(TOP + deploy.SECTION + "\n\nold tables\n\n" + deploy.END + "\n\n" + notes + "\n" + INVENTORY_OLD)
    write_section(deploy.SECTION, generated, deploy.END, doc=doc)
    text = doc.read_text()
    assert "old tables" not in text
    assert text == TOP + generated.rstrip("\n") + "\n\n" + notes + "\n" + INVENTORY_OLD
