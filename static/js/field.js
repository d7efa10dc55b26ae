/* The phone's patrol page: go on duty, share the position while on duty, receive requests
   to go (sound, vibration, big buttons), report each step. A reconnect re-reads the state,
   so a dropped connection loses no request. */
(function () {
  "use strict";
  var L$ = JSON.parse(document.getElementById("labels").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var socket = io("/field", { transports: ["websocket", "polling"] });
  window.wjRetryRefused(socket);
  window.wjfield = { socket: socket };  /* broadcasts show on this page through the same socket */
  var onDuty = false, watchId = null, lastSent = 0, interval = 15, offers = {};
  var NEXT = { accepted: "en_route", en_route: "arrived", arrived: "done" };

  function fmt(text, values) { return text.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; }); }
  function call(event, data) { return new Promise(function (resolve) { socket.emit(event, data, resolve); }); }

  function beep() {
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.35, 0.7].forEach(function (t) {
        var osc = ctx.createOscillator(); osc.frequency.value = 880; osc.connect(ctx.destination);
        osc.start(ctx.currentTime + t); osc.stop(ctx.currentTime + t + 0.2);
      });
    } catch (e) { /* no sound available */ }
    if (navigator.vibrate) { navigator.vibrate([400, 200, 400, 200, 400]); }
  }

  function setDuty(state) {
    onDuty = state.on_duty;
    var box = $("duty"), title = $("duty-title"), toggle = $("duty-toggle");
    box.className = "duty " + (onDuty ? "on" : "off");
    title.textContent = onDuty ? title.dataset.on : title.dataset.off;
    toggle.textContent = onDuty ? toggle.dataset.on : toggle.dataset.off;
    toggle.className = "button big" + (onDuty ? "" : " primary");
    $("consent-row").hidden = state.location_consent || onDuty;
    $("sharing").hidden = !onDuty;
    if (state.position_interval_s) { interval = state.position_interval_s; }
    if (onDuty) { startSharing(); } else { stopSharing(); }
  }

  function startSharing() {
    if (watchId !== null || !navigator.geolocation) { return; }
    $("sharing").textContent = L$.sharing;
    watchId = navigator.geolocation.watchPosition(function (pos) {
      var now = Date.now();
      if (now - lastSent < interval * 1000) { return; }
      lastSent = now;
      socket.emit("position", { lat: pos.coords.latitude, lon: pos.coords.longitude, accuracy: pos.coords.accuracy });
    }, function () { $("sharing").textContent = L$.no_gps; }, { enableHighAccuracy: true, maximumAge: 10000 });
  }
  function stopSharing() {
    if (watchId !== null) { navigator.geolocation.clearWatch(watchId); watchId = null; }
  }

  function renderOffer(o) {
    var list = $("offers"), card = list.querySelector('[data-offer="' + o.id + '"]');
    var isNew = !card && o.status === "offered";
    if (!card) {
      card = $("offer-template").content.firstElementChild.cloneNode(true);
      card.dataset.offer = o.id;
      list.prepend(card);
      card.querySelector(".accept").addEventListener("click", function () { answer(o.id, true); });
      card.querySelector(".decline").addEventListener("click", function () { answer(o.id, false); });
      card.querySelector(".step").addEventListener("click", function () { step(o.id); });
      if (window.L) {
        var spot = wjmap.create(card.querySelector(".offer-map"), { zoomControl: false, dragging: false })
          .setView([o.incident.lat, o.incident.lon], 16);
        L.circleMarker([o.incident.lat, o.incident.lon], { radius: 12, color: "#c62828", weight: 4 }).addTo(spot);
      }
    }
    offers[o.id] = o;
    card.dataset.status = o.status;
    card.className = "offer-card st-" + o.status;
    card.querySelector(".offer-kind").textContent = L$.kinds[o.incident.kind] || o.incident.kind;
    card.querySelector(".offer-desc").textContent = o.incident.description || "";
    card.querySelector(".offer-distance").textContent = o.distance_m === null ? "" : fmt(L$.metres, { m: Math.round(o.distance_m) });
    var waiting = o.status === "offered";
    card.querySelector(".offer-buttons").hidden = !waiting;
    card.querySelector(".offer-left").hidden = !waiting;
    var next = NEXT[o.status], stepButton = card.querySelector(".step");
    stepButton.hidden = !next;
    if (next) { stepButton.textContent = L$.steps[next]; }
    var note = card.querySelector(".offer-note");
    note.textContent = o.status === "withdrawn" ? L$.withdrawn : o.status === "expired" ? L$.expired
      : o.status === "accepted" ? L$.accepted : "";
    if (isNew) { beep(); }
  }

  function drop(id) {
    delete offers[id];
    var card = document.querySelector('[data-offer="' + id + '"]');
    if (card) { card.remove(); }
  }
  /* A (re)connect's state holds every request still open for this phone: a card it does not
     hold was answered, withdrawn or expired while the phone was away, so it goes. */
  function replay(state) {
    var held = {};
    (state.offers || []).forEach(function (o) { held[o.id] = true; renderOffer(o); });
    Object.keys(offers).forEach(function (id) { if (!held[id]) { drop(id); } });
  }

  function answer(id, accept) {
    call("answer_offer", { offer_id: id, accept: accept }).then(function (reply) {
      if (reply.error) { offers[id].status = reply.error.code === "offer_expired" ? "expired" : "withdrawn"; renderOffer(offers[id]); return; }
      if (!accept) { drop(id); return; }
      renderOffer(reply);
    });
  }
  function step(id) {
    call("progress", { offer_id: id, status: NEXT[offers[id].status] }).then(function (reply) {
      // A refused step (not there yet, the incident closed) says why on the card, as text.
      var refused = document.querySelector('[data-offer="' + id + '"] .offer-note');
      if (reply.error && refused) { refused.textContent = reply.error.message; }
      if (!reply.error) { renderOffer(reply); if (reply.status === "done") { setTimeout(function () { drop(id); }, 3000); } }
    });
  }

  setInterval(function () {
    Object.keys(offers).forEach(function (id) {
      var o = offers[id]; if (o.status !== "offered") { return; }
      var left = Math.max(0, Math.round((Date.parse(o.expires_at) - Date.now()) / 1000));
      var card = document.querySelector('[data-offer="' + id + '"]');
      if (card) { card.querySelector(".offer-left").textContent = fmt(L$.left, { s: left }); }
    });
  }, 1000);

  $("duty-toggle").addEventListener("click", function () {
    var payload = { on_duty: !onDuty };
    if (!onDuty && !$("consent-row").hidden) { payload.share_location = $("consent").checked; }
    call("set_duty", payload).then(function (reply) {
      var box = $("duty-error");
      if (reply.error) { box.textContent = reply.error.message; box.dataset.code = reply.error.code; box.hidden = false; return; }
      box.hidden = true; setDuty(reply);
    });
  });

  socket.on("connect", function () { $("live").className = "live ok"; $("live").textContent = L$.connected; });
  socket.on("disconnect", function () { $("live").className = "live down"; $("live").textContent = L$.disconnected; });
  socket.on("state", function (state) { setDuty(state); replay(state); });
  socket.on("offer", renderOffer);
})();
