// 省/市/区: the city list follows the chosen province and the district list the chosen city.
// The selects come from cms.divisions.DivisionFieldsMixin:
//   <select data-division="province|city|district" data-division-group="form prefix">, the province one with
//   data-divisions-src (this site's static china-divisions.json).
// Without this script the server fills the lists for the province and city sent and checks the combination,
// so nothing depends on it.
(function () {
  "use strict";
  var provinces = document.querySelectorAll('select[data-division="province"]');
  if (!provinces.length || !window.fetch) {
    return;
  }

  function sibling(province, name) {
    var scope = province.form || document;
    var group = province.getAttribute("data-division-group") || "";
    var selects = scope.querySelectorAll('select[data-division="' + name + '"]');
    for (var i = 0; i < selects.length; i++) {
      if ((selects[i].getAttribute("data-division-group") || "") === group) {
        return selects[i];
      }
    }
    return null;
  }

  // Replace a select's options by the placeholder (its first option, written by the server in the page's
  // language) and the names; keep the chosen value when it is still in the list.
  function fill(select, names) {
    var current = select.value;
    var placeholder = select.options.length && select.options[0].value === "" ? select.options[0] : null;
    while (select.options.length) {
      select.remove(0);
    }
    if (placeholder) {
      select.add(placeholder);
    }
    names.forEach(function (name) {
      select.add(new Option(name, name));
    });
    select.value = names.indexOf(current) >= 0 ? current : "";
  }

  function wire(province, divisions) {
    var city = sibling(province, "city");
    var district = sibling(province, "district");
    if (!city || !district) {
      return;
    }
    function citiesOf() {
      return Object.keys(divisions[province.value] || {});
    }
    function districtsOf() {
      return (divisions[province.value] || {})[city.value] || [];
    }
    province.addEventListener("change", function () {
      fill(city, citiesOf());
      fill(district, districtsOf());
    });
    city.addEventListener("change", function () {
      fill(district, districtsOf());
    });
    // A city chosen before the lists arrived (a slow connection) gets its districts now.
    if (city.value && district.options.length <= 1) {
      fill(district, districtsOf());
    }
  }

  fetch(provinces[0].getAttribute("data-divisions-src"), { credentials: "same-origin" })
    .then(function (response) {
      return response.ok ? response.json() : Promise.reject(response.status);
    })
    .then(function (data) {
      Array.prototype.forEach.call(provinces, function (province) {
        wire(province, data.divisions);
      });
      document.documentElement.setAttribute("data-divisions-ready", "");
    })
    .catch(function () {
      // The lists stay as the server wrote them; the server checks what is sent.
    });
})();
