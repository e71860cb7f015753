"""Draws charts/hubops/files/dashboard.json as an SVG picture from a real Prometheus.

Grafana is not installable from the registries this project uses, so this stands in for a
screenshot: each panel's own queries, run by Prometheus's query_range over the given window, laid
out on the dashboard's 24-column grid with its titles and legends. Usage:
    render.py DASHBOARD_JSON PROMETHEUS_URL START END OUT.svg [SUBTITLE]
"""

import json
import sys
import urllib.parse
import urllib.request

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402

dashboard_path, prom, start, end, out = sys.argv[1:6]
subtitle = sys.argv[6] if len(sys.argv) > 6 else ""
start, end = float(start), float(end)
step = max(2, int((end - start) / 90))
dashboard = json.load(open(dashboard_path))
plt.rcParams.update({"font.size": 7, "svg.fonttype": "none", "axes.titlesize": 8})


def expand(expr):
    return (
        expr.replace("$namespace", ".*")
        .replace("$hub", ".*")
        .replace("$__rate_interval", f"{max(20, 4 * step)}s")
    )


def query_range(expr):
    params = urllib.parse.urlencode(
        {"query": expand(expr), "start": start, "end": end, "step": step}
    )
    with urllib.request.urlopen(f"{prom}/api/v1/query_range?{params}") as response:
        answer = json.load(response)
    if answer["status"] != "success":
        raise SystemExit(f"query failed: {expr}: {answer}")
    return answer["data"]["result"]


def legend(template, labels):
    text = template
    for key, value in labels.items():
        text = text.replace("{{" + key + "}}", value)
    return text.replace("{{pod}}", "operator")


panels = [p for p in dashboard["panels"] if p["type"] != "row"]
rows = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in panels)
scale = 0.32  # inches per grid unit of height
fig = plt.figure(figsize=(16, rows * scale + 0.8))
fig.suptitle(f"{dashboard['title']}: {subtitle}", x=0.01, ha="left", fontsize=10)
top = 1 - 0.6 / (rows * scale + 0.8)
for panel in panels:
    g = panel["gridPos"]
    left, width = g["x"] / 24, g["w"] / 24
    bottom = top - (g["y"] + g["h"]) / rows * top
    height = g["h"] / rows * top
    ax = fig.add_axes([left + 0.035, bottom + 0.02, width - 0.045, height - 0.05])
    ax.set_title(panel["title"], loc="left")
    unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit", "")
    drawn = 0
    for target in panel.get("targets", []):
        for series in query_range(target["expr"]):
            times = [float(t) - start for t, _ in series["values"]]
            values = [float(v) for _, v in series["values"]]
            if panel["type"] == "stat":
                ax.text(
                    0.5,
                    0.45 - 0.25 * drawn,
                    f"{values[-1]:.3g}",
                    ha="center",
                    va="center",
                    fontsize=16,
                    transform=ax.transAxes,
                )
                ax.plot(times, values, linewidth=0.6, alpha=0.3)
            else:
                ax.plot(times, values, linewidth=0.9, label=legend(target.get("legendFormat", ""), series["metric"]))
            drawn += 1
    if drawn == 0:
        ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes, color="grey")
    if panel["type"] == "stat":
        ax.set_xticks([])
        ax.set_yticks([])
    else:
        ax.set_xlabel(f"seconds from start{'' if not unit else '   (' + unit + ')'}", fontsize=6)
        if drawn:
            ax.legend(fontsize=5, loc="upper right", frameon=False, ncol=2 if drawn > 6 else 1)
    ax.tick_params(labelsize=6)
fig.savefig(out, format="svg")
print(f"render: {len(panels)} panels, step {step} s -> {out}")
