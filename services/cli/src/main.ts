// Placeholder dispatcher: `moor cluster serve ...` runs the embedded API server; the
// real dispatcher (being written separately) will take this route over.
import { clusterServe } from "./commands/cluster-serve.ts"

const args = process.argv.slice(2)
if (args[0] === "cluster" && args[1] === "serve") {
  process.exitCode = await clusterServe(args.slice(2))
} else {
  console.log("moor")
}
