/* Statistics charts (Chart.js, served by the app). Data comes from <script type="application/json" id="stats-data">
   because the pages allow no inline script. Each chart is a <canvas data-stats-chart="NAME">. */
(function () {
  "use strict";
  var source = document.getElementById("stats-data");
  if (!window.Chart || !source) return;
  var data = JSON.parse(source.textContent);
  var colours = ["#1f5f99", "#067647", "#b54708", "#6941c6", "#b42318", "#0e7090", "#667085", "#c11574"];

  function percent(values) {
    return values.map(function (v) { return v === null ? null : Math.round(v * 1000) / 10; });
  }

  function trend(canvas, series) {
    new Chart(canvas, {
      data: {
        labels: series.labels,
        datasets: [
          { type: "bar", label: data.text.received, data: series.received, backgroundColor: "#9fc0de", yAxisID: "y" },
          { type: "bar", label: data.text.resolved, data: series.resolved, backgroundColor: "#1f5f99", yAxisID: "y" },
          { type: "line", label: data.text.ackOnTime, data: percent(series.ackOnTime), borderColor: "#067647",
            backgroundColor: "#067647", yAxisID: "rate", spanGaps: true },
          { type: "line", label: data.text.resolveOnTime, data: percent(series.resolveOnTime), borderColor: "#b54708",
            backgroundColor: "#b54708", yAxisID: "rate", spanGaps: true }
        ]
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: {
          y: { beginAtZero: true, ticks: { precision: 0 }, position: "left" },
          rate: { min: 0, max: 100, position: "right", grid: { drawOnChartArea: false },
                  ticks: { callback: function (v) { return v + "%"; } } }
        }
      }
    });
  }

  function bars(canvas, labels, values, label, horizontal) {
    new Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: [{ label: label, data: values, backgroundColor: "#1f5f99" }] },
      options: { responsive: true, maintainAspectRatio: false, animation: false, indexAxis: horizontal ? "y" : "x",
                 plugins: { legend: { display: false } },
                 scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { beginAtZero: true } } }
    });
  }

  function doughnut(canvas, labels, values) {
    new Chart(canvas, {
      type: "doughnut",
      data: { labels: labels, datasets: [{ data: values, backgroundColor: colours }] },
      options: { responsive: true, maintainAspectRatio: false, animation: false }
    });
  }

  function stacked(canvas, series) {
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: series.labels,
        datasets: series.datasets.map(function (set, i) {
          return { label: set.label, data: set.values, backgroundColor: colours[i % colours.length] };
        })
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false, indexAxis: "y",
                 scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } } }
    });
  }

  document.querySelectorAll("canvas[data-stats-chart]").forEach(function (canvas) {
    var name = canvas.dataset.statsChart;
    if (name === "weeks" && data.weeks) trend(canvas, data.weeks);
    if (name === "months" && data.months) trend(canvas, data.months);
    if (name === "satisfaction" && data.satisfaction)
      bars(canvas, ["1", "2", "3", "4", "5"], data.satisfaction, data.text.ratings, false);
    if (name === "channels" && data.channels) doughnut(canvas, data.channels.labels, data.channels.values);
    if (name === "hours" && data.hours) bars(canvas, data.hours.labels, data.hours.values, data.text.received, false);
    if (name === "clocks" && data.clocks) stacked(canvas, data.clocks);
  });
})();
