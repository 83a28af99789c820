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
    var opening = !dialog.open || !dialog.matches(":modal");
    if (opening) {
      if (dialog.open) dialog.close();
      dialog.showModal();
    }
    // A dialog just opened starts on its first field (showModal alone would pick its Close);
    // one already open keeps the focus where it is: a late swap must not pull someone out of
    // the field they are typing in.
    if (!opening && dialog.contains(document.activeElement) && document.activeElement !== dialog) return;
    var focus = dialog.querySelector("[autofocus], .field-invalid input, input:not([type=hidden]):not([readonly]), select, textarea, button");
    if (focus) focus.focus();
  }

  // Whatever the dialog held (a secret, say) leaves the page when it closes: on the dialog's
  // "close" event (Escape, or the server's closeModal once htmx has finished with its answer),
  // and at once when the person closes it with Close, Cancel or Done.
  function forget() {
    content().replaceChildren();
    var openerId = modal().dataset.returnFocus;
    if (!openerId) return;  // given back already (Close, then the dialog's own "close")
    delete modal().dataset.returnFocus;
    var opener = document.getElementById(openerId);
    if (opener) opener.focus();
    else focusPage();
    refocus = openerId;
  }

  // The list behind may be drawn again just after (the change refreshes it), taking the
  // focused control with it: once drawn, focus goes to the control of the same id again.
  var refocus = null;
  // htmx:load too: an outerHTML swap announces its settling on the element it replaced, which
  // has left the document; the new content's "load" reaches the document.
  ["htmx:afterSettle", "htmx:load"].forEach(function (name) { document.addEventListener(name, refocusAfterRedraw); });
  function refocusAfterRedraw() {
    if (!refocus) return;
    var active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) return;
    var again = document.getElementById(refocus);
    if (again) again.focus();
    else focusPage();
  }
  document.addEventListener("pointerdown", function () { refocus = null; }, true);

  // What opened the dialog is gone (a row removed, say): focus the page's heading, not <body>.
  function focusPage() {
    var heading = document.querySelector("main h1");
    var active = document.activeElement;
    if (!heading || (active && active !== document.body && document.contains(active))) return;
    heading.setAttribute("tabindex", "-1");
    heading.focus();
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

  // (Its answer may have emptied it already: htmx swaps before the "close" event comes.)
  document.addEventListener("close", function (event) {
    if (event.target === modal()) forget();
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

  // Tab stays in the open dialog: from its last control to its first, and Shift+Tab back
  // (a modal <dialog> alone lets Tab leave once, to the browser's own controls).
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";
  document.addEventListener("keydown", function (event) {
    var dialog = modal();
    if (event.key !== "Tab" || !dialog || !dialog.open) return;
    var controls = Array.prototype.filter.call(dialog.querySelectorAll(FOCUSABLE), function (el) {
      return el.offsetParent !== null || el === document.activeElement;
    });
    if (!controls.length) return;
    var first = controls[0];
    var last = controls[controls.length - 1];
    if (event.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !dialog.contains(document.activeElement))) {
      event.preventDefault();
      first.focus();
    }
  });
})();
