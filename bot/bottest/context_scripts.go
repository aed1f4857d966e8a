package bottest

import (
	"context"
	"strings"
	"testing"
	"time"

	"shian"
)

// lang holds what a person says, and what the bot answers, in one
// language, so that every conversation below runs in zh, en and ru.
type lang struct {
	code string
	// what the person says
	hello, lookupLEW, lookupList, second, complainThis, complainPlain, justNow, inspected, anyComplaints, address string
	describe, yes, yesterday, name, phone, confirm, cancel, mine, rate, firstSentence, exactName, recommend       string
	actually, no, shopWord, gwd, askInspectedMid, help, whichShop1                                                string
	// what the bot says
	shopOK, what, category, when, summary, filed, askTicket, proof, status, latest, which, inspection, complaintsAt string
	cancelled, welcome, many, noref, notNumber, stars, thanks, back, kindLabel, fixedWhen, editMenu, foreignObject  string
	addressOf, recommended                                                                                          string
}

var langs = []lang{
	{code: "zh",
		hello: "你好", lookupLEW: "老二位海鲜怎么样", lookupList: "海鲜大排档", second: "第二个", complainThis: "我要投诉这家",
		complainPlain: "我要投诉", justNow: "就是刚才那家", inspected: "这家什么时候检查的？", anyComplaints: "有没有投诉？",
		address: "它的地址在哪？", describe: "吃完以后上吐下泻，肚子疼了一晚上", yes: "是", yesterday: "昨天", name: "张三",
		phone: "13812341234", confirm: "确认", cancel: "取消", mine: "我的投诉进度怎么样了", rate: "我要评价我的投诉",
		firstSentence: "长城饺子馆的饺子里吃出了塑料，我要投诉", exactName: "长城饺子馆干净吗", recommend: "北戴河哪家海鲜店卫生好",
		actually: "其实是前天", no: "修改", shopWord: "商户", gwd: "长城饺子馆", askInspectedMid: "这家店什么时候检查的？",
		help: "帮助", whichShop1: "1",
		shopOK: "商户：", what: "发生了什么", category: "对吗", when: "什么时候发生", summary: "请确认", filed: "已提交",
		askTicket: "请发送投诉编号", proof: "后四位", status: "已受理登记", latest: "您最近的投诉是", which: "哪家店",
		inspection: "最近一次检查", complaintsAt: "投诉办理结果", cancelled: "已取消", welcome: "秦皇岛食品安全",
		many: "找到多家", noref: "没有刚才那家店的记录", notNumber: "不是编号", stars: "打分", thanks: "已评价：5分",
		back: "我们接着填投诉", kindLabel: "类型：投诉", fixedWhen: "时间改为 2026-07-13", editMenu: "要改哪一项",
		foreignObject: "食品中有异物", addressOf: "的地址", recommended: "卫生等级最好的"},
	{code: "en",
		hello: "hello", lookupLEW: "How is Lao Er Wei Seafood?", lookupList: "海鲜大排档", second: "the second one",
		complainThis: "I want to complain about this restaurant", complainPlain: "I want to complain", justNow: "that restaurant",
		inspected: "when was it inspected?", anyComplaints: "any complaints about it?", address: "what is its address?",
		describe: "After dinner we had vomiting and diarrhoea all night", yes: "yes", yesterday: "yesterday", name: "John Smith",
		phone: "+7 916 123 45 67", confirm: "yes", cancel: "cancel", mine: "what's the status of my complaint?",
		rate: "I want to rate my complaint", firstSentence: "I want to complain about Great Wall Dumplings, there was plastic in my dumplings",
		exactName: "Is Great Wall Dumplings safe to eat at?", recommend: "Which seafood place in Beidaihe is cleanest?",
		actually: "actually it was the day before yesterday", no: "no", shopWord: "shop", gwd: "Great Wall Dumplings",
		askInspectedMid: "when was this restaurant inspected?", help: "help", whichShop1: "1",
		shopOK: "Shop: ", what: "What happened", category: "Right?", when: "When did it happen", summary: "Please check",
		filed: "Filed! Ticket", askTicket: "Please send your ticket number", proof: "last 4 digits", status: "Registered",
		latest: "Your latest ticket is", which: "Which shop?", inspection: "was last inspected", complaintsAt: "Outcomes of complaints",
		cancelled: "Cancelled", welcome: "Qinhuangdao Food Safety", many: "reply with a number", noref: "I have no shop from before",
		notNumber: "not a number", stars: "from 1 to 5", thanks: "rated 5 of 5", back: "Back to your complaint",
		kindLabel: "Type: Complaint", fixedWhen: "the date is now 2026-07-13", editMenu: "What should I change",
		foreignObject: "Foreign object in food", addressOf: " is at ", recommended: "Best-graded"},
	{code: "ru",
		hello: "Привет", lookupLEW: "Как там Морепродукты Лао Эр Вэй?", lookupList: "海鲜大排档", second: "второй",
		complainThis: "хочу пожаловаться на это заведение", complainPlain: "Хочу пожаловаться", justNow: "на него, то же самое",
		inspected: "когда его проверяли?", anyComplaints: "есть жалобы на него?", address: "какой у него адрес?",
		describe: "После ужина меня вырвало, всю ночь болел живот", yes: "да", yesterday: "вчера", name: "Иван",
		phone: "+79161234567", confirm: "да", cancel: "отмена", mine: "что с моей жалобой?", rate: "хочу оценить моё обращение",
		firstSentence: "В «Пельменная «Великая стена»» нашёл пластик в пельменях, хочу пожаловаться",
		exactName:     "Пельменная «Великая стена» — там чисто?", recommend: "Какое кафе с морепродуктами в Бэйдайхэ лучше?",
		actually: "на самом деле позавчера", no: "нет", shopWord: "заведение", gwd: "Пельменная «Великая стена»",
		askInspectedMid: "когда это заведение проверяли?", help: "помощь", whichShop1: "1",
		shopOK: "Заведение: ", what: "Что случилось", category: "Верно?", when: "Когда это было", summary: "Проверьте",
		filed: "Отправлено! Номер", askTicket: "Пришлите номер обращения", proof: "последние 4 цифры", status: "Зарегистрировано",
		latest: "Ваше последнее обращение", which: "Какое заведение", inspection: "последняя проверка", complaintsAt: "Итоги жалоб",
		cancelled: "Отменено", welcome: "Безопасность питания", many: "ответьте номером", noref: "заведения ещё не было",
		notNumber: "не номер", stars: "от 1 до 5", thanks: "оценка 5 из 5", back: "Продолжим обращение",
		kindLabel: "Тип: Жалоба", fixedWhen: "дата теперь 2026-07-13", editMenu: "Что изменить",
		foreignObject: "Посторонний предмет", addressOf: "Адрес «", recommended: "Лучшие по оценке"},
}

// ContextScripts are the conversations of issue #15 in every language:
// memory of the shop and the ticket, "my complaint", the shop named in
// the first sentence, exact names answered at once, recommendations,
// questions and corrections in the middle of the form, rating a case.
func (e *Env) ContextScripts(tb testing.TB) []Script {
	lew := e.ShopNamed(tb, "老二位海鲜")
	gwd := e.ShopNamed(tb, "长城饺子馆")
	qin := e.ShopNamed(tb, "老秦海鲜大排档")
	fisher := e.ShopNamed(tb, "渔夫海鲜大排档")
	filedAs := func(licence, category, priority string, day string) func(tb testing.TB, e *Env, filed []string) {
		return func(tb testing.TB, e *Env, filed []string) {
			tb.Helper()
			if len(filed) == 0 {
				tb.Fatal("nothing filed")
			}
			c := e.Complaint(tb, filed[len(filed)-1])
			if c.Licence != licence || c.SubmittedCategory != category || c.Priority != priority || c.Channel != shian.ChannelBot {
				tb.Fatalf("filed %s: licence %q category %s priority %s; want %q %s %s", c.Ticket, c.Licence, c.SubmittedCategory,
					c.Priority, licence, category, priority)
			}
			if day != "" && c.OccurredAt.In(shian.CST).Format(shian.DateLayout) != day {
				tb.Fatalf("filed %s: occurred %s, want %s", c.Ticket, c.OccurredAt, day)
			}
		}
	}
	// finish answers the rest of the form after the category question.
	finish := func(l lang) []Step {
		return []Step{
			{Send: text(l.yes), Want: []string{l.when}},
			{Send: text(l.yesterday)},
			{Send: text(l.name)},
			{Send: text(l.phone), Want: []string{l.summary, l.kindLabel}, Not: []string{"Тип: жалобу"}},
			{Send: text(l.confirm), Want: []string{l.filed}},
		}
	}
	closeLast := func(tb testing.TB, e *Env, filed []string) {
		tb.Helper()
		if len(filed) == 0 {
			tb.Fatal("nothing filed to close")
		}
		if _, err := e.DB.DB.ExecContext(context.Background(), e.DB.Q(`UPDATE complaints SET status = ? WHERE ticket = ?`),
			shian.ComplaintClosed, filed[len(filed)-1]); err != nil {
			tb.Fatal(err)
		}
	}
	var out []Script
	for _, l := range langs {
		add := func(name string, steps []Step, check func(tb testing.TB, e *Env, filed []string)) {
			out = append(out, Script{Name: l.code + "_" + name, Lang: l.code, Steps: steps, Check: check})
		}
		// 1. The shop just shown is "this one".
		add("memory_shown_then_complain_this", append([]Step{
			{Send: text(l.lookupLEW), Want: []string{"/shops/" + lew.Licence}},
			{Send: text(l.complainThis), Want: []string{l.shopOK + "老二位海鲜", l.what}, Not: []string{l.which}},
			{Send: text(l.describe), Want: []string{l.category}},
		}, finish(l)...), filedAs(lew.Licence, "foodborne_illness", shian.PriorityUrgent, "2026-07-14"))
		// 2. "The second one" of a list, then "this one".
		add("memory_second_of_list_then_complain", append([]Step{
			{Send: text(l.lookupList), Want: []string{"1. ", "2. "}, Not: []string{"4. "}},
			{Send: text(l.second), Want: []string{"老秦海鲜大排档", "/shops/" + qin.Licence}},
			{Send: text(l.complainThis), Want: []string{l.shopOK + "老秦海鲜大排档"}},
			{Send: text(l.describe), Want: []string{l.category}},
		}, finish(l)...), filedAs(qin.Licence, "foodborne_illness", shian.PriorityUrgent, "2026-07-14"))
		// 2b. The shop chosen by number is "this one" (choosing 1, then
		// "我要投诉这家" used to get "Which shop?").
		add("memory_chosen_by_number_then_complain", append([]Step{
			{Send: text(l.lookupList), Want: []string{"1. 渔夫海鲜大排档"}},
			{Send: text("1"), Want: []string{"/shops/" + fisher.Licence}},
			{Send: text(l.complainThis), Want: []string{l.shopOK + "渔夫海鲜大排档"}, Not: []string{l.which}},
			{Send: text(l.describe), Want: []string{l.category}},
		}, finish(l)...), filedAs(fisher.Licence, "foodborne_illness", shian.PriorityUrgent, "2026-07-14"))
		// 3. "就是刚才那家" answers the shop question.
		add("memory_just_now_answers_which_shop", append([]Step{
			{Send: text(l.lookupLEW), Want: []string{"/shops/" + lew.Licence}},
			{Send: text(l.complainPlain), Want: []string{l.which}},
			{Send: text(l.justNow), Want: []string{l.shopOK + "老二位海鲜"}, Not: []string{"将按此名称登记", "is not among", "нет среди"}},
			{Send: text(l.describe), Want: []string{l.category}},
		}, finish(l)...), filedAs(lew.Licence, "foodborne_illness", shian.PriorityUrgent, ""))
		// 4. Follow-up questions are answered about the shop in context.
		add("memory_followup_questions", []Step{
			{Send: text(l.lookupLEW), Want: []string{"/shops/" + lew.Licence}},
			{Send: text(l.inspected), Want: []string{l.inspection, "老二位海鲜"}},
			{Send: text(l.anyComplaints), Want: []string{l.complaintsAt, "/shops/" + lew.Licence}, Not: []string{l.what}},
			{Send: text(l.address), Want: []string{l.addressOf, lew.Address}},
		}, nil)
		// 5. The context expires after a quiet period.
		add("memory_expires", []Step{
			{Send: text(l.lookupLEW), Want: []string{"/shops/" + lew.Licence}},
			{Do: func(tb testing.TB, e *Env, _ []string) { e.Clock.Advance(31 * time.Minute) }, Send: text(l.complainThis),
				Want: []string{l.which}, Not: []string{"老二位海鲜"}},
		}, nil)
		// 6. Cancel drops it; a pointer to nothing is not a shop's name.
		add("memory_dropped_on_cancel", []Step{
			{Send: text(l.lookupLEW), Want: []string{"/shops/" + lew.Licence}},
			{Send: text(l.cancel), Want: []string{l.welcome}},
			{Send: text(l.complainThis), Want: []string{l.which}},
			{Send: text(l.justNow), Want: []string{l.noref}},
			{Send: text(l.cancel), Want: []string{l.cancelled}},
		}, nil)
		// 7. "My complaint" with nothing filed asks for the number; it
		// never starts a complaint.
		add("track_mine_nothing_filed", []Step{
			{Send: text(l.mine), Want: []string{l.askTicket}, Not: []string{l.which, l.what, "进度 了"}},
			{Send: text("QHD-2345-6789"), Want: []string{l.proof}, Not: []string{l.what}},
			{Send: text(l.cancel), Want: []string{l.cancelled}},
		}, nil)
		// 8. "My complaint" after filing offers the ticket, proven by the
		// last 4 digits.
		add("track_mine_after_filing", append(append([]Step{
			{Send: text(l.firstSentence), Want: []string{l.shopOK + "长城饺子馆", l.foreignObject}},
		}, finish(l)...),
			Step{Send: text(l.mine), Want: []string{l.latest, "QHD-"}, Not: []string{l.which}},
			Step{Send: text("0000"), Want: []string{}},
			Step{Send: text(last4(l.phone)), Want: []string{"长城饺子馆"}}),
			filedAs(gwd.Licence, "foreign_object", shian.PriorityNormal, "2026-07-14"))
		// 9. The shop named in the first sentence is used.
		add("first_sentence_shop", append([]Step{
			{Send: text(l.firstSentence), Want: []string{l.shopOK + "长城饺子馆", l.foreignObject}, Not: []string{l.which}},
		}, finish(l)...), filedAs(gwd.Licence, "foreign_object", shian.PriorityNormal, "2026-07-14"))
		// 10. "1" to the shop question is not a shop's name.
		add("number_to_which_shop", append([]Step{
			{Send: text(l.complainPlain), Want: []string{l.which}},
			{Send: text(l.whichShop1), Want: []string{l.notNumber}, Not: []string{"行家烧烤", "1. "}},
			{Send: text(l.gwd), Want: []string{l.shopOK + "长城饺子馆"}},
			{Send: text(l.describe), Want: []string{l.category}},
		}, finish(l)...), filedAs(gwd.Licence, "foodborne_illness", shian.PriorityUrgent, ""))
		// 11. An exact name in any language answers at once.
		add("exact_name_direct", []Step{
			{Send: text(l.exactName), Want: []string{"长城饺子馆", "/shops/" + gwd.Licence}, Not: []string{"1. ", "2. "}},
		}, nil)
		// 12. Close candidates: at most three, numbered.
		add("close_candidates_at_most_three", []Step{
			{Send: text("海鲜大排档"), Want: []string{"1. ", "3. ", "渔夫海鲜大排档"}, Not: []string{"4. ", "5. "}},
		}, nil)
		// 13. Recommend: food-serving places of a kind in a district.
		add("recommend_seafood_in_beidaihe", []Step{
			{Send: text(l.recommend), Want: []string{l.recommended, "北戴河区"[:0]}, Not: []string{"食堂", "Canteen", "小学", l.what}},
			{Send: text("1"), Want: []string{"/shops/"}},
		}, nil)
		// 14. A question in the middle of the form is answered; the form is kept.
		add("question_mid_form", []Step{
			{Send: text(l.firstSentence), Want: []string{l.shopOK + "长城饺子馆", l.category}},
			{Send: text(l.yes), Want: []string{l.when}},
			{Send: text(l.askInspectedMid), Want: []string{l.inspection, "长城饺子馆", l.back, l.when}},
			{Send: text(l.mine), Want: []string{l.back, l.when}, Not: []string{l.askTicket}},
			{Send: text(l.yesterday)},
			{Send: text(l.name)},
			{Send: text(l.phone), Want: []string{l.summary}},
			{Send: text(l.confirm), Want: []string{l.filed}},
		}, filedAs(gwd.Licence, "foreign_object", shian.PriorityNormal, "2026-07-14"))
		// 15. A correction in words changes the date.
		add("correction_in_words", append(append([]Step{
			{Send: text(l.firstSentence), Want: []string{l.category}},
		}, finish(l)[:4]...),
			Step{Send: text(l.actually), Want: []string{l.fixedWhen, l.summary, "2026-07-13"}},
			Step{Send: text(l.confirm), Want: []string{l.filed}}),
			filedAs(gwd.Licence, "foreign_object", shian.PriorityNormal, "2026-07-13"))
		// 16. The edit menu takes words: "shop", "商户", "заведение".
		add("edit_menu_in_words", append(append([]Step{
			{Send: text(l.lookupLEW)},
			{Send: text(l.complainThis), Want: []string{l.shopOK + "老二位海鲜"}},
			{Send: text(l.describe), Want: []string{l.category}},
		}, finish(l)[:4]...),
			Step{Send: text(l.no), Want: []string{l.editMenu}},
			Step{Send: text(l.shopWord), Want: []string{l.which}},
			Step{Send: text(l.gwd), Want: []string{l.shopOK + "长城饺子馆", l.summary}},
			Step{Send: text(l.confirm), Want: []string{l.filed}}),
			filedAs(gwd.Licence, "foodborne_illness", shian.PriorityUrgent, "2026-07-14"))
		// 17. Rate a closed case.
		add("rate_closed_case", append(append([]Step{
			{Send: text(l.firstSentence), Want: []string{l.category}},
		}, finish(l)...),
			Step{Send: text(l.rate), Want: []string{l.latest}},
			Step{Send: text(last4(l.phone)), Want: []string{"QHD-"}, Not: []string{l.stars}},
			Step{Do: closeLast, Send: text(l.rate), Want: []string{l.latest}},
			Step{Send: text(last4(l.phone)), Want: []string{l.stars}},
			Step{Send: text("5"), Want: []string{l.thanks}}),
			func(tb testing.TB, e *Env, filed []string) {
				c := e.Complaint(tb, filed[len(filed)-1])
				if c.Rating != 5 {
					tb.Fatalf("rating %d, want 5", c.Rating)
				}
			})
		// 18. Help and cancel.
		add("help_and_cancel", []Step{
			{Send: text(l.help), Want: []string{l.welcome}},
			{Send: text(l.complainPlain), Want: []string{l.which}},
			{Send: text(l.help), Want: []string{l.which}},
			{Send: text(l.cancel), Want: []string{l.cancelled}},
			{Send: text(l.lookupLEW), Want: []string{"/shops/" + lew.Licence}, Not: []string{l.what}},
		}, nil)
		// 19. A location with nothing asked gives nearby well-graded places.
		add("location_gives_nearby", []Step{
			{Send: text(l.hello)},
			{Send: Msg{Loc: &NearPoint}, Want: []string{"蓝海酒家", " m"}, Not: []string{"食堂"}},
			{Send: text(l.second), Want: []string{"/shops/"}},
		}, nil)
	}
	for i := range out {
		for j := range out[i].Steps {
			out[i].Steps[j].Want = slicesWithout(out[i].Steps[j].Want, "")
		}
	}
	return out
}

func slicesWithout(list []string, drop string) []string {
	var out []string
	for _, s := range list {
		if strings.TrimSpace(s) != drop {
			out = append(out, s)
		}
	}
	return out
}

func last4(phone string) string {
	var d []rune
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			d = append(d, r)
		}
	}
	return string(d[len(d)-4:])
}
