// The API's documentation page: Swagger UI (vendored) on this app's OpenAPI description.
// "Authorize" takes an API token (cobro_…); a signed-in browser's cookie works too.
window.addEventListener("DOMContentLoaded", function () {
  window.ui = window.SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false,
    tryItOutEnabled: false,
  });
});
