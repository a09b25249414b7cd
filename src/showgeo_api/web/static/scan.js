// Check-in by camera where the browser can read QR codes itself (BarcodeDetector: Chrome on
// Android, ChromeOS, macOS). Elsewhere the button stays hidden and staff type the code.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", async () => {
    const button = document.getElementById("scan");
    if (!button || !("BarcodeDetector" in window)) return;
    const formats = await window.BarcodeDetector.getSupportedFormats();
    if (!formats.includes("qr_code")) return;
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    const video = document.getElementById("scan-video");
    const status = document.getElementById("scan-status");
    button.hidden = false;
    button.addEventListener("click", async () => {
      let stream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      } catch (_) {
        status.textContent = "The camera is not available; type the code instead.";
        return;
      }
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      status.textContent = "Point the camera at the ticket's QR code.";
      const look = async () => {
        const found = await detector.detect(video).catch(() => []);
        if (found.length) {
          stream.getTracks().forEach((t) => t.stop());
          document.getElementById("f-code").value = found[0].rawValue;
          document.getElementById("checkin-form").submit();
          return;
        }
        requestAnimationFrame(look);
      };
      look();
    });
  });
})();
