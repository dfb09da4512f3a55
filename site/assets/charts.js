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

  // Tooltip values in the chart's unit; the tables beside the charts hold
  // the exact figures.
  function formatter(unit) {
    if (unit === 'percent') {
      return function (v) { return typeof v === 'number' ? v.toFixed(1) + '%' : '—'; };
    }
    if (unit === 'money') {
      return function (v) {
        return typeof v === 'number' ? v.toLocaleString(document.documentElement.lang || undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : '—';
      };
    }
    return null;
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
      if (format && option.tooltip) { option.tooltip.valueFormatter = format; }
      // a chart over months names each month's report: a click opens it
      var links = Array.isArray(option.links) ? option.links : null;
      delete option.links;
      var chart = echarts.init(el, theme, { renderer: 'canvas' });
      chart.setOption(option);
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
      charts.forEach(function (c) { c.resize(); });
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
