"use strict";
// Ask before destructive form posts (forms marked data-confirm="question").
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
// Connect and Reconnect post their form into a popup (data-return: the page that shows the result); the popup reports back and the page
// reloads to show the result. Without a popup (blocked, or no script) the form posts as a page.
let connectReturn = null;
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.connect) { return; }
  connectReturn = form.dataset.return;
  const popup = window.open("", "cirrus-oauth", "width=540,height=720");
  if (popup) { form.target = "cirrus-oauth"; popup.focus(); } else { form.removeAttribute("target"); }
});
window.addEventListener("message", (event) => {
  if (event.origin !== window.location.origin || !event.data || event.data.type !== "cirrus:oauth" || !connectReturn) { return; }
  const query = new URLSearchParams({ platform: event.data.platform, outcome: event.data.outcome });
  if (event.data.code) { query.set("code", event.data.code); }
  window.location.assign(connectReturn + "?" + query.toString());
});
// Buttons marked aria-disabled stay focusable for keyboard users but do nothing.
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest('[aria-disabled="true"]') : null;
  if (button) { event.preventDefault(); }
});
// The bell in the header: how many notifications are unread (its aria-label says it too).
document.addEventListener("DOMContentLoaded", async () => {
  const bell = document.querySelector("a.bell[data-source]");
  if (!bell) { return; }
  try {
    const response = await fetch(bell.dataset.source, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) { return; }
    const { unread } = await response.json();
    const count = bell.querySelector(".bell-count");
    if (unread > 0) {
      count.textContent = unread > 99 ? "99+" : String(unread);
      count.hidden = false;
      bell.setAttribute("aria-label", `Notifications: ${unread} unread`);
    }
  } catch (error) {
    // No count is better than a broken header.
  }
});
