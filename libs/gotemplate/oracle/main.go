// Command gotemplate-oracle renders Go templates with Go's own text/template,
// sprig and our Go implementation of Helm's extra functions, so that the
// TypeScript engine in libs/gotemplate can be checked against Go itself.
//
// Protocol: one JSON request per line on stdin, one JSON response per line on
// stdout, in order. A request:
//
//	{"id": "c1", "templates": [["name", "text"], ...], "entry": "name",
//	 "data": <typed JSON>, "missingkey": "default|zero|error", "helm": true,
//	 "renders": [{"name": "t", "data": <typed JSON>}, ...]}
//
// With "renders" (chart mode) every listed template is executed in turn, the
// way Helm renders a chart (each output with "<no value>" removed); otherwise
// "entry" (default: the first template) is executed once with "data".
// Typed JSON: see decodeTyped in typed.go.
//
// With "repeat": N (bench mode, needs "renders") the chart is rendered N times
// more after a first checked render, and "timings" holds each round's
// nanoseconds; with "repeatParse" every round parses all templates again,
// as Helm does on each render.
//
// A response: {"id", "output"} or {"id", "outputs"} on success,
// {"id", "error", "phase": "parse"|"exec"|"timeout"|"request"} on failure.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"
	"time"

	"golang.org/x/crypto/bcrypt"
)

const rootName = "gotpl"

type renderReq struct {
	Name string          `json:"name"`
	Data json.RawMessage `json:"data"`
}

type request struct {
	ID         string          `json:"id"`
	Templates  [][2]string     `json:"templates"`
	Entry      string          `json:"entry"`
	Data       json.RawMessage `json:"data"`
	MissingKey string          `json:"missingkey"`
	Helm       *bool           `json:"helm"`
	Renders    []renderReq     `json:"renders"`
	// BcryptCheck asks whether [hash, password] match (to check our bcrypt against Go's).
	BcryptCheck []string `json:"bcryptCheck"`
	Repeat      int      `json:"repeat"`
	RepeatParse bool     `json:"repeatParse"`
}

type response struct {
	ID      string            `json:"id"`
	Output  *string           `json:"output,omitempty"`
	Outputs map[string]string `json:"outputs,omitempty"`
	Error   string            `json:"error,omitempty"`
	Phase   string            `json:"phase,omitempty"`
	Timings []int64           `json:"timings,omitempty"`
}

func main() {
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for {
		line, err := in.ReadBytes('\n')
		if len(strings.TrimSpace(string(line))) > 0 {
			var req request
			var resp response
			if jerr := json.Unmarshal(line, &req); jerr != nil {
				resp = response{Error: jerr.Error(), Phase: "request"}
			} else {
				limit := 10 * time.Second
				if req.Repeat > 0 {
					limit = 10 * time.Minute
				}
				resp = runWithTimeout(&req, limit)
			}
			resp.ID = req.ID
			if e := enc.Encode(resp); e != nil {
				fmt.Fprintln(os.Stderr, e)
				os.Exit(1)
			}
			out.Flush()
		}
		if err != nil {
			return
		}
	}
}

// runWithTimeout guards the harness against a case that never ends in Go.
func runWithTimeout(req *request, d time.Duration) response {
	ch := make(chan response, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				ch <- response{Error: fmt.Sprintf("oracle panic: %v", r), Phase: "panic"}
			}
		}()
		ch <- run(req)
	}()
	select {
	case r := <-ch:
		return r
	case <-time.After(d):
		return response{Error: "timeout", Phase: "timeout"}
	}
}

func run(req *request) response {
	if len(req.BcryptCheck) == 2 {
		if err := bcrypt.CompareHashAndPassword([]byte(req.BcryptCheck[0]), []byte(req.BcryptCheck[1])); err != nil {
			return response{Error: err.Error(), Phase: "exec"}
		}
		ok := "ok"
		return response{Output: &ok}
	}
	if len(req.Templates) == 0 {
		return response{Error: "no templates", Phase: "request"}
	}
	entry := req.Entry
	if entry == "" {
		entry = req.Templates[0][0]
	}
	root, err := parseAll(req)
	if err != nil {
		return response{Error: err.Error(), Phase: "parse"}
	}
	if len(req.Renders) > 0 {
		datas := make([]interface{}, len(req.Renders))
		for i, r := range req.Renders {
			if datas[i], err = decodeTypedJSON(r.Data); err != nil {
				return response{Error: err.Error(), Phase: "request"}
			}
		}
		outs, err := renderAll(root, req.Renders, datas)
		if err != nil {
			return response{Error: err.Error(), Phase: "exec"}
		}
		var timings []int64
		for i := 0; i < req.Repeat; i++ {
			t0 := time.Now()
			r := root
			if req.RepeatParse {
				if r, err = parseAll(req); err != nil {
					return response{Error: err.Error(), Phase: "parse"}
				}
			}
			if _, err := renderAll(r, req.Renders, datas); err != nil {
				return response{Error: err.Error(), Phase: "exec"}
			}
			timings = append(timings, time.Since(t0).Nanoseconds())
		}
		return response{Outputs: outs, Timings: timings}
	}
	data, err := decodeTypedJSON(req.Data)
	if err != nil {
		return response{Error: err.Error(), Phase: "request"}
	}
	var b strings.Builder
	if err := root.ExecuteTemplate(&b, entry, data); err != nil {
		return response{Error: err.Error(), Phase: "exec"}
	}
	s := b.String()
	return response{Output: &s}
}

// parseAll parses every template of the request, as Helm does: each file is a
// template associated with an empty root named "gotpl" (tpl parses its text
// under that name).
func parseAll(req *request) (*template.Template, error) {
	helm := req.Helm == nil || *req.Helm
	root := template.New(rootName)
	if req.MissingKey != "" {
		root.Option("missingkey=" + req.MissingKey)
	}
	root.Funcs(funcMap(root, helm, req.MissingKey))
	for _, nt := range req.Templates {
		if _, err := root.New(nt[0]).Parse(nt[1]); err != nil {
			return nil, err
		}
	}
	return root, nil
}

// renderAll executes every listed template the way Helm renders a chart.
func renderAll(root *template.Template, renders []renderReq, datas []interface{}) (map[string]string, error) {
	outs := make(map[string]string, len(renders))
	for i, r := range renders {
		var b strings.Builder
		if err := root.ExecuteTemplate(&b, r.Name, datas[i]); err != nil {
			return nil, err
		}
		outs[r.Name] = strings.ReplaceAll(b.String(), "<no value>", "")
	}
	return outs, nil
}
