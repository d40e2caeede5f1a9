"use strict";
// The Trends section's time axis: bar charts (inline SVG, built here) of /analytics/series.
const SVG = "http://www.w3.org/2000/svg";
const COLOURS = ["#2f5d8a", "#d9822b", "#b00020"];
const SOFT = "#3d8c5a"; // a fourth colour (credible closures, visible learning)

function svgEl(name, attrs, text) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) { el.setAttribute(k, String(v)); }
  if (text !== undefined) { el.textContent = text; }
  return el;
}

function niceTop(values) {
  const top = Math.max(0, ...values.filter((v) => v !== null && v !== undefined));
  if (top <= 0) { return 1; }
  const raw = top / 4, power = 10 ** Math.floor(Math.log10(raw));
  const counts = values.every((v) => v === null || v === undefined || Number.isInteger(v));
  const factors = counts ? [1, 2, 3, 5, 10] : [1, 2, 2.5, 5, 10]; // counts: whole-number steps
  const step = Math.max(counts ? 1 : 0, factors.map((f) => f * power).find((s) => raw <= s + 1e-9));
  return step * 4; // four round steps: the axis reads 0, step, 2 steps, …
}

// series: [{name, values, colours?, titles?}], periods: labels, top: a fixed axis top (else
// rounded up from the values); returns an <svg> with a legend, a value
// axis, one group of bars per period (each bar titled with its value) and period labels.
function barChart(label, periods, series, unit, fixedTop) {
  const width = 520, height = 200, left = 40, bottom = 46, top = 10;
  const plotW = width - left - 8, plotH = height - top - bottom;
  const max = fixedTop || niceTop(series.flatMap((s) => s.values));
  const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label });
  svg.appendChild(svgEl("title", {}, label));
  for (let i = 0; i <= 4; i++) {
    const y = top + plotH - (plotH * i) / 4;
    svg.appendChild(svgEl("line", { x1: left, x2: width - 8, y1: y, y2: y, stroke: "#e3e8ee" }));
    svg.appendChild(svgEl("text", { x: left - 4, y: y + 4, "font-size": 11, "text-anchor": "end" },
                          String(Math.round((max * i) / 4 * 100) / 100)));
  }
  const slot = plotW / Math.max(1, periods.length);
  const barW = Math.max(2, Math.min(24, (slot - 4) / series.length));
  periods.forEach((period, p) => {
    series.forEach((s, k) => {
      const value = s.values[p] ?? 0;
      const h = (plotH * value) / max;
      const x = left + p * slot + (slot - barW * series.length) / 2 + k * barW;
      const bar = svgEl("rect", { x, y: top + plotH - h, width: barW - 1, height: h,
                                  fill: (s.colours && s.colours[p]) || COLOURS[k], class: "chart-bar" });
      const said = (s.titles && s.titles[p]) || `${s.values[p] ?? "—"}${unit}`;
      bar.appendChild(svgEl("title", {}, `${periodWords(period, true)} — ${s.name}: ${said}`));
      svg.appendChild(bar);
    });
    const cx = left + p * slot + slot / 2, cy = top + plotH + 14;
    svg.appendChild(svgEl("text", { x: cx, y: cy, "font-size": 10, "text-anchor": "end",
                                    transform: `rotate(-40 ${cx} ${cy})` }, periodWords(period)));
  });
  return svg;
}

function legend(items) {
  const div = document.createElement("div"); div.className = "legend";
  for (const [name, colour] of items) {
    const span = document.createElement("span");
    const swatch = document.createElement("i"); swatch.style.background = colour;
    span.append(swatch, name);
    div.appendChild(span);
  }
  return div;
}

// A grid of rates: one row per name, one column per period; each cell shaded by its rate (white
// to deep orange), says its count ("2/3") and is titled with the full figures.
function heatMap(label, periods, rows) {
  const left = 120, top = 8, cellH = 20, bottom = 46, width = 520;
  const cellW = (width - left - 8) / Math.max(1, periods.length);
  const height = top + cellH * Math.max(1, rows.length) + bottom;
  const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label });
  svg.appendChild(svgEl("title", {}, label));
  rows.forEach((r, k) => {
    const y = top + k * cellH;
    svg.appendChild(svgEl("text", { x: left - 6, y: y + 14, "font-size": 11, "text-anchor": "end" }, r.name));
    r.cells.forEach((cell, p) => {
      const x = left + p * cellW;
      const light = cell.value === null ? 97 : Math.round(95 - 40 * cell.value);
      const rect = svgEl("rect", { x: x + 1, y: y + 1, width: cellW - 2, height: cellH - 2,
                                   fill: `hsl(28, 80%, ${light}%)`, class: "chart-cell" });
      rect.appendChild(svgEl("title", {}, `${periodWords(periods[p], true)} — ${r.name}: ${cell.title}`));
      svg.appendChild(rect);
      if (cell.text) {
        svg.appendChild(svgEl("text", { x: x + cellW / 2, y: y + 14, "font-size": 10,
                                        "text-anchor": "middle", "pointer-events": "none" }, cell.text));
      }
    });
  });
  const axis = top + cellH * Math.max(1, rows.length);
  periods.forEach((period, p) => {
    const cx = left + p * cellW + cellW / 2, cy = axis + 14;
    svg.appendChild(svgEl("text", { x: cx, y: cy, "font-size": 10, "text-anchor": "end",
                                    transform: `rotate(-40 ${cx} ${cy})` }, periodWords(period)));
  });
  return svg;
}
