// Ground Up's service worker, served by clubsite.pwa.service_worker at /sw.js.
//
// Hand-written, not Workbox. Measured (Workbox 7.4.1 from npm): the loader
// workbox-sw.js plus the core, routing, strategies, precaching and expiration
// modules this job needs are six files, 28,295 bytes minified (9,141
// gzipped), loaded by importScripts from a vendored folder, or bundled into
// one by a build step this project does not have. This file is about 9,100
// bytes unminified (3,500 gzipped), readable in one sitting. Workbox's
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
//   (Today, Program, the routine guide, the logger: clubsite.pwa.OFFLINE_PAGES)
//   is kept in the cache "pages-<key>", the key naming the member. A new key
//   drops every other member's cache first. Offline, a kept page is shown;
//   anything else gets the offline page. Signed-out pages, allauth, trainer
//   pages, the admin and downloads never carry the header: never kept.
// - Sign-out (a post to the logout URL) drops every kept page as it goes;
//   a page that names no member (signed out) tells the worker to do the same,
//   and a page fetched before a change of member is never kept after it.
//   IndexedDB is never touched.
// - Posts never pass through this worker (it does not answer them), so it
//   never keeps or replays one: the outbox (IndexedDB, on the page) owns
//   queueing and replay, and talks to the worker through "message" below.
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

// Whose pages are kept: a member's key, "" for no one (signed out), undefined
// until this worker hears (it is stopped and started by the browser at will).
let member;
// Counts changes of member: a page fetched before a change (a sign-out, the
// next member signing in) is never kept after it.
let epoch = 0;
// The keep run under way (messages below), which the next one waits for.
let keeping = Promise.resolve();

// Every kept page of every member but ``key`` ("" drops them all).
async function forgetPages(key) {
  if (key !== member) {
    member = key;
    epoch += 1;
  }
  for (const name of await caches.keys()) {
    if (name.startsWith(PAGES) && name !== PAGES + key) await caches.delete(name);
  }
}

// Keeps the answer if the server marked it as a member's page (the header
// names them) and no change of member happened since it was asked for.
// The whole body is read before the cache is touched: a download cut short
// (the signal drops halfway) fails here and leaves the copy kept last time,
// the one the member is about to open. The spec's Cache.put reads the body
// first too, and Chromium does; the worker does not rely on every browser
// doing so. The member is checked once the body is in, not before: a sign-out
// may come while it downloads.
async function keepPage(url, response, since) {
  const key = response.headers.get(CONFIG.header);
  if (!key || !response.ok || response.type !== "basic" || response.redirected) return;
  let body;
  try {
    body = await response.arrayBuffer();
  } catch {
    return;
  }
  if (since !== epoch) return;
  if (key !== member) {
    await forgetPages(key); // this worker was restarted and did not know them
    since = epoch;
  }
  const cache = await caches.open(PAGES + key);
  if (since !== epoch) return;
  const { status, statusText, headers } = response;
  await cache.put(url, new Response(body, { status, statusText, headers }));
  // A sign-out while it was written (it dropped the cache, which the put
  // brought back): take it out again.
  if (since !== epoch) await caches.delete(PAGES + key);
}

async function keptPage(url) {
  if (member === "") return null;
  for (const name of await caches.keys()) {
    // There is at most one member's cache; once known, only theirs is read.
    if (!name.startsWith(PAGES) || (member !== undefined && name !== PAGES + member)) continue;
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
  const since = epoch;
  try {
    const response = await fetch(request);
    event.waitUntil(keepPage(request.url, response.clone(), since));
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
  if (request.method !== "GET") {
    // Posts go to the network as the page sent them, never through here.
    // Signing out drops every kept page as the post goes.
    if (request.mode === "navigate" && url.pathname === CONFIG.logout) {
      event.waitUntil(forgetPages(""));
    }
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(navigate(event));
  } else if (url.pathname.startsWith(CONFIG.static) || url.pathname === CONFIG.manifest) {
    event.respondWith(staticFile(event));
  }
  // Anything else (htmx's requests, downloads) is left to the browser.
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
    event.waitUntil(forgetPages(data.key || ""));
  } else if (data.type === "keep" && data.key && Array.isArray(data.urls)) {
    // One keep run at a time: Today sends one on each visit (and on the first,
    // once this worker runs). Two at once would share a weak signal, and the
    // older copy of a page could land after, and over, the newer.
    const asked = epoch;
    const run = () => keepPages(data.key, data.urls, asked);
    keeping = keeping.then(run, run);
    event.waitUntil(keeping);
  }
});

async function keepPages(key, urls, asked) {
  // A sign-out (or another member) since the page asked: its list is stale,
  // and a run that started now must not bring the last member back.
  if (asked !== epoch) return;
  await forgetPages(key);
  for (const url of urls) {
    const address = new URL(url, self.location.origin);
    if (address.origin !== self.location.origin) continue;
    const since = epoch;
    try {
      const response = await fetch(address, {
        credentials: "same-origin",
        headers: { [CONFIG.keepHeader]: "1" },
      });
      if (response.headers.get(CONFIG.header) === key) await keepPage(address.href, response, since);
    } catch {
      // No signal: what was kept before stays.
    }
  }
}
