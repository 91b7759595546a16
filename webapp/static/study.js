/* Study page keyboard and body-map enhancements (a static file: the CSP allows no inline script).
   Everything works without it: radios, blanks and dropdowns are plain form fields, the body
   map's tap targets are <label>s of its radios, and both views of the map are shown. */
(function () {
  "use strict";

  function typing(target) {
    return target && (target.tagName === "TEXTAREA" ||
      (target.tagName === "INPUT" && /^(text|email|password|search|number)$/.test(target.type)));
  }
  function modified(event) { return event.altKey || event.ctrlKey || event.metaKey; }
  function activates(target) { return target && (target.tagName === "BUTTON" || target.tagName === "A"); }
  // A device with a fine pointer that can hover has, almost always, a keyboard too.
  var keyboardDevice = window.matchMedia && window.matchMedia("(hover: hover) and (pointer: fine)").matches;

  var form = document.getElementById("question-form");
  if (form) {
    var sent = false;
    var submit = function () { if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); } };
    form.addEventListener("submit", function (event) {
      // The server records a presentation once anyway; this only saves a round trip.
      if (sent) { event.preventDefault(); return; }
      sent = true;
      var button = form.querySelector("[data-submit]");
      if (button) { button.setAttribute("aria-disabled", "true"); }
    });

    document.addEventListener("keydown", function (event) {
      if (modified(event)) { return; }
      if (event.key === "Enter") {
        // Enter checks from any field: text, radio, checkbox, dropdown (where it would
        // otherwise open the list) and the map; buttons and links keep their own Enter.
        if (activates(event.target) || event.isComposing) { return; }
        event.preventDefault();
        submit();
        return;
      }
      if (typing(event.target) || event.target.tagName === "SELECT") { return; }
      if (/^[1-9]$/.test(event.key)) {
        var input = form.querySelector('input[data-key="' + event.key + '"]');
        if (!input) { return; }
        event.preventDefault();
        if (input.type === "checkbox") { input.checked = !input.checked; } else { input.checked = true; }
        input.focus();
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });

    var locate = form.querySelector("[data-locate]");
    if (locate) { bodyMap(locate); }

    // Keyboard users start in the answer; touch users are spared a popped-up keyboard.
    // On the map, focus waits one Tab away so no region looks picked before the learner acts.
    var first = locate ? locate : form.querySelector("fieldset input:checked, fieldset input:not([type=hidden]), fieldset select");
    if (form.querySelector(".flash-error")) {
      // After "Choose one answer." the options are where the learner goes next, not the top of the page.
      // The fieldset is described by the error, so a screen reader reads it out with the options.
      if (first && (keyboardDevice || !typing(first))) { first.focus({ preventScroll: true }); }
      var error = form.querySelector(".flash-error");
      if (error && error.scrollIntoView) { error.scrollIntoView({ block: "start" }); }
    } else if (keyboardDevice && first) {
      first.focus({ preventScroll: true });
    }
  }

  function bodyMap(locate) {
    var radios = Array.prototype.slice.call(locate.querySelectorAll("input.spot-input"));
    var views = Array.prototype.slice.call(locate.querySelectorAll("[data-view]:not(input)"));
    var toggle = locate.querySelector("[data-view-toggle]");
    var buttons = toggle ? Array.prototype.slice.call(toggle.querySelectorAll("[data-show]")) : [];
    var narrow = window.matchMedia("(max-width: 699px)");
    var current = views.length ? views[0].getAttribute("data-view") : null;

    function show(name) {
      current = name;
      var one = narrow.matches;
      if (toggle) { toggle.hidden = !one; }
      views.forEach(function (view) { view.hidden = one && view.getAttribute("data-view") !== name; });
      buttons.forEach(function (button) {
        button.setAttribute("aria-pressed", button.getAttribute("data-show") === name ? "true" : "false");
      });
    }
    function sync() {
      var focused = document.activeElement;
      locate.querySelectorAll("label.spot").forEach(function (label) {
        var radio = document.getElementById(label.getAttribute("for"));
        label.classList.toggle("is-checked", !!radio && radio.checked);
        label.classList.toggle("is-focused", !!radio && radio === focused);
      });
    }
    function pick(radio) {
      if (radio.getAttribute("data-view") !== current) { show(radio.getAttribute("data-view")); }
      radio.checked = true;
      radio.focus();
      sync();
    }

    buttons.forEach(function (button) {
      button.addEventListener("click", function () { show(button.getAttribute("data-show")); });
    });
    radios.forEach(function (radio, index) {
      radio.addEventListener("keydown", function (event) {
        // One sequence across both views (numbered front first, top to bottom), so the
        // arrows reach every region even while one view is hidden on a phone.
        var step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 }[event.key];
        if (!step || modified(event)) { return; }
        event.preventDefault();
        pick(radios[(index + step + radios.length) % radios.length]);
      });
      radio.addEventListener("focus", sync);
      radio.addEventListener("blur", sync);
    });
    locate.addEventListener("change", sync);
    var checked = radios.filter(function (radio) { return radio.checked; })[0];
    show(checked ? checked.getAttribute("data-view") : current);
    if (narrow.addEventListener) { narrow.addEventListener("change", function () { show(current); }); }
    sync();
  }

  var next = document.getElementById("next-question");
  if (next) {
    var verdict = document.getElementById("verdict");
    if (verdict) { verdict.focus({ preventScroll: true }); }
    document.addEventListener("keydown", function (event) {
      if (modified(event) || typing(event.target)) { return; }
      if (event.key === "Enter" && !activates(event.target)) {
        event.preventDefault();
        window.location.href = next.href;
      } else if (/^[1-4]$/.test(event.key)) {
        // As in Anki: 1 Again, 2 Hard, 3 Good, 4 Easy.
        var button = document.querySelector('.rating-buttons button[value="' + event.key + '"]');
        if (button) { event.preventDefault(); button.click(); }
      } else if (event.key === "u" || event.key === "U") {
        var undo = document.querySelector("[data-undo]");
        if (undo) { event.preventDefault(); undo.click(); }
      }
    });
  }
})();
