// My appointments: cancelling asks once more, so a stray tap does not give up a booked time.
(function () {
  "use strict";
  var question = document.documentElement.lang === "en"
    ? "Cancel this appointment?"
    : "确定取消这次预约吗？";
  document.querySelectorAll("form.appt-cancel").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(question)) {
        event.preventDefault();
      }
    });
  });
})();
