"""from_numpy: the same arrays as pa.array, built without pyarrow's pandas check (issue 12)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from app.engine.arrow_types import from_numpy


@pytest.mark.parametrize(
    ("values", "arrow"),
    [
        (np.array([-128, 0, 127], dtype=np.int8), None),
        (np.array([-(2**15), 7], dtype=np.int16), None),
        (np.arange(-5, 6, dtype=np.int32), None),
        (np.array([-(2**63), 2**63 - 1], dtype=np.int64), None),
        (np.array([1.5, -0.25], dtype=np.float32), None),
        (np.array([np.inf, 2.0, -0.0]), None),
        (np.array([True, False, True] * 5 + [True]), None),  # 16 bits plus one: two bytes+
        (np.array([0, 21914], dtype=np.int32), pa.date32()),
        (np.array([0, 86_399_000_000], dtype=np.int64), pa.time64("us")),
        (np.array([0, 1_900_000_000_000_000], dtype=np.int64), pa.timestamp("us")),
        (np.arange(10, dtype=np.int64)[::3], None),  # a strided view
        (np.array([], dtype=np.int32), None),
    ],
)
def test_from_numpy_equals_pa_array(values: np.ndarray, arrow: pa.DataType | None) -> None:
    built = from_numpy(values, arrow)
    built.validate(full=True)
    assert built.equals(pa.array(values, arrow))


def test_from_numpy_refuses_a_width_mismatch() -> None:
    with pytest.raises(ValueError, match="cannot be read as"):
        from_numpy(np.arange(3, dtype=np.int32), pa.timestamp("us"))
