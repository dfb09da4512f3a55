// Sorting and search for every table of the published dashboard. A click on
// a column heading sorts the rows by that column (again: the other way);
// figures sort by their value, days and months by date (the cell's data-v,
// in ISO form), text by the language's collation; missing
// figures ("—") go last. The heading carries aria-sort. Tables marked
// data-search get a search box that hides the rows not containing the text.
// Totals (tfoot) stay where they are. A link to "#q=TEXT" (a reconciliation
// day) searches every such table for TEXT and shows the first one that holds
// it. Without script the tables read as built.
(function () {
  'use strict';

  function value(cell, numeric) {
    if (!cell) { return numeric ? NaN : ''; }
    var v = cell.getAttribute('data-v');
    if (v === null) { v = cell.textContent.trim(); }
    if (!numeric) { return v; }
    if (v === '' || v === '—') { return NaN; }
    // the figure in the text: 1,234.56 / 96.2% / −0.6 pp (a true minus sign)
    return parseFloat(v.replace(/,/g, '').replace('\u2212', '-').replace('\u00b1', ''));
  }

  function Table(table) {
    this.table = table;
    this.col = -1;
    this.dir = 'none';
    this.query = '';
    var self = this;
    var heads = table.querySelectorAll('thead th');
    heads.forEach(function (th, i) {
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'sort';
      while (th.firstChild) { b.appendChild(th.firstChild); }
      th.appendChild(b);
      th.setAttribute('aria-sort', 'none');
      b.addEventListener('click', function () {
        self.dir = self.col === i && self.dir === 'ascending' ? 'descending' : 'ascending';
        self.col = i;
        heads.forEach(function (h, j) { h.setAttribute('aria-sort', j === i ? self.dir : 'none'); });
        self.sort();
      });
    });
    var label = table.getAttribute('data-search');
    if (label) {
      var box = document.createElement('input');
      box.type = 'search';
      box.className = 'table-search';
      box.setAttribute('aria-label', label);
      box.placeholder = label;
      var wrap = table.closest('.table-wrap') || table;
      wrap.parentNode.insertBefore(box, wrap);
      box.addEventListener('input', function () { self.query = box.value.trim().toLowerCase(); self.search(); });
      this.box = box;
    }
    // filters.js rewrote the rows: keep the reader's order and search
    table.addEventListener('feeflow:rows', function () { self.sort(); self.search(); });
  }

  Table.prototype.sort = function () {
    if (this.col < 0) { return; }
    var body = this.table.tBodies[0];
    if (!body) { return; }
    var th = this.table.querySelectorAll('thead th')[this.col];
    var numeric = th.classList.contains('num');
    var col = this.col, sign = this.dir === 'descending' ? -1 : 1;
    var lang = document.documentElement.lang || undefined;
    var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return !r.querySelector('td[colspan]'); });
    rows.map(function (r, i) { return { r: r, i: i, v: value(r.cells[col], numeric) }; })
      .sort(function (a, b) {
        var c;
        if (numeric) {
          var an = isNaN(a.v), bn = isNaN(b.v);
          if (an || bn) { return an === bn ? a.i - b.i : (an ? 1 : -1); } // missing last
          c = a.v - b.v;
        } else {
          c = String(a.v).localeCompare(String(b.v), lang, { numeric: true });
        }
        return c ? sign * c : a.i - b.i;
      })
      .forEach(function (x) { body.appendChild(x.r); });
  };

  Table.prototype.search = function () {
    var q = this.query;
    var body = this.table.tBodies[0];
    if (!body) { return; }
    var shown = 0;
    Array.prototype.forEach.call(body.rows, function (r) {
      // the text, and the exact values (ISO days) the cells carry
      var text = r.textContent.toLowerCase();
      Array.prototype.forEach.call(r.querySelectorAll('[data-v]'), function (c) { text += ' ' + c.getAttribute('data-v').toLowerCase(); });
      r.hidden = q !== '' && text.indexOf(q) < 0;
      if (!r.hidden) { shown++; }
    });
    return shown;
  };

  // "#q=TEXT": search every searchable table for TEXT
  function fromHash(tables) {
    var q = new URLSearchParams(window.location.hash.replace(/^#/, '')).get('q');
    if (!q) { return; }
    var first = null;
    tables.forEach(function (t) {
      if (!t.box) { return; }
      t.box.value = q;
      t.query = q.toLowerCase();
      if (t.search() > 0 && !first) { first = t; }
    });
    if (first) {
      var d = first.table.closest('details');
      if (d) { d.open = true; }
      first.box.scrollIntoView();
    }
  }

  function start() {
    var tables = [];
    document.querySelectorAll('table').forEach(function (t) { if (t.tHead) { tables.push(new Table(t)); } });
    fromHash(tables);
    window.addEventListener('hashchange', function () { fromHash(tables); });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
