"""Charts of indicator series (target and actual per year) as PNG, drawn by matplotlib."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

MAX_CHARTS = 12


def _num(v) -> float | None:
    if isinstance(v, bool) or v is None:
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def series_chart(item: dict) -> bytes | None:
    """Bars of the computed actual and a line of the target over the program's years; None when
    the series has no number to draw."""
    years = [e["year"] for e in item["series"]]
    actual = [_num(e["actual"]) for e in item["series"]]
    target = [_num(e["target"]) for e in item["series"]]
    if not any(v is not None for v in actual + target):
        return None
    fig, ax = plt.subplots(figsize=(6.4, 3.2), dpi=110)
    try:
        ax.bar([str(y) for y in years], [v or 0 for v in actual], color="#2b7bb9", label="факт / actual")
        if any(v is not None for v in target):
            ax.plot([str(y) for y in years], [v if v is not None else float("nan") for v in target],
                    color="#d9534f", marker="o", linestyle="--", label="ціль / target")
        unit = item["metric"]["unit_label"]["uk"]
        ax.set_title(f"{item['ref']}. {item['name'][:70]}", fontsize=9)
        ax.set_ylabel(unit, fontsize=8)
        ax.tick_params(labelsize=8)
        ax.legend(fontsize=7, loc="upper left")
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()
    finally:
        plt.close(fig)


def indicator_charts(bound: list[dict]) -> list[dict]:
    out = []
    for item in bound:
        if len(out) >= MAX_CHARTS:
            break
        png = series_chart(item)
        if png is not None:
            out.append({"ref": item["ref"], "title": {"uk": f"{item['ref']}. {item['name']}",
                                                      "en": item["metric"]["name"]["en"]}, "png": png})
    return out
