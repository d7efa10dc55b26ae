/* Logging out forgets what the check-in page keeps on this phone for the person logging out:
   scans it could not send yet (static/js/checkin.js). Duty phones pass from hand to hand, and
   nothing of one guard's may go out under the next one's login. Runs on every page that shows
   a logout form (base.html), before the form is sent. */
(function () {
  "use strict";
  var me = document.currentScript;
  var person = me.dataset.person;
  var logout = me.dataset.logout;

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || form.getAttribute("action") !== logout) { return; }
    try {
      localStorage.removeItem("wanjia.checkin.queue." + person);
      localStorage.removeItem("wanjia.checkin.queue");  // one per phone, before it was per person
    } catch (e) { /* private mode: nothing was kept */ }
  }, true);
})();
