// The recruiter page: plain browser JavaScript over the service's own /v1 API (no build step, no CDN).
"use strict";

const $ = (sel) => document.querySelector(sel);
const KEY = "jobmatch.apiKey"; // sessionStorage: entered once, forgotten when the tab closes

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function notice(message, ok = false) {
  const box = $("#notice");
  box.textContent = message;
  box.className = ok ? "ok" : "";
  box.hidden = !message;
}

class ApiError extends Error {}

// Every call goes through here: the key from the session, and the service's one error shape shown as is.
async function api(method, path, body) {
  const headers = {};
  const key = sessionStorage.getItem(KEY);
  if (key) headers.Authorization = `Bearer ${key}`;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
  const response = await fetch(path, { method, headers, body: payload });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message = data.error ? `${data.error.message} (${data.error.code})` : `HTTP ${response.status}`;
    notice(message);
    throw new ApiError(message);
  }
  return data;
}

const list = (text) => text.split(",").map((s) => s.trim()).filter(Boolean);
const pct = (x) => (x === null || x === undefined ? "–" : `${Math.round(x * 100)}%`);

// ---- API key ------------------------------------------------------------------------------------------
function showKeyState() {
  $("#key-state").textContent = sessionStorage.getItem(KEY) ? "key set for this session" : "";
}

$("#key-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const key = $("#api-key").value.trim();
  if (key) sessionStorage.setItem(KEY, key); else sessionStorage.removeItem(KEY);
  $("#api-key").value = "";
  showKeyState();
  notice("");
  await Promise.allSettled([loadJobs(), loadRules()]);
});

// ---- imports ------------------------------------------------------------------------------------------
$("#import-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const file = $("#import-file").files[0];
  if (!file) return;
  const form = new FormData();
  form.append("file", file, file.name);
  notice("");
  const job = await api("POST", "/v1/imports", form);
  $("#import-status").hidden = false;
  $("#import-errors").replaceChildren();
  followImport(job.id);
});

async function followImport(id) {
  const state = await api("GET", `/v1/imports/${id}`);
  const total = state.total || 0;
  $("#import-progress").max = Math.max(total, 1);
  $("#import-progress").value = state.processed;
  $("#import-text").textContent = `${state.filename}: ${state.status} · ${state.processed}/${total || "?"} read, `
    + `${state.stored} stored, ${state.failed} rejected` + (state.message ? ` · ${state.message}` : "");
  $("#import-status").dataset.status = state.status;
  if (state.status === "queued" || state.status === "running") {
    setTimeout(() => followImport(id), 400);
    return;
  }
  if (state.failed) {
    const errors = await api("GET", `/v1/imports/${id}/errors?limit=10`);
    $("#import-errors").replaceChildren(...errors.items.map((r) =>
      el("li", { text: `row ${r.row}${r.external_id ? ` (${r.external_id})` : ""}: ${r.message}` })));
  }
}

// ---- vacancies ----------------------------------------------------------------------------------------
async function loadJobs(selectId) {
  const page = await api("GET", "/v1/jobs?limit=100&sort=updated_at&order=desc");
  const select = $("#job-select");
  select.replaceChildren(el("option", { value: "", text: "(choose a vacancy)" }),
    ...page.items.map((j) => el("option", { value: j.id, text: j.external_id ? `${j.title} · ${j.external_id}` : j.title })));
  if (selectId) select.value = selectId;
  $("#match-button").disabled = !select.value;
}

$("#jobs-refresh").addEventListener("click", () => loadJobs($("#job-select").value));
$("#job-select").addEventListener("change", () => { $("#match-button").disabled = !$("#job-select").value; });

$("#job-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = e.target.elements;
  const job = { title: f.title.value, description: f.description.value, skills: list(f.skills.value) };
  if (f.city.value || f.country.value) {
    job.location = {};
    if (f.city.value) job.location.city = f.city.value;
    if (f.country.value) job.location.country = f.country.value.toUpperCase();
  }
  if (f.years.value) job.min_years_experience = Number(f.years.value);
  if (f.external_id.value) job.external_id = f.external_id.value;
  const saved = await api("POST", "/v1/jobs", job);
  notice(`Vacancy "${saved.title}" saved.`, true);
  e.target.reset();
  $("#job-new").open = false;
  await loadJobs(saved.id);
});

// ---- matching -----------------------------------------------------------------------------------------
function filtersFrom(f) {
  const filters = {};
  if (f.country.value || f.city.value) {
    filters.location = {};
    if (f.country.value) filters.location.country = f.country.value.toUpperCase();
    if (f.city.value) filters.location.city = f.city.value;
  }
  if (f.years.value) filters.years_experience = { gte: Number(f.years.value) };
  if (list(f.skills.value).length) filters.skills = { any: list(f.skills.value) };
  if (f.lang.value && f.level.value) filters.languages = { [f.lang.value.toLowerCase()]: f.level.value };
  if (f.remote.checked) filters.remote = true;
  return filters;
}

$("#filter-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const jobId = $("#job-select").value;
  if (!jobId) return;
  const f = e.target.elements;
  notice("");
  const result = await api("POST", `/v1/jobs/${jobId}/matches`,
    { limit: 20, count: true, blind: f.blind.checked, filters: filtersFrom(f) });
  showMatches(result, f.blind.checked);
});

function confidenceClass(c) { return c >= 0.7 ? "conf-high" : c >= 0.3 ? "conf-mid" : "conf-low"; }

function breakdown(match) {
  const box = el("div", { class: "crit" });
  const parts = Object.entries(match.explanation?.breakdown || {}).sort((a, b) => b[1].weight - a[1].weight);
  for (const [name, c] of parts) {
    const track = el("span", { class: "track" }, el("span", { class: "bar", style: `width:${Math.round(c.score * 100)}%` }));
    box.append(el("span", { text: name.replaceAll("_", " ") }), track, el("span", { text: pct(c.score) }));
  }
  return box;
}

function skills(match) {
  const cell = el("td", { class: "skills" });
  for (const s of match.explanation?.matched_skills || []) cell.append(el("span", { class: "skill ok", text: s }));
  for (const s of match.explanation?.missing_skills || []) cell.append(el("span", { class: "skill missing", text: s }));
  return cell;
}

function who(match) {
  const label = match.name || match.external_id || match.id.slice(0, 8);
  return el("td", {}, el("strong", { text: label }), el("br"), el("span", { class: "muted", text: match.title || "" }));
}

function showMatches(result, blind) {
  const rows = result.matches.map((m, i) => el("tr", { "data-id": m.id },
    el("td", { text: String(i + 1) }), who(m),
    el("td", { class: "score", text: m.score.toFixed(3) }),
    el("td", { class: `confidence ${confidenceClass(m.confidence ?? 0)}`, text: pct(m.confidence) }),
    el("td", {}, breakdown(m)), skills(m)));
  $("#results-table tbody").replaceChildren(...rows);
  $("#results-table").hidden = rows.length === 0;
  $("#no-good-match").hidden = !result.no_good_match;
  $("#results-summary").textContent = `· ${rows.length} shown of ${result.total ?? "?"} passing the filters · ${result.model}`;
  showRemoved(result.rules_applied || [], blind);
}

async function showRemoved(applied, blind) {
  const items = [];
  for (const rule of applied) {
    for (const id of rule.removed) {
      const c = await api("GET", `/v1/candidates/${id}`).catch(() => null);
      const label = c ? (blind ? c.external_id || id.slice(0, 8) : c.name || c.external_id || id.slice(0, 8)) : id;
      items.push(el("li", { "data-id": id, text: `${label}${c?.desired_title ? ` (${c.desired_title})` : ""} · rule ${rule.rule_id.slice(0, 8)}` }));
    }
  }
  $("#rules-applied ul").replaceChildren(...items);
  $("#rules-applied").hidden = items.length === 0;
}

// ---- exclusion rules ----------------------------------------------------------------------------------
async function loadRules() {
  const page = await api("GET", "/v1/rules?limit=100");
  $("#rule-list").replaceChildren(...page.items.map((r) => {
    const drop = el("button", { class: "link", type: "button", text: "delete" });
    drop.addEventListener("click", async () => { await api("DELETE", `/v1/rules/${r.id}`); await loadRules(); });
    return el("li", { "data-id": r.id, text: `if near “${r.if_near.text ?? r.if_near.occupation_id}”, remove near `
      + `“${r.exclude_near.text ?? r.exclude_near.occupation_id}”${r.note ? ` (${r.note})` : ""} ` }, drop);
  }));
}

$("#rule-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = e.target.elements;
  const rule = { if_near: { text: f.if_near.value }, exclude_near: { text: f.exclude_near.value } };
  if (f.note.value) rule.note = f.note.value;
  await api("POST", "/v1/rules", rule);
  notice("Rule added: run the search again to see what it removes.", true);
  e.target.reset();
  await loadRules();
});

showKeyState();
Promise.allSettled([loadJobs(), loadRules()]);
