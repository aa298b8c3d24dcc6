"""tests/bench/bench_inventory: the ratios of the benchmark's goals and the floor of (d) as written to docs/benchmarks.md."""

import argparse

import pytest

from tests.bench import bench_inventory as bench


def m(cpu, wall=None, rss=100.0):
    return {"cpu": cpu, "wall": cpu if wall is None else wall, "rss": rss}


def result(size=(1000, 1)):
    return {"size": list(size), "a": m(1.0), "b": m(1.6, rss=110.0), "c": m(12.0, rss=176.0),
            "d": m(1.2), "d_graph": m(0.7)}


ARGS = argparse.Namespace(sizes="1000", runs=3, aws_ec2_runs=3, note="")


def test_ratios_and_the_least_d_any_plugin_can_reach():
    r = bench.add_ratios(result(), core=m(0.5))
    ratios = r["ratios"]
    assert ratios["b/a cpu"] == pytest.approx(1.6)
    assert ratios["c/b cpu"] == pytest.approx(7.5)
    assert ratios["b/c rss"] == pytest.approx(0.625)
    assert ratios["d/b cpu"] == pytest.approx(0.75)
    # core's start-up 0.5 s + its --list output (1.2 - 0.7 = 0.5 s) = 1.0 s of the 1.6 s of (b)
    assert r["d_bound"] == {"core": 0.5, "output": pytest.approx(0.5)}
    assert ratios["d bound/b cpu"] == pytest.approx(0.625)


def test_the_floor_of_d_is_in_the_table_text_and_in_the_goal_line():
    r = bench.add_ratios(result(), core=m(0.5))
    text = bench.render([r], ARGS, (0, 0, 0), (0, 0, 0), "versions", None, "2026-12-05T01:00+00:00")
    assert "one-host INI inventory: 0.50 s of CPU" in text
    assert "1,000: 0.50 + 0.50 s = 0.62 of (b)" in text
    assert "- (d) CPU at most 25% of (b): 1,000: 0.75 **NOT met** (no plugin below 0.62)" in text
    assert text.rstrip("\n").endswith(bench.END)


def test_a_raw_result_from_before_the_floor_was_measured_still_renders():
    """--from-raw on a last.json of an older run: no d_graph, no core; the text says nothing of the floor."""
    old = result()
    del old["d_graph"]
    r = bench.add_ratios(old, core=m(0.5))
    assert "d bound/b cpu" not in r["ratios"] and "d_bound" not in r
    text = bench.render([r], ARGS, (0, 0, 0), (0, 0, 0), "versions", None, "2026-11-28T07:59+00:00")
    assert "cannot go below" not in text
    assert "- (d) CPU at most 25% of (b): 1,000: 0.75 **NOT met**\n" in text
