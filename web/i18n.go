package web

import "shian"

// catalog is the interface text: key → zh, en, ru. Page files add their
// own keys with register in an init function of their own file, so that
// pages do not edit each other's catalogs.
var catalog = map[string]shian.Text{
	"site.name":      {"秦皇岛食品安全", "Qinhuangdao Food Safety", "Безопасность питания Циньхуандао"},
	"site.tagline":   {"秦皇岛市市场监督管理局", "Qinhuangdao Market Supervision Administration", "Управление по надзору за рынком г. Циньхуандао"},
	"nav.search":     {"查商户", "Find a shop", "Найти заведение"},
	"nav.complain":   {"投诉举报", "Complain", "Пожаловаться"},
	"nav.chat":       {"在线咨询", "Chat", "Чат"},
	"footer.hotline": {"投诉举报电话 12315", "Complaints hotline 12315", "Горячая линия 12315"},
}

func register(m map[string]shian.Text) {
	for k, v := range m {
		if _, dup := catalog[k]; dup {
			panic("web: duplicate message key " + k)
		}
		catalog[k] = v
	}
}

// T translates key into lang (zh, en, ru), formatting args when given.
// An unknown key shows as itself, so a missing translation is visible.
func T(lang, key string, args ...any) string {
	v, ok := catalog[key]
	if !ok {
		return key
	}
	return v.Format(lang, args...)
}
