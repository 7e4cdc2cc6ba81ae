/* slotapp in the browser: registers the service worker (sw.js), offers "Install app" in the
 * menu when the browser allows it, and does the browser's part of notifications for the
 * Notifications page (window.slotappPwa; see slotapp/state/notifications.py).
 */
(() => {
  const root = document.documentElement;
  const ios = /iPhone|iPad|iPod/.test(navigator.userAgent);
  const supported = () =>
    "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  let installPrompt = null;
  let result = null;

  if ("serviceWorker" in navigator) {
    const register = () =>
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => undefined);
    if (document.readyState === "complete") register();
    else window.addEventListener("load", register);
  }

  // The menu's "Install app" (#install-app) shows only while the browser offers installing.
  const style = document.createElement("style");
  style.textContent = "html[data-installable] #install-app{display:flex!important}";
  document.head.appendChild(style);
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    installPrompt = event;
    root.dataset.installable = "";
  });
  window.addEventListener("appinstalled", () => {
    installPrompt = null;
    delete root.dataset.installable;
  });
  document.addEventListener("click", (event) => {
    const target = event.target;
    if (!installPrompt || !(target instanceof Element) || !target.closest("#install-app")) return;
    const prompt = installPrompt;
    installPrompt = null;
    delete root.dataset.installable;
    prompt.prompt();
  });

  const keyBytes = (base64url) => {
    const b64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  };
  const sameKey = (subscription, key) => {
    const own = subscription.options && subscription.options.applicationServerKey;
    if (!own) return true;
    const a = new Uint8Array(own);
    return a.length === key.length && a.every((byte, i) => byte === key[i]);
  };
  const registration = async () =>
    (await navigator.serviceWorker.getRegistration("/")) ||
    navigator.serviceWorker.register("/sw.js", { scope: "/" });
  const current = async () => {
    const reg = await navigator.serviceWorker.getRegistration("/");
    return reg ? reg.pushManager.getSubscription() : null;
  };
  const within = (promise, ms, fallback) =>
    Promise.race([promise, new Promise((ok) => setTimeout(() => ok(fallback), ms))]);
  const report = (outcome) => {
    result = { permission: "Notification" in window ? Notification.permission : "", ...outcome };
    const button = document.getElementById("push-report");
    if (button) button.click();
  };

  window.slotappPwa = {
    /** What the page needs to know about this browser; resolves quickly. */
    async status() {
      const base = { supported: supported(), ios, permission: "default", endpoint: "" };
      if (!base.supported) return base;
      base.permission = Notification.permission;
      const sub = await within(current().catch(() => null), 3000, null);
      return { ...base, endpoint: sub ? sub.endpoint : "" };
    },

    /** From a tap: ask permission, subscribe; the outcome goes to #push-report (see state). */
    enable(publicKey) {
      (async () => {
        if (!supported()) return report({ ok: false, reason: "unsupported" });
        const permission = await Notification.requestPermission();
        if (permission !== "granted") return report({ ok: false, reason: permission });
        await registration();
        const reg = await navigator.serviceWorker.ready;
        const key = keyBytes(publicKey);
        let sub = await reg.pushManager.getSubscription();
        if (sub && !sameKey(sub, key)) {
          await sub.unsubscribe();
          sub = null;
        }
        sub = sub || (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }));
        report({ ok: true, subscription: sub.toJSON() });
      })().catch((error) => report({ ok: false, reason: "error", detail: String(error) }));
      return true;
    },

    /** The outcome of the last enable(), once. */
    take() {
      const taken = result;
      result = null;
      return taken || { ok: false, reason: "error" };
    },

    /** Unsubscribe this browser; resolves with the endpoint it had ("" if none). */
    async disable() {
      const sub = await within(current().catch(() => null), 3000, null);
      if (!sub) return "";
      sub.unsubscribe().catch(() => undefined);
      return sub.endpoint;
    },

    /** On logout: nothing of this user stays behind, no notification reaches this browser. */
    async forget() {
      if ("caches" in window) {
        for (const name of await caches.keys()) await caches.delete(name);
      }
      if (!supported()) return;
      const sub = await within(current().catch(() => null), 3000, null);
      if (!sub) return;
      const { endpoint, keys } = sub.toJSON();
      await sub.unsubscribe().catch(() => undefined);
      await fetch("/api/push/unsubscribe", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ endpoint, keys: { auth: keys.auth } }),
        keepalive: true,
      }).catch(() => undefined);
    },
  };
})();
