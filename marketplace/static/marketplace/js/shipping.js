// Shipping fees follow the address: on the checkout, choosing another address (or changing a new address's
// province) recalculates the fees, as the page says above the address list. Without JavaScript the
// "Recalculate shipping" button does the same; on the cart, "Show shipping" applies the province chosen.
(function () {
  "use strict";
  var recalculate = document.querySelector("button[data-recalculate]");
  if (!recalculate || !recalculate.form) return;
  var form = recalculate.form;
  function again() {
    form.requestSubmit ? form.requestSubmit(recalculate) : recalculate.click();
  }
  form.querySelectorAll('input[name="address"]').forEach(function (radio) {
    radio.addEventListener("change", again);
  });
  var province = form.querySelector('[name="new-province"]');
  if (province) province.addEventListener("change", again);
})();
