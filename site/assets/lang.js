// Sends the reader of the site's root page to the language their browser
// prefers, among the languages listed on the page; without script the page
// is a plain list of links.
(function () {
  'use strict';
  function choose() {
    var links = document.querySelectorAll('a[data-lang]');
    var have = [];
    for (var i = 0; i < links.length; i++) { have.push(links[i]); }
    if (!have.length) { return; }
    var wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ''];
    for (var w = 0; w < wanted.length; w++) {
      var tag = String(wanted[w]).toLowerCase();
      for (var j = 0; j < have.length; j++) {
        var lang = have[j].getAttribute('data-lang').toLowerCase();
        // zh-Hant also serves zh-TW, zh-HK, zh-MO and plain zh
        var zhHant = lang === 'zh-hant' && (tag === 'zh' || tag.indexOf('zh-hant') === 0 || tag === 'zh-tw' || tag === 'zh-hk' || tag === 'zh-mo');
        if (tag === lang || tag.split('-')[0] === lang || zhHant) {
          window.location.replace(have[j].getAttribute('href'));
          return;
        }
      }
    }
    window.location.replace(have[0].getAttribute('href'));
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', choose);
  } else {
    choose();
  }
})();
