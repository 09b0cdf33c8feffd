// The Cirrus website widget: a launcher button and a chat panel on a customer's page, talking
// to the Cirrus server this script was loaded from. Our own code and styles, no dependencies.
// Visitors are anonymous: the server checks this page's origin on every request and gives a
// short-lived visitor token; nothing here is trusted by the server beyond that.
(() => {
  const script = document.currentScript;
  if (!script || !window.fetch || window.cirrusWidget) { return; }
  const site = script.dataset.cirrusSite || "";
  const server = new URL(script.src, location.href).origin;
  const base = server + "/api/v1/widget/" + encodeURIComponent(site);
  const storageKey = "cirrus-widget:" + site;
  const element = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  };

  // The session (token, chatbot, look) and the conversation survive reloads within the tab.
  let session = null;
  let conversationId = null;
  try {
    const saved = JSON.parse(sessionStorage.getItem(storageKey) || "null");
    if (saved && saved.session && Date.parse(saved.session.expiresAt) > Date.now() + 60000) {
      session = saved.session;
      conversationId = saved.conversationId || null;
    }
  } catch (_) { /* storage may be off: the widget still works for this page */ }
  const save = () => {
    try { sessionStorage.setItem(storageKey, JSON.stringify({ session, conversationId })); } catch (_) { /* as above */ }
  };

  const call = async (path, body) => {
    const headers = { "Content-Type": "application/json" };
    if (session && path !== "/session") { headers["X-Cirrus-Visitor"] = session.token; }
    const response = await fetch(base + path, {
      method: "POST", mode: "cors", credentials: "omit", headers, body: JSON.stringify(body || {}),
    });
    if (response.status === 204) { return null; }
    const value = await response.json().catch(() => null);
    if (!response.ok) {
      const error = new Error(value && value.error ? value.error.message : "The chat is unavailable just now.");
      error.status = response.status;
      throw error;
    }
    return value;
  };
  const startSession = async () => {
    session = await call("/session");
    conversationId = null;
    save();
  };

  // The panel: a dialog with the conversation as a log, a labelled question box and Send.
  const stylesheet = element("link");
  stylesheet.rel = "stylesheet";
  stylesheet.href = server + "/static/widget.css";
  document.head.append(stylesheet);
  const root = element("div", "cirrus-widget");
  root.dataset.state = "loading";
  const launcher = element("button", "cirrus-launcher", "Ask us");
  launcher.type = "button";
  launcher.hidden = true;
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "cirrus-panel");
  const panel = element("section", "cirrus-panel");
  panel.id = "cirrus-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-labelledby", "cirrus-title");
  const header = element("header", "cirrus-header");
  const title = element("h2", "cirrus-title", "Chat");
  title.id = "cirrus-title";
  const close = element("button", "cirrus-close", "×");
  close.type = "button";
  close.setAttribute("aria-label", "Close the chat");
  header.append(title, close);
  const log = element("div", "cirrus-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-label", "Conversation");
  log.tabIndex = 0;
  const status = element("p", "cirrus-status");
  status.setAttribute("role", "status");
  const form = element("form", "cirrus-form");
  const label = element("label", "cirrus-hidden", "Your question");
  label.htmlFor = "cirrus-question";
  const input = element("textarea", "cirrus-input");
  input.id = "cirrus-question";
  input.rows = 2;
  input.maxLength = 2000;
  input.required = true;
  input.placeholder = "Ask a question…";
  const send = element("button", "cirrus-send", "Send");
  send.type = "submit";
  form.append(label, input, send);
  panel.append(header, log, status, form);
  root.append(panel, launcher);

  const message = (who, text) => {
    const item = element("div", "cirrus-message cirrus-" + who);
    if (text !== undefined) { item.append(element("p", "cirrus-text", text)); }
    log.append(item);
    log.scrollTop = log.scrollHeight;
    return item;
  };
  const safeLink = (url) => typeof url === "string" && /^(https?|mailto):/i.test(url);

  // Thumbs up or down, and for a thumbs down what was missing, sent with the answer's ids.
  const feedback = (item, turn) => {
    const box = element("div", "cirrus-feedback");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "Was this answer helpful?");
    const rate = async (rating, comment) => {
      await call("/feedback", { conversationId, turnId: turn.id, rating, comment });
      up.setAttribute("aria-pressed", String(rating === "up"));
      down.setAttribute("aria-pressed", String(rating === "down"));
      status.textContent = "Thank you for your feedback.";
    };
    // A thumb drawn as SVG (not an emoji: not every machine has a font for it), down is up turned over.
    const thumb = (down) => {
      const ns = "http://www.w3.org/2000/svg";
      const svg = document.createElementNS(ns, "svg");
      svg.setAttribute("viewBox", "0 0 24 24");
      svg.setAttribute("width", "16");
      svg.setAttribute("height", "16");
      svg.setAttribute("aria-hidden", "true");
      if (down) { svg.setAttribute("transform", "rotate(180)"); }
      const path = document.createElementNS(ns, "path");
      path.setAttribute("d", "M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6C6.2 8 6 8.5 6 9v10a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z");
      path.setAttribute("fill", "currentColor");
      svg.append(path);
      return svg;
    };
    const button = (name, rating) => {
      const node = element("button", "cirrus-rate");
      node.append(thumb(rating === "down"));
      node.type = "button";
      node.dataset.rating = rating;
      node.setAttribute("aria-label", name);
      node.setAttribute("aria-pressed", "false");
      return node;
    };
    const up = button("Helpful", "up");
    const down = button("Not helpful", "down");
    up.addEventListener("click", () => rate("up").catch((error) => { status.textContent = error.message; }));
    down.addEventListener("click", () => {
      if (box.querySelector(".cirrus-comment")) { return; }
      const comment = element("form", "cirrus-comment");
      const field = element("input", "cirrus-comment-text");
      field.type = "text";
      field.maxLength = 2000;
      field.setAttribute("aria-label", "What was wrong or missing? (optional)");
      field.placeholder = "What was wrong or missing? (optional)";
      const submit = element("button", "cirrus-comment-send", "Send");
      submit.type = "submit";
      comment.append(field, submit);
      comment.addEventListener("submit", (event) => {
        event.preventDefault();
        rate("down", field.value).then(() => comment.remove()).catch((error) => { status.textContent = error.message; });
      });
      box.append(comment);
      field.focus();
    });
    box.prepend(up, down);
    item.append(box);
  };

  const answer = (item, turn) => {
    item.replaceChildren(element("p", "cirrus-text", turn.answer));
    if (turn.sources && turn.sources.length > 0) {
      const list = element("ol", "cirrus-sources");
      list.setAttribute("aria-label", "Sources");
      for (const source of turn.sources) {
        const entry = element("li", "cirrus-source");
        if (safeLink(source.url)) {
          const link = element("a", "", source.title);
          link.href = source.url; link.target = "_blank"; link.rel = "noopener noreferrer";
          entry.append(link);
        } else { entry.append(element("span", "cirrus-source-title", source.title)); }
        if (source.location) { entry.append(element("span", "cirrus-source-location", " — " + source.location)); }
        list.append(entry);
      }
      item.append(list);
    }
    if (turn.declined && safeLink(turn.declined.contactUrl)) {
      const contact = element("a", "cirrus-contact", "Ask a person");
      contact.href = turn.declined.contactUrl; contact.target = "_blank"; contact.rel = "noopener noreferrer";
      item.append(contact);
    }
    feedback(item, turn);
    log.scrollTop = log.scrollHeight;
  };

  const ask = async (question) => {
    const body = { question, conversationId };
    try {
      return await call("/messages", body);
    } catch (error) {
      // An expired token starts a new session (and conversation) and asks once more.
      if (error.status !== 401) { throw error; }
      await startSession();
      return call("/messages", { question, conversationId: null });
    }
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question) { return; }
    message("visitor", question);
    const pending = message("bot", "…");
    pending.setAttribute("aria-busy", "true");
    input.value = "";
    send.disabled = true;
    status.textContent = "";
    try {
      const reply = await ask(question);
      conversationId = reply.conversationId;
      save();
      answer(pending, reply.turn);
    } catch (error) {
      pending.replaceChildren(element("p", "cirrus-text cirrus-error", error.message));
    } finally {
      pending.removeAttribute("aria-busy");
      send.disabled = false;
      input.focus();
    }
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });

  const open = (shown) => {
    panel.hidden = !shown;
    launcher.setAttribute("aria-expanded", String(shown));
    if (shown) { input.focus(); } else { launcher.focus(); }
  };
  launcher.addEventListener("click", () => open(panel.hidden));
  close.addEventListener("click", () => open(false));
  panel.addEventListener("keydown", (event) => { if (event.key === "Escape") { open(false); } });

  const show = () => {
    root.style.setProperty("--cirrus-accent", session.widget.colour);
    root.dataset.position = session.widget.position;
    launcher.textContent = session.widget.launcherText;
    title.textContent = session.chatbot.name;
    if (session.chatbot.greeting) { message("bot", session.chatbot.greeting); }
    launcher.hidden = false;
    root.dataset.state = "ready";
  };
  const mount = async () => {
    document.body.append(root);
    try {
      if (!session) { await startSession(); }
      show();
    } catch (error) {
      // Not allowed on this page, switched off, or the server is away: no launcher at all.
      root.dataset.state = "unavailable";
      if (window.console) { console.warn("Cirrus widget unavailable:", error.message); }
    }
  };
  window.cirrusWidget = { open: () => open(true) };
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
})();
