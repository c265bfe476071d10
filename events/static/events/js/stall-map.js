// The fair page's stall map: a tap on a stall shows its details in a small panel (taken from the stall's row
// in the list below), and the list is filtered to all / free / my stalls. Without this script the plan's
// links go straight to the booking page and the list shows every zone, so nothing depends on it.
(function () {
  "use strict";
  var map = document.querySelector("[data-stall-map]");
  if (!map) {
    return;
  }
  var panel = map.querySelector("#stall-panel");
  var filter = map.querySelector(".stall-filter");
  var none = map.querySelector(".stall-filter__none");
  var zones = Array.prototype.slice.call(map.querySelectorAll(".stall-zone"));
  var rows = Array.prototype.slice.call(map.querySelectorAll("[data-stall-row]"));
  var stalls = Array.prototype.slice.call(map.querySelectorAll("g.stall"));

  Array.prototype.forEach.call(map.querySelectorAll("[data-when-script]"), function (element) {
    element.hidden = false;
  });

  function cell(row, field) {
    return row.querySelector('[data-field="' + field + '"]');
  }

  function select(code) {
    stalls.forEach(function (stall) {
      stall.classList.toggle("is-selected", stall.getAttribute("data-stall") === code);
    });
  }

  function show(code) {
    var row = document.getElementById("stall-" + code);
    if (!row) {
      return;
    }
    select(code);
    panel.textContent = "";
    var head = document.createElement("div");
    head.className = "stall-panel__head";
    var title = document.createElement("h3");
    title.textContent = code;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "button button--secondary button--small stall-panel__close";
    close.textContent = map.getAttribute("data-close-label") || "×";
    close.addEventListener("click", function () {
      panel.hidden = true;
      select(null);
    });
    head.appendChild(title);
    head.appendChild(close);
    panel.appendChild(head);
    var facts = document.createElement("dl");
    facts.className = "facts stall-panel__facts";
    var zone = row.closest(".stall-zone").querySelector(".stall-zone__name");
    [
      [map.getAttribute("data-zone-label"), zone ? zone.textContent : ""],
      [cell(row, "type").getAttribute("data-label"), cell(row, "type").textContent],
      [cell(row, "fee").getAttribute("data-label"), cell(row, "fee").textContent],
      [cell(row, "state").getAttribute("data-label"), cell(row, "state").textContent],
    ].forEach(function (pair) {
      if (!pair[1]) {
        return;
      }
      var dt = document.createElement("dt");
      dt.textContent = pair[0];
      var dd = document.createElement("dd");
      dd.textContent = pair[1].trim();
      facts.appendChild(dt);
      facts.appendChild(dd);
    });
    panel.appendChild(facts);
    var book = cell(row, "action").querySelector("a");
    if (book) {
      var action = book.cloneNode(true);
      action.classList.remove("button--small");
      action.classList.add("stall-panel__book");
      panel.appendChild(action);
    }
    panel.hidden = false;
    var box = panel.getBoundingClientRect();
    if (box.bottom > window.innerHeight || box.top < 0) {
      panel.scrollIntoView({ block: "nearest" });
    }
  }

  // Enlarge: the plan grows to 2.5 times the screen and scrolls inside its own box (never the page).
  var zoom = map.querySelector(".stall-map__zoom");
  var plan = map.querySelector(".stall-map__plan");
  if (zoom && plan) {
    zoom.addEventListener("click", function () {
      var on = !plan.classList.contains("is-zoomed");
      plan.classList.toggle("is-zoomed", on);
      zoom.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  stalls.forEach(function (stall) {
    stall.addEventListener("click", function (event) {
      event.preventDefault();
      show(stall.getAttribute("data-stall"));
    });
  });

  function apply(value) {
    var shown = 0;
    zones.forEach(function (zone) {
      var inZone = 0;
      Array.prototype.forEach.call(zone.querySelectorAll("[data-stall-row]"), function (row) {
        var match =
          value === "all" ||
          (value === "free" && row.getAttribute("data-state") === "available") ||
          (value === "mine" && row.hasAttribute("data-mine"));
        row.hidden = !match;
        inZone += match ? 1 : 0;
      });
      zone.hidden = inZone === 0;
      if (value !== "all" && inZone) {
        zone.open = true;
      }
      shown += inZone;
    });
    stalls.forEach(function (stall) {
      var match =
        value === "all" ||
        (value === "free" && stall.getAttribute("data-state") === "available") ||
        (value === "mine" && stall.hasAttribute("data-mine"));
      stall.classList.toggle("is-dimmed", !match);
    });
    if (none) {
      none.hidden = shown > 0;
    }
  }

  if (filter) {
    filter.addEventListener("change", function (event) {
      if (event.target.name === "stall-filter") {
        apply(event.target.value);
      }
    });
  }
  // On a wide screen the zones start open; on a phone they start closed, one tap each.
  if (window.matchMedia("(min-width: 800px)").matches && rows.length <= 120) {
    zones.forEach(function (zone) {
      zone.open = true;
    });
  }
})();
