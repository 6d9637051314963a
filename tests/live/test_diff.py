"""diff.py: only what changed travels, and a figure patch rebuilds exactly the new figure."""

from __future__ import annotations

import copy
import random

import pytest

from wallboard.live.diff import diff_views, figure_patch

PATCH = "__dash_patch_update"


def apply_patch(figure: dict, patch: dict) -> dict:
    """The three operations as Dash's renderer applies them (Assign sets, Delete splices, Extend appends)."""
    if PATCH not in patch:
        return patch
    out = copy.deepcopy(figure)
    for op in patch["operations"]:
        *path, last = op["location"]
        target = out
        for key in path:
            target = target[key]
        if op["operation"] == "Assign":
            target[last] = op["params"]["value"]
        elif op["operation"] == "Delete":
            del target[last]
        elif op["operation"] == "Extend":
            target[last].extend(op["params"]["value"])
        else:
            raise AssertionError(op)
    return out


def fig(*traces: tuple[list, list], layout: dict | None = None) -> dict:
    return {
        "data": [{"type": "scatter", "name": f"t{i}", "x": list(x), "y": list(y)} for i, (x, y) in enumerate(traces)],
        "layout": layout or {"uirevision": "t"},
    }


def test_unchanged_props_and_panels_are_left_out() -> None:
    old = {"a--value": {"children": "1"}, "b--value": {"children": "2"}, "a": {"data-state": "ok"}}
    new = {"a--value": {"children": "1"}, "b--value": {"children": "3"}, "a": {"data-state": "ok"}}
    assert diff_views(old, new) == {"b--value": {"children": "3"}}
    assert diff_views(new, copy.deepcopy(new)) == {}


def test_new_components_and_props_are_sent_whole() -> None:
    old = {"a": {"data-state": "ok"}}
    new = {"a": {"data-state": "ok", "data-updated": "2026-01-01T00:00:00+07:00"}, "b": {"children": "x"}}
    assert diff_views(old, new) == {"a": {"data-updated": "2026-01-01T00:00:00+07:00"}, "b": {"children": "x"}}


def test_an_appended_point_is_an_extend_not_a_new_figure() -> None:
    old = fig((range(720), [float(i) for i in range(720)]))
    new = fig((range(721), [float(i) for i in range(721)]))
    patch = figure_patch(old, new)
    assert patch[PATCH] == PATCH
    assert {op["operation"] for op in patch["operations"]} == {"Extend"}
    assert apply_patch(old, patch) == new
    delta = diff_views({"g": {"figure": old}}, {"g": {"figure": new}})
    assert len(repr(delta)) < 400  # a few operations, not 721 points


def test_a_revised_last_point_is_one_assign() -> None:
    old = fig(([1, 2, 3], [10.0, 20.0, 30.0]))
    new = fig(([1, 2, 3], [10.0, 20.0, 31.5]))
    patch = figure_patch(old, new)
    assert patch["operations"] == [
        {"operation": "Assign", "location": ["data", 0, "y", 2], "params": {"value": 31.5}}
    ]
    assert apply_patch(old, patch) == new


def test_a_sliding_window_deletes_at_the_start_and_extends_at_the_end() -> None:
    old = fig(([1, 2, 3, 4], [1.0, 2.0, 3.0, 4.0]))
    new = fig(([3, 4, 5, 6], [3.0, 4.5, 5.0, 6.0]))
    patch = figure_patch(old, new)
    ops = [op["operation"] for op in patch["operations"]]
    assert ops.count("Delete") == 4 and ops.count("Extend") == 2 and ops.count("Assign") == 1
    assert apply_patch(old, patch) == new


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f["layout"].update(title="x"),  # layout changed
        lambda f: f["data"].append({"x": [1], "y": [1]}),  # a trace more
        lambda f: f["data"][0].update(mode="lines"),  # trace gained a key
        lambda f: f["layout"].update(uirevision={"a": 1}, b=2),  # layout changed its keys
        lambda f: f["data"][0]["y"].__setitem__(0, 99.0),  # history rewritten, not appended
        lambda f: f["data"][0].update(x=[9, 10], y=[1.0, 2.0]),  # nothing in common
    ],
)
def test_anything_but_append_or_revise_sends_the_whole_figure(change) -> None:  # noqa: ANN001
    old = fig(([1, 2, 3], [1.0, 2.0, 3.0]))
    new = copy.deepcopy(old)
    change(new)
    assert figure_patch(old, new) == new


def test_a_patch_that_would_not_be_smaller_is_not_used() -> None:
    old = fig((range(100), [1.0] * 100))
    new = fig((range(60, 200), [1.0] * 140))  # 60 points slid out: 120 deletes
    assert figure_patch(old, new) == new


def test_empty_traces() -> None:
    assert figure_patch(fig(([], [])), fig(([], []))) == {PATCH: PATCH, "operations": []}
    new = fig(([1], [1.0]))
    assert figure_patch(fig(([], [])), new) == new
    assert figure_patch(new, fig(([], []))) == fig(([], []))


def test_random_histories_always_patch_to_the_new_figure() -> None:
    rng = random.Random(4)
    for _ in range(300):
        n_traces = rng.randint(1, 3)
        old_traces, new_traces = [], []
        for _t in range(n_traces):
            start, length = rng.randint(0, 50), rng.randint(1, 60)
            xs = list(range(start, start + length))
            ys = [round(rng.random() * 100, 3) for _ in xs]
            drop, add = rng.randint(0, min(5, length - 1)), rng.randint(0, 6)
            nx = xs[drop:] + list(range(xs[-1] + 1, xs[-1] + 1 + add))
            ny = ys[drop:] + [round(rng.random() * 100, 3) for _ in range(add)]
            if rng.random() < 0.5:
                ny[len(xs) - drop - 1] = round(rng.random() * 100, 3)  # last known point revised
            if rng.random() < 0.1:
                ny[0] = -1.0  # history rewritten
            old_traces.append((xs, ys))
            new_traces.append((nx, ny))
        old, new = fig(*old_traces), fig(*new_traces)
        patch = figure_patch(old, new)
        assert apply_patch(old, patch) == new
        delta = diff_views({"g": {"figure": old}}, {"g": {"figure": new}})
        assert apply_patch(old, delta["g"]["figure"]) == new if delta else old == new


def test_a_map_colour_or_label_change_assigns_only_those_keys() -> None:
    # A map's areas: big outlines that never change, a fill colour per area and a label trace.
    outline = ([0.1 * i for i in range(500)], [0.2 * i for i in range(500)])
    old = fig(outline, outline)
    for trace, colour in zip(old["data"], ("#deebf7", "#08519c"), strict=True):
        trace["fillcolor"] = colour
    new = copy.deepcopy(old)
    new["data"][1]["fillcolor"] = "#3182bd"
    patch = figure_patch(old, new)
    assert patch["operations"] == [
        {"operation": "Assign", "location": ["data", 1, "fillcolor"], "params": {"value": "#3182bd"}}]
    assert apply_patch(old, patch) == new


def test_a_trend_axis_step_assigns_the_range() -> None:
    old = fig(([1, 2, 3], [1.0, 2.0, 3.0]), layout={"xaxis": {"range": [0, 4], "type": "date"}, "uirevision": "t"})
    new = fig(([1, 2, 3, 4], [1.0, 2.0, 3.0, 4.0]),
              layout={"xaxis": {"range": [1, 5], "type": "date"}, "uirevision": "t"})
    patch = figure_patch(old, new)
    assert {"operation": "Assign", "location": ["layout", "xaxis", "range"], "params": {"value": [1, 5]}} \
        in patch["operations"]
    assert apply_patch(old, patch) == new
