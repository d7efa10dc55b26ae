/* The officer's broadcast form: a template fills the text, a click on the map sets the centre,
   the radius stages widen it. It never sends without what to look for and what to do; the
   server's refusal (422 naming the field) is shown at that field too. */
(function () {
  "use strict";
  var form = document.getElementById("bc-form");
  var data = JSON.parse(document.getElementById("bc-data").textContent);
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var $ = function (id) { return document.getElementById(id); };
  var mapEl = $("bc-map"), map = wjmap.create(mapEl, { zoomControl: true });
  var centre = null, marker = null, ring = null;
  var LOOK = $("bc-look"), TODO = $("bc-todo"), TITLE = $("bc-title");

  fetch(mapEl.dataset.mapUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (geo) {
      L.geoJSON(geo, { filter: function (f) { return f.properties.kind !== "point"; },
        style: function (f) { return f.properties.kind === "community" ? { color: "#8e0000", weight: 3, fill: false }
          : { color: "#607d8b", weight: 1, fillOpacity: 0.15 }; },
        onEachFeature: function (f, layer) {
          if (f.properties.kind !== "grid") { return; }
          gridLayers[f.properties.id] = layer;
          layer.bindTooltip(wjmap.text(f.properties.name), { permanent: true, direction: "center", className: "grid-label" });
          layer.on("click", function (e) {
            if (where() !== "grids") { return; }  /* a click for the circle's centre goes to the map */
            L.DomEvent.stopPropagation(e);
            var tick = gridTick(f.properties.id);
            if (tick && !tick.closest("label").hidden) { tick.checked = !tick.checked; paintGrids(); }
          });
        } }).addTo(map);
      wjmap.fit(map, L, geo);
      paintGrids();
    });

  function drawRing() {
    if (!centre) { return; }
    if (!marker) { marker = L.marker(centre).addTo(map); ring = L.circle(centre, { radius: 1, color: "#8e24aa" }).addTo(map); }
    marker.setLatLng(centre); ring.setLatLng(centre); ring.setRadius(Number($("bc-r0").value));
  }
  map.on("click", function (e) {
    if (where() !== "circle") { return; }
    centre = e.latlng; drawRing(); showError("center_lat", "");
    $("bc-centre").textContent = wjfmt(form.dataset.centre, { lat: centre.lat.toFixed(5), lon: centre.lng.toFixed(5) });
  });
  $("bc-r0").addEventListener("change", drawRing);

  var gridLayers = {};
  function gridTick(id) { return form.querySelector('input[name="grid_ids"][value="' + id + '"]'); }
  /* Chosen grids are purple on the map, the others grey. */
  function paintGrids() {
    Object.keys(gridLayers).forEach(function (id) {
      var tick = gridTick(id), on = where() === "grids" && tick && tick.checked;
      gridLayers[id].setStyle(on ? { color: "#8e24aa", weight: 3, fillColor: "#ce93d8", fillOpacity: 0.5 }
        : { color: "#607d8b", weight: 1, fillColor: "#3388ff", fillOpacity: 0.15 });
    });
  }
  form.querySelectorAll('input[name="grid_ids"]').forEach(function (c) { c.addEventListener("change", paintGrids); });

  function kind() { return form.querySelector('input[name="kind"]:checked').value; }
  function applyTemplate() {
    var t = data.templates[kind()];
    TITLE.value = t.title; LOOK.placeholder = t.hint; TODO.value = t.what_to_do;
  }
  form.querySelectorAll('input[name="kind"]').forEach(function (r) { r.addEventListener("change", applyTemplate); });
  applyTemplate();

  function where() { return form.querySelector('input[name="where"]:checked').value; }
  function showWhere() {
    $("bc-grids").hidden = where() !== "grids";
    $("bc-circle").hidden = where() !== "circle";
    $("bc-mapbox").hidden = where() === "area";
    $("bc-map-hint").textContent = $("bc-map-hint").dataset[where() === "grids" ? "grids" : "circle"];
    if (marker && where() === "circle") { marker.addTo(map); ring.addTo(map); }
    else if (marker) { map.removeLayer(marker); map.removeLayer(ring); }
    if (where() !== "area") { map.invalidateSize(); }
    paintGrids();
  }
  form.querySelectorAll('input[name="where"]').forEach(function (r) { r.addEventListener("change", showWhere); });
  var areaSelect = $("bc-area");
  function showAreaGrids() {
    if (!areaSelect) { return; }
    $("bc-grids").querySelectorAll("label[data-area]").forEach(function (l) {
      l.hidden = l.dataset.area !== areaSelect.value;
      if (l.hidden) { l.querySelector("input").checked = false; }
    });
    paintGrids();
  }
  if (areaSelect) { areaSelect.addEventListener("change", showAreaGrids); showAreaGrids(); }
  showWhere();

  function showError(field, message) {
    var box = form.querySelector('.field-error[data-for="' + field + '"]') || form.querySelector('.field-error[data-for=""]');
    box.textContent = message; box.hidden = !message;
  }
  function clearErrors() { form.querySelectorAll(".field-error").forEach(function (b) { b.hidden = true; }); }

  function body() {
    var b = { kind: kind(), title: TITLE.value, look_for: LOOK.value, what_to_do: TODO.value,
      urgent: $("bc-urgent").checked, public: $("bc-public").checked, audience: form.querySelector('input[name="audience"]:checked').value };
    if (areaSelect) { b.police_area_id = Number(areaSelect.value); }
    if (where() === "grids") {
      b.grid_ids = Array.prototype.map.call(form.querySelectorAll('input[name="grid_ids"]:checked'), function (c) { return Number(c.value); });
    } else if (where() === "circle") {
      b.center_lat = centre ? centre.lat : null; b.center_lon = centre ? centre.lng : null;
      b.stages = [{ after_min: 0, radius_m: Number($("bc-r0").value) }];
      var after = Number($("bc-after").value);
      if (after > 0) { b.stages.push({ after_min: after, radius_m: $("bc-r1").value ? Number($("bc-r1").value) : null }); }
    }
    return b;
  }

  function post(url, payload, json) {
    var headers = { "Accept": "application/json", "X-CSRFToken": csrf };
    if (json) { headers["Content-Type"] = "application/json"; }
    return fetch(url, { method: "POST", credentials: "same-origin", headers: headers, body: json ? JSON.stringify(payload) : payload })
      .then(function (r) { return r.json().then(function (answer) { return { ok: r.ok, body: answer }; }); });
  }

  function refused(answer) {
    var err = answer.body.error || {};
    showError(err.field || "", err.message || "");
    $("bc-send").disabled = false;
    throw new Error(err.code);
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    clearErrors();
    var b = body(), missing = false;
    if (!b.look_for.trim()) { showError("look_for", form.dataset.lookRequired); missing = true; }
    if (!b.what_to_do.trim()) { showError("what_to_do", form.dataset.todoRequired); missing = true; }
    if (where() === "circle" && !centre) { showError("center_lat", form.dataset.needCentre); missing = true; }
    if (missing) { return; }
    $("bc-send").disabled = true;
    $("bc-result").hidden = false; $("bc-result").textContent = form.dataset.sending;
    var file = $("bc-photo").files[0], upload = Promise.resolve(null);
    if (file) {
      var fd = new FormData(); fd.append("photo", file);
      upload = post(form.dataset.photoUrl, fd, false).then(function (a) { if (!a.ok) { refused(a); } return a.body.photo; });
    }
    upload.then(function (photo) {
      if (photo) { b.photo = photo; }
      return post(form.dataset.sendUrl, b, true);
    }).then(function (a) {
      if (!a.ok) { refused(a); }
      $("bc-result").textContent = wjfmt(form.dataset.sent, a.body);
      setTimeout(function () { window.location.href = form.dataset.consoleUrl; }, 1500);
    }).catch(function () { $("bc-result").hidden = true; });
  });

  function wjfmt(text, values) { return text.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; }); }
})();
