/* Forms with local times: a time zone field still at its default (UTC) starts at the
   browser's own zone, which is usually the one the person means. They can still type
   another (the venue's). Without JavaScript the field stays UTC. */
(function () {
  "use strict";
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    return;
  }
  if (!zone) return;
  // only forms shown fresh: a form sent back with errors keeps what was typed
  document.querySelectorAll('form[data-fresh] input[name="time_zone"]').forEach(function (input) {
    if (input.value === "UTC") input.value = zone;
  });
})();
