/*
 * Menu buttons (WAI-ARIA menu button pattern): a button[aria-haspopup=menu] controls a
 * [role=menu] of [role=menuitem]s. Enter, Space or ArrowDown open it on the first item, ArrowUp
 * on the last; arrows move, Home/End jump, Escape closes and returns focus, Tab closes.
 */
(function () {
  "use strict";

  function menuOf(button) { return document.getElementById(button.getAttribute("aria-controls")); }
  function items(menu) { return Array.prototype.slice.call(menu.querySelectorAll("[role=menuitem]")); }
  function buttonOf(menu) { return document.querySelector("[aria-controls='" + menu.id + "']"); }

  function close(menu, refocus) {
    if (!menu || menu.hidden) return;
    menu.hidden = true;
    var button = buttonOf(menu);
    if (button) {
      button.setAttribute("aria-expanded", "false");
      if (refocus) button.focus();
    }
  }

  function closeAll(except) {
    document.querySelectorAll("[role=menu]:not([hidden])").forEach(function (menu) {
      if (menu !== except) close(menu, false);
    });
  }

  function open(button, which) {
    var menu = menuOf(button);
    closeAll(menu);
    menu.hidden = false;
    button.setAttribute("aria-expanded", "true");
    var all = items(menu);
    var target = which === "last" ? all[all.length - 1] : all[0];
    if (target) target.focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[aria-haspopup=menu]");
    if (button) {
      event.preventDefault();
      if (button.getAttribute("aria-expanded") === "true") close(menuOf(button), true);
      else open(button, "first");
      return;
    }
    var item = event.target.closest("[role=menuitem]");
    if (item) {
      close(item.closest("[role=menu]"), false);
      return;
    }
    closeAll(null);
  });

  document.addEventListener("keydown", function (event) {
    var button = event.target.closest && event.target.closest("[aria-haspopup=menu]");
    if (button && ["ArrowDown", "ArrowUp"].indexOf(event.key) >= 0) {
      event.preventDefault();
      open(button, event.key === "ArrowUp" ? "last" : "first");
      return;
    }
    var menu = event.target.closest && event.target.closest("[role=menu]");
    if (!menu) return;
    var all = items(menu);
    var index = all.indexOf(document.activeElement);
    switch (event.key) {
      case "ArrowDown": event.preventDefault(); all[(index + 1) % all.length].focus(); break;
      case "ArrowUp": event.preventDefault(); all[(index - 1 + all.length) % all.length].focus(); break;
      case "Home": event.preventDefault(); all[0].focus(); break;
      case "End": event.preventDefault(); all[all.length - 1].focus(); break;
      case "Escape": event.preventDefault(); close(menu, true); break;
      case "Tab": close(menu, false); break;
      case " ":
        event.preventDefault();
        document.activeElement.click();
        break;
    }
  });

  // An item that acts at once (Renew, Suspend, Activate: no dialog) leaves focus nowhere: its
  // menu is hidden, and the list it sits in is drawn again. Once drawn, focus goes back to the
  // menu's button, found again by its id, unless the person has moved on meanwhile.
  var refocus = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var menu = elt && elt.closest && elt.closest("[role=menu]");
    if (menu && elt.hasAttribute("hx-post")) refocus = menu.getAttribute("aria-labelledby");
  });
  // htmx:load too: an outerHTML swap announces its settling on the element it replaced.
  ["htmx:afterSettle", "htmx:load"].forEach(function (name) {
    document.addEventListener(name, function () {
      if (!refocus) return;
      var active = document.activeElement;
      var lost = !active || active === document.body || !document.contains(active) || active.closest("[role=menu][hidden]");
      var button = document.getElementById(refocus);
      if (button && lost) button.focus();
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Tab") refocus = null;  // moved on by keyboard
  }, true);
  document.addEventListener("pointerdown", function () { refocus = null; }, true);
})();
