/* Hotspots: a heat layer (leaflet.heat) of the latest analysis, on the live console's map
   (window.wjconsole.map) and on the officer's hotspots page, where each proposal is listed with
   one button to accept it (the patrol point and its poster are made) or dismiss it, and
   "run now" asks the worker for a fresh analysis. Text reaches the page only as text. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("hotspot-data").textContent);
  var wjmap = window.wjmap;
  // Each point is a 50 m cell weighted 0-1 by the server; maxZoom 0 keeps leaflet.heat from
  // fading the weights at every zoom below its own maximum.
  var CELL_M = 50, HEAT = { radius: 25, blur: 20, max: 1, maxZoom: 0, minOpacity: 0.2 };

  function load() {
    return fetch(data.api, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); });
  }

  /* leaflet.heat draws each point with a radius in pixels: keep it about one 50 m cell wide
     at every zoom, so the layer stays one surface instead of dots or a flood. */
  function fitRadius(map, layer) {
    var c = map.getCenter();
    var a = map.latLngToContainerPoint(c);
    var b = map.latLngToContainerPoint(window.L.latLng(c.lat + CELL_M / 110900, c.lng));
    var cell = Math.abs(a.y - b.y);
    layer.setOptions({ radius: Math.max(6, cell), blur: Math.max(6, cell * 0.8) });
  }

  function heatLayer(map, heat, layer) {
    if (!window.L.heatLayer) { return null; }
    if (layer) { layer.setLatLngs(heat); return layer; }
    var made = window.L.heatLayer(heat, HEAT).addTo(map);
    fitRadius(map, made);
    map.on("zoomend", function () { fitRadius(map, made); });
    return made;
  }

  /* The console: only the heat layer, refreshed every ten minutes. */
  if (!document.getElementById("hotspot-map")) {
    if (!window.wjconsole || !window.wjconsole.map) { return; }
    var consoleLayer = null;
    var refresh = function () {
      load().then(function (answer) {
        consoleLayer = heatLayer(window.wjconsole.map, answer.heat, consoleLayer);
      }).catch(function () { /* no permission or offline: the console works without it */ });
    };
    refresh();
    setInterval(refresh, 600000);
    return;
  }

  var labels = data.labels;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var el = document.getElementById("hotspot-map");
  var map = wjmap.create(el);
  map.setView([Number(el.dataset.lat), Number(el.dataset.lon)], 16);
  /* The area's communities and grids under the heat, as the console draws them. */
  fetch(el.dataset.mapUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (area) {
      if (!area) { return; }
      window.L.geoJSON(area, {
        interactive: false,
        filter: function (f) { return f.properties.kind !== "point"; },
        style: function (f) {
          return f.properties.kind === "community" ? { color: "#8e0000", weight: 3, fill: false }
            : { color: "#607d8b", weight: 1, fill: false };
        }
      }).addTo(map);
    });
  var layer = null, circles = window.L.layerGroup().addTo(map), lastRun = null, fitted = false;
  var status = document.getElementById("hotspot-run");
  var list = document.getElementById("proposals");
  var runButton = document.getElementById("run-now");

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) { return String(values[key]); });
  }

  function node(tag, className, text) {
    var n = document.createElement(tag);
    if (className) { n.className = className; }
    if (text !== undefined) { n.textContent = text; }
    return n;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body || {}),
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf }
    }).then(function (r) {
      return r.json().then(function (b) { return { ok: r.ok, body: b }; });
    });
  }

  function scores(run) {
    var table = document.getElementById("hotspot-scores");
    var body = table.querySelector("tbody");
    body.replaceChildren();
    var names = Object.keys(run ? run.scores : {});
    table.hidden = names.length === 0;
    names.forEach(function (name) {
      var row = node("tr", name === run.chosen ? "chosen" : "");
      row.appendChild(node("th", "", labels.methods[name] || name));
      row.appendChild(node("td", "", run.scores[name].toFixed(2)));
      body.appendChild(row);
    });
  }

  function decide(item, proposal, action) {
    var error = item.querySelector(".proposal-error");
    item.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    post(data[action].replace("2147483647", String(proposal.id))).then(function (answer) {
      if (!answer.ok) { error.textContent = answer.body.error.message; error.hidden = false; return; }
      show();
    }).catch(function () {
      error.textContent = labels.offline; error.hidden = false;
    }).then(function () {
      item.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
    });
  }

  function card(proposal, number) {
    var item = node("li", "proposal " + proposal.status);
    var head = node("p", "proposal-head");
    head.appendChild(node("span", "proposal-number", String(number)));
    head.appendChild(node("span", "proposal-events", fill(labels.events, { n: proposal.events })));
    head.appendChild(node("span", "proposal-status", proposal.status_label));
    item.appendChild(head);
    item.appendChild(node("p", "proposal-facts",
      fill(labels.stop, { n: proposal.stop_minutes }) + " · " + fill(labels.until, { date: proposal.ends_on })));
    var actions = node("div", "actions-row");
    if (proposal.status === "proposed") {
      var yes = node("button", "button primary", labels.accept);
      var no = node("button", "button secondary", labels.dismiss);
      yes.type = no.type = "button";
      yes.addEventListener("click", function () { decide(item, proposal, "accept"); });
      no.addEventListener("click", function () { decide(item, proposal, "dismiss"); });
      actions.append(yes, no);
    } else if (proposal.poster_url) {
      var poster = node("a", "button primary", labels.poster);
      poster.href = proposal.poster_url;
      poster.target = "_blank";
      actions.appendChild(poster);
    }
    item.appendChild(actions);
    var error = node("p", "proposal-error");
    error.setAttribute("role", "alert");
    error.hidden = true;
    item.appendChild(error);
    return item;
  }

  function draw(answer) {
    var run = answer.run;
    lastRun = run ? run.id : null;
    status.textContent = run
      ? fill(labels.ran, { time: run.ran_at_text, events: run.events, method: run.chosen_label })
      : labels.never;
    scores(run);
    layer = heatLayer(map, answer.heat, layer);
    circles.clearLayers();
    list.replaceChildren();
    answer.proposals.forEach(function (p, i) {
      var colour = p.status === "accepted" ? "#1a7f37" : p.status === "proposed" ? "#c2410c" : "#888";
      window.L.circle([p.lat, p.lon], { radius: p.radius_m, color: colour, weight: 3, fill: false })
        .bindTooltip(wjmap.text(String(i + 1)), { permanent: true, direction: "center", className: "hotspot-label" })
        .addTo(circles);
      list.appendChild(card(p, i + 1));
    });
    if (!answer.proposals.length) { list.appendChild(node("li", "hint", labels.none)); }
    if (!fitted && answer.proposals.length) {
      map.fitBounds(circles.getLayers().map(function (c) { return c.getLatLng(); }), { padding: [40, 40], maxZoom: 17 });
      fitted = true;
    }
  }

  function show() {
    return load().then(draw).catch(function () { status.textContent = labels.offline; });
  }

  runButton.addEventListener("click", function () {
    var before = lastRun, tries = 0;
    runButton.disabled = true;
    status.textContent = labels.running;
    post(data.run).then(function (answer) {
      if (!answer.ok) { throw new Error("refused"); }
      var poll = function () {
        load().then(function (latest) {
          tries += 1;
          if ((latest.run && latest.run.id !== before) || tries > 60) {
            draw(latest);
            runButton.disabled = false;
          } else { setTimeout(poll, 1000); }
        }).catch(function () { setTimeout(poll, 2000); });
      };
      setTimeout(poll, 500);
    }).catch(function () {
      status.textContent = labels.offline;
      runButton.disabled = false;
    });
  });

  show();
}());
