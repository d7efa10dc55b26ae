/* The safety barometer's charts. The page's tables already hold every figure; this script
   waits for the page to finish loading, then fetches the figures as JSON and the chart library
   (uPlot), so a slow first visit pays for neither. Two small charts per place: the weekly bands
   of incidents and confirmed sightings, and the daily patrol coverage in percent. */
(function () {
  "use strict";
  var script = document.currentScript;
  var api = script.dataset.api;

  function load(tag, attrs) {
    return new Promise(function (resolve, reject) {
      var el = document.createElement(tag);
      Object.keys(attrs).forEach(function (k) { el[k] = attrs[k]; });
      el.onload = resolve;
      el.onerror = reject;
      document.head.appendChild(el);
    });
  }

  function weekly(box, place, figures) {
    var xs = figures.weeks.map(function (_w, i) { return i; });
    return new uPlot({
      width: box.clientWidth, height: 180,
      legend: { live: false },
      cursor: { show: false },
      scales: { x: { time: false }, y: { range: [0, figures.bands.length - 1] } },
      axes: [
        { values: function (u, ticks) { return ticks.map(function (t) { var w = figures.weeks[t]; return w ? w.label : ""; }); } },
        { size: 80, splits: function () { return figures.bands.map(function (_b, i) { return i; }); },
          values: function (u, ticks) { return ticks.map(function (t) { return figures.bands[t] || ""; }); } }
      ],
      series: [
        {},
        { label: figures.groups.incidents, stroke: "#c62828", width: 3, points: { size: 7 } },
        { label: figures.groups.sightings, stroke: "#1565c0", width: 3, dash: [6, 4], points: { size: 7 } }
      ]
    }, [xs, place.weekly.incidents, place.weekly.sightings], box);
  }

  function coverage(box, place) {
    var xs = place.coverage.map(function (_d, i) { return i; });
    var share = place.coverage.map(function (d) { return d.percent; });  // null: no points
    return new uPlot({
      width: box.clientWidth, height: 160,
      legend: { live: false },
      cursor: { show: false },
      scales: { x: { time: false }, y: { range: [0, 100] } },
      axes: [
        { values: function (u, ticks) { return ticks.map(function (t) { var d = place.coverage[t]; return d ? d.label : ""; }); } },
        { values: function (u, ticks) { return ticks.map(function (t) { return t + "%"; }); } }
      ],
      series: [{}, { label: script.dataset.coverage, stroke: "#2e7d32", width: 3, fill: "rgba(46,125,50,.12)", points: { size: 6 } }]
    }, [xs, share], box);
  }

  function draw(figures) {
    var charts = [];
    document.querySelectorAll(".bm-chart").forEach(function (box) {
      var place = figures.places[Number(box.dataset.place)];
      if (!place) { return; }
      box.hidden = false;
      charts.push({ box: box, chart: box.dataset.chart === "weekly" ? weekly(box, place, figures) : coverage(box, place) });
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.chart.setSize({ width: c.box.clientWidth, height: c.chart.height }); });
    });
    document.body.dataset.charts = String(charts.length);
  }

  function start() {
    var figures = fetch(api, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
    var library = Promise.all([
      load("link", { rel: "stylesheet", href: script.dataset.uplotCss }),
      load("script", { src: script.dataset.uplot })
    ]);
    Promise.all([figures, library])
      .then(function (done) { draw(done[0].barometer); })
      .catch(function () { document.body.dataset.charts = "failed"; });  // the tables remain
  }

  if (document.readyState === "complete") { start(); } else { window.addEventListener("load", start); }
})();
