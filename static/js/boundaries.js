/* The officer's boundary editor: saved boundaries of the area on the map with their names (as
   text), and Leaflet-Geoman to draw a new outline or move the corners of a saved one. The
   server checks every shape (volunteers/boundaries.py) and answers 422 with the reason. */
(function () {
  "use strict";
  var labels = JSON.parse(document.getElementById("labels").textContent);
  var data = JSON.parse(document.getElementById("boundary-data").textContent);
  var el = document.getElementById("boundary-map");
  var form = document.getElementById("draw-form");
  var target = document.getElementById("draw-target");
  var newGrid = document.getElementById("new-grid-fields");
  var errorBox = document.getElementById("draw-error");
  var saveButton = document.getElementById("draw-save");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var ID = "2147483647";  // the placeholder id in the form's URL templates
  var map = wjmap.create(el);
  var saved = {};  // "community:<id>" or "grid:<id>" -> its layer on the map
  var draft = null;  // the outline being drawn or edited

  map.pm.setLang(labels.lang);
  wjmap.fit(map, L, data);
  L.geoJSON(data, {
    style: function (f) {
      var key = "boundary-" + f.properties.kind + "-" + f.properties.id;
      return f.properties.kind === "community" ? { className: key, color: "#8e0000", weight: 3, fillOpacity: 0.04 }
        : { className: key, color: "#37474f", weight: 2, fillColor: "#90a4ae", fillOpacity: 0.25 };
    },
    onEachFeature: function (f, layer) {
      saved[f.properties.kind + ":" + f.properties.id] = layer;
      if (f.properties.kind === "grid") {
        layer.bindTooltip(wjmap.text(f.properties.code + " " + f.properties.name),
          { permanent: true, direction: "center", className: "boundary-label" });
      }
    }
  }).addTo(map);
  // A community's name sits above its outline, clear of its grids' names in the middle.
  data.features.filter(function (f) { return f.properties.kind === "community"; }).forEach(function (f) {
    var bounds = saved["community:" + f.properties.id].getBounds();
    L.tooltip({ permanent: true, direction: "top", className: "boundary-label community-label" })
      .setLatLng([bounds.getNorth(), bounds.getCenter().lng])
      .setContent(wjmap.text(f.properties.name))
      .addTo(map);
  });

  function showError(message, code) {
    errorBox.textContent = message || labels.failed;
    errorBox.dataset.code = code || "";
    errorBox.hidden = false;
  }
  function chosen() { return target.value; }
  function dropDraft() {
    map.pm.disableDraw();
    if (draft) {
      draft.pm.disable();
      // An unsaved edit of a saved outline goes back to what is saved.
      if (draft.savedCorners) { draft.setLatLngs(draft.savedCorners); draft.savedCorners = null; }
      else { map.removeLayer(draft); }
    }
    draft = null;
    saveButton.disabled = true;
  }
  function pickTarget() {
    dropDraft();
    errorBox.hidden = true;
    newGrid.hidden = chosen().indexOf("new-grid:") !== 0;
    // A new grid is drawn inside its community: show the community.
    var layer = saved[chosen().replace("new-grid:", "community:")];
    if (layer) { map.fitBounds(layer.getBounds(), { padding: [30, 30], maxZoom: 18 }); }
  }
  target.addEventListener("change", pickTarget);
  // Back from a save, the page shows what was saved (its key is the address's #fragment).
  var back = Array.prototype.some.call(target.options, function (o) { return "#" + o.value === location.hash; });
  if (back) {
    target.value = location.hash.slice(1);
    pickTarget();
  } else {
    newGrid.hidden = chosen().indexOf("new-grid:") !== 0;
  }

  document.getElementById("draw-start").addEventListener("click", function () {
    dropDraft();
    errorBox.hidden = true;
    map.pm.enableDraw("Polygon", { snappable: true, allowSelfIntersection: false, finishOn: null });
  });
  map.on("pm:create", function (e) {
    draft = e.layer;
    draft.pm.enable({ allowSelfIntersection: false });
    saveButton.disabled = false;
  });
  document.getElementById("draw-edit").addEventListener("click", function () {
    var layer = saved[chosen()];
    errorBox.hidden = true;
    if (!layer) { showError(labels.noShape); return; }
    dropDraft();
    draft = layer;
    draft.savedCorners = JSON.parse(JSON.stringify(layer.getLatLngs()));
    layer.pm.enable({ allowSelfIntersection: false });
    saveButton.disabled = false;
  });

  function request(method, url, body) {
    return fetch(url, { method: method, credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf } })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errorBox.hidden = true;
    if (!draft) { showError(labels.nothing); return; }
    var parts = chosen().split(":"), kind = parts[0], id = parts[1];
    var body = { geometry: draft.toGeoJSON().geometry };
    var method = "PUT", url;
    if (kind === "community") { url = form.dataset.communityUrl; }
    else if (kind === "grid") { url = form.dataset.gridUrl; }
    else {
      method = "POST";
      url = form.dataset.newGridUrl;
      body.code = form.code.value;
      body.name = form.name.value;
    }
    saveButton.disabled = true;
    request(method, url.replace(ID, id), body).then(function (answer) {
      if (answer.ok) {
        location.assign(form.dataset.pageUrl + "&saved=" + encodeURIComponent(answer.body.name) +
          "#" + answer.body.kind + ":" + answer.body.id);
        return;
      }
      saveButton.disabled = false;
      showError(answer.body.error && answer.body.error.message, answer.body.error && answer.body.error.code);
    }, function () { saveButton.disabled = false; showError(labels.failed); });
  });
})();
