"""Tools for testing code built on arpolicy.

:mod:`arpolicy.testing.strategies` holds Hypothesis strategies for every
domain type; it needs the ``testing`` extra (``pip install
arpolicy[testing]``). This package itself imports nothing, so that
``import arpolicy`` never needs Hypothesis.
"""
