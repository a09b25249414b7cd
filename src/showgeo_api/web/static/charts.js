/* Trend charts: each <script type="application/json" class="chart-data"> (written by
   web/charts.py) becomes a uPlot chart in the .chart-plot beside it. The table under the
   chart stays for screen readers and is folded away; without JavaScript it is the chart. */
(function () {
  "use strict";

  function colour(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function widthOf(plot) {
    return Math.max(240, Math.min(plot.parentElement.clientWidth, 640));
  }

  function draw(source) {
    var plot = document.querySelector('[data-chart="' + source.id + '"]');
    if (!plot || typeof window.uPlot !== "function") return;
    var data = JSON.parse(source.textContent);
    var accent = colour("--accent", "#5b2bd6");
    var decimals = data.decimals || 0;
    var format = function (u, v) {
      return v == null ? "–" : v.toFixed(decimals) + (data.unit || "");
    };
    var series = {
      label: data.title,
      stroke: accent,
      width: 2,
      fill: accent + "22",
      value: format,
    };
    plot.hidden = false;
    var chart = new window.uPlot(
      {
        width: widthOf(plot),
        height: 180,
        tzDate: function (ts) { return window.uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); },
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(max, 1)]; } } },
        axes: [{}, { values: function (u, ticks) { return ticks.map(function (v) { return format(u, v); }); } }],
        series: [{}, series],
      },
      [data.x, data.y],
      plot
    );
    var table = source.parentElement.querySelector("details.chart-table");
    if (table) table.open = false;
    plot.dataset.drawn = "1";
    window.addEventListener("resize", function () {
      chart.setSize({ width: widthOf(plot), height: 180 });
    });
  }

  function start() {
    document.querySelectorAll("script.chart-data").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
