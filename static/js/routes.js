/* The officer's patrol routes page: stops are numbered in the order they are ticked, and the
   new route is sent to the form's data-api. */
(function () {
  "use strict";
  var form = document.getElementById("new-route"), order = [];
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  form.querySelectorAll('input[name="point"]').forEach(function (box) {
    box.addEventListener("change", function () {
      order = order.filter(function (id) { return id !== box.value; });
      if (box.checked) { order.push(box.value); }
      form.querySelectorAll('input[name="point"]').forEach(function (b) {
        var n = order.indexOf(b.value);
        b.parentNode.querySelector(".stop-order").textContent = n < 0 ? "" : "#" + (n + 1);
      });
    });
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var people = Array.prototype.map.call(form.querySelectorAll('input[name="person"]:checked'), function (b) { return b.value; });
    fetch(form.dataset.api, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ name: form.name.value, starts_at: form.starts_at.value, ends_at: form.ends_at.value,
                             bonus_points: form.bonus_points.value, point_ids: order, user_ids: people })
    }).then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (a) {
        if (a.ok) { location.reload(); return; }
        var box = document.getElementById("route-error");
        box.textContent = a.body.error.message; box.dataset.code = a.body.error.code; box.hidden = false;
        box.scrollIntoView();
      });
  });
})();
