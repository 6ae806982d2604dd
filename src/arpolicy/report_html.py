"""Deprecated location of :mod:`arpolicy.reports.html` (kept importable).

>>> from arpolicy.report_html import render_html
>>> from arpolicy.reports.html import render_html as same
>>> render_html is same
True
"""

from __future__ import annotations

from .reports.html import CHART_KINDS, render_html

__all__ = ["CHART_KINDS", "render_html"]
