// The routine page's steps: drag a step by its handle, or move it with its
// arrows, and the order numbers follow the rows from the top. Without this
// script the numbers are typed, and the server orders by them either way.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";

  const editor = document.querySelector(".step-editor");
  if (!editor) return;
  const status = editor.querySelector(".step-status");

  function rows() {
    return Array.from(editor.querySelectorAll(".step-row:not(.empty-form)"));
  }

  function orderInput(row) {
    return row.querySelector("input[name$='-order']");
  }

  function title(row) {
    const label = row.querySelector(".inline_label");
    return label ? label.textContent.trim() : "The step";
  }

  // Number the rows 1, 2, 3… from the top, where that changes anything.
  function renumber() {
    rows().forEach(function (row, index) {
      const input = orderInput(row);
      if (input && input.value !== String(index + 1)) input.value = String(index + 1);
    });
    relabel();
  }

  function announce(row) {
    const position = rows().indexOf(row) + 1;
    status.textContent = title(row) + " is now row " + position + " of " + rows().length + ".";
  }

  function field(row, name) {
    return row.querySelector("[name$='-" + name + "']");
  }

  // Head each row as members will read it once saved, as the server does
  // (routines/numbering.py): pairs share a number ("2a", "2b"), an
  // alternative takes its step's ("1 alt."). The names on the buttons follow.
  function relabel() {
    const steps = rows().map(function (row) {
      const exercise = field(row, "exercise");
      return {
        row: row,
        pk: (field(row, "id") || {}).value || "",
        insteadOf: (field(row, "alternative_to") || {}).value || "",
        pairedWith: (field(row, "paired_with") || {}).value || "",
        name: exercise && exercise.selectedIndex > 0 ? exercise.options[exercise.selectedIndex].text : "",
      };
    });
    const byPk = new Map();
    steps.forEach(function (step) { if (step.pk) byPk.set(step.pk, step); });
    function partners(a, b) {
      return Boolean(a.pk && b.pk) && (a.pairedWith === b.pk || b.pairedWith === a.pk);
    }
    const labels = new Map();
    let number = 0;
    let previous = null;
    steps.forEach(function (step) {
      if (step.insteadOf) return;
      if (previous && partners(previous, step)) {
        labels.set(previous, number + "a");
        labels.set(step, number + "b");
      } else {
        number += 1;
        labels.set(step, String(number));
      }
      previous = step;
    });
    steps.forEach(function (step) {
      if (!step.insteadOf) return;
      const main = byPk.get(step.insteadOf);
      labels.set(step, (main && labels.has(main) ? labels.get(main) + " " : "") + "alt.");
    });
    // The pair and alternative lists name the steps the same way.
    editor.querySelectorAll("select[name$='-paired_with'], select[name$='-alternative_to']")
      .forEach(function (select) {
        Array.from(select.options).forEach(function (option) {
          const step = byPk.get(option.value);
          if (step && step.name) option.textContent = labels.get(step) + " " + step.name;
        });
      });
    steps.forEach(function (step, index) {
      if (!step.name) return;
      const heading = labels.get(step) + " " + step.name;
      step.row.querySelector(".inline_label").textContent = heading;
      const pairing = step.row.querySelector(".step-pairing");
      const before = steps[index - 1];
      if (pairing) {
        pairing.textContent = before && partners(before, step) && !before.insteadOf
          ? "alternates set by set with " + labels.get(before) + " " + before.name : "";
      }
      step.row.querySelector(".step-grip").setAttribute("aria-label", "Drag to move " + heading);
      step.row.querySelectorAll(".step-move").forEach(function (button) {
        button.setAttribute("aria-label", "Move " + heading + " " + button.dataset.move);
      });
    });
  }

  function showControls(row) {
    row.querySelectorAll(".step-grip, .step-moves").forEach(function (element) {
      element.hidden = false;
    });
  }

  rows().forEach(showControls);
  // Rows are moved, not numbered, here: the order numbers follow the rows,
  // out of sight (without this script they are typed).
  editor.classList.add("js-ordering");

  // A page sent back with a mistake lists the rows as saved; show them in
  // the order just given (rows with one number keep their places).
  const sorted = rows().sort(function (a, b) {
    return Number(orderInput(a).value) - Number(orderInput(b).value);
  });
  const last = rows().pop();
  if (last) {
    const after = last.nextElementSibling;
    sorted.forEach(function (row) {
      last.parentNode.insertBefore(row, after);
    });
  }
  relabel();

  // A step made an alternative or a pair, or given another exercise, is
  // headed anew.
  editor.addEventListener("change", function (event) {
    if (/-(exercise|alternative_to|paired_with)$/.test(event.target.name || "")) relabel();
  });

  // A new row goes last: it takes the number after the highest, and numbers
  // typed in the other rows stay as typed.
  document.addEventListener("formset:added", function (event) {
    if (!editor.contains(event.target)) return;
    showControls(event.target);
    const others = rows().filter(function (row) {
      return row !== event.target;
    });
    const highest = Math.max(0, ...others.map(function (row) {
      return Number(orderInput(row).value) || 0;
    }));
    orderInput(event.target).value = String(highest + 1);
  });

  editor.addEventListener("click", function (event) {
    const button = event.target.closest(".step-move");
    if (!button) return;
    const row = button.closest(".step-row");
    const all = rows();
    const index = all.indexOf(row);
    if (button.dataset.move === "up" && index > 0) {
      all[index - 1].before(row);
    } else if (button.dataset.move === "down" && index < all.length - 1) {
      all[index + 1].after(row);
    } else {
      return;
    }
    renumber();
    button.focus();
    announce(row);
  });

  let dragged = null;

  editor.addEventListener("dragstart", function (event) {
    const grip = event.target.closest && event.target.closest(".step-grip");
    if (!grip) return;
    dragged = grip.closest(".step-row");
    dragged.classList.add("step-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", title(dragged));
    event.dataTransfer.setDragImage(dragged, 20, 20);
  });

  // Put the dragged row above or below the row under the pointer, by which
  // half of it the pointer is in.
  function place(event) {
    const row = event.target.closest(".step-row");
    if (!row || row.classList.contains("empty-form")) return false;
    if (row !== dragged) {
      const box = row.getBoundingClientRect();
      if (event.clientY < box.top + box.height / 2) {
        row.before(dragged);
      } else {
        row.after(dragged);
      }
    }
    return true;
  }

  editor.addEventListener("dragover", function (event) {
    if (!dragged || !place(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
  });

  editor.addEventListener("drop", function (event) {
    if (!dragged) return;
    event.preventDefault();
    place(event);
  });

  editor.addEventListener("dragend", function () {
    if (!dragged) return;
    const row = dragged;
    dragged = null;
    row.classList.remove("step-dragging");
    renumber();
    announce(row);
  });

  // A save sent back with a mistake in a step opens at that step.
  const mistake = editor.querySelector(".step-row .errorlist");
  if (mistake) {
    mistake.closest(".step-row").scrollIntoView({ block: "center" });
  }
});
