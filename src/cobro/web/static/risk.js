// The risk page's charts, from its <script type="application/json" id="risk-charts"> block
// (data, never executed; `_charts` of cobro.web.risk): customers per grade as bars on
// #chart-grades, and per currency the cash forecast on the canvas whose data-forecast is its
// index: the expected cash as a line inside its 90 % band (low to high, shaded), and the cash
// received as bars for the weeks already over (null: not over yet, no bar). The page shows the
// same figures as tables. The legend's words come translated in the block's "names".
(function () {
  "use strict";
  var gradeColours = ["#4c9a5b", "#e0b93f", "#e08a3f", "#d0583a", "#999999"];
  var expectedColour = "#3f6fb0";
  var bandColour = "rgba(63, 111, 176, 0.15)";
  var receivedColour = "rgba(76, 154, 91, 0.7)";

  function gradesChart(canvas, grades) {
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: grades.labels,
        datasets: [{ data: grades.values, backgroundColor: gradeColours }],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  function forecastChart(canvas, forecast, names) {
    var line = { type: "line", tension: 0, pointRadius: 0, borderWidth: 1 };
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: forecast.labels,
        datasets: [
          Object.assign({}, line, {
            label: names.low, data: forecast.low, borderColor: bandColour, fill: false,
          }),
          Object.assign({}, line, {
            label: names.high, data: forecast.high, borderColor: bandColour,
            backgroundColor: bandColour, fill: "-1",
          }),
          Object.assign({}, line, {
            label: names.expected, data: forecast.expected, borderColor: expectedColour,
            backgroundColor: expectedColour, borderWidth: 2, pointRadius: 3, fill: false,
          }),
          {
            type: "bar", label: names.received, data: forecast.received,
            backgroundColor: receivedColour,
          },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { position: "bottom" } },
        scales: {
          y: { beginAtZero: true, title: { display: true, text: forecast.currency } },
        },
      },
    });
  }

  function draw() {
    var source = document.getElementById("risk-charts");
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var charts = JSON.parse(source.textContent);
    window.cobroRiskCharts = {};
    var grades = document.getElementById("chart-grades");
    if (grades && charts.grades) {
      window.cobroRiskCharts.grades = gradesChart(grades, charts.grades);
    }
    (charts.forecasts || []).forEach(function (forecast, index) {
      var canvas = document.querySelector("canvas[data-forecast='" + index + "']");
      if (canvas) {
        window.cobroRiskCharts[forecast.currency] = forecastChart(canvas, forecast, charts.names);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
