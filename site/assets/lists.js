// Unfolds the list a link points to, and sorts the lists of a page (tables marked data-sortable) when the reader
// presses a column heading's button: numbers by their data-sort key (cents
// for money, whole days and counts), other cells by their key or text.
// Pressing the same heading again reverses the order. The totals stay in
// the table's footer.
(function () {
  'use strict';
  function key(cell) {
    var k = cell.getAttribute('data-sort');
    return k === null ? cell.textContent.trim() : k;
  }
  function sortBy(table, col, dir) {
    var heads = table.tHead.rows[0].cells;
    var num = heads[col].classList.contains('num');
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    if (rows.length < 2 || rows[0].cells.length !== heads.length) { return; }
    rows.sort(function (a, b) {
      var x = key(a.cells[col]), y = key(b.cells[col]);
      var c = num ? (Number(x) - Number(y)) : x.localeCompare(y, document.documentElement.lang);
      return dir === 'ascending' ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
    heads[col].setAttribute('aria-sort', dir);
  }
  // A link to a folded list (a debtor's bills) unfolds it.
  function unfold() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.tagName === 'DETAILS') {
      el.open = true;
      el.scrollIntoView();
    }
  }
  window.addEventListener('hashchange', unfold);
  unfold();
  document.querySelectorAll('table[data-sortable]').forEach(function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      var button = th.querySelector('button');
      if (!button) { return; }
      button.addEventListener('click', function () {
        var now = th.getAttribute('aria-sort');
        var dir = now === 'descending' ? 'ascending' : now === 'ascending' ? 'descending'
          : th.classList.contains('num') ? 'descending' : 'ascending';
        sortBy(table, col, dir);
      });
    });
  });
  // A list's search box keeps the rows that hold its text (area, customer,
  // fee item...); sorting then orders what is left.
  document.querySelectorAll('input.list-search').forEach(function (box) {
    var holder = document.getElementById(box.getAttribute('data-list'));
    var table = holder && holder.querySelector('table');
    if (!table) { return; }
    box.addEventListener('input', function () {
      var q = box.value.trim().toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
        r.hidden = q !== '' && r.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
  });
})();
