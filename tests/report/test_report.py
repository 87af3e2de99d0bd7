"""The HTML report: parses, embeds every figure, loads nothing, renders in a browser."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import mss_sim
from mss_sim.cli import main
from mss_sim.report import render_report, write_report
from mss_sim.report.content import HEADLINE
from mss_sim.statistics import wilson_interval

RUNS = 40


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("report")
    for name in ("gsf_2025", "us_budget_cuts"):
        mss_sim.run_batch(mss_sim.load_scenario(name), RUNS, seed=5, out=root / name)
    return root / "gsf_2025", root / "us_budget_cuts"


@pytest.fixture(scope="module")
def page(stores) -> str:
    return render_report(mss_sim.BatchResult.load(stores[0]))


@pytest.fixture(scope="module")
def compared(stores) -> str:
    a, b = (mss_sim.BatchResult.load(s) for s in stores)
    return render_report(a, compare=b)


class Structure(HTMLParser):
    """Tags, ids, every attribute naming a resource, and text, of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.ids: list[str] = []
        self.resources: list[tuple[str, str, str]] = []
        self.sections: list[str] = []
        self.text: list[str] = []
        self.svg_depth = 0
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "section":
            self.sections.append(a.get("id", ""))
        for key, value in attrs:
            if key in ("src", "href", "xlink:href", "data", "action", "poster", "srcset"):
                self.resources.append((tag, key, value or ""))
        void = {"meta", "br", "img", "input", "link", "hr", "col"}
        if tag not in void and not (self.stack and self.stack[-1] == "svg-leaf"):
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        for key, value in attrs:
            if key in ("src", "href", "xlink:href"):
                self.resources.append((tag, key, value or ""))

    def handle_endtag(self, tag):
        if tag in ("meta", "br", "img", "input", "link", "hr", "col"):
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(text: str) -> Structure:
    s = Structure()
    s.feed(text)
    s.close()
    return s


def test_the_page_parses_with_every_tag_closed(page, compared):
    for text in (page, compared):
        s = parse(text)
        assert s.errors == []
        assert s.stack == []
        assert text.startswith("<!DOCTYPE html>")
        assert len(s.ids) == len(set(s.ids)), "ids must be unique across the inline figures"


def test_the_sections(page):
    s = parse(page)
    assert s.sections == [
        "probabilities",
        "outcomes",
        "figures",
        "timeline",
        "parameters",
        "limits",
        "reproduce",
    ]
    anchors = [v for tag, key, v in s.resources if tag == "a"]
    assert anchors and all(v.startswith("#") and v[1:] in s.ids for v in anchors)


def test_every_figure_is_embedded_as_svg(page, compared):
    for text, expected in ((page, 6), (compared, 6)):
        figures = re.findall(r'<figure id="(fig-[a-z]+)">\s*<svg ', text)
        assert len(figures) == expected, figures
        assert text.count("<svg ") == expected
        assert "<img" not in text
    assert re.findall(r'<figure id="(fig-[a-z]+)">', page) == [
        "fig-deployment",
        "fig-money",
        "fig-target",
        "fig-probabilities",
        "fig-security",
        "fig-timeline",
    ]


def test_nothing_external_is_loaded(page, compared):
    for text in (page, compared):
        s = parse(text)
        assert not {"script", "link", "img", "iframe", "object", "embed"} & set(s.tags)
        for tag, key, value in s.resources:
            assert value.startswith("#"), (tag, key, value)
        assert "@import" not in text and "url(http" not in text
        assert "<!DOCTYPE svg" not in text  # its DTD is an external URL
        # The only URLs left are the SVG namespaces, which nothing fetches.
        urls = set(re.findall(r"https?://[^\s\"'<>)]+", text))
        assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls


def test_the_numbers_match_the_batch(stores, page):
    res = mss_sim.BatchResult.load(stores[0])
    cells = dict(
        re.findall(
            r'<td title="[^"]*">([^<]+)</td>(?:<td>[^<]*</td>)?<td class="num">([^<]+)</td>', page
        )
    )
    reached = res.scalars["target_reached"]
    lo, hi = wilson_interval(int(reached.sum()), reached.size)
    expected = f"{reached.mean():.1%} ({lo:.1%} to {hi:.1%})"  # one decimal in every row
    assert cells["Target strength reached"] == expected
    money = res.scalars["total_received_usd"] / 1e6
    p5, p50, p95 = np.percentile(money, [5, 50, 95])
    assert cells["Money received"] == f"{p50:,.1f} ({p5:,.1f} to {p95:,.1f})"
    peak = res.scalars["peak_deployed"]
    q = np.percentile(peak, [5, 50, 95], method="inverted_cdf")
    assert cells["Peak strength"] == f"{q[1]:,.0f} ({q[0]:,.0f} to {q[2]:,.0f})"
    control = res.scalars["gang_control_at_end"]
    c5, c50, c95 = np.percentile(control, [5, 50, 95])
    c5, c50, c95 = (100 * c for c in (c5, c50, c95))  # in percent, the unit column says so
    assert cells["Gang control at the end"] == f"{c50:.1f} ({c5:.1f} to {c95:.1f})"
    assert set(HEADLINE) >= {"peak_deployed", "total_received_usd"}


def test_the_typical_run_is_narrated(stores, page):
    res = mss_sim.BatchResult.load(stores[0])
    from mss_sim.batch import replay_result, typical_replication

    i = typical_replication(res)
    assert f"Replication {i}, whose peak strength" in page
    rep = replay_result(res, i)
    first_vote = rep.events_of("vote")[0]
    assert f"<td>{first_vote.date}</td><td>council</td><td>Vote on draft gsf" in page


def test_the_page_names_the_scenario_its_values_and_how_to_reproduce(stores, page):
    sc = mss_sim.load_scenario("gsf_2025")
    assert sc.scenario.description.split("–")[0] in page
    assert "council.correlation" in page and "uniform(low=0, high=0.4)" in page
    assert f"mss-sim run gsf_2025 --runs {RUNS} --seed 5" in page
    assert sc.content_hash() in page
    assert "What the model leaves out" in page


def test_the_comparison_has_differences_in_units(stores, compared):
    from mss_sim.analysis import compare

    assert 'id="differences"' in compared
    assert "paired replication by replication" in compared
    a, b = (mss_sim.BatchResult.load(s) for s in stores)
    names = ["gang_control_at_end", "total_received_usd", "target_reached"]
    expected = {c.name: c for c in compare(a, b, names)}
    rows = dict(re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td><td class=\"num\">", compared))
    assert rows["Gang control at the end"] == "percentage points"
    assert rows["Money received"] == "US$ million"
    assert rows["Target strength reached"] == "percentage points"
    assert rows["Months to the target strength"] == "months"  # never reached in either
    assert (
        "<td>Months to the target strength</td><td>months</td>"
        '<td class="num">undefined in every pair</td>'
    ) in compared
    control = expected["gang_control_at_end"]
    assert f'<td class="num">{control.mean * 100:+,.1f} ({control.low * 100:+,.1f} to' in compared
    money = expected["total_received_usd"]
    assert f"{money.mean / 1e6:+,.1f} ({money.low / 1e6:+,.1f} to" in compared


def test_a_result_without_its_scenario_still_reports(stores, tmp_path):
    res = mss_sim.BatchResult.load(stores[0])
    bare = mss_sim.BatchResult(
        res.scalars,
        res.series,
        res.months,
        res.parameters,
        res.failures,
        {k: v for k, v in res.meta.items() if k != "scenario_spec"},
    )
    text = render_report(bare)
    assert "keeps no scenario" in text
    assert 'id="timeline"' not in text


def test_write_report_and_the_command(stores, tmp_path, capsys):
    path = write_report(mss_sim.BatchResult.load(stores[0]), tmp_path / "a" / "r.html")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert main(["report", str(stores[0])]) == 0
    assert capsys.readouterr().out.strip() == f"report: {stores[0] / 'report.html'}"
    single = (stores[0] / "report.html").read_text(encoding="utf-8")
    assert main(["report", str(stores[0]), "--compare", str(stores[1])]) == 0
    compared = stores[0] / "report_vs_us_budget_cuts.html"
    assert capsys.readouterr().out.strip() == f"report: {compared}"
    assert 'id="differences"' in compared.read_text(encoding="utf-8")
    # the comparison leaves the single result's report alone
    assert 'id="differences"' not in (stores[0] / "report.html").read_text(encoding="utf-8")
    assert single.count("<figure") == 6
    code = main(["report", str(tmp_path / "nothing")])
    assert code == 2
    assert "no such results directory" in capsys.readouterr().err


def test_without_jinja2_the_error_says_what_to_install(stores, monkeypatch):
    monkeypatch.setitem(sys.modules, "jinja2", None)
    with pytest.raises(ImportError, match=re.escape("mss-sim[report]")):
        render_report(mss_sim.BatchResult.load(stores[0]))


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="needs chromium (.ci/run installs it)")
def test_the_report_renders_in_a_headless_browser(stores, tmp_path):
    from matplotlib.image import imread

    page = write_report(mss_sim.BatchResult.load(stores[0]), tmp_path / "report.html")
    shot = tmp_path / "shot.png"
    proc = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1200,3000",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert shot.is_file(), proc.stderr[-2000:]
    pixels = imread(shot)[..., :3]
    assert pixels.shape[:2] == (3000, 1200)
    ink = (pixels.mean(axis=2) < 0.9).mean()  # share of pixels that are not near-white
    assert ink > 0.02, ink
    assert pixels.std() > 0.05
    blue = ((pixels[..., 2] > 0.6) & (pixels[..., 0] < 0.4)).mean()  # the figures' fans
    assert blue > 0.001, blue


def test_an_outcome_undefined_in_every_run_says_so(tmp_path):
    sc = mss_sim.load_scenario("gsf_2025").with_values({"outcomes.target_strength": 100_000})
    res = mss_sim.run_batch(sc, 10, seed=1)
    assert np.isnan(res.scalars["months_to_target"]).all()
    page = render_report(res)
    cell = '<td class="num">never reached in every run<'
    assert re.search(r"Months to the target strength</td><td>months</td>" + cell, page)


def test_each_result_in_a_comparison_has_its_period_and_target(compared):
    facts = re.findall(r'<p class="meta">([^<]+): (\d+ replications; [^<]+)\.</p>', compared)
    assert [label for label, _ in facts] == ["gsf_2025 (seed 5)", "us_budget_cuts (seed 5)"]
    for _, text in facts:
        assert text == (
            f"{RUNS} replications; 24 months from 2025-09-01; target strength 2,775 personnel"
        )


def test_a_comparison_of_other_targets_and_periods_says_so(stores, compared):
    assert 'class="note">Note:' not in compared  # same target and period
    a = mss_sim.BatchResult.load(stores[0])
    gsf = mss_sim.load_scenario("gsf_2025")
    b = mss_sim.run_batch(gsf.with_values({"outcomes.target_strength": 2000}), RUNS, seed=5)
    text = render_report(a, compare=b)
    assert (
        '<p class="note">Note: the target strength differs (2,775 and 2,000 personnel): '
        "outputs about reaching the target measure against different strengths.</p>"
    ) in text
