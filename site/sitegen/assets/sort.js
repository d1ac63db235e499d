// Click a column header of a .fazhi-sortable table to sort by it; numbers (≥6,500, ≈300, 98%) sort as numbers.
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
  function enable() {
    document.querySelectorAll(".fazhi-sortable table").forEach(function (table) {
      if (!table.tHead || table.dataset.sortable) return;
      table.dataset.sortable = "1";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, column) {
        header.addEventListener("click", function () { sortBy(table, column, header); });
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", enable); else enable();
})();
