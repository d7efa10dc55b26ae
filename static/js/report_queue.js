/* The phone's outbox of sighting reports (IndexedDB): nothing typed, photographed or recorded is
   lost to a weak link. A report is saved whole (its JSON, photos and voice note) before anything
   is sent; the JSON goes first (the police see the text and position at once), then each photo
   and the voice note one by one, each removed from the outbox once the server has it. A failed
   or offline attempt leaves the rest in the outbox and it goes by itself: when the phone is back
   online, when a report page opens and every 30 s.

   Resending is safe: the report's client_id (made once on the phone) makes the server answer a
   second POST with the same report, and each file's part number (photo 0, 1, 2; voice 0) makes
   a file resent after a lost answer stored once.

   Records are kept per person (shared duty phones): only the logged-in person's go out. */
(function (root) {
  "use strict";
  var DB = "wanjia-reports", STORE = "reports", RETRY_MS = 30000;
  var STALLED_MS = 30000, UPLOAD_STALLED_MS = 180000;  // a photo of 300 KB at 2 KB/s still goes
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var dbPromise = null, busy = false;

  function open() {
    if (!root.indexedDB) { return Promise.reject(new Error("no IndexedDB")); }
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var req = indexedDB.open(DB, 1);
        req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "client_id" }); };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }
    return dbPromise;
  }
  function tx(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), store = t.objectStore(STORE), out;
        var req = work(store);
        if (req) { req.onsuccess = function () { out = req.result; }; }
        t.oncomplete = function () { resolve(out); };
        t.onerror = t.onabort = function () { reject(t.error); };
      });
    });
  }
  /* Where a browser has no IndexedDB (some private modes), the outbox lives as long as the page:
     the report still goes, and still waits through a dropped link while the page stays open. */
  var memory = {};
  function fallback(promise, instead) { return promise.catch(function () { return instead(); }); }
  function put(record) {
    return fallback(tx("readwrite", function (s) { return s.put(record); }), function () { memory[record.client_id] = record; });
  }
  function remove(id) {
    delete memory[id];
    return fallback(tx("readwrite", function (s) { return s.delete(id); }), function () { });
  }
  function all() {
    return fallback(tx("readonly", function (s) { return s.getAll(); }), function () { return []; }).then(function (stored) {
      return (stored || []).concat(Object.keys(memory).map(function (k) { return memory[k]; }));
    });
  }
  function list(person) {
    return all().then(function (records) {
      return records.filter(function (r) { return r.person === person; })
        .sort(function (a, b) { return a.created_at < b.created_at ? -1 : 1; });
    });
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    var h = Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  /* A new report in the outbox. media: [{kind: "photo"|"voice", type, data: ArrayBuffer}] */
  function save(person, body, media) {
    var record = {
      client_id: body.client_id, person: person, body: body, sighting_id: null,
      created_at: new Date().toISOString(), error: null, refused: [], media: []
    };
    var parts = { photo: 0, voice: 0 };
    media.forEach(function (m) {
      var part = parts[m.kind]++;
      record.media.push({ key: m.kind + part, kind: m.kind, part: part, type: m.type, data: m.data, seconds: m.seconds });
    });
    return put(record).then(function () { return record; });
  }

  function postJson(record) {
    // A link that stalls (one bar of signal) must not hold the outbox: give up, try again later.
    var abort = window.AbortController ? new AbortController() : null;
    if (abort) { setTimeout(function () { abort.abort(); }, STALLED_MS); }
    return fetch("/api/sightings", {
      method: "POST", credentials: "same-origin", signal: abort ? abort.signal : undefined,
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(record.body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        return { status: response.status, answer: answer };
      });
    });
  }

  /* One file by XHR (fetch has no upload progress). Resolves {status, answer}; rejects offline. */
  function upload(record, item, onProgress) {
    return new Promise(function (resolve, reject) {
      var form = new FormData(), xhr = new XMLHttpRequest();
      var ext = item.type.indexOf("mp4") >= 0 ? "m4a" : item.type.indexOf("webm") >= 0 ? "webm" : "jpg";
      form.append("kind", item.kind);
      form.append("part", String(item.part));
      form.append("file", new Blob([item.data], { type: item.type }), item.key + "." + ext);
      xhr.open("POST", "/api/sightings/" + record.sighting_id + "/media");
      xhr.setRequestHeader("X-CSRFToken", csrf);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.timeout = UPLOAD_STALLED_MS;
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) { onProgress(e.loaded / e.total); } };
      xhr.onload = function () {
        var answer = {};
        try { answer = JSON.parse(xhr.responseText); } catch (e) { /* an HTML error page */ }
        resolve({ status: xhr.status, answer: answer });
      };
      xhr.onerror = xhr.ontimeout = xhr.onabort = function () { reject(new Error("offline")); };
      xhr.send(form);
    });
  }

  /* Worth trying again later: offline, the server busy, logged out, or a stale session token. */
  function transient(r) {
    var code = r.answer && r.answer.error && r.answer.error.code;
    return r.status === 0 || r.status >= 500 || [401, 403, 408, 429].indexOf(r.status) >= 0 || code === "csrf_failed";
  }

  function fieldError(answer) {
    var error = (answer && answer.error) || {};
    return { code: error.code || "error", message: error.message || "", field: error.field || null };
  }

  /* Send one report as far as the link allows. hooks: posted(record, sighting), progress(record,
     item, fraction), item(record, item), refused(record, item, status, error), rejected(record,
     error), waiting(record), done(record). Resolves true when it left the outbox. */
  function send(record, hooks) {
    var h = hooks || {};
    var call = function (name) { if (h[name]) { h[name].apply(null, Array.prototype.slice.call(arguments, 1)); } };
    function waiting() { call("waiting", record); return false; }
    function first() {
      if (record.sighting_id) { return Promise.resolve(true); }
      return postJson(record).then(function (r) {
        if (r.status === 200 || r.status === 201) {
          record.sighting_id = r.answer.id; record.error = null;
          return put(record).then(function () { call("posted", record, r.answer); return true; });
        }
        if (!transient(r)) {
          // The report itself is refused (no behaviour, profiling words, outside the area): it
          // waits in the outbox, marked, for the person to correct it on the form.
          record.error = fieldError(r.answer);
          return put(record).then(function () { call("rejected", record, record.error); return false; });
        }
        return waiting();
      }, waiting);
    }
    function next() {
      if (!record.media.length) {
        return remove(record.client_id).then(function () { call("done", record); return true; });
      }
      var item = record.media[0];
      return upload(record, item, function (f) { call("progress", record, item, f); }).then(function (r) {
        var ok = r.status === 201 || r.status === 200, full = r.status === 409;
        if (transient(r)) { return waiting(); }
        record.media.shift();
        if (ok || full) { call("item", record, item); }
        else {  // 413 too large, 422 not an image / too long: this file can never go
          record.refused.push({ kind: item.kind, key: item.key, status: r.status, error: fieldError(r.answer) });
          call("refused", record, item, r.status, fieldError(r.answer));
        }
        return put(record).then(next);
      }, waiting);
    }
    return first().then(function (posted) { return posted ? next() : false; });
  }

  /* Send every report of this person waiting in the outbox, oldest first, one at a time. A call
     while a round is under way asks for another round after it (a report saved meanwhile). */
  var person = null, hooks = {}, again = false;
  function drain() {
    if (person === null) { return Promise.resolve(); }
    if (busy) { again = true; return Promise.resolve(); }
    busy = true; again = false;
    var work = function () {
      return list(person).then(function (records) {
        var chain = Promise.resolve();
        records.forEach(function (record) {
          if (record.error) { return; }  // waits for the person to correct it on the form
          chain = chain.then(function () { return send(record, hooks); });
        });
        return chain;
      });
    };
    var round = navigator.locks  // one tab at a time sends, so no photo goes twice
      ? navigator.locks.request("wanjia-report-outbox", { ifAvailable: true }, function (lock) { return lock ? work() : null; })
      : work();
    return Promise.resolve(round).catch(function () { /* stays in the outbox */ })
      .then(function () { busy = false; if (again) { return drain(); } });
  }

  /* Keep sending this person's reports: now, when the phone is back online, and every 30 s. */
  function start(who, callbacks) {
    person = who; hooks = callbacks || {};
    window.addEventListener("online", drain);
    setInterval(drain, RETRY_MS);
    return drain();
  }

  root.wjqueue = { uuid: uuid, save: save, drain: drain, start: start, list: list, remove: remove };
}(window));
