/* The people page: a form with data-busy says so on its button while the file is sent and
   checked (the preview that follows is the progress point), and cannot be sent twice. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (!button) { return; }
      button.textContent = form.dataset.busy;
      button.disabled = true;
      form.setAttribute("aria-busy", "true");
    });
  });
})();

/* The set-your-password page: a tick shows what was typed (older people mistype unseen). */
(function () {
  "use strict";
  document.querySelectorAll("input[data-show]").forEach(function (box) {
    box.addEventListener("change", function () {
      box.dataset.show.split(" ").forEach(function (id) {
        var field = document.getElementById(id);
        if (field) { field.type = box.checked ? "text" : "password"; }
      });
    });
  });
})();
