/* Small behaviours a page declares in its markup, so that no page needs a script of its own
   inline (the Content Security Policy runs only our files, never inline code):
   - <form data-confirm="question">: asks before the form is sent;
   - <button data-action="url" data-confirm="question">: asks, POSTs there, reloads the page;
   - <button data-back="url">: back to the page before, or to url when there is none. */
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]').content;

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });

  document.querySelectorAll("button[data-action]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (button.dataset.confirm && !confirm(button.dataset.confirm)) { return; }
      fetch(button.dataset.action, { method: "POST", credentials: "same-origin",
        headers: { "Accept": "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: "{}" }).then(function () { location.reload(); });
    });
  });

  document.querySelectorAll("button[data-back]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (history.length > 1) { history.back(); } else { location.href = button.dataset.back; }
    });
  });
})();
