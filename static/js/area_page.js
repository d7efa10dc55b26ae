/* The police room's public page: the map's library loads only when someone taps "show the
   map", so a first visit on a slow link stays light. */
(function () {
  "use strict";
  var button = document.getElementById("show-map");
  var box = document.getElementById("area-map");
  if (!button || !box) { return; }

  function load(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function draw() {
    var lat = Number(box.dataset.lat), lon = Number(box.dataset.lon);
    var wjmap = window.wjmap;
    var map = wjmap.create(box, { zoomControl: true });
    map.setView([lat, lon], 16);
    window.L.marker([lat, lon]).addTo(map)
      .bindTooltip(wjmap.text(box.dataset.label), { permanent: true, direction: "top", offset: [0, -30] });
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = box.dataset.css;
    document.head.appendChild(css);
    var scripts = box.dataset.scripts.split(" ");
    box.hidden = false;
    load(scripts[0]).then(function () { return load(scripts[1]); }).then(function () {
      button.hidden = true;
      draw();
    }, function () {
      button.disabled = false;
      box.hidden = true;
    });
  });
}());
