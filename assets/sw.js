/* slotapp's service worker, scope "/": installable app shell, an offline page, web push.
 *
 * Cached: the offline page, the manifest and the icons (at install), and the production
 * build's content-hashed scripts and styles (/assets/<name>-<hash>.js|css), which never
 * change under their name and hold no user data. Never cached: pages (a logged-in page is
 * private), API routes, the websocket, anything cross-origin or not GET. Logging out deletes
 * every cache (pwa.js). A push shows one notification; a tap opens its page.
 */
const VERSION = "v1";
const SHELL = `slotapp-shell-${VERSION}`;
const ASSETS = `slotapp-assets-${VERSION}`;
const OFFLINE = "/offline.html";
const PRECACHE = [
  OFFLINE,
  "/manifest.webmanifest",
  "/favicon.ico",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
  "/icons/maskable-192.png",
  "/icons/maskable-512.png",
  "/icons/badge-96.png",
];
const HASHED = /^\/assets\/[^/]+-[A-Za-z0-9_-]{6,}\.(?:js|css|woff2?)$/;
const MAX_ASSETS = 150; // old builds' files are dropped first
const PUBLIC_SHELL_PAGE = "/login"; // public, so its HTML lists the shell's files safely

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      await (await caches.open(SHELL)).addAll(PRECACHE);
      await precacheBuild();
      await self.skipWaiting();
    })(),
  );
});

/** The built scripts and styles the public login page loads: the app shell. Best effort. */
async function precacheBuild() {
  try {
    const res = await fetch(PUBLIC_SHELL_PAGE, { credentials: "omit", cache: "no-store" });
    if (!res.ok) return;
    const html = await res.text();
    const urls = new Set();
    for (const m of html.matchAll(/(?:src|href)="(\/assets\/[^"?#]+)"/g)) {
      if (HASHED.test(m[1])) urls.add(m[1]);
    }
    const cache = await caches.open(ASSETS);
    await Promise.all([...urls].map((url) => cache.add(url).catch(() => undefined)));
  } catch (_) {
    // offline at install, or a dev server without a build: the shell fills in as it loads
  }
}

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const keep = new Set([SHELL, ASSETS]);
      for (const name of await caches.keys()) {
        if (name.startsWith("slotapp-") && !keep.has(name)) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (HASHED.test(url.pathname)) {
    event.respondWith(built(request));
  } else if (PRECACHE.includes(url.pathname)) {
    event.respondWith(shellFile(request));
  }
  // Everything else (API routes, /_event, /ping, uploads, images) goes to the network as is.
});

/** Pages always come from the network (never stored); the offline page when there is none. */
async function page(request) {
  try {
    return await fetch(request);
  } catch (_) {
    return (await caches.match(OFFLINE)) || Response.error();
  }
}

/** Content-hashed build files: from the cache, else fetched once and kept. */
async function built(request) {
  const cache = await caches.open(ASSETS);
  const hit = await cache.match(request);
  if (hit) return hit;
  const res = await fetch(request);
  if (res.ok && res.type === "basic") {
    await cache.put(request, res.clone());
    const keys = await cache.keys();
    for (const old of keys.slice(0, Math.max(0, keys.length - MAX_ASSETS))) {
      await cache.delete(old);
    }
  }
  return res;
}

/** The manifest and icons: fresh from the network when online, the stored copy offline. */
async function shellFile(request) {
  try {
    const res = await fetch(request);
    if (res.ok) await (await caches.open(SHELL)).put(request, res.clone());
    return res;
  } catch (_) {
    return (await caches.match(request)) || Response.error();
  }
}

/** A path on this site, or "/": a notification never opens another site. */
function sitePath(url) {
  try {
    const u = new URL(typeof url === "string" && url ? url : "/", self.location.origin);
    return u.origin === self.location.origin ? u.pathname + u.search + u.hash : "/";
  } catch (_) {
    return "/";
  }
}

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (_) {
    data = {};
  }
  const url = sitePath(data.url);
  const kind = typeof data.kind === "string" ? data.kind : "";
  event.waitUntil(
    self.registration.showNotification(
      typeof data.title === "string" && data.title ? data.title : "slotapp",
      {
        body: typeof data.body === "string" ? data.body : "",
        icon: "/icons/icon-192.png",
        badge: "/icons/badge-96.png",
        // A newer notice about the same thing replaces the older one, and still alerts.
        tag: kind ? `${kind}:${url}` : undefined,
        renotify: Boolean(kind),
        data: { url, kind },
      },
    ),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(sitePath(event.notification.data && event.notification.data.url),
    self.location.origin).href;
  event.waitUntil(
    (async () => {
      const open = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const same = open.find((client) => client.url === target);
      if (same) return same.focus();
      return self.clients.openWindow(target);
    })(),
  );
});

function keyBytes(base64url) {
  const b64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/* The browser renewed the subscription: tell the server, proving it with the old secret. */
self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil(
    (async () => {
      const old = event.oldSubscription;
      if (!old) return; // nothing to prove it with: the settings page subscribes again
      let fresh = event.newSubscription;
      if (!fresh) {
        const { publicKey } = await (await fetch("/api/push/key")).json();
        fresh = await self.registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(publicKey),
        });
      }
      await fetch("/api/push/resubscribe", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ old: old.toJSON(), new: fresh.toJSON() }),
      });
    })().catch(() => undefined),
  );
});
