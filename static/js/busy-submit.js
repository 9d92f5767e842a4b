// Feedback for long actions (a PDF made in the request when no Celery worker is configured, a signature, a big
// upload): a form with data-busy="<text>" shows a spinner and that text on its submit button once it is sent, and
// a second click sends nothing. The button is disabled only after the browser has taken the form's data, so the
// button's own name and value still go with it. Without JavaScript the form works as before.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-busy")) { return; }
    if (form.getAttribute("data-busy-sent") === "1") { event.preventDefault(); return; }
    if (event.defaultPrevented) { return; }
    form.setAttribute("data-busy-sent", "1");
    form.setAttribute("aria-busy", "true");
    var button = event.submitter || form.querySelector("[type=submit], button:not([type])");
    window.setTimeout(function () {
      if (!button) { return; }
      var spinner = document.createElement("span");
      spinner.className = "spinner-border spinner-border-sm me-1";
      spinner.setAttribute("aria-hidden", "true");
      var text = document.createElement("span");
      text.textContent = form.getAttribute("data-busy");
      text.setAttribute("role", "status");
      button.textContent = "";
      button.appendChild(spinner);
      button.appendChild(text);
      button.disabled = true;
    }, 0);
  });
  // Back to a page kept in the browser's cache: its forms are usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("form[data-busy-sent]"), function (form) {
      window.location.reload();
    });
  });
})();
