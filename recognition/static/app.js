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
})();
