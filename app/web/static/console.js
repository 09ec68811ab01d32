// seatunnel-rest console: SeaTunnel's hash routes (#/overview, #/jobs, #/jobs/<id>, #/workers)
// plus #/submit. Plain ES module, no build step, no third-party code. Every value from the
// server is inserted as text (never as HTML).

import { lineChart } from "./chart.js";
import { dagSvg } from "./dag.js";

const BASE = document.body.dataset.base || "";
const view = document.getElementById("view");
let timers = [];
let generation = 0; // bumped on every route change: late answers of an old view are dropped

// ---------- small helpers ----------

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path, options = {}) {
  const response = await fetch(BASE + path, { credentials: "same-origin", ...options });
  const text = await response.text();
  let body = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (_) {
    /* not JSON */
  }
  if (!response.ok) {
    const message = body && typeof body === "object" && "message" in body ? body.message : text;
    throw new ApiError(response.status, message || response.statusText);
  }
  return body;
}

function every(ms, fn) {
  const mine = generation;
  let busy = false; // a slow answer must not let two ticks run at once (the log would repeat)
  const tick = async () => {
    if (mine !== generation || busy) return;
    busy = true;
    try {
      await fn();
    } catch (err) {
      flash(err.message, true);
    } finally {
      busy = false;
    }
  };
  tick();
  timers.push(setInterval(tick, ms));
}

function flash(message, isError = false) {
  let bar = document.getElementById("flash");
  if (!bar) {
    bar = el("div", { id: "flash", role: "status" });
    document.body.append(bar);
  }
  bar.textContent = message;
  bar.className = isError ? "error" : "ok";
  clearTimeout(flash.timer);
  flash.timer = setTimeout(() => (bar.className = "hidden"), 6000);
}

const num = (v) => (v === undefined || v === null || v === "" ? 0 : Number(v));
const fmtInt = (v) => num(v).toLocaleString("en-US");
const fmtRate = (v) => num(v).toLocaleString("en-US", { maximumFractionDigits: 1 });
function fmtBytes(v) {
  let n = num(v);
  for (const unit of ["B", "KiB", "MiB", "GiB"]) {
    if (n < 1024 || unit === "GiB") return `${n.toLocaleString("en-US", { maximumFractionDigits: 1 })} ${unit}`;
    n /= 1024;
  }
  return String(v);
}
const FINAL = ["FINISHED", "CANCELED", "FAILED", "SAVEPOINT_DONE", "UNKNOWABLE"];
const badge = (status) => el("span", { class: `badge s-${String(status).toLowerCase()}`, "data-status": status }, status);

function card(label, value, id) {
  return el("div", { class: "card" }, el("div", { class: "label" }, label), el("div", { class: "value", "data-figure": id }, value));
}

function table(headers, rows, attrs = {}) {
  return el(
    "table",
    attrs,
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
    el("tbody", {}, rows.length ? rows : el("tr", {}, el("td", { colspan: headers.length, class: "empty" }, "Nothing here yet."))),
  );
}

// ---------- views ----------

function overviewView() {
  const figures = el("div", { class: "cards", id: "overview-cards" });
  const running = el("div", { id: "overview-running" });
  view.replaceChildren(el("h1", {}, "Overview"), figures, el("h2", {}, "Running jobs"), running);
  every(2000, async () => {
    const o = await api("/overview");
    figures.replaceChildren(
      card("Version", `${o.projectVersion} (${o.gitCommitAbbrev})`, "version"),
      card("Workers", o.workers ?? o.works, "workers"),
      card("Slots", `${o.unassignedSlot} free of ${o.totalSlot}`, "slots"),
      card("Running", o.runningJobs, "runningJobs"),
      card("Pending", o.pendingJobs ?? "–", "pendingJobs"),
      card("Finished", o.finishedJobs, "finishedJobs"),
      card("Failed", o.failedJobs, "failedJobs"),
      card("Cancelled", o.cancelledJobs, "cancelledJobs"),
    );
    const list = await api("/job-list?state=running&rows=10");
    running.replaceChildren(jobTable(list.data));
  });
}

function jobTable(jobs) {
  return table(
    ["Id", "Name", "Status", "Created", "Finished", "Rows read", "Rows written"],
    jobs.map((j) =>
      el(
        "tr",
        { "data-job": j.jobId },
        el("td", {}, el("a", { href: `#/jobs/${j.jobId}` }, j.jobId)),
        el("td", {}, j.jobName),
        el("td", {}, badge(j.jobStatus)),
        el("td", {}, j.createTime || ""),
        el("td", {}, j.finishTime || ""),
        el("td", { class: "num" }, fmtInt(j.metrics.SourceReceivedCount)),
        el("td", { class: "num" }, fmtInt(j.metrics.SinkWriteCount)),
      ),
    ),
    { class: "jobs" },
  );
}

function jobsView(params) {
  const state = params.get("state") || "";
  const name = params.get("name") || "";
  const page = Math.max(1, Number(params.get("page") || 1));
  const rows = 20;
  const go = (changes) => {
    const next = new URLSearchParams({ state, name, page: String(page), ...changes });
    for (const [k, v] of [...next]) if (!v || (k === "page" && v === "1")) next.delete(k);
    location.hash = `#/jobs${next.toString() ? "?" + next : ""}`;
  };
  const stateSelect = el(
    "select",
    { name: "state", id: "filter-state", onchange: (e) => go({ state: e.target.value, page: "1" }) },
    [["", "All"], ["running", "Running"], ["finished", "Finished"], ...FINAL.concat(["PENDING", "RUNNING"]).map((s) => [s, s])].map(([v, label]) =>
      el("option", { value: v, selected: v === state }, label),
    ),
  );
  const nameInput = el("input", { name: "name", id: "filter-name", placeholder: "Name contains…", value: name });
  const form = el(
    "form",
    { class: "filters", onsubmit: (e) => (e.preventDefault(), go({ name: nameInput.value.trim(), page: "1" })) },
    el("label", {}, "State ", stateSelect),
    el("label", {}, "Name ", nameInput),
    el("button", { type: "submit" }, "Filter"),
  );
  const holder = el("div", { id: "jobs-table" });
  const pager = el("div", { class: "pager" });
  view.replaceChildren(el("h1", {}, "Jobs"), form, holder, pager);
  every(3000, async () => {
    const query = new URLSearchParams({ page: String(page), rows: String(rows) });
    if (state) query.set("state", state);
    if (name) query.set("name", name);
    const list = await api(`/job-list?${query}`);
    holder.replaceChildren(jobTable(list.data));
    const pages = Math.max(1, Math.ceil(list.total / rows));
    pager.replaceChildren(
      el("button", { disabled: page <= 1, onclick: () => go({ page: String(page - 1) }) }, "‹ Newer"),
      el("span", {}, ` Page ${page} of ${pages} · ${list.total} jobs `),
      el("button", { disabled: page >= pages, onclick: () => go({ page: String(page + 1) }) }, "Older ›"),
    );
  });
}

function confirmDialog(message, confirmLabel) {
  return new Promise((resolve) => {
    const dialog = el(
      "dialog",
      { id: "confirm" },
      el("p", {}, message),
      el(
        "div",
        { class: "actions" },
        el("button", { id: "confirm-no", onclick: () => (dialog.close(), resolve(false)) }, "Keep it running"),
        el("button", { id: "confirm-yes", class: "danger", onclick: () => (dialog.close(), resolve(true)) }, confirmLabel),
      ),
    );
    dialog.addEventListener("close", () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
  });
}

function vertexFigures(job) {
  const m = job.metrics || {};
  const pick = (map, tables) => (tables || []).reduce((sum, t) => sum + num((map || {})[t]), 0);
  const has = (map, tables) => (tables || []).some((t) => map && t in map);
  const out = {};
  for (const v of (job.jobDag && job.jobDag.vertexInfoMap) || []) {
    const [rows, rate] =
      v.type === "source"
        ? [m.TableSourceReceivedCount, m.TableSourceReceivedQPS]
        : [m.TableSinkWriteCount, m.TableSinkWriteQPS];
    out[v.vertexId] = has(rows, v.tablePaths) ? { rows: pick(rows, v.tablePaths), rate: pick(rate, v.tablePaths) } : null;
  }
  return out;
}

function jobView(jobId) {
  const head = el("div", { class: "job-head" });
  const actions = el("div", { class: "actions", id: "job-actions" });
  const figures = el("div", { class: "cards", id: "job-figures" });
  const dag = el("div", { class: "dag", id: "job-dag" });
  const rowsChart = el("div", { class: "chart", id: "chart-rows" });
  const bytesChart = el("div", { class: "chart", id: "chart-bytes" });
  const checkpoints = el("div", { id: "job-checkpoints" });
  const error = el("pre", { id: "job-error", class: "error-box hidden" });
  const config = el("pre", { id: "job-config", class: "code" });
  const log = el("pre", { id: "job-log", class: "code log" });
  view.replaceChildren(
    head,
    actions,
    figures,
    el("h2", {}, "DAG"),
    dag,
    el("h2", {}, "Throughput"),
    el("div", { class: "charts" }, rowsChart, bytesChart),
    error,
    el("h2", {}, "Checkpoints"),
    checkpoints,
    el("h2", {}, "Log"),
    log,
    el("details", { id: "config-details" }, el("summary", {}, "Configuration (secrets masked)"), config),
  );
  let job = null;
  let samples = [];
  let logOffset = null;
  let checkpointList = [];
  let actionsKey = "";

  const act = async (label, fn) => {
    try {
      await fn();
      flash(label);
    } catch (err) {
      flash(err.message, true);
    }
  };
  const stop = (body, label) => act(label, () => api("/stop-job", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ jobId: jobId, ...body }) }));

  function renderActions() {
    const ended = FINAL.includes(job.jobStatus);
    const key = `${job.jobStatus}|${checkpointList.map((c) => c.checkpointId).join(",")}`;
    if (key === actionsKey) return;
    actionsKey = key;
    if (!ended) {
      actions.replaceChildren(
        el("button", { id: "action-stop", onclick: () => stop({}, "Stop requested") }, "Stop"),
        el("button", { id: "action-savepoint", onclick: () => stop({ isStopWithSavePoint: true }, "Stop with savepoint requested") }, "Stop with savepoint"),
        el(
          "button",
          {
            id: "action-cancel",
            class: "danger",
            onclick: async () => {
              if (await confirmDialog(`Force-cancel job ${jobId}? It stops at once without a savepoint.`, "Force cancel")) stop({ force: true }, "Force cancel requested");
            },
          },
          "Force cancel",
        ),
      );
      return;
    }
    const choice = el(
      "select",
      { id: "restore-from" },
      el("option", { value: "" }, "the latest checkpoint"),
      checkpointList.map((c) => el("option", { value: c.checkpointId }, `${c.kind} ${c.checkpointId} (${c.time})`)),
    );
    actions.replaceChildren(
      el("label", {}, "Restore from ", choice),
      el(
        "button",
        {
          id: "action-restore",
          disabled: checkpointList.length === 0,
          title: checkpointList.length ? "" : "This job has no checkpoint",
          onclick: () =>
            act("Restore submitted", async () => {
              const body = choice.value ? { checkpointId: choice.value } : {};
              await api(`/jobs/${jobId}/restore`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
              actionsKey = "";
              samples = samples.slice(); // keep the history: a restored job goes on from its counters
            }),
        },
        "Restore",
      ),
    );
  }

  function renderCharts() {
    const t = samples.map((s) => s.time);
    rowsChart.replaceChildren(
      lineChart("Rows/s", t, [
        { name: "read", values: samples.map((s) => s.readRowsPerSecond) },
        { name: "write", values: samples.map((s) => s.writeRowsPerSecond) },
      ]),
    );
    bytesChart.replaceChildren(
      lineChart("Bytes/s", t, [
        { name: "read", values: samples.map((s) => s.readBytesPerSecond) },
        { name: "write", values: samples.map((s) => s.writeBytesPerSecond) },
      ], fmtBytes),
    );
  }

  every(1000, async () => {
    job = await api(`/job-info/${jobId}`);
    if (!job.jobStatus) {
      view.replaceChildren(el("h1", {}, `Job ${jobId}`), el("p", { class: "error-box" }, "No such job."));
      generation++;
      return;
    }
    const m = job.metrics || {};
    head.replaceChildren(
      el("h1", {}, job.jobName, " ", badge(job.jobStatus)),
      el("div", { class: "muted" }, `Job ${job.jobId} · created ${job.createTime || "–"}${job.finishTime ? " · finished " + job.finishTime : ""}`),
    );
    figures.replaceChildren(
      card("Rows read", fmtInt(m.SourceReceivedCount), "readRows"),
      card("Rows written", fmtInt(m.SinkWriteCount), "writeRows"),
      card("Read rows/s", fmtRate(m.SourceReceivedQPS), "readQps"),
      card("Write rows/s", fmtRate(m.SinkWriteQPS), "writeQps"),
      card("Read", fmtBytes(m.SourceReceivedBytes), "readBytes"),
      card("Written", fmtBytes(m.SinkWriteBytes), "writeBytes"),
    );
    dag.replaceChildren(dagSvg(job.jobDag, vertexFigures(job), fmtInt, fmtRate));
    if (job.errorMsg) {
      error.textContent = job.errorMsg;
      error.className = "error-box";
    } else error.className = "error-box hidden";
    const since = samples.length ? `?since=${samples[samples.length - 1].time}` : "";
    const fresh = await api(`/jobs/${jobId}/metric-samples${since}`);
    if (fresh.samples.length || !samples.length) {
      samples = samples.concat(fresh.samples);
      renderCharts();
    }
    const cps = await api(`/jobs/${jobId}/checkpoints`);
    checkpointList = cps.checkpoints;
    checkpoints.replaceChildren(
      table(
        ["Id", "Kind", "Time", "Size"],
        checkpointList.map((c) =>
          el("tr", {}, el("td", {}, c.checkpointId), el("td", {}, c.kind), el("td", {}, c.time), el("td", { class: "num" }, fmtBytes(c.size))),
        ),
        { class: "checkpoints" },
      ),
    );
    renderActions();
    if (!config.textContent) {
      const cfg = await api(`/jobs/${jobId}/config`);
      config.textContent = JSON.stringify(cfg.config, null, 2);
    }
    await tailLog();
  });

  async function tailLog() {
    if (logOffset !== null && job && FINAL.includes(job.jobStatus) && tailLog.doneAt === logOffset) return;
    let piece;
    try {
      piece = await api(`/jobs/${jobId}/log${logOffset === null ? "" : "?offset=" + logOffset}`);
    } catch (err) {
      if (err.status === 404) {
        log.textContent = err.message;
        return;
      }
      throw err;
    }
    const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    if (logOffset === null) log.textContent = "";
    log.append(document.createTextNode(piece.text));
    logOffset = piece.size;
    if (job && FINAL.includes(job.jobStatus)) tailLog.doneAt = logOffset;
    if (atBottom) log.scrollTop = log.scrollHeight;
  }
}

function workersView() {
  const holder = el("div", { id: "workers" });
  view.replaceChildren(el("h1", {}, "Workers"), holder);
  const shown = ["processors", "physical.memory.total", "physical.memory.free", "heap.memory.used", "heap.memory.max", "load.process", "load.system", "load.systemAverage", "thread.count", "minor.gc.count", "major.gc.count"];
  every(3000, async () => {
    const nodes = await api("/nodes");
    holder.replaceChildren(
      ...nodes.map((n) =>
        el(
          "section",
          { class: "worker", "data-node": n.node },
          el("h2", {}, n.node, n.isMaster ? el("span", { class: "badge s-master" }, "master") : null),
          el("div", { class: "muted" }, `started ${n.startTime || "–"} · last heartbeat ${n.heartbeatTime || "–"}`),
          el(
            "div",
            { class: "tags" },
            Object.keys(n.tags).length ? Object.entries(n.tags).map(([k, v]) => el("span", { class: "tag" }, `${k}=${v}`)) : el("span", { class: "muted" }, "no tags"),
          ),
          el("dl", { class: "figures" }, shown.filter((k) => k in n.figures).map((k) => [el("dt", {}, k), el("dd", {}, n.figures[k])])),
          el(
            "details",
            {},
            el("summary", {}, "All figures"),
            el("dl", { class: "figures" }, Object.entries(n.figures).map(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])),
          ),
        ),
      ),
    );
  });
}

const EXAMPLE = `env {
  job.mode = "STREAMING"
  checkpoint.interval = 2000
}
source {
  FakeSource {
    plugin_output = "fake"
    row.num = 100
    split.num = 2
    split.read-interval = 100
    schema = { fields { id = "bigint", name = "string" } }
  }
}
sink {
  Console {
    plugin_input = ["fake"]
    log.print.data = false
  }
}
`;

function looksLikeJson(body) {
  try {
    JSON.parse(body);
    return true;
  } catch (_) {
    return /^\s*\{\s*"/.test(body); // broken JSON: let the server name the JSON error
  }
}

function submitView() {
  const text = el("textarea", { id: "submit-config", rows: 22, spellcheck: "false", placeholder: "Paste a job config (JSON or HOCON) or choose a file" });
  const format = el("select", { id: "submit-format" }, ["auto", "json", "hocon"].map((f) => el("option", { value: f }, f)));
  const name = el("input", { id: "submit-name", placeholder: "(from the config)" });
  const message = el("div", { id: "submit-error", class: "error-box hidden", role: "alert" });
  const file = el("input", {
    type: "file",
    id: "submit-file",
    accept: ".json,.conf,.config,.hocon",
    onchange: async () => {
      const chosen = file.files[0];
      if (!chosen) return;
      text.value = await chosen.text();
      format.value = chosen.name.toLowerCase().endsWith(".json") ? "json" : "hocon";
    },
  });
  const submit = async (e) => {
    e.preventDefault();
    message.className = "error-box hidden";
    const body = text.value;
    let fmt = format.value;
    if (fmt === "auto") fmt = looksLikeJson(body) ? "json" : "hocon";
    const query = new URLSearchParams({ format: fmt });
    if (name.value.trim()) query.set("jobName", name.value.trim());
    try {
      const answer = await api(`/submit-job?${query}`, { method: "POST", headers: { "Content-Type": fmt === "json" ? "application/json" : "text/plain" }, body });
      location.hash = `#/jobs/${answer.jobId}`;
    } catch (err) {
      message.textContent = `${err.status || ""} ${err.message}`.trim();
      message.className = "error-box";
    }
  };
  view.replaceChildren(
    el("h1", {}, "Submit a job"),
    el(
      "form",
      { class: "submit", onsubmit: submit },
      el("div", { class: "row" }, el("label", {}, "Job name ", name), el("label", {}, "Format ", format), el("label", {}, "File ", file), el("button", { type: "button", id: "submit-example", onclick: () => ((text.value = EXAMPLE), (format.value = "hocon")) }, "Load an example")),
      el("div", { class: "editor" }, text, message),
      el("button", { type: "submit", id: "submit-button", class: "primary" }, "Submit"),
    ),
  );
}

// ---------- router ----------

function route() {
  generation++;
  timers.forEach(clearInterval);
  timers = [];
  const hash = location.hash.replace(/^#\/?/, "");
  const [path, query = ""] = hash.split("?");
  const parts = path.split("/").filter(Boolean);
  const params = new URLSearchParams(query);
  document.querySelectorAll("[data-nav]").forEach((a) => a.classList.toggle("active", a.dataset.nav === (parts[0] || "overview")));
  if (parts[0] === "jobs" && parts[1]) return jobView(decodeURIComponent(parts[1]));
  if (parts[0] === "jobs") return jobsView(params);
  if (parts[0] === "workers") return workersView();
  if (parts[0] === "submit") return submitView();
  if (parts[0] && parts[0] !== "overview") {
    view.replaceChildren(el("h1", {}, "Not found"), el("p", {}, `No page ${hash}.`));
    return;
  }
  overviewView();
}

window.addEventListener("hashchange", route);
route();
