// Filter a county's township table by status in a year ("只看未找到"): the controls are in the page,
// hidden; this shows them and hides the rows whose cell in the chosen year has another status.
// Without script the controls stay hidden and the whole table shows. Shipped with the site.
(function () {
  function enable() {
    document.querySelectorAll(".fazhi-filterable").forEach(function (box) {
      var controls = box.querySelector(".fazhi-filter");
      var table = box.querySelector("table");
      if (!controls || !table || controls.dataset.ready) return;
      controls.dataset.ready = "1";
      controls.hidden = false;
      var select = controls.querySelector("select");
      var buttons = controls.querySelectorAll("button[data-status]");
      var count = controls.querySelector(".fazhi-filter__count");
      var wanted = "";
      function column() {
        var headers = table.tHead.rows[0].cells;
        for (var i = 0; i < headers.length; i++) if (headers[i].dataset.year === select.value) return i;
        return -1;
      }
      function apply() {
        var at = column(), shown = 0, rows = table.tBodies[0].rows;
        for (var i = 0; i < rows.length; i++) {
          var badge = at < 0 ? null : rows[i].cells[at].querySelector("[data-status]");
          var keep = !wanted || (badge && badge.dataset.status === wanted);
          rows[i].hidden = !keep;
          if (keep) shown++;
        }
        count.textContent = "显示 " + shown + " / " + rows.length + " 个乡镇";
      }
      buttons.forEach(function (button) {
        button.addEventListener("click", function () {
          wanted = button.dataset.status;
          buttons.forEach(function (b) { b.setAttribute("aria-pressed", b === button ? "true" : "false"); });
          apply();
        });
      });
      select.addEventListener("change", apply);
      apply();
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", enable); else enable();
})();
