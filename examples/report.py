"""The analyst's view: a batch's report, its dashboard and one run told as a timeline.

Run from the top of the checkout:

    python examples/report.py --runs 1000 --out out/report_example

It runs gsf_2025 and us_budget_cuts on the same seed, writes the HTML report of the
first compared with the second, a one-page dashboard of the first, and prints the
Council's, the mandate's and the security part of its typical run.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from matplotlib.figure import Figure

import mss_sim
from mss_sim import plotting
from mss_sim.batch import replay_result, typical_replication
from mss_sim.model.narrate import timeline
from mss_sim.report import write_report


def main(argv: list[str] | None = None) -> dict[str, Path]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("out/report_example"))
    args = parser.parse_args(argv)
    backend = "process" if args.runs >= 200 else "serial"

    # 1. Two scenarios on the same seed: their runs are paired (common random numbers).
    base, cuts = (
        mss_sim.run_batch(
            mss_sim.load_scenario(name),
            args.runs,
            seed=args.seed,
            backend=backend,
            progress=False,
            out=args.out / name,
            overwrite=True,
        )
        for name in ("gsf_2025", "us_budget_cuts")
    )

    # 2. One HTML file with everything, figures inline: open it in any browser.
    report = write_report(base, args.out / "gsf_2025_vs_cuts.html", compare=cuts)
    print(f"report: {report}")

    # 3. The replication closest to the median peak strength, run again with its events.
    rep = replay_result(base, typical_replication(base))
    for entry in timeline(rep, categories=("council", "mandate", "security")):
        print(entry)

    # 4. One page of figures.
    fig = Figure(figsize=(16, 13), layout="constrained")
    plotting.plot_dashboard(base, typical=rep, fig=fig)
    dashboard = args.out / "dashboard.png"
    fig.savefig(dashboard, dpi=80)
    print(f"dashboard: {dashboard}")
    return {"report": report, "dashboard": dashboard}


if __name__ == "__main__":
    main()
