// @moor/cli as a library: what deploy/ and other tools check against
// (the services `moor run` hosts and its flags). The CLI itself is bin/moor.js.
export { services, type ServiceDef } from "./services.ts"
export { runOptions } from "./commands/run.ts"
