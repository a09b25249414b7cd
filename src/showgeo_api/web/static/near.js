// Events near me: ask the browser for its position only after the person clicks, then
// reload the page with ?near=lat,lon (the same parameter the API's GET /events takes).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", () => {
    const button = document.getElementById("locate");
    const status = document.getElementById("near-status");
    if (!button) return;
    button.disabled = false; // usable once this script runs
    button.addEventListener("click", () => {
      if (!("geolocation" in navigator)) {
        status.textContent = "This browser cannot share its location.";
        return;
      }
      status.textContent = "Asking your browser where you are…";
      navigator.geolocation.getCurrentPosition(
        (position) => {
          const { latitude, longitude } = position.coords;
          document.getElementById("f-near").value = `${latitude.toFixed(4)},${longitude.toFixed(4)}`;
          document.getElementById("near-form").submit();
        },
        (error) => {
          status.textContent = error.code === error.PERMISSION_DENIED
            ? "You did not share your location, so we cannot search near you."
            : "Your location could not be found.";
        },
        { maximumAge: 600000, timeout: 15000 }
      );
    });
  });
})();
