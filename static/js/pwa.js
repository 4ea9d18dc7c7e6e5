// Registers the service worker (/sw.js) and tells it who is signed in here and
// which pages this member will want with no signal. Loaded on every page from
// base.html; a static file, because the CSP allows no inline script.
// The page's <meta name="offline-member"> names the member (a key, not the
// account id; empty when signed out). Today adds <meta name="offline-pages">.
(() => {
  if (!("serviceWorker" in navigator)) return; // The site works as before.
  const meta = (name) => document.querySelector(`meta[name="${name}"]`);
  const member = meta("offline-member");
  // The offline page names no one: it must not make the worker forget anything.
  if (!member) return;
  const key = member.content;
  const tell = (registration) => {
    const worker = registration.active;
    if (!worker) return;
    worker.postMessage({ type: "member", key });
    const pages = meta("offline-pages");
    if (key && pages && navigator.onLine) {
      worker.postMessage({ type: "keep", key, urls: pages.content.split(" ").filter(Boolean) });
    }
  };
  if (key && navigator.onLine) {
    // Only members get the worker; a signed-out page tells an existing one to forget.
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  }
  if (key) {
    navigator.serviceWorker.ready.then(tell).catch(() => {});
  } else {
    navigator.serviceWorker.getRegistration("/").then((registration) => {
      if (registration) tell(registration);
    }).catch(() => {});
  }
})();
