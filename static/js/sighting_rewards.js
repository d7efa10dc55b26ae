/* The officers' sighting rewards page: each row saves what a confirmed report of its kind pays
   (PUT {category, points}), then says "saved" under its field, or the refusal next to it. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("reward-data").textContent);
  var labels = data.labels;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;

  function say(form, kind, text) {
    var error = form.querySelector(".reward-error");
    var saved = form.querySelector(".reward-saved");
    error.hidden = kind !== "error";
    saved.hidden = kind !== "saved";
    (kind === "error" ? error : saved).textContent = text;
    form.points.setAttribute("aria-invalid", kind === "error" ? "true" : "false");
  }

  function save(form) {
    var field = form.points;
    var button = form.querySelector("button");
    var text = field.value.trim();
    if (!/^\d{1,4}$/.test(text) || Number(text) > 1000) {
      say(form, "error", labels.whole);
      field.focus();
      return;
    }
    button.disabled = true;
    say(form, "saving", "");
    button.textContent = labels.saving;
    var body = { category: form.dataset.category, points: Number(text) };
    fetch(data.url, {
      method: "PUT", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf }
    }).then(function (r) {
      return r.json().then(function (b) { return { ok: r.ok, body: b }; });
    }).then(function (answer) {
      if (!answer.ok) {
        say(form, "error", answer.body.error.message);
        field.focus();
        return;
      }
      answer.body.rewards.forEach(function (row) {
        if (row.category === body.category) {
          field.value = String(row.points);
          say(form, "saved", labels.saved.replace("{n}", String(row.points)));
        }
      });
    }).catch(function () {
      say(form, "error", labels.offline);
    }).then(function () {
      button.disabled = false;
      button.textContent = button.dataset.label;
    });
  }

  document.querySelectorAll(".reward-row").forEach(function (form) {
    var button = form.querySelector("button");
    button.dataset.label = button.textContent;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save(form);
    });
    form.points.addEventListener("input", function () {
      form.querySelector(".reward-saved").hidden = true;
    });
  });
})();
