// bench/git: time to the first artifact (fetch + deterministic tar.gz +
// digest) for a 5,000-file, 500-commit repository served by `git daemon`,
// against C git in the same run (`git clone --depth 1` + `tar czf`); and the
// no-change poll (one ref advertisement). Medians over several runs.
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { buildArchive } from "@moor/artifact"
import { fetchRevision, resolveRevision } from "@moor/git"
import { startGitDaemon } from "@moor/testing"
import { median, report } from "../report.ts"
import { addCommit, makeRepo } from "./makeRepo.ts"

const runs = Number(process.env.BENCH_RUNS ?? 5)
const polls = 30
const work = mkdtempSync(join(tmpdir(), "moor-bench-git-"))
const daemon = await (async () => {
  const t0 = performance.now()
  makeRepo(join(work, "repos", "fleet.git"))
  console.log(`built the repository (5,000 files, 500 commits) in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  return startGitDaemon(join(work, "repos"))
})()
try {
  const url = daemon.url("fleet.git")
  const moor: number[] = []
  const cgit: number[] = []
  let digest = ""
  for (let i = 0; i < runs; i++) {
    const cacheDir = join(work, `cache-${i}`)
    let t = performance.now()
    const r = await fetchRevision({ url, ref: { branch: "main" }, cacheDir })
    const a = await buildArchive(r.tree.files())
    moor.push(performance.now() - t)
    if (digest && digest !== a.digest) throw new Error("the artifact digest changed between runs")
    digest = a.digest
    const dir = join(work, `clone-${i}`)
    t = performance.now()
    const c = spawnSync("git", ["clone", "-q", "--depth", "1", "--branch", "main", url, dir])
    if (c.status !== 0) throw new Error(c.stderr.toString())
    const z = spawnSync("tar", ["czf", join(work, `clone-${i}.tgz`), "--exclude=.git", "-C", dir, "."])
    if (z.status !== 0) throw new Error(z.stderr.toString())
    cgit.push(performance.now() - t)
  }
  // no-change poll: what a GitRepository does each interval when nothing moved
  const poll: number[] = []
  const lsRemote: number[] = []
  for (let i = 0; i < polls; i++) {
    let t = performance.now()
    await resolveRevision({ url, ref: { branch: "main" } })
    poll.push(performance.now() - t)
    t = performance.now()
    spawnSync("git", ["ls-remote", url, "refs/heads/main"])
    lsRemote.push(performance.now() - t)
  }
  // an incremental fetch after one new commit (5 files changed)
  const inc: number[] = []
  for (let i = 0; i < runs; i++) {
    addCommit(join(work, "repos", "fleet.git"), i)
    const t = performance.now()
    const r = await fetchRevision({ url, ref: { branch: "main" }, cacheDir: join(work, "cache-0") })
    await buildArchive(r.tree.files())
    inc.push(performance.now() - t)
  }
  const first = median(moor)
  const ref = median(cgit)
  report(
    "git",
    [
      { metric: "first artifact (fetch + tar.gz + digest)", moor: first, reference: ref, referenceName: "git clone --depth 1 + tar czf", unit: "ms", target: "<= 1.5x C git", met: first <= 1.5 * ref },
      { metric: "no-change poll (ref advertisement)", moor: median(poll), reference: median(lsRemote), referenceName: "git ls-remote", unit: "ms", target: "< 50 ms", met: median(poll) < 50 },
      { metric: "new commit: incremental fetch + tar.gz", moor: median(inc), unit: "ms" },
    ],
    { runs, polls, files: 5000, commits: 500, samples: { moor, cgit, poll, lsRemote, inc } },
  )
} finally {
  await daemon.stop()
  rmSync(work, { recursive: true, force: true })
}
