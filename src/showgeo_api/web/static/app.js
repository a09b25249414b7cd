// Showgeo pages: the CSRF header on htmx requests, and for a signed-in browser the
// notification socket (bell badge + toasts). No inline scripts: the CSP allows only ours.
(function () {
  "use strict";
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

  document.addEventListener("htmx:configRequest", (e) => {
    e.detail.headers["X-CSRF-Token"] = csrf();
  });

  function setUnread(count) {
    const badge = document.getElementById("unread-badge");
    const bell = document.getElementById("bell");
    if (!badge || !bell) return;
    badge.textContent = String(count);
    badge.dataset.count = String(count);
    badge.hidden = count === 0;
    bell.setAttribute("aria-label", `Notifications, ${count} unread`);
  }

  function linkOf(data) {
    if (data && data.event_id) return `/app/events/${data.event_id}`;
    if (data && data.entity_slug) return `/app/entities/${data.entity_slug}`;
    if (data && data.entity_id) return `/app/entities/${data.entity_id}`;
    return "/app/notifications";
  }

  function toast(n) {
    const box = document.getElementById("toasts");
    if (!box) return;
    const item = document.createElement("div");
    item.className = "toast";
    item.dataset.kind = n.kind;
    const title = document.createElement("a");
    title.href = linkOf(n.data);
    title.className = "toast-title";
    title.textContent = n.title;
    const body = document.createElement("p");
    body.textContent = n.body || "";
    const close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    close.addEventListener("click", () => item.remove());
    item.append(title, body, close);
    box.append(item);
    setTimeout(() => item.remove(), 15000);
  }

  let retry = 1000;
  let leaving = false;
  async function connect() {
    let answer;
    try {
      answer = await fetch("/app/session/socket-token", {
        method: "POST",
        headers: { "X-CSRF-Token": csrf() },
        credentials: "same-origin",
      });
    } catch (_) {
      return later();
    }
    if (answer.status === 401) return; // signed out meanwhile
    if (!answer.ok) return later();
    const { token, ws_url } = await answer.json();
    const socket = new WebSocket(`${ws_url}?token=${encodeURIComponent(token)}`);
    socket.addEventListener("message", (m) => {
      const frame = JSON.parse(m.data);
      if (frame.event === "connected") {
        retry = 1000;
        document.body.dataset.socket = "open";
        setUnread(frame.data.unread_count);
      }
      else if (frame.event === "unread_count") setUnread(frame.data.count);
      else if (frame.event === "notification") {
        toast(frame.data);
        document.dispatchEvent(new CustomEvent("showgeo:notification", { detail: frame.data }));
      }
    });
    socket.addEventListener("close", () => {
      document.body.dataset.socket = "closed";
      if (!leaving) later();
    });
    window.addEventListener("pagehide", () => {
      leaving = true;
      if (socket.readyState === WebSocket.OPEN) socket.close(1000);
    }, { once: true });
  }
  function later() {
    if (leaving) return;
    // jittered, so tabs whose sockets closed together (token expiry) do not ask at once
    setTimeout(connect, retry * (0.5 + Math.random()));
    retry = Math.min(retry * 2, 30000);
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (document.body.dataset.signedIn) connect();
  });
})();
