/*
 * After htmx swaps in a new step: move focus to the error summary or the new heading, and
 * announce the page in the live region. Also the print button, the "None of these"
 * checkbox and the follow-up questions revealed under a choice (the GOV.UK conditional reveal):
 * a reveal is shown, and its inputs sent, only while its choice is made. No inline scripts
 * anywhere (strict Content Security Policy).
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
    root.querySelectorAll('[data-module="radios"]').forEach(enhanceReveals);
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
      // After the listener above, so that a reveal closes when "None of these" unticks its box.
      enhanceReveals(group);
    });
  }

  // A reveal's inputs are disabled while it is hidden, so a hidden follow-up is never sent.
  function syncReveal(input) {
    var reveal = document.getElementById(input.getAttribute("aria-controls"));
    if (!reveal) return;
    var shown = input.checked;
    reveal.hidden = !shown;
    reveal.querySelectorAll("input").forEach(function (field) {
      field.disabled = !shown;
    });
  }

  function enhanceReveals(group) {
    var inputs = group.querySelectorAll("input[data-aria-controls]");
    if (!inputs.length) return;
    inputs.forEach(function (input) {
      input.setAttribute("aria-controls", input.getAttribute("data-aria-controls"));
      input.removeAttribute("data-aria-controls");
      syncReveal(input);
    });
    // Choosing another radio of the group unchecks this one without an event of its own, and
    // so does "None of these" for the other checkboxes.
    group.addEventListener("change", function () {
      group.querySelectorAll("input[aria-controls]").forEach(syncReveal);
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
