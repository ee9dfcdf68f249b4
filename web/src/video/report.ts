/**
 * The video interview's report (`/staff/video/{id}/report`), drawn from
 * `GET /api/v1/video/interviews/{id}/report`: per answer the converted MP4 with its
 * WebVTT captions, the transcript (filler words marked; a word seeks the video to where it
 * was said, and the word being said is highlighted as the video plays), charts of
 * attention and of speech rate and pauses over time (uPlot), the measured metrics with the
 * integrity flags (time away, more than one face), and the score with its explanation and
 * the LLM's criteria quoting the transcript. Printing hides the controls and redraws the
 * charts at the page's width (a canvas prints at the size it was drawn).
 */
import "uplot/dist/uPlot.min.css";
import "./video-report.css";

import uPlot from "uplot";

import { el } from "../dom";
import { interviewPath, staffApi } from "./client";
import { mergeSpans, percent, percentSeries, secondsLabel, spanLabel, speechSeries, wordAt } from "./series";
import type { AnswerAnalysis, InterviewReport, RecordOut, Span } from "./types";

const HEIGHT = 180;
/** The printed chart's width: the print CSS's 680 px box less its border. */
const PRINT_WIDTH = 678;
const COLORS = { face: "#3fcf8e", look: "#4f9dff", rate: "#f5a524", speech: "#a78bfa", pause: "#f3126033", away: "#ff6b6b33" };
/** Axis ticks on whole seconds (a 1 Hz series), coarser as the answer grows. */
const SECOND_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600];
const STAR_PARTS = ["situation", "task", "action", "result"] as const;

const ink = (u: uPlot): string => getComputedStyle(u.root).color;
const clockAxis = (_u: uPlot, splits: number[]): string[] => splits.map((v) => secondsLabel(v));

type Drawn = { node: HTMLElement; chart: uPlot };
const drawn: Drawn[] = [];

function widthOf(node: HTMLElement): number {
  return Math.max(280, Math.floor(node.clientWidth || node.parentElement?.clientWidth || PRINT_WIDTH));
}

/** Shaded bands behind a chart's lines (pauses, time away), drawn on uPlot's canvas. */
function bands(spans: Span[], color: string): uPlot.Hooks.Arrays {
  return {
    drawClear: [
      (u: uPlot) => {
        const { ctx } = u;
        const { top, height } = u.bbox;
        ctx.save();
        ctx.fillStyle = color;
        for (const span of spans) {
          const left = u.valToPos(span.start, "x", true);
          const right = u.valToPos(span.end, "x", true);
          ctx.fillRect(left, top, Math.max(1, right - left), height);
        }
        ctx.restore();
      },
    ],
  };
}

function chart(node: HTMLElement, options: Omit<uPlot.Options, "width" | "height">, data: uPlot.AlignedData): void {
  const made = new uPlot({ width: widthOf(node), height: HEIGHT, legend: { live: false }, ...options }, data, node);
  drawn.push({ node, chart: made });
}

function attentionChart(node: HTMLElement, analysis: AnswerAnalysis): void {
  const video = analysis.video_metrics;
  if (!video) return void node.replaceChildren(el("p", { class: "chart-empty" }, "The video could not be measured."));
  const data = percentSeries(video.series.face_present, video.series.looking_at_camera);
  chart(
    node,
    {
      scales: { x: { time: false, auto: false, range: [0, Math.max(1, analysis.duration_s)] }, y: { auto: false, range: [0, 100] } },
      axes: [
        { values: clockAxis, incrs: SECOND_STEPS, stroke: ink, grid: { stroke: "#8884" } },
        { label: "% of frames", values: (_u, s) => s.map((v) => `${v}%`), stroke: ink, grid: { stroke: "#8884" } },
      ],
      series: [
        { label: "second" },
        { label: "Face present", stroke: COLORS.face, width: 2 },
        { label: "Looking at the camera", stroke: COLORS.look, width: 2, dash: [6, 3] },
      ],
      hooks: bands(mergeSpans(video.away_spans, analysis.duration_s), COLORS.away),
    },
    [data.x, ...data.series] as uPlot.AlignedData,
  );
}

function speechChart(node: HTMLElement, analysis: AnswerAnalysis): void {
  const text = analysis.text_metrics;
  if (!text) return void node.replaceChildren(el("p", { class: "chart-empty" }, "No speech was measured."));
  const data = speechSeries(text.rate_series, text.speech_series);
  chart(
    node,
    {
      scales: { x: { time: false, auto: false, range: [0, Math.max(1, analysis.duration_s)] }, wpm: { range: (_u, _min, max) => [0, Math.max(60, max ?? 0)] }, share: { auto: false, range: [0, 100] } },
      axes: [
        { values: clockAxis, incrs: SECOND_STEPS, stroke: ink, grid: { stroke: "#8884" } },
        { scale: "wpm", label: "words per minute", stroke: ink, grid: { stroke: "#8884" } },
        { scale: "share", side: 1, label: "% spoken", stroke: ink, grid: { show: false } },
      ],
      series: [
        { label: "second" },
        { label: "Speech rate (wpm)", scale: "wpm", stroke: COLORS.rate, width: 2 },
        { label: "Speaking (%)", scale: "share", stroke: COLORS.speech, fill: `${COLORS.speech}33`, width: 1 },
      ],
      hooks: bands(mergeSpans(text.pauses, analysis.duration_s), COLORS.pause),
    },
    [data.x, ...data.series] as uPlot.AlignedData,
  );
}

function fact(label: string, value: string, testid?: string): HTMLElement[] {
  return [el("dt", {}, label), el("dd", testid ? { "data-testid": testid } : {}, value)];
}

function fixed(value: number | null | undefined, digits = 0, unit = ""): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "—" : `${value.toFixed(digits)}${unit}`;
}

function metrics(analysis: AnswerAnalysis): HTMLElement {
  const t = analysis.text_metrics;
  const v = analysis.video_metrics;
  const list = el("dl", { class: "facts spaced" });
  list.append(...fact("Length", secondsLabel(analysis.duration_s)));
  if (t) {
    const fillers = Object.entries(t.fillers)
      .map(([word, n]) => `${word} ×${n}`)
      .join(", ");
    list.append(
      ...fact("Words per minute", fixed(t.words_per_minute), "metric-wpm"),
      ...fact("Words", String(t.word_count), "metric-words"),
      ...fact("Filler words", `${t.filler_count}${fillers ? ` (${fillers})` : ""}`, "metric-fillers"),
      ...fact("Pauses", `${t.pause_count} (≥ ${t.pause_min_s} s), longest ${fixed(t.longest_pause_s, 1, " s")}`, "metric-pauses"),
      ...fact("Silence", percent(t.silence_ratio)),
      ...fact("STAR parts", STAR_PARTS.filter((p) => t.star[p]).join(", ") || "none found", "metric-star"),
      ...fact("Rubric keywords", t.keywords.expected.length ? `${percent(t.keywords.coverage)} · found: ${t.keywords.found.join(", ") || "none"} · missing: ${t.keywords.missing.join(", ") || "none"}` : "none set", "metric-keywords"),
      ...fact("Sentiment", t.sentiment ? `${t.sentiment.compound >= 0.05 ? "positive" : t.sentiment.compound <= -0.05 ? "negative" : "neutral"} (${t.sentiment.compound.toFixed(2)})` : "—"),
    );
  }
  if (v) {
    list.append(
      ...fact("Face present", percent(v.face_present_ratio), "metric-face-present"),
      ...fact("Looking at the camera", percent(v.looking_at_camera_ratio), "metric-looking"),
      ...fact("Attention", percent(v.attention_ratio), "metric-attention"),
      ...fact("Lighting", `${v.lighting} (brightness ${v.mean_brightness.toFixed(0)})`),
      ...fact("Frames analysed", `${v.frames_analyzed} at ${v.sample_fps} fps (${v.engine})`),
    );
  }
  return list;
}

function integrity(analysis: AnswerAnalysis): HTMLElement {
  const v = analysis.video_metrics;
  const section = el("section", { class: "integrity", "data-testid": "integrity-flags" }, el("h3", {}, "For integrity review"));
  if (!v) return section;
  const away = mergeSpans(v.away_spans, analysis.duration_s);
  const many = mergeSpans(v.multiple_face_spans, analysis.duration_s);
  section.append(
    el("p", {}, away.length ? `Away from the camera: ${away.map(spanLabel).join(", ")}` : "Never away from the camera for a second or more."),
    el("p", {}, many.length ? `More than one face: ${many.map(spanLabel).join(", ")}` : "Never more than one face."),
  );
  return section;
}

function transcript(analysis: AnswerAnalysis, video: HTMLVideoElement | null): HTMLElement {
  const words = analysis.transcript?.words ?? [];
  const box = el("p", { class: "transcript", "data-testid": "transcript" });
  if (!words.length) {
    box.append(el("span", { class: "muted" }, analysis.transcript ? "No words were recognised." : "No transcript."));
    return box;
  }
  const nodes = words.map((word, i) => {
    const node = el("button", { type: "button", class: word.filler ? "word filler" : "word", "data-i": String(i), title: `${secondsLabel(word.start)}${word.filler ? " · filler" : ""}` }, word.text.trim());
    if (word.filler) node.dataset.testid = "filler-word";
    return node;
  });
  nodes.forEach((node, i) => box.append(node, i < nodes.length - 1 ? " " : ""));
  box.addEventListener("click", (event) => {
    const index = Number((event.target as HTMLElement).closest<HTMLElement>(".word")?.dataset.i ?? NaN);
    if (!video || !Number.isInteger(index)) return;
    video.currentTime = words[index].start;
    void video.play().catch(() => undefined);
  });
  let shown = -1;
  video?.addEventListener("timeupdate", () => {
    const now = wordAt(words, video.currentTime);
    if (now === shown) return;
    nodes[shown]?.classList.remove("now");
    nodes[now]?.classList.add("now");
    shown = now;
  });
  return box;
}

function grade(record: RecordOut, analysis: AnswerAnalysis): HTMLElement {
  const score = record.score ?? analysis.score ?? null;
  const section = el("section", { class: "grade", "data-testid": "answer-score" });
  section.append(el("h3", {}, "Score ", score ? el("span", { class: `score ${score.overall >= 70 ? "high" : score.overall >= 40 ? "mid" : "low"}` }, String(Math.round(score.overall))) : el("span", { class: "muted" }, "—"), score ? " / 100" : ""));
  if (score) {
    section.append(el("p", { class: "muted" }, `content ${fixed(score.content)} · delivery ${fixed(score.delivery)} · presence ${fixed(score.presence)}`));
    section.append(el("ul", { class: "explanation-list" }, ...score.explanation.map((line) => el("li", {}, line))));
  }
  const g = analysis.grade;
  if (g) {
    section.append(el("h3", {}, `Rubric grade ${g.score} / 5 `, el("span", { class: "muted" }, `(${g.model})`)), el("p", {}, g.summary));
    for (const c of g.criteria) {
      section.append(
        el(
          "div",
          { class: "criterion", "data-testid": "grade-criterion" },
          el("strong", {}, `${c.criterion}: ${c.score} / 5`),
          el("p", {}, c.comment),
          ...c.evidence.map((quote) => el("blockquote", {}, `“${quote}”`)),
        ),
      );
    }
  }
  return section;
}

function answerCard(record: RecordOut, questionText: string): HTMLElement {
  const card = el("section", { class: "card report-part video-answer", "data-testid": "video-report-answer", "data-status": record.status, "aria-labelledby": `q-${record.question_index}` });
  card.append(el("h2", { id: `q-${record.question_index}` }, `Question ${record.question_index + 1}: ${questionText}`));
  const analysis = record.analysis;
  if (!analysis) {
    card.append(el("p", { class: "muted" }, record.status === "failed" ? "The analysis failed." : `Not analysed yet (${record.status}${record.progress ? `, ${percent(record.progress)}` : ""}).`));
    return card;
  }
  let video: HTMLVideoElement | null = null;
  const media = el("div", { class: "media no-print-video" });
  if (record.urls?.video) {
    video = el("video", { controls: "", preload: "metadata", playsinline: "", "data-testid": "answer-video" });
    const source = new URL(record.urls.video, location.href);
    if (source.origin !== location.origin) video.crossOrigin = "anonymous";
    video.src = source.href;
    if (record.urls.captions) video.append(el("track", { kind: "captions", srclang: "en", label: "English (automatic)", src: record.urls.captions, default: "" }));
    media.append(video);
  }
  const links = el("p", { class: "downloads no-print" });
  const urls = record.urls ?? {};
  const downloads = [
    ["MP4", urls.video],
    ["Original", urls.original],
    ["Captions (WebVTT)", urls.captions],
    ["Transcript (JSON)", urls.transcript],
    ["Analysis (JSON)", urls.report],
  ] as const;
  for (const [name, url] of downloads) if (url) links.append(el("a", { href: url, class: "button small", download: "" }, name), " ");
  media.append(links);
  card.append(el("div", { class: "answer-grid" }, media, el("div", {}, metrics(analysis))));
  card.append(el("h3", {}, "Transcript ", el("span", { class: "muted" }, "(filler words marked; a word plays the video from there)")), transcript(analysis, video));
  const attention = el("div", { class: "chart video-chart", "data-testid": "chart-attention" });
  const speech = el("div", { class: "chart video-chart", "data-testid": "chart-speech" });
  card.append(
    el("div", { class: "grid-2" }, el("div", {}, el("h3", {}, "Attention over time ", el("span", { class: "muted" }, "(shaded: away)")), attention), el("div", {}, el("h3", {}, "Speech rate and pauses ", el("span", { class: "muted" }, "(shaded: pauses)")), speech)),
  );
  card.append(el("div", { class: "grid-2" }, integrity(analysis), grade(record, analysis)));
  if (analysis.notes?.length) card.append(el("ul", { class: "notes muted" }, ...analysis.notes.map((n) => el("li", {}, n))));
  // charts need their card in the page to know its width
  queueMicrotask(() => {
    attentionChart(attention, analysis);
    speechChart(speech, analysis);
  });
  return card;
}

function overall(report: InterviewReport): HTMLElement[] {
  const scored = report.answers.map((a) => a.score?.overall).filter((s): s is number => typeof s === "number");
  const mean = scored.length ? scored.reduce((a, b) => a + b, 0) / scored.length : null;
  const stat = (label: string, value: string, testid: string) => el("div", { class: "stat", "data-testid": testid }, el("div", { class: "label" }, label), el("div", { class: "value" }, value));
  const fromServer = report.overall && typeof report.overall.score === "number" ? report.overall.score : mean;
  return [
    stat("Overall score", fromServer === null ? "—" : `${Math.round(fromServer)} / 100`, "video-overall-score"),
    stat("Answers", `${report.answers.length} of ${report.interview.questions.length}`, "video-overall-answers"),
    stat("Analysed", String(report.answers.filter((a) => a.status === "analyzed").length), "video-overall-analyzed"),
  ];
}

async function boot(): Promise<void> {
  const root = document.getElementById("video-report");
  const id = root?.dataset.interviewId;
  if (!root || !id) return;
  let report: InterviewReport;
  try {
    report = await staffApi().json<InterviewReport>(interviewPath(id, "/report"));
  } catch (error) {
    const node = document.getElementById("video-error");
    if (node) {
      node.textContent = (error as Error).message;
      node.hidden = false;
    }
    return;
  }
  const i = report.interview;
  document.getElementById("report-title")!.textContent = i.title;
  document.getElementById("report-sub")!.textContent = [i.candidate_name, i.candidate_email, i.status.replace("_", " ")].filter(Boolean).join(" · ");
  document.getElementById("report-overall")!.replaceChildren(...overall(report));
  const texts = new Map(i.questions.map((q) => [q.index, q.text]));
  const answers = [...report.answers].sort((a, b) => a.question_index - b.question_index);
  document
    .getElementById("report-answers")!
    .replaceChildren(...(answers.length ? answers.map((r) => answerCard(r, texts.get(r.question_index) ?? r.question)) : [el("p", { class: "empty" }, "No answers yet.")]));
  await new Promise((resolve) => queueMicrotask(() => resolve(null)));
  const printing = window.matchMedia("print");
  const fit = (print: boolean) => {
    // a resize while printing (the print layout) keeps the paper's width
    for (const { node, chart } of drawn) chart.setSize({ width: print || printing.matches ? PRINT_WIDTH : widthOf(node), height: HEIGHT });
  };
  new ResizeObserver(() => fit(false)).observe(document.body);
  window.addEventListener("beforeprint", () => fit(true));
  window.addEventListener("afterprint", () => fit(false));
  printing.addEventListener("change", (query) => fit(query.matches));
  document.body.dataset.chartsReady = String(drawn.length);
}

void boot();
