// The API's documentation page: Swagger UI reading the OpenAPI description it is pointed at.
(function () {
  "use strict";
  var element = document.getElementById("swagger-ui");
  if (!element || typeof SwaggerUIBundle === "undefined") {
    return;
  }
  window.ui = SwaggerUIBundle({
    url: element.getAttribute("data-spec"),
    domNode: element,
    deepLinking: true,
    tryItOutEnabled: false,
    // Tokens typed into "Authorize" stay in this page, never in storage.
    persistAuthorization: false,
  });
})();
