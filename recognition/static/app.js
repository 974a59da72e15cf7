// Progressive enhancements only: every page works without this script.
(function () {
  "use strict";
  // Ask before firing a transition that declares a confirmation question.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
  // Word counters for long text fields with a word limit (counted as the server counts).
  var WORD = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff]|[^\s\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\u3000-\u303f\uff00-\uffef]+/g;
  document.querySelectorAll("textarea[data-max-words]").forEach(function (area) {
    var max = parseInt(area.getAttribute("data-max-words"), 10);
    var out = document.getElementById(area.id + "-count");
    if (!out) { return; }
    var update = function () {
      // One Chinese or Japanese character is one word; elsewhere words are runs of letters.
      var words = (area.value.match(WORD) || []).length;
      out.textContent = out.getAttribute("data-template").replace("{count}", words).replace("{max}", max);
      out.classList.toggle("text-danger", words > max);
    };
    area.addEventListener("input", update);
    update();
  });
  // What a reviewer typed survives an ended session: kept in this browser when the form is
  // sent, and given back when the page comes again with other values (after signing in
  // again); cleared once the page shows what was sent. Nothing is kept on the server.
  document.querySelectorAll("form[data-keep-draft]").forEach(function (form) {
    var store;
    try { store = window.localStorage; } catch (e) { return; }
    if (!store) { return; }
    var key = "recognition-draft:" + form.getAttribute("data-keep-draft");
    var snapshot = function () {
      var pairs = [];
      new FormData(form).forEach(function (value, name) {
        if (name !== "csrf_token" && typeof value === "string") { pairs.push([name, value]); }
      });
      return pairs;
    };
    var restore = function (pairs) {
      var values = {};
      pairs.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.name === "csrf_token" || el.type === "submit" || el.type === "file") { return; }
        var wanted = values[el.name] || [];
        if (el.type === "radio" || el.type === "checkbox") {
          el.checked = wanted.indexOf(el.value) !== -1;
        } else {
          el.value = wanted.length ? wanted[0] : "";
        }
      });
    };
    var kept = null;
    try { kept = JSON.parse(store.getItem(key) || "null"); } catch (e) { kept = null; }
    if (kept && JSON.stringify(kept) !== JSON.stringify(snapshot())) {
      restore(kept);
      var notice = document.querySelector("[data-draft-restored]");
      if (notice) {
        notice.hidden = false;
        var discard = notice.querySelector("[data-draft-discard]");
        if (discard) {
          discard.addEventListener("click", function () {
            store.removeItem(key);
            window.location.reload();
          });
        }
      }
    } else {
      store.removeItem(key);
    }
    form.addEventListener("submit", function () {
      try { store.setItem(key, JSON.stringify(snapshot())); } catch (e) { /* full: nothing kept */ }
    });
  });
  // "Select all" checkboxes for bulk actions.
  document.querySelectorAll("input[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.querySelectorAll("input[name='" + box.getAttribute("data-select-all") + "']").forEach(function (item) {
        item.checked = box.checked;
      });
    });
  });
  // Texts in several languages: the stacked fieldsets (one per language) become Bootstrap
  // tabs. The tab shown first holds the first error, else the source language.
  document.querySelectorAll("[data-language-tabs]").forEach(function (box) {
    var panes = Array.prototype.filter.call(box.children, function (el) {
      return el.hasAttribute("data-language-tab");
    });
    if (!panes.length || !window.bootstrap || !window.bootstrap.Tab) { return; }
    var invalid = box.querySelector(".is-invalid");
    var shown = (invalid && invalid.closest("[data-language-tab]")) ||
      box.querySelector("[data-source-language]") || panes[0];
    var nav = document.createElement("div");
    nav.className = "nav nav-tabs mb-3";
    nav.setAttribute("role", "tablist");
    var content = document.createElement("div");
    content.className = "tab-content";
    var buttons = panes.map(function (pane) {
      var active = pane === shown;
      var button = document.createElement("button");
      button.type = "button";
      button.id = pane.id + "-tab";
      button.className = "nav-link" + (active ? " active" : "") +
        (pane.querySelector(".is-invalid") ? " text-danger" : "");
      button.textContent = pane.getAttribute("data-language-tab");
      button.setAttribute("data-bs-toggle", "tab");
      button.setAttribute("data-bs-target", "#" + pane.id);
      button.setAttribute("role", "tab");
      button.setAttribute("aria-controls", pane.id);
      button.setAttribute("aria-selected", active ? "true" : "false");
      if (!active) { button.tabIndex = -1; }
      nav.appendChild(button);
      pane.classList.add("tab-pane", "fade");
      if (active) { pane.classList.add("active", "show"); }
      pane.setAttribute("role", "tabpanel");
      pane.setAttribute("aria-labelledby", button.id);
      content.appendChild(pane);
      return button;
    });
    box.appendChild(nav);
    box.appendChild(content);
    buttons.forEach(function (button) { window.bootstrap.Tab.getOrCreateInstance(button); });
  });
})();
// Registration: the time zone select starts on the browser's own zone (UTC without this
// script, or when the browser's zone is not offered).
(function () {
  "use strict";
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) { return; }
  document.querySelectorAll("select[data-browser-timezone]").forEach(function (select) {
    var offered = Array.prototype.some.call(select.options, function (option) {
      return option.value === zone;
    });
    if (offered) { select.value = zone; }
  });
})();
// Starting a nomination: the nominee's fields show only when someone nominates on another's
// behalf, and only those of the kind of nominee chosen (all show without this script).
(function () {
  "use strict";
  document.querySelectorAll("form[data-nominate]").forEach(function (form) {
    var behalf = form.querySelector("[data-on-behalf]");
    function update() {
      var nominator = form.querySelector("input[name='nominator']:checked");
      var itself = nominator && nominator.value.indexOf("city:") === 0;
      if (behalf) { behalf.hidden = Boolean(itself); }
      var kind = form.querySelector("input[name='kind']:checked");
      form.querySelectorAll("[data-nominee-kind]").forEach(function (box) {
        var kinds = box.getAttribute("data-nominee-kind").split(" ");
        box.hidden = Boolean(kind) && kinds.indexOf(kind.value) === -1;
      });
    }
    form.addEventListener("change", update);
    update();
  });
})();
