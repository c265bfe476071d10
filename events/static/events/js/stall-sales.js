// The stall sales page: record a sale in two taps (a product, then how it was paid), online or not.
//
// Each sale gets a client-made id (a UUID) and goes into a queue in localStorage before anything is sent, so a
// sale made without a connection is kept on the phone. The queue is sent one sale at a time to
// POST /api/fairs/<id>/sales/ when the page loads, after each sale, when the browser says it is online again and
// every 20 seconds; a sale leaves the queue only when the server has answered for it (201 recorded, 200 recorded
// before: the same id is recorded once however often it is sent; 4xx refused, with the reason shown). A small
// service worker keeps the page and its files, so the page opens again without a connection.
(function () {
  "use strict";
  var form = document.getElementById("sales-form");
  if (!form) return;
  var api = form.dataset.api;
  var key = "shanhai-stall-sales:" + form.dataset.fair + ":" + form.dataset.vendor;
  var sync = document.getElementById("sales-sync");
  var list = document.getElementById("sale-list");
  var totalLine = document.getElementById("sales-total");
  var sending = false;

  function csrfToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function load() {
    try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }

  function save(queue) {
    localStorage.setItem(key, JSON.stringify(queue));
  }

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_m, name) { return values[name] === undefined ? "" : values[name]; });
  }

  function say(text, tone) {
    sync.hidden = !text;
    sync.textContent = text || "";
    sync.className = "stall-sales__sync notice" + (tone ? " notice--" + tone : "");
  }

  function showWaiting() {
    var n = load().length;
    var row;
    if (n) say(format(form.dataset.msgWaiting, { n: n }), "warning");
    list.querySelectorAll(".sale-row--pending").forEach(function (li) {
      if (!load().some(function (s) { return s.client_id === li.dataset.clientId; })) li.remove();
    });
    load().forEach(function (sale) {
      if (list.querySelector('[data-client-id="' + sale.client_id + '"]')) return;
      row = document.createElement("li");
      row.className = "sale-row sale-row--pending";
      row.dataset.clientId = sale.client_id;
      row.textContent = sale.label + " · " + form.dataset.labelPending;
      list.insertBefore(row, list.firstChild);
    });
    var empty = document.getElementById("sale-list-empty");
    if (empty && list.querySelector(".sale-row")) empty.remove();
  }

  function recorded(sale, body) {
    var li = list.querySelector('[data-client-id="' + sale.client_id + '"]');
    if (li) {
      li.classList.remove("sale-row--pending");
      li.textContent = sale.time + " · " + body.item_name + " × " + body.quantity + " · ¥" + body.amount + " · " + sale.paymentLabel;
    }
    var count = parseInt(totalLine.dataset.count, 10) + 1;
    var total = (parseFloat(totalLine.dataset.total) + parseFloat(body.amount)).toFixed(2);
    totalLine.dataset.count = count;
    totalLine.dataset.total = total;
    totalLine.textContent = format(form.dataset.msgTotal, { count: count, amount: total });
    if (body.product && body.stock_left !== null) {
      var stock = document.querySelector('[data-stock-for="' + body.product + '"]');
      if (stock) stock.textContent = body.stock_left ? format(form.dataset.msgLeft, { n: body.stock_left }) : "";
    }
  }

  function flush() {
    if (sending) return;
    var queue = load();
    if (!queue.length) return;
    sending = true;
    var sale = queue[0];
    fetch(api, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: JSON.stringify(sale.payload),
    })
      .then(function (response) {
        return response.json().then(function (body) { return { status: response.status, body: body }; });
      })
      .then(function (answer) {
        sending = false;
        if (answer.status >= 500) { showWaiting(); return; }
        save(load().filter(function (s) { return s.client_id !== sale.client_id; }));
        if (answer.status === 200 || answer.status === 201) {
          recorded(sale, answer.body);
          say(format(form.dataset.msgSent, { item: answer.body.item_name, quantity: answer.body.quantity, amount: answer.body.amount }), "success");
        } else {
          var li = list.querySelector('[data-client-id="' + sale.client_id + '"]');
          if (li) li.remove();
          say(format(form.dataset.msgRefused, { message: answer.body.message || answer.status }), "error");
        }
        if (load().length) flush();
      })
      .catch(function () {
        sending = false;
        say(form.dataset.msgQueued + " " + format(form.dataset.msgWaiting, { n: load().length }), "warning");
      });
  }

  form.addEventListener("submit", function (event) {
    var payment = event.submitter && event.submitter.name === "payment" ? event.submitter.value : "";
    if (!payment) return;
    event.preventDefault();
    var product = form.querySelector("input[name=product]:checked");
    var item = form.querySelector("input[name=item_name]").value.trim();
    var price = form.querySelector("input[name=unit_price]").value.trim();
    var quantity = parseInt(form.querySelector("input[name=quantity]").value, 10) || 1;
    if (!product && !item) { say(form.dataset.msgPick, "error"); return; }
    var now = new Date();
    var name = product ? product.dataset.name : item;
    var sale = {
      client_id: uuid(),
      time: ("0" + now.getHours()).slice(-2) + ":" + ("0" + now.getMinutes()).slice(-2),
      paymentLabel: event.submitter.textContent.trim(),
      label: name + " × " + quantity + " · " + event.submitter.textContent.trim(),
      payload: {
        client_id: null,
        vendor: parseInt(form.dataset.vendor, 10),
        product: product ? parseInt(product.value, 10) : null,
        item_name: product ? "" : item,
        unit_price: price || null,
        quantity: quantity,
        payment: payment,
        sold_at: now.toISOString(),
      },
    };
    sale.payload.client_id = sale.client_id;
    var queue = load();
    queue.push(sale);
    save(queue);
    // Ready for the next sale: nothing picked, quantity 1.
    if (product) product.checked = false;
    form.querySelector("input[name=item_name]").value = "";
    form.querySelector("input[name=unit_price]").value = "";
    form.querySelector("input[name=quantity]").value = "1";
    showWaiting();
    if (navigator.onLine === false) {
      say(form.dataset.msgQueued + " " + format(form.dataset.msgWaiting, { n: load().length }), "warning");
    }
    flush();
  });

  window.addEventListener("online", flush);
  setInterval(flush, 20000);
  showWaiting();
  flush();

  if ("serviceWorker" in navigator && form.dataset.sw) {
    navigator.serviceWorker.register(form.dataset.sw, { scope: form.dataset.swScope }).catch(function () { /* the page works without it */ });
  }
})();
