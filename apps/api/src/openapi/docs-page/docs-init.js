// Starts Swagger UI on the API's own document. A file, not an inline script, so the docs page's
// CSP allows scripts from 'self' only.
/* global SwaggerUIBundle */
window.addEventListener('load', () => {
  SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    dom_id: '#docs',
    deepLinking: true,
    // No calls to the public validator service: the page works offline.
    validatorUrl: null,
  });
});
