/* The set-up page: "+ Add another police area" copies the empty row kept in a <template>, numbers
   its heading and puts the cursor in its name. Without this script the page still works with
   one area; more can be added afterwards on the admin page. */
(function () {
  "use strict";
  var button = document.getElementById("add-area-row");
  var rows = document.getElementById("area-rows");
  var template = document.getElementById("area-row-template");
  if (!button || !rows || !template) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    var row = template.content.firstElementChild.cloneNode(true);
    var n = rows.querySelectorAll(".area-row").length + 1;
    row.querySelector("legend").textContent = button.dataset.legend.replace("#", String(n));
    rows.appendChild(row);
    row.querySelector("input").focus();
  });
})();
