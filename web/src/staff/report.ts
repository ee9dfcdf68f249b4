/**
 * The report's charts (`/reports/{id}`): activity per minute and tests passing over time,
 * drawn with uPlot from the report JSON the page embeds (`#report-data`). Charts follow
 * their container's width, and are redrawn at the printed page's width before printing
 * (a canvas prints at the size it was drawn).
 */
import "uplot/dist/uPlot.min.css";
import "./report.css";

import uPlot from "uplot";

import { activitySeries, partsOf, testsSeries, type ActivityPoint, type TestsPoint } from "./charts";
import { formatMs } from "./timeline";

type ReportData = {
  session?: { duration_ms?: number | null };
  parts?: { position: number; label?: string | null; title?: string | null }[];
  charts?: { activity?: ActivityPoint[]; tests_passing?: TestsPoint[] };
};

const PALETTE = ["#4f8cff", "#f5a524", "#17c964", "#f31260", "#9353d3", "#06b7db"];
const HEIGHT = 220;
/** A printed A4/Letter page's content width in CSS pixels (about 18 cm). */
const PRINT_WIDTH = 680;

/** Axis labels: x is in minutes; short sessions split below a minute, so m:ss. */
/** The text colour of the chart's page (dark theme or print): a canvas cannot read
 * `currentColor` for every text it draws, so axes ask for it at each redraw. */
const ink = (u: uPlot): string => getComputedStyle(u.root).color;
const minutes = (_u: uPlot, splits: number[]): string[] => splits.map((v) => formatMs(v * 60_000));

function activityChart(node: HTMLElement, points: ActivityPoint[], width: number): uPlot | null {
  const data = activitySeries(points);
  if (!data.x.length) return empty(node, "No activity was recorded.");
  const bars = uPlot.paths.bars?.({ size: [0.8, 40] });
  return new uPlot(
    {
      width,
      height: HEIGHT,
      // a page that is read and printed: the legend names the series, it does not follow a cursor
      legend: { live: false },
      scales: {
        // one bar per minute, centred; a short session still spans a few minutes, not uPlot's default 100
        x: { time: false, auto: false, range: [data.x[0] - 0.5, Math.max(data.x[data.x.length - 1], data.x[0] + 4) + 0.5] },
        count: { range: (_u, _min, max) => [0, Math.max(2, max)] },
      },
      axes: [
        { values: minutes, incrs: [1, 2, 5, 10, 15, 30, 60], stroke: ink, grid: { stroke: "#8884" } },
        { label: "edits", stroke: ink, grid: { stroke: "#8884" } },
        { scale: "count", side: 1, label: "runs · AI turns", stroke: ink, grid: { show: false } },
      ],
      series: [
        { label: "minute", value: (_u, v) => (v === null ? "—" : formatMs(v * 60_000)) },
        { label: "Edits", stroke: PALETTE[0], fill: `${PALETTE[0]}66`, paths: bars, points: { show: false } },
        { label: "Runs", scale: "count", stroke: PALETTE[1], width: 2, points: { show: true, size: 6 } },
        { label: "AI turns", scale: "count", stroke: PALETTE[3], width: 2, dash: [6, 4], points: { show: true, size: 6 } },
      ],
    },
    [data.x, ...data.series] as uPlot.AlignedData,
    node,
  );
}

function testsChart(node: HTMLElement, points: TestsPoint[], report: ReportData, width: number): uPlot | null {
  const duration = report.session?.duration_ms ?? null;
  const data = testsSeries(points, duration);
  if (!points.length) return empty(node, "No tests were run.");
  const labels = new Map((report.parts ?? []).map((p) => [p.position, p.title ?? p.label ?? `Part ${p.position}`]));
  const stepped = uPlot.paths.stepped?.({ align: 1 });
  const series: uPlot.Series[] = [{ label: "time", value: (_u, v) => (v === null ? "—" : formatMs(v * 60_000)) }];
  partsOf(points).forEach((position, i) => {
    series.push({
      label: labels.get(position) ?? `Part ${position}`,
      stroke: PALETTE[i % PALETTE.length],
      width: 2,
      paths: stepped,
      points: { show: true, size: 5 },
      value: (_u, v) => (v === null ? "—" : `${Math.round(v)}%`),
    });
  });
  return new uPlot(
    {
      width,
      height: HEIGHT,
      // a page that is read and printed: the legend names the series, it does not follow a cursor
      legend: { live: false },
      scales: { x: { time: false, auto: false, range: [0, Math.max(1, ...data.x)] }, y: { auto: false, range: [0, 100] } },
      axes: [
        { values: minutes, stroke: ink, grid: { stroke: "#8884" } },
        { label: "tests passing", values: (_u, splits) => splits.map((v) => `${v}%`), stroke: ink, grid: { stroke: "#8884" } },
      ],
      series,
    },
    [data.x, ...data.series] as uPlot.AlignedData,
    node,
  );
}

function empty(node: HTMLElement, text: string): null {
  const p = document.createElement("p");
  p.className = "chart-empty";
  p.textContent = text;
  node.replaceChildren(p);
  return null;
}

function widthOf(node: HTMLElement): number {
  return Math.max(280, Math.floor(node.clientWidth || node.parentElement?.clientWidth || PRINT_WIDTH));
}

function boot(): void {
  const source = document.getElementById("report-data");
  const activityNode = document.getElementById("chart-activity");
  const testsNode = document.getElementById("chart-tests");
  if (!source || (!activityNode && !testsNode)) return;
  let report: ReportData;
  try {
    report = JSON.parse(source.textContent ?? "{}") as ReportData;
  } catch {
    return;
  }
  const charts: { node: HTMLElement; chart: uPlot }[] = [];
  if (activityNode) {
    const chart = activityChart(activityNode, report.charts?.activity ?? [], widthOf(activityNode));
    if (chart) charts.push({ node: activityNode, chart });
  }
  if (testsNode) {
    const chart = testsChart(testsNode, report.charts?.tests_passing ?? [], report, widthOf(testsNode));
    if (chart) charts.push({ node: testsNode, chart });
  }
  const fit = (print: boolean) => {
    for (const { node, chart } of charts) chart.setSize({ width: print ? PRINT_WIDTH : widthOf(node), height: HEIGHT });
  };
  new ResizeObserver(() => fit(false)).observe(document.body);
  window.addEventListener("beforeprint", () => fit(true));
  window.addEventListener("afterprint", () => fit(false));
  window.matchMedia("print").addEventListener("change", (query) => fit(query.matches));
  document.body.dataset.chartsReady = "true";
}

boot();
