// Package chartutil holds the few Helm built-in objects with methods that
// charts call (.Capabilities, .Files), written after Helm's documented
// behaviour, so the oracle's type names match Helm's in error messages.
package chartutil

import (
	"encoding/base64"
	"path"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// Capabilities mirrors Helm's .Capabilities.
type Capabilities struct {
	KubeVersion KubeVersion
	APIVersions VersionSet
	HelmVersion BuildInfo
}

// KubeVersion mirrors .Capabilities.KubeVersion.
type KubeVersion struct {
	Version string
	Major   string
	Minor   string
}

func (kv *KubeVersion) String() string     { return kv.Version }
func (kv *KubeVersion) GitVersion() string { return kv.Version }

// VersionSet is the list of API versions the cluster serves.
type VersionSet []string

// Has reports whether the set holds apiVersion.
func (v VersionSet) Has(apiVersion string) bool {
	for _, x := range v {
		if x == apiVersion {
			return true
		}
	}
	return false
}

// BuildInfo mirrors .Capabilities.HelmVersion.
type BuildInfo struct {
	Version      string `json:"version,omitempty"`
	GitCommit    string `json:"git_commit,omitempty"`
	GitTreeState string `json:"git_tree_state,omitempty"`
	GoVersion    string `json:"go_version,omitempty"`
}

// Files mirrors Helm's .Files: the chart's non-template files.
type Files map[string][]byte

// Get returns a file's content, or "" when there is none.
func (f Files) Get(name string) string {
	if v, ok := f[name]; ok {
		return string(v)
	}
	return ""
}

// GetBytes returns a file's bytes.
func (f Files) GetBytes(name string) []byte {
	if v, ok := f[name]; ok {
		return v
	}
	return []byte{}
}

// Glob returns the files whose path matches pattern (path.Match syntax).
func (f Files) Glob(pattern string) Files {
	out := Files{}
	for name, content := range f {
		if ok, _ := path.Match(pattern, name); ok {
			out[name] = content
		}
	}
	return out
}

// Lines splits a file into lines.
func (f Files) Lines(name string) []string {
	s := f.Get(name)
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "\n")
}

// AsConfig renders the files as a ConfigMap data block (base names as keys).
func (f Files) AsConfig() string {
	if len(f) == 0 {
		return ""
	}
	m := map[string]string{}
	for _, k := range sortedKeys(f) {
		m[path.Base(k)] = string(f[k])
	}
	return toYAML(m)
}

// AsSecrets renders the files as a Secret data block (base64 values).
func (f Files) AsSecrets() string {
	if len(f) == 0 {
		return ""
	}
	m := map[string]string{}
	for _, k := range sortedKeys(f) {
		m[path.Base(k)] = base64.StdEncoding.EncodeToString(f[k])
	}
	return toYAML(m)
}

func sortedKeys(f Files) []string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

// Values is the type of Helm's top-level template data and of .Values.
type Values map[string]interface{}
