package edge

// complaintMessages are the messages of the complaint intake, tracking and
// Open311. Arguments: the field name first, then the rule's figures;
// translations pick theirs with explicit indexes.
var complaintMessages = map[string]tr{
	"complaint_bad_utf8":           {"字段 %[1]v 含有无效的字符编码（须为 UTF-8 文本）。", "Field %[1]v is not valid UTF-8 text.", "Поле %[1]v содержит недопустимую кодировку (нужен текст UTF-8)."},
	"complaint_bad_control":        {"字段 %[1]v 含有控制字符。", "Field %[1]v contains control characters.", "Поле %[1]v содержит управляющие символы."},
	"complaint_description_length": {"问题描述须为 %[2]v 至 %[3]v 个字（现为 %[4]v 个）。", "The description must be %[2]v to %[3]v characters long (it has %[4]v).", "Описание должно содержать от %[2]v до %[3]v символов (сейчас %[4]v)."},
	"text_bidi":                    {"字段 %[1]v 含有改变文字显示方向的控制字符，请删除后重试。", "Field %[1]v contains a character that reorders how text is displayed (a bidirectional override); remove it.", "Поле %[1]v содержит символ, меняющий направление текста; удалите его."},
	"complaint_too_long":           {"字段 %[1]v 过长（最多 %[2]v 个字）。", "Field %[1]v is too long (at most %[2]v characters).", "Поле %[1]v слишком длинное (не более %[2]v символов)."},
	"complaint_required":           {"请填写 %[1]v。", "Please fill in %[1]v.", "Заполните поле %[1]v."},
	"complaint_bad_choice":         {"字段 %[1]v 的取值无效，可选：%[2]v。", "Field %[1]v has an invalid value; allowed: %[2]v.", "Недопустимое значение поля %[1]v; допустимо: %[2]v."},
	"complaint_shop_required":      {"请填写商户许可证号，或商户名称、地址。", "Please give the shop's licence number, or its name or address.", "Укажите номер лицензии заведения или его название либо адрес."},
	"complaint_occurred_future":    {"发生时间不能晚于现在。", "The time it happened cannot be in the future.", "Время события не может быть в будущем."},
	"complaint_occurred_old":       {"发生时间超过三年，无法受理。", "Events more than three years ago cannot be handled.", "События более чем трёхлетней давности не рассматриваются."},
	"complaint_outside_city":       {"位置（%.5[2]f, %.5[3]f）不在秦皇岛市范围内。", "The location (%.5[2]f, %.5[3]f) is outside Qinhuangdao.", "Место (%.5[2]f, %.5[3]f) находится за пределами Циньхуандао."},
	"complaint_bad_phone":          {"电话号码无效：请填写11位手机号、带区号的固定电话，或以 + 开头的国际号码。", "This is not a phone number: give an 11-digit mobile number, a landline with its area code, or an international number starting with +.", "Неверный номер телефона: укажите 11-значный мобильный, городской с кодом или международный номер, начинающийся с +."},
	"complaint_contact_required":   {"投诉须填写联系人姓名和电话（举报可匿名）。", "A complaint needs your name and phone number (a report may be anonymous).", "Для жалобы нужны имя и телефон (сообщение о нарушении может быть анонимным)."},
	"complaint_bad_type":           {"字段 %[1]v 的类型不对（收到 %[2]v）。", "Field %[1]v has the wrong type (got %[2]v).", "Поле %[1]v имеет неверный тип (получено: %[2]v)."},
	"complaint_unknown_field":      {"未知字段 %[1]v。", "Unknown field %[1]v.", "Неизвестное поле %[1]v."},
	"complaint_bad_json":           {"请求内容不是有效的 JSON 对象。", "The body is not a valid JSON object.", "Тело запроса — не корректный объект JSON."},
	"complaint_geo_pair":           {"经纬度须同时填写或同时留空。", "Give both latitude and longitude, or neither.", "Укажите и широту, и долготу, или ни то, ни другое."},
	"complaint_bad_number":         {"字段 %[1]v 须为数字。", "Field %[1]v must be a number.", "Поле %[1]v должно быть числом."},
	"complaint_bad_time":           {"发生时间格式无效，例如 2026-07-15T18:30。", "The time it happened is not a valid time, e.g. 2026-07-15T18:30.", "Неверный формат времени, например 2026-07-15T18:30."},
	"complaint_bad_form":           {"表单内容无法读取。", "The form could not be read.", "Не удалось прочитать форму."},
	"complaint_content_type":       {"请以 JSON 提交，或附照片时以 multipart/form-data 提交。", "Send JSON, or multipart/form-data when attaching photos.", "Отправьте JSON или multipart/form-data с фотографиями."},
	"complaint_hint_phone":         {"请保存编号 %[1]v。凭编号和您电话（%[2]v）的后四位，或查询码 %[3]v，即可查询办理进度。", "Keep ticket %[1]v. Track it with the last four digits of your phone (%[2]v) or the code %[3]v.", "Сохраните номер %[1]v. Статус можно узнать по последним четырём цифрам телефона (%[2]v) или по коду %[3]v."},
	"complaint_hint_receipt":       {"请保存编号 %[1]v 和查询码 %[2]v，凭二者即可查询办理进度。", "Keep ticket %[1]v and the code %[2]v: together they let you track it.", "Сохраните номер %[1]v и код %[2]v: по ним можно узнать статус."},
	"complaint_not_found":          {"没有与该编号和验证信息相符的投诉举报。", "No complaint matches this ticket and proof.", "Нет обращения с таким номером и подтверждением."},
	"complaint_rated":              {"该投诉已评价过。", "This complaint has already been rated.", "Оценка этому обращению уже выставлена."},
	"complaint_not_rateable":       {"办理结束后才能评价。", "You can rate a complaint once it has an outcome.", "Оценить обращение можно после завершения рассмотрения."},
	"photo_too_large":              {"照片不能超过 5 MB。", "A photo may be at most 5 MB.", "Фото не должно превышать 5 МБ."},
	"photo_type":                   {"照片须为 JPEG 或 PNG 图片。", "Photos must be JPEG or PNG images.", "Фотографии должны быть в формате JPEG или PNG."},
	"photo_broken":                 {"照片已损坏，无法读取。", "A photo is damaged and cannot be read.", "Фото повреждено и не читается."},
	"photo_pixels":                 {"照片尺寸过大。", "A photo has too many pixels.", "Слишком большое разрешение фото."},
	"photo_busy":                   {"当前处理的照片过多，请 %[1]v 秒后重试。", "Too many photos are being processed; retry in %[1]v seconds.", "Сейчас обрабатывается слишком много фото; повторите через %[1]v с."},
	"photo_count":                  {"最多上传 3 张照片。", "At most 3 photos.", "Не более 3 фотографий."},
	"idempotency_mismatch":         {"该 Idempotency-Key 已用于另一份不同的提交。", "This Idempotency-Key was already used for a different submission.", "Этот Idempotency-Key уже использован для другого запроса."},
	"idempotency_busy":             {"相同的提交正在处理中，请稍后重试。", "The same submission is being processed; please retry in a moment.", "Такой же запрос ещё обрабатывается; повторите чуть позже."},
	"idempotency_bad":              {"Idempotency-Key 须为 1 至 128 个可打印 ASCII 字符。", "An Idempotency-Key must be 1 to 128 printable ASCII characters.", "Idempotency-Key: от 1 до 128 печатных символов ASCII."},
	"rating_stars":                 {"评分须为 1 至 5。", "The rating must be 1 to 5.", "Оценка должна быть от 1 до 5."},
	"rating_comment":               {"评价内容最多 500 个字。", "The comment may be at most 500 characters.", "Комментарий — не более 500 символов."},
	"bad_api_key":                  {"api_key 无效或已停用。", "The api_key is unknown or revoked.", "Неизвестный или отозванный api_key."},
}

func init() {
	for k, v := range complaintMessages {
		if _, dup := messages[k]; dup {
			panic("edge: duplicate message key " + k)
		}
		messages[k] = v
	}
}
