"""Draws bench/results/chart.png from results.json (python3 bench/chart.py RESULTS_JSON OUT_PNG).

Three panels: import and export throughput as a fraction of warp's raw GET/PUT rate for the same
object size and concurrency (MB/s when warp did not run), and incremental wall time against the
bare listings. Medians of the runs, as in results.md.
"""
import json
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

TOOLS = ["s3-connector", "s5cmd", "rclone", "aws-cli"]
COLORS = {"s3-connector": "#1f77b4", "s5cmd": "#ff7f0e", "rclone": "#2ca02c", "aws-cli": "#d62728",
          "s5cmd ls": "#ff7f0e", "SDK ListObjectsV2": "#9467bd"}


def median_wall(row):
    return statistics.median(r["wallSeconds"] for r in row["runs"]) if row["runs"] else None


def throughput_panel(ax, results, section, op):
    rows = [r for r in results["rows"] if r["section"] == section]
    workloads = list(dict.fromkeys(r["workload"] for r in rows))
    labels = {r["workload"]: r["workloadLabel"] for r in rows}
    warp = {w["workload"]: w["bytesPerSecond"] / 1e6 for w in results["warp"] if w["op"] == op}
    relative = all(w in warp for w in workloads) and workloads
    width = 0.8 / len(TOOLS)
    for i, tool in enumerate(TOOLS):
        xs, ys = [], []
        for j, workload in enumerate(workloads):
            row = next((r for r in rows if r["workload"] == workload and r["tool"] == tool), None)
            wall = median_wall(row) if row else None
            if not wall:
                continue
            mbs = row["bytes"] / 1e6 / wall
            xs.append(j + (i - (len(TOOLS) - 1) / 2) * width)
            ys.append(mbs / warp[workload] if relative else mbs)
        ax.bar(xs, ys, width, label=tool, color=COLORS[tool])
    ax.set_xticks(range(len(workloads)), [labels[w] for w in workloads])
    ax.set_ylabel(f"fraction of warp {op.upper()}" if relative else "MB/s")
    if relative:
        ax.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
    ax.set_title(f"{section.capitalize()} throughput (higher is better)")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=4, frameon=False)


def incremental_panel(ax, results):
    rows = [r for r in results["rows"] if r["section"] == "incremental" and not r.get("note") and r["runs"]]
    names = [r["tool"] for r in rows]
    walls = [median_wall(r) for r in rows]
    ax.bar(range(len(rows)), walls, color=[COLORS.get(t, "#7f7f7f") for t in names])
    ax.set_xticks(range(len(rows)), names, fontsize=8)
    ax.set_ylabel("wall seconds")
    label = rows[0]["workloadLabel"] if rows else ""
    ax.set_title(f"Incremental run vs bare listing, {label} (lower is better)", fontsize=9)


def main():
    source, out = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as f:
        results = json.load(f)
    fig, axes = plt.subplots(1, 3, figsize=(17, 5))
    throughput_panel(axes[0], results, "import", "get")
    throughput_panel(axes[1], results, "export", "put")
    incremental_panel(axes[2], results)
    load = "/".join(str(x) for x in results["machine"]["loadBefore"])
    fig.suptitle(f"s3-connector benchmark ({results['mode']}), {results['machine']['cpus']} CPUs, loopback MinIO, "
                 f"concurrency {results['concurrency']}, median of {results['runsPerCell']}; load before {load}")
    fig.tight_layout()
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    main()
