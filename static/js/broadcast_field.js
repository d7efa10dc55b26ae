/* Area broadcasts on the patrol page: a big card for each open broadcast delivered to me (live
   over the /field socket, and again on the next open), one tap "I saw it" with my position and
   an optional photo; when the police room closes it, the card says so. */
(function () {
  "use strict";
  var box = document.getElementById("broadcasts");
  if (!box || !window.wjfield) { return; }
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var tpl = document.getElementById("broadcast-template");
  var cards = {};

  function part(card, cls) { return card.querySelector("." + cls); }
  function say(card, text, bad) {
    var status = part(card, "bc-status");
    status.textContent = text;
    status.className = "bc-status" + (bad ? " bad" : "");
  }

  /* A new card buzzes; an urgent one also sounds (the page was tapped to go on duty, so the
     browser lets it play). */
  function ring(urgent) {
    if (navigator.vibrate) { navigator.vibrate(urgent ? [500, 200, 500, 200, 500] : [300, 150, 300]); }
    if (!urgent) { return; }
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.4].forEach(function (t) {
        var osc = ctx.createOscillator(); osc.frequency.value = 660; osc.connect(ctx.destination);
        osc.start(ctx.currentTime + t); osc.stop(ctx.currentTime + t + 0.25);
      });
    } catch (e) { /* no sound available */ }
  }

  function show(b) {
    var card = cards[b.id];
    if (!card) {
      if (b.status !== "open") { return; }  /* closed before this phone ever showed it */
      card = tpl.content.firstElementChild.cloneNode(true);
      card.dataset.id = b.id;
      part(card, "bc-seen").addEventListener("click", function () { seen(card); });
      part(card, "bc-dismiss").addEventListener("click", function () { card.remove(); delete cards[b.id]; });
      part(card, "bc-file").addEventListener("change", function (e) {
        var f = e.target.files[0];
        part(card, "bc-pick").firstElementChild.textContent = f ? "📷 " + f.name : "";
      });
      box.insertBefore(card, box.firstChild);
      cards[b.id] = card;
      ring(b.urgent);
    }
    card.className = "broadcast-card" + (b.urgent ? " urgent" : "") + (b.status !== "open" ? " closed" : "");
    part(card, "bc-badge").textContent = b.status !== "open" ? box.dataset.ended
      : b.urgent ? box.dataset.urgent : box.dataset.notice;
    part(card, "bc-title").textContent = b.title;
    part(card, "bc-look").textContent = b.look_for;
    part(card, "bc-todo").firstElementChild.textContent = b.what_to_do;
    if (b.photo) {  /* the small one on the card; a tap opens the whole photo */
      part(card, "bc-photo").src = b.photo + "?size=thumb";
      part(card, "bc-photo-link").href = b.photo;
      part(card, "bc-photo-link").hidden = false;
    }
    if (b.status !== "open") {
      say(card, b.status === "found" ? box.dataset.found
        : b.status === "cancelled" ? box.dataset.cancelled : box.dataset.ended);
      part(card, "bc-seen").hidden = true;
      part(card, "bc-pick").hidden = true;
      part(card, "bc-dismiss").hidden = false;
    }
  }

  function send(card, pos) {
    var form = new FormData();
    form.append("lat", pos.coords.latitude);
    form.append("lon", pos.coords.longitude);
    form.append("accuracy", Math.min(5000, Math.round(pos.coords.accuracy || 0)));
    var file = part(card, "bc-file").files[0];
    if (file) { form.append("photo", file); }
    return fetch("/broadcasts/" + card.dataset.id + "/seen", {
      method: "POST", body: form, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf }
    }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { throw new Error((body.error && body.error.message) || box.dataset.failed); }
        return body;
      });
    });
  }

  function seen(card) {
    var button = part(card, "bc-seen");
    button.disabled = true;
    say(card, box.dataset.sending);
    navigator.geolocation.getCurrentPosition(function (pos) {
      send(card, pos).then(function () {
        say(card, box.dataset.sent);
        part(card, "bc-file").value = "";
      }).catch(function (e) { say(card, e.message, true); })
        .then(function () { button.disabled = false; });
    }, function () {
      say(card, box.dataset.noPosition, true);
      button.disabled = false;
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
  }

  function load() {
    fetch(box.dataset.mineUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { broadcasts: [] }; })
      .then(function (data) {
        data.broadcasts.slice().reverse().forEach(show);
        /* A card still open here that is no longer open there was closed while we were away. */
        var still = data.broadcasts.map(function (b) { return String(b.id); });
        Object.keys(cards).forEach(function (id) {
          if (still.indexOf(id) < 0 && !cards[id].classList.contains("closed")) {
            show({ id: Number(id), status: "ended", title: part(cards[id], "bc-title").textContent,
              look_for: part(cards[id], "bc-look").textContent,
              what_to_do: part(cards[id], "bc-todo").firstElementChild.textContent });
          }
        });
      });
  }

  window.wjfield.socket.on("broadcast", show);
  window.wjfield.socket.on("connect", load);  /* every (re)connect: what arrived while away */
})();
