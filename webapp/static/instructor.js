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
// On a phone the class tabs are one row that scrolls sideways: bring the current tab into view.
(function () {
  "use strict";
  var current = document.querySelector('.tabs a[aria-current="page"]');
  var row = current && current.closest(".tabs");
  if (row && row.scrollWidth > row.clientWidth) {
    row.scrollLeft = current.offsetLeft - (row.clientWidth - current.offsetWidth) / 2;
  }
})();
