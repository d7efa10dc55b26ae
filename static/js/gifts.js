/* The officer's gift catalog: a new gift is sent to the form's data-api, a stock edited in
   place to its input's data-api. */
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  function call(method, url, body) {
    return fetch(url, { method: method, credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf } })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); });
  }
  var box = document.getElementById("gift-error");
  function show(a) { box.textContent = a.body.error.message; box.dataset.code = a.body.error.code; box.hidden = false; }
  document.querySelectorAll(".stock-input").forEach(function (input) {
    input.addEventListener("change", function () {
      call("PATCH", input.dataset.api, { stock: input.value }).then(function (a) { if (!a.ok) { show(a); } });
    });
  });
  var form = document.getElementById("new-gift");
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    call("POST", form.dataset.api, { name: form.name.value, price: form.price.value, stock: form.stock.value,
      per_person_limit: form.per_person_limit.value, pickup_place: form.pickup_place.value,
      // only a station's officer, working in several areas, has the area to choose
      police_area_id: form.police_area_id ? form.police_area_id.value : undefined })
      .then(function (a) { if (a.ok) { location.reload(); } else { show(a); } });
  });
})();
