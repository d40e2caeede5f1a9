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
  const step = [1, 2, 2.5, 5, 10].map((f) => f * power).find((s) => raw <= s);
  return step * Math.ceil(top / step);
}

// series: [{name, values, colours?, titles?}], periods: labels, top: a fixed axis top (else
// rounded up from the values); returns an <svg> with a legend, a value
// axis, one group of bars per period (each bar titled with its value) and period labels.
function barChart(label, periods, series, unit, fixedTop) {
  const width = 640, height = 220, left = 44, bottom = 46, top = 10;
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
      bar.appendChild(svgEl("title", {}, `${period} — ${s.name}: ${said}`));
      svg.appendChild(bar);
    });
    const cx = left + p * slot + slot / 2, cy = top + plotH + 14;
    svg.appendChild(svgEl("text", { x: cx, y: cy, "font-size": 10, "text-anchor": "end",
                                    transform: `rotate(-40 ${cx} ${cy})` }, period));
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
