// Copy buttons: <button data-copy="ID"> copies the text of the input with that id
// (data-copied names what was copied in the message: "Link" unless it says otherwise).
// The button stays hidden without JavaScript; the read-only input can still be
// selected and copied by hand. No inline script, so a strict CSP allows it.
(function () {
  "use strict";
  function announce(button, text) {
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (status) { status.textContent = text; }
  }
  function copy(button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) { return; }
    input.focus();
    input.select();
    var what = button.getAttribute("data-copied") || "Link";
    var done = function () { announce(button, what + " copied."); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () {
        announce(button, "Press Ctrl+C (or \u2318+C) to copy the selected link.");
      });
    } else if (document.execCommand && document.execCommand("copy")) {
      done();
    } else {
      announce(button, "Press Ctrl+C (or \u2318+C) to copy the selected link.");
    }
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { copy(button); });
  });
})();
