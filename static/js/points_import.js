/* The points import page: the spreadsheet is sent by XHR so a progress bar can show the upload
   (a police room's link can be slow); the answer, a preview or an error, is the server's own
   page, whose <main> takes the place of this one's. Without this script the form posts as is. */
(function () {
  "use strict";

  function swapMain(doc) {
    var next = doc && doc.querySelector("main");
    if (!next) { return false; }
    var main = document.querySelector("main");
    main.replaceWith(document.importNode(next, true));
    var heading = document.querySelector("main h2, main h1");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    window.scrollTo(0, 0);
    return true;
  }

  function send(form) {
    var button = form.querySelector("button[type=submit]");
    var box = form.querySelector(".upload-progress");
    var bar = box.querySelector("progress");
    var note = box.querySelector(".progress-text");
    var label = button.textContent;
    function failed() {
      note.textContent = form.dataset.failed;
      button.textContent = label;
      button.disabled = false;
      form.removeAttribute("aria-busy");
    }
    button.disabled = true;
    button.textContent = form.dataset.sending;
    form.setAttribute("aria-busy", "true");
    box.hidden = false;
    bar.value = 0;
    note.textContent = form.dataset.sending;

    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.responseType = "document";
    xhr.setRequestHeader("Accept", "text/html");
    xhr.upload.addEventListener("progress", function (event) {
      if (!event.lengthComputable) { return; }
      var percent = Math.round(100 * event.loaded / event.total);
      bar.value = percent;
      note.textContent = form.dataset.sending + " " + percent + "%";
    });
    xhr.upload.addEventListener("load", function () {
      bar.value = 100;
      note.textContent = form.dataset.busy;
      button.textContent = form.dataset.busy;
    });
    xhr.addEventListener("load", function () { if (!swapMain(xhr.response)) { failed(); } });
    xhr.addEventListener("error", failed);
    xhr.send(new FormData(form));
  }

  // Delegated: the form is replaced with each answer.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id === "import-form") {
      event.preventDefault();
      send(form);
    } else if (form.dataset.busy) {  // the confirmation: a plain post, sent once
      var button = form.querySelector("button[type=submit]");
      button.textContent = form.dataset.busy;
      button.disabled = true;
    }
  });
})();
