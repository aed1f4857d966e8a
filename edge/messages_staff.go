package edge

// adminMessages are the staff side's problem messages.
var adminMessages = map[string]tr{
	"csrf":           {"表单已过期或并非来自本站，请刷新页面后重试。", "The form has expired or did not come from this site; reload the page and try again.", "Форма устарела или отправлена не с этого сайта; обновите страницу."},
	"case_claimed":   {"该案件已由 %v 认领。", "This case is claimed by %v.", "Это дело уже взял %v."},
	"case_unclaimed": {"请先认领该案件再办理。", "Claim this case before acting on it.", "Сначала возьмите это дело."},
	"case_busy":      {"其他人正在办理该案件，请稍后重试。", "Someone else is changing this case right now; try again.", "Это дело сейчас изменяет другой сотрудник; повторите."},
	"case_not_found": {"未找到编号为 %v 的案件。", "No case has ticket %v.", "Дело с номером %v не найдено."},
	"login_failed":   {"用户名或密码错误。", "Wrong name or password.", "Неверное имя или пароль."},
}

func init() {
	for k, v := range adminMessages {
		if _, dup := messages[k]; dup {
			panic("edge: duplicate message key " + k)
		}
		messages[k] = v
	}
}
