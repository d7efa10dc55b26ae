/* Live console: the area map and who is on duty, updated over Socket.IO without reloads. */
(function () {
  "use strict";
  var labels = JSON.parse(document.getElementById("labels").textContent);
  var mapEl = document.getElementById("map");
  var map = L.map(mapEl, { zoomControl: true, attributionControl: false });
  L.control.scale({ imperial: false }).addTo(map);
  if (mapEl.dataset.tileUrl) {
    L.tileLayer(mapEl.dataset.tileUrl, { maxZoom: 19 }).addTo(map);
  }

  fetch(mapEl.dataset.mapUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        style: function (f) {
          if (f.properties.kind === "point") { return {}; }  // markers keep pointToLayer's style
          return f.properties.kind === "community"
            ? { color: "#8e0000", weight: 3, fill: false }
            : { color: "#607d8b", weight: 1, fillColor: "#ffffff", fillOpacity: 0.6 };
        },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, {
            radius: f.properties.hotspot ? 8 : 6, color: f.properties.hotspot ? "#e65100" : "#37474f",
            weight: 2, fillOpacity: 0.9, fillColor: f.properties.hotspot ? "#ffb74d" : "#cfd8dc"
          });
        },
        onEachFeature: function (f, l) { l.bindTooltip(f.properties.name); }
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [20, 20] });
    });

  var live = document.getElementById("live");
  var rosterEl = document.getElementById("roster");
  var countEl = document.getElementById("duty-count");
  function setLive(ok) {
    live.className = "live " + (ok ? "ok" : "down");
    live.textContent = ok ? labels.connected : labels.disconnected;
  }
  function renderRoster(people) {
    rosterEl.textContent = "";
    countEl.textContent = people.length;
    if (!people.length) {
      var empty = document.createElement("li");
      empty.textContent = rosterEl.dataset.empty;
      rosterEl.appendChild(empty);
    }
    people.forEach(function (p) {
      var li = document.createElement("li");
      var name = document.createElement("span");
      var dot = document.createElement("span");
      dot.className = "role-dot role-" + p.role;
      name.appendChild(dot);
      name.appendChild(document.createTextNode(p.name));
      var role = document.createElement("span");
      role.textContent = labels[p.role] || p.role;
      li.appendChild(name);
      li.appendChild(role);
      rosterEl.appendChild(li);
    });
  }
  var socket = io("/console", { transports: ["websocket", "polling"] });
  function refresh() { socket.emit("roster", null, function (reply) { if (reply && reply.people) renderRoster(reply.people); }); }
  socket.on("connect", function () { setLive(true); refresh(); });
  socket.on("disconnect", function () { setLive(false); });
  socket.on("duty_changed", refresh);
})();
