// "Copy" buttons for read-only fields, such as the calendar address. The
// buttons stay hidden without JavaScript, where the field can still be selected.
document.querySelectorAll("[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  const status = document.querySelector(`[data-copy-status="${button.dataset.copy}"]`);
  if (!field || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = "Copied. Paste it into your calendar app.";
    } catch {
      field.select();
      status.textContent = "Selected: copy it with your phone's Copy button.";
    }
  });
});
