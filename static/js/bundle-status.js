// Berkas untuk TPI: while a bundle on the list is queued or being built, polls the plan's bundle states
// (evidence:bundle_status), updates the rows' status labels, and reloads the page once one of them is ready or
// failed, so its size, SHA-256 and download button appear. Only loaded when a bundle is busy; without
// JavaScript the page's <noscript> refresh and the reload link do it.
(function () {
  "use strict";
  var table = document.querySelector("[data-bundle-status-url]");
  if (!table) { return; }
  var url = table.getAttribute("data-bundle-status-url");
  var delay = 2000;
  var deadline = Date.now() + 30 * 60 * 1000;

  function busyRows() {
    return Array.prototype.slice.call(table.querySelectorAll("tr[data-bundle-id][data-busy]"));
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { schedule(); return; }
        var still = {};
        data.bundles.forEach(function (bundle) { still[String(bundle.id)] = bundle; });
        var finished = busyRows().some(function (row) { return !still[row.getAttribute("data-bundle-id")]; });
        if (finished || !data.busy) { window.location.reload(); return; }
        busyRows().forEach(function (row) {
          var label = row.querySelector("[data-bundle-label]");
          var bundle = still[row.getAttribute("data-bundle-id")];
          if (label && bundle && label.textContent !== bundle.label) { label.textContent = bundle.label; }
        });
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
