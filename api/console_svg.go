package api

// Charts of the dashboard, drawn here as inline SVG: no script, no
// external library, readable without JavaScript and printable. Labels are
// escaped; numbers are ours.

import (
	"fmt"
	"html/template"
	"strings"

	"shian"
	"shian/staff"
	"shian/web"
)

var palette = []string{"#c62828", "#ef6c00", "#f9a825", "#2e7d32", "#00838f", "#1565c0", "#6a1b9a", "#ad1457", "#4e342e", "#546e7a"}

func esc(s string) string { return template.HTMLEscapeString(s) }

// hbars draws labelled horizontal bars; each row has one or more series
// values scaled to max.
func hbars(title string, labels []string, series [][]float64, colors []string, names []string, top float64, format func(float64) string) template.HTML {
	const rowH, labelW, barW = 22, 150, 360
	h := 40 + rowH*len(labels) + 24
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" viewBox="0 0 %d %d" width="100%%" xmlns="http://www.w3.org/2000/svg"><title>%s</title>`,
		labelW+barW+70, h, esc(title))
	fmt.Fprintf(&b, `<text x="0" y="16" font-size="14" font-weight="bold">%s</text>`, esc(title))
	x := labelW
	for i, n := range names {
		fmt.Fprintf(&b, `<rect x="%d" y="24" width="10" height="10" fill="%s"/><text x="%d" y="33" font-size="11">%s</text>`, x, colors[i], x+14, esc(n))
		x += 14 + 12*len([]rune(n)) + 10
	}
	if top <= 0 {
		top = 1
	}
	for i, l := range labels {
		y := 40 + i*rowH
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="end">%s</text>`, labelW-6, y+14, esc(l))
		bh := (rowH - 4) / len(series)
		for k, s := range series {
			w := int(s[i] / top * barW)
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s: %s</title></rect>`,
				labelW, y+k*bh, w, bh-1, colors[k], esc(names[k]), format(s[i]))
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="10">%s</text>`, labelW+w+3, y+k*bh+bh-2, format(s[i]))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built from escaped labels and numbers only
}

func openChart(rows []staff.DistrictStats, lang string) template.HTML {
	var labels []string
	open, overdue := []float64{}, []float64{}
	top := 0.0
	for _, r := range rows {
		labels = append(labels, districtName(r.District, lang))
		open, overdue = append(open, float64(r.Open)), append(overdue, float64(r.Overdue))
		top = max(top, float64(r.Open))
	}
	return hbars(web.T(lang, "admin.dash.open_chart"), labels, [][]float64{open, overdue}, []string{"#1565c0", "#c62828"},
		[]string{web.T(lang, "admin.dash.open"), web.T(lang, "admin.dash.overdue")}, top, func(x float64) string { return fmt.Sprint(int(x)) })
}

func rateChart(rows []staff.DistrictStats, lang string) template.HTML {
	var labels []string
	acc, res := []float64{}, []float64{}
	for _, r := range rows {
		labels = append(labels, districtName(r.District, lang))
		acc, res = append(acc, max(r.AcceptOnTime, 0)), append(res, max(r.ResolveOnTime, 0))
	}
	return hbars(web.T(lang, "admin.dash.rate_chart"), labels, [][]float64{acc, res}, []string{"#2e7d32", "#00838f"},
		[]string{web.T(lang, "admin.dash.accept_rate"), web.T(lang, "admin.dash.resolve_rate")}, 1,
		func(x float64) string { return fmt.Sprintf("%.0f%%", x*100) })
}

// trendChart stacks each week's complaints by category.
func trendChart(d *staff.Dashboard, lang string) (template.HTML, []opt) {
	const chartH, colW, left = 200, 44, 40
	weekIdx := map[string]int{}
	for i, w := range d.Weeks {
		weekIdx[w] = i
	}
	counts := make([]map[string]int, len(d.Weeks))
	for i := range counts {
		counts[i] = map[string]int{}
	}
	total := make([]int, len(d.Weeks))
	for _, p := range d.Trend {
		i := weekIdx[p.Week]
		counts[i][p.Category] += p.Count
		total[i] += p.Count
	}
	top := 1
	for _, t := range total {
		top = max(top, t)
	}
	var b strings.Builder
	w := left + colW*len(d.Weeks) + 10
	title := web.T(lang, "admin.dash.trend_chart")
	fmt.Fprintf(&b, `<svg class="chart" role="img" viewBox="0 0 %d %d" width="100%%" xmlns="http://www.w3.org/2000/svg"><title>%s</title>`, w, chartH+50, esc(title))
	fmt.Fprintf(&b, `<text x="0" y="14" font-size="14" font-weight="bold">%s</text>`, esc(title))
	fmt.Fprintf(&b, `<text x="%d" y="34" font-size="10" text-anchor="end">%d</text><line x1="%d" y1="30" x2="%d" y2="30" stroke="#ddd"/>`, left-4, top, left, w)
	base := 30 + chartH
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999"/>`, left, base, w, base)
	for i, wk := range d.Weeks {
		x := left + i*colW + 4
		y := base
		for k, cat := range shian.ComplaintCategories {
			n := counts[i][cat.Code]
			if n == 0 {
				continue
			}
			h := n * chartH / top
			y -= h
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s %s: %d</title></rect>`,
				x, y, colW-8, h, palette[k%len(palette)], esc(wk), esc(cat.Names.In(lang)), n)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="10" text-anchor="middle">%d</text>`, x+(colW-8)/2, y-3, total[i])
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="9" text-anchor="middle">%s</text>`, x+(colW-8)/2, base+14, esc(wk[5:]))
	}
	b.WriteString(`</svg>`)
	var legend []opt
	for k, cat := range shian.ComplaintCategories {
		legend = append(legend, opt{Value: palette[k%len(palette)], Label: cat.Names.In(lang)})
	}
	return template.HTML(b.String()), legend
}
