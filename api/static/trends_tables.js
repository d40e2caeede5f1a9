"use strict";
// The figures of each Trends chart as a table per week or month, in a <details> under the chart:
// readable without a pointer or sight (every cell is text; nothing from the data is markup).

// A period as people say it: an ISO week "2026-W45" by its Monday ("2 Nov"; "Week of 2 Nov
// 2026" in full), a month "2026-11" as "Nov 2026"; anything else as it is (MONTHS: dashboard.js).
function periodWords(period, full) {
  const week = /^(\d{4})-W(\d{2})$/.exec(period);
  if (week) {
    const jan4 = new Date(Date.UTC(Number(week[1]), 0, 4));
    const monday = new Date(jan4);
    monday.setUTCDate(4 - ((jan4.getUTCDay() + 6) % 7) + (Number(week[2]) - 1) * 7);
    const day = `${monday.getUTCDate()} ${MONTHS[monday.getUTCMonth()]}`;
    return full ? `Week of ${day} ${monday.getUTCFullYear()}` : day;
  }
  const month = /^(\d{4})-(\d{2})$/.exec(period);
  return month ? `${MONTHS[Number(month[2]) - 1]} ${month[1]}` : period;
}

function cellText(value) {
  return value === null || value === undefined || value === "" ? "—" : String(value);
}

// columns: header labels after "Period"; rows: [period, ...cells]; keeps the open state.
function periodTable(label, per, columns, rows, wasOpen) {
  const details = document.createElement("details");
  details.className = "period-table";
  details.open = Boolean(wasOpen);
  const summary = document.createElement("summary");
  summary.textContent = `Table ${per}`;
  const wrap = document.createElement("div"); wrap.className = "scroll";
  wrap.tabIndex = 0; wrap.setAttribute("role", "region"); // scrolls sideways from the keyboard
  wrap.setAttribute("aria-label", `${label} ${per}, table`);
  const table = document.createElement("table");
  const caption = document.createElement("caption");
  caption.textContent = `${label} ${per}`;
  const headRow = document.createElement("tr");
  for (const name of ["Period", ...columns]) {
    const th = document.createElement("th"); th.scope = "col"; th.textContent = name;
    headRow.appendChild(th);
  }
  const thead = document.createElement("thead"); thead.appendChild(headRow);
  const tbody = document.createElement("tbody");
  for (const [period, ...cells] of rows) {
    const tr = document.createElement("tr");
    const th = document.createElement("th"); th.scope = "row"; th.textContent = periodWords(period, true);
    tr.appendChild(th);
    for (const cell of cells) {
      const td = document.createElement("td"); td.textContent = cellText(cell); tr.appendChild(td);
    }
    tbody.appendChild(tr);
  }
  table.append(caption, thead, tbody);
  wrap.appendChild(table);
  details.append(summary, wrap);
  return details;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

// "2.0 h (1.5 working h; 3 reports)" from a duration family of /analytics/series, or per group.
function durationText(rows, field) {
  const known = rows.filter((r) => r[field].n);
  if (!known.length) { return "— (no report with the time)"; }
  const n = known.reduce((s, r) => s + r[field].n, 0);
  const hours = medianOf(known.map((r) => r[field].median_hours));
  const working = medianOf(known.map((r) => r[field].median_working_hours));
  return `${hours} h (${working} working h; ${plural(n, "report")})`;
}

// How the hesitancy flag came out for one period's rows (one per group shown).
function hesitancyText(rows, group) {
  const assessed = rows.filter((r) => r.hesitancy_lower_bound !== null);
  if (!assessed.length) {
    return "not assessed (no head count, or fewer than 3 earlier periods with one)";
  }
  const flagged = assessed.filter((r) => r.hesitancy);
  const said = (r) => `${r.reports} reports, lower bound ${r.hesitancy_lower_bound} (expected ${r.expected_reports})`;
  if (flagged.length) {
    return `flagged: ${flagged.map((r) => `${r[group]}: ${said(r)}`).join("; ")}`;
  }
  return assessed.length === 1 ? `not flagged: ${said(assessed[0])}`
    : `not flagged (${assessed.length} groups assessed)`;
}

// Sums of a count per key (reviewer, manager line, category) over rows: "KEY: N; …".
function countsText(rows, family, field) {
  const totals = new Map();
  for (const r of rows) {
    for (const [key, n] of Object.entries(r[family][field] || {})) {
      totals.set(key, (totals.get(key) || 0) + n);
    }
  }
  if (!totals.size) { return "none"; }
  return [...totals.keys()].sort().map((k) => `${k.replaceAll("_", " ")}: ${totals.get(k)}`).join("; ");
}
