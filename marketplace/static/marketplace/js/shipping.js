// Shipping fees follow the address: the cart's province choice submits itself, and on the checkout a
// change of address (or of a new address's province, city or district) recalculates the fees.
// Without JavaScript the "Show shipping" / "Recalculate shipping" buttons do the same.
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
    });
  });
  var recalculate = document.querySelector("button[data-recalculate]");
  if (!recalculate || !recalculate.form) return;
  var form = recalculate.form;
  function again() {
    form.requestSubmit ? form.requestSubmit(recalculate) : recalculate.click();
  }
  form.querySelectorAll('input[name="address"]').forEach(function (radio) {
    radio.addEventListener("change", again);
  });
  ["new-province", "new-city", "new-district"].forEach(function (name) {
    var field = form.querySelector('[name="' + name + '"]');
    if (field) field.addEventListener("change", again);
  });
})();
