/* Follows an Anki import on its page: polls the job's status (JSON) and shows its
   progress; reloads the page once the import has finished, to show the result.
   Without JavaScript the page has a Refresh link instead. */
(function () {
  "use strict";
  var box = document.getElementById("anki-job");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("job-progress");
  var stage = document.getElementById("job-stage");
  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) { window.setTimeout(poll, 5000); return; }
        if (job.status !== "queued" && job.status !== "running") { window.location.reload(); return; }
        bar.value = job.percent;
        bar.textContent = job.percent + " %";
        if (stage.textContent !== job.stage) { stage.textContent = job.stage; }
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
}());
