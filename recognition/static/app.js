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
  // "Select all" checkboxes for bulk actions.
  document.querySelectorAll("input[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.querySelectorAll("input[name='" + box.getAttribute("data-select-all") + "']").forEach(function (item) {
        item.checked = box.checked;
      });
    });
  });
})();
