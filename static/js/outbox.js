// The phone's outbox: logger actions kept on the phone while there is no
// signal, and sent, in order and once each, when it returns.
// - Every logger post carries an Idempotency-Key made here, so the server
//   does an action once however often it arrives (members/logbook/idempotency.py).
// - A post that cannot reach the server (no signal, or no answer in time) is
//   stored in IndexedDB under the signed-in member's key (<meta
//   name="offline-member">), and the page shows it as done: "Saved on this phone".
// - The queue is sent one action at a time, oldest first: when the phone says
//   it is online, when any page opens, and every 20 s while one is open. No
//   Background Sync: iPhones have none.
// - A refusal (the session was finished on another phone, say) is taken off the
//   queue and listed on the page with its reason, never dropped silently; an
//   expired sign-in keeps the queue and asks the member to sign in again.
// - The header's badge says how many actions wait, and "Sent" when all are in.
// - The plain forms (Today's Start, the zero-pain rule, the pain check,
//   Finish) are posted from here too, so a Wi-Fi that carries nothing keeps
//   them (or opens the kept session page) instead of the browser's error page.
// Loaded on every page of a signed-in member (base.html), after htmx.
(() => {
  const memberMeta = document.querySelector('meta[name="offline-member"]');
  const member = memberMeta ? memberMeta.content : "";
  // Signed out, a trainer, or the offline page: no outbox, and no one's queue shown.
  if (!member || !window.htmx) return;

  const RETRY_EVERY = 20_000; // ms between tries while actions wait
  const ANSWER_WITHIN = 15_000; // ms a logger post may take before it is kept here
  const SAVED = "Saved on this phone";
  const badge = document.getElementById("outbox-badge");
  const notes = document.getElementById("outbox-notes");

  // ---- Storage: one IndexedDB store, every member's actions, read by member ----

  const DB_NAME = "ground-up-outbox";
  const STORE = "actions";
  let opening = null;
  function database() {
    opening =
      opening ||
      new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = () => {
          // "id" grows with each action: the order they are sent in.
          const store = request.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
          store.createIndex("member", "member");
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    return opening;
  }
  async function inStore(mode, work) {
    const db = await database();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const result = work(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(result.result);
      transaction.onerror = () => reject(transaction.error);
    });
  }
  // This member's actions, oldest first: waiting ones, and refused ones not yet
  // read; null when IndexedDB cannot be read (then nothing is sent or shown).
  const mine = () =>
    inStore("readonly", (store) => store.index("member").getAll(member)).catch(() => null);
  const store = (action) => inStore("readwrite", (s) => s.add({ ...action, member }));
  const update = (action) => inStore("readwrite", (s) => s.put(action));
  const remove = (id) => inStore("readwrite", (s) => s.delete(id));

  // How many actions wait, known without waiting for IndexedDB: a tap decides
  // at once whether it may go straight out or must queue behind them.
  let waiting = 0;
  // Counts taps kept: a count read from IndexedDB while one was being stored
  // may have missed it, and is not shown (the keep shows its own, once stored).
  let kept = 0;

  // ---- Keys and bodies ----

  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // The form's fields, urlencoded, without its CSRF token: after a new sign-in
  // that token is stale, and Django reads the body's before the header's.
  function bodyOf(formData) {
    const fields = new URLSearchParams();
    for (const [name, value] of formData) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") fields.append(name, value);
    }
    return fields.toString();
  }

  function csrfToken(doc = document) {
    try {
      return JSON.parse(doc.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch {
      return "";
    }
  }

  // What the member would call the action, for the list of refusals:
  // "Calf raise, set 1 left: Log".
  function labelOf(elt, submitter, url) {
    const form = elt.closest("form") || elt;
    const card = form.closest(".step-group");
    const row = form.matches(".set-row") ? form.querySelector("label") : null;
    const what = row
      ? row.textContent.replace(/^.*? for /, "")
      : card
        ? card.querySelector("h2").textContent
        : "Session";
    const verb = /\/(zero-pain|pain-check)\/$/.test(url)
      ? "Start"
      : /\/undo\/$/.test(url)
      ? "Undo"
      : /\/finish\/$/.test(url)
        ? "Finish"
        : // The button's own words, without the text only a screen reader hears.
          submitter?.getAttribute("aria-label") || submitter?.firstChild?.textContent.trim() || "Log";
    return `${what}: ${verb}`;
  }

  // ---- The page as if saved ----

  function note(place, text, kind = "saved-here") {
    const form = place.closest("form") || place;
    let line = form.querySelector(":scope > .outbox-note");
    if (!line) {
      line = document.createElement("p");
      form.append(line);
    }
    line.className = `outbox-note ${kind}`;
    line.textContent = text;
    return line;
  }

  // "3 of 4 sets" and the session's "5 of 18 sets done" move by ``by``.
  function count(card, by) {
    const move = (element) => {
      if (!element) return;
      element.textContent = element.textContent.replace(/^\d+/, (n) => String(Number(n) + by));
    };
    move(card && card.querySelector(".group-count"));
    move(document.querySelector("#session-progress label"));
    const bar = document.getElementById("session-progress-bar");
    if (bar) {
      bar.value = Number(bar.value) + by;
      bar.textContent = `${bar.value} of ${bar.max}`;
    }
  }

  function rowFor(fields) {
    return [...document.querySelectorAll("form.set-row")].find((row) =>
      ["step", "set_number", "side"].every(
        (name) => row.querySelector(`input[name="${name}"]`)?.value === fields.get(name),
      ),
    );
  }

  function markLogged(row, fields) {
    const amount = row.querySelector("input.amount");
    const typed = fields.get(amount?.name);
    if (amount && typed !== null) amount.value = typed;
    const wasLogged = row.matches(".is-logged");
    row.classList.add("is-logged");
    row.querySelector(".log-button")?.remove();
    row.querySelector(".timer")?.remove();
    row.querySelector(".set-hint")?.remove();
    if (!row.querySelector(".set-actions")) row.querySelector(".set-entry")?.after(undoFor(row));
    note(row, SAVED);
    if (!wasLogged) count(row.closest(".step-group"), 1);
    askPain(row.closest(".step-group"), row.querySelector('input[name="step"]')?.value);
  }

  // Undo on a set logged here, as the server's row has it: kept like any
  // other tap, it follows the set to the server and takes it back there.
  function undoFor(row) {
    const url = row.getAttribute("action").replace(/sets\/$/, "sets/undo/");
    const undo = document.createElement("button");
    undo.type = "submit";
    undo.className = "button button-small button-quiet undo-button";
    undo.setAttribute("formaction", url);
    undo.setAttribute("hx-post", url);
    const named = document.createElement("span");
    named.className = "visually-hidden";
    named.textContent = ` ${row.querySelector("label")?.textContent.replace(/^.*? for /, "") || ""}`;
    undo.append("Undo", named);
    const actions = document.createElement("span");
    actions.className = "set-actions";
    actions.append(undo);
    htmx.process(actions);
    return actions;
  }

  // The exercise's last set, logged here: "Any pain during it?" as the server
  // would ask it, from the page's template, its None kept like any other tap.
  function askPain(card, step, { atFinish = false } = {}) {
    const template = document.getElementById("pain-ask");
    const report = card?.querySelector(`.pain-report form[action$="/steps/${step}/pain/"]`);
    if (!template || !report) return;
    const asked = card.querySelector(`#pain-${step}`);
    if (asked) {
      if (atFinish) mustAnswer(asked);
      return;
    }
    const open = [...card.querySelectorAll("form.set-row")].some(
      (row) => row.querySelector('input[name="step"]')?.value === step && row.querySelector(".log-button"),
    );
    if (open && !atFinish) return;
    const summary = report.closest("details").querySelector("summary").textContent;
    const name = summary.replace(/^Pain during (.*)\?$/, "$1");
    const ask = template.content.firstElementChild.cloneNode(true);
    ask.id = `pain-${step}`;
    ask.querySelector("h3").id = `pain-${step}-title`;
    ask.querySelectorAll("[data-name]").forEach((span) => (span.textContent = name));
    const form = ask.querySelector("form");
    form.setAttribute("action", report.getAttribute("action"));
    form.setAttribute("hx-post", report.getAttribute("action"));
    form.querySelector("button").setAttribute("aria-describedby", `pain-${step}-title`);
    card.querySelector(".group-pain")?.append(ask);
    if (atFinish) mustAnswer(ask);
    htmx.process(ask);
  }

  function mustAnswer(ask) {
    if (ask.querySelector(".field-error")) return;
    const line = document.createElement("p");
    line.className = "field-error";
    line.setAttribute("role", "alert");
    line.textContent = "Answer this to finish the session.";
    ask.querySelector("h3").after(line);
  }

  // Finish with no signal, checked here as the server would check it
  // (finish_workout): an exercise with sets done needs its "any pain during
  // it?" answered first. Each such card asks; the names are said at Finish.
  function painUnanswered() {
    const names = [];
    for (const block of document.querySelectorAll(".exercise-block[data-step]")) {
      const step = block.dataset.step;
      const card = block.closest(".step-group");
      const done = [...card.querySelectorAll("form.set-row.is-logged")].some(
        (row) => row.querySelector('input[name="step"]')?.value === step,
      );
      if (!done || "painAnswered" in block.dataset) continue;
      askPain(card, step, { atFinish: true });
      const name = card.querySelector(`#pain-${step} [data-name]`)?.textContent;
      names.push(name || card.querySelector("h2").textContent);
    }
    return names;
  }

  function markUndone(row) {
    if (!row.matches(".is-logged")) return;
    row.classList.remove("is-logged");
    row.querySelector(".set-done")?.remove();
    row.querySelector(".set-actions")?.remove();
    // A plain submit button: the row's own form logs it again.
    const log = document.createElement("button");
    log.type = "submit";
    log.className = "button log-button";
    log.textContent = "Log";
    row.querySelector(".set-entry")?.after(log);
    note(row, `Undone: ${SAVED.toLowerCase()}`);
    count(row.closest(".step-group"), -1);
  }

  // Pain on an exercise: the stop-and-see-a-doctor guidance at once, from the
  // page's own template (the routine's disclaimer), and its open sets closed.
  function answered(card, step) {
    const block = card.querySelector(`.exercise-block[data-step="${step}"]`);
    if (block) block.dataset.painAnswered = "";
  }

  function markPain(card, step, level) {
    answered(card, step);
    const template = document.getElementById("pain-stop");
    const block = card.querySelector(`.exercise-block[data-step="${step}"]`) || card;
    if (template && !block.querySelector(".pain-stopped-here")) {
      const callout = template.content.firstElementChild.cloneNode(true);
      callout.querySelector("[data-level]").textContent = level;
      block.append(callout);
    }
    for (const row of card.querySelectorAll("form.set-row")) {
      if (row.querySelector('input[name="step"]')?.value !== step || row.matches(".is-logged")) continue;
      row.classList.add("is-stopped");
      row.querySelector(".log-button")?.remove();
      row.querySelector(".timer")?.remove();
    }
    card.querySelectorAll(`.pain-report form[action$="/steps/${step}/pain/"]`).forEach((form) => {
      form.closest("details").hidden = true;
    });
    // Nothing more of it is done today: no "All N sets" for it either.
    card.querySelectorAll(`form[action$="/steps/${step}/all/"]`).forEach((form) => (form.hidden = true));
    card.querySelector(`#pain-${step}`)?.remove();
  }

  // A logger action's URL: its session's page, then what it does there. A
  // session not started yet is addressed by its planned session.
  const SESSION = /^(\/.+\/sessions\/(?:planned\/)?\d+\/)(.*)$/;
  const onItsPage = (action) => action.url.match(SESSION)?.[1] === location.pathname;

  // Shows a stored action on the page, if the page is its session's logger.
  // Returns the control to focus next, for a tap just made.
  function apply(action) {
    if (!onItsPage(action)) return null;
    const rest = action.url.match(SESSION)[2];
    const fields = new URLSearchParams(action.body);
    if (rest === "sets/" || rest === "sets/undo/") {
      const row = rowFor(fields);
      if (!row) return null;
      if (rest === "sets/undo/") {
        markUndone(row);
        return row.querySelector(".log-button");
      }
      markLogged(row, fields);
      return nextAfter(row);
    }
    if (rest === "zero-pain/" || rest === "pain-check/") return goOn(rest, fields);
    if (rest === "finish/") {
      const form = document.querySelector("form.finish-form");
      if (!form) return null;
      // Finished as far as the phone goes: not offered again, and said where
      // the eye and the focus are.
      form.querySelectorAll('button[type="submit"]').forEach((button) => (button.disabled = true));
      const line = note(form, `${SAVED}: the session is finished when it is sent.`);
      line.tabIndex = -1;
      return line;
    }
    const cardAction = rest.match(/^steps\/(\d+)\/([a-z-]+)\/$/);
    if (!cardAction) return null;
    const [, step, kind] = cardAction;
    const { form, card } = cardOf(action, fields);
    if (!card) return null;
    if (kind === "all") {
      for (const row of card.querySelectorAll("form.set-row")) {
        if (row.querySelector('input[name="step"]')?.value === step && row.querySelector(".log-button")) {
          markLogged(row, new URLSearchParams());
        }
      }
      if (form) note(form, SAVED);
    } else if (kind === "pain" && Number(fields.get("level")) > 0) {
      markPain(card, step, fields.get("level"));
      return nextInCard(card);
    } else if (kind === "pain") {
      // None: the question is answered; the next set is the next tap.
      answered(card, step);
      const ask = card.querySelector(`#pain-${step}`);
      if (ask) {
        ask.querySelector(".pain-none")?.remove();
        note(ask.querySelector("form"), `No pain: ${SAVED.toLowerCase()}`);
      }
      return nextInCard(card);
    } else if (kind === "knob" && fields.get("direction") === "set" && form) {
      const unit = form.querySelector(".knob-set .unit")?.textContent || "";
      form.dataset.now = fields.get("value"); // the next Easier or Harder steps from it
      showKnob(form, `${fields.get("value")} ${unit}`.trim());
      note(form, SAVED);
    } else if (kind === "knob" && form) {
      const now = stepKnob(form, fields.get("direction"));
      if (now) showKnob(form, now);
      note(form, SAVED);
    } else if ((kind === "option" || kind === "weaker-side") && form) {
      // The card changes (another exercise, the weaker side's extra set) when
      // the server answers; until then the choice is not offered again.
      form.querySelectorAll("button").forEach((button) => (button.hidden = true));
      const chosen = kind === "option" ? "the exercise you chose" : `your ${fields.get("side")} side's extra set`;
      note(form, `${SAVED}: the card shows ${chosen} once it is sent.`);
      return nextInCard(card);
    } else if (form) {
      note(form, SAVED);
    }
    return null;
  }

  // A session not started yet carries each step of its start, the later ones
  // hidden (templates/members/logger.html): the rule, then the pain check,
  // then the session. Each answer kept here goes on to the next step.
  function goOn(rest, fields) {
    const step = (name) => document.querySelector(`[data-before-start="${name}"]`);
    if (rest === "zero-pain/") {
      const check = step("pain-check");
      if (!step("rule") || !check) return null;
      step("rule").hidden = true;
      check.hidden = false;
      note(check, `${SAVED}: you start every exercise from zero pain.`);
      return check.querySelector('input[name="level"]');
    }
    const check = step("pain-check");
    const session = step("session");
    if (!check || !session) return null;
    const level = Number(fields.get("level"));
    if (level > 0) {
      check.querySelectorAll("input, button").forEach((control) => (control.disabled = true));
      note(
        check,
        `No session today: pain ${level}/10. ${SAVED}: your trainer has not been told yet, ` +
          "and will be as soon as it is sent. Start again from Today when you are back at zero pain.",
        "pain-stopped-here",
      ).setAttribute("role", "alert");
      return null;
    }
    check.hidden = true;
    session.hidden = false;
    return session.querySelector(".set-row .log-button, .set-row input");
  }

  // The knob's value as set today: without ", as last time" or ", to start".
  function showKnob(form, text) {
    const strong = form.querySelector(".knob-now strong");
    strong.textContent = text;
    while (strong.nextSibling) strong.nextSibling.remove();
  }

  // One tap easier or harder, as the server steps it (stepped() in
  // members/logbook/sets.py), from what the knob's form says it is now.
  function stepKnob(form, direction) {
    const data = form.dataset;
    if (!data.now || (direction !== "easier" && direction !== "harder")) return "";
    const up = (direction === "harder") === (data.harder === "higher");
    if (data.levels) {
      const names = data.levels.split(",").map((name) => name.trim()).filter(Boolean);
      const at = Math.max(0, names.indexOf(data.now));
      data.now = names[Math.max(0, Math.min(names.length - 1, at + (up ? 1 : -1)))];
      return data.now;
    }
    let value = Number(data.now) + (up ? 1 : -1) * Number(data.step || 1);
    if (data.min) value = Math.max(Number(data.min), value);
    if (data.max) value = Math.min(Number(data.max), value);
    data.now = String(Number(value.toFixed(1)));
    return data.unit ? `${data.now} ${data.unit}` : data.now;
  }

  // The form a card action posts from (for a knob, that knob's), and its card.
  function cardOf(action, fields) {
    const form = [...document.querySelectorAll("form")].find(
      (f) =>
        f.getAttribute("action") === action.url &&
        (!f.matches(".knob-form") || f.querySelector('input[name="knob"]').value === fields.get("knob")),
    );
    const step = action.url.match(/\/steps\/(\d+)\//)?.[1];
    const block = document.querySelector(`.exercise-block[data-step="${step}"]`);
    return { form, card: (form || block)?.closest(".step-group") };
  }

  // Where focus goes when the tapped control is gone, as after a card's swap
  // (focusInCard in logger.js): its question, its next set, or the session's.
  function nextInCard(card) {
    const later = [...document.querySelectorAll(".set-row .log-button")].find(
      (b) => card.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING,
    );
    return card.querySelector(".pain-none") || card.querySelector(".set-row .log-button") || later || null;
  }

  // Where the next tap goes, as after a real swap (logger.js): the next set to log.
  function nextAfter(row) {
    const ask = row.closest(".step-group")?.querySelector(".pain-none");
    if (ask && !row.closest(".step-group").querySelector(".set-row .log-button")) return ask;
    const buttons = [...document.querySelectorAll(".set-row .log-button")];
    return buttons.find((b) => row.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING) || null;
  }

  // ---- Keeping an action ----

  async function keep(action, elt) {
    kept += 1;
    waiting += 1;
    showCount();
    const next = apply(action);
    if (next) next.focus();
    try {
      await store({ ...action, created: Date.now() });
    } catch {
      // No IndexedDB (a private window on an old phone): say so, as before.
      waiting -= 1;
      showCount();
      note(elt, "Not saved: no connection. Check your signal and tap again.", "retry-note");
      return;
    }
    await refresh();
    if (navigator.onLine) send();
  }

  function isLoggerPost(elt, verb) {
    return verb === "post" && !!elt.closest("main.logger");
  }

  // What is stored of an htmx post (its request config): where, what, and how
  // the member would name it.
  function actionOf(config, key) {
    const submitter = config.triggeringEvent?.submitter;
    return {
      key,
      url: config.path,
      body: bodyOf(config.formData),
      label: labelOf(config.elt, submitter, config.path),
    };
  }

  // Every logger post gets its key here. With no signal, or with older
  // actions still waiting (they go first), it is kept instead of sent.
  document.body.addEventListener("htmx:configRequest", (event) => {
    const detail = event.detail;
    if (!isLoggerPost(detail.elt, detail.verb)) return;
    const key = newKey();
    if (!navigator.onLine || waiting > 0) {
      event.preventDefault();
      keep(actionOf(detail, key), detail.elt);
      return;
    }
    detail.headers["Idempotency-Key"] = key;
    detail.timeout = ANSWER_WITHIN;
  });

  // Sent, and no answer: the server may or may not have it. Kept with the same
  // key, so sending it again cannot do it twice.
  function unanswered(event) {
    const config = event.detail.requestConfig;
    const key = config?.headers?.["Idempotency-Key"];
    if (key) keep(actionOf(config, key), config.elt);
  }
  document.body.addEventListener("htmx:sendError", unanswered);
  document.body.addEventListener("htmx:timeout", unanswered);

  // A refusal answered at once (409: the session changed): the server's
  // message goes to the top of the logger; the reason is also said at the row.
  document.body.addEventListener("htmx:afterRequest", (event) => {
    const xhr = event.detail.xhr;
    if (xhr?.status !== 409 || !(event.detail.elt instanceof Element)) return;
    const place = event.detail.elt.isConnected ? event.detail.elt : event.detail.target;
    note(place, `Not saved: ${reasonOf(xhr.getResponseHeader("X-Refusal-Reason"))}`, "retry-note");
  });

  // Finish is a plain form post (it ends on the summary page). Kept like the
  // rest when it cannot go now, so it never overtakes the sets before it.
  // So are the answers that start a session (the zero-pain rule, the pain
  // check) on the page of a session not started yet.
  const KEPT_FORMS = [
    "main.logger form.finish-form",
    'main.logger [data-before-start="rule"] form',
    'main.logger form[data-before-start="pain-check"]',
  ].join(", ");
  // Today's Start: with no signal, the session's own page opens instead (kept
  // by the service worker, named by data-offline-href); it starts the session
  // from the phone.
  const START_FORM = "form[data-offline-href]";

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
    const start = form.matches(START_FORM);
    if (!start && !form.matches(KEPT_FORMS)) return;
    if (postedByTheBrowser.delete(form)) return;
    event.preventDefault();
    const url = form.getAttribute("action");
    const submitter = event.submitter;
    const body = bodyOf(new FormData(form, submitter));
    const action = { key: newKey(), url, body, label: labelOf(form, submitter, url) };
    const cannotGo = () => (start ? openKept(form) : keepForm(form, action));
    if (!navigator.onLine || (!start && waiting > 0)) {
      cannotGo();
      return;
    }
    sendForm(form, submitter, action, cannotGo);
  });
  const postedByTheBrowser = new WeakSet();

  function keepForm(form, action) {
    if (form.matches(".pain-check") && !form.querySelector('input[name="level"]:checked')) {
      note(form, "Choose how much pain you have now, or None.", "retry-note");
      return;
    }
    if (form.matches(".finish-form")) {
      const names = painUnanswered();
      if (names.length) {
        note(form, `Answer “any pain during it?” for: ${names.join(", ")}.`, "retry-note");
        document.querySelector(".pain-ask .field-error")?.closest(".pain-ask").querySelector("button")?.focus();
        return;
      }
    }
    keep(action, form);
  }

  function openKept(form) {
    if (navigator.serviceWorker?.controller) {
      window.location.assign(form.dataset.offlineHref);
    } else {
      note(form, "Not started: no connection. Check your signal and tap again.", "retry-note");
    }
  }

  function withKey(body, key) {
    const fields = new URLSearchParams(body);
    fields.set("action_key", key);
    return fields.toString();
  }

  // The phone may say it is online on a Wi-Fi that carries nothing, and a
  // plain post would end on the browser's error page. These forms are posted
  // from here instead, with a key: an answer opens the page the server sends
  // to; no answer in time keeps the action (or opens the kept page), and its
  // key makes sending it again harmless if the server did get it.
  async function sendForm(form, submitter, action, cannotGo) {
    const buttons = [...form.querySelectorAll("button")];
    buttons.forEach((button) => (button.disabled = true));
    form.setAttribute("aria-busy", "true");
    const done = () => {
      buttons.forEach((button) => (button.disabled = false));
      form.removeAttribute("aria-busy");
    };
    let response;
    try {
      response = await fetch(action.url, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        // The key goes in the form, as the browser would post it: a refusal
        // is then today's page, with the message at its field.
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "HX-Request": "true",
          "X-CSRFToken": csrfToken(),
        },
        body: withKey(action.body, action.key),
        signal: AbortSignal.timeout(ANSWER_WITHIN),
      });
    } catch {
      done();
      cannotGo();
      return;
    }
    done();
    // Done: the page to open next (members.logbook.views.to_session_page).
    const next = response.ok && response.headers.get("HX-Redirect");
    if (next) {
      window.location.assign(next);
      return;
    }
    // A field to fix, a refusal with a message, a sign-in: the browser posts
    // the form itself, with the same key, and shows the server's page (for an
    // action done, the first answer, given again).
    let field = form.querySelector('input[name="action_key"]');
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "action_key";
      form.append(field);
    }
    field.value = action.key;
    postedByTheBrowser.add(form);
    form.requestSubmit(submitter && submitter.form === form ? submitter : null);
  }

  function reasonOf(header) {
    try {
      return header ? decodeURIComponent(header) : "the club's records refused it.";
    } catch {
      return header;
    }
  }

  // ---- Sending, oldest first, one at a time ----

  let sending = null;
  let again = false; // an action kept while the queue was being sent
  function send() {
    if (sending) {
      again = true;
      return sending;
    }
    sending = sendAll().finally(() => {
      sending = null;
      if (again) {
        again = false;
        send();
      }
    });
    return sending;
  }

  let signInNeeded = false;

  async function sendAll() {
    if (!navigator.onLine) return;
    const actions = await mine();
    if (!actions) return;
    const queue = actions.filter((action) => !action.refused);
    let sentAny = false;
    let finished = false;
    let token = csrfToken();
    for (const action of queue) {
      let outcome = await post(action, token);
      if (outcome.status === 403 && !outcome.signIn) {
        // A stale CSRF token (a new sign-in since this page was made): ask
        // for a fresh one, and try once more.
        token = await freshToken();
        outcome = token ? await post(action, token) : { signIn: true };
      }
      if (outcome.signIn || outcome.status === 401 || outcome.status === 403) {
        signInNeeded = true;
        break;
      }
      if (outcome.failed || outcome.status >= 500) break; // no signal, or the server's moment: later
      signInNeeded = false;
      if (outcome.status >= 200 && outcome.status < 300) {
        await remove(action.id);
        sentAny = true;
        // The summary after Finish, and the workout once a session started
        // here: both are the server's page now.
        finished =
          finished || (/\/(finish|pain-check)\/$/.test(action.url) && onItsPage(action));
        swapIn(action, outcome);
      } else {
        // Refused for good (the session changed, or what was sent is wrong):
        // off the queue, onto the list the member reads.
        const reason = reasonOf(outcome.reason);
        await update({ ...action, refused: reason });
        refusedHere(action, reason);
      }
    }
    await refresh(sentAny);
    if (finished) location.reload(); // the session's summary, from the server
  }

  async function post(action, token) {
    try {
      const response = await fetch(action.url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "Idempotency-Key": action.key,
          "HX-Request": "true",
          "X-CSRFToken": token,
        },
        body: action.body,
      });
      const signIn = response.redirected && new URL(response.url).pathname === signInPath();
      return {
        status: response.status,
        signIn,
        reason: response.headers.get("X-Refusal-Reason"),
        html: signIn ? "" : await response.text(),
      };
    } catch {
      return { failed: true };
    }
  }

  function signInPath() {
    return notes?.dataset.signIn || "/accounts/login/";
  }

  // A fresh CSRF token from a page that carries one; "" when signed out.
  async function freshToken() {
    try {
      const response = await fetch(location.pathname, { credentials: "same-origin" });
      if (response.redirected && new URL(response.url).pathname === signInPath()) return "";
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const token = csrfToken(page);
      if (token) document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRFToken": token }));
      return token;
    } catch {
      return "";
    }
  }

  // The server's answer to a sent action, put where it belongs when its page
  // is open: the set's row, or the exercise's card (with their counts).
  function swapIn(action, outcome) {
    if (!onItsPage(action) || !outcome.html) return;
    const fields = new URLSearchParams(action.body);
    let target = null;
    if (/\/sets\/(undo\/)?$/.test(action.url)) {
      target = rowFor(fields);
    } else if (/\/steps\/\d+\//.test(action.url)) {
      target = cardOf(action, fields).card;
    }
    if (target) htmx.swap(target, outcome.html, { swapStyle: "outerHTML" });
  }

  function refusedHere(action, reason) {
    if (!onItsPage(action)) return;
    const row = /\/sets\//.test(action.url) ? rowFor(new URLSearchParams(action.body)) : null;
    if (row) note(row, `Not saved: ${reason}`, "retry-note");
  }

  // ---- What the member sees: the badge, and the list of what was refused ----

  let sentTimer = null; // while "Sent" shows
  function showCount(justSent = false) {
    if (!badge) return;
    if (waiting > 0 || justSent) {
      clearTimeout(sentTimer);
      sentTimer = null;
    }
    if (waiting > 0) {
      badge.textContent = `${waiting} waiting`;
    } else if (justSent) {
      badge.textContent = "Sent";
      sentTimer = setTimeout(() => {
        sentTimer = null;
        badge.textContent = "";
      }, 4000);
    } else if (!sentTimer) {
      badge.textContent = ""; // (a "Sent" still showing stays its few seconds)
    }
    badge.classList.toggle("is-waiting", waiting > 0);
  }

  async function refresh(justSent = false) {
    const seen = kept;
    const actions = await mine();
    if (!actions || seen !== kept) return;
    const queue = actions.filter((action) => !action.refused);
    waiting = queue.length;
    showCount(justSent && waiting === 0);
    if (!notes) return;
    notes.replaceChildren();
    if (signInNeeded && waiting) {
      const line = document.createElement("p");
      line.className = "outbox-sign-in";
      line.setAttribute("role", "alert");
      const link = document.createElement("a");
      link.href = `${signInPath()}?next=${encodeURIComponent(location.pathname)}`;
      link.textContent = `Sign in again to send ${waiting} saved action${waiting === 1 ? "" : "s"}`;
      line.append(link);
      notes.append(line);
    }
    const refused = actions.filter((action) => action.refused);
    if (refused.length) {
      const list = document.createElement("ul");
      list.className = "outbox-refused";
      list.setAttribute("aria-label", "Actions the club's records did not take");
      // One line per reason: a queue refused because the session was
      // finished elsewhere is one thing to read, however many taps it held.
      const byReason = new Map();
      for (const action of refused) {
        if (!byReason.has(action.refused)) byReason.set(action.refused, []);
        byReason.get(action.refused).push(action);
      }
      for (const [reason, group] of byReason) {
        const item = document.createElement("li");
        const text = document.createElement("span");
        text.setAttribute("role", "alert");
        text.textContent = `Not saved: ${reason}`;
        const what = document.createElement("span");
        what.className = "outbox-what";
        const when = new Date(group[0].created).toLocaleString();
        what.textContent =
          group.length === 1
            ? ` (${group[0].label}, ${when})`
            : ` (${group.length} actions from ${when}: ${group.map((action) => action.label).join("; ")})`;
        const done = document.createElement("button");
        done.type = "button";
        done.className = "button button-small button-secondary";
        done.textContent = "Got it";
        done.addEventListener("click", async () => {
          for (const action of group) await remove(action.id);
          refresh();
        });
        item.append(text, what, " ", done);
        list.append(item);
      }
      notes.append(list);
    }
  }

  // ---- When to send ----

  async function opened() {
    // The forms that start a session carry a key of the page's own, so a
    // double tap is one start. A page the worker kept may be opened again
    // days later: each opening gets new keys, never a key already used.
    for (const field of document.querySelectorAll('main.logger input[name="action_key"]')) {
      field.value = newKey();
    }
    const actions = await mine();
    if (!actions) return;
    // A page kept by the worker (or fetched before they were sent) shows the
    // actions still waiting as saved here.
    for (const action of actions) if (!action.refused) apply(action);
    await refresh();
    send();
  }
  window.addEventListener("online", () => send());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && waiting) send();
  });
  setInterval(() => {
    if (waiting) send();
  }, RETRY_EVERY);
  opened();
})();
