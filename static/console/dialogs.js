/* The console's one modal dialog: htmx fills #modal-content, this opens, focuses and closes it. */
(function () {
  "use strict";

  function modal() { return document.getElementById("modal"); }
  function content() { return document.getElementById("modal-content"); }

  // A secret shown once ([data-reveal]) is lost for good when its dialog closes: only its own
  // Done closes it, not Escape nor a click beside it ("closedby", and "cancel" where unknown).
  function holdsSecret() {
    return !!content().querySelector("[data-reveal]");
  }

  function open() {
    var dialog = modal();
    if (!dialog || !content().children.length) return;
    if (holdsSecret()) dialog.setAttribute("closedby", "none");
    else dialog.removeAttribute("closedby");
    if (!dialog.open || !dialog.matches(":modal")) {
      if (dialog.open) dialog.close();
      dialog.showModal();
    }
    // Only when focus is not already in the dialog: a late swap must not pull someone out of
    // the field they are typing in.
    if (dialog.contains(document.activeElement) && document.activeElement !== dialog) return;
    var focus = dialog.querySelector("[autofocus], .field-invalid input, input:not([type=hidden]):not([readonly]), select, textarea, button");
    if (focus) focus.focus();
  }

  // Whatever the dialog held (a secret, say) leaves the page when it closes: on the dialog's
  // "close" event (Escape, or the server's closeModal once htmx has finished with its answer),
  // and at once when the person closes it with Close, Cancel or Done.
  function forget() {
    content().replaceChildren();
    var opener = modal().dataset.returnFocus && document.getElementById(modal().dataset.returnFocus);
    if (opener) opener.focus();
  }

  function close() {
    var dialog = modal();
    if (dialog && dialog.open) dialog.close();
  }

  document.addEventListener("DOMContentLoaded", open);

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "modal-content") open();
  });

  // A refused form takes people to its first error, which may be below the fold (a token's
  // Limits). After settling: htmx focuses the new content's [autofocus] field then.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail.target || event.detail.target.id !== "modal-content") return;
    var invalid = content().querySelector(".field-invalid input:not([type=hidden]), .field-invalid select, .field-invalid textarea");
    if (invalid) invalid.focus();
  });

  // The server closes the dialog with HX-Trigger: closeModal.
  document.body.addEventListener("closeModal", close);

  document.addEventListener("click", function (event) {
    var closer = event.target.closest("[data-dialog-close]");
    if (closer && modal() && modal().contains(closer)) {
      event.preventDefault();
      close();
      forget();
    }
  });

  document.addEventListener("cancel", function (event) {
    if (event.target === modal() && holdsSecret()) event.preventDefault();
  }, true);

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && modal() && modal().open && holdsSecret()) event.preventDefault();
  });

  document.addEventListener("close", function (event) {
    if (event.target === modal() && content().children.length) forget();
  }, true);

  // Remember what opened the dialog, to give focus back when it closes: a menu's item is
  // hidden by then, so its menu's button.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "modal-content" || modal().open) return;
    var elt = event.detail.elt;
    var menu = elt.closest("[role=menu]");
    var opener = elt.id || (menu && menu.getAttribute("aria-labelledby"));
    if (opener) modal().dataset.returnFocus = opener;
  });
})();
