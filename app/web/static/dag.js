// Draw a SeaTunnel jobDag (vertexInfoMap + pipelineEdges) as inline SVG: columns by depth,
// each vertex with its type, name, rows and rows/s.

const NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function shorten(text, max) {
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

export function dagSvg(dag, figures, fmtInt, fmtRate) {
  const vertices = (dag && dag.vertexInfoMap) || [];
  const edges = Object.values((dag && dag.pipelineEdges) || {}).flat();
  const depth = {};
  const incoming = {};
  for (const e of edges) (incoming[e.targetVertexId] ||= []).push(String(e.inputVertexId));
  const depthOf = (id, seen = new Set()) => {
    if (id in depth) return depth[id];
    if (seen.has(id)) return 0;
    seen.add(id);
    const parents = incoming[id] || [];
    depth[id] = parents.length ? 1 + Math.max(...parents.map((p) => depthOf(p, seen))) : 0;
    return depth[id];
  };
  vertices.forEach((v) => depthOf(String(v.vertexId)));
  const columns = {};
  for (const v of vertices) (columns[depth[String(v.vertexId)]] ||= []).push(v);
  const boxW = 230;
  const boxH = 74;
  const gapX = 60;
  const gapY = 18;
  const maxRows = Math.max(1, ...Object.values(columns).map((c) => c.length));
  const width = Object.keys(columns).length * (boxW + gapX) - gapX + 20;
  const height = maxRows * (boxH + gapY) - gapY + 20;
  const root = svg("svg", { viewBox: `0 0 ${Math.max(width, 240)} ${height}`, class: "dag-svg", width: Math.max(width, 240), height });
  const defs = svg("defs");
  const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: "auto-start-reverse" });
  marker.append(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrow" }));
  defs.append(marker);
  root.append(defs);
  const place = {};
  for (const [col, list] of Object.entries(columns)) {
    list.forEach((v, i) => {
      place[String(v.vertexId)] = { x: 10 + Number(col) * (boxW + gapX), y: 10 + i * (boxH + gapY) };
    });
  }
  for (const e of edges) {
    const a = place[String(e.inputVertexId)];
    const b = place[String(e.targetVertexId)];
    if (!a || !b) continue;
    root.append(svg("path", { d: `M ${a.x + boxW} ${a.y + boxH / 2} C ${a.x + boxW + gapX / 2} ${a.y + boxH / 2}, ${b.x - gapX / 2} ${b.y + boxH / 2}, ${b.x} ${b.y + boxH / 2}`, class: "edge", "marker-end": "url(#arrow)" }));
  }
  for (const v of vertices) {
    const p = place[String(v.vertexId)];
    const f = figures[v.vertexId];
    const g = svg("g", { class: `vertex v-${v.type}`, "data-vertex": v.vertexId, transform: `translate(${p.x},${p.y})` });
    const label = String(v.vertexName || "").replace(/^pipeline-\d+ \[|\]$/g, "");
    g.append(svg("rect", { width: boxW, height: boxH, rx: 8 }));
    g.append(svg("text", { x: 10, y: 18, class: "v-type" }, `${v.type} · ${(v.tablePaths || []).join(", ")}`));
    g.append(svg("text", { x: 10, y: 38, class: "v-name" }, shorten(label, 30)));
    g.append(svg("text", { x: 10, y: 60, class: "v-rows", "data-rows": f ? f.rows : "" }, f ? `${fmtInt(f.rows)} rows · ${fmtRate(f.rate)} rows/s` : "rows: not measured"));
    const title = svg("title", {}, String(v.vertexName || ""));
    g.append(title);
    root.append(g);
  }
  return root;
}
