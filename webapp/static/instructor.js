// Instructor pages: a form marked data-confirm asks before it submits (remove a
// student, new join code, archive). Without JavaScript the form submits at once,
// and the action can still be undone from the page it returns to.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
