/* Small progressive enhancements. No inline scripts: our Content Security Policy forbids them. */
(function () {
  "use strict";

  // Copy buttons: <button data-copy-target="ID"> copies the value of element ID and says so.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var source = document.getElementById(button.dataset.copyTarget);
    if (!source) return;
    var text = source.value !== undefined ? source.value : source.textContent;
    var status = document.getElementById(button.dataset.copyStatus || "");
    var done = function (ok) {
      button.classList.toggle("is-copied", ok);
      var label = button.querySelector("[data-copy-label]");
      if (label) label.textContent = ok ? "Copied" : "Copy";
      if (status) status.textContent = ok ? "Copied to the clipboard." : "Select the token and copy it by hand.";
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
    } else {
      source.select && source.select();
      done(document.execCommand && document.execCommand("copy"));
    }
  });

  // Messages fade after a while; errors stay until the next action.
  function settleMessages(root) {
    root.querySelectorAll(".message-success, .message-info").forEach(function (message) {
      window.setTimeout(function () { message.classList.add("is-leaving"); }, 6000);
      window.setTimeout(function () { message.remove(); }, 6600);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { settleMessages(document); });

  // Close on a warning or an error: a link that reloads the page without JavaScript.
  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-dismiss]");
    var box = close && close.closest("[data-dismissible]");
    if (!box) return;
    event.preventDefault();
    box.remove();
  });
  document.addEventListener("htmx:afterSwap", function (event) { settleMessages(event.target); });
})();

/* Links that act as buttons (they open a dialog, and work as plain links without JS) answer
   the space bar as buttons do. */
document.addEventListener("keydown", function (event) {
  var link = event.target.closest && event.target.closest("a[role=button]");
  if (link && event.key === " ") {
    event.preventDefault();
    link.click();
  }
});

/* When an action fails on the server (the token was deleted meanwhile, the session ended...),
   say so instead of leaving the click unanswered. */
document.addEventListener("htmx:responseError", function (event) {
  var status = event.detail.xhr ? event.detail.xhr.status : 0;
  var text = status === 404
    ? "That token or model no longer exists: it may have been deleted meanwhile. Reload the page."
    : status === 403
      ? "Your session has expired or the form is stale. Reload the page and try again."
      : status === 429
        ? "Too many failed attempts from your address: wait a few minutes, then try again."
        : "Something went wrong (HTTP " + status + "). Reload the page and try again.";
  var box = document.getElementById("messages");
  if (!box) return;
  var message = document.createElement("div");
  message.className = "message message-error";
  message.setAttribute("role", "alert");
  message.textContent = text;
  box.appendChild(message);
});

/* After a change (HX-Trigger: tokensChanged or licenseKeysChanged), each list on the page that
   shows such things (data-refresh-on) reloads itself. The listener sits on <body>, which is never
   swapped, so a list swapped in a moment ago cannot miss the event while htmx is still setting it
   up; hx-sync="this:replace" drops a stale reload. */
document.addEventListener("DOMContentLoaded", function () {
  ["tokensChanged", "licenseKeysChanged", "membersChanged"].forEach(function (name) {
    document.body.addEventListener(name, function () {
      document.querySelectorAll("[data-refresh-on~='" + name + "']").forEach(function (list) {
        window.htmx.ajax("GET", list.dataset.refreshUrl, { source: list, target: list, swap: "outerHTML" });
      });
    });
  });
});

/* Form errors answer 400 and htmx swaps them into the form (see base.html's htmx-config). In
   development, django-htmx's debug helper would instead replace the whole page with any 400:
   it listens on the document, so stopping the event at <body> keeps it away from ours. */
document.addEventListener("DOMContentLoaded", function () {
  document.body.addEventListener("htmx:beforeOnLoad", function (event) {
    if (event.detail.xhr && (event.detail.xhr.status === 400 || answered(event.detail.xhr))) event.stopPropagation();
  });
});

/* A 404 that says how to show itself (HX-Reswap, as for "This token no longer exists."): its
   message comes out of band and its HX-Trigger closes the dialog; it is not an error to report. */
function answered(xhr) {
  return xhr.status === 404 && !!xhr.getResponseHeader("HX-Reswap");
}
document.addEventListener("htmx:beforeSwap", function (event) {
  if (event.detail.xhr && answered(event.detail.xhr)) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

/* A paste longer than a field's maxlength would be cut silently by the browser: the whole text
   goes in instead, and the field says at once what the server will say when it is sent (it
   refuses over-long text rather than keep part of it). */
document.addEventListener("paste", function (event) {
  var field = event.target;
  if (!field.matches || !field.matches("input[maxlength]") || !event.clipboardData) return;
  var pasted = event.clipboardData.getData("text/plain").replace(/[\r\n]+/g, " ");
  var limit = Number(field.getAttribute("maxlength"));
  var start = field.selectionStart || 0;
  var end = field.selectionEnd || 0;
  var text = field.value.slice(0, start) + pasted + field.value.slice(end);
  if (text.length <= limit) return;
  event.preventDefault();
  field.value = text;
  var note = document.getElementById(field.id + "_toolong");
  if (!note) {
    note = document.createElement("p");
    note.className = "field-error";
    note.id = field.id + "_toolong";
    field.insertAdjacentElement("afterend", note);
    field.setAttribute("aria-describedby", ((field.getAttribute("aria-describedby") || "") + " " + note.id).trim());
  }
  note.textContent = (field.dataset.tooLong || "This can be at most %(limit)s characters").replace("%(limit)s", limit) +
    " (this one has " + text.length + ").";
  field.setAttribute("aria-invalid", "true");
  field.closest(".field") && field.closest(".field").classList.add("field-invalid");
});
