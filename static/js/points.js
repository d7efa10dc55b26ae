/* The officer's point editor: click the map to place a new point, drag a point to move it. */
(function () {
  "use strict";
  var labels = JSON.parse(document.getElementById("labels").textContent);
  var el = document.getElementById("points-map");
  var form = document.getElementById("new-point");
  var errorBox = document.getElementById("point-error");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var map = wjmap.create(el);
  var draft = null;

  function call(method, url, body) {
    return fetch(url, { method: method, credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf } })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); });
  }
  function showError(answer) {
    errorBox.textContent = (answer.body.error && answer.body.error.message) || labels.failed;
    errorBox.dataset.code = (answer.body.error && answer.body.error.code) || "";
    errorBox.hidden = false;
  }

  fetch(el.dataset.mapUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var areas = L.geoJSON(data, {
        filter: function (f) { return f.properties.kind !== "point"; },
        style: function (f) {
          return f.properties.kind === "community" ? { color: "#8e0000", weight: 3, fill: false }
            : { color: "#607d8b", weight: 1, fillColor: "#fff", fillOpacity: 0.6 };
        },
        onEachFeature: function (f, l) { if (f.properties.kind === "grid") { l.bindTooltip(wjmap.text(f.properties.name), { permanent: true, direction: "center", className: "grid-label" }); } }
      });
      // A Leaflet map needs its view before circles and markers can be drawn on it.
      wjmap.fit(map, L, data);
      areas.addTo(map);
      data.features.filter(function (f) { return f.properties.kind === "point"; }).forEach(function (f) {
        var latlng = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
        var marker = L.marker(latlng, { draggable: true, title: f.properties.name }).addTo(map);
        L.circle(latlng, { radius: f.properties.radius_m, color: f.properties.hotspot ? "#e65100" : "#37474f", weight: 1 }).addTo(map);
        marker.bindTooltip(wjmap.text(f.properties.name));
        marker.on("dragend", function () {
          var to = marker.getLatLng();
          if (!confirm(labels.move)) { marker.setLatLng(latlng); return; }
          call("PATCH", el.dataset.api + "/" + f.properties.id, { lat: to.lat, lon: to.lng })
            .then(function (answer) { if (answer.ok) { location.reload(); } else { marker.setLatLng(latlng); showError(answer); } });
        });
      });
    });

  map.on("click", function (e) {
    form.lat.value = e.latlng.lat.toFixed(6);
    form.lon.value = e.latlng.lng.toFixed(6);
    if (draft) { draft.setLatLng(e.latlng); } else { draft = L.circleMarker(e.latlng, { radius: 9, color: "#c62828" }).addTo(map); }
    form.name.focus();
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errorBox.hidden = true;
    var body = { name: form.name.value, grid_id: form.grid_id.value, lat: form.lat.value, lon: form.lon.value,
                 radius_m: form.radius_m.value, points: form.points.value, hotspot: form.hotspot.checked,
                 active_from: form.active_from.value || null, active_until: form.active_until.value || null };
    call("POST", el.dataset.api, body).then(function (answer) {
      if (answer.ok) { location.reload(); } else { showError(answer); }
    });
  });
})();
