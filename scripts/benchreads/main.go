// Command benchreads writes the request paths of the "reads at scale"
// suite (scripts/bench-reads.sh): for every shop of a store, its JSON
// path, its page and a signed sticker landing path, and as many random
// well-formed licences that no shop has (the flood of unknown licences).
// wrk picks a random line per request (scripts/bench-reads.lua).
//
//	go run ./scripts/benchreads -db URL -secret S -out DIR
package main

import (
	"bufio"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"shian/qrcodes"
)

func main() {
	dbURL := flag.String("db", "", "sqlite://PATH or postgres://…")
	secret := flag.String("secret", "", "SHIAN_SECRET of the server")
	keys := flag.String("keys", "1", "SHIAN_QR_KEYS of the server")
	out := flag.String("out", ".", "directory for json.txt, html.txt, sticker.txt, unknown.txt")
	flag.Parse()
	driver, dsn := "pgx", *dbURL
	if p, ok := strings.CutPrefix(*dbURL, "sqlite://"); ok {
		driver, dsn = "sqlite", "file:"+p+"?mode=ro"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	k, err := qrcodes.DeriveKeys([]byte(*secret), *keys)
	if err != nil {
		log.Fatal(err)
	}
	signer, err := qrcodes.NewSigner(k)
	if err != nil {
		log.Fatal(err)
	}
	rows, err := db.Query(`SELECT id, licence, sticker_version FROM shops`)
	if err != nil {
		log.Fatal(err)
	}
	files := map[string]*bufio.Writer{}
	for _, name := range []string{"json", "html", "sticker", "unknown"} {
		f, err := os.Create(filepath.Join(*out, name+".txt"))
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		w := bufio.NewWriter(f)
		defer w.Flush()
		files[name] = w
	}
	known := map[string]bool{}
	for rows.Next() {
		var id int64
		var licence string
		var version int
		if err := rows.Scan(&id, &licence, &version); err != nil {
			log.Fatal(err)
		}
		known[licence] = true
		fmt.Fprintf(files["json"], "/api/v1/shops/%s\n", licence)
		fmt.Fprintf(files["html"], "/shops/%s\n", licence)
		fmt.Fprintf(files["sticker"], "/s/%s\n", signer.Sign(id, version))
	}
	if err := rows.Err(); err != nil {
		log.Fatal(err)
	}
	const digits = "0123456789"
	for n := 0; n < 200_000; {
		b := []byte("JY")
		for range 14 {
			b = append(b, digits[rand.IntN(10)])
		}
		if !known[string(b)] {
			fmt.Fprintf(files["unknown"], "/api/v1/shops/%s\n", b)
			n++
		}
	}
	log.Printf("benchreads: %d shops", len(known))
}
