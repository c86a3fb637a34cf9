package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"./chartutil"

	"github.com/Masterminds/sprig"
)

// decodeTypedJSON decodes template data. Plain JSON decodes as
// encoding/json does (numbers are float64); a one-key object whose key
// starts with "$" builds a Go value JSON cannot express:
//
//	{"$int": "3"} int, {"$int64": "3"} int64 (also $int8..$int32, $uint..$uint64),
//	{"$float32": 1.5}, {"$strings": [...]} []string, {"$ints": [...]} []int,
//	{"$strmap": {...}} map[string]string, {"$bytes": "base64"} []byte,
//	{"$nil": "slice"|"map"} nil []interface{} / map[string]interface{},
//	{"$time": "RFC3339"} time.Time, {"$capabilities": {...}}, {"$files": {...}}.
func decodeTypedJSON(raw json.RawMessage) (interface{}, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	var v interface{}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	return typed(v)
}

func typed(v interface{}) (interface{}, error) {
	switch x := v.(type) {
	case []interface{}:
		for i, e := range x {
			t, err := typed(e)
			if err != nil {
				return nil, err
			}
			x[i] = t
		}
		return x, nil
	case map[string]interface{}:
		if len(x) == 1 {
			for k, e := range x {
				if len(k) > 1 && k[0] == '$' {
					return special(k, e)
				}
			}
		}
		for k, e := range x {
			t, err := typed(e)
			if err != nil {
				return nil, err
			}
			x[k] = t
		}
		return x, nil
	}
	return v, nil
}

func str(v interface{}) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func special(k string, v interface{}) (interface{}, error) {
	switch k {
	case "$int":
		n, err := strconv.ParseInt(str(v), 10, 64)
		return int(n), err
	case "$int8":
		n, err := strconv.ParseInt(str(v), 10, 8)
		return int8(n), err
	case "$int16":
		n, err := strconv.ParseInt(str(v), 10, 16)
		return int16(n), err
	case "$int32":
		n, err := strconv.ParseInt(str(v), 10, 32)
		return int32(n), err
	case "$int64":
		n, err := strconv.ParseInt(str(v), 10, 64)
		return n, err
	case "$uint":
		n, err := strconv.ParseUint(str(v), 10, 64)
		return uint(n), err
	case "$uint8":
		n, err := strconv.ParseUint(str(v), 10, 8)
		return uint8(n), err
	case "$uint16":
		n, err := strconv.ParseUint(str(v), 10, 16)
		return uint16(n), err
	case "$uint32":
		n, err := strconv.ParseUint(str(v), 10, 32)
		return uint32(n), err
	case "$uint64":
		n, err := strconv.ParseUint(str(v), 10, 64)
		return n, err
	case "$float32":
		f, _ := v.(float64)
		return float32(f), nil
	case "$strings":
		a, _ := v.([]interface{})
		out := make([]string, len(a))
		for i, e := range a {
			out[i] = str(e)
		}
		return out, nil
	case "$ints":
		a, _ := v.([]interface{})
		out := make([]int, len(a))
		for i, e := range a {
			n, err := strconv.ParseInt(str(e), 10, 64)
			if err != nil {
				return nil, err
			}
			out[i] = int(n)
		}
		return out, nil
	case "$strmap":
		m, _ := v.(map[string]interface{})
		out := make(map[string]string, len(m))
		for mk, e := range m {
			out[mk] = str(e)
		}
		return out, nil
	case "$bytes":
		return base64.StdEncoding.DecodeString(str(v))
	case "$nil":
		if str(v) == "map" {
			return map[string]interface{}(nil), nil
		}
		return []interface{}(nil), nil
	case "$time":
		return time.Parse(time.RFC3339Nano, str(v))
	case "$func":
		f := sprig.TxtFuncMap()[str(v)]
		if f == nil {
			return nil, fmt.Errorf("no function %q", str(v))
		}
		return f, nil
	case "$capabilities":
		m, _ := v.(map[string]interface{})
		c := &chartutil.Capabilities{}
		kv, _ := m["kubeVersion"].(map[string]interface{})
		c.KubeVersion = chartutil.KubeVersion{Version: str(kv["version"]), Major: str(kv["major"]), Minor: str(kv["minor"])}
		if a, ok := m["apiVersions"].([]interface{}); ok {
			for _, e := range a {
				c.APIVersions = append(c.APIVersions, str(e))
			}
		}
		hv, _ := m["helmVersion"].(map[string]interface{})
		c.HelmVersion = chartutil.BuildInfo{Version: str(hv["version"]), GitCommit: str(hv["gitCommit"]), GitTreeState: str(hv["gitTreeState"]), GoVersion: str(hv["goVersion"])}
		return c, nil
	case "$files":
		m, _ := v.(map[string]interface{})
		f := chartutil.Files{}
		for name, content := range m {
			f[name] = []byte(str(content))
		}
		return f, nil
	}
	return nil, fmt.Errorf("unknown typed value %q", k)
}
