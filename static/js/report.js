/* Report what you see, from a cheap phone on one bar of signal: a category, what is happening,
   optional looks, the phone's position (or a tap on the map), up to 3 photos made small on the
   phone (long side 1280 px, JPEG 0.8) and a voice note of up to 60 s. Send saves the whole report
   in the outbox (report_queue.js) first, so nothing is lost; the police get the text at once and
   the files follow one by one with a progress bar. A photo's EXIF never gives the position. */
(function () {
  "use strict";
  var L$ = JSON.parse(document.getElementById("labels").textContent);
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var form = $("report"), LONG_SIDE = 1280, QUALITY = 0.8, MAX_PHOTOS = 3, VOICE_S = 60, ROUGH_M = 100;
  var photos = [], voice = null, position = null, clientId = wjqueue.uuid(), current = null;
  var map = null, marker = null, ring = null;
  var processing = Promise.resolve();  // photos still being made small: sending waits for them

  function fmt(text, values) { return text.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; }); }
  function bytes(blob) {
    if (blob.arrayBuffer) { return blob.arrayBuffer(); }
    return new Promise(function (resolve) { var r = new FileReader(); r.onload = function () { resolve(r.result); }; r.readAsArrayBuffer(blob); });
  }

  /* Errors: each shown by the field it names, in the server's plain words. */
  function clearErrors() {
    form.querySelectorAll(".field-error").forEach(function (p) { p.hidden = true; p.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }
  function showError(field, message, code) {
    var parts = String(field || "form").split("."), box = form.querySelector('.field-error[data-for="' + parts[0] + '"]');
    if (!box) { box = form.querySelector('.field-error[data-for="form"]'); }
    box.textContent = message || L$.error; box.dataset.code = code || ""; box.hidden = false;
    if (parts[0] === "appearance") { $("appearance").open = true; }
    var input = parts[0] === "appearance" && parts[1] ? $("ap-" + parts[1]) : form.elements[parts[0]];
    if (input && input.setAttribute) { input.setAttribute("aria-invalid", "true"); }
    box.scrollIntoView({ block: "center" });
  }

  /* Position: the phone's fix, high accuracy; a tap on the map moves it. */
  function place(lat, lon, accuracy, source) {
    position = { lat: lat, lon: lon, accuracy_m: accuracy, position_source: source };
    if (!map) { return; }
    if (!marker) {
      marker = L.circleMarker([lat, lon], { radius: 12, color: "#c62828", weight: 4, fillOpacity: 0.6 }).addTo(map);
      ring = L.circle([lat, lon], { radius: 1, color: "#c62828", weight: 1, fillOpacity: 0.08 }).addTo(map);
    }
    marker.setLatLng([lat, lon]);
    ring.setLatLng([lat, lon]).setRadius(accuracy || 1);
    // A fix from the mobile network alone can be hundreds of metres off: ask for a tap then.
    var said = accuracy > ROUGH_M ? L$.rough : L$.located;
    $("where").textContent = source === "map" ? L$.moved : fmt(said, { m: Math.round(accuracy || 0) });
  }
  function locate() {
    if (window.L) {
      map = wjmap.create($("report-map"), { zoomControl: true });
      if (data.centre) { map.setView(data.centre, 16); } else { map.setView([35, 105], 4); }
      map.on("click", function (e) { place(e.latlng.lat, e.latlng.lng, null, "map"); });
    }
    if (!navigator.geolocation) { $("where").textContent = L$.no_gps; return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      if (position) { return; }  // the person chose a spot already, or it came back with the report
      place(pos.coords.latitude, pos.coords.longitude, pos.coords.accuracy, "gps");
      if (map) { map.setView([pos.coords.latitude, pos.coords.longitude], 17); }
    }, function () { if (!position) { $("where").textContent = L$.no_gps; } },
    { enableHighAccuracy: true, timeout: 20000, maximumAge: 30000 });
  }

  /* Photos: decoded the right way up, drawn at most 1280 px on the long side, JPEG 0.8. */
  function decode(file) {
    var viaImg = function () {
      return new Promise(function (resolve, reject) {
        var reader = new FileReader();
        reader.onload = function () { var img = new Image(); img.onload = function () { resolve(img); }; img.onerror = reject; img.src = reader.result; };
        reader.onerror = reject;
        reader.readAsDataURL(file);
      });
    };
    if (!window.createImageBitmap) { return viaImg(); }
    return createImageBitmap(file, { imageOrientation: "from-image" }).catch(viaImg);
  }
  function shrink(file) {
    return decode(file).then(function (img) {
      var w = img.naturalWidth || img.width, h = img.naturalHeight || img.height;
      var scale = Math.min(1, LONG_SIDE / Math.max(w, h));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(w * scale); canvas.height = Math.round(h * scale);
      var ctx = canvas.getContext("2d");
      ctx.imageSmoothingQuality = "high";
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      if (img.close) { img.close(); }
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) { if (blob) { resolve({ blob: blob, canvas: canvas }); } else { reject(new Error("toBlob")); } }, "image/jpeg", QUALITY);
      });
    });
  }
  function thumb(canvas) {
    var t = document.createElement("canvas"), side = 160, s = side / Math.min(canvas.width, canvas.height);
    t.width = side; t.height = side; t.className = "thumb-img";
    t.getContext("2d").drawImage(canvas, (side - canvas.width * s) / 2, (side - canvas.height * s) / 2, canvas.width * s, canvas.height * s);
    return t;
  }
  function drawPhotos() {
    var list = $("thumbs");
    list.textContent = "";
    photos.forEach(function (p, i) {
      var li = document.createElement("li"), remove = document.createElement("button");
      li.className = "thumb"; li.appendChild(p.thumb);
      remove.type = "button"; remove.className = "thumb-remove"; remove.textContent = "✕";
      remove.setAttribute("aria-label", fmt(L$.photo, { n: i + 1 }) + " ✕");
      remove.addEventListener("click", function () { photos.splice(i, 1); drawPhotos(); });
      li.appendChild(remove); list.appendChild(li);
    });
    $("add-photo").hidden = photos.length >= MAX_PHOTOS;
  }
  $("photo-input").addEventListener("change", function () {
    var files = Array.prototype.slice.call(this.files || []);
    this.value = "";
    form.querySelector('.field-error[data-for="photos"]').hidden = true;
    $("photo-busy").hidden = !files.length;
    processing = files.slice(0, MAX_PHOTOS - photos.length).reduce(function (chain, file) {
      return chain.then(function () { return shrink(file); }).then(function (made) {
        return bytes(made.blob).then(function (buf) {
          photos.push({ kind: "photo", type: "image/jpeg", data: buf, thumb: thumb(made.canvas) });
          drawPhotos();
        });
      }).catch(function () { showError("photos", L$.photo_failed); });
    }, processing).then(function () { $("photo-busy").hidden = true; });
  });

  /* Voice: shown only where the browser can record; stops by itself at 60 s; listened to
     through Web Audio (no blob: URL needed under the page's security policy). */
  var recorder = null, ticker = null;
  function canRecord() { return !!(window.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia); }
  function voiceType() {
    var types = ["audio/webm;codecs=opus", "audio/mp4", "audio/webm"];
    for (var i = 0; i < types.length; i++) { if (MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported(types[i])) { return types[i]; } }
    return "";
  }
  function drawVoice() {
    $("voice-done").hidden = !voice;
    $("record").textContent = voice ? L$.again : L$.record;
    if (voice) { $("voice-length").textContent = fmt(L$.recorded, { s: voice.seconds }); }
  }
  function stopRecording() { if (recorder && recorder.state !== "inactive") { recorder.stop(); } }
  function record() {
    if (recorder && recorder.state === "recording") { stopRecording(); return; }
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      var type = voiceType(), chunks = [], began = Date.now(), finished;
      processing = processing.then(function () { return new Promise(function (resolve) { finished = resolve; }); });
      recorder = type ? new MediaRecorder(stream, { mimeType: type }) : new MediaRecorder(stream);
      recorder.ondataavailable = function (e) { if (e.data && e.data.size) { chunks.push(e.data); } };
      recorder.onstop = function () {
        clearInterval(ticker);
        stream.getTracks().forEach(function (t) { t.stop(); });
        var blob = new Blob(chunks, { type: (recorder.mimeType || type || "audio/webm").split(";")[0] });
        var seconds = Math.min(VOICE_S, Math.max(1, Math.round((Date.now() - began) / 1000)));
        bytes(blob).then(function (buf) { voice = { kind: "voice", type: blob.type, data: buf, seconds: seconds }; drawVoice(); finished(); });
      };
      recorder.start(1000);
      $("record").classList.add("recording");
      var tick = function () {
        var left = VOICE_S - Math.floor((Date.now() - began) / 1000);
        if (left <= 0) { $("record").classList.remove("recording"); stopRecording(); return; }
        $("record").textContent = fmt(L$.stop, { s: left });
      };
      tick(); ticker = setInterval(tick, 250);
    }, function () { var box = form.querySelector('.field-error[data-for="voice"]'); box.textContent = L$.no_mic; box.hidden = false; });
  }
  if (canRecord()) {
    $("voice-box").hidden = false;
    $("record").addEventListener("click", function () { $("record").classList.remove("recording"); record(); });
    $("voice-remove").addEventListener("click", function () { voice = null; drawVoice(); });
    $("listen").addEventListener("click", function () {
      var Ctx = window.AudioContext || window.webkitAudioContext, ctx = new Ctx();
      var box = form.querySelector('.field-error[data-for="voice"]');
      ctx.decodeAudioData(voice.data.slice(0), function (buffer) {
        var source = ctx.createBufferSource(); source.buffer = buffer; source.connect(ctx.destination); source.start();
        $("listen").dataset.played = buffer.duration.toFixed(1);
      }, function () { box.textContent = L$.no_playback; box.hidden = false; });
    });
  }

  /* Send: outbox first, then the link. */
  function body() {
    var checked = form.querySelector("input[name=category]:checked"), looks = {};
    form.querySelectorAll("#appearance input").forEach(function (input) {
      if (input.value.trim()) { looks[input.name] = input.value.trim(); }
    });
    return {
      client_id: clientId, category: checked ? checked.value : null, behaviour: $("behaviour").value.trim(),
      appearance: looks, name_hidden: $("name-hidden").checked, lat: position && position.lat,
      lon: position && position.lon, accuracy_m: position && position.accuracy_m,
      position_source: position && position.position_source, photos: photos.length, voice: !!voice
    };
  }
  function checkLocally(b) {
    if (!b.category) { showError("category", L$.need_category); return false; }
    if (!b.behaviour) { showError("behaviour", L$.need_behaviour); return false; }
    if (!position) { showError("lat", L$.need_position); return false; }
    return true;
  }
  function outcome(kind, text) {
    $("outcome-status").className = "status " + kind;
    $("outcome-text").textContent = text;
  }
  function uploadRow(item) {
    var row = document.createElement("li"), label = document.createElement("span"), bar = document.createElement("progress"), note = document.createElement("span");
    row.dataset.key = item.key; row.className = "upload";
    label.textContent = item.kind === "voice" ? L$.voice : fmt(L$.photo, { n: Number(item.key.slice(5)) + 1 });
    bar.max = 1; bar.value = 0; note.className = "upload-note";
    row.appendChild(label); row.appendChild(bar); row.appendChild(note);
    $("uploads").appendChild(row);
  }
  function row(item) { return $("uploads").querySelector('[data-key="' + item.key + '"]'); }
  var hooks = {
    posted: function (rec) { if (rec.client_id === current) { outcome("done", L$.sent); } },
    progress: function (rec, item, f) { var r = rec.client_id === current && row(item); if (r) { r.querySelector("progress").value = f; } },
    item: function (rec, item) {
      var r = rec.client_id === current && row(item);
      if (r) { r.querySelector("progress").value = 1; r.classList.add("sent"); r.querySelector(".upload-note").textContent = ""; }
    },
    refused: function (rec, item, status, error) {
      var r = rec.client_id === current && row(item);
      if (r) { r.classList.add("refused"); r.querySelector(".upload-note").textContent = status === 413 ? L$.photo_big : fmt(L$.media_refused, { why: error.message }); }
    },
    rejected: function (rec, error) {
      if (rec.client_id !== current) { pending(); return; }
      $("outcome").hidden = true; form.hidden = false; $("send").disabled = false;
      showError(error.field || (error.code === "describe_behaviour" ? "behaviour" : "form"), error.message, error.code);
    },
    waiting: function (rec) {
      if (rec.client_id !== current) { return; }
      if (!rec.sighting_id) { outcome("queued", L$.waiting); return; }
      var r = rec.media.length && row(rec.media[0]);
      if (r) { r.querySelector(".upload-note").textContent = L$.waiting; }
    },
    done: function (rec) {
      if (rec.client_id === current) { outcome("done", rec.media.length || rec.refused.length || !$("uploads").children.length ? L$.sent : L$.all_sent); }
      pending();
    }
  };
  function pending() {
    wjqueue.list(data.person).then(function (records) {
      var others = records.filter(function (r) { return r.client_id !== current; });
      $("queued").hidden = !others.length;
      $("queued").textContent = L$.pending;
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    clearErrors();
    if ($("send").disabled) { return; }
    stopRecording();  // a voice note still recording goes with the report
    $("send").disabled = true;
    processing.then(function () { send(body()); });
  });
  function send(b) {
    if (!checkLocally(b)) { $("send").disabled = false; return; }
    var media = photos.map(function (p) { return { kind: "photo", type: p.type, data: p.data }; });
    if (voice) { media.push({ kind: "voice", type: voice.type, data: voice.data, seconds: voice.seconds }); }
    current = clientId;
    wjqueue.save(data.person, b, media).then(function (rec) {
      form.hidden = true; $("outcome").hidden = false; $("uploads").textContent = "";
      rec.media.forEach(uploadRow);
      outcome(navigator.onLine === false ? "queued" : "working", navigator.onLine === false ? L$.waiting : L$.sending);
      window.scrollTo(0, 0);
      wjqueue.drain();
    }, function () { $("send").disabled = false; showError("form", L$.error); });
  }

  /* A report the server sent back (profiling words, outside the area) comes back to the form
     whole, photos and voice included, with the reason by its field. */
  function restore(rec) {
    var b = rec.body;
    clientId = rec.client_id;
    var radio = form.querySelector('input[name=category][value="' + b.category + '"]');
    if (radio) { radio.checked = true; }
    $("behaviour").value = b.behaviour;
    Object.keys(b.appearance || {}).forEach(function (k) { if ($("ap-" + k)) { $("ap-" + k).value = b.appearance[k]; } });
    $("name-hidden").checked = !!b.name_hidden;
    if (b.lat !== null && b.lat !== undefined) { place(b.lat, b.lon, b.accuracy_m, "map"); position.position_source = b.position_source; }
    var shown = rec.media.filter(function (m) { return m.kind === "photo"; }).reduce(function (chain, m) {
      return chain.then(function () { return shrink(new Blob([m.data], { type: m.type })); }).then(function (made) {
        photos.push({ kind: "photo", type: m.type, data: m.data, thumb: thumb(made.canvas) });
      });
    }, Promise.resolve());
    rec.media.forEach(function (m) { if (m.kind === "voice") { voice = { kind: "voice", type: m.type, data: m.data, seconds: m.seconds || 0 }; } });
    return shown.then(function () {
      drawPhotos(); if (canRecord()) { drawVoice(); }
      showError(rec.error.field || (rec.error.code === "describe_behaviour" ? "behaviour" : "form"), rec.error.message, rec.error.code);
    });
  }

  locate();
  wjqueue.list(data.person).then(function (records) {
    var refused = records.filter(function (r) { return r.error; })[0];
    if (refused) { current = refused.client_id; return restore(refused); }
  }).catch(function () { /* no outbox in this browser */ }).then(function () {
    return wjqueue.start(data.person, hooks);
  }).then(pending);
})();
