/* The check-in page a poster opens: locate, submit, show the result. No framework, no map.
   Weak networks: every attempt is queued in localStorage before it is sent and removed only
   when the server has answered, so a dropped connection loses nothing; the queue is flushed
   when the phone is back online or the page is opened again. Only what is sent from the queue
   says so (queued_offline): the server then dates it by the phone's clock, and judges it in
   the order scans were made, so the queue goes out oldest first and before any new scan.
   Duty phones are shared: the queue is kept per person, forgotten at logout (here, by logout.js
   on other pages, and by the logout answer's Clear-Site-Data), and each attempt names who saved
   it, so nobody's scans go out under another's login. */
(function () {
  "use strict";
  var root = document.getElementById("checkin");
  var person = Number(root.dataset.person);
  var QUEUE = "wanjia.checkin.queue." + person;
  /* The queue of earlier versions was one per phone, whoever saved it: not sent to anyone. */
  try { localStorage.removeItem("wanjia.checkin.queue"); } catch (e) { /* private mode */ }
  var labels = JSON.parse(document.getElementById("labels").textContent);
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var statusEl = document.getElementById("status");
  var statusText = document.getElementById("status-text");
  var retry = document.getElementById("retry");
  var held = document.getElementById("held");
  var appealUrl = null;

  function fmt(text, n) { return text.replace("{n}", n); }
  function show(kind, text, code) {
    statusEl.className = "status " + kind;
    statusText.textContent = text;
    if (code) { statusEl.dataset.code = code; } else { delete statusEl.dataset.code; }
    if (kind !== "done") { document.getElementById("result").hidden = true; }
    if (kind !== "held") { held.hidden = true; }
  }
  function load() { try { return JSON.parse(localStorage.getItem(QUEUE)) || []; } catch (e) { return []; } }
  function save(items) { try { localStorage.setItem(QUEUE, JSON.stringify(items)); } catch (e) { /* private mode */ } }
  function forget(id) { save(load().filter(function (i) { return i.client_id !== id; })); }
  function newId() {
    var a = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  var inflight = {};  // client_id -> promise: one request per attempt at a time
  var live = 0;       // scans of this page being sent live (their saved copies wait)
  var RETRY_MS = 30000;
  var shown = null;   // client_id of the attempt whose answer this page shows

  function send(item) {
    if (inflight[item.client_id]) { return inflight[item.client_id]; }
    var done = function () { delete inflight[item.client_id]; };
    var sending = post(item);
    sending.then(done, done);
    inflight[item.client_id] = sending;
    return sending;
  }

  function post(item) {
    return fetch(item.api, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(item)
    }).then(function (response) {
      // A proxy's 502 page is no JSON: read as no body, so the status still decides.
      return response.json().catch(function () { return null; }).then(function (body) {
        // Not answered: a server fault, a login that ended (the page will ask to log in
        // again), or another login since this page opened (its CSRF token is stale, or the
        // attempt names someone else); it stays queued and is sent once that is put right.
        var code = body && body.error && body.error.code;
        if (response.status >= 500) {  // the phone is online: not the "no network" message
          var fault = new Error("server fault"); fault.serverFault = true; throw fault;
        }
        if (response.status === 401 || code === "csrf_failed" ||
            code === "queued_by_someone_else") { throw new Error("retry later"); }
        if (response.status === 429) {  // too many at once: kept, sent again later; say so
          var busy = new Error("too many"); busy.answer = { ok: false, body: body }; throw busy;
        }
        forget(item.client_id);  // answered, yes or no: never send it again
        return { ok: response.ok, body: body };
      });
    });
  }

  var flushing = null;  // the queue being sent, if it is

  /* Send every saved attempt, one after another, oldest first; the one this page is showing
     gets its answer shown. */
  function flushQueue() {
    if (flushing) { return flushing; }
    var items = load();
    function next(i) {
      if (i >= items.length) { return null; }
      var item = items[i];
      return send(item).then(function (answer) {
        if (item.client_id === shown) { showAnswer(answer); }
      }, function (error) {
        if (item.client_id === shown) { unanswered(error); }
        /* still offline: keep it */
      }).then(function () { return next(i + 1); });
    }
    var done = function () { flushing = null; };
    flushing = Promise.resolve(next(0)).then(done, done);
    return flushing;
  }

  /* Not answered: still on the phone, to be sent again (the server's reason, if it gave one). */
  function unanswered(error) {
    if (error && error.answer) { showAnswer(error.answer); return; }
    show("queued", error && error.serverFault ? labels.server_busy : labels.queued, "queued");
  }

  /* Held on doubtful evidence: recorded, its points waiting; say why and offer the appeal. */
  function showHeld(b) {
    show("held", labels.held, "held");
    var list = document.getElementById("held-reasons");
    list.textContent = "";
    (b.doubts || []).forEach(function (d) {
      var li = document.createElement("li"); li.textContent = d.message; list.appendChild(li);
    });
    document.getElementById("held-points").textContent = fmt(labels.held_points, b.points);
    appealUrl = b.appeal_url;
    document.getElementById("appeal-form").hidden = !!b.appealed;
    document.getElementById("appeal-done").hidden = !b.appealed;
    held.hidden = false;
  }

  document.getElementById("appeal").addEventListener("click", function () {
    var button = this;
    if (!appealUrl) { return; }
    button.disabled = true;
    fetch(appealUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ note: document.getElementById("appeal-note").value })
    }).then(function (response) {
      if (!response.ok) { throw new Error("appeal " + response.status); }
      document.getElementById("appeal-form").hidden = true;
      document.getElementById("appeal-done").hidden = false;
    }).catch(function () {
      button.disabled = false;
      statusText.textContent = labels.failed;
    });
  });

  /* Once, after the scan: a browser that does not trust this server's certificate (its
     warning was clicked through) refuses to install a service worker, and caches nothing
     either; say so in one line, so the police room installs its certificate on the phone. */
  var probed = false;
  function probeTrust() {
    if (probed || !root.dataset.probe || !navigator.serviceWorker) { return; }
    probed = true;
    navigator.serviceWorker.register(root.dataset.probe).catch(function (error) {
      if (error && error.name === "SecurityError" && /certificate|SSL/i.test(error.message)) {
        document.getElementById("untrusted").hidden = false;
      }
    });
  }

  function showAnswer(answer) {
    setTimeout(probeTrust, 0);
    if (answer.ok && answer.body.status === "held") {
      showHeld(answer.body);
    } else if (answer.ok) {
      var b = answer.body;
      show("done", labels.ok);  /* the point's name is the page's heading */
      document.getElementById("result-points").textContent = fmt(labels.points, b.points);
      document.getElementById("result-balance").textContent = b.balance;
      document.getElementById("result-streak").textContent = fmt(labels.days, b.streak_days);
      document.getElementById("result-remaining").textContent = b.remaining_today;
      document.getElementById("result").hidden = false;
    } else {
      var error = answer.body.error || {};
      show("refused", error.message || labels.failed, error.code || "failed");
      retry.hidden = false;
    }
  }

  function submit(position) {
    var item = {
      api: root.dataset.api, token: root.dataset.token, client_id: newId(),
      lat: position.coords.latitude, lon: position.coords.longitude,
      accuracy: position.coords.accuracy, device_time: new Date().toISOString(),
      person_id: person
    };
    /* The saved copy is sent only if this live attempt gets no answer: it then waited. */
    var queue = load(); queue.push(Object.assign({}, item, { queued_offline: true })); save(queue);
    shown = item.client_id;
    show("working", labels.sending);
    /* Scans saved earlier go first; a queue stuck on a bad network holds this one back 5 s. */
    var waited = new Promise(function (resolve) { setTimeout(resolve, 5000); });
    live += 1;
    Promise.race([flushing || null, waited]).then(function () {
      return send(item);
    }).then(function (answer) {
      if (shown === item.client_id) { showAnswer(answer); }
    }, function (error) {
      if (shown === item.client_id) { unanswered(error); }
    }).then(function () { live -= 1; });
  }

  function locate() {
    shown = null;
    retry.hidden = true;
    document.getElementById("help").hidden = true;
    show("working", labels.locating);
    if (!window.isSecureContext) {
      // Browsers give location only to HTTPS pages (and localhost): say so, not "allow it".
      show("refused", labels.insecure);
      statusEl.dataset.code = "insecure_origin";
      return;
    }
    if (!navigator.geolocation) { return failed({ code: 2 }); }
    navigator.geolocation.getCurrentPosition(submit, failed,
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
  }

  function failed(error) {
    var denied = error && error.code === 1;
    show("refused", denied ? labels.denied : labels.unavailable,
         denied ? "location_denied" : "location_unavailable");
    document.getElementById("help").hidden = !denied;
    retry.hidden = false;
  }

  /* Logging out from this page forgets this person's queue (static/js/logout.js elsewhere). */
  document.addEventListener("submit", function (event) {
    if (/\/logout$/.test(event.target.getAttribute("action") || "")) {
      try { localStorage.removeItem(QUEUE); } catch (e) { /* private mode */ }
    }
  }, true);
  window.addEventListener("online", flushQueue);
  /* A server fault (the database briefly away answers 503) keeps attempts while the phone stays
     online, so no "online" event comes: send them again every 30 s while the page is open. */
  setInterval(function () { if (!live && load().length) { flushQueue(); } }, RETRY_MS);
  retry.addEventListener("click", locate);
  if (root.dataset.stale) {
    flushQueue();
    show("refused", labels.stale, "qr_stale");
    return;
  }
  /* Opened again with an attempt at this point still saved on the phone (it was offline):
     send that one and show its answer rather than starting a second check-in here. */
  var saved = load().filter(function (i) { return i.token === root.dataset.token; });
  if (saved.length) {
    shown = saved[saved.length - 1].client_id;
    show("working", labels.sending);
    flushQueue();
    return;
  }
  flushQueue();
  locate();
})();
