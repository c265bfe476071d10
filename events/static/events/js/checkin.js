// Staff check-in: the typed code always works; where the browser has BarcodeDetector, a camera scanner fills
// the code in and submits. The live count of people checked in refreshes every 15 seconds. No libraries.
(function () {
  "use strict";
  var form = document.getElementById("checkin-form");
  var input = document.getElementById("id_code");
  var counts = document.querySelector("[data-counts-url]");
  if (counts && window.fetch) {
    setInterval(function () {
      fetch(counts.getAttribute("data-counts-url"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          var total = document.getElementById("checkin-total");
          if (data && total) { total.textContent = data.total; }
        })
        .catch(function () {});
    }, 15000);
  }
  if (!form || !input || !("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  var box = document.querySelector(".checkin__scanner");
  var button = document.getElementById("checkin-scan");
  var video = document.getElementById("checkin-video");
  box.hidden = false;
  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      var tick = function () {
        detector.detect(video).then(function (codes) {
          if (codes.length) {
            stream.getTracks().forEach(function (t) { t.stop(); });
            input.value = codes[0].rawValue;
            form.submit();
          } else {
            requestAnimationFrame(tick);
          }
        }).catch(function () { requestAnimationFrame(tick); });
      };
      tick();
    }).catch(function () { box.hidden = true; });
  });
})();
