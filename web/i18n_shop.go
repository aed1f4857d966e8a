package web

import "shian"

func init() {
	register(map[string]shian.Text{
		"shop.title":            {"商户食品安全信息", "Food safety information", "Информация о безопасности питания"},
		"shop.verified":         {"✔ 秦皇岛市市场监督管理局签发的官方二维码", "✔ Official code issued by the city of Qinhuangdao", "✔ Официальный код, выданный городом Циньхуандао"},
		"shop.outdated":         {"此二维码贴纸已过期，已被新贴纸取代。以下为最新信息。", "Outdated sticker — it has been replaced by a newer one. Current information below.", "Устаревшая наклейка — её заменили новой. Актуальная информация ниже."},
		"shop.status.suspended": {"已责令停业整顿", "SUSPENDED by the authority", "ДЕЯТЕЛЬНОСТЬ ПРИОСТАНОВЛЕНА"},
		"shop.status.closed":    {"已歇业 / 已注销", "CLOSED", "ЗАКРЫТО"},
		"shop.licence":          {"许可证号", "Licence", "Лицензия"},
		"shop.category":         {"类别", "Category", "Категория"},
		"shop.address":          {"地址", "Address", "Адрес"},
		"shop.district":         {"辖区", "District", "Район"},
		"shop.phone":            {"电话", "Phone", "Телефон"},
		"shop.dynamic":          {"动态等级", "Current grade", "Текущая оценка"},
		"shop.annual":           {"年度等级", "Annual grade", "Годовая оценка"},
		"shop.annual.none":      {"%d年度无等级", "No annual grade for %d", "Нет годовой оценки за %d"},
		"shop.annual.of":        {"%d年度", "for %d", "за %d"},
		"shop.asof":             {"检查日期 %s", "inspected %s", "проверка %s"},
		"shop.haccp":            {"HACCP 认证", "HACCP certified", "Сертификат HACCP"},
		"shop.inspections":      {"最近检查", "Recent inspections", "Последние проверки"},
		"shop.noinspections":    {"尚无检查记录", "No inspections yet", "Проверок ещё не было"},
		"shop.failed":           {"不合格项", "Failed items", "Нарушения"},
		"shop.complain":         {"投诉此商户", "Complain about this shop", "Пожаловаться на заведение"},
		"shop.chat":             {"在线咨询", "Ask the city", "Спросить в чате"},
		"grade.excellent":       {"优秀", "Excellent", "Отлично"},
		"grade.good":            {"良好", "Good", "Хорошо"},
		"grade.fair":            {"一般", "Fair", "Удовлетворительно"},
		"grade.fail":            {"不合格（须整改）", "Failed (must rectify)", "Не соответствует (обязано устранить)"},
		"grade.not_graded":      {"待评级", "Not graded yet", "Ещё не оценено"},
		"grade.note.not_graded": {"新开业不满三个月或尚未检查", "Licensed less than 3 months ago or not yet inspected", "Открыто менее 3 месяцев назад или ещё не проверялось"},
		"qr.unknown.title":      {"二维码无效", "Code not recognised", "Код не распознан"},
		"qr.unknown.body":       {"此二维码不是秦皇岛市监管部门签发的。它可能是伪造的，或者已被篡改。请不要相信它显示的等级。", "This code was not issued by the city of Qinhuangdao. It may be forged or altered: do not trust any grade it shows.", "Этот код не выдан городом Циньхуандао. Он может быть поддельным или изменённым: не доверяйте показанной оценке."},
		"qr.unknown.report":     {"举报伪造的二维码", "Report a forged code", "Сообщить о поддельном коде"},
		"qr.unknown.search":     {"查询商户的真实等级", "Look up the shop's real grade", "Узнать настоящую оценку заведения"},
		"notfound.title":        {"未找到", "Not found", "Не найдено"},
		"notfound.body":         {"没有找到这个商户。", "There is no such shop.", "Такого заведения нет."},
	})
}
