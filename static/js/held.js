/* The officers' queue of held check-ins: approve (pays once) or reject with a reason. */
(function () {
  "use strict";
  var labels = JSON.parse(document.getElementById("labels").textContent);
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var errorBox = document.getElementById("held-error");

  function post(url, body) {
    return fetch(url, { method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf } })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); });
  }
  function decided(row, text) {
    row.querySelectorAll(".decision button, .decision .reject").forEach(function (el) { el.hidden = true; });
    var note = row.querySelector(".decided");
    note.textContent = text;
    note.hidden = false;
    row.classList.add("done");
  }
  function failed(answer) {
    errorBox.textContent = (answer && answer.body && answer.body.error && answer.body.error.message) || labels.failed;
    errorBox.hidden = false;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-approve], button[data-reject]");
    if (!button) { return; }
    var row = button.closest("tr");
    errorBox.hidden = true;
    var body = {};
    if (button.dataset.reject) {
      var input = row.querySelector(".reject input");
      body.reason = input.value.trim();
      if (!body.reason) { errorBox.textContent = labels.reason; errorBox.hidden = false; input.focus(); return; }
    }
    button.disabled = true;
    post(button.dataset.approve || button.dataset.reject, body).then(function (answer) {
      button.disabled = false;
      if (!answer.ok) { return failed(answer); }
      decided(row, answer.body.status === "valid"
        ? labels.approved.replace("{n}", answer.body.points) : labels.rejected);
    }, function () { button.disabled = false; failed(null); });
  });
})();
