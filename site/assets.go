package site

import "io/fs"

// ECharts returns a file of the vendored ECharts (echarts.min.js,
// echarts-LICENSE or echarts-NOTICE), for the server's pages that draw
// charts with the same script the site ships; ok is false for any other name.
func ECharts(name string) (b []byte, ok bool) {
	switch name {
	case "echarts.min.js", "echarts-LICENSE", "echarts-NOTICE":
		b, err := fs.ReadFile(assetsFS, "assets/"+name)
		return b, err == nil
	}
	return nil, false
}
