"use strict";
(() => {
  const result = document.getElementById("oauth-result");
  if (!result) { return; }
  const message = {
    type: "cirrus:oauth",
    platform: result.dataset.platform,
    outcome: result.dataset.outcome,
    code: result.dataset.code || null,
  };
  const origin = new URL(result.dataset.origin).origin;
  if (window.opener && !window.opener.closed && origin === window.location.origin) {
    window.opener.postMessage(message, origin);
    window.close();
  } else {
    const query = new URLSearchParams({ platform: message.platform, outcome: message.outcome });
    if (message.code) { query.set("code", message.code); }
    window.location.replace(result.dataset.return + "?" + query.toString());
  }
})();
