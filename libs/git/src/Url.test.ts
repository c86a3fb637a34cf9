import { test } from "node:test"
import assert from "node:assert/strict"
import { parseRepoUrl } from "./index.ts"

test("parses every supported URL form", () => {
  assert.deepEqual(parseRepoUrl("https://github.com/org/repo.git"), { protocol: "https", url: "https://github.com/org/repo.git", display: "https://github.com/org/repo.git" })
  assert.deepEqual(parseRepoUrl("git://host/repo.git"), { protocol: "git", host: "host", port: 9418, path: "/repo.git", display: "git://host/repo.git" })
  assert.deepEqual(parseRepoUrl("ssh://git@host:2222/org/repo.git"), { protocol: "ssh", host: "host", port: 2222, user: "git", path: "/org/repo.git", display: "ssh://git@host:2222/org/repo.git" })
  assert.deepEqual(parseRepoUrl("git@github.com:org/repo.git"), { protocol: "ssh", host: "github.com", port: 22, user: "git", path: "org/repo.git", display: "git@github.com:org/repo.git" })
  assert.deepEqual(parseRepoUrl("file:///srv/repo.git"), { protocol: "file", path: "/srv/repo.git", display: "file:///srv/repo.git" })
  assert.deepEqual(parseRepoUrl("/srv/repo.git"), { protocol: "file", path: "/srv/repo.git", display: "/srv/repo.git" })
})

for (const [url, why] of [
  ["", /empty/],
  ["github.com/org/repo", /expected a URL with a scheme/],
  ["ftp://host/repo", /unsupported scheme "ftp"/],
  ["https://user:pw@host/repo", /embeds a password/],
  ["https://", /cannot be parsed|no host/],
  ["ssh://host:99999/repo", /cannot be parsed|out of range/],
  ["git://host/", /no repository path/],
  ["file://remote/x", /local path/],
  ["relative/path", /expected a URL with a scheme/],
] as const)
  test(`InvalidURL: ${JSON.stringify(url)}`, () => {
    assert.throws(() => parseRepoUrl(url), (e: { reason: string; message: string; stalled: boolean }) => {
      assert.equal(e.reason, "InvalidURL")
      assert.equal(e.stalled, true)
      assert.match(e.message, why)
      assert.ok(!e.message.includes("pw@"), "never echoes a password")
      return true
    })
  })
