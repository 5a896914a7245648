/* Small bar charts (Chart.js, served by the app) from data attributes on <canvas data-chart="steps">. */
(function () {
  "use strict";
  if (!window.Chart) return;
  document.querySelectorAll("canvas[data-chart=steps]").forEach(function (canvas) {
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: JSON.parse(canvas.dataset.labels),
        datasets: [
          { label: canvas.dataset.onTimeLabel, data: JSON.parse(canvas.dataset.onTime), backgroundColor: "#067647" },
          { label: canvas.dataset.lateLabel, data: JSON.parse(canvas.dataset.late), backgroundColor: "#b42318" }
        ]
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
    });
  });
})();
