"use strict";
// The Trends charts of the newer /analytics/series measures, per week or month: threshold
// breaches, under-triage by category, closures confirmed and reopened, repeated doubtful
// closures, and leavers exposed to weak response against not.

function drawOutcomes(body, periods, at, per) {
  drawRates("chart-breaches", `Threshold breaches ${per}`, periods, at, [
    ["threshold breaches (emerging or critical)", "reliability", "threshold_breaches", "classified", COLOURS[1]],
    ["of which critical", "reliability", "critical", "classified", COLOURS[2]],
  ], ["Classified reports (exceptions left out)",
      (p) => `${sumOf(at(p), "reliability", "classified")} (${plural(sumOf(at(p), "reliability", "exceptions"), "exception")})`]);
  drawUnderTriage(periods, at, per);
  drawRates("chart-followup", `Closures confirmed and reopened ${per}`, periods, at, [
    ["employee-confirmed", "closure", "employee_confirmed", "reconciled", SOFT],
    ["reopened within 30 days", "closure", "reopened_within_30_days", "reconciled", COLOURS[2]],
  ], ["Reconciled closures", (p) => sumOf(at(p), "closure", "reconciled")]);
  drawRepeated(periods, at, per);
  drawLeavers(body, periods, at, per);
}

function drawUnderTriage(periods, at, per) {
  const label = `Under-triage by category ${per}`;
  const tally = (p, code) => at(p).reduce((t, r) => {
    const c = r.reliability.under_triage_by_category[code];
    return c ? [t[0] + c.under_triaged, t[1] + c.classified] : t;
  }, [0, 0]);
  const codes = [...new Set(periods.flatMap((p) => at(p).flatMap(
    (r) => Object.keys(r.reliability.under_triage_by_category))))].sort();
  const rows = codes.map((code) => ({
    name: code,
    cells: periods.map((p) => {
      const [k, n] = tally(p, code);
      return { value: n ? k / n : null, text: n ? `${k}/${n}` : "", title: percentOf(k, n).title };
    }),
  }));
  const figure = $("chart-under-triage");
  const wasOpen = figure.querySelector("details")?.open;
  const kept = figure.querySelectorAll(":scope > figcaption, :scope > p.note:not(.gap)");
  const lines = periods.flatMap((p) => {
    const seen = codes.filter((code) => tally(p, code)[1]);
    return seen.length ? seen.map((code) => [p, code, percentOf(...tally(p, code)).title])
      : [[p, "—", "no classified report"]];
  });
  const table = periodTable("Under-triage by category", per,
                            ["Category", "Under-triaged of classified (95% CI)"], lines, wasOpen);
  figure.replaceChildren(...kept, heatMap(label, periods, rows), table);
}

function drawRepeated(periods, at, per) {
  const count = (field) => periods.map((p) => sumOf(at(p), "closure", field));
  const byLine = (p) => at(p).reduce((n, r) => n + Object.values(r.closure.repeated_doubtful_by_manager_line || {})
    .reduce((a, b) => a + b, 0), 0);
  const doubtful = periods.map((p) => sumOf(at(p), "closure", "doubtful") + sumOf(at(p), "closure", "failed"));
  draw("chart-repeated", `Doubtful and repeated doubtful closures ${per}`, periods,
       [{ name: "doubtful or failed", values: doubtful, colour: COLOURS[1] },
        { name: "repeated: same reviewing role", values: count("repeated_doubtful_closures"), colour: COLOURS[2] },
        { name: "repeated: same manager line", values: periods.map(byLine), colour: COLOURS[0] }],
       "", undefined, undefined,
       { columns: ["Doubtful or failed", "Repeated (same reviewing role)", "By reviewing role",
                   "Repeated (same manager line)", "By manager line"],
         rows: periods.map((p, i) => [p, doubtful[i], count("repeated_doubtful_closures")[i],
                                      countsText(at(p), "closure", "repeated_doubtful_by_reviewer"),
                                      byLine(p), countsText(at(p), "closure", "repeated_doubtful_by_manager_line")]) });
}

function drawLeavers(body, periods, at, per) {
  const figure = $("chart-leavers");
  const gap = (body.not_available || []).find((g) => g.measure === "leavers");
  if (gap) {
    figure.replaceChildren(...figure.querySelectorAll(":scope > figcaption, :scope > p.note:not(.gap)"));
    gapNote("chart-leavers", body.group, gap);
    return;
  }
  const part = (side) => periods.map((p) => percentOf(
    at(p).reduce((n, r) => n + (r[`${side}_leavers`] || 0), 0),
    at(p).reduce((n, r) => n + (r[`${side}_workers`] || 0), 0)));
  const exposed = part("exposed"), not = part("not_exposed");
  draw("chart-leavers", `Leavers ${per}`, periods,
       [{ name: "exposed to weak response", values: exposed.map((f) => f.value), titles: exposed.map((f) => f.title), colour: COLOURS[2] },
        { name: "not exposed", values: not.map((f) => f.value), titles: not.map((f) => f.title), colour: COLOURS[0] }],
       "%", undefined, 100,
       { columns: ["Leavers, exposed (of those employed at the start)", "Leavers, not exposed"],
         rows: periods.map((p, i) => [p, exposed[i].title, not[i].title]) });
}
