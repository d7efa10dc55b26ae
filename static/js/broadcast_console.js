/* Area broadcasts on the live console: the open ones with how many got them and who saw what,
   "seen it" answers as markers on the map (live), and the buttons that close a broadcast. */
(function () {
  "use strict";
  var panel = document.getElementById("bc-panel");
  if (!panel || !window.wjconsole) { return; }
  var C = window.wjconsole, map = C.map, el = C.el, fmt = C.fmt;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var list = document.getElementById("bc-list"), tpl = document.getElementById("bc-item");
  var open = {}, markers = {}, circles = {};
  var layer = L.layerGroup().addTo(map);

  function seenMarker(s) {
    if (markers[s.id]) { return; }
    var m = L.circleMarker([s.lat, s.lon], { radius: 11, weight: 3, color: "#fff",
      fillColor: "#8e24aa", fillOpacity: 1, className: "bc-seen-marker" });
    m.bindTooltip(wjmap.text(fmt(panel.dataset.seenBy, { name: s.name, time: C.clock(s.at) })));
    m.addTo(layer);
    markers[s.id] = m;
  }

  function drawTarget(b) {
    if (circles[b.id]) { layer.removeLayer(circles[b.id]); delete circles[b.id]; }
    var stage = b.stages[b.stage_reached];
    if (b.center && stage && stage.radius_m) {
      circles[b.id] = L.circle([b.center.lat, b.center.lon], { radius: stage.radius_m,
        color: "#8e24aa", weight: 2, dashArray: "6 6", fill: false }).addTo(layer);
    }
  }

  function render() {
    list.textContent = "";
    var ids = Object.keys(open).sort(function (a, b) { return b - a; });
    document.getElementById("bc-count").textContent = ids.length;
    if (!ids.length) { list.appendChild(el("li", "empty", list.dataset.empty)); }
    ids.forEach(function (id) {
      var b = open[id], item = tpl.content.firstElementChild.cloneNode(true);
      item.dataset.id = id;
      item.className = "bc-item" + (b.urgent ? " urgent" : "");
      item.querySelector(".bc-item-title").textContent = (b.urgent ? panel.dataset.urgent + " · " : "") + b.title;
      item.querySelector(".bc-item-counts").textContent = fmt(panel.dataset.counts,
        { delivered: b.delivered, waiting: b.waiting, seen: b.seen.length });
      var seenList = item.querySelector(".bc-item-seen");
      b.seen.forEach(function (s) {
        var li = el("li", "bc-seen-row", fmt(panel.dataset.seenBy, { name: s.name, time: C.clock(s.at) }));
        if (s.photo) {
          var link = el("a", "bc-seen-photo"); link.href = s.photo; link.target = "_blank"; link.rel = "noopener";
          var img = el("img"); img.src = s.photo + "?size=thumb"; img.alt = "";
          link.appendChild(img); link.addEventListener("click", function (e) { e.stopPropagation(); });
          li.appendChild(link);
        }
        li.addEventListener("click", function () { map.setView([s.lat, s.lon], Math.max(map.getZoom(), 17)); });
        seenList.appendChild(li);
      });
      item.querySelector(".bc-found").addEventListener("click", function () { close(b, "found"); });
      item.querySelector(".bc-cancel").addEventListener("click", function () { close(b, "cancelled"); });
      list.appendChild(item);
    });
  }

  function update(b) {
    if (b.status === "open") {
      open[b.id] = b;
      drawTarget(b);
      b.seen.forEach(seenMarker);
    } else {
      delete open[b.id];
      if (circles[b.id]) { layer.removeLayer(circles[b.id]); delete circles[b.id]; }
      b.seen.forEach(function (s) { if (markers[s.id]) { layer.removeLayer(markers[s.id]); delete markers[s.id]; } });
    }
    render();
  }

  function close(b, outcome) {
    var question = outcome === "found" ? panel.dataset.confirmFound : panel.dataset.confirmCancelled;
    if (!window.confirm(question)) { return; }
    fetch("/officer/broadcasts/" + b.id + "/close", {
      method: "POST", credentials: "same-origin", body: JSON.stringify({ outcome: outcome }),
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf }
    }).then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        var error = document.getElementById("bc-error");
        error.hidden = res.ok;
        if (res.ok) { update(res.body); } else { error.textContent = res.body.error.message; }
      });
  }

  function load() {
    fetch(panel.dataset.openUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) { open = {}; data.broadcasts.forEach(update); render(); });
  }

  C.socket.on("broadcast", update);
  C.socket.on("broadcast_seen", function (s) {
    var b = open[s.broadcast_id];
    if (b && !b.seen.some(function (x) { return x.id === s.id; })) { b.seen.push(s); render(); }
    if (b) { seenMarker(s); }
  });
  C.socket.on("connect", load);
  render();
})();
