// The payment page: confirm the order's PaymentIntent with Stripe.js, then go to the return URL,
// where the server asks Stripe how it went (so a late webhook never leaves a paid order unpaid).
(function () {
  "use strict";
  var root = document.getElementById("pay");
  if (!root) {
    return;
  }
  var form = root.querySelector("form");
  var button = form.querySelector("button[type=submit]");
  var errorBox = root.querySelector(".pay__error");
  if (typeof window.Stripe !== "function") {
    root.querySelector(".pay__unavailable").hidden = false;
    button.disabled = true;
    return;
  }
  var data = root.dataset;
  var stripe = window.Stripe(data.publishableKey, { locale: data.locale || "auto" });
  var secret = data.clientSecret;
  var method = data.method;
  var returnUrl = data.returnUrl;
  var card = null;

  if (method === "card") {
    card = stripe.elements({ locale: data.locale || "auto" }).create("card", { hidePostalCode: true });
    card.mount("#card-element");
    card.on("change", function (event) {
      errorBox.textContent = event.error ? event.error.message : "";
    });
  }

  function confirm() {
    if (method === "card") {
      return stripe.confirmCardPayment(secret, { payment_method: { card: card } });
    }
    if (method === "alipay") {
      // Alipay leaves this page and comes back to return_url itself.
      return stripe.confirmAlipayPayment(secret, { return_url: returnUrl });
    }
    if (method === "wechat_pay") {
      // Stripe shows the WeChat QR code in a dialog and resolves once it is paid or closed.
      return stripe.confirmWechatPayPayment(secret, { payment_method_options: { wechat_pay: { client: "web" } } });
    }
    return Promise.reject(new Error("unknown payment method " + method));
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    errorBox.textContent = "";
    confirm()
      .then(function (result) {
        if (result && result.error) {
          errorBox.textContent = result.error.message || "";
          button.disabled = false;
          return;
        }
        window.location.assign(returnUrl);
      })
      .catch(function (error) {
        errorBox.textContent = error && error.message ? error.message : String(error);
        button.disabled = false;
      });
  });
})();
