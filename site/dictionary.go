package site

import (
	"strings"

	"github.com/feeflow/feeflow/analytics"

	"github.com/feeflow/feeflow/templates"
)

// dictionaryPage is the analysts' reference: what the database holds, as
// DuckDB's catalog says now. Names, types and comments are the database's
// own words (English); the frame around them is translated. It lists
// columns, never their values, so no customer data appears.
func dictionaryPage(pc *pageCtx) templates.SitePage {
	t, dict := pc.t, pc.b.dict
	p := pc.frame("page.dictionary", "intro.dictionary")
	relations := func(id, key string, rels []relation) templates.Section {
		s := templates.Section{ID: id, Heading: t.T(key)}
		for _, r := range rels {
			dt := dataTable{caption: r.name, cols: cols("column", "sql_type", "comment")}
			if r.comment != "" {
				dt.caption = r.name + " — " + r.comment
			}
			for _, c := range r.cols {
				dt.rows = append(dt.rows, []val{vText(c[0]), vText(c[1]), vText(c[2])})
			}
			s.Blocks = append(s.Blocks, templates.Block{Table: dt.render(t)})
		}
		return s
	}
	var tables, views []relation
	for _, r := range dict.Tables {
		tables = append(tables, toRelation(r))
	}
	for _, r := range dict.Views {
		views = append(views, toRelation(r))
	}
	macros := dataTable{caption: t.T("caption.dict_macros"), cols: cols("name", "kind", "parameters", "comment")}
	for _, m := range dict.Macros {
		kind := "dict.scalar_macro"
		if m.Table {
			kind = "dict.table_macro"
		}
		macros.rows = append(macros.rows, []val{vText(m.Name), vText(t.T(kind)), vText(strings.Join(m.Parameters, ", ")), vText(m.Comment)})
	}
	examples := templates.Section{ID: "examples", Heading: t.T("section.dict_examples"), Intro: t.T("intro.dict_examples")}
	for _, e := range dict.Examples {
		examples.Code = append(examples.Code, templates.Fact{Label: e.Title, Value: e.SQL})
	}
	p.Sections = []templates.Section{
		relations("views", "section.dict_views", views),
		{ID: "macros", Heading: t.T("section.dict_macros"), Blocks: []templates.Block{{Table: macros.render(t)}}},
		relations("tables", "section.dict_tables", tables),
		examples,
	}
	return p
}

// relation is a table or view flattened for the page.
type relation struct {
	name, comment string
	cols          [][3]string // name, type, comment
}

func toRelation(r analytics.Relation) relation {
	out := relation{name: r.Name, comment: r.Comment}
	for _, c := range r.Columns {
		out.cols = append(out.cols, [3]string{c.Name, c.Type, c.Comment})
	}
	return out
}
