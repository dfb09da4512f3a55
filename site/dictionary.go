package site

import (
	"strings"

	"github.com/feeflow/feeflow/analytics"

	"github.com/feeflow/feeflow/templates"
)

// dictionaryPage is the analysts' reference: what the database holds, as
// DuckDB's catalog says now. Names and types are the database's own; the
// explanations are the database's comments (English), or their translation
// in the reader's language from the catalog (dictionaryTexts). A table of
// contents links to every view, table and macro, each under its own anchor.
// It lists columns, never their values, so no customer data appears.
func dictionaryPage(pc *pageCtx) templates.SitePage {
	t, dict := pc.t, pc.b.dict
	p := pc.frame("page.dictionary", "intro.dictionary")
	explain := func(key, english string) string {
		if s, ok := dictionaryTexts[t.lang][key]; ok {
			return s
		}
		return english
	}
	column := func(rel, col, english string) string {
		if s, ok := dictionaryTexts[t.lang][rel+"."+col]; ok {
			return s
		}
		return explain("*."+col, english)
	}

	contents := templates.Section{ID: "contents", Heading: t.T("section.dict_contents")}
	var body []templates.Section
	relations := func(prefix, key string, rels []analytics.Relation) {
		contents.Links = append(contents.Links, templates.Link{Label: t.T(key), Href: "#" + prefix})
		group := templates.Section{ID: prefix, Heading: t.T(key)}
		if len(rels) == 0 {
			group.Notes = []string{t.T("table.empty")}
		}
		body = append(body, group)
		for _, r := range rels {
			id := prefix + "-" + anchor(r.Name)
			contents.Links = append(contents.Links, templates.Link{Label: "· " + r.Name, Href: "#" + id})
			dt := dataTable{caption: r.Name, cols: cols("column", "sql_type", "comment")}
			for _, c := range r.Columns {
				dt.rows = append(dt.rows, []val{vText(c.Name), vText(c.Type), vText(column(r.Name, c.Name, c.Comment))})
			}
			body = append(body, templates.Section{ID: id, Heading: r.Name, Intro: explain(r.Name, r.Comment), Blocks: []templates.Block{{Table: dt.render(t)}}})
		}
	}
	relations("views", "section.dict_views", dict.Views)

	macros := dataTable{caption: t.T("caption.dict_macros"), cols: cols("name", "kind", "parameters", "comment")}
	for _, m := range dict.Macros {
		kind := "dict.scalar_macro"
		if m.Table {
			kind = "dict.table_macro"
		}
		macros.rows = append(macros.rows, []val{vText(m.Name), vText(t.T(kind)), vText(strings.Join(m.Parameters, ", ")), vText(explain(m.Name, m.Comment))})
	}
	contents.Links = append(contents.Links, templates.Link{Label: t.T("section.dict_macros"), Href: "#macros"})
	body = append(body, templates.Section{ID: "macros", Heading: t.T("section.dict_macros"), Blocks: []templates.Block{{Table: macros.render(t)}}})

	relations("tables", "section.dict_tables", dict.Tables)

	examples := templates.Section{ID: "examples", Heading: t.T("section.dict_examples"), Intro: t.T("intro.dict_examples")}
	for _, e := range dict.Examples {
		examples.Code = append(examples.Code, templates.Fact{Label: explain("example:"+e.Title, e.Title), Value: e.SQL})
	}
	contents.Links = append(contents.Links, templates.Link{Label: t.T("section.dict_examples"), Href: "#examples"})
	body = append(body, examples)

	p.Sections = append([]templates.Section{contents}, body...)
	return p
}

// dictionaryTexts are the dictionary's explanations per language; English
// is the database's own comments.
var dictionaryTexts = map[string]map[string]string{
	"zh-Hant": dictionaryZhHant,
}

// anchor makes a fragment id of a database name: letters, digits and -.
func anchor(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, name)
}
