// Watch a live event: ask the page route for a viewer token (the streaming service's
// access rules decide), then join the LiveKit room with the livekit-client bundle.
// A refusal is shown with its reason (log in, follow, buy a ticket, region, not live).
(function () {
  "use strict";
  const WAYS_IN = {
    login_required: "Log in to watch this stream.",
    not_following: "This stream is for followers: follow to watch.",
    no_ticket: "This stream is for ticket holders: buy a ticket to watch.",
    members_only: "This stream is for the team only.",
    outside_region: "This stream is not available where you are.",
    not_live: "The event is not live right now.",
  };
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

  async function watch(section, message, player) {
    message.textContent = "Joining…";
    const answer = await fetch(`/app/events/${section.dataset.eventId}/watch`, {
      method: "POST",
      headers: { "X-CSRF-Token": csrf() },
      credentials: "same-origin",
    });
    const body = await answer.json().catch(() => ({}));
    if (!answer.ok || !body.allowed) {
      message.dataset.reason = body.reason || "refused";
      message.textContent = WAYS_IN[body.reason] || body.detail || "You cannot watch this stream.";
      return;
    }
    const { Room, RoomEvent } = window.LivekitClient;
    const room = new Room({ adaptiveStream: true });
    room.on(RoomEvent.TrackSubscribed, (track) => {
      player.append(track.attach());
      message.textContent = "Live";
    });
    room.on(RoomEvent.Disconnected, () => { message.textContent = "The stream ended."; });
    try {
      await room.connect(body.url, body.token);
      message.textContent = "Connected; waiting for the host's video…";
    } catch (_) {
      message.dataset.reason = "media_unreachable";
      message.textContent = "The media server cannot be reached right now.";
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const section = document.getElementById("watch-section");
    if (!section) return;
    const button = document.getElementById("watch-button");
    const message = document.getElementById("watch-message");
    const player = document.getElementById("player");
    button.addEventListener("click", () => watch(section, message, player));
    button.disabled = false; // usable once this script runs
  });
})();
