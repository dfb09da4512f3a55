package data

import (
	"fmt"
	"math/big"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/shopspring/decimal"
)

// MoneyScale is the number of decimal places of every amount (DECIMAL(18,2)).
const MoneyScale = 2

// maxUnscaled bounds DECIMAL(18,2): 18 digits in all.
var maxUnscaled = new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil)

// ToDuck converts an amount for DuckDB's Appender, which writes the unscaled
// integer and ignores the scale (STACK.md): the value is shifted by hand, must
// be whole in cents and must fit DECIMAL(18,2).
func ToDuck(d decimal.Decimal) (duckdb.Decimal, error) {
	return toDuckScale(d, MoneyScale)
}

func toDuckScale(d decimal.Decimal, scale int32) (duckdb.Decimal, error) {
	shifted := d.Shift(scale)
	if !shifted.Equal(shifted.Truncate(0)) {
		return duckdb.Decimal{}, fmt.Errorf("amount %s has more than %d decimal places", d, scale)
	}
	v := shifted.BigInt()
	if new(big.Int).Abs(v).Cmp(maxUnscaled) >= 0 {
		return duckdb.Decimal{}, fmt.Errorf("amount %s does not fit DECIMAL(18,%d)", d, scale)
	}
	return duckdb.Decimal{Width: 18, Scale: uint8(scale), Value: v}, nil
}

// FromDuck converts a DECIMAL read from DuckDB.
func FromDuck(v duckdb.Decimal) decimal.Decimal {
	if v.Value == nil {
		return decimal.Zero
	}
	return decimal.NewFromBigInt(v.Value, -int32(v.Scale))
}

// Decimal scans a DuckDB DECIMAL (or an integer) into a shopspring decimal;
// Valid is false for NULL. It never goes through a float.
type Decimal struct {
	Decimal decimal.Decimal
	Valid   bool
}

// Scan implements sql.Scanner.
func (d *Decimal) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Decimal{}
	case duckdb.Decimal:
		*d = Decimal{Decimal: FromDuck(v), Valid: true}
	case *big.Int:
		*d = Decimal{Decimal: decimal.NewFromBigInt(v, 0), Valid: true}
	case int64:
		*d = Decimal{Decimal: decimal.NewFromInt(v), Valid: true}
	case int32:
		*d = Decimal{Decimal: decimal.NewFromInt(int64(v)), Valid: true}
	case string:
		x, err := decimal.NewFromString(v)
		if err != nil {
			return fmt.Errorf("scan decimal %q: %w", v, err)
		}
		*d = Decimal{Decimal: x, Valid: true}
	default:
		return fmt.Errorf("scan decimal: unsupported type %T (cast floats to DECIMAL in SQL)", src)
	}
	return nil
}
