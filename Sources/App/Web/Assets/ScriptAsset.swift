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
// Buttons marked aria-disabled stay focusable for keyboard users but do nothing.
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest('[aria-disabled="true"]') : null;
  if (button) { event.preventDefault(); }
});
"""#
}
