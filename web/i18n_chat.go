package web

import "shian"

func init() {
	register(map[string]shian.Text{
		"chat.title":       {"在线咨询", "Ask the city", "Спросить в чате"},
		"chat.intro":       {"问问商户的卫生等级、附近的店，或直接投诉举报。", "Ask about a shop's grade, shops near you, or file a complaint.", "Спросите об оценке заведения, о заведениях рядом или подайте жалобу."},
		"chat.placeholder": {"例如：老二位海鲜怎么样？", "e.g. Is Lao Er Wei Seafood any good?", "например: как Лао Эр Вэй?"},
		"chat.send":        {"发送", "Send", "Отправить"},
		"chat.location":    {"📍 发送我的位置", "📍 Share my location", "📍 Отправить геопозицию"},
		"chat.nogeo":       {"无法获取您的位置。", "Your location is not available.", "Местоположение недоступно."},
		"chat.error":       {"发送失败，请重试。", "Could not send; please try again.", "Не отправлено, повторите."},
		"chat.noscript":    {"在线咨询需要启用JavaScript。也可以直接使用搜索和投诉页面。", "The chat needs JavaScript. The search and complaint pages work without it.", "Для чата нужен JavaScript. Поиск и форма жалобы работают и без него."},
	})
}
