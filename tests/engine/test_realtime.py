"""Realtime busyness counters: summed by jobDag vertex and edge, ids as the jobDag has them."""

from __future__ import annotations

from app.engine import build_plan
from app.engine.realtime import VERTEX_FIELDS
from tests.engine.conftest import fake, job


def _edges(dag: dict) -> set[str]:
    return {
        f"{e['inputVertexId']}->{e['targetVertexId']}"
        for edges in dag["pipelineEdges"].values()
        for e in edges
    }


def test_counters_by_jobdag_vertex_and_edge() -> None:
    config = job(
        fake(**{"row.num": 30, "parallelism": 2, "split.num": 3, "batch.size": 4}),
        transform=[
            {
                "plugin_name": "Copy",
                "plugin_input": ["fake"],
                "plugin_output": "c",
                "fields": {"n2": "name"},
            },
            {
                "plugin_name": "Filter",
                "plugin_input": ["c"],
                "plugin_output": "f",
                "include_fields": ["name", "n2"],
            },
        ],
        sink=[{"plugin_name": "Console", "plugin_input": ["f"], "log.print.data": False}],
    )
    plan = build_plan(config)
    runner = plan.runner(lambda *_a, **_k: None)
    assert runner.run() == "FINISHED"
    totals = runner.realtime()
    dag = plan.dag("1")
    kinds = {str(v["vertexId"]): v["type"] for v in dag["vertexInfoMap"]}
    assert set(totals["vertices"]) == set(kinds)  # source, TransformChain[Copy->Filter], sink
    assert set(totals["edges"]) == _edges(dag)
    rows = 30 * 2  # row.num per subtask
    for vid, row in totals["vertices"].items():
        assert set(row) == {"subtaskCount", *VERTEX_FIELDS}
        assert row["subtaskCount"] == 2
        if kinds[vid] == "source":
            assert row["sourceRecordsOut"] == rows and row["sourceReadNs"] > 0
        elif kinds[vid] == "transform":  # both transforms of the chain are summed
            assert row["transformRecordsIn"] == row["transformRecordsOut"] == 2 * rows
        else:
            assert row["sinkRecordsIn"] == rows and row["sinkWriteNs"] > 0
            assert row["sinkPrepareCommitNs"] > 0  # the final checkpoint prepared it
    for edge in totals["edges"].values():
        assert edge["subtaskCount"] == 2 and edge["emitBlockedNs"] > 0


def test_a_union_reports_on_each_source_path() -> None:
    config = job(
        [fake(plugin_output="a", **{"row.num": 5}), fake(plugin_output="b", **{"row.num": 7})],
        sink=[{"plugin_name": "Console", "plugin_input": ["a", "b"], "log.print.data": False}],
    )
    plan = build_plan(config)
    runner = plan.runner(lambda *_a, **_k: None)
    assert runner.run() == "FINISHED"
    totals = runner.realtime()
    dag = plan.dag("1")
    assert len(dag["pipelineEdges"]) == 2  # split at the union: a copy of the sink per source
    assert set(totals["edges"]) == _edges(dag)
    sinks = sorted(
        totals["vertices"][str(v["vertexId"])]["sinkRecordsIn"]
        for v in dag["vertexInfoMap"]
        if v["type"] == "sink"
    )
    assert sinks == [5, 7]
