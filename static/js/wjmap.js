/* One map factory for every page: the tile layer, its datum and a metric scale bar, read from
   the map element's data attributes (app/maps.py writes them).

   Everything the pages give Leaflet is WGS-84, as stored. When the tiles are drawn in GCJ-02
   (AMap, Tencent), the map's CRS shifts each position onto the tiles before Web Mercator and
   shifts back after, so markers, circles and polygons land where the tiles show that place
   and every click or drag comes back in WGS-84, with no other code aware of it.
   The formulas are the same as app/geodatum.py (tests/app/test_geodatum.py runs both). */
(function (root, factory) {
  var api = factory();
  if (typeof module === "object" && module.exports) { module.exports = api; } else { root.wjmap = api; }
}(typeof self !== "undefined" ? self : this, function () {
  "use strict";
  var A = 6378245.0, EE = 0.00669342162296594323, PI = Math.PI;

  function outsideChina(lat, lon) {
    return !(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271);
  }
  function offsetLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3;
    r += (20 * Math.sin(y * PI) + 40 * Math.sin(y / 3 * PI)) * 2 / 3;
    return r + (160 * Math.sin(y / 12 * PI) + 320 * Math.sin(y * PI / 30)) * 2 / 3;
  }
  function offsetLon(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3;
    r += (20 * Math.sin(x * PI) + 40 * Math.sin(x / 3 * PI)) * 2 / 3;
    return r + (150 * Math.sin(x / 12 * PI) + 300 * Math.sin(x / 30 * PI)) * 2 / 3;
  }
  function wgs84ToGcj02(lat, lon) {
    if (outsideChina(lat, lon)) { return [lat, lon]; }
    var radLat = lat / 180 * PI, magic = 1 - EE * Math.sin(radLat) * Math.sin(radLat);
    var sqrtMagic = Math.sqrt(magic);
    var dLat = offsetLat(lon - 105, lat - 35) * 180 / ((A * (1 - EE)) / (magic * sqrtMagic) * PI);
    var dLon = offsetLon(lon - 105, lat - 35) * 180 / (A / sqrtMagic * Math.cos(radLat) * PI);
    return [lat + dLat, lon + dLon];
  }
  /* No closed inverse: step until the forward formula lands on the given spot (2-3 steps). */
  function gcj02ToWgs84(lat, lon) {
    if (outsideChina(lat, lon)) { return [lat, lon]; }
    var wLat = lat, wLon = lon;
    for (var i = 0; i < 30; i++) {
      var g = wgs84ToGcj02(wLat, wLon), eLat = g[0] - lat, eLon = g[1] - lon;
      if (Math.abs(eLat) < 1e-10 && Math.abs(eLon) < 1e-10) { break; }
      wLat -= eLat; wLon -= eLon;
    }
    return [wLat, wLon];
  }

  function gcj02Crs(L) {
    var mercator = L.Projection.SphericalMercator;
    var projection = {
      R: mercator.R,
      MAX_LATITUDE: mercator.MAX_LATITUDE,
      bounds: mercator.bounds,
      project: function (latlng) {
        var g = wgs84ToGcj02(latlng.lat, latlng.lng);
        return mercator.project(L.latLng(g[0], g[1]));
      },
      unproject: function (point) {
        var g = mercator.unproject(point), w = gcj02ToWgs84(g.lat, g.lng);
        return L.latLng(w[0], w[1]);
      }
    };
    return L.extend({}, L.CRS.EPSG3857, { projection: projection });
  }

  /* A Leaflet map on `el` with our tiles (or a plain background) and a metric scale bar.
     `options` are Leaflet map options (zoomControl, dragging...). */
  function create(el, options) {
    var L = window.L, d = el.dataset;
    var crs = d.tileUrl && d.datum === "gcj02" ? gcj02Crs(L) : L.CRS.EPSG3857;
    var map = L.map(el, L.extend({ attributionControl: false, maxZoom: 19, crs: crs }, options));
    L.control.scale({ imperial: false }).addTo(map);
    el.classList.add("wj-map");
    if (!d.tileUrl) { el.classList.add("wj-plain"); return map; }
    var tiles = { maxZoom: 19 };
    if (d.maxZoom) { tiles.maxNativeZoom = Number(d.maxZoom); }
    if (d.minZoom) {
      tiles.minNativeZoom = Number(d.minZoom);
      // Far below the file's own zooms one screen tile would need hundreds of its tiles.
      tiles.minZoom = Math.max(0, tiles.minNativeZoom - 2);
    }
    if (d.bounds) {
      var b = JSON.parse(d.bounds);
      tiles.bounds = L.latLngBounds([b[0], b[1]], [b[2], b[3]]);  // only ask for tiles it holds
    }
    L.tileLayer(d.tileUrl, tiles).addTo(map);
    return map;
  }

  /* What a tooltip or popup shows of text people typed: an element holding it as text.
     Leaflet parses a string content as HTML, so a name like <img onerror=...> would run. */
  function text(value) {
    var span = document.createElement("span");
    span.textContent = value === null || value === undefined ? "" : String(value);
    return span;
  }

  /* Show what an area map holds: its boundaries, else its points, else the police area's centre
     (a new area has no boundaries drawn and no points yet). */
  function fit(map, L, data) {
    var drawn = L.geoJSON(data, { filter: function (f) { return f.properties.kind !== "point"; } });
    var bounds = drawn.getBounds().isValid() ? drawn.getBounds() : L.geoJSON(data).getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 }); }
    else if (data.center) { map.setView(data.center, 16); }
    else { map.setView([35, 105], 4); }
  }

  return { create: create, text: text, fit: fit, wgs84ToGcj02: wgs84ToGcj02, gcj02ToWgs84: gcj02ToWgs84, outsideChina: outsideChina };
}));
