// Polls a report's PDF render state (monev:report_render_status) while it is queued or rendering, tells screen
// readers through the aria-live text, and reloads the page once the PDF is ready or the render failed, so the
// download and signing buttons appear. Without JavaScript the page's <noscript> refresh and the reload link do it.
(function () {
  "use strict";
  var box = document.querySelector("[data-render-status-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-render-status-url");
  var label = box.querySelector("[data-render-label]");
  var delay = 2000;
  var deadline = Date.now() + 15 * 60 * 1000;

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && !data.busy) { window.location.reload(); return; }
        if (data && label) { label.textContent = data.label; }
        schedule();
      })
      .catch(schedule);
  }

  function schedule() {
    if (Date.now() > deadline) { return; }
    delay = Math.min(delay * 1.3, 10000);
    window.setTimeout(poll, delay);
  }

  schedule();
})();
