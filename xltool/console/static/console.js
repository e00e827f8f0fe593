// xltool 控制台: plain script, no framework, nothing fetched from the internet.
"use strict";

const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    body: body,
    headers: { "X-CSRF-Token": csrf(), Accept: "application/json" },
    credentials: "same-origin",
  });
  let data = {};
  try { data = await response.json(); } catch (e) { data = { error: "服务器没有给出可读的回答（" + response.status + "）。" }; }
  if (!response.ok && !data.error) data.error = "请求未完成（" + response.status + "）。";
  return { ok: response.ok, status: response.status, data: data };
}

function fill(list, lines) {
  list.replaceChildren();
  for (const line of lines || []) {
    const li = document.createElement("li");
    if (line.tone) li.className = line.tone;
    if (line.href) {
      const a = document.createElement("a");
      a.href = line.href;
      a.textContent = line.text;
      li.append(a);
    } else {
      li.textContent = line.text;
    }
    list.append(li);
  }
}

// ---------------------------------------------------------------- jobs (总览)
const polling = {};

function showJob(state) {
  const box = document.getElementById("job-" + state.kind);
  if (!box) return;
  if (!state.runs) return;
  box.hidden = false;
  box.dataset.running = state.running ? "1" : "0";
  box.dataset.order = String(state.order || 0);
  box.querySelector(".when").textContent = state.running ? `开始于 ${state.started_at}` : `${state.started_at} 至 ${state.finished_at}`;
  const bar = box.querySelector("progress");
  if (state.total) { bar.max = state.total; bar.value = state.done; } else if (state.running) { bar.removeAttribute("value"); } else { bar.max = 1; bar.value = 1; }
  const count = state.total ? `${state.done} / ${state.total}` : `已处理 ${state.done} 项`;
  box.querySelector(".step").textContent = state.running ? `进行中：${count}${state.step ? "（" + state.step + "）" : ""}` : `已完成（${state.seconds} 秒）`;
  box.querySelector(".summary").textContent = state.summary || "";
  box.querySelector(".error").textContent = state.error || "";
  fill(box.querySelector(".lines"), state.lines);
  for (const b of document.querySelectorAll(`[data-job="${state.kind}"], [data-job-form="${state.kind}"] button`)) b.disabled = state.running;
  arrangeJobs();
}

// The newest job first and open, the older ones folded to their one line (a click opens them): the
// panels never push the table of units off the screen. A panel the clerk opened stays open until a
// newer job starts.
function arrangeJobs() {
  const holder = document.getElementById("jobs");
  if (!holder) return;
  const shown = [...holder.querySelectorAll(".job")].filter((b) => !b.hidden);
  shown.sort((a, b) => Number(b.dataset.order) - Number(a.dataset.order));
  holder.prepend(...shown);
  const newest = shown.length ? shown[0].id + ":" + shown[0].dataset.order : "";
  if (holder.dataset.newest === newest) return;
  holder.dataset.newest = newest;
  shown.forEach((b, i) => { b.open = i === 0; });
}

function poll(kind) {
  if (polling[kind]) return;
  polling[kind] = true;
  const tick = async () => {
    const response = await fetch("/jobs/" + kind, { headers: { Accept: "application/json" } });
    const state = await response.json();
    showJob(state);
    if (state.running) { setTimeout(tick, 300); return; }
    polling[kind] = false;
    refreshBoard();
  };
  tick();
}

async function startJob(kind, form) {
  const body = form ? new FormData(form) : new FormData();
  // a button job's options sit beside it (生成全部报告: 有错误的报表也生成)
  for (const option of document.querySelectorAll(`[data-job-option="${kind}"]:checked`)) body.set(option.name, option.value);
  const result = await post("/jobs/" + kind, body);
  if (result.data.state) showJob(result.data.state);
  if (!result.ok) {
    const box = document.getElementById("job-" + kind);
    box.hidden = false;
    box.querySelector(".error").textContent = result.data.error;
    if (result.status === 409) poll(kind);
    return;
  }
  if (form) { const pw = form.querySelector('input[type="password"]'); if (pw) pw.value = ""; }
  showJob(result.data);
  poll(kind);
}

async function refreshBoard() {
  if (document.body.dataset.page !== "board") return;
  const response = await fetch("/", { headers: { Accept: "text/html" } });
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  for (const id of ["cards", "charts", "odd"]) {
    const now = document.getElementById(id), fresh = page.getElementById(id);
    if (now && fresh) now.replaceWith(fresh);
  }
  const body = document.querySelector("#units-table tbody"), freshBody = page.querySelector("#units-table tbody");
  if (body && freshBody) body.replaceWith(freshBody);
  wireCards();
  applyFilters();
}

// ---------------------------------------------------------------- filters and sorting (总览)
function applyFilters() {
  const text = (document.getElementById("filter-text")?.value || "").trim().toLowerCase();
  const standing = document.getElementById("filter-standing")?.value || "";
  let shown = 0;
  const rows = document.querySelectorAll("#units-table tbody tr");
  for (const row of rows) {
    const visible = (!standing || row.dataset.standing === standing) && (!text || row.textContent.toLowerCase().includes(text));
    row.hidden = !visible;
    if (visible) shown += 1;
  }
  const count = document.getElementById("shown-count");
  if (count) count.textContent = `显示 ${shown} / ${rows.length} 个单位`;
}

function wireCards() {
  for (const card of document.querySelectorAll(".card[data-filter]")) {
    card.onclick = () => { document.getElementById("filter-standing").value = card.dataset.filter; applyFilters(); };
  }
}

function sortBy(th) {
  const table = th.closest("table");
  const index = [...th.parentNode.children].indexOf(th);
  const numeric = th.dataset.sort === "num";
  const down = th.dataset.dir !== "asc";
  for (const other of th.parentNode.children) delete other.dataset.dir;
  th.dataset.dir = down ? "asc" : "desc";
  const body = table.querySelector("tbody");
  const key = (row) => { const cell = row.children[index]; const v = cell.dataset.value ?? cell.textContent.trim(); return numeric ? Number(v) : v; };
  const rows = [...body.children].sort((a, b) => {
    const x = key(a), y = key(b);
    const c = numeric ? x - y : String(x).localeCompare(String(y), "zh-CN");
    return down ? c : -c;
  });
  body.append(...rows);
}

// ---------------------------------------------------------------- 拖入报表
async function upload(files) {
  const status = document.getElementById("upload-status");
  if (!files.length) return;
  const body = new FormData();
  for (const f of files) body.append("files", f, f.name);
  status.className = "result";
  status.textContent = `正在登记并校验 ${files.length} 个文件……`;
  const result = await post("/upload", body);
  if (!result.ok) { status.className = "result bad"; status.textContent = result.data.error; return; }
  status.className = "result ok";
  status.textContent = result.data.summary;
  fill(document.getElementById("upload-lines"), result.data.lines);
  const units = document.getElementById("upload-units");
  units.replaceChildren();
  for (const unit of result.data.units) {
    const a = document.createElement("a");
    a.href = "/unit/" + encodeURIComponent(unit);
    a.className = "button";
    a.textContent = "查看 " + unit;
    units.append(a, " ");
  }
}

function wireDropzone() {
  const zone = document.getElementById("dropzone");
  if (!zone) return;
  for (const type of ["dragenter", "dragover"]) zone.addEventListener(type, (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => { e.preventDefault(); zone.classList.remove("over"); upload([...e.dataTransfer.files]); });
  document.getElementById("file-input").addEventListener("change", (e) => upload([...e.target.files]));
}

// ---------------------------------------------------------------- a unit's page
function wireUnitForms() {
  for (const form of document.querySelectorAll(".reply-form, .report-form, .version-form")) {
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = new FormData(form);
      if (e.submitter && e.submitter.name) body.set(e.submitter.name, e.submitter.value);
      const out = form.querySelector(".result") || form.closest("section").querySelector(".result");
      out.className = "result";
      out.textContent = "正在处理……";
      for (const b of form.querySelectorAll("button")) b.disabled = true;
      const result = await post(form.dataset.action, body);
      for (const b of form.querySelectorAll("button")) b.disabled = false;
      const lines = result.data.lines || [];
      if (!result.ok || lines.some((l) => l.tone === "bad")) {  // refused: it stays until dismissed
        refusal(out, result.ok ? [result.data.summary, ...lines.map((l) => l.text)].join(" ") : result.data.error);
        return;
      }
      out.className = "result ok";
      out.textContent = result.data.summary + " " + (result.data.lines || []).map((l) => l.text).join("；");
      setTimeout(() => location.reload(), 600);
    });
  }
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
      const area = document.getElementById(button.dataset.copy);
      area.select();
      try { await navigator.clipboard.writeText(area.value); } catch (e) { document.execCommand("copy"); }
      button.textContent = "已复制";
    });
  }
}

// A refusal is read, then dismissed by the clerk: no timer takes it away, no reload hides it.
function refusal(out, text) {
  out.className = "result bad refusal";
  out.setAttribute("role", "alert");
  out.textContent = text + " ";
  const close = document.createElement("button");
  close.type = "button";
  close.className = "close";
  close.textContent = "关闭";
  close.title = "关闭这条提示";
  close.addEventListener("click", () => { out.replaceChildren(); out.className = "result"; out.removeAttribute("role"); });
  out.append(close);
}

// ---------------------------------------------------------------- start
document.addEventListener("DOMContentLoaded", async () => {
  wireDropzone();
  wireUnitForms();
  if (document.body.dataset.page !== "board") return;
  wireCards();
  document.getElementById("filter-text").addEventListener("input", applyFilters);
  document.getElementById("filter-standing").addEventListener("change", applyFilters);
  for (const th of document.querySelectorAll("#units-table th[data-sort]")) th.addEventListener("click", () => sortBy(th));
  for (const button of document.querySelectorAll("[data-job]")) button.addEventListener("click", () => startJob(button.dataset.job));
  for (const button of document.querySelectorAll("[data-open]")) {
    button.addEventListener("click", () => { const f = document.getElementById(button.dataset.open); f.hidden = !f.hidden; });
  }
  for (const form of document.querySelectorAll("[data-job-form]")) {
    form.addEventListener("submit", (e) => { e.preventDefault(); startJob(form.dataset.jobForm, form); });
  }
  applyFilters();
  // a job started in another tab: show it and follow it here too
  const states = await (await fetch("/jobs", { headers: { Accept: "application/json" } })).json();
  for (const state of Object.values(states)) { showJob(state); if (state.running) poll(state.kind); }
});
