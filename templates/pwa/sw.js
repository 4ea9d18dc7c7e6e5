// Ground Up's service worker, served by clubsite.pwa.service_worker at /sw.js.
//
// Hand-written, not Workbox. Measured (Workbox 7.4.1 from npm): the loader
// workbox-sw.js plus the core, routing, strategies, precaching and expiration
// modules this job needs are six files, 28,295 bytes minified (9,141
// gzipped), loaded by importScripts from a vendored folder, or bundled into
// one by a build step this project does not have. This file is about 7,100
// bytes unminified (2,800 gzipped), readable in one sitting. Workbox's
// strategies would still need hand-written code for the one rule that matters
// here: a page is kept only for the member the server names, and dropped when
// another signs in. No eval, no inline script: the CSP holds unchanged.
//
// What it does:
// - Keeps the app shell (CSS, htmx, scripts, icons, the manifest and the
//   offline page) when it installs. Static files are cache-first when their
//   name carries whitenoise's content hash (a new file gets a new name), and
//   network-first otherwise (development serves plain names).
// - Pages: network-first, always. An answer carrying the X-Offline-Page header
//   (Today, Program, the routine guide, the logger: clubsite.pwa.offline_page)
//   is kept in the cache "pages-<key>", the key naming the member. A new key
//   drops every other member's cache first. Offline, a kept page is shown;
//   anything else gets the offline page. Signed-out pages, allauth, trainer
//   pages, the admin and downloads never carry the header: never kept.
// - Sign-out (a post to the logout URL) drops every kept page before it goes;
//   a page that names no member (signed out) tells the worker to do the same.
//   IndexedDB is never touched.
// - Posts are never kept and never replayed here: they go to the network as
//   the page sent them. The outbox (IndexedDB, on the page) owns queueing and
//   replay; it talks to the worker through the "message" handler below.
"use strict";

const CONFIG = {{ config|safe }};
const SHELL = "shell-" + CONFIG.version;
const STATIC = "static";
const PAGES = "pages-";
// How many static files to keep beyond the current shell (old hashed names
// still named by kept pages, until those are refreshed).
const STATIC_LIMIT = 120;
const HASHED = /\.[0-9a-f]{12}\.[a-z0-9]+$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      // Without cookies: the offline page is the signed-out one, nobody's.
      .then((cache) => cache.addAll(CONFIG.shell.map((url) => new Request(url, { credentials: "omit" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("shell-") && name !== SHELL) await caches.delete(name);
      }
      const cache = await caches.open(STATIC);
      const kept = await cache.keys();
      for (const request of kept.slice(0, Math.max(0, kept.length - STATIC_LIMIT))) {
        await cache.delete(request);
      }
      await self.clients.claim();
    })(),
  );
});

// Every kept page of every member but ``except`` (none at all without one).
async function forgetPages(except) {
  for (const name of await caches.keys()) {
    if (name.startsWith(PAGES) && name !== PAGES + except) await caches.delete(name);
  }
}

async function keepPage(url, response) {
  const key = response.headers.get(CONFIG.header);
  if (!key || !response.ok || response.type !== "basic" || response.redirected) return;
  await forgetPages(key);
  const cache = await caches.open(PAGES + key);
  await cache.put(url, response);
}

async function keptPage(url) {
  for (const name of await caches.keys()) {
    if (!name.startsWith(PAGES)) continue;
    const cache = await caches.open(name);
    const response = await cache.match(url, { ignoreVary: true });
    if (response) return response;
  }
  return null;
}

async function offlinePage() {
  const cache = await caches.open(SHELL);
  return (
    (await cache.match(CONFIG.offline, { ignoreVary: true })) ||
    new Response("You are offline.", { status: 503, headers: { "Content-Type": "text/plain" } })
  );
}

async function navigate(event) {
  const request = event.request;
  if (request.method !== "GET") {
    // A plain form post (no JavaScript, or sign-out): the network's, never kept.
    if (new URL(request.url).pathname === CONFIG.logout) await forgetPages(null);
    try {
      return await fetch(request);
    } catch {
      return offlinePage();
    }
  }
  try {
    const response = await fetch(request);
    event.waitUntil(keepPage(request.url, response.clone()));
    return response;
  } catch {
    return (await keptPage(request.url)) || offlinePage();
  }
}

async function staticFile(event) {
  const request = event.request;
  const cached = await caches.match(request, { ignoreVary: true });
  if (cached && HASHED.test(new URL(request.url).pathname)) return cached;
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") {
      const copy = response.clone();
      event.waitUntil(caches.open(STATIC).then((cache) => cache.put(request, copy)));
    }
    return response;
  } catch (error) {
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(event));
  } else if (request.method === "GET" && (url.pathname.startsWith(CONFIG.static) || url.pathname === CONFIG.manifest)) {
    event.respondWith(staticFile(event));
  }
  // Anything else (htmx's posts, downloads fetched by script) is left to the
  // browser, untouched: the worker neither keeps nor replays it.
});

// Messages from the pages (static/js/pwa.js):
// - {type: "member", key}: who is signed in on this page ("" for nobody);
//   every other member's kept pages are dropped.
// - {type: "keep", key, urls}: pages this member will want offline (Program,
//   the routine guide, the session open now), fetched and kept if the server
//   marks them as theirs.
// The outbox adds its own types here (e.g. "outbox:send" to wake a page's
// queue); it must never make this worker keep or replay a post.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "member") {
    event.waitUntil(forgetPages(data.key || null));
  } else if (data.type === "keep" && data.key && Array.isArray(data.urls)) {
    event.waitUntil(keepPages(data.key, data.urls));
  }
});

async function keepPages(key, urls) {
  await forgetPages(key);
  for (const url of urls) {
    const address = new URL(url, self.location.origin);
    if (address.origin !== self.location.origin) continue;
    try {
      const response = await fetch(address, { credentials: "same-origin", redirect: "follow" });
      if (response.headers.get(CONFIG.header) === key) await keepPage(address.href, response);
    } catch {
      // No signal: what was kept before stays.
    }
  }
}
