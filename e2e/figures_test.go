package e2e_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// tooltipJS shows the first chart's tooltip at its first point and, once
// ECharts has put the content in, reports how the tooltip is styled.
const tooltipJS = `(() => {
	const el = document.querySelector('.chart[data-option]:not(.spark)');
	const chart = el && window.echarts && window.echarts.getInstanceByDom(el);
	if (!chart) return null;
	chart.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0});
	const tip = el.querySelector('.chart-tip') || document.querySelector('.chart-tip');
	const row = tip && tip.querySelector('.tip-row');
	if (!row || tip.style.display === 'none') return null;
	const s = getComputedStyle(tip), r = getComputedStyle(row), dot = getComputedStyle(row.querySelector('.tip-dot'));
	return {radius: s.borderTopLeftRadius, paddingLeft: s.paddingLeft, rowDisplay: r.display,
		dotWidth: dot.width, dotColor: dot.backgroundColor, text: tip.textContent};
})()`

type tipStyle struct {
	Radius      string `json:"radius"`
	PaddingLeft string `json:"paddingLeft"`
	RowDisplay  string `json:"rowDisplay"`
	DotWidth    string `json:"dotWidth"`
	DotColor    string `json:"dotColor"`
	Text        string `json:"text"`
}

// TestTooltipStyledUnderCSP opens a chart page served with the server's
// Content-Security-Policy (style-src 'self': inline style attributes are
// dropped) and expects the tooltip to carry site.css's styling: rounded,
// padded, a colour dot beside each series' name and value.
func TestTooltipStyledUnderCSP(t *testing.T) {
	setup(t)
	for _, lang := range []string{"en", "zh-Hant"} {
		t.Run(lang, func(t *testing.T) {
			pageURL := shared.ts.URL + "/" + lang + "/collection.html"
			resp, err := http.Get(pageURL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'self'") || strings.Contains(csp, "unsafe-inline") {
				t.Fatalf("Content-Security-Policy = %q, want style-src 'self' without unsafe-inline", csp)
			}
			ctx, v, _ := open(t, pageURL, "")
			st, err := chromedp.Run(ctx, chromedp.Poll[tipStyle](tooltipJS, chromedp.WithPollingTimeout(20*time.Second)))
			if err != nil {
				t.Fatalf("no tooltip shown: %v", err)
			}
			if st.Radius != "6px" || st.PaddingLeft == "0px" || st.RowDisplay != "flex" || st.DotWidth == "0px" || st.DotColor == "rgba(0, 0, 0, 0)" {
				t.Errorf("tooltip style = %+v, want site.css's .chart-tip (6px radius, padding, flex rows, a coloured dot)", st)
			}
			if !strings.Contains(st.Text, "%") {
				t.Errorf("tooltip text %q lacks the rate in percent", st.Text)
			}
			for _, p := range v.problems {
				t.Errorf("%s: %s", pageURL, p)
			}
		})
	}
}

// narrowJS lists what spills out of a 390 px viewport: elements wider than
// it that no scrolling card (overflow auto or scroll, or hidden) holds, and
// charts whose legend pages its keys away.
const narrowJS = `(() => {
	const vw = document.documentElement.clientWidth, out = [];
	const held = el => {
		for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
			const o = getComputedStyle(p).overflowX;
			if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
		}
		return false;
	};
	for (const el of document.body.querySelectorAll('*')) {
		const r = el.getBoundingClientRect();
		// fixed elements, and the skip link parked off-screen until focused
		if (r.width === 0 || getComputedStyle(el).position === 'fixed' || r.right <= 0) continue;
		if ((r.right > vw + 1 || r.left < -1) && !held(el)) {
			out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
		}
	}
	if (document.documentElement.scrollWidth > vw + 1) out.push('page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + vw);
	document.querySelectorAll('.chart').forEach(el => {
		const c = window.echarts && window.echarts.getInstanceByDom(el);
		const o = c && c.getOption();
		((o && o.legend) || []).forEach(l => { if (l.show !== false && l.type === 'scroll') out.push(el.id + ': legend paged'); });
	});
	return out.slice(0, 10);
})()`

// TestEveryPageAt390px reads every page of both languages on a phone's
// width: nothing wider than the screen outside a scrolling card, every
// legend whole.
func TestEveryPageAt390px(t *testing.T) {
	setup(t)
	shots := screenshots(t)
	for _, rel := range pages(t) {
		if langOf(rel) == "" {
			continue
		}
		t.Run(rel, func(t *testing.T) {
			ctx, cancel := chromedp.NewContext(shared.browser)
			defer cancel()
			tctx, tcancel := context.WithTimeout(ctx, 60*time.Second)
			defer tcancel()
			if err := chromedp.Do(tctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(shared.ts.URL+"/"+rel)); err != nil {
				t.Fatal(err)
			}
			if _, err := waitDrawn(tctx, 15*time.Second); err != nil {
				t.Fatal(err)
			}
			spill, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](narrowJS))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range spill {
				t.Errorf("%s at 390 px: %s", rel, s)
			}
			png, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			if err := os.WriteFile(filepath.Join(shots, "390_"+strings.NewReplacer("/", "_", ".html", ".png").Replace(rel)), png, 0o644); err != nil {
				t.Error(err)
			}
		})
	}
}
