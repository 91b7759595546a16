/* Draws the progress charts with Chart.js from the JSON in #chart-data. Colours
   come from the page's CSS variables, so dark mode gets readable charts. */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || !window.Chart) { return; }
  var data = JSON.parse(source.textContent);
  var css = getComputedStyle(document.documentElement);
  function colour(name) { return css.getPropertyValue(name).trim(); }
  var text = colour("--text"), muted = colour("--muted"), grid = colour("--border");
  var accent = colour("--accent"), good = colour("--good"), warn = colour("--chart-2") || colour("--warn");
  Chart.defaults.color = muted;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : Chart.defaults.animation;
  var scales = function (extra) {
    return Object.assign({
      x: { grid: { color: grid }, ticks: { color: muted } },
      y: { beginAtZero: true, grid: { color: grid }, ticks: { color: muted, precision: 0 } }
    }, extra || {});
  };
  function bar(id, labels, datasets, options) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    new Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: Object.assign({ responsive: true, maintainAspectRatio: false,
        plugins: { legend: { labels: { color: text } } } }, options)
    });
  }
  bar("chart-per-day", data.perDay.labels,
    [{ label: "Correct", data: data.perDay.correct, backgroundColor: good, stack: "r" },
     { label: "Not correct", data: data.perDay.reviews.map(function (n, i) { return n - data.perDay.correct[i]; }), backgroundColor: warn, stack: "r" }],
    { scales: scales({ x: { stacked: true, grid: { display: false }, ticks: { color: muted, maxTicksLimit: 10 } }, y: { stacked: true, beginAtZero: true, grid: { color: grid }, ticks: { color: muted, precision: 0 } } }) });
  bar("chart-forecast", data.forecast.labels,
    [{ label: "Due", data: data.forecast.values, backgroundColor: accent }],
    { scales: scales(), plugins: { legend: { display: false } } });
})();
