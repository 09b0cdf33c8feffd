(() => {
  const dialog = document.getElementById("importer");
  if (!dialog) { return; }
  const $ = (id) => document.getElementById(id);
  const rows = $("picker-rows"), crumbs = $("picker-crumbs"), status = $("picker-status"), more = $("picker-more");
  const all = $("picker-all"), summary = $("picker-summary"), importButton = $("picker-import"), category = $("picker-category");
  const keepInSync = $("picker-sync");
  const browse = dialog.querySelector(".picker-browse"), progress = dialog.querySelector(".picker-progress");
  const csrf = dialog.dataset.csrf;
  let state = null;
  let events = null;

  const formatSize = (bytes) => {
    if (bytes == null) { return "—"; }
    const units = ["bytes", "KB", "MB", "GB"];
    let value = bytes, unit = 0;
    while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit += 1; }
    return (unit === 0 ? value : value.toFixed(1)) + " " + units[unit];
  };
  const typeName = (file) => {
    if (file.isFolder) { return file.isAlsoDocument ? "Page" : "Folder"; }
    if (file.exportFormat) { return "Exported as " + file.exportFormat; }
    const name = file.name.includes(".") ? file.name.split(".").pop().toUpperCase() : "";
    return name || file.mimeType.split("/").pop();
  };
  const cell = (text, className) => {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) { td.className = className; }
    return td;
  };

  async function api(path, options = {}) {
    const response = await fetch(path, Object.assign({ credentials: "same-origin", headers: { Accept: "application/json" } }, options));
    const body = await response.json().catch(() => ({}));
    if (!response.ok) { throw new Error((body.error && body.error.message) || ("The server answered " + response.status)); }
    return body;
  }

  // The page gives each platform's URLs (data-files-url, data-import-url) and each running
  // import's event stream (data-events-url); jobs started here come with theirs (eventsUrl).
  function open(button) {
    const name = button.dataset.importName;
    state = {
      name, filesUrl: button.dataset.filesUrl, importUrl: button.dataset.importUrl,
      folder: "root", pageToken: null, q: "", files: [], selected: new Map(), refused: 0,
    };
    $("importer-title").textContent = "Import from " + name;
    browse.hidden = false; progress.hidden = true;
    $("picker-preview").hidden = true;
    category.value = "";
    $("picker-q").value = "";
    if (typeof dialog.showModal === "function") { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
    load("root");
  }

  async function load(folder, append = false) {
    if (!append) { state.folder = folder; state.pageToken = null; state.files = []; rows.replaceChildren(); all.checked = false; }
    status.textContent = "Loading…";
    more.hidden = true;
    const query = new URLSearchParams({ folder_id: state.folder });
    if (append && state.pageToken) { query.set("page_token", state.pageToken); }
    if (state.q) { query.set("q", state.q); }
    try {
      const page = await api(state.filesUrl + "?" + query.toString());
      if (!append) { renderCrumbs(page.breadcrumbs || []); }
      state.pageToken = page.nextPageToken || null;
      for (const file of page.files) { state.files.push(file); rows.appendChild(row(file)); }
      status.textContent = state.files.length === 0 ? (state.q ? "Nothing matches this search." : "This folder is empty.") : `${state.files.length} item${state.files.length === 1 ? "" : "s"} shown.`;
      more.hidden = !state.pageToken;
    } catch (error) {
      status.textContent = "Could not load the files: " + error.message;
    }
    updateSummary();
  }

  function renderCrumbs(list) {
    crumbs.replaceChildren();
    list.forEach((crumb, index) => {
      const li = document.createElement("li");
      if (index === list.length - 1 && !state.q) {
        const current = document.createElement("span");
        current.textContent = crumb.name;
        current.setAttribute("aria-current", "location");
        li.appendChild(current);
      } else {
        const button = document.createElement("button");
        button.type = "button"; button.className = "link"; button.textContent = crumb.name;
        button.addEventListener("click", () => { state.q = ""; $("picker-q").value = ""; load(crumb.id); });
        li.appendChild(button);
      }
      crumbs.appendChild(li);
    });
  }

  // The preview pane: the file's details at once, then the start of its text read on the fly.
  async function preview(file) {
    const pane = $("picker-preview");
    const heading = document.createElement("h3");
    heading.textContent = file.name;
    const facts = document.createElement("p");
    facts.className = "muted small";
    facts.textContent = [typeName(file), formatSize(file.size), file.modifiedTime ? "modified " + new Date(file.modifiedTime).toLocaleDateString() : ""]
      .filter(Boolean).join(" · ");
    const body = document.createElement("pre");
    body.className = "preview-text";
    body.textContent = "Reading…";
    pane.replaceChildren(heading, facts, body);
    pane.hidden = false;
    pane.dataset.fileId = file.id;
    try {
      const shown = await api(state.filesUrl + "/" + encodeURIComponent(file.id) + "/preview");
      if (pane.dataset.fileId !== file.id) { return; }
      body.textContent = shown.text ? shown.text + (shown.truncated ? "\n…" : "") : (shown.reason || "Nothing to show.");
      pane.dataset.state = shown.text ? "text" : "none";
    } catch (error) {
      if (pane.dataset.fileId === file.id) { body.textContent = error.message; pane.dataset.state = "error"; }
    }
  }

  function daysAgo(time) {
    const days = Math.floor((Date.now() - new Date(time).getTime()) / 86400000);
    return days <= 0 ? "today" : days === 1 ? "yesterday" : `${days} days ago`;
  }

  function row(file) {
    const tr = document.createElement("tr");
    tr.dataset.fileId = file.id;
    const box = document.createElement("input");
    box.type = "checkbox";
    box.setAttribute("aria-label", "Select " + file.name);
    box.disabled = !file.importable;
    box.checked = state.selected.has(file.id);
    box.addEventListener("change", () => { toggle(file, box.checked); });
    const pick = document.createElement("td");
    pick.appendChild(box);
    tr.appendChild(pick);
    const nameCell = document.createElement("td");
    if (file.isFolder) {
      const button = document.createElement("button");
      button.type = "button"; button.className = "link folder"; button.textContent = file.name;
      button.setAttribute("aria-label", "Open " + file.name);
      button.addEventListener("click", () => { state.q = ""; $("picker-q").value = ""; load(file.id); });
      nameCell.appendChild(button);
    } else {
      const button = document.createElement("button");
      button.type = "button"; button.className = "link preview"; button.textContent = file.name;
      button.setAttribute("aria-label", "Preview " + file.name);
      button.addEventListener("click", () => { preview(file); });
      nameCell.appendChild(button);
    }
    if (!file.importable && file.reason) {
      const why = document.createElement("div");
      why.className = "reason"; why.textContent = file.reason;
      nameCell.appendChild(why);
      tr.classList.add("disabled");
    }
    // Already in the knowledge base: importing again is a choice (an unchanged copy is skipped, an older one updated).
    if (file.imported) {
      const note = document.createElement("div");
      note.className = "imported";
      const when = file.imported.importedAt ? daysAgo(file.imported.importedAt) : "";
      note.textContent = `In the knowledge base (${file.imported.category}), imported ${when}` +
        (file.imported.upToDate ? ", unchanged" : ": a newer version exists");
      nameCell.appendChild(note);
      tr.dataset.imported = file.imported.upToDate ? "current" : "outdated";
    }
    tr.appendChild(nameCell);
    tr.appendChild(cell(typeName(file)));
    tr.appendChild(cell(file.isFolder ? "—" : formatSize(file.size)));
    tr.appendChild(cell(file.modifiedTime ? new Date(file.modifiedTime).toLocaleDateString() : "—"));
    return tr;
  }

  function toggle(file, on) {
    if (on && file.importable) { state.selected.set(file.id, file); } else { state.selected.delete(file.id); }
    updateSummary();
  }

  function updateSummary() {
    if (!state) { return; }
    const picked = [...state.selected.values()];
    const folders = picked.filter((f) => f.isFolder).length;
    const files = picked.length - folders;
    const bytes = picked.reduce((sum, f) => sum + (f.isFolder ? 0 : (f.size || 0)), 0);
    const refused = state.files.filter((f) => !f.importable).length;
    const parts = [];
    if (files) { parts.push(`${files} file${files === 1 ? "" : "s"} (${formatSize(bytes)})`); }
    if (folders) { parts.push(`${folders} folder${folders === 1 ? "" : "s"} with everything inside`); }
    let text = parts.length ? parts.join(" and ") + " selected." : "Nothing selected.";
    if (refused) { text += ` ${refused} item${refused === 1 ? "" : "s"} shown here cannot be imported and will be skipped.`; }
    summary.textContent = text;
    importButton.disabled = picked.length === 0;
    const selectable = state.files.filter((f) => f.importable);
    all.checked = selectable.length > 0 && selectable.every((f) => state.selected.has(f.id));
  }

  all.addEventListener("change", () => {
    for (const file of state.files) { if (file.importable) { toggle(file, all.checked); } }
    rows.querySelectorAll("input[type=checkbox]").forEach((box) => { if (!box.disabled) { box.checked = all.checked; } });
    updateSummary();
  });
  more.addEventListener("click", () => load(state.folder, true));
  $("picker-search").addEventListener("submit", (event) => {
    event.preventDefault();
    state.q = $("picker-q").value.trim();
    load(state.folder);
  });

  const labels = {
    waiting: "Waiting…", downloading: "Downloading…", extracting: "Processing…", indexing: "Indexing…",
  };
  const marks = { done: "✓", skipped: "–", failed: "✗" };

  importButton.addEventListener("click", async () => {
    importButton.disabled = true;
    const ids = [...state.selected.keys()];
    try {
      const job = await api(state.importUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ fileIds: ids, category: category.value.trim(), sync: keepInSync ? keepInSync.checked : true }),
      });
      showProgress(job);
    } catch (error) {
      summary.textContent = "The import could not start: " + error.message;
      importButton.disabled = false;
    }
  });

  function showProgress(job) {
    browse.hidden = true; progress.hidden = false;
    $("progress-headline").textContent = `Importing files from ${state.name}…`;
    $("progress-items").replaceChildren();
    for (const item of job.items) { renderItem(item); }
    renderCount(job);
    if (events) { events.close(); }
    events = new EventSource(job.eventsUrl);
    events.addEventListener("item", (event) => renderItem(JSON.parse(event.data)));
    events.addEventListener("progress", (event) => renderCount(JSON.parse(event.data)));
    events.addEventListener("done", (event) => {
      const result = JSON.parse(event.data);
      renderCount(result);
      const failed = result.counts.failed || 0, skipped = result.counts.skipped || 0;
      $("progress-headline").textContent = failed === 0 && skipped === 0
        ? "✓ All files imported successfully!"
        : `Import finished: ${result.counts.done || 0} imported, ${skipped} skipped, ${failed} failed.`;
      events.close(); events = null;
    });
  }

  function renderItem(item) {
    const list = $("progress-items");
    let li = list.querySelector(`[data-item="${item.id}"]`);
    if (!li) {
      li = document.createElement("li");
      li.dataset.item = item.id;
      li.innerHTML = '<span class="mark" aria-hidden="true"></span> <span class="name"></span> <span class="detail"></span>';
      list.appendChild(li);
    }
    li.dataset.state = item.state;
    li.querySelector(".mark").textContent = marks[item.state] || "•";
    li.querySelector(".name").textContent = item.name;
    let detail;
    if (item.state === "done") {
      // A folder reports what it queued; a Confluence page is a folder and a document, with chunks.
      detail = item.isFolder && item.chunkCount === 0 ? (item.reason || "Folder") : `${item.chunkCount} chunk${item.chunkCount === 1 ? "" : "s"} created`;
    } else if (item.state === "skipped") {
      detail = "Skipped: " + (item.reason || "");
    } else if (item.state === "failed") {
      detail = "Failed: " + (item.reason || "");
    } else {
      detail = item.reason && item.reason.startsWith("Retrying") ? item.reason : labels[item.state];
    }
    li.querySelector(".detail").textContent = "(" + detail + ")";
  }

  function renderCount(job) {
    let text = `Progress: ${job.completed} of ${job.total} complete`;
    if (job.etaSeconds && job.completed < job.total) {
      text += job.etaSeconds < 90 ? ` · about ${job.etaSeconds} s left` : ` · about ${Math.round(job.etaSeconds / 60)} min left`;
    }
    $("progress-count").textContent = text;
  }

  const close = () => {
    if (events) { events.close(); events = null; }
    const imported = !progress.hidden;
    if (typeof dialog.close === "function") { dialog.close(); } else { dialog.removeAttribute("open"); }
    // The import carries on without the dialog; the page shows where it is.
    if (imported) { window.location.reload(); }
  };
  $("progress-close").addEventListener("click", close);
  dialog.querySelector("[data-close]").addEventListener("click", close);
  dialog.addEventListener("cancel", (event) => { event.preventDefault(); close(); });

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-import-platform]") : null;
    if (!button) { return; }
    const menu = button.closest("details");
    if (menu) { menu.open = false; }
    open(button);
  });

  // Imports still running when the page loads: keep their counts current.
  document.querySelectorAll("[data-events-url]").forEach((li) => {
    const source = new EventSource(li.dataset.eventsUrl);
    source.addEventListener("progress", (event) => {
      const job = JSON.parse(event.data);
      li.querySelector(".running-count").textContent = `${job.completed} of ${job.total} complete`;
    });
    source.addEventListener("done", () => { source.close(); window.location.reload(); });
  });
})();
