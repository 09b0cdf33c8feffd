extension StaticAssets {
    /// The one stylesheet. Compiled into the binary so `cirrus` runs as a single file.
    static let stylesheet = #"""
:root {
  --bg: #f6f7fb; --panel: #ffffff; --text: #1d2433; --muted: #5b6478; --line: #e3e6ee;
  --accent: #2563eb; --accent-dark: #1d4ed8; --ok: #157f3b; --ok-bg: #e5f6ec; --warn: #9a5b00; --warn-bg: #fff3dc;
  --danger: #b42318; --danger-bg: #fdecea; --radius: 10px; --sidebar: 232px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--text); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; line-height: 1.5; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #93b4fb; outline-offset: 2px; }
.skip-link { position: absolute; left: -999px; top: 8px; background: var(--panel); padding: 8px 12px; z-index: 10; }
.skip-link:focus { left: 8px; }
body.shell { display: grid; grid-template-columns: var(--sidebar) 1fr; }
.sidebar { background: #111827; color: #e5e7eb; padding: 20px 14px; min-height: 100vh; position: sticky; top: 0; }
.brand { display: flex; align-items: center; gap: 10px; font-weight: 700; font-size: 1.15rem; margin-bottom: 24px; }
.brand.large { font-size: 1.5rem; justify-content: center; margin-bottom: 8px; }
.sidebar ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 2px; }
.nav-link { display: block; color: #cbd5e1; text-decoration: none; padding: 9px 12px; border-radius: 8px; }
.nav-link:hover { background: #1f2937; color: #fff; }
.nav-link.active { background: #2563eb; color: #fff; }
.page { min-width: 0; }
.topbar { display: flex; align-items: center; justify-content: space-between; gap: 12px; padding: 16px 28px; background: var(--panel); border-bottom: 1px solid var(--line); }
.topbar h1 { font-size: 1.35rem; margin: 0; }
.topbar-right { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
main { padding: 24px 28px; max-width: 1100px; }
main:focus { outline: none; }
.lead { color: var(--muted); margin-top: 0; }
.muted { color: var(--muted); }
.small { font-size: .85rem; }
.badge { font-size: .75rem; font-weight: 600; padding: 3px 8px; border-radius: 999px; }
.badge.demo { background: #ede9fe; color: #5b21b6; }
.button { display: inline-block; border: 1px solid var(--line); background: var(--panel); color: var(--text); padding: 8px 14px; border-radius: 8px; font: inherit; cursor: pointer; text-decoration: none; }
.button:hover { border-color: #c5cad6; }
.button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
.button.primary:hover { background: var(--accent-dark); }
.button.subtle { padding: 6px 10px; }
.button.danger { color: var(--danger); border-color: #f3b7b0; }
.button[aria-disabled="true"] { opacity: .55; cursor: not-allowed; }
.button.wide { width: 100%; margin-top: 8px; }
form.inline { display: inline; margin: 0; }
.card-grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 18px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 18px 20px; display: flex; flex-direction: column; gap: 8px; }
.card-head { display: flex; align-items: center; gap: 12px; }
.card-head h2 { font-size: 1.1rem; margin: 0; flex: 1; }
.card p { margin: 0; }
.card-actions { display: flex; align-items: center; gap: 12px; margin-top: auto; padding-top: 8px; flex-wrap: wrap; }
.pill { font-size: .8rem; font-weight: 600; padding: 3px 10px; border-radius: 999px; background: #eef0f5; color: var(--muted); white-space: nowrap; }
.pill.ok { background: var(--ok-bg); color: var(--ok); }
.pill.warn { background: var(--warn-bg); color: var(--warn); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.stats { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 16px; margin-bottom: 24px; }
.stat { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 16px 18px; text-decoration: none; color: var(--text); display: grid; }
.stat-value { font-size: 1.8rem; font-weight: 700; }
.stat-label { color: var(--muted); }
.callout, .panel { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 18px 20px; margin-bottom: 20px; }
.callout h2, .panel h2 { margin-top: 0; font-size: 1.1rem; }
.empty { background: var(--panel); border: 1px dashed #c9ceda; border-radius: var(--radius); padding: 28px; text-align: center; color: var(--muted); }
.table-wrap { overflow-x: auto; background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 10px 14px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .85rem; color: var(--muted); font-weight: 600; }
tr:last-child td { border-bottom: none; }
body.bare { display: grid; place-items: center; padding: 24px; }
.login-card { background: var(--panel); border: 1px solid var(--line); border-radius: 14px; padding: 32px; width: min(420px, 100%); box-shadow: 0 10px 30px rgba(17, 24, 39, .06); }
.login-card h1 { text-align: center; margin: 8px 0 4px; }
.login-card p { text-align: center; }
label { display: block; font-weight: 600; margin: 14px 0 6px; }
input[type=email], input[type=password], input[type=text] { width: 100%; padding: 10px 12px; border: 1px solid #cfd4df; border-radius: 8px; font: inherit; }
.alert { padding: 10px 12px; border-radius: 8px; margin: 12px 0; }
.alert.error { background: var(--danger-bg); color: var(--danger); }
.alert.success { background: var(--ok-bg); color: var(--ok); }
[hidden] { display: none !important; }
.toolbar { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; justify-content: space-between; margin-bottom: 16px; }
.filters { display: flex; gap: 8px; align-items: center; }
.filters select { padding: 7px 10px; border: 1px solid var(--line); border-radius: 8px; font: inherit; background: var(--panel); }
.menu { position: relative; }
.menu > summary { list-style: none; }
.menu > summary::-webkit-details-marker { display: none; }
.menu-list { position: absolute; z-index: 5; list-style: none; margin: 6px 0 0; padding: 6px; min-width: 240px; background: var(--panel); border: 1px solid var(--line); border-radius: 10px; box-shadow: 0 8px 24px rgba(15, 23, 42, .12); }
.menu-item { display: flex; gap: 10px; align-items: center; width: 100%; padding: 8px 10px; border: 0; background: none; font: inherit; text-align: left; border-radius: 6px; cursor: pointer; }
.menu-item:hover, .menu-item:focus-visible { background: #f1f5f9; }
.row-actions { display: flex; gap: 6px; }
.source { display: inline-flex; gap: 6px; align-items: center; }
.chat-form { display: grid; gap: 8px; margin: 16px 0 24px; max-width: 760px; }
.chat-form textarea { width: 100%; font: inherit; padding: 10px; border: 1px solid #cbd5e1; border-radius: 8px; }
.chat-actions { display: flex; gap: 10px; align-items: center; }
.chat-turn { border: 1px solid #e2e8f0; border-radius: 10px; padding: 14px 18px; margin-bottom: 12px; max-width: 760px; background: #fff; }
.chat-turn .question { font-size: 1.05rem; margin: 0 0 8px; cursor: default; }
.chat-turn:not(.latest) { opacity: .85; }
.chat-turn:not(.latest) .question { font-size: .95rem; }
.chat-turn .answer { line-height: 1.6; margin: 8px 0; white-space: pre-line; }
.chat-turn .marker { text-decoration: none; font-weight: 600; font-size: .8em; vertical-align: super; }
.citations { margin: 8px 0 0; padding-left: 22px; display: grid; gap: 6px; }
.citation { display: list-item; }
.citation img { vertical-align: middle; margin-right: 6px; }
.citation-location, .confidence { color: #475569; margin-left: 8px; font-size: .9rem; }
.confidence { font-variant-numeric: tabular-nums; }
.notice { background: #ecfdf5; border: 1px solid #a7f3d0; padding: 10px 14px; border-radius: 8px; }
.running { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 12px 16px; margin-bottom: 16px; }
.running h2 { font-size: 1rem; margin: 0 0 6px; }
.running ul { margin: 0; padding-left: 0; list-style: none; }
.pager { display: flex; gap: 12px; align-items: center; justify-content: flex-end; margin-top: 12px; }
.spinner { display: inline-block; width: 10px; height: 10px; margin-right: 8px; border: 2px solid var(--accent); border-right-color: transparent; border-radius: 50%; animation: spin 1s linear infinite; }
@keyframes spin { to { transform: rotate(360deg); } }
.importer { width: min(880px, 96vw); max-height: 90vh; border: 1px solid var(--line); border-radius: 14px; padding: 0; }
.importer::backdrop { background: rgba(15, 23, 42, .45); }
.importer-head { display: flex; justify-content: space-between; align-items: center; padding: 14px 18px; border-bottom: 1px solid var(--line); }
.importer-head h2 { margin: 0; font-size: 1.1rem; }
.picker-browse, .picker-progress { padding: 14px 18px; }
.breadcrumbs ol { display: flex; flex-wrap: wrap; gap: 4px; list-style: none; margin: 0 0 10px; padding: 0; }
.breadcrumbs li + li::before { content: "›"; margin-right: 4px; color: var(--muted); }
.picker-search { display: flex; gap: 8px; margin-bottom: 10px; }
.picker-search input { flex: 1; padding: 7px 10px; border: 1px solid var(--line); border-radius: 8px; font: inherit; }
.picker-list { max-height: 46vh; overflow: auto; border: 1px solid var(--line); border-radius: 10px; }
.picker-list th { position: sticky; top: 0; background: var(--panel); }
.picker-list tr.disabled td { color: var(--muted); }
.picker-list .reason { font-size: .8rem; color: var(--muted); }
button.link { background: none; border: 0; padding: 0; color: var(--accent); font: inherit; cursor: pointer; text-align: left; }
button.link:hover { text-decoration: underline; }
button.link.folder::before { content: "📁 "; }
.picker-footer { display: grid; grid-template-columns: auto 1fr auto; gap: 8px 12px; align-items: center; margin-top: 12px; }
.picker-footer input { padding: 7px 10px; border: 1px solid var(--line); border-radius: 8px; font: inherit; }
.picker-footer .summary { grid-column: 1 / -1; margin: 0; color: var(--muted); }
.picker-footer #picker-import { grid-column: 3; grid-row: 1; }
.progress-items { list-style: none; padding: 0; margin: 10px 0; max-height: 50vh; overflow: auto; }
.progress-items li { padding: 4px 0; }
.progress-items li[data-state="done"] .mark { color: #16a34a; }
.progress-items li[data-state="failed"] .mark { color: var(--danger); }
.progress-items .detail { color: var(--muted); }
.headline { font-weight: 600; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 760px) {
  body.shell { grid-template-columns: 1fr; }
  .sidebar { min-height: auto; position: static; padding: 12px; }
  .brand { margin-bottom: 10px; }
  .sidebar ul { grid-auto-flow: column; grid-auto-columns: max-content; overflow-x: auto; }
  .card-grid, .stats { grid-template-columns: 1fr; }
  .topbar, main { padding-left: 16px; padding-right: 16px; }
}
"""#
}
