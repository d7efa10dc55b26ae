/* "I was there: please check" on the history page: appeals a held check-in with one tap. The
   server answers the same however often it is sent, so a double tap does no harm. */
(function () {
  "use strict";
  var labels = JSON.parse(document.getElementById("appeal-labels").textContent);
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-appeal]");
    if (!button) { return; }
    button.disabled = true;
    fetch(button.dataset.appeal, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: "{}"
    }).then(function (response) {
      if (!response.ok) { throw new Error("appeal " + response.status); }
      var done = button.nextElementSibling;
      button.hidden = true;
      if (done) { done.hidden = false; }
    }).catch(function () {
      button.disabled = false;
      button.textContent = labels.failed;
    });
  });
})();
