// Starts Swagger UI on /docs. A file rather than an inline script, so the page's CSP can forbid
// inline scripts. The OpenAPI URL comes from the container's data-openapi-url attribute.
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
})();
