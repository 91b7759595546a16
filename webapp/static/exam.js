/* Practice exam pages: the visible countdown, and the score bars' widths.
   The server keeps the time limit whatever this file does; at zero it only
   sends the current page so the last answer is not lost. */
(function () {
  "use strict";

  document.querySelectorAll("[data-share]").forEach(function (bar) {
    var share = Math.max(0, Math.min(100, parseInt(bar.getAttribute("data-share"), 10) || 0));
    bar.style.width = share + "%";
  });

  var timer = document.querySelector("[data-deadline]");
  if (!timer) { return; }
  var deadline = Date.parse(timer.getAttribute("data-deadline"));
  var value = timer.querySelector("[data-timer-value]");
  var done = false;

  function finishNow() {
    var form = document.getElementById("question-form") || document.getElementById("finish-form");
    if (!form) { return; }
    var go = document.createElement("input");
    go.type = "hidden";
    go.name = "go";
    go.value = "finish";
    form.appendChild(go);
    form.submit();
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var hours = Math.floor(left / 3600);
    var minutes = Math.floor((left % 3600) / 60);
    value.textContent = (hours ? hours + ":" + pad(minutes) : minutes) + ":" + pad(left % 60);
    timer.classList.toggle("is-low", left <= 60);
    if (left === 0 && !done) {
      done = true;
      finishNow();
      return;
    }
    window.setTimeout(tick, 1000 - (Date.now() % 1000));
  }
  tick();
}());
