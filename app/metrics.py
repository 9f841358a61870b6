"""Prometheus metrics (`GET /metrics`).

Process-wide series live in prometheus-client's default registry and are observed where the work
happens (HTTP middleware, encoder, import runner, store). Series that read the state of one app (the
encoder's waiting callers, records per collection) are collected on each scrape from that app's
objects by `ServiceCollector`, registered in a registry of the app's own.
"""

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

HTTP_SECONDS = Histogram(
    "jobmatch_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
ENCODE_SLICE_TEXTS = Histogram(
    "jobmatch_encode_slice_texts",
    "Texts per encoder turn (a slice of a call), by priority.",
    ["priority"],
    buckets=(1, 2, 4, 8, 16, 32, 64),
)
ENCODE_SECONDS = Histogram(
    "jobmatch_encode_slice_seconds",
    "Encoder time per slice, by priority.",
    ["priority"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
IMPORT_ROWS = Counter("jobmatch_import_rows_total", "Rows handled by file imports, by outcome.", ["outcome"])
INDEX_BUILD_SECONDS = Histogram(
    "jobmatch_index_build_seconds",
    "Time of one index build (HNSW and payload indexes) of a collection.",
    ["collection"],
    buckets=(0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 900),
)

PRIORITY_NAMES = ("interactive", "bulk")


class ServiceCollector(Collector):
    """Read at scrape time: callers waiting for the encoder, points per collection."""

    def __init__(self, waiting: Callable[[], tuple[int, int]], collections: Callable[[], dict[str, Any]]):
        self.waiting, self.collections = waiting, collections

    def collect(self) -> Iterator[GaugeMetricFamily]:
        queue = GaugeMetricFamily(
            "jobmatch_encoder_waiting", "Callers waiting for the encoder now, by priority.", labels=["priority"]
        )
        for name, n in zip(PRIORITY_NAMES, self.waiting()):
            queue.add_metric([name], n)
        yield queue
        points = GaugeMetricFamily("jobmatch_records", "Points stored per collection.", labels=["collection"])
        indexed = GaugeMetricFamily(
            "jobmatch_indexed_vectors", "Vectors in the HNSW index per collection.", labels=["collection"]
        )
        for name, info in self.collections().items():
            points.add_metric([name], info.get("points") or 0)
            if info.get("indexed_vectors") is not None:
                indexed.add_metric([name], info["indexed_vectors"])
        yield points
        yield indexed


def app_registry(collector: ServiceCollector) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=True)
    registry.register(collector)
    return registry
