// The report pages' chart: labels and named series from the canvas's data-chart attribute, drawn with the
// vendored Chart.js. The same figures are in the tables on the page.
(function () {
  "use strict";

  var COLOURS = ["#0b4f6c", "#198754", "#b35c00", "#6f42c1", "#b02a37"];

  function draw() {
    var canvas = document.getElementById("report-chart");
    if (!canvas || !window.Chart) {
      return;
    }
    var data = JSON.parse(canvas.getAttribute("data-chart") || "{}");
    var names = Object.keys(data.series || {});
    var horizontal = canvas.getAttribute("data-kind") === "bar-horizontal";
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels || [],
        datasets: names.map(function (name, index) {
          return {label: name, data: data.series[name], backgroundColor: COLOURS[index % COLOURS.length]};
        })
      },
      options: {responsive: true, maintainAspectRatio: false, animation: false, indexAxis: horizontal ? "y" : "x",
                scales: horizontal ? {x: {beginAtZero: true}} : {y: {beginAtZero: true, ticks: {precision: 0}}}}
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
