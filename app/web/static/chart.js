// A small inline-SVG line chart (no third-party code): time on x, one line per series.

const NS = "http://www.w3.org/2000/svg";
const COLORS = ["#2563eb", "#16a34a", "#d97706", "#9333ea"];

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function niceMax(value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

const clock = (ms) => new Date(ms).toLocaleTimeString("en-GB", { hour12: false });

export function lineChart(title, times, series, format = (v) => v.toLocaleString("en-US", { maximumFractionDigits: 1 })) {
  const width = 520;
  const height = 200;
  const pad = { left: 64, right: 12, top: 24, bottom: 28 };
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "line-chart", role: "img", "aria-label": title, "data-points": times.length });
  root.append(svg("text", { x: pad.left, y: 15, class: "chart-title" }, title));
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const top = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const t0 = times.length ? times[0] : 0;
  const t1 = times.length > 1 ? times[times.length - 1] : t0 + 1;
  const x = (t) => pad.left + ((t - t0) / (t1 - t0 || 1)) * plotW;
  const y = (v) => pad.top + plotH - (v / top) * plotH;
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    root.append(svg("line", { x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v), class: "grid" }));
    root.append(svg("text", { x: pad.left - 6, y: y(v) + 4, class: "axis", "text-anchor": "end" }, format(v)));
  }
  if (times.length) {
    root.append(svg("text", { x: pad.left, y: height - 8, class: "axis" }, clock(t0)));
    root.append(svg("text", { x: width - pad.right, y: height - 8, class: "axis", "text-anchor": "end" }, clock(t1)));
  } else {
    root.append(svg("text", { x: pad.left + plotW / 2, y: pad.top + plotH / 2, class: "axis", "text-anchor": "middle" }, "no samples yet"));
  }
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    if (times.length) {
      const points = times.map((t, j) => `${x(t).toFixed(1)},${y(s.values[j] || 0).toFixed(1)}`).join(" ");
      root.append(svg("polyline", { points, fill: "none", stroke: color, "stroke-width": 2, "data-series": s.name }));
    }
    const lx = width - pad.right - 140 + i * 70;
    root.append(svg("rect", { x: lx, y: 6, width: 10, height: 10, fill: color }));
    root.append(svg("text", { x: lx + 14, y: 15, class: "axis" }, s.name));
  });
  return root;
}
