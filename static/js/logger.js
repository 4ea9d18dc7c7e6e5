// The session logger's only script: what htmx cannot do.
// - A countdown for timed steps, computed from the moment it started (kept in
//   localStorage), so it stays right when the phone sleeps or the page reloads.
// - A visible retry message when a request fails, so no set is lost silently.
// - Focus where the next tap goes after a swap.
(() => {
  const pad = (n) => String(n).padStart(2, "0");
  const show = (seconds) => {
    const s = Math.max(0, Math.round(seconds));
    return `${Math.floor(s / 60)}:${pad(s % 60)}`;
  };

  function setUpTimer(timer) {
    if (timer.dataset.ready) return;
    timer.dataset.ready = "1";
    timer.hidden = false;
    const key = `ground-up-timer-${timer.dataset.timer}`;
    const total = Number(timer.dataset.seconds);
    const display = timer.querySelector(".timer-display");
    const start = timer.querySelector("[data-timer-start]");
    const stop = timer.querySelector("[data-timer-stop]");
    const form = timer.closest("form");
    let ticking = null;

    const render = () => {
      const startedAt = Number(localStorage.getItem(key));
      if (!startedAt) {
        display.textContent = show(total);
        return;
      }
      const elapsed = (Date.now() - startedAt) / 1000;
      const left = total - elapsed;
      display.textContent = left > 0 ? show(left) : `Time's up +${show(-left)}`;
      timer.classList.toggle("is-over", left <= 0);
    };
    const logButton = form.querySelector(".log-button");
    const run = () => {
      start.hidden = true;
      stop.hidden = false;
      if (logButton) logButton.hidden = true; // "Stop and log" is the one way to log now
      render();
      ticking = setInterval(render, 1000);
    };
    start.addEventListener("click", () => {
      localStorage.setItem(key, String(Date.now()));
      run();
    });
    stop.addEventListener("click", () => {
      const startedAt = Number(localStorage.getItem(key));
      clearInterval(ticking);
      localStorage.removeItem(key);
      if (startedAt) {
        const minutes = Math.max(1, Math.round((Date.now() - startedAt) / 60000));
        form.querySelector("input.amount").value = String(minutes);
      }
      form.requestSubmit();
    });
    if (localStorage.getItem(key)) run();
    else render();
  }

  function setUp(root) {
    if (root.matches("[data-timer]")) setUpTimer(root);
    root.querySelectorAll("[data-timer]").forEach(setUpTimer);
  }

  function problem(target, text) {
    const form = target.closest("form") || target;
    let note = form.querySelector(".retry-note");
    if (!note) {
      note = document.createElement("p");
      note.className = "retry-note";
      note.setAttribute("role", "alert");
      form.append(note);
    }
    note.textContent = text;
  }

  // htmx.onLoad runs on the page and on every piece of content a swap puts
  // in. Not htmx:afterSwap: with outerHTML its target is the element that
  // was swapped out, and a timer set up there is set up on nothing.
  htmx.onLoad((content) => {
    if (content instanceof Element) setUp(content);
  });

  // A card's action swaps the whole card, and the button tapped goes with it:
  // remember it, to give focus back to the same button in the new card.
  let tapped = null;
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    const submitter = event.detail.requestConfig?.triggeringEvent?.submitter;
    tapped = submitter
      ? { name: submitter.name, value: submitter.value, text: submitter.textContent.trim() }
      : null;
  });
  document.body.addEventListener("htmx:sendError", (event) => {
    problem(event.detail.elt, "Not saved: no connection. Check your signal and tap again.");
  });
  document.body.addEventListener("htmx:responseError", (event) => {
    // 503: the club's database is out of reach for a moment (a restart).
    const text =
      event.detail.xhr.status === 503
        ? "Not saved: the club's records are out of reach for a moment. Tap again in a minute."
        : "Not saved: something went wrong on our side. Tap again.";
    problem(event.detail.elt, text);
  });
  document.body.addEventListener("htmx:afterSettle", (event) => {
    // After logging a set, move on to the next open one; after a correction,
    // stay on the row that was saved.
    const row = event.detail.elt;
    if (!(row instanceof HTMLElement)) return;
    if (row.matches(".step-group")) {
      focusInCard(row);
      return;
    }
    if (!row.matches(".set-row")) return;
    if (!row.matches(".is-logged")) {
      // Undone, or refused: the field with the problem, else Log again.
      const target = row.querySelector("[aria-invalid=true]") || row.querySelector(".log-button");
      if (target) target.focus();
      return;
    }
    if (row.querySelector("[data-edited]")) {
      row.querySelector("button[name=edit]").focus();
      return;
    }
    // The exercise's last set: "Any pain during it?" is the next tap.
    const ask = row.closest(".step-group")?.querySelector(".pain-none");
    if (ask) {
      ask.focus();
      return;
    }
    const rows = [...document.querySelectorAll(".set-row")];
    const next = rows.slice(rows.indexOf(row) + 1).find((r) => r.querySelector(".log-button"));
    (next ? next.querySelector(".log-button") : row.querySelector("button")).focus();
  });

  function focusInCard(card) {
    // The same control when the new card still has it (Harder, then Harder
    // again); else the card's next set to log; else its first button.
    const buttons = [...card.querySelectorAll("button")].filter((b) => !b.closest("[hidden]"));
    const same =
      tapped &&
      buttons.find(
        (b) => b.name === tapped.name && b.value === tapped.value && b.textContent.trim() === tapped.text,
      );
    // A card with nothing left to log (its pain question just answered)
    // hands focus on to the next set of the session.
    const later = [...document.querySelectorAll(".log-button")].find(
      (b) => card.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING,
    );
    const target =
      same || card.querySelector(".pain-none") || card.querySelector(".log-button") || later || buttons[0];
    if (target) target.focus();
  }
})();
