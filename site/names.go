package site

import "github.com/feeflow/feeflow/analytics"

// Master data (fee items and their units, areas, improvement actions) has a
// name per language beside its plain name; pages show the reader's, else the
// other language's, else the plain one.

// inLang picks the name for lang: zh-Hant reads zh, every other language en;
// the other language's name is the fallback, then the plain name.
func inLang(lang, plain, en, zh string) string {
	first, second := en, zh
	if lang == "zh-Hant" {
		first, second = zh, en
	}
	for _, s := range []string{first, second, plain} {
		if s != "" {
			return s
		}
	}
	return ""
}

// latestFee is the latest version of each fee item: its names are the ones
// published now (d.fees come by code, then effective_from).
func (d *dataset) latestFee(code string) (analytics.FeeStandard, bool) {
	var out analytics.FeeStandard
	ok := false
	for _, f := range d.fees {
		if f.Code == code {
			out, ok = f, true
		}
	}
	return out, ok
}

// feeName is a fee item's name in the page's language, or its code.
func (pc *pageCtx) feeName(code string) string {
	if f, ok := pc.d.latestFee(code); ok {
		if n := inLang(pc.t.lang, f.Name, f.NameEN, f.NameZH); n != "" {
			return n
		}
	}
	return code
}

// feeUnit is a tariff version's unit in the page's language.
func (pc *pageCtx) feeUnit(f analytics.FeeStandard) string {
	return inLang(pc.t.lang, f.Unit, f.UnitEN, f.UnitZH)
}

// areaName is an area in the page's language; "" (customers with no area)
// is named as such.
func (pc *pageCtx) areaName(area string) string {
	if area == "" {
		return pc.t.T("area.none")
	}
	for _, a := range pc.d.areas {
		if a.Area == area {
			return inLang(pc.t.lang, a.Area, a.EN, a.ZH)
		}
	}
	return area
}

// actionTitle is an improvement action's title in the page's language.
func (pc *pageCtx) actionTitle(a analytics.Improvement) string {
	return inLang(pc.t.lang, a.Title, a.TitleEN, a.TitleZH)
}
