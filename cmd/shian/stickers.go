package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"shian"
	"shian/qrcodes"
)

// stickerKit signs, verifies and draws door-sticker codes for the API and
// the `shian qr` command, over the qrcodes package.
type stickerKit struct {
	signer    *qrcodes.Signer
	publicURL string
	fontPath  string

	fontOnce sync.Once
	font     []byte
	fontErr  error
}

func (env *Env) stickerKit() (*stickerKit, error) {
	secret, err := env.Config.SecretBytes()
	if err != nil {
		return nil, err
	}
	keys, err := qrcodes.DeriveKeys(secret, env.Config.QRKeys)
	if err != nil {
		return nil, err
	}
	signer, err := qrcodes.NewSigner(keys)
	if err != nil {
		return nil, err
	}
	if err := qrcodes.CheckPublicURL(env.Config.PublicURL); err != nil {
		return nil, err
	}
	return &stickerKit{signer: signer, publicURL: env.Config.PublicURL, fontPath: env.Config.FontPath}, nil
}

// Verify implements api.Stickers.
func (k *stickerKit) Verify(token string) (int64, int, error) {
	c, err := k.signer.Verify(token)
	return c.ShopID, c.Version, err
}

// URL is what the sticker of the shop's current version encodes.
func (k *stickerKit) URL(s *shian.Shop) string {
	return qrcodes.URL(k.publicURL, k.signer.Sign(s.ID, s.StickerVersion))
}

// PNG implements api.StickerPrinter.
func (k *stickerKit) PNG(s *shian.Shop, pixelsPerModule int) ([]byte, error) {
	return qrcodes.PNG(k.URL(s), pixelsPerModule)
}

// SVG implements api.StickerPrinter.
func (k *stickerKit) SVG(s *shian.Shop) ([]byte, error) { return qrcodes.SVG(k.URL(s)) }

// Sheet implements api.StickerPrinter: an A4 PDF of stickers.
func (k *stickerKit) Sheet(w io.Writer, shops []*shian.Shop, title string) error {
	k.fontOnce.Do(func() { k.font, k.fontErr = qrcodes.LoadFont(k.fontPath) })
	if k.fontErr != nil {
		return k.fontErr
	}
	stickers := make([]qrcodes.Sticker, len(shops))
	for i, s := range shops {
		stickers[i] = qrcodes.Sticker{Name: s.Name, NameEN: s.NameEN, Licence: s.Licence, District: s.District, URL: k.URL(s)}
	}
	return qrcodes.Sheet(w, stickers, qrcodes.SheetOptions{Font: k.font, Title: title})
}

func init() {
	register("qr", "LICENCE -o FILE.png|svg [--size N] | sheet --district D -o FILE.pdf | reissue LICENCE", qrCmd)
}

func qrCmd(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
	out := fs.String("o", "", "output file (.png, .svg, or .pdf for sheets)")
	size := fs.Int("size", 10, "pixels per module for PNG")
	district := fs.String("district", "", "district code for a sheet (all shops of the district)")
	if len(args) == 0 {
		return usageError{"want a licence, `sheet` or `reissue`"}
	}
	sub := args[0]
	if err := env.parse(fs, args[1:]); err != nil {
		return err
	}
	kit, err := env.stickerKit()
	if err != nil {
		return err
	}
	db, err := env.openMigratedStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "sheet":
		if _, ok := shian.LookupCode(shian.Districts, *district); !ok {
			return usageError{fmt.Sprintf("--district must be one of %s", strings.Join(shian.CodeList(shian.Districts), ", "))}
		}
		if *out == "" {
			return usageError{"-o FILE.pdf is required"}
		}
		var shops []*shian.Shop
		for after := int64(0); ; {
			page, err := db.ListShops(ctx, shian.ShopFilter{District: *district, AfterID: after, Limit: 1000})
			if err != nil {
				return err
			}
			if len(page) == 0 {
				break
			}
			for _, s := range page {
				if s.Status != shian.StatusClosed {
					shops = append(shops, s)
				}
			}
			after = page[len(page)-1].ID
		}
		if len(shops) == 0 {
			return fmt.Errorf("district %s has no open shops", *district)
		}
		return writeFile(*out, func(w io.Writer) error { return kit.Sheet(w, shops, "") }, env, len(shops))
	case "reissue":
		if fs.NArg() != 1 {
			return usageError{"want: qr reissue LICENCE"}
		}
		v, err := db.ReissueSticker(ctx, strings.ToUpper(fs.Arg(0)))
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "sticker version %d issued for %s; older stickers now show as outdated\n", v, strings.ToUpper(fs.Arg(0)))
		return nil
	}
	shop, err := db.ShopByLicence(ctx, strings.ToUpper(sub))
	if err != nil {
		return err
	}
	var render func(w io.Writer) error
	switch strings.ToLower(filepath.Ext(*out)) {
	case ".png":
		render = func(w io.Writer) error {
			b, err := kit.PNG(shop, *size)
			if err == nil {
				_, err = w.Write(b)
			}
			return err
		}
	case ".svg":
		render = func(w io.Writer) error {
			b, err := kit.SVG(shop)
			if err == nil {
				_, err = w.Write(b)
			}
			return err
		}
	default:
		return usageError{"-o must name a .png or .svg file"}
	}
	fmt.Fprintln(env.Stdout, kit.URL(shop))
	return writeFile(*out, render, env, 1)
}

// writeFile writes through a temporary file so that a failure leaves no
// half-written output.
func writeFile(path string, render func(io.Writer) error, env *Env, n int) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".shian-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	err = render(tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return errors.Join(err)
	}
	fmt.Fprintf(env.Stderr, "wrote %s (%d sticker(s))\n", path, n)
	return nil
}
