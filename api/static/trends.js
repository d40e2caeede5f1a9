"use strict";
// The Trends section: retention analytics per group over a range (readers only).
const GROUP_LABELS = { service_line: "Service line", manager_line: "Manager line", risk_domain: "Risk domain" };
let trendsRequest = 0;

function addDays(iso, days) {
  const day = new Date(`${iso}T12:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return day.toISOString().slice(0, 10);
}

// "current reviews": from the first day of the month the latest closure review covers (the
// previous month; the one before it until this month's review has surely run: it runs on the
// month's first working day, never later than the 5th) and at least 35 days back (the latest
// learning audit's cycle began at most 28 days before its successor's audit, plus holidays),
// so the current review of each example is in the range.
function currentFrom(to) {
  const reviewed = new Date(`${to.slice(0, 7)}-01T12:00:00Z`);
  reviewed.setUTCMonth(reviewed.getUTCMonth() - (Number(to.slice(8, 10)) <= 5 ? 2 : 1));
  return [reviewed.toISOString().slice(0, 10), addDays(to, -35)].sort()[0];
}

function head(id, labels) {
  const tr = document.createElement("tr");
  for (const label of labels) {
    const th = document.createElement("th"); th.textContent = label; tr.appendChild(th);
  }
  $(id).replaceChildren(tr);
}

function notes(id, items) {
  $(id).replaceChildren(...items.map((item) => {
    const p = document.createElement("p"); p.className = "note";
    p.textContent = typeof item === "string" ? item
      : `Not available: ${String(item.measure).replaceAll("_", " ")}: ${item.reason}`;
    return p;
  }));
}

function byGroup(rows, group) {
  const groups = new Map();
  for (const r of rows) {
    const key = String(r[group] ?? "unknown");
    if (!groups.has(key)) { groups.set(key, []); }
    groups.get(key).push(r);
  }
  return groups;
}

const total = (rows, field) => rows.reduce((sum, r) => sum + (Number(r[field]) || 0), 0);

function median(values) {
  const sorted = values.filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
  if (!sorted.length) { return null; }
  const middle = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return Math.round(value * 100) / 100;
}

function figure(text, fraction) {
  const span = document.createElement("span"); span.className = "figure";
  if (fraction !== null && fraction !== undefined) {
    const bar = document.createElement("span"); bar.className = "bar";
    bar.style.width = `${Math.round(Math.max(0, Math.min(1, fraction)) * 60)}px`;
    span.appendChild(bar);
  }
  span.appendChild(document.createTextNode(text));
  return span;
}

function rate(numerator, denominator) {
  if (!denominator) { return figure("—", null); }
  return figure(percentOf(numerator, denominator).title, numerator / denominator);
}

function sortedRows(groups, render) {
  return [...groups.keys()].sort((a, b) => a.localeCompare(b)).map((key) => render(key, groups.get(key)));
}

function showAcknowledgment(group, rows, triage) {
  head("trend-ack-head", [GROUP_LABELS[group], "Reviews", "Reports", "Threshold breaches",
                          "Median hours to first acknowledgment (working hours)"]);
  const groups = byGroup(rows, group);
  const most = Math.max(1, ...[...groups.values()].map((g) => total(g, "threshold_breaches")));
  fill("trend-ack", sortedRows(groups, (key, g) => {
    const breaches = total(g, "threshold_breaches");
    const minutes = median(g.map((r) => r.median_minutes_to_first_acknowledgment));
    const working = median(g.map((r) => r.median_working_hours_to_first_acknowledgment));
    return row([key, g.length, total(g, "reports"), figure(String(breaches), breaches / most),
                minutes === null ? "—" : `${(minutes / 60).toFixed(1)} h (${working ?? "—"} working h)`]);
  }), "No daily review in this range.");
  notes("trend-ack-notes", [
    "Reports and breaches are summed over the daily reviews in the range (a report open at several reviews counts at each); the median is the median of the reviews' medians.",
    "Time to a named triage owner per week, in hours with working hours beside them: the chart above.",
    ...(triage?.not_available || []),
  ]);
}

function showLearning(group, body) {
  head("trend-learning-head", [GROUP_LABELS[group], "Audits", "Reconciled reports",
                               "Feedback to reporter", "Shared learning", "Recurrence within 30 days"]);
  fill("trend-learning", sortedRows(byGroup(body.rows, group), (key, g) => {
    const reconciled = total(g, "reconciled");
    return row([key, g.length, reconciled,
                rate(total(g, "feedback_to_reporter"), reconciled),
                rate(total(g, "shared_learning_issued"), total(g, "shared_learning_required")),
                rate(total(g, "recurrence_within_30_days"), reconciled)]);
  }), "No learning audit whose cycle starts in this range.");
  notes("trend-learning-notes", body.not_available || []);
}

function showClosure(group, body) {
  head("trend-closure-head", [GROUP_LABELS[group], "Months", "Reconciled closures",
                              "Employee-confirmed", "Reopened within 30 days"]);
  fill("trend-closure", sortedRows(byGroup(body.rows, group), (key, g) => {
    const reconciled = total(g, "reconciled");
    return row([key, g.length, reconciled, rate(total(g, "employee_confirmed"), reconciled),
                rate(total(g, "reopened_within_30_days"), reconciled)]);
  }), "No closure review of a month overlapping this range.");
  notes("trend-closure-notes", [
    "Monthly reviews of every month overlapping the range.", ...(body.not_available || []),
  ]);
}

function showWorkforce(group, body) {
  head("trend-workforce-head", [GROUP_LABELS[group], "Confidence mean score (responses)",
                                "Reports per 7 days", "Leaver rate, exposed", "Leaver rate, not exposed"]);
  const confidence = byGroup(body.confidence, group);
  const reporting = byGroup(body.reporting, group);
  const leavers = byGroup(body.leavers_over_range, group);
  const keys = new Map([...confidence.keys(), ...reporting.keys(), ...leavers.keys()].map((k) => [k, null]));
  fill("trend-workforce", sortedRows(keys, (key) => {
    const answers = (confidence.get(key) || []).filter((r) => r.responses);
    const responses = total(answers, "responses");
    const weighted = answers.reduce((sum, r) => sum + r.mean_score * r.responses, 0);
    const reports = reporting.get(key) || [];
    const days = total(reports, "days");
    const range = (leavers.get(key) || [])[0];
    return row([key,
                responses ? figure(`${(weighted / responses).toFixed(2)} (${responses})`, weighted / responses / 5) : "—",
                days ? (total(reports, "reports") * 7 / days).toFixed(2) : "—",
                range ? rate(range.exposed_leavers, range.exposed_workers) : "—",
                range ? rate(range.not_exposed_leavers, range.not_exposed_workers) : "—"]);
  }), "No workforce data in this range.");
  notes("trend-workforce-notes", [
    "Exposed: workers with a report classed emerging or critical, or a closure classed doubtful or failed, before leaving.",
    ...(body.not_available || []),
  ]);
}

function showFailure(id, error) {
  const failed = row([`Could not load: ${error.message}`]);
  failed.className = "error";
  $(id).replaceChildren(failed);
  $(`${id}-notes`).replaceChildren();
}

function clearTrends(status) {
  $("trends-status").textContent = status;
  for (const part of ["ack", "learning", "closure", "workforce"]) {
    for (const id of [`trend-${part}`, `trend-${part}-head`, `trend-${part}-notes`]) { $(id).replaceChildren(); }
  }
}

function hideTrends() {
  $("trends").hidden = true;
  clearTrends("");
}

async function loadTrends() {
  const request = ++trendsRequest;
  const group = $("trends-group").value;
  const to = localDate(new Date());
  const choice = $("trends-range").value;
  const from = choice === "current" ? currentFrom(to) : addDays(to, 1 - Number(choice));
  const query = `from=${from}&to=${to}&group=${encodeURIComponent(group)}`;
  $("trends-range-label").textContent = `${dayWords(from)} to ${dayWords(to)}`;
  let acknowledgment;
  try {
    acknowledgment = await api(`/analytics/acknowledgment?${query}`);
  } catch (error) {
    if (request !== trendsRequest) { return; }
    if (error.status === 403 || error.status === 401) { hideTrends(); return; }
    $("trends").hidden = false;
    clearTrends(`Could not load trends: ${error.message}`);
    return;
  }
  const [triage, learning, closure, workforce, series] = await Promise.allSettled([
    api(`/analytics/triage?${query}`), api(`/analytics/learning?${query}`),
    api(`/analytics/closure?${query}`), api(`/analytics/workforce?${query}&period=month`),
    api(`/analytics/series?${query}&period=${$("trends-period").value}`),
  ]);
  if (request !== trendsRequest) { return; }
  $("trends").hidden = false;
  $("trends-status").textContent = "";
  showAcknowledgment(group, acknowledgment, triage.value);
  if (series.status === "fulfilled") { showSeries(series.value); }
  const parts = [["trend-learning", learning, showLearning], ["trend-closure", closure, showClosure],
                 ["trend-workforce", workforce, showWorkforce]];
  for (const [id, result, show] of parts) {
    if (result.status === "fulfilled") { show(group, result.value); } else { showFailure(id, result.reason); }
  }
}

