// Sort a .fazhi-sortable table by a column: each header holds a button (keyboard: Tab, then
// Enter or Space), added here when the page did not write one. Numbers (≥6,500, ≈300, 98%) sort
// as numbers. Shipped with the site; nothing fetched.
(function () {
  function key(cell) {
    var raw = cell.textContent.trim();
    var number = parseFloat(raw.replace(/[≥≈,%\s]/g, ""));
    return isNaN(number) ? raw : number;
  }
  function sortBy(table, column, header) {
    var body = table.tBodies[0];
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[column]), y = key(b.cells[column]);
      var order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "zh");
      return ascending ? order : -order;
    });
    Array.prototype.forEach.call(header.parentNode.cells, function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    rows.forEach(function (row) { body.appendChild(row); });
  }
  function button(header) {
    var found = header.querySelector("button.fazhi-sort");
    if (found) return found;
    var made = document.createElement("button");
    made.type = "button";
    made.className = "fazhi-sort";
    while (header.firstChild) made.appendChild(header.firstChild);
    header.appendChild(made);
    return made;
  }
  function enable() {
    document.querySelectorAll(".fazhi-sortable table").forEach(function (table) {
      if (!table.tHead || table.dataset.sortable) return;
      table.dataset.sortable = "1";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, column) {
        button(header).addEventListener("click", function () { sortBy(table, column, header); });
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", enable); else enable();
})();
