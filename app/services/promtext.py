"""Prometheus text format 0.0.4 written the way SeaTunnel's Java simpleclient writes it.

SeaTunnel's e2e tests match lines such as `job_count{cluster="seatunnel",type="running",} 1.0`:
simpleclient ends every label set with a comma and prints values with Java's Double.toString.
Both are valid 0.0.4 (Prometheus accepts the trailing comma), so we write exactly that, and any
scraper parses it as it parses SeaTunnel's.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from prometheus_client.registry import CollectorRegistry

from app.engine.javafmt import java_double

CONTENT_TYPE_004 = "text/plain; version=0.0.4; charset=utf-8"


def _go_double(value: float) -> str:
    """simpleclient's Collector.doubleToGoString."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return java_double(value)


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _escape_label(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


_SUFFIXED = {"counter": "_total", "info": "_info"}


def render_004(registry: CollectorRegistry | Iterable) -> bytes:
    """Every metric family of `registry` in simpleclient's TextFormat.write004 layout."""
    families = registry.collect() if hasattr(registry, "collect") else registry
    out: list[str] = []
    for family in families:
        kind = family.type
        name = family.name + _SUFFIXED.get(kind, "")
        type_text = kind if kind in ("counter", "gauge", "summary", "histogram") else "untyped"
        if kind == "info":
            type_text = "gauge"
        out.append(f"# HELP {name} {_escape_help(family.documentation)}\n")
        out.append(f"# TYPE {name} {type_text}\n")
        for sample in family.samples:
            if sample.name.endswith("_created"):
                continue  # OpenMetrics-only samples; simpleclient writes them apart, we omit them
            line = sample.name
            if sample.labels:
                labels = "".join(
                    f'{k}="{_escape_label(str(v))}",' for k, v in sample.labels.items()
                )
                line += "{" + labels + "}"
            line += " " + _go_double(float(sample.value))
            if sample.timestamp is not None:
                line += f" {int(float(sample.timestamp) * 1000)}"
            out.append(line + "\n")
    return "".join(out).encode()
