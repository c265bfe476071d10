// Mobile navigation toggle. Without this script the menu simply stays open, so nothing depends on it.
(function () {
  "use strict";
  var toggle = document.querySelector(".nav-toggle");
  var nav = document.getElementById("site-nav");
  if (!toggle || !nav) {
    return;
  }
  var wide = window.matchMedia("(min-width: 800px)");

  function setOpen(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      nav.removeAttribute("data-collapsed");
    } else {
      nav.setAttribute("data-collapsed", "");
    }
  }

  toggle.hidden = false;
  setOpen(false);

  toggle.addEventListener("click", function () {
    setOpen(toggle.getAttribute("aria-expanded") !== "true");
  });

  // Escape closes the open menu and returns focus to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !wide.matches && toggle.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      toggle.focus();
    }
  });
})();

// Confirm before an action that cannot be undone (cancel an order or a registration, approve or reject an
// order, release a stall). A submit button (or its form) carries the question:
//   <button type="submit" data-confirm="Cancel this order?" data-confirm-ok="Cancel the order"
//           data-confirm-keep="Keep the order">
// and submitting opens a native modal <dialog>: the browser keeps focus inside it and Escape closes it; focus
// starts on the harmless button and returns to the submit button when the dialog closes. Only "OK" submits
// the form, with the same submit button (so its name and value are sent). Without JavaScript the form simply
// posts; without <dialog> support the browser's own confirm() asks.
(function () {
  "use strict";
  var lang = (document.documentElement.lang || "").toLowerCase();
  var DEFAULT_KEEP = lang.indexOf("zh") === 0 ? "返回" : "Go back";
  var dialog = null;
  var pending = null; // {form, submitter}

  function attr(element, name) {
    return element ? element.getAttribute(name) : null;
  }

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("role", "alertdialog");
    dialog.setAttribute("aria-labelledby", "confirm-dialog-message");
    dialog.innerHTML =
      '<p class="confirm-dialog__message" id="confirm-dialog-message"></p>' +
      '<div class="confirm-dialog__actions">' +
      '<button type="button" class="button button--secondary confirm-dialog__keep" value="keep"></button>' +
      '<button type="button" class="button button--primary confirm-dialog__ok" value="ok"></button>' +
      "</div>";
    document.body.appendChild(dialog);
    dialog.querySelector(".confirm-dialog__keep").addEventListener("click", function () {
      dialog.close("keep");
    });
    dialog.querySelector(".confirm-dialog__ok").addEventListener("click", function () {
      dialog.close("ok");
    });
    dialog.addEventListener("close", function () {
      var action = pending;
      pending = null;
      if (!action) {
        return;
      }
      if (dialog.returnValue === "ok") {
        submit(action.form, action.submitter);
      } else if (action.submitter && action.submitter.focus) {
        action.submitter.focus();
      }
    });
  }

  function submit(form, submitter) {
    form.setAttribute("data-confirmed", "");
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit(submitter || undefined);
      return;
    }
    if (submitter && submitter.name) {
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = submitter.name;
      field.value = submitter.value;
      form.appendChild(field);
    }
    form.submit();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter || null;
    var question = attr(submitter, "data-confirm") || attr(form, "data-confirm");
    if (!question) {
      return;
    }
    if (form.hasAttribute("data-confirmed")) {
      form.removeAttribute("data-confirmed");
      return; // confirmed: let it go
    }
    event.preventDefault();
    if (typeof window.HTMLDialogElement !== "function") {
      if (window.confirm(question)) {
        submit(form, submitter);
      }
      return;
    }
    if (!dialog) {
      build();
    }
    var source = submitter && submitter.hasAttribute("data-confirm") ? submitter : form;
    dialog.querySelector(".confirm-dialog__message").textContent = question;
    dialog.querySelector(".confirm-dialog__ok").textContent =
      attr(source, "data-confirm-ok") || (submitter && submitter.textContent.trim()) || "OK";
    dialog.querySelector(".confirm-dialog__keep").textContent = attr(source, "data-confirm-keep") || DEFAULT_KEEP;
    pending = { form: form, submitter: submitter };
    dialog.returnValue = "";
    dialog.showModal();
    dialog.querySelector(".confirm-dialog__keep").focus();
  });
})();
