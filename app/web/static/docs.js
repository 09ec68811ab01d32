// Renders /openapi.json as a readable page: operations grouped by tag, each with its
// parameters, request body and responses; schemas shown as compact type trees. No third-party code.

const BASE = document.body.dataset.base || "";
const root = document.getElementById("docs");

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) node.setAttribute(k, v);
  for (const c of children.flat(Infinity)) if (c !== undefined && c !== null) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

let spec = null;

function deref(obj) {
  let seen = 0;
  while (obj && obj.$ref && seen++ < 20) {
    obj = obj.$ref.replace(/^#\//, "").split("/").reduce((o, k) => (o || {})[k], spec);
  }
  return obj || {};
}

function typeText(schema, depth = 0) {
  const refName = schema && schema.$ref ? schema.$ref.split("/").pop() : null;
  const s = deref(schema);
  if (s.oneOf) return s.oneOf.map((x) => typeText(x, depth)).join(" | ");
  let text = s.type || (s.properties ? "object" : "any");
  if (s.type === "array") text = `array of ${typeText(s.items || {}, depth)}`;
  if (s.format) text += ` (${s.format})`;
  if (s.enum) text += ` one of ${s.enum.join(", ")}`;
  if (s.nullable) text += " | null";
  if (refName && depth > 0) text = `${refName}`;
  return text;
}

function schemaTree(schema, depth = 0) {
  const s = deref(schema);
  if (depth > 3) return el("span", { class: "muted" }, typeText(schema, 1));
  if (s.type === "array" && s.items) return el("div", {}, el("span", { class: "muted" }, "array of"), schemaTree(s.items, depth + 1));
  if (s.oneOf) return el("div", {}, s.oneOf.map((x, i) => el("div", {}, el("span", { class: "muted" }, i ? "or" : "one of"), schemaTree(x, depth + 1))));
  if (!s.properties) return el("code", {}, typeText(schema));
  const required = new Set(s.required || []);
  return el(
    "table",
    { class: "schema" },
    el(
      "tbody",
      {},
      Object.entries(s.properties).map(([name, prop]) => {
        const p = deref(prop);
        const nested = p.properties || (p.type === "array" && deref(p.items || {}).properties);
        return el(
          "tr",
          {},
          el("td", {}, el("code", {}, name), required.has(name) ? el("span", { class: "req" }, " *") : null),
          el("td", {}, nested ? schemaTree(prop, depth + 1) : el("code", {}, typeText(prop, 1)), p.description ? el("div", { class: "muted" }, p.description) : null),
        );
      }),
    ),
  );
}

function operation(path, method, op) {
  const params = (op.parameters || []).map(deref);
  const body = op.requestBody ? deref(op.requestBody) : null;
  const id = `${method}-${path}`.replace(/[^\w-]+/g, "_");
  return el(
    "details",
    { class: "op", id },
    el("summary", {}, el("span", { class: `method m-${method}` }, method.toUpperCase()), el("code", { class: "path" }, path), el("span", { class: "summary" }, op.summary || "")),
    op.description ? el("p", {}, op.description) : null,
    params.length
      ? el("div", {}, el("h4", {}, "Parameters"), el("table", { class: "schema" }, el("tbody", {}, params.map((p) => el("tr", {}, el("td", {}, el("code", {}, p.name), p.required ? el("span", { class: "req" }, " *") : null, el("div", { class: "muted" }, p.in)), el("td", {}, el("code", {}, typeText(p.schema || {})), p.description ? el("div", { class: "muted" }, p.description) : null))))))
      : null,
    body
      ? el("div", {}, el("h4", {}, "Request body"), Object.entries(body.content || {}).map(([type, media]) => el("div", {}, el("div", { class: "muted" }, type), schemaTree(media.schema || {}))))
      : null,
    el(
      "h4",
      {},
      "Responses",
    ),
    Object.entries(op.responses || {}).map(([status, response]) => {
      const r = deref(response);
      return el(
        "div",
        { class: "response" },
        el("span", { class: `status st-${String(status)[0]}` }, status),
        " ",
        r.description || "",
        Object.entries(r.content || {}).map(([type, media]) => el("div", { class: "media" }, el("div", { class: "muted" }, type), schemaTree(media.schema || {}))),
      );
    }),
  );
}

async function main() {
  const response = await fetch(`${BASE}/openapi.json`, { credentials: "same-origin" });
  spec = await response.json();
  const groups = {};
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = path.includes("/hazelcast/rest/maps/") ? "v1 prefix (same operations)" : (op.tags || ["other"])[0];
      (groups[tag] ||= []).push([path, method, op]);
    }
  }
  const order = Object.keys(groups).sort((a, b) => (a.startsWith("v1") ? 1 : 0) - (b.startsWith("v1") ? 1 : 0) || a.localeCompare(b));
  root.replaceChildren(
    el("h1", {}, spec.info.title, " ", el("span", { class: "muted" }, spec.info.version)),
    el("p", {}, spec.info.description || ""),
    el("nav", { class: "toc" }, order.map((tag) => el("a", { href: `#tag-${tag.replace(/\W+/g, "_")}` }, `${tag} (${groups[tag].length})`))),
    ...order.map((tag) => el("section", { id: `tag-${tag.replace(/\W+/g, "_")}` }, el("h2", {}, tag), groups[tag].map(([p, m, op]) => operation(p, m, op)))),
  );
}

main().catch((err) => {
  root.textContent = `Could not load the API description: ${err.message}`;
});
