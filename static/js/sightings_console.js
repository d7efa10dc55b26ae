/* Sightings on the live console: the review queue with its badge and sound, a mark on the map
   for each report under review, and the detail where a dispatcher asks, confirms, dismisses,
   links a duplicate or raises an incident. Everything people typed goes in as text. */
(function () {
  "use strict";
  var C = window.wjconsole, el = C.el, fmt = C.fmt, clock = C.clock, map = C.map, socket = C.socket;
  var L$ = JSON.parse(document.getElementById("sg-labels").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var root = $("sightings"), api = root.dataset.api, mayManage = root.dataset.mayManage === "1";
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var GLYPHS = { suspicious_person: "人", suspicious_vehicle: "车", suspicious_situation: "?",
    fire_risk: "火", blocked_fire_lane: "道", fraud_attempt: "骗" };
  var sightings = {}, markers = {}, selected = null, loaded = false, baseTitle = document.title;
  var unseen = {};  /* arrived while this console was open and not opened yet: marked 新 */
  var rewards = {};  /* what confirming pays, by category: officers may read it, dispatchers see it after */

  function minutesAgo(iso) {
    var m = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 60000));
    return m < 1 ? L$.just_now : fmt(L$.ago, { m: m });
  }
  function inQueue(s) { return s.status === "review" && !s.muted; }
  function newestFirst(a, b) { return Date.parse(b.created_at) - Date.parse(a.created_at); }
  function photos(s) { return s.media.filter(function (m) { return m.kind === "photo"; }); }
  function voice(s) { return s.media.filter(function (m) { return m.kind === "voice"; })[0]; }

  function send(method, path, body) {
    return fetch(api + path, {
      method: method, credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) { throw new Error((data.error && data.error.message) || L$.failed); }
        return data;
      });
    });
  }
  function failed(err) { $("sg-error").hidden = false; $("sg-error").textContent = err.message || L$.failed; }

  /* The alert sound: a short two-tone beep through WebAudio. Browsers start audio only after a
     click, so the toggle arms it, and a remembered "on" arms at the page's first click. */
  var audio = null, soundOn = localStorage.getItem("wj.sightings.sound") === "on";
  function arm() {
    if (!soundOn) { return; }
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!audio && Ctx) { audio = new Ctx(); }
    if (audio && audio.state === "suspended") { audio.resume(); }
  }
  function beep() {
    if (!soundOn || !audio) { return; }
    [0, 0.22].forEach(function (at, i) {
      var osc = audio.createOscillator(), gain = audio.createGain(), t = audio.currentTime + at;
      osc.frequency.value = i ? 1175 : 880;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.4, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.18);
      osc.connect(gain); gain.connect(audio.destination); osc.start(t); osc.stop(t + 0.2);
    });
    root.dataset.beeps = Number(root.dataset.beeps || 0) + 1;
  }
  function showSound() {
    $("sg-sound").textContent = soundOn ? L$.sound_on : L$.sound_off;
    $("sg-sound").setAttribute("aria-pressed", soundOn ? "true" : "false");
    $("sg-sound").classList.toggle("on", soundOn);
  }
  $("sg-sound").addEventListener("click", function () {
    soundOn = !soundOn;
    localStorage.setItem("wj.sightings.sound", soundOn ? "on" : "off");
    showSound(); arm(); beep();
  });
  document.addEventListener("pointerdown", arm, { once: true });
  showSound();

  /* The map: a diamond with the category's sign for each report under review. */
  function showMarker(s) {
    if (!inQueue(s)) { removeMarker(s.id); return; }
    var mark = el("span");
    mark.appendChild(el("i", null, GLYPHS[s.category] || "!"));
    var icon = L.divIcon({ className: "sighting-mark cat-" + s.category + (unseen[s.id] ? " fresh" : "") + (selected === s.id ? " on" : ""), html: mark, iconSize: [30, 30] });
    if (markers[s.id]) { markers[s.id].setLatLng([s.lat, s.lon]).setIcon(icon); return; }
    markers[s.id] = L.marker([s.lat, s.lon], { icon: icon, zIndexOffset: 500 }).addTo(map)
      .bindTooltip(wjmap.text(s.category_label + " · " + s.behaviour.slice(0, 40)))
      .on("click", function () { select(s.id); });
  }
  function removeMarker(id) { if (markers[id]) { map.removeLayer(markers[id]); delete markers[id]; } }

  /* The queue, newest first, and today's decided ones below it. */
  function card(s) {
    var li = el("li", "sg-card cat-" + s.category + (selected === s.id ? " on" : "") + (unseen[s.id] ? " unseen" : ""));
    li.dataset.sighting = s.id; li.tabIndex = 0;
    var head = el("div", "sg-card-head"), what = el("b", "sg-cat", s.category_label);
    if (unseen[s.id]) { what.insertBefore(el("span", "sg-new", L$.new), what.firstChild); }
    head.appendChild(what);
    head.appendChild(el("span", "sg-ago", minutesAgo(s.created_at)));
    li.appendChild(head);
    li.appendChild(el("p", "sg-text", s.behaviour));
    var who = el("div", "sg-who", s.reporter.name + " · " + (L$.roles[s.reporter.role] || s.reporter.role));
    if (s.name_hidden) { who.appendChild(el("span", "sg-tag", L$.name_hidden)); }
    li.appendChild(who);
    var extras = el("div", "sg-extras");
    if (s.photos_expected) { extras.appendChild(el("span", "sg-has-photo", fmt(L$.photos, { n: s.photos_expected }))); }
    if (s.voice_expected) { extras.appendChild(el("span", "sg-has-voice", L$.voice)); }
    var open = s.questions.some(function (q) { return !q.answer; });
    if (open) { extras.appendChild(el("span", "sg-open-q", L$.open_question)); }
    else if (s.questions.length) { extras.appendChild(el("span", null, fmt(L$.questions, { n: s.questions.length }))); }
    if (extras.childNodes.length) { li.appendChild(extras); }
    li.addEventListener("click", function () { select(s.id); });
    li.addEventListener("keydown", function (e) { if (e.key === "Enter") { select(s.id); } });
    return li;
  }
  function render() {
    var all = Object.keys(sightings).map(function (id) { return sightings[id]; }).sort(newestFirst);
    var waiting = all.filter(inQueue), decided = all.filter(function (s) { return s.status !== "review"; });
    var list = $("sg-queue"), scrolled = list.scrollTop; list.textContent = "";
    if (!waiting.length) { list.appendChild(el("li", "empty", L$.empty)); }
    waiting.forEach(function (s) { list.appendChild(card(s)); });
    list.scrollTop = scrolled;  /* a redraw keeps the dispatcher's place in a long queue */
    $("sg-count").textContent = waiting.length;
    $("sg-count").classList.toggle("zero", !waiting.length);
    document.title = waiting.length ? "(" + waiting.length + ") " + baseTitle : baseTitle;
    var done = $("sg-decided-list"); done.textContent = "";
    $("sg-decided-count").textContent = decided.length;
    decided.forEach(function (s) {
      var li = el("li", "st-" + s.status); li.dataset.sighting = s.id;
      li.appendChild(el("span", null, clock(s.created_at) + " " + s.category_label));
      li.appendChild(el("b", null, s.status_label));
      li.addEventListener("click", function () { select(s.id); });
      done.appendChild(li);
    });
  }

  function store(s) { sightings[s.id] = s; showMarker(s); }
  function take(s, live) {
    var arrived = live && !sightings[s.id] && inQueue(s);
    if (arrived) { unseen[s.id] = true; }
    store(s);
    if (arrived) { beep(); }
    render();
    if (selected === s.id) { renderDetail(); }
  }
  /* The whole list, at start and after every (re)connect: what came in meanwhile beeps once. */
  function load() {
    send("GET", "/sightings").then(function (data) {
      var kept = {}, arrived = false;
      data.sightings.forEach(function (s) {
        kept[s.id] = true;
        if (loaded && !sightings[s.id] && inQueue(s)) { arrived = true; unseen[s.id] = true; }
      });
      Object.keys(sightings).forEach(function (id) { if (!kept[id]) { delete sightings[id]; removeMarker(Number(id)); } });
      data.sightings.forEach(store);
      loaded = true; render(); renderDetail();
      if (arrived) { beep(); }
    }).catch(function () { /* the next (re)connect reads again */ });
  }
  socket.on("connect", load);
  if (mayManage) {
    send("GET", "/sighting-rewards").then(function (data) {
      data.rewards.forEach(function (r) { rewards[r.category] = r.points; });
      renderDetail();
    }).catch(function () { /* the hint then says it pays what the area set */ });
  }
  if (socket.connected) { load(); }
  socket.on("sighting", function (s) { take(s, true); });
  setInterval(render, 30000);

  /* The detail of one report. */
  function select(id) {
    var before = sightings[selected];
    selected = id; delete unseen[id];
    if (before) { showMarker(before); }
    closeSteps(); $("sg-error").hidden = true; $("sg-outcome").hidden = true;
    var s = sightings[id]; if (!s) { return; }
    showMarker(s); map.panTo([s.lat, s.lon]);
    render(); renderDetail();
    $("sg-detail").scrollIntoView({ block: "nearest" });
  }
  $("sg-close").addEventListener("click", function () {
    var before = sightings[selected];
    selected = null; $("sg-detail").hidden = true;
    if (before) { showMarker(before); }
    render();
  });

  function renderDetail() {
    var s = sightings[selected]; if (!s) { $("sg-detail").hidden = true; return; }
    $("sg-detail").hidden = false;
    $("sg-detail").className = "panel sg-detail cat-" + s.category;
    $("sg-title").textContent = s.category_label + " · " + s.status_label;
    var meta = $("sg-meta"); meta.textContent = "";
    meta.appendChild(el("span", null, clock(s.created_at) + " (" + minutesAgo(s.created_at) + ") · " +
      (s.position_source === "map" ? L$.from_map : L$.from_gps)));
    var who = el("span", "sg-who", s.reporter.name + " · " + (L$.roles[s.reporter.role] || s.reporter.role) +
      (s.reporter.phone ? " · " + s.reporter.phone : ""));
    if (s.name_hidden) { who.appendChild(el("span", "sg-tag", L$.name_hidden)); }
    if (s.muted) { who.appendChild(el("span", "sg-tag muted", L$.muted)); }
    meta.appendChild(who);
    $("sg-behaviour").textContent = s.behaviour;
    renderAppearance(s); renderMedia(s); renderQuestions(s);
    var open = s.status === "review";
    $("sg-pays").textContent = rewards[s.category] === undefined ? $("sg-pays").dataset.text : fmt(L$.pays, { n: rewards[s.category] });
    $("sg-actions").hidden = !open; $("sg-ask").hidden = !open;
    if (!open) { closeSteps(); showOutcome(s); }
    $("sg-mute").hidden = !mayManage;
    $("sg-mute").textContent = s.muted ? L$.unmute : L$.mute;
  }
  function renderAppearance(s) {
    var dl = $("sg-appearance"); dl.textContent = "";
    L$.appearance.forEach(function (pair) {
      if (!s.appearance[pair[0]]) { return; }
      dl.appendChild(el("dt", null, pair[1])); dl.appendChild(el("dd", null, s.appearance[pair[0]]));
    });
    dl.hidden = !dl.childNodes.length;
  }
  function renderMedia(s) {
    var box = $("sg-media"), shots = photos(s), note = voice(s);
    /* Redrawn only when the files change: a new answer must not stop the voice note playing. */
    var key = [s.id, s.photos_expected, s.voice_expected].concat(s.media.map(function (m) { return m.id; })).join(",");
    if (box.dataset.key === key) { return; }
    box.dataset.key = key; box.textContent = "";
    if (shots.length) {
      var row = el("div", "sg-thumbs");
      shots.forEach(function (m) {
        var b = el("button", "sg-thumb"), img = el("img");
        b.type = "button"; img.src = m.thumb_url || m.url; img.alt = s.category_label; b.appendChild(img);
        b.addEventListener("click", function () { $("sg-photo").src = m.url; $("sg-overlay").hidden = false; $("sg-overlay-close").focus(); });
        row.appendChild(b);
      });
      box.appendChild(row);
    }
    if (shots.length < s.photos_expected) { box.appendChild(el("p", "hint", fmt(L$.photos_coming, { a: shots.length, n: s.photos_expected }))); }
    if (note) {
      var player = el("audio"); player.controls = true; player.preload = "none"; player.src = note.url;
      box.appendChild(player);
    } else if (s.voice_expected) { box.appendChild(el("p", "hint", L$.voice_coming)); }
  }
  function renderQuestions(s) {
    var list = $("sg-questions"); list.textContent = "";
    if (!s.questions.length) { list.appendChild(el("li", "empty", L$.no_questions)); }
    s.questions.forEach(function (q) {
      var li = el("li", q.answer ? "answered" : "waiting");
      li.appendChild(el("span", "sg-q", q.text));
      li.appendChild(el("span", "sg-q-time", fmt(L$.asked_at, { time: clock(q.asked_at) })));
      li.appendChild(el("b", "sg-a", q.answer ? "→ " + q.answer : L$.waiting));
      list.appendChild(li);
    });
  }
  function showOutcome(s) {
    var text = s.status_label;
    if (s.status === "confirmed") { text = s.points ? fmt(L$.confirmed, { n: s.points, name: s.reporter.name }) : L$.confirmed_no_points; }
    else if (s.status === "dismissed" && s.reason) { text += ": " + s.reason; }
    else if (s.status === "duplicate" && s.duplicate_of) { text = fmt(L$.duplicate_of, { id: s.duplicate_of }); }
    else if (s.status === "escalated" && s.incident_id) { text = fmt(L$.escalated, { id: s.incident_id }); }
    $("sg-outcome").textContent = text; $("sg-outcome").hidden = false;
    $("sg-outcome").className = "sg-outcome st-" + s.status;
  }
  $("sg-overlay").addEventListener("click", function () { $("sg-overlay").hidden = true; $("sg-photo").removeAttribute("src"); });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape" && !$("sg-overlay").hidden) { $("sg-overlay").click(); } });

  /* The decisions: one button opens its short step; the step sends. */
  function closeSteps() {
    Array.prototype.forEach.call(document.querySelectorAll("#sg-actions .sg-step"), function (f) { f.hidden = true; });
    Array.prototype.forEach.call(document.querySelectorAll("#sg-actions [data-open]"), function (b) { b.classList.remove("on"); });
  }
  /* One decision at a time: a double click must not send a second one. */
  var deciding = false;
  function decide(body) {
    if (deciding) { return Promise.resolve(false); }
    deciding = true; $("sg-error").hidden = true; $("sg-actions").classList.add("busy");
    return send("POST", "/sightings/" + selected + "/decide", body)
      .then(function (s) { take(s, false); return true; }, function (err) { failed(err); return false; })
      .then(function (done) { deciding = false; $("sg-actions").classList.remove("busy"); return done; });
  }
  Array.prototype.forEach.call(document.querySelectorAll("#sg-actions [data-open]"), function (b) {
    b.addEventListener("click", function () {
      var step = document.querySelector('#sg-actions [data-step="' + b.dataset.open + '"]'), wasOpen = !step.hidden;
      closeSteps(); $("sg-error").hidden = true;
      if (wasOpen) { return; }
      step.hidden = false; b.classList.add("on");
      if (b.dataset.open === "duplicate") { loadDuplicates(); }
      if (b.dataset.open === "dismiss") { $("sg-dismiss").reason.focus(); }
    });
  });
  $("sg-confirm").addEventListener("submit", function (e) { e.preventDefault(); decide({ action: "confirm" }); });
  L$.reasons.forEach(function (r) {
    var chip = el("button", "sg-chip", r); chip.type = "button";
    chip.addEventListener("click", function () { $("sg-dismiss").reason.value = r; $("sg-dismiss").reason.focus(); });
    $("sg-reasons").appendChild(chip);
  });
  $("sg-dismiss").addEventListener("submit", function (e) {
    e.preventDefault();
    var reason = this.reason.value.trim();
    if (!reason) { failed(new Error(L$.reason_needed)); this.reason.focus(); return; }
    decide({ action: "dismiss", reason: reason }).then(function (done) { if (done) { $("sg-dismiss").reason.value = ""; } });
  });
  $("sg-escalate").addEventListener("submit", function (e) {
    e.preventDefault(); decide({ action: "escalate", priority: Number(this.priority.value) });
  });
  function loadDuplicates() {
    var list = $("sg-candidates"), forId = selected; list.textContent = "";
    send("GET", "/sightings/" + forId + "/duplicates").then(function (data) {
      if (selected !== forId) { return; }
      if (!data.candidates.length) { list.appendChild(el("li", "empty", L$.no_duplicates)); }
      data.candidates.forEach(function (c) {
        var li = el("li"), text = el("div");
        li.dataset.candidate = c.id;
        text.appendChild(el("b", null, fmt(L$.duplicate_line, { m: Math.round(c.distance_m), time: clock(c.created_at) }) +
          " · " + (L$.statuses[c.status] || c.status)));
        text.appendChild(el("p", "sg-text", c.behaviour));
        var pick = el("button", "button secondary", L$.link); pick.type = "button";
        pick.addEventListener("click", function () { decide({ action: "duplicate", duplicate_of: c.id }); });
        li.appendChild(text); li.appendChild(pick); list.appendChild(li);
      });
    }).catch(failed);
  }

  /* Questions: the text and up to four answers to tap, prefilled 是/否/不确定. */
  var ask = $("sg-ask");
  function resetChoices() {
    Array.prototype.forEach.call(ask.querySelectorAll('input[name="choice"]'), function (input, i) { input.value = L$.quick_answers[i] || ""; });
  }
  resetChoices();
  ask.addEventListener("submit", function (e) {
    e.preventDefault();
    var choices = Array.prototype.map.call(ask.querySelectorAll('input[name="choice"]'), function (i) { return i.value.trim(); })
      .filter(function (v) { return v; });
    $("sg-error").hidden = true;
    send("POST", "/sightings/" + selected + "/questions", { text: ask.text.value.trim(), choices: choices })
      .then(function (s) { ask.text.value = ""; resetChoices(); take(s, false); }).catch(failed);
  });

  /* Muting a reporter who abuses it: asked first; their reports leave the queue. */
  $("sg-mute").addEventListener("click", function () {
    var s = sightings[selected], muted = !s.muted;
    if (muted && !window.confirm(fmt(L$.mute_ask, { name: s.reporter.name }))) { return; }
    send("POST", "/reporters/" + s.reporter.id + "/mute", { muted: muted }).then(function () {
      Object.keys(sightings).forEach(function (id) { if (sightings[id].reporter.id === s.reporter.id) { sightings[id].muted = muted; showMarker(sightings[id]); } });
      render(); renderDetail();
    }).catch(failed);
  });
})();
