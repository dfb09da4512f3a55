package data

import (
	"fmt"
	"io"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// WriteParquet writes a gate's result as a Parquet file from Go (never
// through SQL COPY, which the sandbox forbids): DECIMAL(p,s) stays a
// decimal128 of the same precision and scale, integers, doubles, booleans,
// dates and timestamps keep their types, and anything else is written as
// text.
func WriteParquet(w io.Writer, res *Result) error {
	fields := make([]arrow.Field, len(res.Columns))
	for i, c := range res.Columns {
		fields[i] = arrow.Field{Name: c.Name, Type: arrowType(c.Type), Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, row := range res.Rows {
		for i, v := range row {
			if err := appendValue(b.Field(i), v); err != nil {
				return fmt.Errorf("parquet: column %s: %w", res.Columns[i].Name, err)
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy))
	// The writer closes a sink that is an io.Closer; the caller owns w.
	sink := struct{ io.Writer }{w}
	fw, err := pqarrow.NewFileWriter(schema, sink, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	if err := fw.Write(rec); err != nil {
		fw.Close()
		return fmt.Errorf("parquet: %w", err)
	}
	return fw.Close()
}

var decimalType = regexp.MustCompile(`^DECIMAL\((\d+),\s*(\d+)\)$`)

func arrowType(duck string) arrow.DataType {
	if m := decimalType.FindStringSubmatch(duck); m != nil {
		p, _ := strconv.Atoi(m[1])
		s, _ := strconv.Atoi(m[2])
		return &arrow.Decimal128Type{Precision: int32(p), Scale: int32(s)}
	}
	switch duck {
	case "BOOLEAN":
		return arrow.FixedWidthTypes.Boolean
	case "TINYINT":
		return arrow.PrimitiveTypes.Int8
	case "SMALLINT":
		return arrow.PrimitiveTypes.Int16
	case "INTEGER":
		return arrow.PrimitiveTypes.Int32
	case "BIGINT":
		return arrow.PrimitiveTypes.Int64
	case "UTINYINT":
		return arrow.PrimitiveTypes.Uint8
	case "USMALLINT":
		return arrow.PrimitiveTypes.Uint16
	case "UINTEGER":
		return arrow.PrimitiveTypes.Uint32
	case "UBIGINT":
		return arrow.PrimitiveTypes.Uint64
	case "HUGEINT":
		return &arrow.Decimal128Type{Precision: 38, Scale: 0}
	case "FLOAT", "REAL":
		return arrow.PrimitiveTypes.Float32
	case "DOUBLE":
		return arrow.PrimitiveTypes.Float64
	case "DATE":
		return arrow.FixedWidthTypes.Date32
	case "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE":
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case "TIMESTAMP":
		return &arrow.TimestampType{Unit: arrow.Microsecond}
	case "BLOB":
		return arrow.BinaryTypes.Binary
	}
	return arrow.BinaryTypes.String
}

func appendValue(b array.Builder, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	switch fb := b.(type) {
	case *array.Decimal128Builder:
		n, err := decimalNum(v, fb.Type().(*arrow.Decimal128Type).Scale)
		if err != nil {
			return err
		}
		fb.Append(n)
	case *array.BooleanBuilder:
		fb.Append(v.(bool))
	case *array.Int8Builder:
		fb.Append(int8(toInt(v)))
	case *array.Int16Builder:
		fb.Append(int16(toInt(v)))
	case *array.Int32Builder:
		fb.Append(int32(toInt(v)))
	case *array.Int64Builder:
		fb.Append(toInt(v))
	case *array.Uint8Builder:
		fb.Append(uint8(toInt(v)))
	case *array.Uint16Builder:
		fb.Append(uint16(toInt(v)))
	case *array.Uint32Builder:
		fb.Append(uint32(toInt(v)))
	case *array.Uint64Builder:
		if u, ok := v.(uint64); ok {
			fb.Append(u)
		} else {
			fb.Append(uint64(toInt(v)))
		}
	case *array.Float32Builder:
		f, err := toFloat(v)
		if err != nil {
			return err
		}
		fb.Append(float32(f))
	case *array.Float64Builder:
		f, err := toFloat(v)
		if err != nil {
			return err
		}
		fb.Append(f)
	case *array.Date32Builder:
		t, err := toTime(v, "2006-01-02")
		if err != nil {
			return err
		}
		fb.Append(arrow.Date32FromTime(t))
	case *array.TimestampBuilder:
		t, err := toTime(v, time.RFC3339Nano)
		if err != nil {
			return err
		}
		fb.Append(arrow.Timestamp(t.UnixMicro()))
	case *array.BinaryBuilder:
		if bs, ok := v.([]byte); ok {
			fb.Append(bs)
		} else {
			fb.AppendString(fmt.Sprint(v))
		}
	case *array.StringBuilder:
		switch x := v.(type) {
		case string:
			fb.Append(x)
		case time.Time:
			fb.Append(x.Format("15:04:05.999999"))
		default:
			fb.Append(fmt.Sprint(x))
		}
	default:
		return fmt.Errorf("no Parquet writer for %T", b)
	}
	return nil
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int64:
		return x
	case int:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		return int64(x)
	case DecimalText: // an integer as a JSON answer of the SQL API carries it
		n, _ := strconv.ParseInt(string(x), 10, 64)
		return n
	}
	return 0
}

func toFloat(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case DecimalText:
		return strconv.ParseFloat(string(x), 64)
	case string: // NaN, Inf as the SQL API writes them
		return strconv.ParseFloat(x, 64)
	}
	return 0, fmt.Errorf("float value of type %T", v)
}

// toTime takes a time, or its text as the SQL API answers it.
func toTime(v any, layout string) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case string:
		if t, err := time.Parse(layout, x); err == nil {
			return t, nil
		}
		return time.Parse("2006-01-02T15:04:05.999999999", x)
	}
	return time.Time{}, fmt.Errorf("time value of type %T", v)
}

// decimalNum reads exact decimal text into the unscaled integer at scale.
func decimalNum(v any, scale int32) (decimal128.Num, error) {
	text, ok := v.(DecimalText)
	if !ok {
		return decimal128.Num{}, fmt.Errorf("decimal value of type %T", v)
	}
	s := string(text)
	intPart, frac, _ := strings.Cut(s, ".")
	if int32(len(frac)) > scale {
		return decimal128.Num{}, fmt.Errorf("%s has more than %d decimal places", s, scale)
	}
	frac += strings.Repeat("0", int(scale)-len(frac))
	n, ok := new(big.Int).SetString(intPart+frac, 10)
	if !ok {
		return decimal128.Num{}, fmt.Errorf("%q is not a decimal", s)
	}
	return decimal128.FromBigInt(n), nil
}
