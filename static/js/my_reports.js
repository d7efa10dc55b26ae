/* My reports: each sighting's category, text, time, status in words and colour, photos and
   outcome, kept live by the /field socket's `sighting` event. An officer's question shows its
   choices as big buttons: one tap answers. Reports still in the phone's outbox show first, and
   go out from here too. Text people typed reaches the page only as text. */
(function () {
  "use strict";
  var L$ = JSON.parse(document.getElementById("labels").textContent);
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var list = $("reports");

  function fmt(text, values) { return text.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; }); }
  function when(iso) {
    var d = new Date(iso);
    return isNaN(d) ? "" : d.toLocaleString(document.documentElement.lang || "zh-CN", { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
  }
  function problem(message) { $("mine-error").textContent = message || L$.error; $("mine-error").hidden = false; }
  function emptyCheck() { $("none").hidden = list.children.length > 0; }

  function card(key) {
    var el = list.querySelector('[data-key="' + key + '"]');
    if (!el) {
      el = $("report-template").content.firstElementChild.cloneNode(true);
      el.dataset.key = key;
    }
    return el;
  }

  function outcomeText(s) {
    var parts = [];
    if (s.reason) { parts.push(s.reason); }
    if (s.duplicate_of) { parts.push(fmt(L$.duplicate_of, { id: s.duplicate_of })); }
    return parts.join(" ");
  }

  function question(s, q) {
    var box = $("question-template").content.firstElementChild.cloneNode(true);
    box.dataset.question = q.id;
    box.querySelector(".question-text").textContent = q.text;
    if (q.answer !== null && q.answer !== undefined) {
      box.classList.add("answered");
      box.querySelector(".choices").remove(); box.querySelector(".free-answer").remove();
      var said = box.querySelector(".question-answer");
      said.textContent = fmt(L$.answered, { a: q.answer }); said.hidden = false;
      return box;
    }
    var send = function (answer, buttons) {
      buttons.forEach(function (b) { b.disabled = true; });
      fetch("/api/sightings/" + s.id + "/questions/" + q.id + "/answer", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ answer: answer })
      }).then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) { throw new Error((body.error && body.error.message) || L$.error); }
          render(body);
        });
      }).catch(function (e) { buttons.forEach(function (b) { b.disabled = false; }); problem(e.message); });
    };
    var choices = box.querySelector(".choices");
    (q.choices || []).forEach(function (choice) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "button big primary"; b.textContent = choice;
      b.addEventListener("click", function () { send(choice, Array.prototype.slice.call(box.querySelectorAll("button"))); });
      choices.appendChild(b);
    });
    box.querySelector(".free-answer").addEventListener("submit", function (e) {
      e.preventDefault();
      var text = this.elements.answer.value.trim();
      if (text) { send(text, Array.prototype.slice.call(box.querySelectorAll("button"))); }
    });
    return box;
  }

  /* One report as the server has it (SightingOut). */
  function render(s) {
    var el = card("s" + s.id), fresh = !el.parentNode;
    el.className = "report-card st-" + s.status;
    el.dataset.status = s.status;
    el.querySelector(".report-cat").textContent = s.category_label || L$.categories[s.category] || s.category;
    el.querySelector(".report-status").textContent = s.status_label || s.status;
    el.querySelector(".report-when").textContent = when(s.created_at);
    el.querySelector(".report-text").textContent = s.behaviour;
    var out = el.querySelector(".report-outcome");
    out.textContent = outcomeText(s);
    if (s.points) {
      var pts = document.createElement("span");
      pts.className = "report-points"; pts.textContent = " " + fmt(L$.points, { n: s.points });
      out.appendChild(pts);
    }
    out.hidden = !out.textContent;
    var media = el.querySelector(".report-photos");
    media.textContent = "";
    (s.media || []).forEach(function (m) {
      if (m.kind === "photo") {
        var a = document.createElement("a"), img = document.createElement("img");
        a.href = m.url; img.src = m.thumb_url || m.url; img.alt = L$.categories[s.category] || ""; img.loading = "lazy";
        a.appendChild(img); media.appendChild(a);
      } else {
        var audio = document.createElement("audio");
        audio.controls = true; audio.preload = "none"; audio.src = m.url;
        media.appendChild(audio);
      }
    });
    var qs = el.querySelector(".report-questions");
    qs.textContent = "";
    (s.questions || []).forEach(function (q) { qs.appendChild(question(s, q)); });
    if (fresh) {
      var pending = list.querySelector('[data-client="' + s.client_id + '"]');
      if (pending) { pending.remove(); }
      var after = Array.prototype.find.call(list.children, function (c) { return c.dataset.id && Number(c.dataset.id) < s.id; });
      el.dataset.id = s.id;
      list.insertBefore(el, after || null);
    }
    emptyCheck();
  }

  /* A report still in the outbox: not on the server yet, or its files not all sent. */
  function renderPending(rec) {
    if (rec.sighting_id && list.querySelector('[data-key="s' + rec.sighting_id + '"]')) {
      var left = list.querySelector('[data-key="s' + rec.sighting_id + '"] .report-when');
      if (rec.media.length) { left.textContent = left.textContent.split(" · ")[0] + " · " + fmt(L$.left_to_send, { n: rec.media.length }); }
      return;
    }
    var el = card("c" + rec.client_id);
    el.dataset.client = rec.client_id;
    el.className = "report-card st-pending";
    el.querySelector(".report-cat").textContent = L$.categories[rec.body.category] || rec.body.category;
    el.querySelector(".report-status").textContent = rec.error ? L$.error : L$.pending;
    el.querySelector(".report-when").textContent = when(rec.created_at);
    el.querySelector(".report-text").textContent = rec.body.behaviour;
    var out = el.querySelector(".report-outcome");
    out.textContent = rec.error ? rec.error.message : ""; out.hidden = !rec.error;
    if (rec.error && !el.querySelector(".fix")) {  // the report page opens it again, to correct
      var fix = document.createElement("a");
      fix.className = "button fix"; fix.href = "/report"; fix.textContent = L$.fix;
      el.appendChild(fix);
    }
    if (!el.parentNode) { list.insertBefore(el, list.firstChild); }
    emptyCheck();
  }
  function showOutbox() { return wjqueue.list(data.person).then(function (records) { records.forEach(renderPending); }); }

  function load() {
    return fetch("/api/sightings/mine", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(L$.error); } return r.json(); })
      .then(function (body) { $("mine-error").hidden = true; body.sightings.forEach(render); })
      .catch(function () { problem(L$.unreachable); })
      .then(showOutbox).then(emptyCheck);
  }

  var socket = io("/field", { transports: ["websocket", "polling"] });
  window.wjRetryRefused(socket);
  socket.on("connect", function () { $("live").className = "live ok"; $("live").textContent = L$.connected; });
  socket.on("disconnect", function () { $("live").className = "live down"; $("live").textContent = L$.disconnected; });
  socket.on("sighting", render);

  load().then(function () {
    wjqueue.start(data.person, {
      posted: function (rec, s) { render(s); },
      done: function () { load(); }
    });
  });
})();
