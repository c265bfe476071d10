// Staff check-in. The typed code (short code or long code) always works. The camera scanner uses the browser's
// BarcodeDetector where there is one; elsewhere (iPhone Safari, WeChat's browser) it draws video frames onto a
// canvas every 200 ms and decodes them with jsQR (vendored under events/vendor/jsqr/, loaded only when needed).
// On a hit the camera stops, the code is filled in and the form submitted. The result is announced in a polite
// live region; the live count of people checked in refreshes every 15 seconds. window.shanhaiCheckin exposes
// the decoding steps (used by the browser tests).
(function () {
  "use strict";
  var form = document.getElementById("checkin-form");
  var input = document.getElementById("id_code");
  var counts = document.querySelector("[data-counts-url]");
  var FRAME_MS = 200;

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
  // The result arrives with a new page, and screen readers announce changes to a live region, not what it holds
  // when the page loads: empty the region and put the result back a moment later, so it is read out.
  var status = document.getElementById("checkin-status");
  if (status && status.children.length) {
    var result = Array.prototype.slice.call(status.childNodes);
    status.textContent = "";
    setTimeout(function () { result.forEach(function (node) { status.appendChild(node); }); }, 150);
  }
  if (!form || !input) { return; }

  var box = document.querySelector(".checkin__scanner");
  var startButton = document.getElementById("checkin-scan");
  var stopButton = document.getElementById("checkin-scan-stop");
  var cameraError = document.getElementById("checkin-camera-error");
  var video = document.getElementById("checkin-video");
  var decoderPromise = null;

  // jsQR, from the project's static files, once.
  function loadDecoder() {
    if (window.jsQR) { return Promise.resolve(window.jsQR); }
    if (!decoderPromise) {
      decoderPromise = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = box.getAttribute("data-jsqr-src");
        script.onload = function () { window.jsQR ? resolve(window.jsQR) : reject(new Error("jsQR missing")); };
        script.onerror = function () { decoderPromise = null; reject(new Error("jsQR did not load")); };
        document.head.appendChild(script);
      });
    }
    return decoderPromise;
  }

  // The text of the QR code in an ImageData (canvas pixels), or null. jsQR must be loaded.
  function decodeImageData(imageData) {
    var hit = window.jsQR(imageData.data, imageData.width, imageData.height, { inversionAttempts: "attemptBoth" });
    return hit && hit.data ? hit.data : null;
  }

  function accept(text) {
    input.readOnly = false;
    input.value = text;
    form.submit();
  }

  // Decode an ImageData and, on a hit, check the code in as if scanned. Resolves to the text or null.
  function scanImageData(imageData) {
    return loadDecoder().then(function () {
      var text = decodeImageData(imageData);
      if (text) { accept(text); }
      return text;
    });
  }

  window.shanhaiCheckin = { loadDecoder: loadDecoder, decodeImageData: decodeImageData, scanImageData: scanImageData };

  if (!box || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }

  var stream = null;
  var timer = null;
  var running = false;

  function stopCamera() {
    running = false;
    if (timer) { clearTimeout(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.srcObject = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
  }

  function found(text) {
    stopCamera();
    accept(text);
  }

  // BarcodeDetector where it exists and reads QR codes; null otherwise.
  function nativeDetector() {
    if (!("BarcodeDetector" in window)) { return Promise.resolve(null); }
    var formats = window.BarcodeDetector.getSupportedFormats
      ? window.BarcodeDetector.getSupportedFormats() : Promise.resolve(["qr_code"]);
    return formats.then(function (list) {
      return list.indexOf("qr_code") >= 0 ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
    }).catch(function () { return null; });
  }

  function loopNative(detector) {
    if (!running) { return; }
    detector.detect(video).then(function (codes) {
      if (!running) { return; }
      if (codes.length && codes[0].rawValue) { found(codes[0].rawValue); } else { timer = setTimeout(function () { loopNative(detector); }, FRAME_MS); }
    }).catch(function () { timer = setTimeout(function () { loopNative(detector); }, FRAME_MS); });
  }

  function loopCanvas() {
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    var tick = function () {
      if (!running) { return; }
      var w = video.videoWidth, h = video.videoHeight;
      if (w && h) {
        // At most 640 px wide: enough for a ticket held up to the phone, and cheap to decode.
        var scale = Math.min(1, 640 / w);
        canvas.width = Math.round(w * scale);
        canvas.height = Math.round(h * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var text = decodeImageData(context.getImageData(0, 0, canvas.width, canvas.height));
        if (text) { found(text); return; }
      }
      timer = setTimeout(tick, FRAME_MS);
    };
    tick();
  }

  box.hidden = false;
  startButton.addEventListener("click", function () {
    cameraError.hidden = true;
    // Ask for the camera first, inside the click (Safari wants the user's gesture), then pick the decoder.
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
      stream = s;
      running = true;
      video.srcObject = s;
      video.setAttribute("playsinline", "");
      video.hidden = false;
      startButton.hidden = true;
      stopButton.hidden = false;
      var play = video.play();
      if (play && play.catch) { play.catch(function () {}); }
      return nativeDetector().then(function (detector) {
        if (detector) { loopNative(detector); return; }
        return loadDecoder().then(loopCanvas);
      });
    }).catch(function () {
      stopCamera();
      cameraError.hidden = false;
    });
  });
  stopButton.addEventListener("click", stopCamera);
  window.addEventListener("pagehide", stopCamera);
})();
