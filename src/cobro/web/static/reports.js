// The reports page's charts: every chart of the page's <script type="application/json"
// id="report-charts"> block (data, never executed; `chart_json` of cobro.report.export), drawn
// on the canvas whose data-chart is its index: stacked bars (an aging: one bar per currency or
// slice, a segment per bucket) or lines (a trend: one line per currency or slice over the
// months; null where not defined, drawn as a gap). The page shows the same figures as tables.
(function () {
  "use strict";
  var colours = ["#4c9a5b", "#e0b93f", "#e08a3f", "#d0583a", "#8e2c2c", "#3f6fb0",
                 "#7a52a3", "#3aa3a0", "#a3823a", "#666666", "#b03f7a", "#2c5e8e"];

  function options(chart) {
    var stacked = chart.kind === "stacked_bars";
    var unit = chart.unit ? " (" + chart.unit + ")" : "";
    return {
      animation: false,
      maintainAspectRatio: false,
      spanGaps: false,
      plugins: { title: { display: false }, legend: { position: "bottom" } },
      scales: {
        x: { stacked: stacked },
        y: {
          stacked: stacked,
          beginAtZero: true,
          title: { display: Boolean(chart.unit), text: unit.trim() },
        },
      },
    };
  }

  function datasets(chart) {
    var stacked = chart.kind === "stacked_bars";
    return chart.series.map(function (series, index) {
      var colour = colours[index % colours.length];
      return {
        label: series.name,
        data: series.values,
        backgroundColor: colour,
        borderColor: colour,
        fill: false,
        tension: 0,
        pointRadius: stacked ? 0 : 3,
      };
    });
  }

  function draw() {
    var source = document.getElementById("report-charts");
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var charts = JSON.parse(source.textContent);
    window.cobroReportCharts = {};
    charts.forEach(function (chart, index) {
      var canvas = document.querySelector("canvas[data-chart='" + index + "']");
      if (!canvas) {
        return;
      }
      window.cobroReportCharts[chart.key] = new window.Chart(canvas, {
        type: chart.kind === "stacked_bars" ? "bar" : "line",
        data: { labels: chart.labels, datasets: datasets(chart) },
        options: options(chart),
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
