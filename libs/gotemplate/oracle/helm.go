package main

// Helm's own template functions, written in Go after Helm's documented
// behaviour (https://helm.sh/docs/chart_template_guide/function_list/).
// Helm's code is not in Debian and none of it is copied here.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"

	"./chartutil"

	"github.com/BurntSushi/toml"
	"github.com/Masterminds/sprig"
	"sigs.k8s.io/yaml"
)

// includeLimit is how deep include may nest one template name (Helm: 1000).
const includeLimit = 1000

func funcMap(root *template.Template, helm bool, missingKey string) template.FuncMap {
	f := sprig.TxtFuncMap()
	if !helm {
		return f
	}
	delete(f, "env")
	delete(f, "expandenv")
	f["toYaml"] = toYAML
	f["fromYaml"] = fromYAML
	f["fromYamlArray"] = fromYAMLArray
	f["toToml"] = toTOML
	f["toJson"] = toJSON
	f["fromJson"] = fromJSON
	f["fromJsonArray"] = fromJSONArray
	f["required"] = required
	f["lookup"] = func(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	for k, v := range linked(root, missingKey, map[string]int{}) {
		f[k] = v
	}
	return f
}

func required(msg string, v interface{}) (interface{}, error) {
	if v == nil {
		return v, fmt.Errorf("%s", msg)
	}
	if s, ok := v.(string); ok && s == "" {
		return v, fmt.Errorf("%s", msg)
	}
	return v, nil
}

func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func fromYAML(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromYAMLArray(s string) []interface{} {
	a := []interface{}{}
	if err := yaml.Unmarshal([]byte(s), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

func toTOML(v interface{}) string {
	b := bytes.NewBuffer(nil)
	if err := toml.NewEncoder(b).Encode(v); err != nil {
		return err.Error()
	}
	return b.String()
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromJSONArray(s string) []interface{} {
	a := []interface{}{}
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

// linked makes include and tpl, the functions bound to one template set;
// depth counts include nesting per name across tpl clones, as Helm does.
func linked(root *template.Template, missingKey string, depth map[string]int) template.FuncMap {
	f := template.FuncMap{}
	f["include"] = func(name string, data interface{}) (string, error) {
		if depth[name] > includeLimit {
			return "", fmt.Errorf("rendering template has a nested reference name: %s: unable to execute template", name)
		}
		depth[name]++
		defer func() { depth[name]-- }()
		var b strings.Builder
		err := root.ExecuteTemplate(&b, name, data)
		return b.String(), err
	}
	f["tpl"] = func(text string, data chartutil.Values) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		// like Helm, only the functions bound to the template set are re-made for the clone
		t.Funcs(linked(t, missingKey, depth))
		if missingKey != "" {
			t.Option("missingkey=" + missingKey)
		}
		if _, err := t.New(root.Name()).Parse(text); err != nil {
			return "", fmt.Errorf("cannot parse template %q: %w", text, err)
		}
		var b strings.Builder
		if err := t.ExecuteTemplate(&b, root.Name(), data); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
		}
		return strings.ReplaceAll(b.String(), "<no value>", ""), nil
	}
	return f
}
