package templates

import (
	_ "embed"
	"strconv"
	"strings"
)

// WorkbenchPage is the analysts' SQL workbench: an editor beside the data
// dictionary, the result as a grid and a chart, its downloads, and the
// queries analysts saved for one another. Queries run through the SQL API
// (POST /api/v1/sql), the same gate, limits and worker as `feeflow sql`.
type WorkbenchPage struct {
	Desk Desk
	// The dictionary, in DuckDB's words (English: the comments the
	// database holds).
	Views, Tables []WorkbenchRelation
	Macros        []WorkbenchMacro
	Examples      []WorkbenchExample
	Saved         []WorkbenchSaved // newest first
	RowLimit      int              // rows a result shows at most
	DownloadRows  int              // rows a download holds at most
	ByteLimit     string           // a result's bytes at most, e.g. "64 MiB"
	Timeout       string           // a query's time at most, e.g. "30s"
	MaxTitle      int              // a saved query's title, characters
	MaxSQL        int              // a saved query's SQL, bytes
}

// WorkbenchRelation is a table or view of the dictionary.
type WorkbenchRelation struct {
	Name, Comment string
	Columns       []WorkbenchColumn
}

// WorkbenchColumn is a column of a table or view.
type WorkbenchColumn struct{ Name, Type, Comment string }

// WorkbenchMacro is a macro of the dictionary: Table for a table macro
// (used in FROM), else a scalar one.
type WorkbenchMacro struct {
	Name       string
	Table      bool
	Parameters []string
	Comment    string
}

// Call is how the macro is written in SQL, e.g. arrears_aging(as_of).
func (m WorkbenchMacro) Call() string { return m.Name + "(" + strings.Join(m.Parameters, ", ") + ")" }

// WorkbenchExample is an example query of the dictionary.
type WorkbenchExample struct{ Title, SQL string }

// WorkbenchSaved is a saved query as the list shows it.
type WorkbenchSaved struct {
	ID        int64  `json:"id"`
	Title     string `json:"title"`
	SQL       string `json:"sql"`
	Author    string `json:"author"`
	Date      string `json:"date"`       // when saved, in the organisation's zone
	MayDelete bool   `json:"may_delete"` // its author, or an admin
}

// workbenchConfig is what the page's script reads from the page (a JSON
// data block: the CSP allows no inline script).
type workbenchConfig struct {
	CSRF         string            `json:"csrf"`
	DownloadRows int               `json:"download_rows"`
	Texts        map[string]string `json:"texts"`
}

// config is the script's configuration, its texts in the page's language.
func (p WorkbenchPage) config() workbenchConfig {
	c := workbenchConfig{CSRF: p.Desk.CSRF, DownloadRows: p.DownloadRows, Texts: map[string]string{}}
	for key := range WorkbenchCatalog {
		if name, ok := strings.CutPrefix(key, "js."); ok {
			c.Texts[name] = p.Desk.T(WorkbenchCatalog, key)
		}
	}
	return c
}

// t translates a key of the workbench's catalog.
func (p WorkbenchPage) t(key string, args ...any) string {
	return p.Desk.T(WorkbenchCatalog, key, args...)
}

// grouped writes n with thousands separators: 10000 -> 10,000.
func grouped(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// WorkbenchCSS is the workbench's stylesheet.
//
//go:embed workbench.css
var WorkbenchCSS []byte

// WorkbenchJS is the workbench's script: it runs the query through the SQL
// API, shows the result (decimals as the API wrote them, never through a
// float), draws its chart with the vendored ECharts, downloads it, and
// saves, opens and deletes saved queries.
//
//go:embed workbench.js
var WorkbenchJS []byte

// WorkbenchCatalog holds the workbench's texts; keys starting with "js."
// are the script's (with %s filled in by it).
var WorkbenchCatalog = Catalog{
	"title":        {"SQL workbench", "SQL 工作台", "SQL 工作台"},
	"intro":        {"Read-only SQL over feeflow's tables, views and macros: nothing run here can change the data.", "以唯讀 SQL 查詢 feeflow 的資料表、檢視表與巨集：在這裡執行的查詢不會更動任何資料。", "以只读 SQL 查询 feeflow 的数据表、视图和宏：在这里运行的查询不会改动任何数据。"},
	"editor":       {"Query", "查詢", "查询"},
	"editor.hint":  {"Ctrl-Enter (⌘-Enter on a Mac) runs the query; Tab indents.", "按 Ctrl-Enter（Mac 為 ⌘-Enter）執行查詢；Tab 鍵縮排。", "按 Ctrl-Enter（Mac 为 ⌘-Enter）运行查询；Tab 键缩进。"},
	"run":          {"Run", "執行", "运行"},
	"limits":       {"A result shows at most %s rows and %s; a download holds at most %s rows; a query stops after %s.", "結果最多顯示 %s 列、%s；下載最多 %s 列；查詢超過 %s 即停止。", "结果最多显示 %s 行、%s；下载最多 %s 行；查询超过 %s 即停止。"},
	"dictionary":   {"Data dictionary", "資料字典", "数据字典"},
	"dict.hint":    {"Click a name to insert it at the cursor; an example replaces the query. Explanations are the database's own, in English.", "點選名稱即插入游標處；點選範例則取代目前的查詢。說明取自資料庫，為英文。", "点击名称即插入光标处；点击示例则替换当前查询。说明取自数据库，为英文。"},
	"views":        {"Views", "檢視表", "视图"},
	"tables":       {"Tables", "資料表", "数据表"},
	"macros":       {"Macros", "巨集", "宏"},
	"examples":     {"Example queries", "查詢範例", "查询示例"},
	"table_macro":  {"table macro, in FROM", "表格巨集，用於 FROM", "表宏，用于 FROM"},
	"scalar_macro": {"scalar macro", "純量巨集", "标量宏"},
	"result":       {"Result", "查詢結果", "查询结果"},
	"no_result":    {"Run a query to see its result here.", "執行查詢後，結果會顯示在這裡。", "运行查询后，结果会显示在这里。"},
	"download":     {"Download", "下載", "下载"},
	"csv":          {"CSV", "CSV", "CSV"},
	"parquet":      {"Parquet", "Parquet", "Parquet"},
	"chart":        {"Chart", "圖表", "图表"},
	"chart.x":      {"X axis (categories)", "X 軸（類別）", "X 轴（类别）"},
	"chart.y":      {"Y axis (values)", "Y 軸（數值）", "Y 轴（数值）"},
	"chart.kind":   {"Kind", "類型", "类型"},
	"chart.bar":    {"Bars", "長條圖", "柱状图"},
	"chart.line":   {"Line", "折線圖", "折线图"},
	"chart.draw":   {"Draw", "繪製", "绘制"},
	"saved":        {"Saved queries", "已儲存的查詢", "已保存的查询"},
	"saved.hint":   {"Shared with every analyst. Saving keeps the SQL as written; it runs only when opened and run.", "所有分析人員共用。儲存時只保存 SQL 原文，開啟並執行時才會執行。", "所有分析人员共用。保存时只保存 SQL 原文，打开并运行时才会执行。"},
	"saved.title":  {"Title", "標題", "标题"},
	"saved.save":   {"Save the query", "儲存查詢", "保存查询"},
	"saved.none":   {"No saved queries yet.", "尚無已儲存的查詢。", "还没有已保存的查询。"},
	"saved.by":     {"%s, %s", "%s，%s", "%s，%s"},
	"saved.open":   {"Open", "開啟", "打开"},
	"saved.delete": {"Delete", "刪除", "删除"},

	"js.rows":        {"%s rows", "共 %s 列", "共 %s 行"},
	"js.first_rows":  {"first %s rows of more: the result stops at the limit of %s rows", "僅顯示前 %s 列：結果超過 %s 列的上限", "仅显示前 %s 行：结果超过 %s 行的上限"},
	"js.first_bytes": {"first %s rows: truncated at %s", "僅顯示前 %s 列：於 %s 處截斷", "仅显示前 %s 行：在 %s 处截断"},
	"js.elapsed":     {"ran in %s s", "耗時 %s 秒", "耗时 %s 秒"},
	"js.running":     {"Running…", "執行中…", "运行中…"},
	"js.error":       {"The query was not run or failed", "查詢未執行或執行失敗", "查询未运行或运行失败"},
	"js.empty_query": {"Write a query first.", "請先輸入查詢。", "请先输入查询。"},
	"js.download":    {"Downloading…", "下載中…", "下载中…"},
	"js.downloaded":  {"Downloaded %s rows as %s.", "已下載 %s 列（%s）。", "已下载 %s 行（%s）。"},
	"js.saved":       {"Saved “%s”.", "已儲存「%s」。", "已保存“%s”。"},
	"js.no_title":    {"Give the query a title.", "請為查詢加上標題。", "请为查询加上标题。"},
	"js.confirm":     {"Delete “%s”?", "要刪除「%s」嗎？", "要删除“%s”吗？"},
	"js.no_chart":    {"Choose a column for each axis.", "請為兩軸各選一欄。", "请为两个轴各选一列。"},
	"js.null":        {"NULL", "NULL", "NULL"},
	"js.by":          {"%s, %s", "%s，%s", "%s，%s"},
	"js.open":        {"Open", "開啟", "打开"},
	"js.delete":      {"Delete", "刪除", "删除"},
}
