// Draw the workflow diagrams (<pre class="mermaid">) when the page has loaded.
// A separate file because the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  if (window.mermaid) {
    window.mermaid.initialize({ startOnLoad: true, securityLevel: "strict" });
  }
})();
