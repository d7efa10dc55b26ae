/* The dispatcher's live console: the area map, the incident queue, who is nearest and who has
   accepted, all updated over Socket.IO without reloads. A reconnect re-reads the whole state. */
(function () {
  "use strict";
  var L$ = JSON.parse(document.getElementById("labels").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var mapEl = $("map");
  var map = wjmap.create(mapEl, { zoomControl: true });
  var people = {}, peopleLayer = L.layerGroup().addTo(map), onDuty = {};
  var incidents = {}, incidentMarkers = {}, selected = null, draft = null;
  var myAreas = [];  /* the areas this console acts in; a widened neighbour's incident is only shown */
  var ROLE_COLOURS = { volunteer: "#e53935", guard: "#1e88e5", grid_worker: "#43a047" };

  function fmt(text, values) { return text.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; }); }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) { e.className = cls; } if (text !== undefined) { e.textContent = text; } return e; }
  function mine(inc) { return myAreas.indexOf(inc.area.id) >= 0; }
  function clock(iso) { var d = new Date(iso); return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2); }
  function minutesSince(iso) { return Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 60000)); }

  fetch(mapEl.dataset.mapUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        style: function (f) {
          if (f.properties.kind === "point") { return {}; }
          return f.properties.kind === "community" ? { color: "#8e0000", weight: 3, fill: false }
            : { color: "#607d8b", weight: 1, fillColor: "#ffffff", fillOpacity: 0.55 };
        },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { radius: f.properties.hotspot ? 6 : 4, weight: 1,
            color: f.properties.hotspot ? "#e65100" : "#546e7a", fillOpacity: 0.8,
            fillColor: f.properties.hotspot ? "#ffb74d" : "#cfd8dc" }).bindTooltip(wjmap.text(f.properties.name));
        },
        onEachFeature: function (f, l) {
          if (f.properties.kind === "grid") { l.bindTooltip(wjmap.text(f.properties.name), { permanent: true, direction: "center", className: "grid-label" }); }
        }
      }).addTo(map);
      wjmap.fit(map, L, data);
    });

  /* People on duty: one dot per person, coloured by role. */
  function showPerson(p) {
    if (people[p.user_id]) { people[p.user_id].setLatLng([p.lat, p.lon]); }
    else {
      people[p.user_id] = L.circleMarker([p.lat, p.lon], { radius: 8, weight: 2, color: "#fff",
        fillColor: ROLE_COLOURS[p.role] || "#555", fillOpacity: 1 }).bindTooltip(wjmap.text(p.name)).addTo(peopleLayer);
    }
    people[p.user_id].person = p;
    onDuty[p.user_id] = { user_id: p.user_id, name: p.name, role: p.role };
    renderRoster();
  }
  function hidePerson(id) { if (people[id]) { peopleLayer.removeLayer(people[id]); delete people[id]; } renderRoster(); }
  /* The list shows everyone on duty (from the database); the map shows those whose phone
     shares a position. */
  function renderRoster() {
    var list = $("roster"); list.textContent = "";
    var ids = Object.keys(onDuty);
    $("duty-count").textContent = ids.length;
    if (!ids.length) { list.appendChild(el("li", "empty", list.dataset.empty)); }
    ids.forEach(function (id) {
      var p = onDuty[id], li = el("li", people[id] ? "located" : "");
      var who = el("span"); who.appendChild(el("span", "role-dot role-" + p.role)); who.appendChild(document.createTextNode(p.name));
      li.appendChild(who); li.appendChild(el("span", null, L$.roles[p.role] || p.role)); list.appendChild(li);
    });
  }

  /* Incidents: a pulsing mark on the map, a card in the queue, the board when selected. */
  function showIncident(inc) {
    if (inc.status !== "open") { removeIncident(inc.id); return; }
    incidents[inc.id] = inc;
    var icon = L.divIcon({ className: "incident-mark prio-" + inc.priority, html: el("span"), iconSize: [28, 28] });
    if (incidentMarkers[inc.id]) { incidentMarkers[inc.id].setLatLng([inc.lat, inc.lon]).setIcon(icon); }
    else { incidentMarkers[inc.id] = L.marker([inc.lat, inc.lon], { icon: icon }).addTo(map).on("click", function () { select(inc.id); }); }
    renderQueue();
    if (selected === inc.id) { renderDetail(); }
  }
  function removeIncident(id) {
    delete incidents[id];
    if (incidentMarkers[id]) { map.removeLayer(incidentMarkers[id]); delete incidentMarkers[id]; }
    if (selected === id) { selected = null; $("detail").hidden = true; }
    renderQueue();
  }
  function going(inc) { return inc.offers.filter(function (o) { return ["accepted", "en_route", "arrived", "done"].indexOf(o.status) >= 0; }).length; }
  function renderQueue() {
    var list = $("queue"); list.textContent = "";
    var open = Object.keys(incidents).map(function (id) { return incidents[id]; })
      .sort(function (a, b) { return a.priority - b.priority || Date.parse(a.created_at) - Date.parse(b.created_at); });
    $("incident-count").textContent = open.length;
    if (!open.length) { list.appendChild(el("li", "empty", list.dataset.empty)); }
    open.forEach(function (inc) {
      var li = el("li", "card prio-" + inc.priority + (selected === inc.id ? " on" : "") + (inc.exhausted ? " exhausted" : "") + (mine(inc) ? "" : " foreign"));
      li.dataset.incident = inc.id;
      li.appendChild(el("b", null, L$.kinds[inc.kind] + " · " + L$.priorities[inc.priority]));
      li.appendChild(el("span", "timer", fmt(L$.ago, { m: minutesSince(inc.created_at) })));
      li.appendChild(el("div", "going", fmt(L$.needed, { a: going(inc), n: inc.needed }) + (inc.round ? " · " + fmt(L$.round, { n: inc.round }) : "")));
      if (!mine(inc)) { li.appendChild(el("div", "widened-tag", fmt(L$.from_short, { area: inc.area.name }))); }
      else if (inc.widened.length) {
        li.appendChild(el("div", "widened-tag", fmt(L$.widened, { area: inc.widened.map(function (w) { return w.name; }).join("、") })));
      }
      if (inc.exhausted) { li.appendChild(el("div", "warn", L$.exhausted)); }
      else if (inc.round > 1 && going(inc) < inc.needed) { li.appendChild(el("div", "warn", L$.escalated)); }
      li.addEventListener("click", function () { select(inc.id); });
      list.appendChild(li);
    });
  }
  function select(id) {
    selected = id; $("candidates").textContent = ""; $("send").hidden = true;
    var inc = incidents[id]; if (!inc) { return; }
    map.panTo([inc.lat, inc.lon]); renderQueue(); renderDetail();
  }
  function renderDetail() {
    var inc = incidents[selected]; if (!inc) { return; }
    $("detail").hidden = false;
    $("detail-title").textContent = L$.kinds[inc.kind] + " · " + L$.priorities[inc.priority];
    $("detail-meta").textContent = (inc.description || "") + " · " + fmt(L$.needed, { a: going(inc), n: inc.needed });
    renderWidening(inc);
    var board = $("board"); board.textContent = "";
    if (!inc.offers.length) { board.appendChild(el("li", "empty", board.dataset.empty)); }
    inc.offers.forEach(function (o) {
      var li = el("li", "st-" + o.status); li.dataset.offer = o.id; li.dataset.status = o.status;
      var who = el("span"); who.appendChild(el("span", "role-dot role-" + o.role)); who.appendChild(document.createTextNode(o.name + " · " + Math.round(o.distance_m || 0) + " m"));
      li.appendChild(who); li.appendChild(el("b", "status", L$.statuses[o.status] || o.status)); board.appendChild(li);
    });
  }

  /* Widening: who widened it to which area and when; on the incident's own console a button per
     neighbouring area of the station, on the neighbour's console who dispatches it. */
  function renderWidening(inc) {
    var list = $("widened"); list.textContent = "";
    inc.widened.forEach(function (w) { list.appendChild(el("li", null, fmt(L$.widened_by, { area: w.name, who: w.by, time: clock(w.at) }))); });
    $("detail-from").hidden = mine(inc);
    $("detail-from").textContent = fmt(L$.from_area, { area: inc.area.name });
    $("act").hidden = !mine(inc);
    var choices = $("widen-choices"); choices.textContent = "";
    $("widen").hidden = !mine(inc) || !inc.neighbours.length;
    inc.neighbours.forEach(function (a) {
      var button = el("button", "button secondary", fmt(L$.include, { area: a.name }));
      button.type = "button";
      button.addEventListener("click", function () { widen(inc.id, a.id); });
      choices.appendChild(button);
    });
  }
  function widen(incidentId, areaId) {
    call("widen_incident", { incident_id: incidentId, police_area_id: areaId }).then(function (inc) {
      if (inc.error) { alert(inc.error.message); return; }
      showIncident(inc);
    });
  }

  /* Talking to the server. */
  var socket = io("/console", { transports: ["websocket", "polling"] });
  window.wjRetryRefused(socket);
  /* Sightings and broadcasts add their own panels (their own scripts) to this map and socket. */
  window.wjconsole = { map: map, socket: socket, el: el, fmt: fmt, clock: clock };
  function call(event, data) {
    return new Promise(function (resolve) { socket.emit(event, data, resolve); });
  }
  function refreshRoster() {
    call("roster", null).then(function (reply) {
      onDuty = {};
      (reply.people || []).forEach(function (p) { onDuty[p.user_id] = p; });
      renderRoster();
    });
  }
  socket.on("connect", function () { $("live").className = "live ok"; $("live").textContent = L$.connected; refreshRoster(); });
  socket.on("disconnect", function () { $("live").className = "live down"; $("live").textContent = L$.disconnected; });
  socket.on("state", function (state) {
    myAreas = state.areas;
    Object.keys(incidents).forEach(function (id) { removeIncident(Number(id)); });
    Object.keys(people).forEach(function (id) { hidePerson(id); });
    state.incidents.forEach(showIncident);
    state.people.forEach(showPerson);
    renderRoster(); renderQueue();
  });
  socket.on("incident", showIncident);
  socket.on("presence", showPerson);
  socket.on("presence_gone", function (p) { hidePerson(p.user_id); });
  socket.on("duty_changed", function (d) {
    if (d.on_duty) { onDuty[d.user_id] = d; } else { delete onDuty[d.user_id]; hidePerson(d.user_id); }
    renderRoster();
  });
  setInterval(renderQueue, 30000);

  /* Raising an incident: click the map, fill the short form. */
  var form = $("new-incident");
  map.on("click", function (e) {
    form.hidden = false; $("map-hint").hidden = true;
    if (draft) { draft.setLatLng(e.latlng); } else { draft = L.circleMarker(e.latlng, { radius: 12, color: "#c62828", weight: 3 }).addTo(map); }
    form.description.focus();
  });
  $("cancel-incident").addEventListener("click", function () { form.hidden = true; if (draft) { map.removeLayer(draft); draft = null; } });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var at = draft.getLatLng();
    call("create_incident", { kind: form.kind.value, priority: Number(form.priority.value), description: form.description.value,
      needed: Number(form.needed.value), lat: at.lat, lon: at.lng }).then(function (inc) {
      if (inc.error) { alert(inc.error.message); return; }
      form.hidden = true; form.description.value = ""; map.removeLayer(draft); draft = null;
      showIncident(inc); select(inc.id);
    });
  });

  /* Who is nearest: ask, tick, send. */
  $("find").addEventListener("click", function () {
    var roles = Array.prototype.map.call(document.querySelectorAll('.role-filter input:checked'), function (b) { return b.value; });
    call("find_nearest", { incident_id: selected, roles: roles, limit: 10 }).then(function (reply) {
      var list = $("candidates"); list.textContent = "";
      if (reply.error) { list.appendChild(el("li", "warn", reply.error.message)); return; }
      if (!reply.people.length) { list.appendChild(el("li", "warn", L$.none_found)); $("send").hidden = true; return; }
      reply.people.forEach(function (p, i) {
        var li = el("li"), label = el("label"), box = el("input");
        box.type = "checkbox"; box.value = p.user_id; box.checked = i < Math.max(3, incidents[selected].needed * 2);
        label.appendChild(box); label.appendChild(el("span", "role-dot role-" + p.role));
        label.appendChild(document.createTextNode(p.name + " · " + (L$.roles[p.role] || p.role)));
        li.appendChild(label); li.appendChild(el("b", null, p.distance_m + " m"));
        li.title = fmt(L$.seen, { s: p.seen_s }); list.appendChild(li);
      });
      $("send").hidden = false;
    });
  });
  $("send").addEventListener("click", function () {
    var ids = Array.prototype.map.call(document.querySelectorAll("#candidates input:checked"), function (b) { return Number(b.value); });
    call("send_offers", { incident_id: selected, user_ids: ids }).then(function (inc) {
      if (inc.error) { alert(inc.error.message); return; }
      $("candidates").textContent = ""; $("send").hidden = true; showIncident(inc);
    });
  });
  $("close-incident").addEventListener("click", function () {
    call("close_incident", { incident_id: selected }).then(function (inc) { if (!inc.error) { removeIncident(inc.id); } });
  });
})();
