package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"shian"
	"shian/api"
	"shian/store/storetest"
)

func (f *cxFixture) open311Post(t testing.TB, format string, v url.Values) cxResp {
	req := httptest.NewRequest("POST", "/open311/v2/requests."+format, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return f.send(t, req)
}

func open311Form(key string) url.Values {
	return url.Values{"api_key": {key}, "service_code": {"hygiene"}, "lat": {"39.8351"}, "long": {"119.4862"},
		"address_string": {"北戴河区保二路1号"}, "first_name": {"Ivan"}, "last_name": {"Petrov"}, "phone": {"+7 916 123-45-67"},
		"email": {"ivan@example.com"}, "description": {"Dirty kitchen, flies everywhere, <b>raw and cooked food mixed</b>."},
		"attribute[licence]": {"JY1130302000001"}, "status": {"closed"}, "priority": {"low"}}
}

func TestOpen311RoundTrip(t *testing.T) {
	forEachStore(t, func(t *testing.T, f *cxFixture) {
		ctx := context.Background()
		key, err := f.svc.AddAPIKey(ctx, "meituan")
		if err != nil {
			t.Fatal(err)
		}
		otherKey, _ := f.svc.AddAPIKey(ctx, "eleme")

		t.Run("services", func(t *testing.T) {
			r := f.send(t, httptest.NewRequest("GET", "/open311/v2/services.json?lang=en", nil))
			var list []api.Open311Service
			if err := jsonUnmarshal(r.body, &list); err != nil || r.status != 200 || len(list) != len(shian.ComplaintCategories) || list[0].ServiceName != "Suspected food poisoning" {
				t.Fatalf("services.json: %d %v %s", r.status, err, r.body)
			}
			r = f.send(t, httptest.NewRequest("GET", "/open311/v2/services.xml", nil))
			var x struct {
				Services []api.Open311Service `xml:"service"`
			}
			if err := xml.Unmarshal(r.body, &x); err != nil || len(x.Services) != 10 || x.Services[9].ServiceCode != "other" ||
				!strings.HasPrefix(r.header.Get("Content-Type"), "text/xml") {
				t.Fatalf("services.xml: %v %s", err, r.body)
			}
			r = f.send(t, httptest.NewRequest("GET", "/open311/v2/services/hygiene.xml", nil))
			var def api.Open311Definition
			if err := xml.Unmarshal(r.body, &def); err != nil || def.ServiceCode != "hygiene" || len(def.Attributes) == 0 || len(def.Attributes[0].Values) != 2 {
				t.Fatalf("definition: %v %s", err, r.body)
			}
			if r := f.send(t, httptest.NewRequest("GET", "/open311/v2/services/noise.json", nil)); r.status != 404 || !bytes.HasPrefix(r.body, []byte(`[{"code":404`)) {
				t.Fatalf("unknown service: %d %s", r.status, r.body)
			}
		})

		var jsonID, xmlID string
		t.Run("create json", func(t *testing.T) {
			r := f.open311Post(t, "json", open311Form(key))
			var created []api.Open311Created
			if err := jsonUnmarshal(r.body, &created); err != nil || r.status != 201 || len(created) != 1 || !strings.HasPrefix(created[0].ServiceRequestID, "QHD-") {
				t.Fatalf("%d %v %s", r.status, err, r.body)
			}
			jsonID = created[0].ServiceRequestID
			c, _ := f.db.ComplaintByTicket(ctx, jsonID)
			if c.Status != "received" || c.Channel != "open311" || c.Partner != "meituan" || c.Kind != "complaint" || c.District != "beidaihe" {
				t.Errorf("stored %+v", c)
			}
			contact, err := f.svc.OpenContact(c)
			if err != nil || contact.Name != "Ivan Petrov" || contact.Phone != "+79161234567" {
				t.Errorf("contact %+v, %v", contact, err)
			}
		})
		t.Run("create xml, anonymous report", func(t *testing.T) {
			v := open311Form(key)
			for _, k := range []string{"first_name", "last_name", "phone", "attribute[licence]"} {
				v.Del(k)
			}
			v.Set("service_code", "no_licence")
			v.Set("attribute[shop_name]", "海边烧烤摊")
			r := f.open311Post(t, "xml", v)
			var x struct {
				Requests []api.Open311Created `xml:"request"`
			}
			if err := xml.Unmarshal(r.body, &x); err != nil || r.status != 201 || len(x.Requests) != 1 {
				t.Fatalf("%d %v %s", r.status, err, r.body)
			}
			xmlID = x.Requests[0].ServiceRequestID
		})
		t.Run("read back", func(t *testing.T) {
			r := f.send(t, httptest.NewRequest("GET", "/open311/v2/requests/"+jsonID+".json?lang=en&api_key="+key, nil))
			var got []api.Open311Request
			if err := jsonUnmarshal(r.body, &got); err != nil || r.status != 200 || len(got) != 1 {
				t.Fatalf("%d %v %s", r.status, err, r.body)
			}
			g := got[0]
			if g.ServiceRequestID != jsonID || g.Status != "open" || g.ServiceCode != "hygiene" || g.Lat == nil || *g.Long != 119.4862 ||
				g.Description != open311Form(key).Get("description") || g.ExpectedDatetime == "" || g.AgencyResponsible == "" {
				t.Errorf("request %+v", g)
			}
			if bytes.Contains(r.body, []byte("916")) || bytes.Contains(r.body, []byte("ivan@")) {
				t.Errorf("contact data in the listing: %s", r.body)
			}
			r = f.send(t, httptest.NewRequest("GET", "/open311/v2/requests.xml?service_code=no_licence&status=open&api_key="+key, nil))
			var x struct {
				Requests []api.Open311Request `xml:"request"`
			}
			if err := xml.Unmarshal(r.body, &x); err != nil || len(x.Requests) != 1 || x.Requests[0].ServiceRequestID != xmlID {
				t.Fatalf("filtered xml list: %v %s", err, r.body)
			}
			r = f.send(t, httptest.NewRequest("GET", "/open311/v2/requests.json?status=closed&api_key="+key, nil))
			if string(r.body) != "[]" {
				t.Errorf("closed requests: %s", r.body)
			}
			r = f.send(t, httptest.NewRequest("GET", "/open311/v2/tokens/"+xmlID+".json?api_key="+key, nil))
			if !bytes.Contains(r.body, []byte(`"token":"`+xmlID+`"`)) {
				t.Errorf("token: %s", r.body)
			}
		})
		t.Run("errors", func(t *testing.T) {
			cases := []struct {
				name   string
				do     func() cxResp
				status int
			}{
				{"bad api_key", func() cxResp { return f.open311Post(t, "json", open311Form("nope")) }, 403},
				{"no api_key on a listing", func() cxResp { return f.send(t, httptest.NewRequest("GET", "/open311/v2/requests.json", nil)) }, 403},
				{"another partner's request", func() cxResp {
					return f.send(t, httptest.NewRequest("GET", "/open311/v2/requests/"+jsonID+".xml?api_key="+otherKey, nil))
				}, 404},
				{"unknown service_code", func() cxResp {
					v := open311Form(key)
					v.Set("service_code", "noise")
					return f.open311Post(t, "xml", v)
				}, 400},
				{"short description", func() cxResp { v := open311Form(key); v.Set("description", "bad"); return f.open311Post(t, "json", v) }, 400},
				{"long without lat", func() cxResp { v := open311Form(key); v.Del("lat"); return f.open311Post(t, "json", v) }, 400},
				{"bad status filter", func() cxResp {
					return f.send(t, httptest.NewRequest("GET", "/open311/v2/requests.json?status=pending&api_key="+key, nil))
				}, 400},
				{"bad format", func() cxResp { return f.send(t, httptest.NewRequest("GET", "/open311/v2/services.yaml", nil)) }, 404},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					r := c.do()
					if r.status != c.status {
						t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
					}
					if bytes.HasPrefix(r.body, []byte("<?xml")) {
						var x struct {
							Errors []api.Open311Error `xml:"error"`
						}
						if err := xml.Unmarshal(r.body, &x); err != nil || len(x.Errors) != 1 || x.Errors[0].Code != c.status || x.Errors[0].Description == "" {
							t.Errorf("xml errors: %v %s", err, r.body)
						}
						return
					}
					var errs []api.Open311Error
					if err := jsonUnmarshal(r.body, &errs); err != nil || len(errs) != 1 || errs[0].Code != c.status || errs[0].Description == "" {
						t.Errorf("json errors: %v %s", err, r.body)
					}
				})
			}
		})
		if n := f.count(t, "complaints"); n != 2 {
			t.Fatalf("%d complaints, want 2", n)
		}
	})
}

func FuzzOpen311Form(f *testing.F) {
	f.Add(open311Form("k").Encode())
	f.Add("service_code=hygiene&lat=39.9&long=&description=%ff%fe")
	f.Add("attribute[occurred_at]=2026-07-14T10:00&attribute[kind]=report&lat=1e400&long=NaN")
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		in, err := api.Open311Input(v.Get)
		if err != nil {
			if shian.ErrorCode(err) != shian.EINVALID {
				t.Fatalf("%q: %v is not EINVALID", raw, err)
			}
			return
		}
		if in.Channel != shian.ChannelOpen311 {
			t.Fatalf("channel %q", in.Channel)
		}
		checkValidated(t, in)
	})
}

// checkValidated validates a parsed input and checks what validation
// promises: valid text, a normalised phone, a point inside the city.
func checkValidated(t *testing.T, in shian.ComplaintInput) {
	err := in.Validate(storeNow())
	if err != nil {
		if shian.ErrorCode(err) != shian.EINVALID {
			t.Fatalf("validate: %v is not EINVALID", err)
		}
		return
	}
	for _, s := range []string{in.Description, in.ShopName, in.ContactName, in.ContactPhone} {
		if !utf8Valid(s) {
			t.Fatalf("invalid UTF-8 accepted: %q", s)
		}
	}
	if in.ContactPhone != "" {
		if p, ok := shian.NormalizePhone(in.ContactPhone); !ok || p != in.ContactPhone {
			t.Fatalf("phone %q not normalised", in.ContactPhone)
		}
	}
	if in.HasGeo && !shian.InCity(in.Lat, in.Lng) {
		t.Fatalf("point outside the city accepted: %v %v", in.Lat, in.Lng)
	}
}

func FuzzComplaintJSON(f *testing.F) {
	f.Add(jsonBody(f, nil))
	f.Add(`{"kind":"report","category":"other","shop_name":"x","description":"0123456789","lat":39.9,"lng":119.5,"status":"closed"}`)
	f.Add(`{"lat":"39","kind":1}`)
	f.Add(`{"description":"\ud800 abcdefghij"}`)
	f.Fuzz(func(t *testing.T, body string) {
		in, err := api.ParseComplaintJSON([]byte(body))
		if err != nil {
			if c := shian.ErrorCode(err); c != shian.EINVALID {
				t.Fatalf("%q: %v (%s)", body, err, c)
			}
			return
		}
		checkValidated(t, in)
	})
}

func FuzzComplaintMultipart(f *testing.F) {
	seed := func(fields map[string]string, files []part) []byte {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		w.SetBoundary("fuzzboundary")
		for k, v := range fields {
			w.WriteField(k, v)
		}
		for _, p := range files {
			pw, _ := w.CreateFormFile(p.field, p.filename)
			pw.Write(p.data)
		}
		w.Close()
		return b.Bytes()
	}
	f.Add(seed(formFields(), []part{{"photos", "a.jpg", "image/jpeg", jpegWithEXIF(f)}}))
	f.Add(seed(map[string]string{"lat": "39.9", "lng": "x", "kind": "complaint"}, nil))
	f.Add(seed(formFields(), []part{{"photos", "a.pdf", "", []byte("%PDF")}, {"photos", "", "", nil}}))
	f.Fuzz(func(t *testing.T, body []byte) {
		form, err := multipart.NewReader(bytes.NewReader(body), "fuzzboundary").ReadForm(1 << 20)
		if err != nil {
			return
		}
		defer form.RemoveAll()
		sub, err := api.MultipartSubmission(form)
		if err != nil {
			if shian.ErrorCode(err) != shian.EINVALID {
				t.Fatalf("%v is not EINVALID", err)
			}
			return
		}
		if len(sub.Photos) > shian.MaxPhotos {
			t.Fatalf("%d photos accepted", len(sub.Photos))
		}
		for _, p := range sub.Photos {
			if len(p) == 0 || len(p) > shian.MaxPhotoBytes {
				t.Fatalf("photo of %d bytes accepted", len(p))
			}
		}
		checkValidated(t, sub.Input)
	})
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func storeNow() time.Time { return storetest.Now }

func utf8Valid(s string) bool { return utf8.ValidString(s) }
