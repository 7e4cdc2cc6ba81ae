/*
 * slotapp chat widget. Paste on any site:
 *   <script src="https://<slotapp>/api/chat/v1/widget.js" data-channel="<widget key>" async></script>
 * (or src=".../widget.js" at the site root; data-api="https://<slotapp>/api/chat/v1" overrides
 * where the API is). No dependencies, no eval, no inline style strings: every style is set
 * through element.style, inside a shadow root, so a strict CSP on the host page and its own
 * CSS leave the widget alone. Message text is only ever set with textContent.
 */
(function () {
  "use strict";
  var script = document.currentScript ||
    document.querySelector("script[data-channel][src*='widget.js']");
  if (!script || window.__slotappChat) return;
  var CHANNEL = script.getAttribute("data-channel") || "";
  if (!CHANNEL) return;
  window.__slotappChat = true;
  var API = (function () {
    var given = script.getAttribute("data-api");
    if (given) return given.replace(/\/+$/, "");
    var src = new URL(script.src, document.baseURI);
    var path = src.pathname.replace(/\/widget\.js$/, "");
    return src.origin + (/\/api\/chat\/v\d+$/.test(path) ? path : "/api/chat/v1");
  })();
  var ACCENT = script.getAttribute("data-color") || "#4338ca";
  var STORE = "slotapp-chat:" + CHANNEL;

  var WORDS = {
    en: { intro: "Ask us anything: we answer here.", open: "Chat with us", close: "Close chat", send: "Send", write: "Write a message",
      agree: "I agree", typing: "is typing…", someone: "Someone", sending: "Sending…",
      failed: "Not sent. Tap to retry.", name: "Name", email: "Email", phone: "Phone",
      save: "Send details", thanks: "Thank you!", rate: "Rate this conversation",
      star: "stars", comment: "Comment (optional)", emailLog: "Email me this conversation",
      away: "We are away right now.", unavailable: "This chat is not available right now.",
      newChat: "Start a new conversation", you: "You" },
    de: { intro: "Fragen Sie uns: wir antworten hier.", open: "Chatten Sie mit uns", close: "Chat schließen", send: "Senden",
      write: "Nachricht schreiben", agree: "Ich stimme zu", typing: "schreibt…",
      someone: "Jemand", sending: "Wird gesendet…", failed: "Nicht gesendet. Erneut versuchen.",
      name: "Name", email: "E-Mail", phone: "Telefon", save: "Angaben senden",
      thanks: "Vielen Dank!", rate: "Gespräch bewerten", star: "Sterne",
      comment: "Kommentar (optional)", emailLog: "Gespräch per E-Mail senden",
      away: "Wir sind gerade nicht da.", unavailable: "Dieser Chat ist gerade nicht verfügbar.",
      newChat: "Neues Gespräch beginnen", you: "Sie" },
    fr: { intro: "Posez-nous vos questions : nous répondons ici.", open: "Discutez avec nous", close: "Fermer le chat", send: "Envoyer",
      write: "Écrire un message", agree: "J'accepte", typing: "écrit…", someone: "Quelqu'un",
      sending: "Envoi…", failed: "Non envoyé. Réessayer.", name: "Nom", email: "E-mail",
      phone: "Téléphone", save: "Envoyer mes coordonnées", thanks: "Merci !",
      rate: "Évaluer cette conversation", star: "étoiles", comment: "Commentaire (facultatif)",
      emailLog: "M'envoyer cette conversation", away: "Nous sommes absents pour le moment.",
      unavailable: "Ce chat n'est pas disponible pour le moment.",
      newChat: "Nouvelle conversation", you: "Vous" },
    es: { intro: "Pregúntenos lo que quiera: respondemos aquí.", open: "Chatea con nosotros", close: "Cerrar chat", send: "Enviar",
      write: "Escribe un mensaje", agree: "Acepto", typing: "está escribiendo…",
      someone: "Alguien", sending: "Enviando…", failed: "No enviado. Reintentar.",
      name: "Nombre", email: "Correo", phone: "Teléfono", save: "Enviar datos",
      thanks: "¡Gracias!", rate: "Valora esta conversación", star: "estrellas",
      comment: "Comentario (opcional)", emailLog: "Enviarme esta conversación",
      away: "Ahora no estamos disponibles.", unavailable: "Este chat no está disponible ahora.",
      newChat: "Nueva conversación", you: "Usted" }
  };

  // --- storage that survives reloads (and a host page where localStorage throws) ---------
  var memory = {};
  function load(name) {
    try { return window.localStorage.getItem(STORE + ":" + name); } catch (e) { return memory[name] || null; }
  }
  function keep(name, value) {
    try {
      if (value === null) window.localStorage.removeItem(STORE + ":" + name);
      else window.localStorage.setItem(STORE + ":" + name, value);
    } catch (e) { if (value === null) delete memory[name]; else memory[name] = value; }
  }
  function randomId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }
  var visitorId = load("visitor") || randomId();
  keep("visitor", visitorId);

  // --- the API --------------------------------------------------------------------------
  function call(method, path, body, extra) {
    var headers = { "Accept": "application/json" };
    var key = load("key");
    if (key) headers["X-Chat-Key"] = key;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    var init = { method: method, headers: headers, mode: "cors", credentials: "omit" };
    if (body !== undefined) init.body = JSON.stringify(body);
    if (extra && extra.signal) init.signal = extra.signal;
    return fetch(API + path, init).then(function (res) {
      if (res.status === 204 || res.status === 202) return null;
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) {
          var err = new Error((data && data.detail) || res.statusText);
          err.status = res.status; err.field = data && data.field; err.kind = data && data.type;
          throw err;
        }
        return data;
      });
    });
  }

  // --- building elements without HTML strings -------------------------------------------
  function el(tag, props, style, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (name) {
      if (name === "text") node.textContent = props.text;
      else if (name.indexOf("aria-") === 0 || name === "role") node.setAttribute(name, props[name]);
      else node[name] = props[name];
    });
    Object.assign(node.style, style || {});
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }
  var FONT = { fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    fontSize: "16px", lineHeight: "1.4", color: "#111827", textAlign: "left", letterSpacing: "normal" };
  var BUTTON = { minHeight: "48px", minWidth: "48px", padding: "0 16px", border: "0",
    borderRadius: "12px", background: ACCENT, color: "#fff", fontSize: "16px", fontWeight: "600",
    cursor: "pointer", fontFamily: "inherit" };
  var QUIET = Object.assign({}, BUTTON, { background: "#eef2ff", color: ACCENT });
  var INPUT = { minHeight: "48px", width: "100%", boxSizing: "border-box", padding: "10px 12px",
    border: "1px solid #cbd5e1", borderRadius: "12px", fontSize: "16px", fontFamily: "inherit",
    color: "#111827", background: "#fff" };

  function icon(path) {  // an SVG built node by node: no markup strings
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "28");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var shape = document.createElementNS(ns, "path");
    shape.setAttribute("d", path);
    shape.setAttribute("fill", "currentColor");
    svg.appendChild(shape);
    return svg;
  }

  // --- the widget -----------------------------------------------------------------------
  var host = el("div", { id: "slotapp-chat" }, { all: "initial" });
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var words = WORDS.en;
  var config = null;
  var chat = { status: null, state: "", last: 0, ids: {}, agent: null, typing: false,
    consentGiven: false, contactGiven: false, canRate: false, logByEmail: false };
  var polling = false, unread = 0, lastTyping = 0, opened = false;

  var badge = el("span", { "aria-hidden": "true" }, { position: "absolute", top: "-4px",
    right: "-4px", minWidth: "20px", height: "20px", borderRadius: "10px", background: "#dc2626",
    color: "#fff", fontSize: "12px", lineHeight: "20px", textAlign: "center", display: "none" });
  var bubble = icon("M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
  var launcher = el("button", { id: "slotapp-chat-open", type: "button", "aria-label": words.open, "aria-expanded": "false",
    "aria-controls": "slotapp-chat-panel" }, Object.assign({}, FONT, { position: "fixed",
    right: "16px", bottom: "16px", width: "60px", height: "60px", borderRadius: "30px", border: "0",
    background: ACCENT, color: "#fff", cursor: "pointer", boxShadow: "0 6px 20px rgba(0,0,0,.25)",
    zIndex: "2147483000", display: "flex", alignItems: "center", justifyContent: "center" }),
    [bubble, badge]);
  var titleText = el("h2", { id: "slotapp-chat-title", text: "" }, { margin: "0", fontSize: "18px",
    fontWeight: "700", overflowWrap: "anywhere" });
  var agentLine = el("p", { text: "" }, { margin: "2px 0 0", fontSize: "14px", opacity: "0.9" });
  var closeButton = el("button", { id: "slotapp-chat-close", type: "button", "aria-label": words.close, text: "\u00D7" },
    Object.assign({}, BUTTON, { background: "transparent", fontSize: "28px", padding: "0" }));
  var header = el("div", {}, { display: "flex", alignItems: "center", gap: "8px",
    padding: "8px 8px 8px 16px", background: ACCENT, color: "#fff" },
    [el("div", {}, { flex: "1", minWidth: "0" }, [titleText, agentLine]), closeButton]);
  var notice = el("p", { id: "slotapp-chat-notice", role: "status", text: "" }, { margin: "0", padding: "8px 16px",
    background: "#fef3c7", fontSize: "14px", display: "none" });
  var log = el("div", { id: "slotapp-chat-log", role: "log", "aria-live": "polite",
    "aria-label": "Messages" }, { padding: "12px", display: "flex", flexDirection: "column",
    gap: "8px" });
  var typingLine = el("p", { id: "slotapp-chat-typing", "aria-live": "polite", text: "" }, { margin: "0", padding: "0 16px",
    fontSize: "14px", color: "#475569", minHeight: "20px" });
  var forms = el("div", { id: "slotapp-chat-forms" }, { padding: "0 12px" });
  // The log and the forms it asks for (contact, rating) scroll together.
  var intro = el("p", { text: words.intro }, { margin: "0", padding: "24px 16px 0",
    textAlign: "center", color: "#475569", fontSize: "15px" });
  var scroller = el("div", {}, { flex: "1", overflowY: "auto", overflowX: "hidden",
    background: "#f8fafc" }, [intro, log, forms]);
  var textarea = el("textarea", { id: "slotapp-chat-text", rows: 1, maxLength: 4000, "aria-label": words.write,
    placeholder: words.write }, Object.assign({}, INPUT, { resize: "none", flex: "1",
    maxHeight: "120px" }));
  var sendButton = el("button", { type: "submit", text: words.send }, BUTTON);
  var composer = el("form", {}, { display: "flex", gap: "8px", padding: "12px",
    borderTop: "1px solid #e2e8f0", alignItems: "flex-end" }, [textarea, sendButton]);
  var footer = el("div", { id: "slotapp-chat-footer" }, { padding: "0 12px 12px" });
  var panel = el("div", { id: "slotapp-chat-panel", role: "dialog", "aria-labelledby":
    "slotapp-chat-title" }, Object.assign({}, FONT, { position: "fixed", display: "none",
    flexDirection: "column", background: "#fff", boxShadow: "0 12px 40px rgba(0,0,0,.3)",
    zIndex: "2147483001", overflow: "hidden", boxSizing: "border-box" }),
    [header, notice, scroller, typingLine, composer, footer]);
  root.appendChild(launcher);
  root.appendChild(panel);

  var phone = window.matchMedia("(max-width: 480px)");
  function layout() {
    var full = phone.matches;
    Object.assign(panel.style, full
      ? { top: "0", left: "0", right: "0", bottom: "0", width: "100%", height: "100%", borderRadius: "0" }
      : { top: "auto", left: "auto", right: "16px", bottom: "88px", width: "370px",
          height: "min(600px, calc(100vh - 112px))", borderRadius: "16px" });
  }
  if (phone.addEventListener) phone.addEventListener("change", layout);
  layout();

  function say(text, tone) {
    notice.textContent = text || "";
    notice.style.display = text ? "block" : "none";
    notice.style.background = tone === "error" ? "#fee2e2" : "#fef3c7";
  }

  // --- messages ---------------------------------------------------------------------------
  function messageNode(m, pending) {
    var mine = m.author === "client";
    var system = m.author === "system";
    var node = el("div", {}, {
      alignSelf: system ? "center" : mine ? "flex-end" : "flex-start", maxWidth: "85%",
      padding: system ? "4px 8px" : "8px 12px", borderRadius: "14px",
      background: system ? "transparent" : mine ? ACCENT : "#fff",
      color: system ? "#475569" : mine ? "#fff" : "#111827",
      border: mine || system ? "0" : "1px solid #e2e8f0", fontSize: system ? "14px" : "16px",
      textAlign: system ? "center" : "left", overflowWrap: "anywhere", whiteSpace: "pre-wrap" });
    if (m.name && !mine && !system) {
      node.appendChild(el("div", { text: m.name }, { fontSize: "12px", fontWeight: "700",
        color: "#475569", marginBottom: "2px" }));
    }
    node.appendChild(el("div", { text: m.text }));
    if (pending) {
      node.appendChild(el("div", { text: words.sending }, { fontSize: "12px", opacity: "0.8" }));
    }
    return node;
  }
  function scrollDown() {
    intro.style.display = log.firstChild ? "none" : "block";
    scroller.scrollTop = scroller.scrollHeight;
  }
  function addMessages(list, count) {
    list.forEach(function (m) {
      if (chat.ids[m.id]) return;
      chat.ids[m.id] = true;
      var pendingNode = m.client_msg_id && log.querySelector("[data-pending='" + cssId(m.client_msg_id) + "']");
      var node = messageNode(m, false);
      if (pendingNode) log.replaceChild(node, pendingNode); else log.appendChild(node);
      if (m.id > chat.last) chat.last = m.id;
      if (count && !opened && m.author !== "client") unread += 1;
    });
    badge.textContent = String(unread);
    badge.style.display = unread ? "block" : "none";
    scrollDown();
  }
  function cssId(id) { return String(id).replace(/[^A-Za-z0-9_.:-]/g, ""); }

  function apply(snapshot, count) {
    chat.status = snapshot.status;
    chat.state = snapshot.state;
    chat.agent = snapshot.agent_name;
    chat.typing = snapshot.agent_typing;
    chat.consentGiven = snapshot.consent_given;
    chat.contactGiven = snapshot.contact_given;
    chat.canRate = snapshot.can_rate;
    chat.logByEmail = snapshot.log_by_email;
    addMessages(snapshot.messages || [], count);
    agentLine.textContent = chat.agent || "";
    typingLine.textContent = chat.typing ? (chat.agent || words.someone) + " " + words.typing : "";
    renderForms(snapshot.messages || []);
    return snapshot.more;
  }

  // --- forms: consent, contact, rating, log by email ---------------------------------------
  var contactAsked = false, formsKey = "";
  function renderForms(newMessages) {
    newMessages.forEach(function (m) {
      if (m.extra && m.extra.form === "contact") contactAsked = true;
    });
    var needsConsent = !!(config && config.consent_required && !chat.consentGiven);
    var wantContact = !needsConsent && contactAsked && !chat.contactGiven && chat.status !== "closed";
    var wantLog = !!(config && config.log_by_email && chat.last);
    textarea.disabled = needsConsent;
    sendButton.disabled = needsConsent;
    composer.style.opacity = needsConsent ? "0.5" : "1";
    // Rebuild only when the forms needed change: a new message must not wipe what is typed.
    var key = [needsConsent, wantContact, chat.canRate, wantLog].join();
    if (key === formsKey) return;
    formsKey = key;
    forms.textContent = "";
    if (needsConsent) forms.appendChild(consentForm());
    if (wantContact) forms.appendChild(contactForm());
    if (chat.canRate) forms.appendChild(ratingForm());
    footer.textContent = "";
    if (wantLog) footer.appendChild(logForm());
  }
  function formBox(children, onSubmit) {
    var form = el("form", {}, { display: "flex", flexDirection: "column", gap: "8px",
      padding: "12px", margin: "8px 0", border: "1px solid #e2e8f0", borderRadius: "12px",
      background: "#fff" }, children);
    form.addEventListener("submit", function (event) { event.preventDefault(); onSubmit(form); });
    return form;
  }
  function labelled(text, input) {
    return el("label", {}, { display: "flex", flexDirection: "column", gap: "4px",
      fontSize: "14px" }, [el("span", { text: text }), input]);
  }
  function failure(form, err) {
    var line = form.querySelector("[data-error]");
    if (!line) {
      line = el("p", { role: "alert" }, { margin: "0", color: "#b91c1c", fontSize: "14px" });
      line.setAttribute("data-error", "");
      form.appendChild(line);
    }
    line.textContent = err.message;
  }
  function consentForm() {
    return formBox([el("p", { text: config.consent_text }, { margin: "0", fontSize: "14px" }),
      el("button", { type: "submit", text: words.agree }, BUTTON)], function (form) {
      ensureConversation().then(function () { return call("POST", "/conversation/consent", {}); })
        .then(function () { chat.consentGiven = true; renderForms([]); textarea.focus(); })
        .catch(function (err) { failure(form, err); });
    });
  }
  function contactForm() {
    var name = el("input", { type: "text", autocomplete: "name", maxLength: 120 }, INPUT);
    var email = el("input", { type: "email", autocomplete: "email", maxLength: 254 }, INPUT);
    var tel = el("input", { type: "tel", autocomplete: "tel", maxLength: 32 }, INPUT);
    return formBox([labelled(words.name, name), labelled(words.email, email),
      labelled(words.phone, tel), el("button", { type: "submit", text: words.save }, BUTTON)],
    function (form) {
      call("POST", "/conversation/contact", { name: name.value, email: email.value, phone: tel.value })
        .then(function () { chat.contactGiven = true; renderForms([]); })
        .catch(function (err) { failure(form, err); });
    });
  }
  function ratingForm() {
    var chosen = 0;
    var stars = [1, 2, 3, 4, 5].map(function (n) {
      var star = el("button", { type: "button", text: "\u2606", "aria-label": n + " " + words.star,
        "aria-pressed": "false" }, Object.assign({}, QUIET, { padding: "0", fontSize: "24px" }));
      star.addEventListener("click", function () {
        chosen = n;
        stars.forEach(function (s, i) {
          s.textContent = i < n ? "\u2605" : "\u2606";
          s.setAttribute("aria-pressed", String(i === n - 1));
        });
      });
      return star;
    });
    var comment = el("textarea", { rows: 2, maxLength: 1000 }, Object.assign({}, INPUT, { resize: "none" }));
    return formBox([el("p", { text: words.rate }, { margin: "0", fontWeight: "600" }),
      el("div", { role: "group", "aria-label": words.rate }, { display: "flex", gap: "4px",
        flexWrap: "wrap" }, stars), labelled(words.comment, comment),
      el("button", { type: "submit", text: words.send }, BUTTON)], function (form) {
      if (!chosen) { failure(form, new Error(words.rate)); return; }
      call("POST", "/conversation/rating", { rating: chosen, comment: comment.value })
        .then(function () { chat.canRate = false; renderForms([]); say(words.thanks); })
        .catch(function (err) { failure(form, err); });
    });
  }
  function logForm() {
    var details = el("details", {}, { fontSize: "14px" });
    details.appendChild(el("summary", { text: words.emailLog }, { cursor: "pointer",
      minHeight: "48px", lineHeight: "48px", color: ACCENT }));
    var email = el("input", { type: "email", autocomplete: "email", maxLength: 254,
      "aria-label": words.email, placeholder: words.email }, INPUT);
    details.appendChild(formBox([email, el("button", { type: "submit", text: words.send }, BUTTON)],
      function (form) {
        call("POST", "/conversation/log-email", { email: email.value })
          .then(function () { details.open = false; say(words.thanks); textarea.focus(); })
          .catch(function (err) { failure(form, err); });
      }));
    return details;
  }

  // --- conversation, sending, long-poll ------------------------------------------------------
  function reset() {
    chat.ids = {}; chat.last = 0; chat.state = ""; chat.status = null; contactAsked = false;
    formsKey = "";
    log.textContent = "";
    scrollDown();
  }
  function ensureConversation() {
    if (load("key") && chat.status !== "closed") return Promise.resolve();
    return call("POST", "/widget/" + encodeURIComponent(CHANNEL) + "/conversations",
      { visitor_id: visitorId, client_key: load("key") }).then(function (opened) {
      if (opened.client_key !== load("key")) reset();
      keep("key", opened.client_key);
      apply(opened.conversation, false);
      if (!polling) poll();
    });
  }
  function send(text, msgId, node) {
    ensureConversation().then(function () {
      return call("POST", "/conversation/messages", { text: text, client_msg_id: msgId });
    }).then(function () { if (!polling) poll(); }).catch(function (err) {
      if (err.status === 409 && err.field === "consent") { chat.consentGiven = false; renderForms([]); }
      var line = node.lastChild;
      line.textContent = err.status && err.status < 500 ? err.message : words.failed;
      if (!err.status || err.status >= 500) {
        node.style.cursor = "pointer";
        node.addEventListener("click", function retry() {
          node.removeEventListener("click", retry);
          line.textContent = words.sending;
          send(text, msgId, node);
        });
      }
    });
  }
  composer.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = textarea.value.trim();
    if (!text || textarea.disabled) return;
    var msgId = randomId();
    var node = messageNode({ author: "client", text: text }, true);
    node.setAttribute("data-pending", cssId(msgId));
    log.appendChild(node);
    scrollDown();
    textarea.value = "";
    send(text, msgId, node);
  });
  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit ? composer.requestSubmit() : sendButton.click();
    }
  });
  textarea.addEventListener("input", function () {
    var now = Date.now();
    if (!load("key") || now - lastTyping < 3000 || !textarea.value) return;
    lastTyping = now;
    call("POST", "/conversation/typing", {}).catch(function () {});
  });

  var pollToken = 0;
  function poll() {
    if (!load("key")) return;
    var token = ++pollToken;  // one loop at a time: a newer call takes over
    var failures = 0;
    polling = true;
    function stop() { if (token === pollToken) polling = false; }
    function next() {
      if (token !== pollToken) return;
      var query = "?after=" + chat.last + "&state=" + encodeURIComponent(chat.state);
      call("GET", "/conversation/events" + query).then(function (snapshot) {
        if (token !== pollToken) return;
        failures = 0;
        var more = apply(snapshot, true);
        setTimeout(next, more ? 0 : 50);
      }).catch(function (err) {
        if (token !== pollToken) return;
        if (err.status === 404) { stop(); keep("key", null); reset(); return; }
        if (err.status === 410) { stop(); say(words.unavailable, "error"); return; }
        failures += 1;
        setTimeout(next, Math.min(30000, 1000 * Math.pow(2, failures)));
      });
    }
    next();
  }

  function resume() {
    if (!load("key")) return Promise.resolve();
    return call("GET", "/conversation").then(function (snapshot) {
      apply(snapshot, false);
      poll();
    }).catch(function (err) {
      if (err.status === 404) { keep("key", null); reset(); }
      else if (err.status === 410) say(words.unavailable, "error");
    });
  }

  // --- open and close -------------------------------------------------------------------------
  function show(open) {
    opened = open;
    panel.style.display = open ? "flex" : "none";
    launcher.setAttribute("aria-expanded", String(open));
    launcher.style.display = open && phone.matches ? "none" : "flex";
    if (open) {
      unread = 0; badge.style.display = "none";
      scrollDown();
      // On phones the keyboard would cover the log: focus the dialog's close button there.
      (textarea.disabled || phone.matches ? closeButton : textarea).focus();
    } else {
      launcher.focus();
    }
  }
  launcher.addEventListener("click", function () { show(!opened); });
  closeButton.addEventListener("click", function () { show(false); });
  // Escape closes the open panel, wherever the focus is (a sent form may have taken it away).
  document.addEventListener("keydown", function (event) {
    if (opened && event.key === "Escape" && !event.defaultPrevented) show(false);
  });

  function start() {
    document.body.appendChild(host);
    call("GET", "/widget/" + encodeURIComponent(CHANNEL) + "/config").then(function (found) {
      config = found;
      words = WORDS[found.language] || WORDS.en;
      titleText.textContent = found.title;
      launcher.setAttribute("aria-label", words.open + ": " + found.title);
      textarea.placeholder = words.write;
      intro.textContent = words.intro;
      textarea.setAttribute("aria-label", words.write);
      sendButton.textContent = words.send;
      closeButton.setAttribute("aria-label", words.close);
      if (!found.open_now) say(found.off_hours_reply || words.away);
      renderForms([]);
      return resume();
    }).catch(function () {
      host.remove();  // unknown or switched-off channel: show nothing on the site
    });
  }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
