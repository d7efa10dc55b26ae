/* The officer's day: figures, a map of patrol points coloured by time since the last patrol,
   and check-ins by hour, all from /api/officer/day. It fetches the figures again after a
   check-in, a held scan, an order or an incident, at most once every 5 seconds, and every
   minute anyway (a point's colour changes with time alone). Names reach the page as text only. */
(function () {
  "use strict";
  var me = document.currentScript;
  var labels = JSON.parse(document.getElementById("labels").textContent);
  var api = me.dataset.api, areaId = Number(me.dataset.area), liveEvent = me.dataset.event;
  var MIN_GAP_MS = 5000, EVERY_MS = 60000;
  var COLOURS = { fresh: "#2e7d32", recent: "#f9a825", stale: "#c62828" };
  var map = wjmap.create(document.getElementById("day-map"));
  var gridLayer = L.layerGroup().addTo(map), pointLayer = L.layerGroup().addTo(map);
  var fitted = false, chart = null, lastLoad = 0, timer = null, loading = false;

  function $(id) { return document.getElementById(id); }
  function clock(iso, zone) {
    return new Intl.DateTimeFormat("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: zone })
      .format(new Date(iso));
  }
  function cell(text) { var td = document.createElement("td"); td.textContent = text; return td; }

  function showFigures(day) {
    var points = day.grids.reduce(function (n, g) { return n + g.points; }, 0);
    var patrolled = day.grids.reduce(function (n, g) { return n + g.patrolled; }, 0);
    $("area-name").textContent = day.area_name;
    $("day-date").textContent = day.day;
    $("updated").textContent = clock(day.now, day.timezone);
    $("k-checkins").textContent = day.checkins_today;
    $("k-patrolled").textContent = patrolled + " / " + points;
    $("k-duty").textContent = day.on_duty;
    $("k-missed").textContent = day.missed_route_points;
    $("k-held").textContent = day.held_waiting;
    $("k-orders").textContent = day.orders_waiting;
    $("k-incidents").textContent = day.open_incidents;
    $("held-link").classList.toggle("waiting", day.held_waiting > 0);
    $("k-incidents").parentNode.classList.toggle("waiting", day.open_incidents > 0);
  }

  function showGrids(day) {
    var body = $("grid-rows");
    body.replaceChildren();
    if (!day.grids.length) {
      var empty = document.createElement("tr"), td = cell(labels.noGrids);
      td.colSpan = 4; empty.appendChild(td); body.appendChild(empty);
    }
    // On a phone the table's rows become cards: each figure carries its column's name.
    var heads = Array.prototype.map.call(
      document.querySelectorAll(".grids-table thead th"), function (th) { return th.textContent; });
    day.grids.forEach(function (g) {
      var tr = document.createElement("tr");
      tr.dataset.grid = g.id;
      var done = cell(g.patrolled + " / " + g.points);
      if (g.points && g.patrolled < g.points) { done.className = "short"; }
      [cell(g.name), done, cell(g.on_duty), cell(g.checkins)].forEach(function (td, i) {
        td.dataset.label = heads[i];
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function showMap(day) {
    gridLayer.clearLayers();
    pointLayer.clearLayers();
    var bounds = L.latLngBounds([]);
    day.grids.forEach(function (g) {
      if (!g.boundary) { return; }
      var shape = L.geoJSON(g.boundary, { style: { color: "#607d8b", weight: 1, fillColor: "#fff", fillOpacity: 0.35 } });
      shape.bindTooltip(wjmap.text(g.name), { permanent: true, direction: "center", className: "grid-label" });
      shape.addTo(gridLayer);
      bounds.extend(shape.getBounds());
    });
    day.points.forEach(function (p) {
      var marker = L.circleMarker([p.lat, p.lon], {
        radius: 8, weight: 2, color: "#263238", fillColor: COLOURS[p.freshness], fillOpacity: 0.95,
        className: "point-" + p.freshness
      });
      var when = p.last_patrol ? labels.last + " " + clock(p.last_patrol, day.timezone) : labels.never;
      marker.bindTooltip(wjmap.text(p.name + " · " + when));
      marker.addTo(pointLayer);
      bounds.extend([p.lat, p.lon]);
    });
    if (!fitted) {  // keep the officer's own zoom and pan on every later refresh
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 }); } else { map.setView([35, 105], 4); }
      fitted = true;
    }
  }

  function showChart(day) {
    var hours = [], today = [], yesterday = [];
    var nowHour = Number(clock(day.now, day.timezone).slice(0, 2));
    for (var h = 0; h < 24; h++) {
      hours.push(h);
      today.push(h <= nowHour ? day.hours_today[h] : null);  // the rest of today has not happened
      yesterday.push(day.hours_yesterday[h]);
    }
    var data = [hours, today, yesterday];
    if (chart) { chart.setData(data); return; }
    var box = $("hours-chart");
    chart = new uPlot({
      width: box.clientWidth, height: 220,
      scales: { x: { time: false, range: [0, 23] } },
      legend: { live: false },
      axes: [
        { splits: function () { return [0, 3, 6, 9, 12, 15, 18, 21]; },
          values: function (u, ticks) { return ticks.map(function (t) { return t + ":00"; }); } },
        { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] }  // whole check-ins
      ],
      series: [
        {},
        { label: labels.today, stroke: "#c62828", width: 3, fill: "rgba(198,40,40,.12)" },
        { label: labels.yesterday, stroke: "rgba(96,125,139,.55)", width: 2, dash: [6, 4] }
      ]
    }, data, box);
  }

  function load() {
    if (loading) { return; }
    loading = true;
    lastLoad = Date.now();
    fetch(api, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (answer) {
        var day = answer.day;
        $("day-error").hidden = true;
        showFigures(day);
        showGrids(day);
        showMap(day);
        showChart(day);
        document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
      })
      .catch(function () { $("day-error").textContent = labels.failed; $("day-error").hidden = false; })
      .then(function () { loading = false; });
  }

  /* At most one load per MIN_GAP_MS: a busy evening's stream of check-ins costs one query set
     every 5 seconds, not one per check-in. */
  function soon() {
    if (timer) { return; }
    var wait = Math.max(0, lastLoad + MIN_GAP_MS - Date.now());
    timer = setTimeout(function () { timer = null; load(); }, wait);
  }

  /* /officer joins the rooms of this area's communities (check-ins, held scans, orders);
     /console brings incidents and duty changes. One connection carries both. */
  var news = io(me.dataset.namespace, { transports: ["websocket", "polling"], auth: { area: areaId } });
  var room = io("/console", { transports: ["websocket", "polling"] });
  window.wjRetryRefused(news);
  window.wjRetryRefused(room);
  news.on("connect", function () { $("live").className = "live ok"; $("live").textContent = labels.connected; soon(); });
  news.on("disconnect", function () { $("live").className = "live down"; $("live").textContent = labels.disconnected; });
  news.on(liveEvent, soon);
  ["incident", "duty_changed", "route_closed"].forEach(function (name) { room.on(name, soon); });
  setInterval(soon, EVERY_MS);
  window.addEventListener("resize", function () {
    if (chart) { chart.setSize({ width: $("hours-chart").clientWidth, height: 220 }); }
  });
  load();
}());
