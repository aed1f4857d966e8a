package shian

import "time"

// Complaint kinds (docs/complaints.md).
const (
	KindComplaint = "complaint" // 投诉: a consumer dispute asking for remedy
	KindReport    = "report"    // 举报: a violation report, may be anonymous
)

// Priorities, highest first.
const (
	PriorityUrgent = "urgent"
	PriorityHigh   = "high"
	PriorityNormal = "normal"
	PriorityLow    = "low"
)

// PriorityRank orders priorities: higher is more urgent.
func PriorityRank(p string) int {
	switch p {
	case PriorityUrgent:
		return 4
	case PriorityHigh:
		return 3
	case PriorityNormal:
		return 2
	case PriorityLow:
		return 1
	}
	return 0
}

// ComplaintCategory is a complaint category, also an Open311 service code.
type ComplaintCategory struct {
	Code     string `json:"code"`
	Names    Names  `json:"names"`
	Priority string `json:"priority"`
}

// ComplaintCategories are the categories of docs/complaints.md with their default priority.
var ComplaintCategories = []ComplaintCategory{
	{"foodborne_illness", Names{"疑似食物中毒", "Suspected food poisoning", "Подозрение на пищевое отравление"}, PriorityUrgent},
	{"school_food", Names{"校园食品安全", "School food safety", "Безопасность питания в школе"}, PriorityHigh},
	{"spoiled_food", Names{"变质、过期食品", "Spoiled or expired food", "Испорченные или просроченные продукты"}, PriorityHigh},
	{"foreign_object", Names{"食品中有异物", "Foreign object in food", "Посторонний предмет в еде"}, PriorityNormal},
	{"hygiene", Names{"环境卫生差、虫鼠害", "Poor hygiene, pests", "Антисанитария, вредители"}, PriorityNormal},
	{"no_licence", Names{"无证经营", "Operating without a licence", "Работа без лицензии"}, PriorityNormal},
	{"fake_grade", Names{"未公示或伪造等级、二维码", "Grade or QR code missing or forged", "Рейтинг или QR-код не вывешен или подделан"}, PriorityNormal},
	{"price_weight", Names{"缺斤短两、价格欺诈", "Short weight, price fraud", "Обвес, ценовое мошенничество"}, PriorityNormal},
	{"online_order", Names{"网络订餐问题", "Online order problem", "Проблема с онлайн-заказом"}, PriorityNormal},
	{"other", Names{"其他", "Other", "Другое"}, PriorityLow},
}

// LookupComplaintCategory returns the category with the given code.
func LookupComplaintCategory(code string) (ComplaintCategory, bool) {
	for _, c := range ComplaintCategories {
		if c.Code == code {
			return c, true
		}
	}
	return ComplaintCategory{}, false
}

// Routing is what triage decides about a complaint: who handles it, how
// urgently, and by when.
type Routing struct {
	District  string    `json:"district"` // "" when unrouted (city office queue)
	Grid      string    `json:"grid,omitempty"`
	Office    string    `json:"office"`
	Priority  string    `json:"priority"`
	Category  string    `json:"category"`            // may be raised from the submitted one
	AcceptDue time.Time `json:"accept_due,omitzero"` // complaint: decide accept/reject
	VerifyDue time.Time `json:"verify_due,omitzero"` // report: decide on opening a case
	// RoutedBy says how the district was found: shop, geo, text or none.
	RoutedBy string `json:"routed_by"`
}
