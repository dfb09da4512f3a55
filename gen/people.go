package gen

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"
)

// feeItem is one published fee standard.
type feeItem struct {
	code, name, unit string
	rate             decimal.Decimal
	nameZH, unitZH   string // the name and unit in Traditional Chinese
}

// Fee item indexes.
const (
	feeMGMT = iota
	feePARK
	feeWATER
	feePDAY
	feeCARD
)

func (w *world) genFeeItems() {
	w.fees = []feeItem{
		{"MGMT", "Management fee", "m2/month", cents(650), "管理費", "每平方公尺每月"},
		{"PARK", "Parking space (monthly)", "space/month", cents(120000), "車位月租", "每車位每月"},
		{"WATER", "Water", "m3", cents(420), "水費", "每立方公尺"},
		{"PDAY", "Parking day pass", "day", cents(6000), "臨時停車日票", "每日"},
		{"CARD", "Access card replacement", "card", cents(20000), "門禁卡補發", "每張"},
	}
}

// feeEffectiveFrom is the date every fee standard took effect: 1 January of
// the year before the data starts.
func (w *world) feeEffectiveFrom() string {
	return time.Date(w.cal.start.Year()-1, 1, 1, 0, 0, 0, 0, time.UTC).Format(dateLayout)
}

// genCollectors names the counter staff (Latin pinyin surnames).
func (w *world) genCollectors() {
	w.collectors = []string{"Wang", "Li", "Chen", "Zhang", "Liu", "Yang", "Huang"}
}

// collectorErrorFactor scales each collector's chance of a voided entry.
var collectorErrorFactor = []float64{1.0, 0.6, 1.8, 0.8, 1.0, 1.3, 0.5}

// onDuty reports whether collector c works on day d: the counter is closed
// on Sundays and each collector has one more day off a week, in rotation.
func (w *world) onDuty(c, d int) bool {
	return w.cal.open(d) && (d+c*3)%7 != 0
}

// pickCollector chooses an on-duty collector for day d.
func (w *world) pickCollector(r *rand.Rand, d int) int {
	n := len(w.collectors)
	start := r.IntN(n)
	for i := range n {
		c := (start + i) % n
		if w.onDuty(c, d) {
			return c
		}
	}
	return start
}

// Payer profiles: how reliably a customer pays.
const (
	profGood = iota
	profAverage
	profPoor
	profChronic // refuses or cannot pay most bills
)

// customer is one household.
type customer struct {
	id, name, unit, idDoc string
	area                  int
	size                  decimal.Decimal // m2, for the management fee
	water, parking        bool
	senior                bool // 10% discount on the management fee
	firstMonth            int  // month index of the first bill (move-ins)
	profile               int
	hardship              bool // reports it cannot pay when late
	method                int  // preferred payment method
	wantsInvoice          bool
}

// areas are the five areas of the estate (Traditional Chinese, as the
// customer register is kept).
var areas = []string{"東區", "西區", "南區", "北區", "中區"}

// areasEN are the areas' names in English, in the order of areas.
var areasEN = []string{"East", "West", "South", "North", "Central"}

// buildings of each area.
var areaBuildings = [][]string{{"A", "B"}, {"C", "D"}, {"E", "F"}, {"G", "H"}, {"J", "K"}}

// Each building has floors 2..30 with 12 units a floor.
const (
	floorsPerBuilding = 29
	unitsPerFloor     = 12
	unitsPerBuilding  = floorsPerBuilding * unitsPerFloor
)

// unitAllocator hands out distinct units ("A棟12樓之3") in random order,
// area by area; an area that runs out of units gets new buildings (A2, B2, ...).
type unitAllocator struct {
	perm  [][]int // per area: a permutation of the unit slots of two buildings
	taken []int   // per area: units handed out
}

func newUnitAllocator(r *rand.Rand) *unitAllocator {
	a := &unitAllocator{taken: make([]int, len(areas))}
	for range areas {
		a.perm = append(a.perm, r.Perm(2*unitsPerBuilding))
	}
	return a
}

func (a *unitAllocator) next(area int) string {
	k := a.taken[area]
	a.taken[area]++
	slot := a.perm[area][k%len(a.perm[area])]
	round := k / len(a.perm[area])
	b := areaBuildings[area][slot/unitsPerBuilding]
	if round > 0 {
		b += itoa(round + 1)
	}
	in := slot % unitsPerBuilding
	return fmt.Sprintf("%s棟%d樓之%d", b, 2+in/unitsPerFloor, 1+in%unitsPerFloor)
}

var surnames = []string{
	"陳", "林", "黃", "張", "李", "王", "吳", "劉", "蔡", "楊", "許", "鄭", "謝", "郭", "洪",
	"曾", "邱", "廖", "賴", "周", "徐", "蘇", "葉", "莊", "呂", "江", "何", "蕭", "羅", "高",
	"潘", "簡", "朱", "鍾", "彭", "游", "詹", "胡", "施", "沈", "余", "盧", "梁", "趙", "顏",
	"柯", "翁", "魏", "孫", "戴",
}

var givenChars = []string{
	"志", "明", "俊", "傑", "建", "宏", "家", "豪", "冠", "宇", "承", "恩", "怡", "君", "淑",
	"芬", "雅", "蓉", "美", "玲", "佳", "穎", "欣", "宜", "庭", "詩", "涵", "雨", "萱", "子",
	"琳", "思", "妤", "宗", "翰", "柏", "彥", "品", "睿", "信", "安", "文", "華", "國", "強",
	"麗", "珍", "秀", "英", "惠", "靜", "貞", "嘉", "玉", "偉", "誠", "鈞", "凱", "慧", "琪",
}

// idLetters are the first letters of Taiwanese national identification
// numbers with their two-digit codes, weighted towards the larger cities.
var idLetters = []struct {
	letter byte
	code   int
	weight int
}{
	{'A', 10, 12}, {'F', 15, 14}, {'H', 17, 8}, {'B', 11, 10}, {'E', 14, 9}, {'D', 13, 6},
	{'J', 18, 3}, {'K', 19, 3}, {'G', 16, 3}, {'N', 22, 4}, {'P', 23, 3}, {'T', 27, 3},
	{'C', 12, 2}, {'Q', 24, 2}, {'M', 21, 2}, {'O', 35, 1}, {'U', 28, 2}, {'V', 29, 1},
}

// taiwanID returns a well-formed (checksummed) national identification
// number such as "A123456789".
func taiwanID(r *rand.Rand) string {
	total := 0
	for _, l := range idLetters {
		total += l.weight
	}
	x := r.IntN(total)
	li := 0
	for i, l := range idLetters {
		if x < l.weight {
			li = i
			break
		}
		x -= l.weight
	}
	l := idLetters[li]
	digits := make([]int, 8)
	digits[0] = 1 + r.IntN(2) // 1 male, 2 female
	for i := 1; i < 8; i++ {
		digits[i] = r.IntN(10)
	}
	sum := l.code/10 + (l.code%10)*9
	for i, dg := range digits {
		sum += dg * (8 - i)
	}
	check := (10 - sum%10) % 10
	b := []byte{l.letter}
	for _, dg := range digits {
		b = append(b, byte('0'+dg))
	}
	b = append(b, byte('0'+check))
	return string(b)
}

// validTaiwanID checks the format and checksum of a national identification number.
func validTaiwanID(s string) bool {
	if len(s) != 10 {
		return false
	}
	code := -1
	for _, l := range idLetters {
		if l.letter == s[0] {
			code = l.code
		}
	}
	if code < 0 {
		return false
	}
	sum := code/10 + (code%10)*9
	for i := 1; i < 10; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		wgt := 9 - i
		if i == 9 {
			wgt = 1
		}
		sum += int(c-'0') * wgt
	}
	return sum%10 == 0
}

// Payment method indexes, in the order of the payments.method domain.
const (
	mCash = iota
	mCard
	mBank
	mWechat
	mAlipay
	mOther
)

// methodWords are the English method words; methodZh their Chinese forms
// as the counter system writes them in some rows.
var (
	methodWords = []string{"cash", "card", "bank_transfer", "wechat", "alipay", "other"}
	methodZh    = []string{"現金", "刷卡", "銀行轉賬", "微信", "支付寶", ""}
)

// preferredMethodWeights (per mille) of cash, card, bank_transfer, wechat,
// alipay, other.
var preferredMethodWeights = []int{230, 130, 220, 220, 170, 30}

func weighted(r *rand.Rand, weights []int) int {
	total := 0
	for _, x := range weights {
		total += x
	}
	x := r.IntN(total)
	for i, wt := range weights {
		if x < wt {
			return i
		}
		x -= wt
	}
	return len(weights) - 1
}

func (w *world) genCustomers() {
	r := w.rng("customers")
	seenID := make(map[string]bool, w.cfg.Customers)
	units := newUnitAllocator(r)
	w.customers = make([]customer, w.cfg.Customers)
	for i := range w.customers {
		c := &w.customers[i]
		c.id = fmt.Sprintf("C%05d", i+1)
		name := surnames[r.IntN(len(surnames))]
		nGiven := 2
		if r.IntN(10) == 0 {
			nGiven = 1
		}
		for range nGiven {
			name += givenChars[r.IntN(len(givenChars))]
		}
		c.name = name
		c.area = r.IntN(len(areas))
		c.unit = units.next(c.area)
		for {
			id := taiwanID(r)
			if !seenID[id] {
				seenID[id] = true
				c.idDoc = id
				break
			}
		}
		c.size = cents(int64(4500 + r.IntN(13500))) // 45.00..179.99 m2
		c.water = r.IntN(100) < 88
		c.parking = r.IntN(100) < 40
		c.senior = r.IntN(100) < 8
		if r.IntN(100) < 6 && w.cal.months > 1 {
			c.firstMonth = 1 + r.IntN(w.cal.months-1)
		}
		switch x := r.IntN(100); {
		case x < 68:
			c.profile = profGood
		case x < 90:
			c.profile = profAverage
		case x < 97:
			c.profile = profPoor
		default:
			c.profile = profChronic
		}
		c.hardship = c.profile >= profPoor && r.IntN(3) == 0
		c.method = weighted(r, preferredMethodWeights)
		c.wantsInvoice = r.IntN(100) < 30
	}
}
