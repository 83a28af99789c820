/* The console's one modal dialog: htmx fills #modal-content, this opens, focuses and closes it. */
(function () {
  "use strict";

  function modal() { return document.getElementById("modal"); }
  function content() { return document.getElementById("modal-content"); }

  function open() {
    var dialog = modal();
    if (!dialog || !content().children.length) return;
    if (!dialog.open || !dialog.matches(":modal")) {
      if (dialog.open) dialog.close();
      dialog.showModal();
    }
    var focus = dialog.querySelector("[autofocus], .field-invalid input, input:not([type=hidden]):not([readonly]), select, textarea, button");
    if (focus) focus.focus();
  }

  function close() {
    var dialog = modal();
    if (dialog && dialog.open) dialog.close();
  }

  document.addEventListener("DOMContentLoaded", open);

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "modal-content") open();
  });

  // The server closes the dialog with HX-Trigger: closeModal.
  document.body.addEventListener("closeModal", close);

  document.addEventListener("click", function (event) {
    var closer = event.target.closest("[data-dialog-close]");
    if (closer && modal() && modal().contains(closer)) {
      event.preventDefault();
      close();
    }
  });

  // Whatever the dialog held (a secret, say) leaves the page when it closes.
  document.addEventListener("close", function (event) {
    if (event.target === modal()) {
      content().replaceChildren();
      var opener = modal().dataset.returnFocus && document.getElementById(modal().dataset.returnFocus);
      if (opener) opener.focus();
    }
  }, true);

  // Remember what opened the dialog, to give focus back when it closes.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target && target.id === "modal-content" && event.detail.elt.id && !modal().open) {
      modal().dataset.returnFocus = event.detail.elt.id;
    }
  });
})();
