(() => {
  const form = document.querySelector("form.chat-form[data-stream]");
  if (!form || !window.fetch || !window.TextDecoder) { return; }
  const history = document.querySelector("section.chat-history");
  const element = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  };
  // The answer's [n] markers become links to the numbered sources (text nodes only: no HTML is parsed).
  const renderAnswer = (target, text, anchor) => {
    target.replaceChildren();
    let last = 0;
    for (const match of text.matchAll(/\[(\d+)\]/g)) {
      target.append(text.slice(last, match.index));
      const link = element("a", "marker", match[0]);
      link.href = "#" + anchor + "-source-" + match[1];
      target.append(link);
      last = match.index + match[0].length;
    }
    target.append(text.slice(last));
  };
  const renderSources = (list, sources, anchor) => {
    list.replaceChildren();
    list.hidden = sources.length === 0;
    for (const source of sources) {
      const item = element("li", "citation");
      item.id = anchor + "-source-" + source.number;
      const icon = element("img");
      icon.src = source.icon;
      icon.alt = source.platformName; icon.title = source.platformName; icon.width = 18; icon.height = 18;
      const title = element("span", "citation-title");
      if (source.url && /^https?:/i.test(source.url)) {
        const link = element("a", "", source.title);
        link.href = source.url; link.target = "_blank"; link.rel = "noopener";
        title.append(link);
      } else { title.textContent = source.title; }
      item.append(icon, title);
      if (source.location) { item.append(element("span", "citation-location", source.location)); }
      item.append(element("span", "confidence", "Confidence: " + source.confidence + "%"));
      list.append(item);
    }
  };
  // Helpful or not, as the page renders it for kept turns: a form posted to the turn's rate route.
  const ratingForm = (turnId, conversationId, csrf) => {
    const rating = element("form", "rating");
    rating.method = "post";
    rating.action = form.dataset.rate.replace(":id", turnId);
    rating.setAttribute("aria-label", "Rate this answer");
    for (const [name, value] of [["_csrf", csrf], ["conversation", conversationId]]) {
      const field = element("input");
      field.type = "hidden"; field.name = name; field.value = value;
      rating.append(field);
    }
    for (const [value, text] of [["up", "Helpful"], ["down", "Not helpful"]]) {
      const button = element("button", "button subtle", text);
      button.type = "submit"; button.name = "rating"; button.value = value;
      button.setAttribute("aria-pressed", "false");
      rating.append(button);
    }
    const comment = element("input");
    comment.type = "text"; comment.name = "comment"; comment.maxLength = 2000;
    comment.placeholder = "What was wrong or missing? (optional)";
    comment.setAttribute("aria-label", comment.placeholder);
    rating.append(comment);
    return rating;
  };
  form.addEventListener("submit", async (event) => {
    const data = new FormData(form);
    const question = String(data.get("question") || "").trim();
    if (!question) { return; }
    event.preventDefault();
    const anchor = "turn-live-" + Date.now();
    const article = element("article", "chat-turn latest");
    article.id = anchor;
    article.dataset.state = "streaming";
    const heading = element("h2", "question", question);
    const category = String(data.get("category") || "");
    if (category) { heading.append(" ", element("span", "badge", category)); }
    const answer = element("div", "answer", "…");
    const list = element("ol", "citations");
    list.hidden = true;
    article.append(heading, answer, list);
    history.querySelectorAll("article.chat-turn.latest").forEach((old) => old.classList.remove("latest"));
    history.prepend(article);
    form.querySelector("button[type=submit]").disabled = true;
    let text = "";
    try {
      const response = await fetch(form.dataset.stream, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "text/event-stream", "X-CSRF-Token": String(data.get("_csrf") || "") },
        body: JSON.stringify({ question, category, conversation: String(data.get("conversation") || "") }),
      });
      if (!response.ok || !response.body) {
        const problem = await response.json().catch(() => null);
        throw new Error(problem && problem.error ? problem.error.message : "The question could not be answered.");
      }
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) { break; }
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const name = (block.match(/^event: (.*)$/m) || [])[1];
          const payload = (block.match(/^data: (.*)$/m) || [])[1];
          if (!name || payload === undefined) { continue; }
          const value = JSON.parse(payload);
          if (name === "sources") { renderSources(list, value, anchor); }
          if (name === "delta") { text += value.text; answer.textContent = text; }
          if (name === "done") {
            renderAnswer(answer, value.answer, anchor);
            // The whole answer's sources replace the streamed ones ("I don't know" cites none).
            renderSources(list, value.sources, anchor);
            if (value.declined && value.declined.contactUrl && /^(https?|mailto):/i.test(value.declined.contactUrl)) {
              const contact = element("p", "contact");
              const link = element("a", "", "Ask a person");
              link.href = value.declined.contactUrl; link.rel = "noopener";
              contact.append(link);
              answer.after(contact);
            }
            if (value.declined && value.declined.reason) { answer.after(element("p", "decline-reason muted", "Why: " + value.declined.reason)); }
            // The turn was kept in the conversation: the next question follows up on it.
            if (value.conversationId) { form.querySelector("input[name=conversation]").value = value.conversationId; }
            if (value.turnId) { article.append(ratingForm(value.turnId, value.conversationId, String(data.get("_csrf") || ""))); }
          }
          if (name === "error") { throw new Error(value.message); }
        }
      }
      form.querySelector("textarea").value = "";
    } catch (error) {
      answer.textContent = error.message;
      article.classList.add("failed");
    } finally {
      article.dataset.state = "done";
      form.querySelector("button[type=submit]").disabled = false;
    }
  });
})();
