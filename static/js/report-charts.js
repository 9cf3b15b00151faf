// Draws the implementation report's charts (templates/sharing/reports/report.html) with
// Chart.js, from the figures the page carries as JSON. Every chart has a summary in
// words next to it and a table with its numbers below it; without JavaScript the page
// shows those alone.
(function () {
  "use strict";
  var source = document.getElementById("report-charts");
  if (!source || !window.Chart) {
    return;
  }
  var data = JSON.parse(source.textContent);
  // Colours told apart by people with the common colour-vision deficiencies, each at
  // least 3:1 against the white background (WCAG 1.4.11).
  var colours = ["#0b4f8a", "#b35c00", "#2e7d32", "#7b3f98"];
  var quiet = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  Chart.defaults.animation = quiet ? false : Chart.defaults.animation;
  Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#1b2430";
  Chart.defaults.maintainAspectRatio = false;

  function activity(canvas, series) {
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.months,
        datasets: series.map(function (one, index) {
          return { label: one.label, data: one.values, backgroundColor: colours[index] };
        })
      },
      options: {
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }
        },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  document.querySelectorAll("canvas[data-activity]").forEach(function (canvas) {
    activity(canvas, data.activity[canvas.getAttribute("data-activity")]);
  });

  var timely = document.querySelector("canvas[data-timeliness]");
  if (timely && data.timeliness) {
    new Chart(timely, {
      type: "bar",
      data: {
        labels: data.timeliness.labels,
        datasets: [
          {
            label: data.timeliness.label,
            data: data.timeliness.values,
            backgroundColor: data.timeliness.labels.map(function (_, index) {
              return index === data.timeliness.labels.length - 1 ? colours[1] : colours[0];
            })
          }
        ]
      },
      options: {
        indexAxis: "y",
        scales: { x: { min: 0, max: 100, ticks: { callback: function (v) { return v + " %"; } } } },
        plugins: { legend: { display: false } }
      }
    });
  }
})();
