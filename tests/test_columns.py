"""estate.columns: the shared column helpers give what pandas would, faster."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import estate.columns as columns_module
from estate.columns import map_distinct, sorted_codes

VALUES = st.one_of(st.none(), st.just(np.nan), st.sampled_from(["", "a", "A", "b", "a b", "é", "Z", "10", "9",
                                                                 "x/y", "😀", "a\x00", "a" * 300]), st.text(max_size=3))


def test_all_is_sorted_and_exported():
    assert list(columns_module.__all__) == sorted(columns_module.__all__)
    assert all(hasattr(columns_module, name) for name in columns_module.__all__)


@settings(max_examples=300, deadline=None)
@given(st.lists(VALUES, max_size=30))
def test_sorted_codes_are_pandas_sorted_factorize(values):
    text = [v for v in values if isinstance(v, str)]
    for data in (pd.Series(values, dtype=object), np.array(values, dtype=object), pd.Series(text, dtype="str")):
        expected = pd.factorize(data, sort=True)[0]
        got = sorted_codes(data)
        assert got.tolist() == expected.tolist() and got.dtype == expected.dtype


def test_sorted_codes_leave_numbers_and_mixed_values_to_pandas():
    assert sorted_codes(pd.Series([3, 1, 2, 1])).tolist() == [2, 0, 1, 0]
    assert sorted_codes(pd.Series([1.5, None, 0.5])).tolist() == [1, -1, 0]
    mixed = np.array(["b", 1, "a", 1], dtype=object)
    assert sorted_codes(mixed).tolist() == pd.factorize(mixed, sort=True)[0].tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(VALUES, max_size=30), st.dictionaries(st.sampled_from(["", "a", "b", "é", "Z"]), st.integers(-5, 5)))
def test_map_distinct_is_series_map(values, mapping):
    for data in (pd.Series(values, dtype=object), pd.Series([v for v in values if isinstance(v, str)], dtype="str")):
        expected = data.map(mapping).astype(float).to_numpy()
        np.testing.assert_array_equal(map_distinct(data, mapping), expected)
