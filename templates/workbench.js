// The SQL workbench. Queries go to the SQL API (POST /api/v1/sql) with the
// session's CSRF token, through the same gate, limits and worker as
// `feeflow sql`. Numbers are kept as the API wrote them (the text of the
// JSON number, never a JavaScript float), so decimals show to the cent.
// The page's texts, in its language, come from the #wb-config data block.
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('wb-config').textContent);
  var T = cfg.texts;
  var editor = byId('wb-sql');
  var last = null; // the result shown: {query, columns, rows}
  var running = false;

  function byId(id) { return document.getElementById(id); }

  // fmt fills each %s of a text in turn.
  function fmt(s) {
    var args = arguments, n = 1;
    return s.replace(/%s/g, function () { return String(args[n++]); });
  }

  function grouped(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ','); }

  function bytesText(n) {
    if (n >= 1048576 && n % 1048576 === 0) { return (n / 1048576) + ' MiB'; }
    if (n >= 1024 && n % 1024 === 0) { return (n / 1024) + ' KiB'; }
    return n + ' bytes';
  }

  // Num is a JSON number as written: its text, exact.
  function Num(text) { this.text = text; }

  // parseExact reads JSON like JSON.parse, except that numbers become Num
  // (their text), so that 12345678901234.56 stays 12345678901234.56.
  function parseExact(s) {
    var i = 0;
    var number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    function fail() { throw new SyntaxError('bad JSON at ' + i); }
    function ws() { while (i < s.length && ' \t\n\r'.indexOf(s.charAt(i)) >= 0) { i++; } }
    function expect(c) { ws(); if (s.charAt(i) !== c) { fail(); } i++; }
    function string() {
      ws();
      if (s.charAt(i) !== '"') { fail(); }
      var j = i + 1;
      while (j < s.length && s.charAt(j) !== '"') { j += s.charAt(j) === '\\' ? 2 : 1; }
      if (j >= s.length) { fail(); }
      var out = JSON.parse(s.slice(i, j + 1)); // escapes, as JSON.parse reads them
      i = j + 1;
      return out;
    }
    function value() {
      ws();
      var c = s.charAt(i);
      if (c === '{') {
        i++;
        var o = {};
        ws();
        if (s.charAt(i) === '}') { i++; return o; }
        for (;;) {
          var k = string();
          expect(':');
          o[k] = value();
          ws();
          if (s.charAt(i) === ',') { i++; continue; }
          expect('}');
          return o;
        }
      }
      if (c === '[') {
        i++;
        var a = [];
        ws();
        if (s.charAt(i) === ']') { i++; return a; }
        for (;;) {
          a.push(value());
          ws();
          if (s.charAt(i) === ',') { i++; continue; }
          expect(']');
          return a;
        }
      }
      if (c === '"') { return string(); }
      if (s.startsWith('true', i)) { i += 4; return true; }
      if (s.startsWith('false', i)) { i += 5; return false; }
      if (s.startsWith('null', i)) { i += 4; return null; }
      number.lastIndex = i;
      var m = number.exec(s);
      if (!m) { fail(); }
      i = number.lastIndex;
      return new Num(m[0]);
    }
    var v = value();
    ws();
    if (i !== s.length) { fail(); }
    return v;
  }

  // cellText is a value as the grid shows it; nested values as JSON with
  // their numbers as written.
  function cellText(v) {
    if (v === null) { return T.null; }
    if (v instanceof Num) { return v.text; }
    if (typeof v === 'string') { return v; }
    if (typeof v === 'boolean') { return String(v); }
    return nested(v);
  }
  function nested(v) {
    if (v === null) { return 'null'; }
    if (v instanceof Num) { return v.text; }
    if (Array.isArray(v)) { return '[' + v.map(nested).join(', ') + ']'; }
    if (typeof v === 'object') {
      return '{' + Object.keys(v).map(function (k) { return JSON.stringify(k) + ': ' + nested(v[k]); }).join(', ') + '}';
    }
    return JSON.stringify(v);
  }

  // The editor: Tab inserts spaces, Ctrl-Enter (Cmd-Enter) runs.
  function insert(text) {
    editor.focus();
    // execCommand keeps the browser's undo; setRangeText where it is gone.
    if (!(document.execCommand && document.execCommand('insertText', false, text))) {
      editor.setRangeText(text, editor.selectionStart, editor.selectionEnd, 'end');
    }
  }
  function setQuery(sql) {
    editor.focus();
    editor.select();
    insert(sql);
    editor.setSelectionRange(0, 0);
    editor.scrollTop = 0;
  }
  editor.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      run();
    } else if (e.key === 'Tab' && !e.shiftKey && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      insert('  ');
    }
  });

  function status(text) { byId('wb-status').textContent = text; }

  function showError(body, httpStatus) {
    var box = byId('wb-error');
    box.textContent = '';
    var msg = body && typeof body.error === 'string' ? body.error : (T.error + ' (HTTP ' + httpStatus + ')');
    box.appendChild(document.createTextNode(msg));
    if (body && body.code) {
      var code = document.createElement('span');
      code.className = 'wb-code';
      code.textContent = body.code + ' · HTTP ' + httpStatus;
      box.appendChild(code);
    }
    box.hidden = false;
  }

  function hideError() { byId('wb-error').hidden = true; }

  function post(url, body, accept) {
    return fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Accept': accept, 'X-CSRF-Token': cfg.csrf },
      body: JSON.stringify(body)
    });
  }

  // errorOf reads an error answer of the API ({"error", "code"}).
  function errorOf(text) {
    try { return JSON.parse(text); } catch (e) { return { error: text }; }
  }

  // serverSeconds is the query's time from the Server-Timing header.
  function serverSeconds(resp) {
    var m = /query;dur=([0-9.]+)/.exec(resp.headers.get('Server-Timing') || '');
    return m ? (parseFloat(m[1]) / 1000).toFixed(3) : null;
  }

  function run() {
    if (running) { return; }
    var query = editor.value;
    if (!query.trim()) { status(T.empty_query); return; }
    running = true;
    byId('wb-run').disabled = true;
    status(T.running);
    hideError();
    post('/api/v1/sql', { query: query }, 'application/json').then(function (resp) {
      return resp.text().then(function (text) {
        if (!resp.ok) {
          clearResult();
          showError(errorOf(text), resp.status);
          return;
        }
        var body = parseExact(text);
        show(query, body, resp);
      });
    }).catch(function (e) {
      clearResult();
      showError({ error: String(e) }, 0);
    }).then(function () {
      running = false;
      byId('wb-run').disabled = false;
    });
  }

  // clearResult removes the result shown, its downloads and its chart.
  function clearResult() {
    last = null;
    status('');
    byId('wb-grid').textContent = '';
    byId('wb-csv').disabled = byId('wb-parquet').disabled = true;
    chartChoices([]);
    var el = byId('wb-chart');
    var c = typeof echarts !== 'undefined' && echarts.getInstanceByDom(el);
    if (c) { c.dispose(); }
    el.hidden = true;
  }

  var numeric = /^(DECIMAL|NUMERIC|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE)/;

  function show(query, body, resp) {
    last = { query: query, columns: body.columns, rows: body.rows };
    var n = body.rows.length;
    var parts = [fmt(T.rows, grouped(n))];
    var by = resp.headers.get('Feeflow-Truncated-By');
    if (body.truncated && by === 'bytes') {
      parts = [fmt(T.first_bytes, grouped(n), bytesText(+resp.headers.get('Feeflow-Byte-Limit')))];
    } else if (body.truncated) {
      parts = [fmt(T.first_rows, grouped(n), grouped(+resp.headers.get('Feeflow-Row-Limit')))];
    }
    var secs = serverSeconds(resp);
    if (secs !== null) { parts.push(fmt(T.elapsed, secs)); }
    status(parts.join(' · '));

    var table = document.createElement('table');
    var head = table.createTHead().insertRow();
    body.columns.forEach(function (c) {
      var th = document.createElement('th');
      th.scope = 'col';
      th.textContent = c.name;
      var type = document.createElement('small');
      type.textContent = c.type;
      th.appendChild(type);
      head.appendChild(th);
    });
    var tbody = table.createTBody();
    body.rows.forEach(function (row) {
      var tr = tbody.insertRow();
      row.forEach(function (v) {
        var td = tr.insertCell();
        td.textContent = cellText(v);
        if (v === null) { td.className = 'null'; } else if (v instanceof Num) { td.className = 'num'; }
      });
    });
    var grid = byId('wb-grid');
    grid.textContent = '';
    grid.appendChild(table);
    byId('wb-csv').disabled = false;
    byId('wb-parquet').disabled = false;
    chartChoices(body.columns);
  }

  // The chart: any column for x, a numeric one for y.
  function chartChoices(columns) {
    var x = byId('wb-x'), y = byId('wb-y');
    x.textContent = '';
    y.textContent = '';
    var firstText = -1, firstNum = -1;
    columns.forEach(function (c, i) {
      x.add(new Option(c.name, String(i)));
      if (numeric.test(c.type)) {
        y.add(new Option(c.name, String(i)));
        if (firstNum < 0) { firstNum = i; }
      } else if (firstText < 0) {
        firstText = i;
      }
    });
    x.value = String(firstText >= 0 ? firstText : 0);
    if (firstNum >= 0) {
      for (var i = 0; i < columns.length; i++) {
        if (numeric.test(columns[i].type) && String(i) !== x.value) { y.value = String(i); break; }
      }
    }
    var ok = columns.length > 0 && y.options.length > 0;
    x.disabled = y.disabled = byId('wb-draw').disabled = !ok;
  }

  function draw() {
    if (!last || typeof echarts === 'undefined') { return; }
    var xi = +byId('wb-x').value, yi = +byId('wb-y').value;
    if (isNaN(xi) || isNaN(yi) || byId('wb-y').options.length === 0) { status(T.no_chart); return; }
    var xs = last.rows.map(function (r) { return cellText(r[xi]); });
    // ECharts reads the decimal text itself; the grid keeps the exact figures.
    var ys = last.rows.map(function (r) { return r[yi] instanceof Num ? r[yi].text : '-'; });
    var el = byId('wb-chart');
    el.hidden = false;
    var dark = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;
    var chart = echarts.getInstanceByDom(el) || echarts.init(el, dark ? 'dark' : null, { renderer: 'canvas' });
    chart.setOption({
      animation: false,
      grid: { left: 16, right: 16, top: 32, bottom: 16, containLabel: true },
      // Plain text, no inline styles (the CSP strips them), with the exact figure.
      tooltip: {
        trigger: 'axis', className: 'wb-chart-tooltip',
        formatter: function (params) {
          var p = params[0];
          return echarts.format.encodeHTML(p.name + ' · ' + last.columns[yi].name + ': ' + cellText(last.rows[p.dataIndex][yi]));
        }
      },
      xAxis: { type: 'category', data: xs, name: last.columns[xi].name },
      yAxis: { type: 'value', name: last.columns[yi].name },
      series: [{ type: byId('wb-kind').value === 'line' ? 'line' : 'bar', name: last.columns[yi].name, data: ys }]
    }, true);
    chart.resize();
  }

  // Downloads run the shown query again on the server, as CSV or Parquet.
  function download(format) {
    if (!last) { return; }
    status(T.download);
    hideError();
    var accept = format === 'csv' ? 'text/csv' : 'application/vnd.apache.parquet';
    post('/api/v1/sql?limit=' + cfg.download_rows, { query: last.query, format: format }, accept).then(function (resp) {
      if (!resp.ok) {
        return resp.text().then(function (text) { showError(errorOf(text), resp.status); status(''); });
      }
      return resp.blob().then(function (blob) {
        var a = document.createElement('a');
        a.href = URL.createObjectURL(blob);
        a.download = 'query.' + format;
        document.body.appendChild(a);
        a.click();
        a.remove();
        window.setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
        var rows = resp.headers.get('Feeflow-Rows') || '?';
        var text = fmt(T.downloaded, grouped(rows), format === 'csv' ? 'CSV' : 'Parquet');
        if (resp.headers.get('Feeflow-Truncated') === 'true') {
          text += ' ' + (resp.headers.get('Feeflow-Truncated-By') === 'bytes'
            ? fmt(T.first_bytes, grouped(rows), bytesText(+resp.headers.get('Feeflow-Byte-Limit')))
            : fmt(T.first_rows, grouped(rows), grouped(+resp.headers.get('Feeflow-Row-Limit'))));
        }
        status(text);
      });
    }).catch(function (e) { showError({ error: String(e) }, 0); });
  }

  // Saved queries, shared among analysts.
  function saveStatus(text) { byId('wb-save-status').textContent = text; }

  function save() {
    var title = byId('wb-title').value.trim();
    if (!title) { saveStatus(T.no_title); return; }
    if (!editor.value.trim()) { saveStatus(T.empty_query); return; }
    post('/api/v1/queries', { title: title, sql: editor.value }, 'application/json').then(function (resp) {
      return resp.text().then(function (text) {
        if (!resp.ok) { saveStatus(errorOf(text).error || ('HTTP ' + resp.status)); return; }
        saveStatus(fmt(T.saved, title));
        byId('wb-title').value = '';
        return refreshSaved();
      });
    }).catch(function (e) { saveStatus(String(e)); });
  }

  function refreshSaved() {
    return fetch('/api/v1/queries', { credentials: 'same-origin', headers: { 'Accept': 'application/json' } }).then(function (resp) {
      return resp.text().then(function (text) {
        if (!resp.ok) { saveStatus(errorOf(text).error || ('HTTP ' + resp.status)); return; }
        renderSaved(JSON.parse(text).queries);
      });
    });
  }

  function renderSaved(list) {
    var ul = byId('wb-saved-list');
    ul.textContent = '';
    list.forEach(function (q) {
      var li = document.createElement('li');
      li.dataset.id = String(q.id);
      var head = document.createElement('div');
      head.className = 'wb-saved-head';
      var title = document.createElement('strong');
      title.className = 'wb-saved-title';
      title.textContent = q.title;
      var by = document.createElement('span');
      by.className = 'wb-saved-by';
      by.textContent = fmt(T.by, q.author, q.date);
      head.append(title, ' ', by, ' ', button(T.open, 'secondary wb-open'));
      if (q.may_delete) { head.append(' ', button(T.delete, 'secondary wb-delete')); }
      var pre = document.createElement('pre');
      pre.className = 'wb-sql-text';
      pre.textContent = q.sql;
      li.append(head, pre);
      ul.appendChild(li);
    });
    byId('wb-saved-none').hidden = list.length > 0;
  }

  function button(text, className) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = className;
    b.textContent = text;
    return b;
  }

  function remove(li) {
    var title = li.querySelector('.wb-saved-title').textContent;
    if (!window.confirm(fmt(T.confirm, title))) { return; }
    fetch('/api/v1/queries/' + encodeURIComponent(li.dataset.id), {
      method: 'DELETE', credentials: 'same-origin', headers: { 'X-CSRF-Token': cfg.csrf, 'Accept': 'application/json' }
    }).then(function (resp) {
      if (resp.ok) { return refreshSaved(); }
      return resp.text().then(function (text) { saveStatus(errorOf(text).error || ('HTTP ' + resp.status)); });
    }).catch(function (e) { saveStatus(String(e)); });
  }

  document.addEventListener('click', function (e) {
    var t = e.target.closest ? e.target.closest('button') : null;
    if (!t) { return; }
    if (t.classList.contains('wb-insert')) {
      e.preventDefault(); // a name in a summary inserts; it does not fold
      insert(t.dataset.insert);
    } else if (t.classList.contains('wb-example')) {
      setQuery(t.dataset.sql);
    } else if (t.classList.contains('wb-open')) {
      setQuery(t.closest('li').querySelector('.wb-sql-text').textContent);
    } else if (t.classList.contains('wb-delete')) {
      remove(t.closest('li'));
    } else if (t.id === 'wb-run') {
      run();
    } else if (t.id === 'wb-draw') {
      draw();
    } else if (t.id === 'wb-save') {
      save();
    } else if (t.dataset.format) {
      download(t.dataset.format);
    }
  });
  window.addEventListener('resize', function () {
    var c = typeof echarts !== 'undefined' && echarts.getInstanceByDom(byId('wb-chart'));
    if (c) { c.resize(); }
  });
}());
