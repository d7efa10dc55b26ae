/* Logging out forgets what the check-in page keeps on this phone for the person logging out:
   scans it could not send yet (static/js/checkin.js). Duty phones pass from hand to hand, and
   nothing of one guard's may go out under the next one's login. Runs on every page that shows
   a logout form (base.html), before the form is sent. Sighting reports still waiting to send
   (static/js/report_queue.js) go with the logout's Clear-Site-Data too, so it asks first. */
(function () {
  "use strict";
  var me = document.currentScript;
  var person = me.dataset.person;
  var logout = me.dataset.logout;

  /* How many of this person's reports wait in the outbox, read without creating it. */
  function unsentReports() {
    return new Promise(function (resolve) {
      try {
        var req = indexedDB.open("wanjia-reports");
        req.onupgradeneeded = function () { req.transaction.abort(); };
        req.onerror = function () { resolve(0); };
        req.onsuccess = function () {
          var db = req.result;
          if (!db.objectStoreNames.contains("reports")) { db.close(); resolve(0); return; }
          var all = db.transaction("reports").objectStore("reports").getAll();
          all.onsuccess = function () {
            db.close();
            resolve(all.result.filter(function (r) { return String(r.person) === person; }).length);
          };
          all.onerror = function () { db.close(); resolve(0); };
        };
      } catch (e) { resolve(0); }  // no IndexedDB: no outbox either
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || form.getAttribute("action") !== logout) { return; }
    event.preventDefault();
    try {
      localStorage.removeItem("wanjia.checkin.queue." + person);
      localStorage.removeItem("wanjia.checkin.queue");  // one per phone, before it was per person
    } catch (e) { /* private mode: nothing was kept */ }
    unsentReports().then(function (unsent) {
      if (unsent && !confirm(me.dataset.unsent.replace("{n}", unsent))) { return; }
      form.submit();
    });
  }, true);
})();
