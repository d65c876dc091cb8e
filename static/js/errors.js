/*
 * When htmx gets an error page (the 503 page while the database is down, say) or no answer at
 * all, the same request is made again as a normal page load: the browser then shows the
 * server's own page, with its emergency advice, or its own page saying the site cannot be
 * reached. Without this, "Continue" would do nothing. No inline script (strict CSP).
 */
(function () {
  "use strict";

  function loadNormally(event) {
    var detail = event.detail || {};
    var config = detail.requestConfig || {};
    var elt = detail.elt;
    var form = elt && elt.tagName === "FORM" ? elt : elt && elt.closest && elt.closest("form");
    if (config.verb && config.verb !== "get" && form) {
      var submitter = config.triggeringEvent && config.triggeringEvent.submitter;
      if (submitter && submitter.name) {
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = submitter.name;
        field.value = submitter.value;
        form.appendChild(field);
      }
      // The form's own submit(): no submit event, so htmx leaves this one to the browser.
      HTMLFormElement.prototype.submit.call(form);
      return;
    }
    var path = (detail.pathInfo && detail.pathInfo.requestPath) || config.path;
    if (path) window.location.assign(path);
  }

  document.addEventListener("htmx:responseError", loadNormally);
  document.addEventListener("htmx:sendError", loadNormally);
})();
