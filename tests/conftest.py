from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.oracle import Oracle
from tests.pipeline import Pipeline, build_pipeline


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    """The tiny workspace, ingested over HTTP and built with a fixed as-of date, once a session."""
    with build_pipeline(tmp_path_factory.mktemp("pipeline")) as built:
        yield built


@pytest.fixture(scope="session")
def oracle(pipeline: Pipeline) -> Oracle:
    """What the session's warehouse must hold (tests/oracle.py)."""
    return Oracle(pipeline.truth)
