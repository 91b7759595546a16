/* Study page keyboard and body-map enhancements. Everything works without this
   file except clicking the body map; the region list is the fallback. */
(function () {
  "use strict";

  function typing(target) {
    return target && (target.tagName === "TEXTAREA" || target.tagName === "SELECT" ||
      (target.tagName === "INPUT" && /^(text|email|password|search|number)$/.test(target.type)));
  }

  var form = document.getElementById("question-form");
  if (form) {
    var sent = false;
    form.addEventListener("submit", function (event) {
      // The server records a presentation once anyway; this only saves a round trip.
      if (sent) { event.preventDefault(); return; }
      sent = true;
      var button = form.querySelector("[data-submit]");
      if (button) { button.setAttribute("aria-disabled", "true"); }
    });

    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) { return; }
      if (/^[1-9]$/.test(event.key)) {
        var input = form.querySelector('input[data-key="' + event.key + '"]');
        if (!input) { return; }
        event.preventDefault();
        if (input.type === "checkbox") { input.checked = !input.checked; } else { input.checked = true; }
        input.focus();
        input.dispatchEvent(new Event("change", { bubbles: true }));
      } else if (event.key === "Enter" && !(event.target.tagName === "BUTTON" || event.target.tagName === "A")) {
        event.preventDefault();
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      }
    });

    var map = form.querySelector("[data-bodymap]");
    if (map) {
      var sync = function () {
        var checked = form.querySelector('input[name="region"]:checked');
        map.querySelectorAll("[data-region]").forEach(function (el) {
          el.classList.toggle("selected", !!checked && el.getAttribute("data-region") === checked.value);
        });
      };
      var choose = function (region) {
        var radio = form.querySelector('input[name="region"][value="' + region.getAttribute("data-region") + '"]');
        if (radio) { radio.checked = true; sync(); }
        return radio;
      };
      map.addEventListener("click", function (event) {
        var region = event.target.closest("[data-region]");
        if (region) { choose(region); }
      });
      // The map's regions are focusable buttons: Space or Enter picks one (Enter again checks).
      map.addEventListener("keydown", function (event) {
        var region = event.target.closest("[data-region]");
        if (!region || (event.key !== " " && event.key !== "Enter")) { return; }
        var radio = form.querySelector('input[name="region"]:checked');
        if (event.key === "Enter" && radio && radio.value === region.getAttribute("data-region")) { return; }
        event.preventDefault();
        event.stopPropagation();
        choose(region);
      });
      form.addEventListener("change", sync);
      sync();
    }
  }

  var next = document.getElementById("next-question");
  if (next) {
    var verdict = document.getElementById("verdict");
    if (verdict) { verdict.focus({ preventScroll: true }); }
    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) { return; }
      if (event.key === "Enter" && !(event.target.tagName === "BUTTON" || event.target.tagName === "A")) {
        event.preventDefault();
        window.location.href = next.href;
      } else if (/^[1-4]$/.test(event.key)) {
        // As in Anki: 1 Again, 2 Hard, 3 Good, 4 Easy.
        var button = document.querySelector('.rating-buttons button[value="' + event.key + '"]');
        if (button) { event.preventDefault(); button.click(); }
      }
    });
  }
})();
