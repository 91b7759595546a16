// Time zones from the browser (no other script needed; does nothing without Intl).
// 1. A signed-in user's zone: when the page says the stored zone differs from the
//    browser's, post the browser's once, so "today" and streaks start at their midnight.
// 2. A zone field marked data-browser-zone(-wrap) (a new class) starts at the browser's zone.
(function () {
  "use strict";
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) { return; }
  var fields = document.querySelectorAll("[data-browser-zone-wrap] select, [data-browser-zone]");
  for (var i = 0; i < fields.length; i++) {
    var field = fields[i];
    if (field.tagName === "SELECT") {
      for (var j = 0; j < field.options.length; j++) {
        if (field.options[j].value === zone) { field.value = zone; break; }
      }
    } else if (!field.value || field.value === "UTC") {
      field.value = zone;
    }
  }
  var body = document.body;
  var url = body.getAttribute("data-zone-url");
  var token = body.getAttribute("data-csrf");
  if (!url || !token || body.getAttribute("data-user-zone") === zone) { return; }
  var data = new FormData();
  data.append("timezone", zone);
  data.append("csrf_token", token);
  fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": token } })
    .catch(function () { /* the zone is sent again on the next page */ });
})();
