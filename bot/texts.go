package bot

import "shian"

// texts are the bot's lines in zh, en and ru. They are short: a phone
// screen shows them whole.
var texts = map[string]shian.Text{
	"welcome": {
		"您好！这里是秦皇岛食品安全。您可以：\n· 发店名查等级（如“老二位海鲜怎么样”）\n· 发位置看附近的店\n· 说“我要投诉”或“我要举报”\n· 发“查询 QHD-XXXX-XXXX”查进度\n随时发“取消”重新开始；English / Русский",
		"Hello! Qinhuangdao Food Safety here. You can:\n· send a shop's name to see its grade\n· share your location for shops near you\n· say \"I want to complain\" or \"report\"\n· send your ticket (QHD-XXXX-XXXX) for its status\nSay \"cancel\" to start over. 中文 / Русский",
		"Здравствуйте! Безопасность питания Циньхуандао. Можно:\n· прислать название заведения — покажу оценку\n· отправить геопозицию — покажу заведения рядом\n· написать «хочу пожаловаться»\n· прислать номер обращения (QHD-XXXX-XXXX)\n«Отмена» — начать заново. 中文 / English",
	},
	"lang.set":          {"好的，我们用中文交流。", "OK, English it is.", "Хорошо, говорим по-русски."},
	"cancelled":         {"已取消。还有什么可以帮您？", "Cancelled. What else can I do for you?", "Отменено. Чем ещё помочь?"},
	"nothing":           {"好的。", "OK.", "Хорошо."},
	"busy":              {"服务暂时繁忙，请稍后再试。", "The service is busy; please try again shortly.", "Сервис занят, повторите чуть позже."},
	"rate_limited":      {"消息太频繁了，请稍后再发。", "Too many messages; please wait a moment.", "Слишком много сообщений, подождите немного."},
	"lookup.none":       {"没有找到“%s”。请核对店名，或发许可证号。", "No shop called \"%s\" found. Check the name, or send the licence number.", "Заведение «%s» не найдено. Проверьте название или пришлите номер лицензии."},
	"lookup.many":       {"找到多家，请回复编号：", "Several match; reply with a number:", "Нашлось несколько, ответьте номером:"},
	"lookup.maybe":      {"没有完全匹配的。您是不是要找（回复编号）：", "No exact match. Did you mean (reply with a number):", "Точного совпадения нет. Возможно, вы имели в виду (ответьте номером):"},
	"lookup.fuzzy":      {"按“%s”为您找到：", "Closest match for \"%s\":", "Ближайшее к «%s»:"},
	"lookup.notnum":     {"请回复列表中的编号。", "Please reply with a number from the list.", "Ответьте номером из списка."},
	"lookup.more":       {"想投诉这家店请说“投诉”。", "To complain about it, say \"complain\".", "Чтобы пожаловаться, напишите «жалоба»."},
	"sticker.bad":       {"这个二维码链接不是本市签发的，可能是伪造的。可以说“举报”反映。", "That sticker link was not issued by the city; it may be forged. Say \"report\" to tell us.", "Эта ссылка с наклейки не выдана городом, возможно, подделка. Напишите «сообщить о нарушении»."},
	"near.ask":          {"请发送您的位置（微信：＋ → 位置），我来找附近的店。", "Please share your location and I will find shops near you.", "Отправьте геопозицию — найду заведения рядом."},
	"near.none":         {"附近2公里内没有找到符合条件的店。", "No matching shop within 2 km.", "В радиусе 2 км подходящих заведений нет."},
	"near.found":        {"您附近（2公里内）等级最好的店：", "Best-graded shops within 2 km:", "Лучшие по оценке заведения в радиусе 2 км:"},
	"near.outside":      {"这个位置不在秦皇岛市内。", "That location is outside Qinhuangdao.", "Эта точка вне Циньхуандао."},
	"track.ask":         {"请发送投诉编号（如 QHD-7K3M-9XQ2）。", "Please send your ticket number (like QHD-7K3M-9XQ2).", "Пришлите номер обращения (например, QHD-7K3M-9XQ2)."},
	"track.proof":       {"请发送您留的电话号码后四位（或查询码）。", "Please send the last 4 digits of the phone you gave (or your tracking code).", "Пришлите последние 4 цифры указанного телефона (или код для проверки)."},
	"track.wrong":       {"编号或号码后四位不对，请再试一次，或发“取消”。", "The ticket or the digits do not match. Try again, or say \"cancel\".", "Номер или цифры не совпадают. Попробуйте ещё раз или напишите «отмена»."},
	"track.limited":     {"错误次数太多，请%d分钟后再试。", "Too many wrong tries; try again in %d minutes.", "Слишком много ошибок; повторите через %d мин."},
	"track.status":      {"%s：%s\n商户：%s\n提交：%s", "%s: %s\nShop: %s\nFiled: %s", "%s: %s\nЗаведение: %s\nПодано: %s"},
	"track.due":         {"办理期限：%s", "Due: %s", "Срок: %s"},
	"c.start":           {"好的，我来帮您%s。", "OK, I will help you file a %s.", "Хорошо, помогу подать %s."},
	"c.kind.complaint":  {"投诉", "complaint", "жалобу"},
	"c.kind.report":     {"举报", "report", "сообщение о нарушении"},
	"c.shop":            {"是哪家店？请发店名或地址（也可发许可证号或门口二维码链接）。", "Which shop? Send its name or address (or its licence number or sticker link).", "Какое заведение? Пришлите название или адрес (или номер лицензии, ссылку с наклейки)."},
	"c.shop.pick":       {"是哪一家？请回复编号（都不是请回复0）：", "Which one? Reply with a number (0 if none):", "Какое именно? Ответьте номером (0 — ни одно):"},
	"c.shop.free":       {"没有在登记的商户中找到“%s”，将按此名称登记。", "\"%s\" is not among registered shops; I will file it under that name.", "«%s» нет среди зарегистрированных; укажу это название."},
	"c.shop.ok":         {"商户：%s", "Shop: %s", "Заведение: %s"},
	"c.what":            {"发生了什么？请简单描述（至少10个字）。", "What happened? Please describe it (at least 10 characters).", "Что случилось? Опишите (не меньше 10 символов)."},
	"c.what.short":      {"请再多说几句（至少10个字）。", "Please say a little more (at least 10 characters).", "Напишите чуть подробнее (не меньше 10 символов)."},
	"c.category":        {"我理解为：%s。对吗？（回复“是”，或“不是”换一个）", "I understand: %s. Right? (yes / no)", "Я понял так: %s. Верно? (да / нет)"},
	"c.category.pick":   {"请回复类别编号：", "Reply with the category number:", "Ответьте номером категории:"},
	"c.when":            {"什么时候发生的？（如“昨天”“7月10日”，不记得可回复“跳过”）", "When did it happen? (e.g. \"yesterday\", \"2026-07-10\"; or \"skip\")", "Когда это было? (например, «вчера», «10.07»; или «пропустить»)"},
	"c.when.bad":        {"没看懂时间，请再说一次（如“昨天晚上”），或回复“跳过”。", "I did not get the date; try again (e.g. \"yesterday\") or say \"skip\".", "Не понял дату; повторите (например, «вчера») или «пропустить»."},
	"c.photo":           {"有照片可以现在发送（最多3张）；没有请回复“没有”。", "You can send photos now (up to 3); otherwise reply \"none\".", "Можно прислать фото (до 3); иначе ответьте «нет»."},
	"c.photo.got":       {"收到第%d张照片。还有吗？没有请回复“好了”。", "Photo %d received. More? Otherwise reply \"done\".", "Фото %d получено. Ещё? Иначе ответьте «готово»."},
	"c.photo.bad":       {"这张图片无法使用（仅支持JPEG/PNG，5MB以内）。", "That image cannot be used (JPEG/PNG up to 5 MB only).", "Это изображение не подходит (только JPEG/PNG до 5 МБ)."},
	"c.photo.nophoto":   {"请发送照片，或回复“没有”。", "Please send a photo, or reply \"none\".", "Пришлите фото или ответьте «нет»."},
	"c.name":            {"投诉需要您的姓名和电话（加密保存）。请问您怎么称呼？", "A complaint needs your name and phone (stored encrypted). Your name?", "Для жалобы нужны имя и телефон (хранятся зашифрованно). Как вас зовут?"},
	"c.name.bad":        {"请发送您的姓名（50字以内）。", "Please send your name (up to 50 characters).", "Пришлите имя (до 50 символов)."},
	"c.phone":           {"您的手机号？", "Your phone number?", "Ваш номер телефона?"},
	"c.phone.bad":       {"这不是有效的电话号码，请重新发送（如 13812341234）。", "That is not a valid phone number; please send it again (e.g. +79161234567).", "Это не номер телефона; пришлите ещё раз (например, +79161234567)."},
	"c.summary":         {"请确认：\n类型：%s\n商户：%s\n类别：%s\n时间：%s\n经过：%s%s\n回复“确认”提交，或回复“修改”。", "Please check:\nType: %s\nShop: %s\nCategory: %s\nWhen: %s\nWhat: %s%s\nReply \"yes\" to submit, or \"no\" to change something.", "Проверьте:\nТип: %s\nЗаведение: %s\nКатегория: %s\nКогда: %s\nЧто: %s%s\nОтветьте «да», чтобы отправить, или «нет», чтобы изменить."},
	"c.summary.contact": {"\n联系人：%s %s", "\nContact: %s %s", "\nКонтакт: %s %s"},
	"c.summary.photos":  {"\n照片：%d张", "\nPhotos: %d", "\nФото: %d"},
	"c.when.unknown":    {"未提供", "not given", "не указано"},
	"c.edit":            {"要改哪一项？请回复编号：", "What should I change? Reply with a number:", "Что изменить? Ответьте номером:"},
	"c.edit.shop":       {"商户", "Shop", "Заведение"},
	"c.edit.what":       {"经过", "What happened", "Что случилось"},
	"c.edit.category":   {"类别", "Category", "Категория"},
	"c.edit.when":       {"时间", "When", "Когда"},
	"c.edit.contact":    {"联系方式", "Contact", "Контакт"},
	"c.edit.kind":       {"投诉/举报", "Complaint / report", "Жалоба / сообщение"},
	"c.edit.cancel":     {"不提交了", "Do not submit", "Не отправлять"},
	"c.confirm.again":   {"请回复“确认”提交，或“修改”。", "Reply \"yes\" to submit, or \"no\" to change something.", "Ответьте «да» — отправить, «нет» — изменить."},
	"c.filed":           {"已提交！编号 %s\n查询码 %s（请保存）\n%s办理。", "Filed! Ticket %s\nTracking code %s (keep it)\nHandled by %s.", "Отправлено! Номер %s\nКод для проверки %s (сохраните)\nРассматривает: %s."},
	"c.filed.accept":    {"将在 %s 前决定是否受理。", "A decision on accepting it is due by %s.", "Решение о принятии — до %s."},
	"c.filed.verify":    {"将在 %s 前完成核查。", "Verification is due by %s.", "Проверка — до %s."},
	"c.limited":         {"您提交的投诉过多，请稍后再试（一小时后可再回复“确认”提交）。", "Too many complaints from you for now. Please try again later (reply \"yes\" in an hour to file this one).", "Слишком много жалоб от вас. Попробуйте позже (ответьте «да» через час, чтобы отправить эту)."},
	"c.failed":          {"提交未成功：%s", "Not filed: %s", "Не отправлено: %s"},
	"c.help":            {"我们正在填写投诉，随时可以发“取消”。", "We are filling in your complaint; say \"cancel\" any time.", "Мы заполняем обращение; «отмена» — в любой момент."},
}

// tr returns the text of key in lang, formatted with args.
func tr(lang, key string, args ...any) string {
	v, ok := texts[key]
	if !ok {
		return key
	}
	return v.Format(lang, args...)
}
