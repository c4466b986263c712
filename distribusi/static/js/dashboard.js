// The staff home's charts: the figures come from the section's data-charts attribute (or its data-url JSON),
// drawn with the vendored Chart.js. The same figures are in the tables under the charts.
(function () {
  "use strict";

  var COLOURS = {
    registered: "#0b4f6c",
    handed_over: "#6f42c1",
    delivered: "#198754",
    failed: "#b02a37",
    returned: "#b35c00"
  };
  var NAMES = {
    registered: "Dokumen didaftarkan",
    handed_over: "Kiriman diserahkan",
    delivered: "Kiriman diterima warga",
    failed: "Gagal diantar",
    returned: "Kiriman kembali"
  };

  function shortDay(iso) {
    var parts = iso.split("-");
    return parts[2] + "/" + parts[1];
  }

  function drawFlow(canvas, data) {
    var keys = ["registered", "handed_over", "delivered", "returned"];
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.days.map(shortDay),
        datasets: keys.map(function (key) {
          return {label: NAMES[key], data: data.series[key], borderColor: COLOURS[key],
                  backgroundColor: COLOURS[key], tension: 0.2, pointRadius: 2};
        })
      },
      options: {responsive: true, maintainAspectRatio: false, animation: false,
                scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}
    });
  }

  function drawKecamatan(canvas, data) {
    var keys = ["delivered", "failed", "returned"];
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.kecamatan.labels,
        datasets: keys.map(function (key) {
          return {label: key === "returned" ? "Kembali" : key === "delivered" ? "Diterima" : NAMES[key],
                  data: data.kecamatan[key], backgroundColor: COLOURS[key]};
        })
      },
      options: {responsive: true, maintainAspectRatio: false, animation: false, indexAxis: "y",
                scales: {x: {stacked: true, beginAtZero: true, ticks: {precision: 0}}, y: {stacked: true}}}
    });
  }

  function draw(data) {
    var flow = document.getElementById("flow-chart");
    var kecamatan = document.getElementById("kecamatan-chart");
    if (flow) { drawFlow(flow, data); }
    if (kecamatan) { drawKecamatan(kecamatan, data); }
  }

  function start() {
    var section = document.getElementById("dashboard-charts");
    if (!section || !window.Chart) { return; }
    var inline = section.getAttribute("data-charts");
    if (inline) {
      draw(JSON.parse(inline));
      return;
    }
    fetch(section.getAttribute("data-url"), {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.json(); })
      .then(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
