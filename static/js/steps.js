/*
 * After htmx swaps in a new step: move focus to the error summary or the new heading, and
 * announce the page in the live region. Also the print button and the "None of these"
 * checkbox. No inline scripts anywhere (strict Content Security Policy).
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js-enabled");

  function enhance(root) {
    root.querySelectorAll(".js-print").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
    root.querySelectorAll('[data-module="checkboxes"]').forEach(function (group) {
      group.addEventListener("change", function (event) {
        var box = event.target;
        if (!box.checked) return;
        var exclusive = box.getAttribute("data-behaviour") === "exclusive";
        group.querySelectorAll('input[type="checkbox"]').forEach(function (other) {
          if (other === box) return;
          if (exclusive || other.getAttribute("data-behaviour") === "exclusive") {
            other.checked = false;
          }
        });
      });
    });
  }

  function focusNewStep(region) {
    var summary = region.querySelector(".error-summary");
    var heading = region.querySelector("h1");
    var target = summary || heading;
    if (target) {
      target.focus();
      if (target.scrollIntoView) target.scrollIntoView({ block: "start" });
    }
    var announcer = document.getElementById("announcer");
    if (announcer && heading) {
      var text = heading.textContent.trim();
      if (summary) text = summary.querySelector("h2").textContent.trim() + ". " + text;
      announcer.textContent = text;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var region = document.getElementById("region");
    if (!region) return;
    enhance(region);
    focusNewStep(region);
  });
})();
