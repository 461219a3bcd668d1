// The dashboard's aging chart: one stacked bar per currency, a segment per aging bucket.
// The figures come from the page's <script type="application/json" id="aging-data"> block
// (data, never executed); the page shows the same figures as tables, so this is an extra.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("aging-data");
    var canvas = document.getElementById("aging-chart");
    if (!source || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var colours = ["#4c9a5b", "#e0b93f", "#e08a3f", "#d0583a", "#8e2c2c"];
    data.datasets.forEach(function (dataset, index) {
      dataset.backgroundColor = colours[index % colours.length];
    });
    window.cobroAgingChart = new window.Chart(canvas, {
      type: "bar",
      data: data,
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
      },
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
