// The session logger's only script: what htmx cannot do.
// - A countdown for timed steps, computed from the moment it started (kept in
//   localStorage), so it stays right when the phone sleeps or the page reloads;
//   at zero it vibrates and beeps, and while it runs the screen stays on.
// - A visible retry message when the server fails a request, so no set is lost
//   silently. No signal is the outbox's (outbox.js): kept on the phone, sent later.
// - Focus where the next tap goes after a swap.
(() => {
  const pad = (n) => String(n).padStart(2, "0");
  const show = (seconds) => {
    const s = Math.max(0, Math.round(seconds));
    return `${Math.floor(s / 60)}:${pad(s % 60)}`;
  };

  // At zero the member is walking, not looking: the phone buzzes where it
  // can and beeps. Browsers only let a page make sound once a tap has started
  // its AudioContext, so the Start tap creates (or resumes) it.
  let audio = null;
  function unlockSound() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      audio = audio || new Context();
      if (audio.state === "suspended") audio.resume().catch(() => {});
      // Older iPhones unlock only on a sound played inside the tap: a silent one.
      const silence = audio.createBufferSource();
      silence.buffer = audio.createBuffer(1, 1, 22050);
      silence.connect(audio.destination);
      silence.start();
    } catch {
      audio = null; // No sound here; the vibration and the display still work.
    }
  }
  function beep() {
    if (!audio) return;
    try {
      const now = audio.currentTime;
      for (const offset of [0, 0.35, 0.7]) {
        const tone = audio.createOscillator();
        const volume = audio.createGain();
        tone.frequency.value = 880;
        volume.gain.setValueAtTime(0.0001, now + offset);
        volume.gain.exponentialRampToValueAtTime(0.5, now + offset + 0.02);
        volume.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.25);
        tone.connect(volume).connect(audio.destination);
        tone.start(now + offset);
        tone.stop(now + offset + 0.3);
      }
    } catch {
      // A context the browser has closed: the vibration still says it.
    }
  }
  function alarm() {
    if (navigator.vibrate) navigator.vibrate([400, 200, 400, 200, 400]);
    beep();
  }

  // The screen stays on while a countdown runs, where the browser has the
  // Screen Wake Lock API. The browser drops the lock when the page is hidden;
  // it is asked for again when the page comes back and a countdown still runs.
  const counting = new Set(); // keys of timers running and not yet at zero
  let wakeLock = null;
  async function keepAwake() {
    if (!navigator.wakeLock || wakeLock || document.visibilityState !== "visible") return;
    try {
      const lock = await navigator.wakeLock.request("screen");
      lock.addEventListener("release", () => {
        if (wakeLock === lock) wakeLock = null;
      });
      wakeLock = lock;
      if (!counting.size) letSleep(); // stopped while the request was on its way
    } catch {
      // Refused (battery saver, no permission): the countdown still works.
    }
  }
  function letSleep() {
    const lock = wakeLock;
    wakeLock = null;
    if (lock) lock.release().catch(() => {});
  }
  function counted(key, running) {
    if (running) counting.add(key);
    else counting.delete(key);
    if (counting.size) keepAwake();
    else letSleep();
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && counting.size) keepAwake();
    else if (document.visibilityState === "hidden") letSleep();
  });

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
    let rang = false;

    const render = () => {
      if (!timer.isConnected) {
        // Swapped out (another choice, a refused post): the new card has its
        // own countdown from the same start, and this one must not ring too.
        clearInterval(ticking);
        const again = document.querySelector(`[data-timer="${timer.dataset.timer}"]`);
        if (!again) counted(key, false); // its set is gone (stopped for pain)
        return;
      }
      const startedAt = Number(localStorage.getItem(key));
      if (!startedAt) {
        display.textContent = show(total);
        return;
      }
      const elapsed = (Date.now() - startedAt) / 1000;
      const left = total - elapsed;
      display.textContent = left > 0 ? show(left) : `Time's up +${show(-left)}`;
      timer.classList.toggle("is-over", left <= 0);
      if (left <= 0 && !rang) {
        rang = true;
        counted(key, false);
        alarm();
      }
    };
    const logButton = form.querySelector(".log-button");
    const run = () => {
      start.hidden = true;
      stop.hidden = false;
      if (logButton) logButton.hidden = true; // "Stop and log" is the one way to log now
      // A countdown already over when the page opens rang before (or could
      // not: no tap has allowed sound since the reload).
      const startedAt = Number(localStorage.getItem(key));
      rang = (Date.now() - startedAt) / 1000 >= total;
      counted(key, !rang);
      render();
      ticking = setInterval(render, 1000);
    };
    start.addEventListener("click", () => {
      unlockSound();
      localStorage.setItem(key, String(Date.now()));
      run();
    });
    stop.addEventListener("click", () => {
      const startedAt = Number(localStorage.getItem(key));
      clearInterval(ticking);
      localStorage.removeItem(key);
      counted(key, false);
      if (startedAt) {
        // What was done, to the second, as the timer showed it: "7:42".
        const seconds = Math.max(1, Math.floor((Date.now() - startedAt) / 1000));
        form.querySelector("input.amount").value = show(seconds);
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
