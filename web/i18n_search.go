package web

import "shian"

func init() {
	register(map[string]shian.Text{
		"search.title":            {"查商户食品安全等级", "Find a shop's food-safety grade", "Оценка безопасности питания"},
		"search.placeholder":      {"店名、拼音、地址…", "Name, pinyin or address…", "Название, пиньинь или адрес…"},
		"search.submit":           {"搜索", "Search", "Найти"},
		"search.district":         {"辖区", "District", "Район"},
		"search.anydistrict":      {"全部辖区", "All districts", "Все районы"},
		"search.grade":            {"等级", "Grade", "Оценка"},
		"search.anygrade":         {"全部等级", "Any grade", "Любая оценка"},
		"search.annual":           {"年度等级", "Annual grade", "Годовая оценка"},
		"search.openonly":         {"只看营业中", "Open shops only", "Только работающие"},
		"search.nearme":           {"📍 我附近", "📍 Near me", "📍 Рядом со мной"},
		"search.nearme.on":        {"显示您附近的商户", "Showing shops near you", "Заведения рядом с вами"},
		"search.nearme.off":       {"取消位置", "Forget my location", "Забыть моё местоположение"},
		"search.nogeo":            {"无法获取您的位置。", "Your location is not available.", "Местоположение недоступно."},
		"search.total":            {"共 %d 家", "%d shops", "Найдено: %d"},
		"search.none":             {"没有找到符合条件的商户。", "No shop matches.", "Ничего не найдено."},
		"search.try":              {"可以试试：拼音（如 haixian）、更少的字词，或去掉一个筛选条件。", "Try pinyin (such as haixian), fewer words, or remove a filter.", "Попробуйте пиньинь (например, haixian), меньше слов или уберите фильтр."},
		"search.didyoumean":       {"您是不是要找：", "Did you mean:", "Возможно, вы искали:"},
		"search.category":         {"类别", "Kind of shop", "Тип заведения"},
		"search.anycategory":      {"餐饮（默认）", "Places to eat (default)", "Где поесть (по умолчанию)"},
		"search.status":           {"经营状态", "Status", "Статус"},
		"search.anystatus":        {"营业中及停业整改", "Open and suspended", "Работающие и приостановленные"},
		"search.sort":             {"排序", "Sort", "Порядок"},
		"search.status.open":      {"营业中", "Open", "Работает"},
		"search.status.suspended": {"停业整顿", "Suspended", "Приостановлено"},
		"search.status.closed":    {"已歇业", "Closed", "Закрыто"},
		"search.sort.relevance":   {"最相关", "Best match", "По релевантности"},
		"search.sort.distance":    {"距离最近", "Nearest", "Ближайшие"},
		"search.sort.grade":       {"等级最好", "Best grade", "Лучшая оценка"},
		"search.suggest":          {"建议", "Suggestions", "Подсказки"},
		"search.degraded":         {"搜索服务繁忙，以下为简化结果。", "Search is busy: these are simplified results.", "Поиск перегружен: показаны упрощённые результаты."},
		"search.prev":             {"上一页", "Previous", "Назад"},
		"search.next":             {"下一页", "Next", "Далее"},
		"search.asof":             {"检查日期 %s", "inspected %s", "проверка %s"},
		"search.hint":             {"输入店名（中文、拼音、英文或俄文）或地址，或查找您附近的商户。", "Type a shop's name (Chinese, pinyin, English or Russian) or address, or look near you.", "Введите название (по-китайски, пиньинем, по-английски или по-русски) или адрес, либо ищите рядом."},
	})
}
