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
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

const sumOf = (rows, family, field) => rows.reduce((n, r) => n + (Number(r[family][field]) || 0), 0);

// [name, family, numerator, denominator, colour] per bar series of a rate chart.
function rateSeries(periods, at, parts) {
  return parts.map(([name, family, num, den, colour]) => {
    const figures = periods.map((p) => percentOf(sumOf(at(p), family, num), sumOf(at(p), family, den)));
    return { name, values: figures.map((f) => f.value), titles: figures.map((f) => f.title), colour };
  });
}

function draw(id, label, periods, series, unit, items, top) {
  const figure = $(id);
  const bars = series.map((s) => ({ ...s, colours: s.colours || periods.map(() => s.colour) }));
  figure.replaceChildren(figure.querySelector("figcaption"), barChart(label, periods, bars, unit, top),
                         legend(items || series.map((s) => [s.name, s.colour])));
}

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
  const per = body.period === "month" ? "per month" : "per week";
  const periods = [...new Set(body.rows.map((r) => r.period))].sort();
  const at = (p) => rows.filter((r) => r.period === p);
  const perHead = periods.map((p) => {
    const heads = at(p).reduce((n, r) => n + r.heads, 0);
    return heads ? Math.round((at(p).reduce((n, r) => n + r.reports, 0) / heads) * 100) / 100 : 0;
  });
  const hesitant = periods.map((p) => at(p).some((r) => r.hesitancy));
  draw("chart-reports", `Reports per head ${per}`, periods,
       [{ name: "reports per head", values: perHead,
          colours: hesitant.map((h) => (h ? COLOURS[2] : COLOURS[0])) }], "",
       [["reports per head", COLOURS[0]], ["hesitancy flagged", COLOURS[2]]]);
  const hours = (field) => periods.map((p) => medianOf(at(p).map((r) => r[field].median_working_hours)));
  draw("chart-hours", `Median working hours ${per}`, periods,
       [{ name: "to first acknowledgment", values: hours("to_first_acknowledgment"), colour: COLOURS[0] },
        { name: "to a named triage owner", values: hours("to_named_triage_owner"), colour: COLOURS[1] }],
       " working h");
  const answers = periods.map((p) => sumOf(at(p), "confidence", "responses"));
  const mean = periods.map((p, i) => {
    const total = at(p).reduce((s, r) => s + (r.confidence.mean_score || 0) * r.confidence.responses, 0);
    return answers[i] ? Math.round((total / answers[i]) * 100) / 100 : null;
  });
  const low = periods.map((p, i) => percentOf(sumOf(at(p), "confidence", "low_scores"), answers[i]));
  draw("chart-confidence", `Speaking-up confidence ${per}`, periods,
       [{ name: "mean score (1 to 5)", values: mean, colour: COLOURS[0],
          titles: periods.map((p, i) => (mean[i] === null ? "no answers"
            : `${mean[i]} from ${answers[i]} answer${answers[i] === 1 ? "" : "s"}; scoring 1 or 2: ${low[i].title}`)) }], "",
       undefined, 5);
  draw("chart-learning", `Learning made visible ${per}`, periods,
       rateSeries(periods, at, [
         ["visible-learning closures", "learning", "visible_learning_closure", "reconciled", SOFT],
         ["feedback to the reporter", "learning", "feedback_to_reporter", "reconciled", COLOURS[0]],
         ["recurrence within 30 days", "learning", "recurrence_within_30_days", "reconciled", COLOURS[2]],
       ]), "%", undefined, 100);
  draw("chart-closure", `Closure credibility ${per}`, periods,
       rateSeries(periods, at, [
         ["credible", "closure", "credible", "reconciled", SOFT],
         ["doubtful", "closure", "doubtful", "reconciled", COLOURS[1]],
         ["failed", "closure", "failed", "reconciled", COLOURS[2]],
       ]), "%", undefined, 100);
}
