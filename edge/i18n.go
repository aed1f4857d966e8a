package edge

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"shian"
)

// Langs are the languages the public side speaks, the first the default.
var Langs = []string{"zh", "en", "ru"}

// Lang picks the request's language: ?lang= first, then Accept-Language
// (highest q among zh, en, ru), else Chinese.
func Lang(c *fiber.Ctx) string {
	if l := c.Query("lang"); l == "zh" || l == "en" || l == "ru" {
		return l
	}
	return ParseAcceptLanguage(c.Get(fiber.HeaderAcceptLanguage))
}

// ParseAcceptLanguage returns zh, en or ru from an Accept-Language value.
func ParseAcceptLanguage(h string) string {
	best, bestQ := "zh", -1.0
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if (base == "zh" || base == "en" || base == "ru") && q > bestQ {
			best, bestQ = base, q
		}
	}
	return best
}

// messages translates the message keys carried by *shian.Error. Each entry
// is a format string per language; Args fill it.
var messages = map[string]tr{
	"not_found":          {"未找到您请求的内容。", "Nothing was found at this address.", "По этому адресу ничего не найдено."},
	"shop_not_found":     {"未找到许可证号为 %v 的商户。请核对证号。", "No shop has licence number %v. Please check the number.", "Заведение с номером лицензии %v не найдено. Проверьте номер."},
	"bad_licence":        {"许可证号格式不正确：应为6至32位大写字母或数字。", "This is not a licence number: it must be 6 to 32 capital letters or digits.", "Неверный номер лицензии: нужно от 6 до 32 заглавных латинских букв или цифр."},
	"bad_param":          {"参数 %v 无效：%v", "Parameter %v is invalid: %v", "Параметр %v неверен: %v"},
	"db_unavailable":     {"服务暂时不可用（数据库无法连接），请稍后再试。", "The service is briefly unavailable (its database cannot be reached). Please try again shortly.", "Сервис временно недоступен (нет связи с базой данных). Повторите попытку позже."},
	"internal":           {"服务器内部错误，已记录。请稍后再试。", "Something went wrong on our side; it has been logged. Please try again.", "Внутренняя ошибка сервера; она записана. Повторите попытку."},
	"rate_limited":       {"请求过于频繁，请 %v 秒后再试。", "Too many requests. Please try again in %v seconds.", "Слишком много запросов. Повторите через %v с."},
	"body_too_large":     {"提交的内容太大。", "The request body is too large.", "Слишком большой объём запроса."},
	"method_not_allowed": {"不支持此请求方法。", "This method is not allowed here.", "Этот метод здесь не поддерживается."},
	"unauthorized":       {"请先登录或提供有效的令牌。", "Please sign in or give a valid token.", "Войдите или укажите действительный токен."},
	"forbidden":          {"您没有权限执行此操作。", "You are not allowed to do this.", "У вас нет прав на это действие."},
}

// T translates a message key into lang with args.
func T(lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	return m.Format(lang, args...)
}

var titles = map[string]tr{
	shian.ENOTFOUND:     {"未找到", "Not found", "Не найдено"},
	shian.EINVALID:      {"输入有误", "Invalid input", "Неверные данные"},
	shian.ECONFLICT:     {"冲突", "Conflict", "Конфликт"},
	shian.EUNAUTHORIZED: {"未登录", "Unauthorized", "Требуется вход"},
	shian.EFORBIDDEN:    {"禁止访问", "Forbidden", "Доступ запрещён"},
	shian.ERATELIMITED:  {"请求过多", "Too many requests", "Слишком много запросов"},
	shian.EUNAVAILABLE:  {"服务暂不可用", "Service unavailable", "Сервис недоступен"},
	shian.EINTERNAL:     {"内部错误", "Internal error", "Внутренняя ошибка"},
}

// tr is one message in zh, en and ru.
type tr = shian.Text
