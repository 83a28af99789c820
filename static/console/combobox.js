/*
 * Accessible type-ahead (WAI-ARIA combobox with a listbox popup).
 *
 * Markup: [data-combobox] holds an input[role=combobox] that htmx fills a results container
 * from, a hidden [data-combobox-value] input for the chosen id, and a [data-combobox-status]
 * live region. Options are [role=option] with data-value (or data-action="add").
 */
(function () {
  "use strict";

  function parts(root) {
    return {
      input: root.querySelector("[role=combobox]"),
      value: root.querySelector("[data-combobox-value]"),
      status: root.querySelector("[data-combobox-status]"),
      listbox: root.querySelector("[role=listbox]"),
    };
  }

  function options(root) {
    var p = parts(root);
    return p.listbox ? Array.prototype.slice.call(p.listbox.querySelectorAll("[role=option]")) : [];
  }

  function setExpanded(root, expanded) {
    var p = parts(root);
    expanded = expanded && options(root).length > 0;
    p.input.setAttribute("aria-expanded", expanded ? "true" : "false");
    if (p.listbox) p.listbox.hidden = !expanded;
    if (!expanded) setActive(root, -1);
  }

  function activeIndex(root) {
    var id = parts(root).input.getAttribute("aria-activedescendant");
    return options(root).findIndex(function (option) { return option.id === id; });
  }

  function setActive(root, index) {
    var p = parts(root);
    options(root).forEach(function (option, i) {
      option.classList.toggle("is-active", i === index);
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    var active = options(root)[index];
    if (active) {
      p.input.setAttribute("aria-activedescendant", active.id);
      active.scrollIntoView({ block: "nearest" });
    } else {
      p.input.removeAttribute("aria-activedescendant");
    }
  }

  function pick(root, option) {
    var p = parts(root);
    if (option.dataset.action === "add") {
      setExpanded(root, false);
      var url = root.dataset.addUrl + "?name=" + encodeURIComponent(p.input.value.trim());
      window.htmx.ajax("GET", url, { target: "#modal-content", swap: "innerHTML" });
      return;
    }
    p.input.value = option.dataset.label;
    p.value.value = option.dataset.value;
    root.dataset.picked = option.dataset.label;
    setExpanded(root, false);
    if (p.status) p.status.textContent = option.dataset.label + " chosen. Press Save to assign it.";
  }

  function rootOf(element) { return element && element.closest("[data-combobox]"); }

  document.addEventListener("keydown", function (event) {
    var root = rootOf(event.target);
    if (!root || event.target !== parts(root).input) return;
    var all = options(root);
    var expanded = parts(root).input.getAttribute("aria-expanded") === "true";
    var index = activeIndex(root);
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!expanded) { setExpanded(root, true); setActive(root, 0); return; }
        setActive(root, (index + 1) % all.length);
        break;
      case "ArrowUp":
        event.preventDefault();
        if (!expanded) { setExpanded(root, true); setActive(root, all.length - 1); return; }
        setActive(root, index <= 0 ? all.length - 1 : index - 1);
        break;
      case "Enter":
        if (expanded && index >= 0) {
          event.preventDefault();
          pick(root, all[index]);
        } else if (!parts(root).value.value) {
          event.preventDefault();
        }
        break;
      case "Escape":
        if (expanded) {
          event.preventDefault();
          event.stopPropagation();
          setExpanded(root, false);
        } else if (parts(root).input.value) {
          event.preventDefault();
          parts(root).input.value = "";
          parts(root).value.value = "";
        }
        break;
    }
  });

  // Typing invalidates an earlier choice.
  document.addEventListener("input", function (event) {
    var root = rootOf(event.target);
    if (!root || event.target !== parts(root).input) return;
    if (parts(root).input.value !== root.dataset.picked) parts(root).value.value = "";
  });

  // Mouse: keep focus in the input while clicking an option, then pick it.
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest("[data-combobox] [role=option]")) event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var option = event.target.closest("[data-combobox] [role=option]");
    if (option) pick(rootOf(option), option);
  });

  document.addEventListener("focusout", function (event) {
    var root = rootOf(event.target);
    if (root && event.target === parts(root).input) {
      window.setTimeout(function () {
        if (document.activeElement !== parts(root).input) setExpanded(root, false);
      }, 150);
    }
  });

  // Fresh results: open the list (if the input still has focus) and announce the count.
  document.addEventListener("htmx:afterSwap", function (event) {
    var root = rootOf(event.detail.target);
    if (!root) return;
    var p = parts(root);
    setExpanded(root, document.activeElement === p.input);
    if (p.status && p.listbox) p.status.textContent = p.listbox.dataset.summary || "";
  });
})();
