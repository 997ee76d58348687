// Renders /openapi.json with Redoc (from npm, served by kla-server itself:
// no CDN, no fonts from elsewhere).
(function () {
  var el = document.getElementById('redoc');
  Redoc.init(el.dataset.specUrl, {
    hideDownloadButton: false,
    expandResponses: '200,201',
    jsonSampleExpandLevel: 2,
    theme: { typography: { fontFamily: 'system-ui, sans-serif', headings: { fontFamily: 'system-ui, sans-serif' } } }
  }, el);
})();
