// Filters of the published dashboard, offline. A page that can be filtered
// carries its data in <script type="application/json" id="filter-data">
// (cubes: rows of dimension indexes and measures, money in integer cents) and
// a hidden filter bar; this script shows the bar, keeps the filter in the
// URL's hash (so a filtered view can be shared), and recomputes the tables,
// charts and CSV downloads the data names. Sums are exact integers; a rate is
// computed from the sums and rounded half away from zero to 4 places as the
// views round it, and shown as a percent with 1 place; a zero denominator is
// "—". The overview's and the reports index's month pickers live here too.
(function () {
  'use strict';
  var DIMS = ['fee_item', 'area', 'channel', 'collector'];

  function readData() {
    var el = document.getElementById('filter-data');
    if (!el || el.type !== 'application/json') { return null; }
    var data;
    try { data = JSON.parse(el.textContent); } catch (e) { return null; }
    // a cube's rows travel as one flat array: cut it into rows
    Object.keys(data.cubes || {}).forEach(function (k) {
      var c = data.cubes[k], n = c.dims.length + c.fields.length, rows = [];
      for (var i = 0; i + n <= c.rows.length; i += n) { rows.push(c.rows.slice(i, i + n)); }
      c.rows = rows;
      // a derived field is the difference of two others (on time = collected - late)
      Object.keys(c.derived || {}).forEach(function (f) {
        var a = c.dims.length + c.fields.indexOf(c.derived[f][0]), b = c.dims.length + c.fields.indexOf(c.derived[f][1]);
        c.rows.forEach(function (r) { r.push(r[a] - r[b]); });
        c.fields.push(f);
      });
    });
    return data;
  }

  function hashState() {
    var q = new URLSearchParams(window.location.hash.replace(/^#/, ''));
    var s = {};
    q.forEach(function (v, k) { s[k] = v; });
    return s;
  }

  function setHash(state) {
    var q = new URLSearchParams();
    Object.keys(state).forEach(function (k) { if (state[k]) { q.set(k, state[k]); } });
    var h = q.toString();
    var url = window.location.pathname + window.location.search + (h ? '#' + h : '');
    window.history.replaceState(null, '', url);
  }

  // ---- exact arithmetic -------------------------------------------------

  // round(num / den * 10^places), half away from zero, as a BigInt; null
  // for a zero or missing denominator.
  function quotient(num, den, places) {
    if (num === null || den === null || den === 0) { return null; }
    var n = BigInt(num), d = BigInt(den);
    var neg = (n < 0n) !== (d < 0n) && n !== 0n;
    if (n < 0n) { n = -n; }
    if (d < 0n) { d = -d; }
    var q = (2n * n * (10n ** BigInt(places)) + d) / (2n * d);
    return neg ? -q : q;
  }

  // a rate to 4 places, as an integer count of 0.0001
  function rate4(num, den) {
    var q = quotient(num, den, 4);
    return q === null ? null : Number(q);
  }

  // n / 10^k rounded half away from zero to an integer
  function roundDiv(n, k) {
    var d = Math.pow(10, k), a = Math.abs(n);
    var q = Math.floor(a / d), r = a - q * d;
    if (2 * r >= d) { q += 1; }
    return n < 0 ? -q : q;
  }

  function group(intText) {
    return intText.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }

  function fixed(units, places) { // units of 10^-places, as text
    var neg = units < 0, a = Math.abs(units), s = String(a);
    while (s.length <= places) { s = '0' + s; }
    var i = s.length - places;
    return (neg ? '-' : '') + s.slice(0, i) + (places ? '.' + s.slice(i) : '');
  }

  function moneyText(c) { var s = fixed(c, 2); var neg = s[0] === '-'; s = neg ? s.slice(1) : s; var p = s.split('.'); return (neg ? '-' : '') + group(p[0]) + '.' + p[1]; }
  function percentText(r) { return r === null ? '—' : fixed(roundDiv(r, 1), 1) + '%'; }

  // ---- cubes ------------------------------------------------------------

  function Engine(data) {
    this.data = data;
  }

  Engine.prototype.periodOf = function (cube, row) {
    var d = this.data;
    if (cube.dims[0] === 'day') { return d.days[row[0]].slice(0, 7); }
    return d.periods[row[0]];
  };

  // does the filter apply to a cube: every dimension chosen is one of its own
  Engine.prototype.applies = function (cube, state) {
    return DIMS.every(function (k) { return !state[k] || cube.dims.indexOf(k) >= 0; });
  };

  Engine.prototype.rows = function (cube, state) {
    var d = this.data, self = this, want = {};
    cube.dims.forEach(function (k, i) {
      if (state[k] && d.dims[k]) { want[i] = d.dims[k].indexOf(state[k]); }
    });
    return cube.rows.filter(function (r) {
      var p = self.periodOf(cube, r);
      if (state.from && p < state.from) { return false; }
      if (state.to && p > state.to) { return false; }
      for (var i in want) { if (r[i] !== want[i]) { return false; } }
      return true;
    });
  };

  // the value of a group dimension of a row, as its code
  Engine.prototype.code = function (cube, row, dim) {
    var d = this.data, i = cube.dims.indexOf(dim);
    if (dim === 'period') {
      return cube.dims[0] === 'day' ? d.days[row[0]].slice(0, 7) : d.periods[row[i]];
    }
    if (dim === 'day') { return d.days[row[i]]; }
    return d.dims[dim][row[i]];
  };

  Engine.prototype.label = function (dim, code) {
    var d = this.data, i;
    if (dim === 'period') { i = d.periods.indexOf(code); return i >= 0 ? d.periodLabels[i] : code; }
    if (dim === 'day') { i = d.days.indexOf(code); return i >= 0 ? d.dayLabels[i] : code; }
    i = d.dims[dim].indexOf(code);
    return i >= 0 ? d.labels[dim][i] : code;
  };

  // sums of every field the block needs, per group, from the cubes that apply
  Engine.prototype.compute = function (spec, state) {
    var self = this, d = this.data, groups = {}, order = [];
    var source = {}; // field -> cube name
    spec.cubes.forEach(function (name) {
      var cube = d.cubes[name];
      if (!cube || !self.applies(cube, state)) { return; }
      cube.fields.forEach(function (f) { if (!(f in source)) { source[f] = name; } });
    });
    function slot(key, codes) {
      if (!groups[key]) { groups[key] = { codes: codes, sums: {} }; order.push(key); }
      return groups[key];
    }
    if (spec.group.length === 1 && spec.group[0] === 'period' && spec.cubes.indexOf('households') >= 0) {
      // every month of the range has a row, as in arrears_monthly
      d.periods.forEach(function (p) {
        if ((!state.from || p >= state.from) && (!state.to || p <= state.to)) { slot(p, [p]); }
      });
    }
    spec.cubes.forEach(function (name) {
      var cube = d.cubes[name];
      if (!cube || !self.applies(cube, state)) { return; }
      var mine = cube.fields.filter(function (f) { return source[f] === name; });
      if (!mine.length) { return; }
      var off = cube.dims.length;
      self.rows(cube, state).forEach(function (r) {
        var codes = spec.group.map(function (g) { return self.code(cube, r, g); });
        var g = slot(codes.join('\u0000'), codes);
        mine.forEach(function (f) {
          g.sums[f] = (g.sums[f] || 0) + r[off + cube.fields.indexOf(f)];
        });
      });
    });
    var out = order.map(function (k) { return groups[k]; });
    out.sort(function (a, b) {
      for (var i = 0; i < spec.group.length; i++) {
        var dim = spec.group[i], x = a.codes[i], y = b.codes[i];
        if (dim !== 'period' && dim !== 'day') { x = d.dims[dim].indexOf(x); y = d.dims[dim].indexOf(y); }
        if (x < y) { return -1; }
        if (x > y) { return 1; }
      }
      return 0;
    });
    function value(sums, f) { return f in source ? (sums[f] || 0) : null; }
    // share: of the first group dimension's total
    var totals = {};
    out.forEach(function (g) {
      spec.cols.forEach(function (c) {
        if (c.share) { var k = g.codes[0] + '\u0000' + c.share; totals[k] = (totals[k] || 0) + (value(g.sums, c.share) || 0); }
      });
    });
    function cells(sums, first) {
      return spec.cols.map(function (c) {
        if (c.sum) { return value(sums, c.sum); }
        if (c.rate) { var n = value(sums, c.rate[0]), dd = value(sums, c.rate[1]); return rate4(n, dd); }
        if (c.share) { return first === null ? null : rate4(value(sums, c.share), totals[first + '\u0000' + c.share]); }
        return null;
      });
    }
    var rows = out.map(function (g) { return { codes: g.codes, values: cells(g.sums, g.codes[0]) }; });
    var total = null;
    if (spec.total) {
      var all = {};
      out.forEach(function (g) { Object.keys(g.sums).forEach(function (f) { all[f] = (all[f] || 0) + g.sums[f]; }); });
      total = cells(all, null);
    }
    return { rows: rows, total: total };
  };

  // ---- rendering ----------------------------------------------------------

  function cellText(kind, v) {
    if (v === null) { return '—'; }
    if (kind === 'money') { return moneyText(v); }
    if (kind === 'rate') { return percentText(v); }
    return group(String(v));
  }
  function cellRaw(kind, v) {
    if (v === null) { return ''; }
    if (kind === 'money') { return fixed(v, 2); }
    if (kind === 'rate') { return fixed(v, 4); }
    return String(v);
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (attrs[k] !== null && attrs[k] !== undefined) { e.setAttribute(k, attrs[k]); } });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function Block(engine, spec, root) {
    this.engine = engine;
    this.spec = spec;
    this.root = root;
    this.table = root.querySelector('table');
    this.tbody = this.table && this.table.querySelector('tbody');
    this.tfoot = this.table && this.table.querySelector('tfoot');
    this.saved = { body: this.tbody ? this.tbody.innerHTML : '', foot: this.tfoot ? this.tfoot.innerHTML : '' };
    var chart = root.querySelector('[data-option]');
    this.option = chart ? document.getElementById(chart.getAttribute('data-option')) : null;
    this.savedOption = this.option ? this.option.textContent : null;
    this.csv = root.querySelector('a.csv');
    this.savedCSV = this.csv ? { href: this.csv.getAttribute('href'), download: this.csv.getAttribute('download') } : null;
  }

  Block.prototype.groupCell = function (tag, dim, code, data, values) {
    var e = el(tag, tag === 'th' ? { scope: 'row', 'class': '' } : { 'class': '' });
    var label = this.engine.label(dim, code);
    var href = null;
    if (dim === 'period') {
      e.setAttribute('data-v', code);
      href = data.reports && data.reports[code] ? data.reports[code] : null;
    } else if (dim === 'day') {
      e.setAttribute('data-v', code);
      // a day with discrepancies opens its rows in the lists below
      var di = -1;
      this.spec.cols.forEach(function (c, i) { if (c.sum === 'discrepancies') { di = i; } });
      if (di >= 0 && values && values[di] > 0) {
        var q = new URLSearchParams(window.location.hash.replace(/^#/, ''));
        q.set('q', code);
        href = '#' + q.toString();
      }
    } else {
      href = '#' + new URLSearchParams([[dim, code]]).toString();
    }
    if (href) { e.appendChild(el('a', { href: href }, label)); } else { e.textContent = label; }
    return e;
  };

  Block.prototype.valueCell = function (c, v) {
    return el('td', { 'class': 'num', 'data-v': cellRaw(c.kind, v) }, cellText(c.kind, v));
  };

  Block.prototype.render = function (state) {
    var self = this, spec = this.spec, data = this.engine.data;
    var res = this.engine.compute(spec, state);
    if (this.tbody) {
      this.tbody.textContent = '';
      if (!res.rows.length) {
        var tr0 = el('tr');
        var cols = this.table.querySelectorAll('thead th').length || 1;
        tr0.appendChild(el('td', { colspan: String(cols), 'class': 'muted' }, this.table.getAttribute('data-empty') || '—'));
        this.tbody.appendChild(tr0);
      }
      res.rows.forEach(function (r) {
        var tr = el('tr');
        spec.group.forEach(function (g, i) { tr.appendChild(self.groupCell(i === 0 ? 'th' : 'td', g, r.codes[i], data, r.values)); });
        spec.cols.forEach(function (c, i) { tr.appendChild(self.valueCell(c, r.values[i])); });
        self.tbody.appendChild(tr);
      });
    }
    if (this.tfoot) {
      this.tfoot.textContent = '';
      if (res.total && res.rows.length) {
        var tr = el('tr');
        tr.appendChild(el('th', { scope: 'row', 'class': '' }, data.total));
        for (var i = 1; i < spec.group.length; i++) { tr.appendChild(el('td', { 'class': '' }, '')); }
        spec.cols.forEach(function (c, i) { tr.appendChild(self.valueCell(c, res.total[i])); });
        this.tfoot.appendChild(tr);
      }
    }
    this.drawChart(res);
    this.writeCSV();
    if (this.table) { this.table.dispatchEvent(new CustomEvent('feeflow:rows', { bubbles: true })); }
  };

  function chartValue(unit, kind, v) {
    if (v === null) { return '-'; }
    if (kind === 'rate') { return roundDiv(v, 1) / 10; } // percent, 1 place, as the build draws it
    if (kind === 'money') { return v / 100; }
    return v;
  }

  Block.prototype.drawChart = function (res) {
    var spec = this.spec, ch = spec.chart, self = this, data = this.engine.data;
    if (!ch || !this.option) { return; }
    var option = JSON.parse(this.savedOption);
    var xs = [];
    res.rows.forEach(function (r) { if (xs.indexOf(r.codes[0]) < 0) { xs.push(r.codes[0]); } });
    var xDim = spec.group[0];
    var xLabels = xs.map(function (x) { return xDim === 'day' ? x : self.engine.label(xDim, x); });
    var axis = Array.isArray(option.xAxis) ? option.xAxis[0] : option.xAxis;
    if (axis) { axis.data = xLabels; }
    var template = option.series && option.series[0] ? option.series[0] : { type: 'line' };
    if (ch.pivot !== undefined && ch.pivot !== null) {
      var keys = [];
      res.rows.forEach(function (r) { if (keys.indexOf(r.codes[1]) < 0) { keys.push(r.codes[1]); } });
      var dim = spec.group[1];
      keys.sort(function (a, b) { return data.dims[dim].indexOf(a) - data.dims[dim].indexOf(b); });
      var kind = spec.cols[ch.pivot].kind;
      option.series = keys.map(function (k) {
        var s = JSON.parse(JSON.stringify(template));
        s.name = self.engine.label(dim, k);
        s.data = xs.map(function (x) {
          var hit = res.rows.filter(function (r) { return r.codes[0] === x && r.codes[1] === k; })[0];
          return { value: hit ? chartValue(ch.unit, kind, hit.values[ch.pivot]) : '-' };
        });
        return s;
      });
    } else {
      option.series = ch.cols.map(function (ci, i) {
        var s = option.series[i] || JSON.parse(JSON.stringify(template));
        s.data = res.rows.map(function (r) { return { value: chartValue(ch.unit, spec.cols[ci].kind, r.values[ci]) }; });
        return s;
      });
    }
    if (ch.links) {
      option.links = xs.map(function (x) { return data.reports && data.reports[x] ? data.reports[x] : ''; });
    }
    this.option.textContent = JSON.stringify(option);
    document.dispatchEvent(new CustomEvent('feeflow:charts'));
  };

  // the CSV download holds exactly the table's rows: exact values, as the
  // build writes them
  Block.prototype.writeCSV = function () {
    if (!this.csv || !this.table) { return; }
    function q(s) { return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; }
    function neutral(s) { return s && '=+-@\t\r'.indexOf(s[0]) >= 0 ? "'" + s : s; }
    var lines = [];
    var head = [];
    this.table.querySelectorAll('thead th').forEach(function (th) { head.push(q(neutral(th.getAttribute('data-label') || th.textContent.trim()))); });
    lines.push(head.join(','));
    this.table.querySelectorAll('tbody tr, tfoot tr').forEach(function (tr) {
      if (tr.querySelector('td[colspan]')) { return; }
      var rec = [];
      tr.querySelectorAll('th, td').forEach(function (c) {
        var v = c.getAttribute('data-v');
        rec.push(q(v !== null ? v : neutral(c.textContent.trim())));
      });
      lines.push(rec.join(','));
    });
    this.csv.setAttribute('href', 'data:text/csv;charset=utf-8,' + encodeURIComponent('\ufeff' + lines.join('\n') + '\n'));
    this.csv.setAttribute('download', this.spec.id + '-filtered.csv');
  };

  Block.prototype.restore = function () {
    if (this.tbody) { this.tbody.innerHTML = this.saved.body; }
    if (this.tfoot) { this.tfoot.innerHTML = this.saved.foot; }
    if (this.option) { this.option.textContent = this.savedOption; document.dispatchEvent(new CustomEvent('feeflow:charts')); }
    if (this.csv) {
      this.csv.setAttribute('href', this.savedCSV.href);
      if (this.savedCSV.download === null) { this.csv.removeAttribute('download'); } else { this.csv.setAttribute('download', this.savedCSV.download); }
    }
    if (this.table) { this.table.dispatchEvent(new CustomEvent('feeflow:rows', { bubbles: true })); }
  };

  // ---- the filter bar -----------------------------------------------------

  function startFilters(data, form) {
    var engine = new Engine(data);
    var blocks = [];
    data.blocks.forEach(function (spec) {
      var root = document.querySelector('[data-block="' + spec.id + '"]');
      if (root) { blocks.push(new Block(engine, spec, root)); }
    });
    var names = ['from', 'to'].concat(DIMS);
    var status = form.querySelector('.filter-status');
    function read() {
      var s = {};
      names.forEach(function (n) { var f = form.elements[n]; if (f && f.value) { s[n] = f.value; } });
      // the full range is no filter
      if (s.from === data.periods[0]) { delete s.from; }
      if (s.to === data.periods[data.periods.length - 1]) { delete s.to; }
      if (s.from && s.to && s.from > s.to) { var x = s.from; s.from = s.to; s.to = x; }
      return s;
    }
    function show(s) {
      names.forEach(function (n) {
        var f = form.elements[n];
        if (!f) { return; }
        var v = s[n] || (n === 'from' ? data.periods[0] : n === 'to' ? data.periods[data.periods.length - 1] : '');
        var ok = false;
        for (var i = 0; i < f.options.length; i++) { if (f.options[i].value === v) { ok = true; } }
        f.value = ok ? v : (n === 'from' ? data.periods[0] : n === 'to' ? data.periods[data.periods.length - 1] : '');
      });
    }
    function apply(s) {
      var active = Object.keys(s).length > 0;
      blocks.forEach(function (b) { if (active) { b.render(s); } else { b.restore(); } });
      document.documentElement.toggleAttribute('data-filtered', active);
      if (status) { status.textContent = active ? status.getAttribute('data-text') : ''; }
    }
    function fromHash() {
      var h = hashState(), s = {};
      names.forEach(function (n) { if (h[n]) { s[n] = h[n]; } });
      show(s);
      var r = read();
      apply(r);
      return r;
    }
    form.hidden = false;
    form.addEventListener('change', function () { var s = read(); setHash(s); apply(s); });
    form.addEventListener('submit', function (e) { e.preventDefault(); });
    form.addEventListener('reset', function () {
      window.setTimeout(function () { setHash({}); show({}); apply({}); }, 0);
    });
    window.addEventListener('hashchange', fromHash);
    fromHash();
  }

  // ---- month pickers --------------------------------------------------------

  function startPicker(form, data) {
    var select = form.elements.period;
    if (!select) { return; }
    form.hidden = false;
    form.addEventListener('submit', function (e) { e.preventDefault(); });
    if (form.getAttribute('data-action') === 'open') {
      select.selectedIndex = -1;
      select.addEventListener('change', function () { if (select.value) { window.location.href = select.value; } });
      return;
    }
    if (!data || !data.cards) { return; }
    var initial = {};
    Object.keys(data.cards).forEach(function (id) {
      var card = document.getElementById(id);
      if (!card) { return; }
      initial[id] = {
        value: card.querySelector('.kpi-value').textContent,
        change: card.querySelector('.kpi-change').innerHTML,
        cls: card.querySelector('.kpi-change').className,
        hidden: card.querySelector('.kpi-change').hidden
      };
    });
    var first = select.value;
    function showMonth(p) {
      var i = data.periods.indexOf(p);
      Object.keys(data.cards).forEach(function (id) {
        var card = document.getElementById(id);
        if (!card || !initial[id]) { return; }
        var v = card.querySelector('.kpi-value'), c = card.querySelector('.kpi-change'), sub = card.querySelector('.kpi-sub');
        if (p === first || i < 0) {
          v.textContent = initial[id].value;
          c.innerHTML = initial[id].change;
          c.className = initial[id].cls;
          c.hidden = initial[id].hidden;
          if (sub) { sub.hidden = false; }
          return;
        }
        var x = data.cards[id][i];
        v.textContent = x[0];
        var note = c.querySelector('.muted');
        c.textContent = x[1] + ' ';
        if (note) { c.appendChild(note); }
        c.className = 'kpi-change' + (x[2] ? ' ' + x[2] : '');
        c.hidden = !x[1];
        if (sub) { sub.hidden = true; }
      });
    }
    select.addEventListener('change', function () {
      setHash(select.value === first ? {} : { period: select.value });
      showMonth(select.value);
    });
    var h = hashState();
    if (h.period && data.periods.indexOf(h.period) >= 0) { select.value = h.period; showMonth(h.period); }
  }

  function start() {
    var data = readData();
    var form = document.getElementById('filters');
    if (data && data.blocks && form) { startFilters(data, form); }
    var picker = document.getElementById('period-picker');
    if (picker) { startPicker(picker, data); }
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
