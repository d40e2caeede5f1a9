"use strict";
const $ = (id) => document.getElementById(id);
let me = null;

function token() { return sessionStorage.getItem("nearmiss-token") || ""; }
// Served to a person signed in to the staff pages: their session's cookie authorises the reads.
const viaSession = () => document.body.dataset.session === "signed-in";

function auth() { return token() && !viaSession() ? { "Authorization": "Bearer " + token() } : {}; }

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { ...auth(), "Content-Type": "application/json", ...(options.headers || {}) },
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(typeof body.detail === "string" ? body.detail : response.statusText);
    error.status = response.status;
    throw error;
  }
  return body;
}

function row(cells, onClick) {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    const td = document.createElement("td");
    if (cell instanceof Node) { td.appendChild(cell); } else { td.textContent = cell ?? ""; }
    tr.appendChild(td);
  }
  if (onClick) { tr.style.cursor = "pointer"; tr.addEventListener("click", onClick); }
  return tr;
}

function fill(id, rows, empty) {
  const body = $(id);
  body.replaceChildren(...rows);
  if (!rows.length) { body.appendChild(row([empty])); }
}

function timeLeft(iso) {
  if (!iso) { return ""; }
  const minutes = Math.round((new Date(iso) - new Date()) / 60000);
  const text = Math.abs(minutes) >= 120 ? `${Math.round(Math.abs(minutes) / 60)} h` : `${Math.abs(minutes)} min`;
  return minutes < 0 ? `overdue by ${text}` : text;
}

// The provider's zone (settings), served with the page: "today" is the provider's day.
const zone = () => document.body.dataset.zone || "Europe/London";

function localDate(date) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone() }).format(date);
}

// A calendar date as the staff pages write it: "2026-12-07" → "Mon 7 Dec 2026".
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
function dayWords(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  return `${DAYS[day.getUTCDay()]} ${d} ${MONTHS[m - 1]} ${y}`;
}

// A report reference linking to its case page (the API gives both); plain text without a page.
function caseLink(text, href) {
  if (!href) { return text; }
  const a = document.createElement("a");
  a.href = href; a.textContent = text;
  return a;
}

// The day before an ISO date ("2026-12-08" → "2026-12-07").
function dayBefore(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

// Opened on today's date before the morning's review exists: the latest review of the week
// before, said so (a person who picks a date sees that date's review or that there is none).
const LOOK_BACK_DAYS = 7;

async function latestReview(date) {
  let day = date;
  for (let i = 0; i <= LOOK_BACK_DAYS; i += 1, day = dayBefore(day)) {
    try {
      return [day, await api(`/reviews/ack-review-${day}`)];
    } catch (error) {
      if (error.status !== 404 || i === LOOK_BACK_DAYS) { throw error; }
    }
  }
  throw new Error("unreachable");
}

// What the review box says before its data arrives: loading while it is asked for (signed in,
// or with a token), and "Sign in" only when nobody is (the walk of 8 December read "Sign in to
// load the review." signed in, above an empty table, until the review came).
const LOADING = "Loading the review…";
const SIGNED_OUT = "Sign in to load the review.";

function reviewLoading(busy) {
  $("review").setAttribute("aria-busy", busy ? "true" : "false");
  if (busy) {
    $("review-status").textContent = LOADING;
    $("review-status").className = "muted";
    $("review-counts").replaceChildren();
    fill("exceptions", [], LOADING);
  }
}

async function loadReview(event) {
  const asked = $("review-date").value;
  $("mark-reviewed").hidden = true;
  $("mark-reviewed-page").hidden = true;
  reviewLoading(true);
  try {
    const [date, review] = event ? [asked, await api(`/reviews/ack-review-${asked}`)] : await latestReview(asked);
    $("review-date").value = date;
    const counts = review.summary.counts || {};
    const earlier = date === asked ? "" : `No review of ${dayWords(asked)} yet; the latest is shown. `;
    $("review-status").textContent = earlier +
      `${review.title || "Review " + review.review_id}: ${review.status_words || review.status}` +
      (review.reviewed_by
        ? ` by ${review.reviewed_by_name || review.reviewed_by} on ${review.reviewed_at_words || review.reviewed_at}`
        : "");
    $("review-counts").replaceChildren(...Object.entries(counts).map(([k, v]) => {
      const span = document.createElement("span"); span.className = k;
      span.textContent = `${k.replaceAll("_", " ")}: ${v}`; return span;
    }), Object.assign(document.createElement("span"), { textContent: `exceptions: ${review.summary.exceptions ?? 0}` }));
    const exceptions = review.items.filter((item) => item.reasons && item.reasons.length);
    fill("exceptions", exceptions.map((item) => row([
      caseLink(item.reference, item.case_href), (item.reasons_words || item.reasons).join("; "),
    ])),
         "No exceptions.");
    const canMark = me.roles.includes("safety_learning_assurance_analyst") && review.status !== "reviewed";
    // Signed in: marking is done on the review's staff page (its form carries the CSRF token).
    $("mark-reviewed").hidden = !canMark || viaSession();
    $("mark-reviewed-page").hidden = !canMark || !viaSession();
    $("mark-reviewed-page").href = `/app/reviews/${encodeURIComponent(review.review_id)}`;
    $("mark-reviewed").dataset.review = review.review_id;
  } catch (error) {
    $("review-status").textContent = error.status === 404
      ? `No daily review of ${dayWords(asked)} has been generated${event ? "" : ` (nor in the ${LOOK_BACK_DAYS} days before)`}.`
      : `The review of ${dayWords(asked)} could not be loaded: ${error.message}`;
    $("review-counts").replaceChildren();
    fill("exceptions", [], "");
  } finally {
    reviewLoading(false);
  }
}

async function loadSteps() {
  const cases = await api("/cases");
  const list = Array.isArray(cases) ? cases : (cases.cases || cases.items || []);
  const mine = list.filter((c) => c.status === "open" &&
    ((c.assigned_role && me.roles.includes(c.assigned_role)) || c.assignee === me.employee_id));
  fill("steps", mine.map((c) => {
    const left = c.time_left_words || timeLeft(c.deadline);
    const cell = document.createElement("span"); cell.textContent = left;
    if (left.startsWith("overdue")) { cell.className = "overdue"; }
    return row([caseLink(c.reference || c.case_id, c.href), c.step_title || c.stage,
                c.deadline_words || c.deadline, cell, c.level_words || c.escalation_level],
               () => loadTimeline(c.case_id));
  }), "Nothing waiting for you.");
}

// Open breaches a page at a time (GET /escalations keyset paging: the Next-Cursor header).
const BREACHES_PAGE = 50;
let breachPages = { cursors: [""], next: null };  // the cursor of each page shown so far

async function loadEscalations(cursor = "") {
  const query = `?limit=${BREACHES_PAGE}` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : "");
  const response = await fetch(`/escalations${query}`, { headers: auth() });
  const list = response.ok ? await response.json() : [];
  if (!response.ok) {  // said once, never beside "No open breaches"
    $("escalations-range").textContent = `Open breaches could not be read (${response.status}).`;
    $("escalations").replaceChildren();
    $("escalation-pages").hidden = true;
    return;
  }
  fill("escalations", list.map((b) => row([
    caseLink(b.reference || b.case_id, b.href), b.step_title || b.step,
    b.deadline_words || b.deadline, b.level_words || b.level],
       () => loadTimeline(b.case_id))), "No open breaches.");
  if (!cursor) { breachPages = { cursors: [""], next: null }; }
  breachPages.next = response.headers.get("Next-Cursor");
  const page = breachPages.cursors.length;
  const first = (page - 1) * BREACHES_PAGE + 1;
  if (response.ok && list.length) {
    $("escalations-range").textContent = page === 1 && !breachPages.next
      ? `All ${list.length} open breaches, first escalated first.`
      : `Open breaches ${first} to ${first + list.length - 1}, first escalated first` +
        (breachPages.next ? "; more follow." : "; that is all of them.");
  } else if (response.ok) {
    $("escalations-range").textContent = "";
  }
  $("escalation-pages").hidden = page === 1 && !breachPages.next;
  $("escalations-first").hidden = page === 1;
  $("escalations-next").hidden = !breachPages.next;
}

async function nextBreaches(event) {
  event.preventDefault();
  if (!breachPages.next) { return; }
  breachPages.cursors.push(breachPages.next);
  await loadEscalations(breachPages.next);
  $("escalations-range").focus();
}

async function firstBreaches(event) {
  event.preventDefault();
  await loadEscalations();
  $("escalations-range").focus();
}

async function loadTimeline(caseId) {
  const detail = await api(`/cases/${caseId}`);
  const step = detail.step_title || detail.stage || "";
  $("timeline-case").textContent = `${detail.reference || caseId} (${step})`;
  const events = detail.timeline || [];
  fill("timeline", events.map((e) => row([e.at_words || e.at, e.what_words || e.kind,
                                          e.actor_words || e.actor])),
       "No events yet.");
}

// The page's case reads (open steps, breaches, a case's timeline) as the access policy admits
// them (the page is served with each read's roles): a role without them is told so, once.
function mayRead(read) {
  const readers = JSON.parse(document.body.dataset.readers || "{}");
  return (readers[read] || []).some((role) => me.roles.includes(role));
}

function showCaseReads() {
  const steps = mayRead("cases");
  const breaches = mayRead("escalations");
  $("my-steps").hidden = !steps;
  $("timeline-section").hidden = !steps;
  $("breaches").hidden = !breaches;
  const note = $("case-reads");
  note.hidden = steps && breaches;
  note.textContent = note.hidden ? "" :
    "Open steps, breaches and case timelines are for the governance roles; your role reads " +
    "the daily review and the trends here.";
  if (steps) { fill("timeline", [], "Choose a case in My open steps or Breaches to see its timeline."); }
  return [steps ? loadSteps() : null, breaches ? loadEscalations() : null];
}

async function refresh() {
  reviewLoading(true);
  try {
    me = await api("/me");
    const roleNames = JSON.parse(document.body.dataset.roleNames || "{}");
    // Signed in, the staff pages' header replaces the token bar and its "who" line.
    if ($("who")) $("who").textContent = `${me.display_name} (${me.roles.map((r) => roleNames[r] || r).join(", ")})`;
  } catch (error) {
    if ($("who")) $("who").textContent = `not signed in: ${error.message}`;
    reviewLoading(false);
    $("review-status").textContent = SIGNED_OUT;
    fill("exceptions", [], "");
    trendsRequest += 1;
    hideTrends();
    return;
  }
  await Promise.allSettled([loadReview(), ...showCaseReads(), loadTrends()]);
}

// Wired once every script of the page has run (trends.js defines the Trends section).
window.addEventListener("DOMContentLoaded", () => {

  // The token bar is there only signed out (signed in, the staff pages' header replaces it).
  if ($("signin")) $("signin").addEventListener("click", () => {
    sessionStorage.setItem("nearmiss-token", $("token").value.trim());
    refresh();
  });
  $("review-date").addEventListener("change", loadReview);
  $("escalations-next").addEventListener("click", nextBreaches);
  $("escalations-first").addEventListener("click", firstBreaches);
  $("trends-group").addEventListener("change", loadTrends);
  $("trends-range").addEventListener("change", loadTrends);
  $("trends-period").addEventListener("change", loadTrends);
  $("series-show").addEventListener("change", drawSeries);
  $("mark-reviewed").addEventListener("click", async () => {
    const reviewId = $("mark-reviewed").dataset.review;
    try {
      await api(`/reviews/${reviewId}/reviewed`, { method: "POST", headers: { "Idempotency-Key": crypto.randomUUID() } });
      $("mark-reviewed").hidden = true;
      $("review-status").textContent = `Marked reviewed; cases are opening.`;
      setTimeout(refresh, 500);
    } catch (error) {
      $("review-status").textContent = `Could not mark reviewed: ${error.message}`;
      $("review-status").className = "error";
    }
  });

  $("review-date").value = localDate(new Date());
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get("token")) {
    sessionStorage.setItem("nearmiss-token", fragment.get("token"));
    history.replaceState(null, "", location.pathname);
  }
  if (fragment.get("date")) { $("review-date").value = fragment.get("date"); }
  if (viaSession()) {
    refresh();
  } else if (token()) { refresh(); }
});
