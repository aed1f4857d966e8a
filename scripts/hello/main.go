// Command hello is the anchor of the HTTP benchmarks: a bare Fiber v2
// hello-world with the same server settings as shian, so that a figure for
// one of our endpoints can be reported as a ratio of what Fiber alone does
// on the same machine in the same run.
package main

import (
	"flag"
	"log"

	"github.com/gofiber/fiber/v2"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8099", "listen address")
	flag.Parse()
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("Hello, World!") })
	log.Fatal(app.Listen(*addr))
}
