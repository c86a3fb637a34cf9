import { test } from "node:test"
import assert from "node:assert/strict"
import { IgnoreMatcher } from "./index.ts"

const check = (m: IgnoreMatcher, rows: [string, boolean, boolean?][]) => {
  for (const [path, ignored, isDir] of rows) assert.equal(m.ignores(path, isDir ?? false), ignored, `${path} should ${ignored ? "" : "not "}be ignored`)
}

test("Flux's default exclusions", () => {
  check(IgnoreMatcher.forSpec(), [
    [".git", true, true],
    [".github", true, true],
    ["sub/.github/workflows/ci.yaml", true],
    [".gitignore", true],
    ["img/logo.png", true],
    ["charts/app.tar.gz", true],
    ["deep/.sops.yaml", true],
    ["deploy/app.yaml", false],
    ["README.md", false],
  ])
})

test("spec.ignore replaces the defaults (except .git) and follows Flux's example", () => {
  const m = IgnoreMatcher.forSpec("# exclude all\n/*\n# include deploy dir\n!/deploy\n# exclude file extensions from deploy dir\n/deploy/**/*.md\n/deploy/**/*.txt\n")
  check(m, [
    ["README.md", true],
    ["src", true, true],
    ["deploy", false, true],
    ["deploy/app.yaml", false],
    ["deploy/sub/notes.md", true],
    ["deploy/x/y/z.txt", true],
    ["deploy/logo.png", false],
    [".git", true, true],
  ])
})

test("gitignore syntax: anchoring, dir-only, **, ?, classes, escapes, negation", () => {
  const m = IgnoreMatcher.forSpec(["*.log", "!keep.log", "build/", "/root-only.txt", "a/**/z", "file?.yaml", "[ab]c.json", "\\#hash", "docs/*.md", "trailing   "].join("\n"))
  check(m, [
    ["x.log", true],
    ["dir/x.log", true],
    ["dir/keep.log", false],
    ["build", true, true],
    ["build", false, false],
    ["src/build/out.js", true],
    ["root-only.txt", true],
    ["sub/root-only.txt", false],
    ["a/z", true],
    ["a/b/c/z", true],
    ["file1.yaml", true],
    ["file10.yaml", false],
    ["ac.json", true],
    ["cc.json", false],
    ["#hash", true],
    ["docs/a.md", true],
    ["docs/sub/a.md", false],
    ["trailing", true],
  ])
})

test(".sourceignore files apply under their directory; deeper and spec rules come later", () => {
  const m = IgnoreMatcher.forSpec("!apps/keep.secret.yaml\n")
  m.addFile("", "*.secret.yaml\n")
  m.addFile("apps", "/local.yaml\n!team.secret.yaml\n")
  check(m, [
    ["a.secret.yaml", true],
    ["apps/team.secret.yaml", false],
    ["apps/other.secret.yaml", true],
    ["apps/keep.secret.yaml", false],
    ["apps/local.yaml", true],
    ["local.yaml", false],
    ["other/local.yaml", false],
  ])
})
