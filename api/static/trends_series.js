"use strict";
// The Trends section's time axis (/analytics/series): one chart per measure, per week or month,
// for all groups together or for the group chosen in "Show".
let seriesBody = null;

function wilson(k, n) {
  if (!n) { return null; }
  const z = 1.959963984540054, p = k / n, d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

function percentOf(k, n) {
  const ci = wilson(k, n);
  if (!ci) { return { value: null, title: "— (none)" }; }
  const pct = (x) => Math.round(100 * x);
  return { value: pct(k / n), title: `${pct(k / n)}% (${k}/${n}; 95% CI ${pct(ci[0])}–${pct(ci[1])}%)` };
}

function medianOf(values) {
  const sorted = values.filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
  if (!sorted.length) { return null; }
  const m = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  return Math.round(value * 100) / 100; // no float noise ("0.30000000000000004")
}

const sumOf = (rows, family, field) => rows.reduce((n, r) => n + (Number(r[family][field]) || 0), 0);

// [name, family, numerator, denominator, colour] per bar series of a rate chart.
function rateSeries(periods, at, parts) {
  return parts.map(([name, family, num, den, colour]) => {
    const figures = periods.map((p) => percentOf(sumOf(at(p), family, num), sumOf(at(p), family, den)));
    return { name, values: figures.map((f) => f.value), titles: figures.map((f) => f.title), colour };
  });
}

// table: {columns, rows} of the chart's figures per period (rows: [period, ...cells]).
function draw(id, label, periods, series, unit, items, top, table) {
  const figure = $(id);
  const wasOpen = figure.querySelector("details")?.open;
  const bars = series.map((s) => ({ ...s, colours: s.colours || periods.map(() => s.colour) }));
  const kept = figure.querySelectorAll(":scope > figcaption, :scope > p.note:not(.gap)");
  const parts = [...kept, barChart(label, periods, bars, unit, top),
                 legend(items || series.map((s) => [s.name, s.colour]))];
  if (table) { parts.push(periodTable(label.replace(/ per (week|month)$/, ""), perOf(), table.columns, table.rows, wasOpen)); }
  figure.replaceChildren(...parts);
}

const perOf = () => (seriesBody && seriesBody.period === "month" ? "per month" : "per week");

function fillShow(body) {
  const select = $("series-show");
  const chosen = select.value;
  const values = [...new Set(body.rows.map((r) => String(r[body.group])))].sort((a, b) => a.localeCompare(b));
  const options = [["", "all groups"], ...values.map((v) => [v, v])].map(([value, text]) => {
    const option = document.createElement("option"); option.value = value; option.textContent = text;
    return option;
  });
  select.replaceChildren(...options);
  select.value = values.includes(chosen) ? chosen : "";
}

function showSeries(body) {
  seriesBody = body;
  fillShow(body);
  drawSeries();
}

function drawSeries() {
  const body = seriesBody;
  if (!body) { return; }
  const show = $("series-show").value;
  const rows = body.rows.filter((r) => !show || String(r[body.group]) === show);
  const per = perOf();
  const periods = [...new Set(body.rows.map((r) => r.period))].sort();
  const at = (p) => rows.filter((r) => r.period === p);
  const reports = periods.map((p) => at(p).reduce((n, r) => n + r.reports, 0));
  const heads = periods.map((p) => at(p).reduce((n, r) => n + r.heads, 0));
  const perHead = periods.map((p, i) => (heads[i] ? Math.round((reports[i] / heads[i]) * 100) / 100 : null));
  const hesitant = periods.map((p) => at(p).some((r) => r.hesitancy));
  const noHeads = (body.not_available || []).find((g) => g.measure === "reports_per_head");
  draw("chart-reports", noHeads ? `Reports ${per}` : `Reports per head ${per}`, periods,
       [{ name: noHeads ? "reports" : "reports per head", values: noHeads ? reports : perHead,
          colours: hesitant.map((h) => (h ? COLOURS[2] : COLOURS[0])) }], "",
       [["reports per head", COLOURS[0]], ["hesitancy flagged", COLOURS[2]]], undefined,
       { columns: ["Reports", "Heads at the start", "Reports per head", "Hesitancy"],
         rows: periods.map((p, i) => [p, reports[i], heads[i] || "— (no head count)", perHead[i],
                                      hesitancyText(at(p), body.group)]) });
  if (noHeads) { gapNote("chart-reports", body.group, noHeads); }
  // All groups: the medians over every report of the period (body.totals), not of the groups'.
  const whole = (p) => (show ? at(p) : (body.totals || []).filter((t) => t.period === p));
  // The bars are the hours the table gives first (elapsed; working hours beside them there): a
  // report acknowledged at night is hours late, though 0 working hours.
  const hours = (field) => periods.map((p) => medianOf(whole(p).filter((r) => r[field].n).map((r) => r[field].median_hours)));
  const said = (field) => periods.map((p) => durationText(whole(p), field));
  draw("chart-hours", `Median hours ${per}`, periods,
       [{ name: "to first acknowledgment", values: hours("to_first_acknowledgment"), colour: COLOURS[0],
          titles: said("to_first_acknowledgment") },
        { name: "to a named triage owner", values: hours("to_named_triage_owner"), colour: COLOURS[1],
          titles: said("to_named_triage_owner") }],
       " h", undefined, undefined,
       { columns: ["To first acknowledgment: median", "To a named triage owner: median"],
         rows: periods.map((p) => [p, durationText(whole(p), "to_first_acknowledgment"),
                                   durationText(whole(p), "to_named_triage_owner")]) });
  const answers = periods.map((p) => sumOf(at(p), "confidence", "responses"));
  const mean = periods.map((p, i) => {
    const total = at(p).reduce((s, r) => s + (r.confidence.mean_score || 0) * r.confidence.responses, 0);
    return answers[i] ? Math.round((total / answers[i]) * 100) / 100 : null;
  });
  const low = periods.map((p, i) => percentOf(sumOf(at(p), "confidence", "low_scores"), answers[i]));
  draw("chart-confidence", `Speaking-up confidence ${per}`, periods,
       [{ name: "mean score (1 to 5)", values: mean, colour: COLOURS[0],
          titles: periods.map((p, i) => (mean[i] === null ? "no answers"
            : `${mean[i]} from ${plural(answers[i], "answer")}; scoring 1 or 2: ${low[i].title}`)) }], "",
       undefined, 5,
       { columns: ["Answers", "Mean score (1 to 5)", "Scoring 1 or 2"],
         rows: periods.map((p, i) => [p, answers[i], mean[i], low[i].title]) });
  const learning = [
    ["visible-learning closures", "learning", "visible_learning_closure", "reconciled", SOFT],
    ["feedback to the reporter", "learning", "feedback_to_reporter", "reconciled", COLOURS[0]],
    ["shared learning (of reports needing it)", "learning", "shared_learning_issued", "shared_learning_required", COLOURS[1]],
    ["recurrence within 30 days", "learning", "recurrence_within_30_days", "reconciled", COLOURS[2]],
  ];
  drawRates("chart-learning", `Learning made visible ${per}`, periods, at, learning,
            ["Reconciled reports closed", (p) => sumOf(at(p), "learning", "reconciled")]);
  drawRates("chart-closure", `Closure credibility ${per}`, periods, at, [
    ["credible", "closure", "credible", "reconciled", SOFT],
    ["doubtful", "closure", "doubtful", "reconciled", COLOURS[1]],
    ["failed", "closure", "failed", "reconciled", COLOURS[2]],
  ], ["Reconciled closures", (p) => sumOf(at(p), "closure", "reconciled")]);
  drawOutcomes(body, periods, at, per);
}

// A rate chart and its table: each part's percentage, count and Wilson 95% interval.
function drawRates(id, label, periods, at, parts, [countLabel, count]) {
  const series = rateSeries(periods, at, parts);
  draw(id, label, periods, series, "%", undefined, 100,
       { columns: [countLabel, ...parts.map(([name]) => name)],
         rows: periods.map((p, i) => [p, count(p), ...series.map((s) => s.titles[i])]) });
}

// Says under a chart's caption why a measure is missing for this grouping.
function gapNote(id, group, gap) {
  const note = document.createElement("p"); note.className = "note gap";
  note.textContent = `Not available by ${group.replaceAll("_", " ")}: ${gap.measure.replaceAll("_", " ")}: ${gap.reason}.`;
  $(id).querySelector(":scope > figcaption").after(note);
}
