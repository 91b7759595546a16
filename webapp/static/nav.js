// On a phone the nav is one sideways-scrolling row: bring the current page's link into it.
(function () {
  "use strict";
  var list = document.querySelector(".nav-links");
  var current = list && list.querySelector('[aria-current="page"]');
  if (!current || list.scrollWidth <= list.clientWidth) { return; }
  var item = current.closest("li") || current;
  list.scrollLeft = item.offsetLeft - list.offsetLeft - (list.clientWidth - item.offsetWidth) / 2;
})();
