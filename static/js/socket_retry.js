/* Socket.IO's client does not reconnect by itself after the server refused a connection. A
   refusal for a passing reason (the database briefly unreachable, or too many connections from
   this person in a minute) is asked again later; a lasting one (logged out) is left alone. */
(function () {
  "use strict";
  var RETRY_MS = { database_unavailable: 5000, too_many_events: 30000 };
  window.wjRetryRefused = function (socket) {
    socket.on("connect_error", function (err) {
      var code = err && err.data && err.data.error && err.data.error.code;
      if (!RETRY_MS[code]) return;
      setTimeout(function () { if (!socket.connected) socket.connect(); }, RETRY_MS[code]);
    });
  };
})();
