package bottest

import (
	"testing"

	"shian"
	"shian/bot"
	"shian/qrcodes"
)

// Scripts are the scripted conversations, in Chinese, English and Russian.
func (e *Env) Scripts(tb testing.TB) []Script {
	lew := e.ShopNamed(tb, "老二位海鲜")
	token := e.Signer.Sign(lew.ID, lew.StickerVersion)
	sticker := qrcodes.URL(e.PublicURL, token)
	forged := qrcodes.URL(e.PublicURL, "AEAAAAAAAAAAAAAAAAAA")
	outside := bot.Location{Lat: 31.23, Lng: 121.47} // Shanghai
	checkFiled := func(kind, category, licence string, photos int) func(tb testing.TB, e *Env, filed []string) {
		return func(tb testing.TB, e *Env, filed []string) {
			tb.Helper()
			c := e.Complaint(tb, one(tb, filed))
			if c.Channel != shian.ChannelBot || c.Kind != kind || c.SubmittedCategory != category || c.Licence != licence || len(c.Photos) != photos {
				tb.Fatalf("filed %s: channel %s kind %s category %s licence %q photos %d; want bot %s %s %q %d",
					c.Ticket, c.Channel, c.Kind, c.SubmittedCategory, c.Licence, len(c.Photos), kind, category, licence, photos)
			}
		}
	}
	return []Script{
		{Name: "zh_greeting", Lang: "zh", Steps: []Step{{Send: text("你好"), Want: []string{"秦皇岛食品安全", "我要投诉"}}}},
		{Name: "en_greeting", Lang: "en", Steps: []Step{{Send: text("hello"), Want: []string{"Qinhuangdao Food Safety"}}}},
		{Name: "ru_greeting", Lang: "ru", Steps: []Step{{Send: text("Привет"), Want: []string{"Безопасность питания"}}}},
		{Name: "zh_lookup_free_form", Lang: "zh", Steps: []Step{
			{Send: text("老二位海鲜怎么样？"), Want: []string{"老二位海鲜", "北戴河区", "/shops/" + lew.Licence, "投诉"}}}},
		{Name: "zh_lookup_pinyin", Lang: "zh", Steps: []Step{
			{Send: text("laoerwei"), Want: []string{"老二位海鲜", "/shops/" + lew.Licence}}}},
		{Name: "zh_lookup_typo", Lang: "zh", Steps: []Step{
			{Send: text("老二为海鲜干净吗"), Want: []string{"老二位海鲜", "/shops/" + lew.Licence}}}},
		{Name: "en_lookup_typo", Lang: "en", Steps: []Step{
			{Send: text("Is Lao Er Wei Sefood any good?"), Want: []string{"Lao Er Wei Seafood", "/shops/" + lew.Licence}}}},
		{Name: "zh_ambiguous_then_pick", Lang: "zh", Steps: []Step{
			{Send: text("海鲜大排档"), Want: []string{"找到多家", "1. ", "2. ", "渔夫海鲜大排档", "老秦海鲜大排档"}},
			{Send: text("9"), Want: []string{"请回复列表中的编号"}},
			{Send: text("第一个"), Want: []string{"海鲜大排档", "/shops/"}, Not: []string{"找到多家"}}}},
		{Name: "en_lookup", Lang: "en", Steps: []Step{
			{Send: text("How is Lao Er Wei Seafood?"), Want: []string{"Lao Er Wei Seafood", "Beidaihe District", "?lang=en"}}}},
		{Name: "ru_lookup", Lang: "ru", Steps: []Step{
			{Send: text("Как там Морепродукты Лао Эр Вэй?"), Want: []string{"Морепродукты Лао Эр Вэй", "район Бэйдайхэ", "?lang=ru"}}}},
		{Name: "zh_licence", Lang: "zh", Steps: []Step{
			{Send: text("查一下 " + lew.Licence), Want: []string{"老二位海鲜", lew.Licence}}}},
		{Name: "zh_sticker_link", Lang: "zh", Steps: []Step{
			{Send: text(sticker + " 这家店怎么样"), Want: []string{"老二位海鲜", "/shops/" + lew.Licence}}}},
		{Name: "en_forged_sticker", Lang: "en", Steps: []Step{
			{Send: text("what about " + forged), Want: []string{"not issued by the city"}}}},
		{Name: "zh_not_found", Lang: "zh", Steps: []Step{
			{Send: text("火星烤鸭店怎么样"), Want: []string{"没有找到“火星烤鸭店”"}}}},
		{Name: "zh_near_a_grade_asks_location", Lang: "zh", Steps: []Step{
			{Send: text("附近有什么A级饭店"), Want: []string{"请发送您的位置"}},
			{Send: Msg{Loc: &NearPoint}, Want: []string{"蓝海酒家", "年度A"}, Not: []string{"星光饭店"}}}},
		{Name: "en_location_message", Lang: "en", Steps: []Step{
			{Send: text("hi")},
			{Send: Msg{Loc: &NearPoint}, Want: []string{"Best-graded shops within 2 km", "蓝海酒家", " m"}}}},
		{Name: "ru_location_outside_city", Lang: "ru", Steps: []Step{
			{Send: text("что рядом со мной?"), Want: []string{"геопозицию"}},
			{Send: Msg{Loc: &outside}, Want: []string{"вне Циньхуандао"}}}},
		{Name: "zh_complaint_full_invalid_phone_then_track", Lang: "zh", Steps: []Step{
			{Send: text("我要投诉，昨天在老二位海鲜吃坏肚子了"), Want: []string{"商户：老二位海鲜", "疑似食物中毒", "对吗"}},
			{Send: text("对"), Want: []string{"怎么称呼"}},
			{Send: text("张三"), Want: []string{"手机号"}},
			{Send: text("12345"), Want: []string{"不是有效的电话号码"}},
			{Send: text("138 1234 1234"), Want: []string{"请确认", "138****1234", "2026-07-14", "老二位海鲜"}},
			{Send: text("确认"), Want: []string{"已提交", "查询码", "前决定是否受理"}},
			{Send: text("查询 {ticket}"), Want: []string{"后四位"}},
			{Send: text("0000"), Want: []string{"不对"}},
			{Send: text("1234"), Want: []string{"已受理登记", "老二位海鲜"}}},
			Check: func(tb testing.TB, e *Env, filed []string) {
				checkFiled(shian.KindComplaint, "foodborne_illness", lew.Licence, 0)(tb, e, filed)
				c := e.Complaint(tb, filed[0])
				if c.PhoneMasked != "138****1234" || c.Priority != shian.PriorityUrgent || c.OccurredAt.IsZero() {
					tb.Fatalf("complaint %+v", c)
				}
			}},
		{Name: "zh_change_mind_mid_complaint", Lang: "zh", Steps: []Step{
			{Send: text("我要投诉"), Want: []string{"哪家店"}},
			{Send: text("海鲜大排档"), Want: []string{"请回复编号", "1. "}},
			{Send: text("2"), Want: []string{"商户：", "发生了什么"}},
			{Send: text("太短了"), Want: []string{"至少10个字"}},
			{Send: text("饭菜里有一根头发，服务员还不理人"), Want: []string{"食品中有异物", "对吗"}},
			{Send: text("不是"), Want: []string{"请回复类别编号", "5. 环境卫生差"}},
			{Send: text("5"), Want: []string{"什么时候"}},
			{Send: text("前天晚上"), Want: []string{"怎么称呼"}},
			{Send: text("李四"), Want: []string{"手机号"}},
			{Send: text("13900001111"), Want: []string{"请确认", "环境卫生差", "2026-07-13"}},
			{Send: text("修改"), Want: []string{"要改哪一项", "1. 商户"}},
			{Send: text("1"), Want: []string{"哪家店"}},
			{Send: text("老二位海鲜"), Want: []string{"商户：老二位海鲜", "请确认", "环境卫生差"}},
			{Send: text("是"), Want: []string{"已提交"}}},
			Check: checkFiled(shian.KindComplaint, "hygiene", lew.Licence, 0)},
		{Name: "zh_cancel_mid_complaint", Lang: "zh", Steps: []Step{
			{Send: text("我要举报"), Want: []string{"举报", "哪家店"}},
			{Send: text("老二位海鲜"), Want: []string{"发生了什么"}},
			{Send: text("算了，取消"), Want: []string{"已取消"}},
			{Send: text("老二位海鲜"), Want: []string{"/shops/" + lew.Licence}, Not: []string{"发生了什么"}}}},
		{Name: "zh_anonymous_report_free_text_shop", Lang: "zh", Steps: []Step{
			{Send: text("我要举报一家无证经营的黑作坊"), Want: []string{"哪家店"}},
			{Send: text("文化路口没招牌的小摊"), Want: []string{"将按此名称登记", "无证经营", "对吗"}},
			{Send: text("是"), Want: []string{"什么时候"}},
			{Send: text("跳过"), Want: []string{"请确认", "未提供"}, Not: []string{"怎么称呼"}},
			{Send: text("确认"), Want: []string{"已提交", "查询码", "前完成核查"}}},
			Check: func(tb testing.TB, e *Env, filed []string) {
				c := e.Complaint(tb, one(tb, filed))
				if c.Kind != shian.KindReport || c.Licence != "" || c.ShopName != "文化路口没招牌的小摊" || c.ContactSealed != "" {
					tb.Fatalf("report %+v", c)
				}
			}},
		{Name: "en_complaint", Lang: "en", Steps: []Step{
			{Send: text("I want to complain about Lao Er Wei Seafood"), Want: []string{"Shop: 老二位海鲜", "What happened"}},
			{Send: text("I found a hair in my soup"), Want: []string{"Foreign object in food", "Right?"}},
			{Send: text("yes"), Want: []string{"When did it happen"}},
			{Send: text("yesterday"), Want: []string{"Your name"}},
			{Send: text("John Smith"), Want: []string{"phone"}},
			{Send: text("+7 916 123 45 67"), Want: []string{"Please check", "+79*****4567"}},
			{Send: text("yes"), Want: []string{"Filed! Ticket", "Tracking code"}}},
			Check: checkFiled(shian.KindComplaint, "foreign_object", lew.Licence, 0)},
		{Name: "ru_complaint_bad_phone", Lang: "ru", Steps: []Step{
			{Send: text("Хочу пожаловаться"), Want: []string{"Какое заведение"}},
			{Send: text("Морепродукты Лао Эр Вэй"), Want: []string{"Заведение: 老二位海鲜", "Что случилось"}},
			{Send: text("После ужина меня вырвало, видимо отравился"), Want: []string{"Подозрение на пищевое отравление", "Верно?"}},
			{Send: text("да"), Want: []string{"Когда это было"}},
			{Send: text("вчера"), Want: []string{"Как вас зовут"}},
			{Send: text("Иван"), Want: []string{"номер телефона"}},
			{Send: text("позвоните мне"), Want: []string{"Это не номер телефона"}},
			{Send: text("+79161234567"), Want: []string{"Проверьте"}},
			{Send: text("да"), Want: []string{"Отправлено! Номер"}}},
			Check: checkFiled(shian.KindComplaint, "foodborne_illness", lew.Licence, 0)},
		{Name: "language_switch_kept", Lang: "en", Steps: []Step{
			{Send: text("English"), Want: []string{"English it is"}},
			{Send: text("老二位海鲜"), Want: []string{"Lao Er Wei Seafood", "To complain"}},
			{Send: text("русский"), Want: []string{"говорим по-русски"}},
			{Send: text("老二位"), Want: []string{"Морепродукты Лао Эр Вэй", "пожаловаться"}}}},
		{Name: "zh_track_unknown_ticket", Lang: "zh", Steps: []Step{
			{Send: text("我想查询进度"), Want: []string{"请发送投诉编号"}},
			{Send: text("qhd 2345 6789"), Want: []string{"后四位"}},
			{Send: text("1234"), Want: []string{"不对"}},
			{Send: text("取消"), Want: []string{"已取消"}}}},
		{Name: "zh_confirm_sent_twice_files_once", Lang: "zh", Steps: []Step{
			{Send: text("我要举报“老二位海鲜”，后厨有老鼠，很脏"), Want: []string{"商户：老二位海鲜", "环境卫生差"}},
			{Send: text("是")},
			{Send: text("今天")},
			{Send: text("确认"), Want: []string{"已提交"}},
			{Send: text("确认"), Want: []string{"已提交"}}},
			Check: func(tb testing.TB, e *Env, filed []string) {
				checkFiled(shian.KindReport, "hygiene", lew.Licence, 0)(tb, e, filed)
				var n int
				if err := e.DB.DB.QueryRow(`SELECT COUNT(*) FROM complaints WHERE description LIKE '%后厨有老鼠%' AND phone_hash = ''`).Scan(&n); err != nil {
					tb.Fatal(err)
				}
				if n < 1 {
					tb.Fatal("report not stored")
				}
			}},
		{Name: "wechat_photo_in_complaint", Lang: "zh", WeChatOnly: true, Steps: []Step{
			{Send: text("我要投诉老二位海鲜，菜里吃出了玻璃碴子")},
			{Send: text("是")},
			{Send: text("今天中午"), Want: []string{"有照片可以"}},
			{Send: Msg{Photo: PNG()}, Want: []string{"收到第1张照片"}},
			{Send: text("好了"), Want: []string{"怎么称呼"}},
			{Send: text("王五")},
			{Send: text("13700001234"), Want: []string{"照片：1张"}},
			{Send: text("确认"), Want: []string{"已提交"}}},
			Check: checkFiled(shian.KindComplaint, "foreign_object", lew.Licence, 1)},
		{Name: "wechat_subscribe_and_scan", Lang: "zh", WeChatOnly: true, Steps: []Step{
			{Send: Msg{Event: bot.EventSubscribe}, Want: []string{"您好"}},
			{Send: Msg{Event: bot.EventScan, EventKey: lew.Licence}, Want: []string{"老二位海鲜"}}}},
	}
}
