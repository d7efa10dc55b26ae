/* The officers' corrections list: approve or reject another officer's pending correction
   through the form's data-approve / data-reject URLs; a refusal is shown as text. */
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var box = document.getElementById("correction-error");
  function call(url, body) {
    return fetch(url, { method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf } })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); });
  }
  function show(answer) {
    box.textContent = answer.body.error.message;
    box.dataset.code = answer.body.error.code;
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }
  function decide(form, url, body, buttons) {
    var rowError = form.parentNode.querySelector(".row-error");
    box.hidden = true;
    rowError.hidden = true;
    buttons.forEach(function (b) { b.disabled = true; });
    call(url, body).then(function (answer) {
      if (answer.ok) { location.reload(); return; }
      buttons.forEach(function (b) { b.disabled = false; });
      if (answer.body.error.field === "reason") {
        rowError.textContent = answer.body.error.message;  // next to the box it is about
        rowError.hidden = false;
        form.reason.focus();
      } else {
        show(answer);
      }
    });
  }
  document.querySelectorAll(".decide-form").forEach(function (form) {
    var approve = form.querySelector(".approve");
    var reject = form.querySelector(".reject");
    var buttons = [approve, reject];
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    approve.addEventListener("click", function () {
      if (!window.confirm(form.dataset.confirm)) { return; }
      decide(form, form.dataset.approve, {}, buttons);
    });
    reject.addEventListener("click", function () {
      decide(form, form.dataset.reject, { reason: form.reason.value }, buttons);
    });
  });
})();
