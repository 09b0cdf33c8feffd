extension StaticAssets {
    /// The one script: progressive enhancement only; every page works without it.
    static let script = #"""
"use strict";
// Ask before destructive form posts (forms marked data-confirm="question").
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
// Connect and Reconnect open the provider in a popup; the popup reports back and the page
// reloads to show the result. Without a popup (blocked, or no script) the link works as a page.
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest("a[data-connect]") : null;
  if (!link) { return; }
  const popup = window.open(link.href, "cirrus-oauth", "width=540,height=720");
  if (popup) { event.preventDefault(); popup.focus(); }
});
window.addEventListener("message", (event) => {
  if (event.origin !== window.location.origin || !event.data || event.data.type !== "cirrus:oauth") { return; }
  const query = new URLSearchParams({ platform: event.data.platform, outcome: event.data.outcome });
  if (event.data.code) { query.set("code", event.data.code); }
  window.location.assign("/admin/integrations?" + query.toString());
});
// Buttons marked aria-disabled stay focusable for keyboard users but do nothing.
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest('[aria-disabled="true"]') : null;
  if (button) { event.preventDefault(); }
});
"""#
}
