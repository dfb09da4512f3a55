// Starts every chart of the page. Each chart element names, in data-option,
// the <script type="application/json"> holding its ECharts option; the
// option is data only (JSON), never code. Charts follow the reader's light
// or dark setting and their container's size.
(function () {
  'use strict';
  var charts = [];
  var observer = window.ResizeObserver ? new ResizeObserver(function (entries) {
    entries.forEach(function (e) {
      var c = typeof echarts !== 'undefined' && echarts.getInstanceByDom(e.target);
      if (c) { c.resize(); }
    });
  }) : null;
  var scheme = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;

  // Tooltip values in the chart's unit ("percent", or "money" followed by
  // the currency); the tables beside the charts hold the exact figures.
  function formatter(unit) {
    var parts = (unit || '').split(' ');
    if (parts[0] === 'percent') {
      return function (v) { return typeof v === 'number' ? v.toFixed(1) + '%' : '—'; };
    }
    if (parts[0] === 'money') {
      var currency = parts[1] ? ' ' + parts[1] : '';
      return function (v) {
        return typeof v === 'number' ? v.toLocaleString(document.documentElement.lang || undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + currency : '—';
      };
    }
    return function (v) { return typeof v === 'number' ? v.toLocaleString(document.documentElement.lang || undefined) : '—'; };
  }

  // The tooltip's content as elements with classes: the page's CSP
  // (style-src 'self') strips the style attributes of ECharts' own markup,
  // so it is built here and styled by site.css (.chart-tip ...). Text goes
  // in as text, never as HTML.
  function div(cls, text) {
    var d = document.createElement('div');
    d.className = cls;
    if (text !== undefined) { d.textContent = text; }
    return d;
  }
  function tooltipContent(format) {
    return function (params) {
      var list = Array.isArray(params) ? params : [params];
      var box = div('tip-body');
      if (list.length && list[0].axisValueLabel !== undefined) {
        box.appendChild(div('tip-title', list[0].axisValueLabel));
      }
      list.forEach(function (p) {
        var row = div('tip-row');
        var dot = document.createElement('span');
        dot.className = 'tip-dot';
        // a property set through the CSSOM, which the CSP allows
        if (typeof p.color === 'string') { dot.style.backgroundColor = p.color; }
        row.appendChild(dot);
        var value = Array.isArray(p.value) ? p.value[p.value.length - 1] : p.value;
        var name = list[0].axisValueLabel !== undefined ? p.seriesName : (Array.isArray(p.value) ? p.value[0] : p.name);
        var label = document.createElement('span');
        label.className = 'tip-name';
        label.textContent = name;
        var val = document.createElement('span');
        val.className = 'tip-value';
        val.textContent = format(value);
        row.appendChild(label);
        row.appendChild(val);
        box.appendChild(row);
      });
      return box;
    };
  }

  // A plain legend wraps onto several lines on a narrow chart: put the plot
  // below however many it took.
  function fitLegend(chart) {
    var model = chart.getModel && chart.getModel();
    var legend = model && model.getComponent('legend');
    if (!legend || !legend.get('show')) { return; }
    var view = chart.getViewOfComponentModel && chart.getViewOfComponentModel(legend);
    if (!view || !view.group) { return; }
    var named = [].concat(chart.getOption().yAxis || []).some(function (y) { return !!y.name; });
    var top = Math.ceil(view.group.getBoundingRect().height) + 16 + (named ? 16 : 0);
    var grid = model.getComponent('grid');
    if (grid && grid.get('top') !== top) { chart.setOption({ grid: { top: top } }); }
  }

  // A money axis is named by the currency once, not in every label.
  function nameCurrency(el, option) {
    var parts = (el.getAttribute('data-unit') || '').split(' ');
    if (parts[0] !== 'money' || !parts[1]) { return; }
    [].concat(option.yAxis || []).forEach(function (y) {
      if (y.show !== false) { y.name = parts[1]; y.nameTextStyle = { align: 'right' }; }
    });
    // room above the plot for the name
    [].concat(option.grid || []).forEach(function (g) {
      if (!(Number(g.top) >= 32)) { g.top = 32; }
    });
  }

  // A year of weeks side by side leaves no room for month labels on a
  // phone: there the calendar stands upright.
  function fitCalendar(el, option) {
    if (!option.calendar) { return; }
    var narrow = window.matchMedia ? window.matchMedia('(max-width: 40rem)').matches : el.clientWidth < 640;
    [].concat(option.calendar).forEach(function (c) {
      c.orient = narrow ? 'vertical' : 'horizontal';
      if (narrow) {
        c.left = 40; c.right = 16; c.top = 40; c.bottom = 70;
      }
    });
  }

  function start() {
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    if (typeof echarts === 'undefined') { return; }
    var theme = scheme && scheme.matches ? 'dark' : null;
    var nodes = document.querySelectorAll('[data-option]');
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      var src = document.getElementById(el.getAttribute('data-option'));
      if (!src || src.type !== 'application/json') { continue; }
      var option;
      try { option = JSON.parse(src.textContent); } catch (e) { continue; }
      var format = formatter(el.getAttribute('data-unit'));
      [].concat(option.tooltip || []).forEach(function (t) {
        t.className = 'chart-tip';
        t.valueFormatter = format;
        t.formatter = tooltipContent(format);
      });
      fitCalendar(el, option);
      nameCurrency(el, option);
      // a chart over months names each month's report: a click opens it
      var links = Array.isArray(option.links) ? option.links : null;
      delete option.links;
      var chart = echarts.init(el, theme, { renderer: 'canvas' });
      chart.setOption(option);
      fitLegend(chart);
      if (links) { follow(chart, el, links); }
      charts.push(chart);
      if (observer) { observer.observe(el); }
    }
  }

  function follow(chart, el, links) {
    el.classList.add('linked');
    chart.on('click', function (p) {
      var href = links[p.dataIndex];
      if (href) { window.location.href = href; }
    });
    // a click on the axis area (between points) opens the nearest month
    chart.getZr().on('click', function (e) {
      if (e.target) { return; }
      var at;
      try { at = chart.convertFromPixel({ xAxisIndex: 0 }, [e.offsetX, e.offsetY]); } catch (err) { return; }
      var i = Array.isArray(at) ? Math.round(at[0]) : Math.round(at);
      if (i >= 0 && links[i]) { window.location.href = links[i]; }
    });
  }

  // filters.js rewrites options when a filter changes
  document.addEventListener('feeflow:charts', start);

  var pending = 0;
  window.addEventListener('resize', function () {
    if (pending) { return; }
    pending = window.setTimeout(function () {
      pending = 0;
      charts.forEach(function (c) {
        c.resize();
        fitLegend(c);
      });
    }, 100);
  });
  if (scheme) {
    if (scheme.addEventListener) { scheme.addEventListener('change', start); } else if (scheme.addListener) { scheme.addListener(start); }
  }
  window.addEventListener('beforeprint', function () { charts.forEach(function (c) { c.resize(); }); });
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
