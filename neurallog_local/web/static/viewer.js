// NeuralLog Local's log viewer. Dependency-free; served as is (no build step).
// Log content only ever reaches the page as text (textContent), never as HTML.

const API = "/ui/api/v1";
const LEVELS = ["DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
const MAX_ROWS = 2000; // rows kept in the list: the DOM stays small at any rate of entries
const HISTORY = 500; // entries replayed when the list is (re)loaded
const TRACE_KEYS = ["trace_id", "span_id", "request_id"];

const $ = (id) => document.getElementById(id);

const state = {
  csrf: "",
  levels: new Set(),
  paused: false,
  pending: [], // entries received and not yet shown (while paused, or before the next frame)
  dropped: 0, // entries that left the pending buffer unseen while paused
  entries: new Map(), // id -> entry, for the rows in the list
  received: 0,
  selected: null,
  stream: null,
  generation: 0,
  frame: 0,
};

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function toast(message) {
  const node = $("toast");
  node.textContent = message;
  node.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (node.hidden = true), 4000);
}

async function call(path, options = {}) {
  const headers = { Accept: "application/json", ...(options.headers || {}) };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (options.method && options.method !== "GET") headers["X-CSRF-Token"] = state.csrf;
  const response = await fetch(path, {
    method: options.method || "GET",
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    credentials: "same-origin",
    cache: "no-store",
  });
  if (response.status === 401 && path !== "/ui/session") {
    showSignIn("Your session ended: sign in again.");
    throw new Error("not signed in");
  }
  if (response.status === 204) return null;
  const payload = await response.json().catch(() => null);
  if (!response.ok) {
    const message = payload && payload.error ? payload.error.message : response.statusText;
    throw new Error(message);
  }
  return payload;
}

// -- sign-in ------------------------------------------------------------------------------

function showSignIn(message) {
  closeStream();
  $("app").hidden = true;
  $("signin").hidden = false;
  $("signin-error").textContent = message || "";
  $("signin-key").focus();
}

async function start() {
  const params = new URLSearchParams(location.search);
  if (params.get("signin") === "expired") {
    history.replaceState(null, "", "/");
    showSignIn("That sign-in link was already used or is no longer valid.");
    return;
  }
  let session;
  try {
    session = await call("/ui/session");
  } catch {
    showSignIn("");
    return;
  }
  enter(session);
}

function enter(session) {
  state.csrf = session.csrf;
  $("tenant").textContent = `tenant ${session.tenant}`;
  $("signin").hidden = true;
  $("app").hidden = false;
  reload();
  checkHealth();
}

$("signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const key = $("signin-key").value.trim();
  try {
    const session = await call("/ui/session", { method: "POST", body: { api_key: key } });
    $("signin-key").value = "";
    enter(session);
  } catch (error) {
    $("signin-error").textContent = error.message;
  }
});

$("signout").addEventListener("click", async () => {
  await call("/ui/session", { method: "DELETE" }).catch(() => null);
  showSignIn("Signed out.");
});

// -- filters ------------------------------------------------------------------------------

for (const level of LEVELS) {
  const button = el("button", level, level);
  button.type = "button";
  button.setAttribute("aria-pressed", "false");
  button.addEventListener("click", () => {
    if (state.levels.has(level)) state.levels.delete(level);
    else state.levels.add(level);
    button.setAttribute("aria-pressed", String(state.levels.has(level)));
    reload();
  });
  $("levels").append(button);
}

const RANGES = { "15m": 15 * 60e3, "1h": 3600e3, "24h": 86400e3, "7d": 7 * 86400e3 };

function selection() {
  const params = new URLSearchParams();
  const query = $("query").value.trim();
  if (query) params.set("query", query);
  for (const level of state.levels) params.append("level", level);
  const source = $("source").value.trim();
  if (source) params.append("source", source);
  for (const tag of $("tags").value.split(",")) {
    if (tag.trim()) params.append("tags", tag.trim());
  }
  const range = RANGES[$("range").value];
  if (range) {
    const since = new Date(Date.now() - range).toISOString();
    params.set("filter", JSON.stringify({ timestamp: { gte: since } }));
  }
  return params;
}

$("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  reload();
});
let typing = 0;
for (const id of ["query", "source", "tags"]) {
  $(id).addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(reload, 350);
  });
}
$("range").addEventListener("change", reload);
document.addEventListener("keydown", (event) => {
  const editing = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
  if (event.key === "/" && !editing) {
    event.preventDefault();
    $("query").focus();
  } else if (event.key === "Escape") {
    closeDetail();
  } else if (event.key === " " && !editing && document.activeElement.tagName !== "BUTTON") {
    event.preventDefault();
    setPaused(!state.paused);
  }
});

// -- live tail ----------------------------------------------------------------------------

function closeStream() {
  if (state.stream) state.stream.close();
  state.stream = null;
}

function reload() {
  closeStream();
  const generation = ++state.generation;
  state.pending = [];
  state.dropped = 0;
  state.entries.clear();
  state.received = 0;
  state.following = false;
  state.total = null;
  $("list").replaceChildren();
  $("jump").hidden = true;
  closeDetail();
  const params = selection();
  countMatches(params, generation);
  params.set("follow", "true");
  params.set("history", String(HISTORY));
  const stream = new EventSource(`${API}/logs/stream?${params}`);
  state.stream = stream;
  setHealth("connecting", "");
  stream.addEventListener("open", () => setHealth(state.paused ? "paused" : "live", ""));
  stream.addEventListener("log", (event) => {
    if (generation !== state.generation) return;
    let entry;
    try {
      entry = JSON.parse(event.data);
    } catch {
      return;
    }
    state.received += 1;
    // After the history (which the count already covers), every entry is a new match.
    if (state.following && typeof state.total === "number") state.total += 1;
    state.pending.push(entry);
    if (state.pending.length > MAX_ROWS) {
      state.dropped += state.pending.length - MAX_ROWS;
      state.pending.splice(0, state.pending.length - MAX_ROWS);
    }
    schedule();
  });
  stream.addEventListener("heartbeat", () => {
    state.following = true;
    if (!state.paused) setHealth("live", "");
  });
  stream.addEventListener("error", () => {
    if (generation !== state.generation) return;
    if (stream.readyState === EventSource.CLOSED) {
      // Refused (signed out, restarted server): find out whether the session is gone.
      setHealth("down", "disconnected");
      call("/ui/session").then(
        () => setTimeout(() => generation === state.generation && reload(), 2000),
        () => null,
      );
    } else {
      setHealth("down", "reconnecting…");
    }
  });
  updateCounts();
}

async function countMatches(params, generation) {
  const count = new URLSearchParams(params);
  count.set("limit", "1");
  count.set("fields", "id");
  try {
    const page = await call(`${API}/logs/search?${count}`);
    if (generation !== state.generation) return;
    state.total = page.meta.pagination.total;
  } catch (error) {
    if (generation !== state.generation) return;
    state.total = null;
    toast(error.message);
  }
  updateCounts();
  $("empty").hidden = state.entries.size > 0 || state.pending.length > 0;
  $("empty").textContent = "No entries match. New ones appear here as they are logged.";
}

function schedule() {
  if (!state.frame) state.frame = requestAnimationFrame(flush);
}

function atBottom(list) {
  return list.scrollHeight - list.scrollTop - list.clientHeight < 24;
}

function flush() {
  state.frame = 0;
  if (state.paused || state.pending.length === 0) {
    updateCounts();
    return;
  }
  const list = $("list");
  const follow = atBottom(list);
  const batch = state.pending.splice(0, state.pending.length).slice(-MAX_ROWS);
  const fragment = document.createDocumentFragment();
  for (const entry of batch) {
    state.entries.set(entry.id, entry);
    fragment.append(row(entry));
  }
  const excess = list.childElementCount + batch.length - MAX_ROWS;
  let removed = 0;
  if (excess > 0) {
    // One removal of the oldest rows, measured once: reading a row's height per removed
    // row would lay the page out again each time.
    const rowHeight = list.firstElementChild ? list.firstElementChild.offsetHeight : 0;
    const gone = Math.min(excess, list.childElementCount);
    for (let i = 0; i < gone; i++) state.entries.delete(list.children[i].dataset.id);
    if (gone === list.childElementCount) list.replaceChildren();
    else {
      const range = document.createRange();
      range.setStartBefore(list.firstElementChild);
      range.setEndAfter(list.children[gone - 1]);
      range.deleteContents();
    }
    removed = gone * rowHeight;
  }
  list.append(fragment);
  if (follow) list.scrollTop = list.scrollHeight;
  else {
    list.scrollTop -= removed; // keep the rows being read where they are
    $("jump").hidden = false;
  }
  $("empty").hidden = true;
  updateCounts();
}

function setPaused(paused) {
  state.paused = paused;
  $("pause").setAttribute("aria-pressed", String(paused));
  $("pause").textContent = paused ? "Resume" : "Pause";
  setHealth(paused ? "paused" : "live", "");
  if (!paused) schedule();
  updateCounts();
}

$("pause").addEventListener("click", () => setPaused(!state.paused));
$("jump").addEventListener("click", () => {
  const list = $("list");
  list.scrollTop = list.scrollHeight;
  $("jump").hidden = true;
});
$("list").addEventListener("scroll", () => {
  if (atBottom($("list"))) $("jump").hidden = true;
});

function updateCounts() {
  const parts = [];
  if (typeof state.total === "number") parts.push(`${state.total.toLocaleString()} matching`);
  parts.push(`${state.entries.size.toLocaleString()} shown`);
  if (state.paused && state.pending.length) {
    const waiting = state.pending.length + state.dropped;
    parts.push(`${waiting.toLocaleString()} new while paused`);
  }
  $("counts").textContent = parts.join(" · ");
}

// -- rows ---------------------------------------------------------------------------------

function pad(number, width = 2) {
  return String(number).padStart(width, "0");
}

function shortTime(text) {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return text || "";
  const day = new Date().toDateString() === date.toDateString() ? "" : `${date.getMonth() + 1}/${date.getDate()} `;
  return `${day}${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

const SOURCE_COLOURS = ["#7dd3fc", "#c4b5fd", "#86efac", "#fda4af", "#fcd34d", "#5eead4", "#f0abfc", "#a5b4fc", "#fdba74", "#bef264"];

function sourceColour(source) {
  let hash = 0;
  for (let i = 0; i < source.length; i++) hash = (hash * 31 + source.charCodeAt(i)) | 0;
  return SOURCE_COLOURS[Math.abs(hash) % SOURCE_COLOURS.length];
}

function scalar(value) {
  if (value === null) return "null";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function row(entry) {
  const level = LEVELS.includes(entry.level) ? entry.level : "INFO";
  const node = el("div", `row ${level}`);
  node.dataset.id = entry.id;
  node.append(el("span", "ts", shortTime(entry.timestamp)));
  node.append(el("span", `lvl ${level}`, entry.level));
  const source = el("span", "src", entry.source || "");
  if (entry.source) source.style.color = sourceColour(entry.source);
  node.append(source);
  const message = el("span", "msg", entry.message);
  const metadata = entry.metadata || {};
  const exception = metadata.exception;
  if (exception && typeof exception === "object" && exception.type) {
    message.append(el("span", "exc", `⚠ ${exception.type}`));
  }
  for (const tag of entry.tags || []) message.append(el("span", "tag", `#${tag}`));
  let shown = 0;
  for (const [key, value] of Object.entries(metadata)) {
    if (key === "exception" || shown >= 8) continue;
    const pair = el("span", "kv");
    pair.append(el("span", "kk", `${key}=`), scalar(value).slice(0, 120));
    message.append(pair);
    shown += 1;
  }
  node.append(message);
  node.title = entry.message.length > 200 ? `${entry.message.slice(0, 200)}…` : entry.message;
  return node;
}

$("list").addEventListener("click", (event) => {
  const node = event.target.closest(".row");
  if (!node) return;
  const entry = state.entries.get(node.dataset.id);
  if (!entry) return;
  for (const selected of $("list").querySelectorAll(".row.selected")) selected.classList.remove("selected");
  node.classList.add("selected");
  showDetail(entry);
});

// -- detail -------------------------------------------------------------------------------

function tree(value, root = true) {
  const list = el("ul", root ? "tree root" : "tree");
  for (const [key, child] of Object.entries(value)) {
    const item = el("li");
    if (child && typeof child === "object" && Object.keys(child).length) {
      const details = el("details");
      details.open = true;
      const summary = el("summary");
      summary.append(el("span", "k", key), `  ${Array.isArray(child) ? `[${child.length}]` : "{…}"}`);
      details.append(summary, tree(child, false));
      item.append(details);
    } else {
      item.append(el("span", "k", `${key}: `), valueNode(child));
    }
    list.append(item);
  }
  return list;
}

function valueNode(value) {
  if (typeof value === "string") return el("span", "s", JSON.stringify(value));
  if (typeof value === "number") return el("span", "n", String(value));
  if (typeof value === "boolean") return el("span", "b", String(value));
  if (value === null) return el("span", "z", "null");
  return el("span", "z", JSON.stringify(value));
}

function fieldList(pairs) {
  const list = el("dl", "fields");
  for (const [name, value] of pairs) {
    if (value === undefined || value === null || value === "") continue;
    list.append(el("dt", "", name), el("dd", "", value));
  }
  return list;
}

function showDetail(entry) {
  state.selected = entry;
  const body = $("detail-body");
  body.replaceChildren();
  $("detail-title").textContent = `${entry.level} · ${shortTime(entry.timestamp)}`;
  body.append(el("h3", "", "Message"), el("div", "message", entry.message));
  body.append(
    el("h3", "", "Entry"),
    fieldList([
      ["id", entry.id],
      ["timestamp", entry.timestamp],
      ["received", entry.received_at],
      ["level", entry.level],
      ["source", entry.source],
      ["tags", (entry.tags || []).join(", ")],
    ]),
  );
  const metadata = { ...(entry.metadata || {}) };
  const exception = metadata.exception;
  if (exception && typeof exception === "object") {
    delete metadata.exception;
    body.append(el("h3", "", "Exception"));
    body.append(fieldList([["type", exception.type], ["message", exception.message]]));
    if (exception.traceback) body.append(el("pre", "trace", exception.traceback));
  }
  const trace = TRACE_KEYS.filter((key) => metadata[key] !== undefined).map((key) => [key, scalar(metadata[key])]);
  if (trace.length) body.append(el("h3", "", "Trace"), fieldList(trace));
  if (Object.keys(metadata).length) body.append(el("h3", "", "Metadata"), tree(metadata));
  $("detail").hidden = false;
}

function closeDetail() {
  state.selected = null;
  $("detail").hidden = true;
  for (const selected of $("list").querySelectorAll(".row.selected")) selected.classList.remove("selected");
}

$("close-detail").addEventListener("click", closeDetail);
$("copy").addEventListener("click", async () => {
  if (!state.selected) return;
  const text = JSON.stringify(state.selected, null, 2);
  try {
    await navigator.clipboard.writeText(text);
    toast("Copied the entry as JSON.");
  } catch {
    toast("The browser refused the clipboard.");
  }
});

// -- health -------------------------------------------------------------------------------

function setHealth(kind, text) {
  const node = $("health");
  node.className = `health ${kind}`;
  node.dataset.kind = kind;
  const label = { live: "live", paused: "paused", connecting: "connecting…", down: "offline" }[kind];
  node.textContent = text || `${label}${state.version ? ` · v${state.version}` : ""}`;
}

async function checkHealth() {
  try {
    const health = await call(`${API}/health`);
    state.version = health.data.version;
    if (health.data.status !== "ok") setHealth("down", `server ${health.data.status}`);
    else if (state.stream && state.stream.readyState === EventSource.OPEN) setHealth(state.paused ? "paused" : "live", "");
  } catch {
    setHealth("down", "server unreachable");
  }
}
setInterval(() => !$("app").hidden && checkHealth(), 15000);

// -- rules --------------------------------------------------------------------------------

for (const tab of document.querySelectorAll("[data-tab]")) {
  tab.addEventListener("click", () => {
    for (const other of document.querySelectorAll("[data-tab]")) {
      other.setAttribute("aria-selected", String(other === tab));
    }
    $("logs-view").hidden = tab.dataset.tab !== "logs";
    $("rules-view").hidden = tab.dataset.tab !== "rules";
    $("search-form").style.visibility = tab.dataset.tab === "logs" ? "visible" : "hidden";
    if (tab.dataset.tab === "rules") loadRules();
  });
}

function describeCondition(condition) {
  const p = condition.parameters || {};
  switch (condition.type) {
    case "log_level":
      return `level ≥ ${p.level}${p.sources ? ` from ${p.sources.join(", ")}` : ""}`;
    case "pattern":
      return `${p.field || "message"} ~ /${p.pattern}/`;
    case "match":
      return `${p.field} ${p.operator || "eq"} ${p.value === undefined ? "" : JSON.stringify(p.value)}`;
    case "frequency":
      return `≥ ${p.threshold} in ${p.window_seconds}s of (${p.condition ? describeCondition(p.condition) : "?"})`;
    case "composite":
      return `${p.operator}(${(p.conditions || []).map(describeCondition).join(", ")})`;
    default:
      return condition.type;
  }
}

async function loadRules() {
  const body = $("rules");
  try {
    const page = await call(`${API}/rules?limit=100`);
    body.replaceChildren();
    for (const rule of page.data) body.append(ruleRow(rule));
    $("rules-empty").hidden = page.data.length > 0;
    $("rules-empty").textContent = "No rules yet: create them with the SDK (client.rules.create).";
  } catch (error) {
    toast(error.message);
  }
}

function ruleRow(rule) {
  const tr = el("tr", "rule");
  const name = el("td");
  name.append(el("div", "", rule.name));
  if (rule.description) name.append(el("div", "src", rule.description));
  const condition = el("td");
  condition.append(el("code", "", describeCondition(rule.condition)));
  tr.append(
    name,
    condition,
    el("td", "", rule.actions.length),
    el("td", "ts", rule.last_triggered_at ? shortTime(rule.last_triggered_at) : "never"),
  );
  const toggle = el("button", `switch ${rule.enabled ? "on" : "off"}`, rule.enabled ? "On" : "Off");
  toggle.type = "button";
  toggle.title = rule.enabled ? "Disable this rule" : "Enable this rule";
  toggle.setAttribute("aria-pressed", String(rule.enabled));
  toggle.addEventListener("click", async (event) => {
    event.stopPropagation();
    try {
      const verb = rule.enabled ? "disable" : "enable";
      const updated = await call(`${API}/rules/${encodeURIComponent(rule.id)}/${verb}`, { method: "POST" });
      tr.replaceWith(ruleRow(updated.data));
    } catch (error) {
      toast(error.message);
    }
  });
  const cell = el("td");
  cell.append(toggle);
  tr.append(cell);
  tr.addEventListener("click", () => showExecutions(rule, tr));
  return tr;
}

async function showExecutions(rule, tr) {
  for (const selected of $("rules").querySelectorAll("tr.selected")) selected.classList.remove("selected");
  tr.classList.add("selected");
  $("rule-title").textContent = rule.name;
  const body = $("rule-body");
  body.replaceChildren(el("h3", "", "Condition"), el("code", "", describeCondition(rule.condition)));
  body.append(el("h3", "", "Executions"));
  $("rule-detail").hidden = false;
  const table = el("table", "table compact");
  const head = el("tr");
  for (const title of ["When", "Action", "Status", "Result"]) head.append(el("th", "", title));
  table.append(head);
  let count = 0;
  for (const action of rule.actions) {
    try {
      const id = encodeURIComponent(action.action_id);
      const page = await call(`${API}/actions/${id}/executions?limit=50&rule_id=${encodeURIComponent(rule.id)}`);
      for (const execution of page.data) {
        const line = el("tr");
        line.append(
          el("td", "ts", shortTime(execution.executed_at)),
          el("td", "ellipsis", action.action_id),
          el("td", `status-${execution.status}`, execution.status),
          el("td", "", execution.error || (execution.result ? JSON.stringify(execution.result) : "")),
        );
        table.append(line);
        count += 1;
      }
    } catch (error) {
      body.append(el("p", "error", `${action.action_id}: ${error.message}`));
    }
  }
  body.append(count ? table : el("p", "src", "No executions yet."));
}

$("close-rule").addEventListener("click", () => ($("rule-detail").hidden = true));

start();
