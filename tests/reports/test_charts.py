"""Server-side SVG charts: labels escaped, the figures said in words, no inline style."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from cases import charts

SVG = "{http://www.w3.org/2000/svg}"


def test_bars_escape_labels_and_describe_the_figures():
    chart = charts.bars("t", "Cases <by> stage", [("<script>alert(1)</script>", 3), ("Filed", 0)])
    root = ET.fromstring(chart.svg)  # well-formed XML: nothing unescaped broke it
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Cases <by> stage"
    assert "<script>" not in chart.svg
    assert root.find(f"{SVG}desc").text == (
        "Cases <by> stage, in cases: <script>alert(1)</script>: 3; Filed: 0."
    )
    assert chart.rows == [["<script>alert(1)</script>", 3], ["Filed", 0]]
    assert "style=" not in chart.svg  # the strict CSP allows no inline style
    widths = [r.get("width") for r in root.iter(f"{SVG}rect")]
    assert widths == ["380", "0"]  # the largest value fills the plot; zero draws nothing


def test_stacked_columns_total_each_column_and_list_each_series():
    chart = charts.stacked_columns(
        "s",
        "Decisions",
        [("2024", {"a": 2, "b": 1}), ("2025", {})],
        [("a", "Warning"), ("b", "Censure & more")],
    )
    ET.fromstring(chart.svg)
    assert chart.headers == ["", "Warning", "Censure & more", "Total"]
    assert chart.rows == [["2024", 2, 1, 3], ["2025", 0, 0, 0]]
    assert chart.summary == "Decisions: 2024: Warning 2, Censure & more 1; 2025: none."
    assert "Censure &amp; more" in chart.svg
