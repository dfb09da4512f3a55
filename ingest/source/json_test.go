package source

import (
	"strings"
	"testing"
)

func TestJSON(t *testing.T) {
	for _, c := range []tcase{
		{
			name: "array with the union of keys", file: "p.json",
			data: []byte(`[
  {"txn_id": "T1", "amount": 12.5},
  {"amount": 3, "txn_id": "T2", "method": "cash"},
  {"note": "x", "txn_id": "T3"}
]`),
			format: JSON, enc: UTF8,
			header: []string{"txn_id", "amount", "method", "note"},
			records: []Record{
				rec(1, "T1", "12.5", "", ""),
				rec(2, "T2", "3", "cash", ""),
				rec(3, "T3", "", "", "x"),
			},
		},
		{
			name: "numbers keep their literal text", file: "p.json",
			data:    []byte(`[{"a": 1e3, "b": 12.30, "c": 100000000000000000001, "d": -0.1, "e": 12.300000000000001}]`),
			records: []Record{rec(1, "1e3", "12.30", "100000000000000000001", "-0.1", "12.300000000000001")},
		},
		{
			name: "booleans, null, escapes", file: "p.json",
			data:    []byte(`[{"a": true, "b": false, "c": null, "d": "line\nnext \u00e9 \"q\"", "e": ""}]`),
			records: []Record{rec(1, "true", "false", "", "line\nnext é \"q\"", "")},
		},
		{
			name: "keys trimmed", file: "p.json",
			data:    []byte(`[{" txn_id ": "T1"}, {"txn_id": "T2"}]`),
			header:  []string{"txn_id"},
			records: []Record{rec(1, "T1"), rec(2, "T2")},
		},
		{
			name: "nested values and non-objects are problems", file: "p.json",
			data: []byte(`[{"a": "1", "b": {"x": [1, {"y": 2}]}}, {"a": "2", "b": [1]}, 5, "s", [1, 2], null, {"a": "3"}]`),
			records: []Record{
				bad(1, "value is a nested object", "b", "1", ""),
				bad(2, "value is a nested array", "b", "2", ""),
				bad(3, "element is not an object (it is a number)", "", "", ""),
				bad(4, "element is not an object (it is a string)", "", "", ""),
				bad(5, "element is not an object (it is an array)", "", "", ""),
				bad(6, "element is not an object (it is null)", "", "", ""),
				rec(7, "3", ""),
			},
		},
		{
			name: "escapes, braces inside strings, spacing", file: "p.json",
			data:    []byte("[ {\n \"\\u0061\" : \"}{][\\\"\" ,\t\"b\":{\"x\":\"]}\"} , \"c\" : -1.5E+3 } ]"),
			header:  []string{"a", "b", "c"},
			records: []Record{bad(1, "value is a nested object", "b", `}{]["`, "", "-1.5E+3")},
		},
		{
			name: "key twice in one object", file: "p.json",
			data:    []byte(`[{"a": "1", "a": "2"}]`),
			records: []Record{bad(1, `key "a" appears twice in the object`, "a", "1")},
		},
		{
			name: "long value", file: "p.json", opts: Options{MaxFieldBytes: 4},
			data:    []byte(`[{"a": "12345", "b": 1}, {"a": 123456, "b": 2}]`),
			records: []Record{bad(1, "field is longer than 4 bytes", "a", "", "1"), bad(2, "field is longer than 4 bytes", "a", "", "2")},
		},
		{
			name: "invalid utf-8 in a value", file: "p.json", opts: Options{Encoding: UTF8},
			data:    []byte("[{\"a\": \"x\xffy\"}, {\"a\": \"ok\"}]"),
			records: []Record{bad(1, "contains bytes that are not valid utf-8", "a", "x\xffy"), rec(2, "ok")},
		},
		{name: "empty array", file: "p.json", data: []byte(" [ ] \n"), header: []string{}, records: []Record{}},
		{name: "not json", file: "p.json", data: []byte(`[{"a": 1}, {"a": 2,}]`), errSub: "the file is not valid JSON in element 2 (line 1): invalid character '}'", errRow: 2},
		{name: "not json at line 3", file: "p.json", data: []byte("[\n{\"a\": 1},\n{\"a\" 2}]"), errSub: "element 2 (line 3)", errRow: 2},
		{name: "missing comma", file: "p.json", data: []byte(`[{"a": 1} {"a": 2}]`), errSub: "not valid JSON in element 2 (line 1): expected comma after array element", errRow: 2},
		{name: "truncated", file: "p.json", data: []byte(`[{"a": 1}, {"a": 2`), errSub: "the file ends in element 2: the JSON is truncated", errRow: 2},
		{name: "truncated after an element", file: "p.json", data: []byte(`[{"a": 1},`), errSub: "truncated", errRow: 2},
		{name: "truncated before the end", file: "p.json", data: []byte(`[{"a": 1}`), errSub: "truncated", errRow: 0},
		{name: "truncated in a nested value", file: "p.json", data: []byte(`[{"a": {"b": [1, 2`), errSub: "truncated", errRow: 1},
		{name: "top level is a string", file: "p.json", opts: Options{Format: JSON}, data: []byte(`"hello"`), errSub: "not an array of objects"},
		{name: "data after the array", file: "p.json", data: []byte(`[{"a": 1}] [2]`), errSub: "more data after the end of the JSON array"},
		{name: "garbage after the array", file: "p.json", data: []byte(`[{"a": 1}] x`), errSub: "not valid JSON"},
		{name: "case-insensitive duplicate keys", file: "p.json", data: []byte(`[{"Amount": 1}, {"amount": 2}]`), errSub: `column "amount" appears twice`, errCol: "amount"},
		{
			name: "ndjson with the union of keys", file: "p.ndjson",
			data:   []byte("{\"txn_id\":\"T1\",\"amount\":1e3}\n\n  \r\n{\"txn_id\":\"T2\",\"method\":\"cash\"}\r\n{\"amount\":0.10}"),
			format: NDJSON, header: []string{"txn_id", "amount", "method"},
			records: []Record{rec(1, "T1", "1e3", ""), rec(4, "T2", "", "cash"), rec(5, "", "0.10", "")},
		},
		{
			name: "ndjson non-object lines are problems", file: "p.ndjson",
			data:    []byte("{\"a\":\"1\"}\n[1]\n2\n{\"a\":{\"b\":1}}\n"),
			records: []Record{rec(1, "1"), bad(2, "line is not an object (it is an array)", "", ""), bad(3, "line is not an object (it is a number)", "", ""), bad(4, "value is a nested object", "a", "")},
		},
		{name: "ndjson blank", file: "p.ndjson", data: []byte("\n\n  \n"), errSub: "the file is empty"},
		{name: "ndjson blank beyond 64 KiB", file: "p.ndjson", data: []byte(strings.Repeat(" \n", 40000)), errSub: "the file is empty"},
		{name: "json blank beyond 64 KiB", file: "p.json", data: []byte(strings.Repeat(" \n", 40000)), opts: Options{Format: JSON}, errSub: "the file is empty"},
		{name: "csv blank beyond 64 KiB", file: "p.csv", data: []byte(strings.Repeat(" \n", 40000)), errSub: "the file is empty"},
		{name: "ndjson bad line", file: "p.ndjson", data: []byte("{\"a\":1}\n{\"a\":}\n"), errSub: "line 2 is not valid JSON", errRow: 2},
		{name: "ndjson two values on a line", file: "p.ndjson", data: []byte("{\"a\":1}\n{\"a\":1}{\"a\":2}\n"), errSub: "line 2 holds more than one JSON value", errRow: 2},
		{name: "ndjson garbage after the object", file: "p.ndjson", data: []byte("{\"a\":1} x\n"), errSub: "line 1 is not valid JSON: invalid character 'x'", errRow: 1},
		{name: "ndjson pretty printed", file: "p.ndjson", data: []byte("{\n  \"a\": 1\n}\n"), errSub: "line 1 is not a complete JSON value", errRow: 1},
		{name: "ndjson truncated last line", file: "p.ndjson", data: []byte("{\"a\":1}\n{\"a\":"), errSub: "line 2 is not a complete JSON value", errRow: 2},
	} {
		t.Run(c.name, c.run)
	}
}

func TestJSONRecordLimit(t *testing.T) {
	big := `[{"a": "` + strings.Repeat("x", minRecordBytes+1<<20) + `"}]`
	tcase{name: "array", file: "p.json", data: []byte(big), errSub: "element 1 is longer than 16 MiB", errRow: 1}.run(t)
	line := "{\"a\": \"" + strings.Repeat("x", minRecordBytes+1<<20) + "\"}\n"
	tcase{name: "ndjson", file: "p.ndjson", data: []byte("{\"a\":1}\n" + line), errSub: "line 2 is longer than 16 MiB", errRow: 2}.run(t)
}
